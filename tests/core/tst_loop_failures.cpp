// EventLoop when something goes wrong, once per poller backend: an fd that
// hangs up while its handler listens for nothing, and callbacks that throw
// (a posted function, a periodic timer, an I/O handler). The loop must go
// on, keep every other promise, and neither spin nor run anything twice.

#include <QTest>

#include <atomic>
#include <chrono>
#include <new>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "event_loop.h"
#include "loop_thread.h"
#include "pollers.h"
#include "socket.h"
#include "socket_pair.h"

using namespace std::chrono_literals;

namespace {

using ferry::EventLoop;
using ferry::test::drain;
using ferry::test::LoopThread;
using ferry::test::SocketPair;
using ferry::test::waitUntil;
using ferry::test::writeByte;

}  // namespace

class TestLoopFailures final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase_data() { ferry::test::addPollerRows(); }

  // A connection waiting with no interest (its read side at EOF, its next
  // write held back by the rate limiter) whose peer resets: the handler
  // hears of it at once, and once it has let go of the fd the loop sleeps.
  void hangupReachesHandlerWithNoInterest() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    if (loop->pollerName() == "kqueue") QSKIP("kqueue keeps no filter for kNone: nothing to report");
    SocketPair s;
    QVERIFY(s.ok());
    std::atomic<int> calls{0};
    std::atomic<std::uint8_t> seen{0};
    QVERIFY(!loop->watch(s.fd[0], ferry::kNone, [&](std::uint8_t ev) {
      ++calls;
      seen = ev;
      loop->unwatch(s.fd[0]);
    }));
    LoopThread lt(*loop);
    std::this_thread::sleep_for(20ms);
    QCOMPARE(calls.load(), 0);  // silent while the peer is there
    s.close(1);
    QVERIFY2(waitUntil([&] { return calls > 0; }), "a hang-up with no interest never reached the handler");
#ifndef _WIN32
    const auto cpu0 = ferry::test::cpuTimeOf(lt.handle());
    std::this_thread::sleep_for(300ms);
    const auto cpu = ferry::test::cpuTimeOf(lt.handle()) - cpu0;
    qInfo("loop thread after the hang-up: %lld us of CPU in 300 ms",
          static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(cpu).count()));
    QVERIFY2(cpu < 100ms, "the loop spins after the hang-up");
#endif
    lt.join();
    QCOMPARE(calls.load(), 1);
    QCOMPARE(seen.load(), std::uint8_t(ferry::kHangup));
  }

  // Posted functions leave the queue before they run: one that throws runs
  // once, the ones after it in the same batch still run, and running the
  // loop again later runs none of them again.
  void throwingPostedFunctionRunsOnce() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<int> thrower{0}, before{0}, after{0}, later{0};
    loop->post([&] { ++before; });
    loop->post([&] {
      ++thrower;
      throw std::runtime_error("posted function fails");
    });
    loop->post([&] { ++after; });
    {
      LoopThread lt(*loop);
      QVERIFY2(waitUntil([&] { return after == 1; }), "the functions posted after a throwing one never ran");
      loop->post([&] { ++later; });
      QVERIFY(waitUntil([&] { return later == 1; }));
      QVERIFY2(!lt.returned(), "run() returned after a posted function threw");
    }
    {
      LoopThread again(*loop);
      std::this_thread::sleep_for(50ms);
    }
    QCOMPARE(before.load(), 1);
    QCOMPARE(thrower.load(), 1);
    QCOMPARE(after.load(), 1);
    QCOMPARE(later.load(), 1);
  }

  // A periodic timer that throws every time stays scheduled; a one-shot
  // that throws is gone; other timers keep their times.
  void throwingTimersKeepTheirSchedule() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<int> throwingTicks{0}, otherTicks{0}, oneShot{0}, afterOneShot{0};
    loop->runEvery(5ms, [&] {
      ++throwingTicks;
      throw std::bad_alloc();
    });
    loop->runEvery(5ms, [&] { ++otherTicks; });
    loop->runAfter(10ms, [&] {
      ++oneShot;
      throw std::runtime_error("one-shot timer fails");
    });
    loop->runAfter(30ms, [&] { ++afterOneShot; });
    {
      LoopThread lt(*loop);
      QVERIFY2(waitUntil([&] { return throwingTicks >= 10 && otherTicks >= 10 && afterOneShot == 1; }),
               "a throwing timer stopped the timers");
      QVERIFY(!lt.returned());
    }
    QCOMPARE(oneShot.load(), 1);
    QCOMPARE(afterOneShot.load(), 1);
  }

  // An I/O handler that throws loses its watch (its fd is still ready and
  // would make it throw at every iteration), and its owner is told why;
  // every other fd goes on being served.
  void throwingIoHandlerIsUnwatchedAndItsOwnerTold() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    SocketPair bad, good;
    QVERIFY(bad.ok() && good.ok());
    std::atomic<int> badCalls{0}, failures{0}, goodCalls{0};
    std::error_code cause;  // written on the loop thread, read after the join
    QVERIFY(!loop->watch(
        bad.fd[0], ferry::kReadable,
        [&](std::uint8_t) {
          ++badCalls;
          throw std::bad_alloc();
        },
        [&](std::error_code ec) {
          cause = ec;
          ++failures;
        }));
    QVERIFY(!loop->watch(good.fd[0], ferry::kReadable, [&](std::uint8_t) {
      drain(good.fd[0]);
      ++goodCalls;
    }));
    std::atomic<bool> stillWatched{true};
    {
      LoopThread lt(*loop);
      QVERIFY(writeByte(bad.fd[1]));
      QVERIFY(waitUntil([&] { return failures == 1; }));
      for (int i = 1; i <= 3; ++i) {
        QVERIFY(writeByte(good.fd[1]));
        QVERIFY2(waitUntil([&] { return goodCalls == i; }), "another fd stopped being served");
      }
      loop->post([&] { stillWatched = loop->watching(bad.fd[0]); });
      QVERIFY(waitUntil([&] { return !stillWatched; }));
    }
    QCOMPARE(badCalls.load(), 1);
    QCOMPARE(failures.load(), 1);
    QVERIFY(cause == std::errc::not_enough_memory);
    loop->unwatch(good.fd[0]);
  }
};

QTEST_GUILESS_MAIN(TestLoopFailures)
#include "tst_loop_failures.moc"
