// EventLoop when something goes wrong, once per poller backend: an fd that
// hangs up while its handler listens for nothing. The loop must tell the
// handler, and not spin.

#include <QTest>

#include <atomic>
#include <chrono>
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
};

QTEST_GUILESS_MAIN(TestLoopFailures)
#include "tst_loop_failures.moc"
