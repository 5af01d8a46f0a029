// The work pool's lanes: however many pictures are being decoded, disk work
// (a download's open) still gets a thread at once; media jobs never run on
// more threads than their lane allows; every job is run and handed back.

#include <QTest>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "loop_thread.h"
#include "work_pool.h"

using namespace ferry;
using ferry::test::LoopThread;
using ferry::test::waitUntil;

namespace {

// A job that blocks in run() until the test opens the gate.
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

struct Counting final : WorkPool::Job {
  Counting(Gate* g, std::atomic<int>& running, std::atomic<int>& peak, std::atomic<int>& done)
      : gate(g), running(running), peak(peak), doneCount(done) {}
  void run() override {
    const int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    if (gate) gate->wait();
    --running;
  }
  void done(bool) override { ++doneCount; }
  Gate* gate;
  std::atomic<int>& running;
  std::atomic<int>& peak;
  std::atomic<int>& doneCount;
};

}  // namespace

class TestWorkPoolLanes : public QObject {
  Q_OBJECT

 private slots:
  void diskWorkPassesBusyMediaThreads() {
    auto loop = EventLoop::create();
    QVERIFY(loop);
    Gate gate;
    std::atomic<int> mediaRunning{0}, mediaPeak{0}, mediaDone{0};
    std::atomic<int> diskRunning{0}, diskPeak{0}, diskDone{0};
    std::vector<std::unique_ptr<Counting>> media, disk;
    for (int i = 0; i < 6; ++i) media.push_back(std::make_unique<Counting>(&gate, mediaRunning, mediaPeak, mediaDone));
    for (int i = 0; i < 3; ++i) disk.push_back(std::make_unique<Counting>(nullptr, diskRunning, diskPeak, diskDone));
    {
      WorkPool pool(*loop, 4);  // media: half, two threads
      QCOMPARE(pool.mediaThreads(), 2u);
      LoopThread thread(*loop);
      loop->post([&] {
        for (auto& j : media) pool.submit(*j, WorkPool::Lane::kMedia);
      });
      QVERIFY(waitUntil([&] { return mediaRunning.load() == 2; }));
      // Six pictures waiting on two busy threads: an open still runs now.
      loop->post([&] {
        for (auto& j : disk) pool.submit(*j);
      });
      QVERIFY(waitUntil([&] { return diskDone.load() == 3; }));
      QCOMPARE(mediaRunning.load(), 2);
      QCOMPARE(mediaDone.load(), 0);
      gate.release();
      QVERIFY(waitUntil([&] { return mediaDone.load() == 6; }));
      QCOMPARE(mediaPeak.load(), 2);  // never more than the lane
      thread.join();
    }
  }

  void picturesDoNotTakeTheirDisksShare() {
    // Two pictures of one disk being decoded (helpers bounded by their time
    // limit) leave that disk's share to its opens: the next pictures' opens
    // run meanwhile, so the lane never waits for them.
    auto loop = EventLoop::create();
    QVERIFY(loop);
    constexpr std::uint64_t kDisk = 42;
    Gate mediaGate, diskGate;
    std::atomic<int> mediaRunning{0}, mediaPeak{0}, mediaDone{0};
    std::atomic<int> diskRunning{0}, diskPeak{0}, diskDone{0};
    std::vector<std::unique_ptr<Counting>> media, disk;
    for (int i = 0; i < 2; ++i) media.push_back(std::make_unique<Counting>(&mediaGate, mediaRunning, mediaPeak, mediaDone));
    for (int i = 0; i < 4; ++i) disk.push_back(std::make_unique<Counting>(&diskGate, diskRunning, diskPeak, diskDone));
    {
      WorkPool pool(*loop, 4);
      QCOMPARE(pool.perDevice(), 2u);
      LoopThread thread(*loop);
      loop->post([&] {
        for (auto& j : media) pool.submit(*j, WorkPool::Lane::kMedia, kDisk);
      });
      QVERIFY(waitUntil([&] { return mediaRunning.load() == 2; }));
      loop->post([&] {
        for (auto& j : disk) pool.submit(*j, WorkPool::Lane::kDisk, kDisk);
      });
      // The disk's share of disk work (two) runs beside the two pictures,
      // and no more: a hung disk still leaves the rest of the pool.
      QVERIFY(waitUntil([&] { return diskRunning.load() == 2; }));
      QTest::qWait(50);
      QCOMPARE(diskRunning.load(), 2);
      diskGate.release();
      mediaGate.release();
      QVERIFY(waitUntil([&] { return diskDone.load() == 4 && mediaDone.load() == 2; }));
      QCOMPARE(diskPeak.load(), 2);
      thread.join();
    }
  }

  void aPoolOfOneThreadRunsBothLanes() {
    auto loop = EventLoop::create();
    QVERIFY(loop);
    std::atomic<int> running{0}, peak{0}, done{0};
    Counting m(nullptr, running, peak, done), d(nullptr, running, peak, done);
    WorkPool pool(*loop, 1);
    LoopThread thread(*loop);
    loop->post([&] {
      pool.submit(m, WorkPool::Lane::kMedia);
      pool.submit(d);
    });
    QVERIFY(waitUntil([&] { return done.load() == 2; }));
    thread.join();
  }
};

QTEST_GUILESS_MAIN(TestWorkPoolLanes)
#include "tst_work_pool_lanes.moc"
