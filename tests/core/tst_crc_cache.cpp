// CrcCache::crcOf(): a file's CRC is computed once at a time. A second
// thread asking for a file whose CRC is being computed (the folder scanner
// and a zip of the same folder) waits for that result instead of reading the
// file again; a computation that fails lets the waiter try itself.

#include <QTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crc_cache.h"
#include "loop_thread.h"

using ferry::test::waitUntil;

namespace {

struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void release() {
    std::lock_guard l(m);
    open = true;
    cv.notify_all();
  }
  void wait() {
    std::unique_lock l(m);
    cv.wait(l, [&] { return open; });
  }
};

ferry::FileInfo fileInfo(std::uint64_t inode) {
  ferry::FileInfo f;
  f.device = 1;
  f.inode = inode;
  f.size = 1000;
  f.mtimeNs = 5;
  f.ctimeNs = 6;
  return f;
}

}  // namespace

class TestCrcCache : public QObject {
  Q_OBJECT

 private slots:
  void aCrcBeingComputedIsWaitedFor() {
    ferry::CrcCache cache;
    Gate gate;
    std::atomic<int> computed{0};
    std::atomic<bool> started{false};
    auto slow = [&]() -> std::optional<std::uint32_t> {
      ++computed;
      started = true;
      gate.wait();
      return 0xC0FFEEu;
    };
    std::optional<std::uint32_t> first, second;
    std::thread a([&] { first = cache.crcOf(fileInfo(7), slow); });
    QVERIFY(waitUntil([&] { return started.load(); }));
    std::thread b([&] { second = cache.crcOf(fileInfo(7), slow); });
    QVERIFY(waitUntil([&] { return cache.waiting() == 1; }));
    // Another file is not held up by it.
    QCOMPARE(cache.crcOf(fileInfo(8), [] { return std::optional<std::uint32_t>(42); }), std::optional<std::uint32_t>(42));
    gate.release();
    a.join();
    b.join();
    QCOMPARE(computed.load(), 1);
    QCOMPARE(first, std::optional<std::uint32_t>(0xC0FFEEu));
    QCOMPARE(second, first);
    QCOMPARE(cache.find(fileInfo(7)), first);
    QCOMPARE(cache.waiting(), std::size_t(0));
  }

  void aFailedComputationLetsTheWaiterTry() {
    ferry::CrcCache cache;
    Gate gate;
    std::atomic<bool> started{false};
    std::optional<std::uint32_t> first, second;
    std::thread a([&] {
      first = cache.crcOf(fileInfo(9), [&]() -> std::optional<std::uint32_t> {
        started = true;
        gate.wait();
        return std::nullopt;  // the file changed while it was read
      });
    });
    QVERIFY(waitUntil([&] { return started.load(); }));
    std::thread b([&] { second = cache.crcOf(fileInfo(9), [] { return std::optional<std::uint32_t>(99); }); });
    QVERIFY(waitUntil([&] { return cache.waiting() == 1; }));
    gate.release();
    a.join();
    b.join();
    QVERIFY(!first);
    QCOMPARE(second, std::optional<std::uint32_t>(99));
    QCOMPARE(cache.find(fileInfo(9)), second);
  }

  // A zip waiting for a CRC the folder scanner is reading hears that the
  // scanner's disk answers (its deadline counts from the last answer), and
  // a waiter with nothing to hear from waits as before.
  void aWaiterHearsHowTheReadingGoes() {
    ferry::CrcCache cache;
    Gate gate;
    std::atomic<bool> started{false};
    ferry::DiskProgress reading, waiting;
    std::thread a([&] {
      cache.crcOf(fileInfo(11), [&]() -> std::optional<std::uint32_t> {
        started = true;
        gate.wait();
        return 7;
      }, &reading);
    });
    QVERIFY(waitUntil([&] { return started.load(); }));
    std::optional<std::uint32_t> second;
    std::thread b([&] { second = cache.crcOf(fileInfo(11), [] { return std::optional<std::uint32_t>(8); }, &waiting); });
    QVERIFY(waitUntil([&] { return cache.waiting() == 1; }));
    // The reader's disk answers after the waiter began: the waiter takes that on.
    const auto answered = ferry::DiskProgress::Clock::now();
    reading.mark();
    QVERIFY(waitUntil([&] { return waiting.last() >= answered; }));
    gate.release();
    a.join();
    b.join();
    QCOMPARE(second, std::optional<std::uint32_t>(7));
  }
};

QTEST_GUILESS_MAIN(TestCrcCache)
#include "tst_crc_cache.moc"
