// The crew an upload group's syncs run on: every call made once, several at
// once (the point of it: syncs that wait together share the disk's
// flushes), the same threads from one batch to the next, and none left
// waiting once the crew is gone.

#include <QFile>
#include <QTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "sync_crew.h"

using namespace ferry;

class TestSyncCrew : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { threadsBefore_ = threadsOfThisProcess(); }

  void everyCallIsMadeOnce() {
    SyncCrew crew(7);
    for (std::size_t n : {1u, 2u, 5u, 8u, 33u, 1000u}) {
      std::vector<std::atomic<int>> calls(n);
      crew.run(n, [&](std::size_t i) { calls[i].fetch_add(1); });
      for (std::size_t i = 0; i < n; ++i) QCOMPARE(calls[i].load(), 1);
    }
  }

  void callsWaitTogether() {
    // Four calls that each wait for the other three to have started: made
    // one after another they would never all start (the wait gives up
    // after 10 s, and the test fails). Again with the same crew, whose
    // threads are then waiting for work, not just started.
    SyncCrew crew(3);
    for (int batch = 0; batch < 3; ++batch) {
      std::mutex m;
      std::condition_variable cv;
      int started = 0;
      std::atomic<int> together{0};
      crew.run(4, [&](std::size_t) {
        std::unique_lock lock(m);
        ++started;
        cv.notify_all();
        if (cv.wait_for(lock, std::chrono::seconds(10), [&] { return started == 4; })) together.fetch_add(1);
      });
      QCOMPARE(together.load(), 4);
    }
  }

  void batchesReuseTheSameThreads() {
    SyncCrew crew(7);
    QCOMPARE(crew.threads(), std::size_t(0));
    std::atomic<int> calls{0};
    crew.run(1, [&](std::size_t) { calls.fetch_add(1); });
    QCOMPARE(crew.threads(), std::size_t(0));  // one call: the caller makes it
    for (int i = 0; i < 200; ++i) crew.run(12, [&](std::size_t) { calls.fetch_add(1); });
    QCOMPARE(calls.load(), 1 + 200 * 12);
    QCOMPARE(crew.threads(), std::size_t(7));
    // A smaller batch starts no thread: it is taken by some of those.
    crew.run(3, [&](std::size_t) { calls.fetch_add(1); });
    QCOMPARE(crew.threads(), std::size_t(7));
  }

  void aCrewGoesAwayWithItsThreads() {
#ifdef __linux__
    for (int c = 0; c < 50; ++c) {
      SyncCrew crew(4);
      crew.run(5, [](std::size_t) {});
      QCOMPARE(crew.threads(), std::size_t(4));
    }
    // Each crew's threads end once it is gone (they were waiting for
    // work), these and the tests' before.
    QTRY_COMPARE_WITH_TIMEOUT(threadsOfThisProcess(), threadsBefore_, 10000);
#else
    QSKIP("counts this process's threads from /proc");
#endif
  }

 private:
  int threadsBefore_ = 0;

  static int threadsOfThisProcess() {
#ifdef __linux__
    QFile status("/proc/self/status");
    if (!status.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
      if (line.startsWith("Threads:")) return line.mid(8).trimmed().toInt();
    return -1;
#else
    return 0;
#endif
  }
};

QTEST_GUILESS_MAIN(TestSyncCrew)
#include "tst_sync_crew.moc"
