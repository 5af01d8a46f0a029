// EventLoop, end to end on real sockets, once per poller backend.
//
// Every test runs the loop on its own thread (LoopThread) and asserts from
// the test thread, after the loop has been stopped and joined, on state that
// only the loop thread wrote. Bounds on time are generous on purpose: this
// suite must pass on a busy two-core machine; latencies are printed, and the
// real numbers live in tests/bench/bench_loop.cpp.

#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <csignal>
#include <ctime>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#endif

#include "event_loop.h"
#include "loop_thread.h"
#include "pollers.h"
#include "socket.h"
#include "socket_pair.h"

using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
using ferry::EventLoop;
using ferry::NativeSocket;

using ferry::test::drain;
using ferry::test::LoopThread;
using ferry::test::SocketPair;
using ferry::test::waitUntil;
using ferry::test::writeByte;
#ifndef _WIN32
using ferry::test::cpuTimeOf;
#endif

long long micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

#ifndef _WIN32
std::atomic<int> g_signals{0};
extern "C" void countSignal(int) { g_signals.fetch_add(1, std::memory_order_relaxed); }
#endif

}  // namespace

class TestEventLoop final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase_data() { ferry::test::addPollerRows(); }

  void initTestCase() {
#ifndef _WIN32
    // manySocketsReportExactlyTheReadyOnes needs ~2,000 descriptors; some
    // distributions still default the soft limit to 1,024.
    rlimit rl{};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = rl.rlim_max;
    QVERIFY(setrlimit(RLIMIT_NOFILE, &rl) == 0);
#endif
  }

  void stopWakesIdleLoop() {
    auto loop = ferry::EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<bool> returned{false};
    Clock::time_point returnedAt;
    std::thread t([&] {
      loop->run();
      returnedAt = Clock::now();
      returned = true;
    });
    std::this_thread::sleep_for(100ms);
    QVERIFY(!returned);
    auto t0 = Clock::now();
    loop->stop();
    bool prompt = waitUntil([&] { return returned.load(); }, 5s);
    if (!prompt) loop->post([] {});  // rescue the thread so the failure is reported, not hung
    t.join();
    QVERIFY2(prompt, "stop() did not wake a loop blocked in wait()");
    qInfo("stop() -> run() returned in %lld us", micros(returnedAt - t0));
  }

  // The waker is what makes post() prompt: with no fds and no timers the loop
  // sleeps in wait(-1), and only the waker's READ readiness can end that.
  void postWakesIdleLoop() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<bool> ran{false};
    std::atomic<bool> onLoopThread{false};
    Clock::time_point ranAt;
    std::vector<long long> samples;
    LoopThread lt(*loop);
    for (int i = 0; i < 20; ++i) {
      // Long enough for the loop to be blocked in wait() when the post lands.
      std::this_thread::sleep_for(i == 0 ? 100ms : 10ms);
      ran = false;
      auto t0 = Clock::now();
      loop->post([&] {
        ranAt = Clock::now();
        onLoopThread = std::this_thread::get_id() == lt.id();
        ran = true;
      });
      QVERIFY2(waitUntil([&] { return ran.load(); }, 5s), "a post() to an idle loop never ran");
      QVERIFY(onLoopThread);
      samples.push_back(micros(ranAt - t0));
    }
    QVERIFY(!lt.returned());
    std::sort(samples.begin(), samples.end());
    qInfo("post() -> fn ran on idle loop: median %lld us, max %lld us (%zu samples)", samples[samples.size() / 2],
          samples.back(), samples.size());
  }

  // A burst of wakes (posts from two threads, timers, repeated stop()s) must
  // coalesce: afterwards the loop blocks again instead of finding the waker
  // still readable and spinning.
  void wakesCoalesceAndLoopGoesBackToSleep() {
#ifdef _WIN32
    QSKIP("measures thread CPU time with pthread_getcpuclockid");
#else
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    constexpr int kPerThread = 20000;
    std::atomic<int> posted{0};
    std::atomic<int> timersFired{0};
    {
      LoopThread lt(*loop);
      std::thread producers[2];
      for (auto& p : producers)
        p = std::thread([&] {
          for (int i = 0; i < kPerThread; ++i) loop->post([&] { posted.fetch_add(1, std::memory_order_relaxed); });
        });
      loop->post([&] {
        for (int i = 0; i < 200; ++i) loop->runAfter(std::chrono::milliseconds(i % 5), [&] { ++timersFired; });
      });
      for (auto& p : producers) p.join();
      QVERIFY(waitUntil([&] { return posted == 2 * kPerThread && timersFired == 200; }));

      // Idle now: no timers, no pending posts. A loop that keeps finding its
      // waker readable would burn a core here.
      std::this_thread::sleep_for(20ms);
      auto cpu0 = cpuTimeOf(lt.handle());
      auto wall0 = Clock::now();
      std::this_thread::sleep_for(300ms);
      auto cpu = cpuTimeOf(lt.handle()) - cpu0;
      auto wall = Clock::now() - wall0;
      qInfo("idle loop after a burst: %lld us CPU in %lld us", micros(cpu), micros(wall));
      QVERIFY2(cpu < wall / 4, "the loop spins while idle: a wake-up was left pending");
      QVERIFY(!lt.returned());
    }

    // Many stop()s while the loop is not running: the next run() returns at
    // once (documented), the one after blocks as usual and sleeps.
    for (int i = 0; i < 1000; ++i) loop->stop();
    {
      LoopThread lt(*loop);
      QVERIFY2(waitUntil([&] { return lt.returned(); }, 5s), "run() after stop() did not return at once");
    }
    {
      LoopThread lt(*loop);
      std::this_thread::sleep_for(50ms);
      auto cpu0 = cpuTimeOf(lt.handle());
      auto wall0 = Clock::now();
      std::this_thread::sleep_for(300ms);
      auto cpu = cpuTimeOf(lt.handle()) - cpu0;
      auto wall = Clock::now() - wall0;
      qInfo("idle loop after 1000 stop()s: %lld us CPU in %lld us", micros(cpu), micros(wall));
      QVERIFY2(!lt.returned(), "stop() calls coalesced into more than one return");
      QVERIFY2(cpu < wall / 4, "the loop spins while idle after repeated stop()s");
      std::atomic<bool> ran{false};
      loop->post([&] { ran = true; });
      QVERIFY(waitUntil([&] { return ran.load(); }));
      lt.join();
    }
#endif
  }

  void postFromManyThreadsRunsEachOnceInFifoOrder() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 100000;
    // Written only on the loop thread, read after it is joined.
    std::vector<std::vector<int>> seen(kThreads);
    for (auto& s : seen) s.reserve(kPerThread);
    std::atomic<bool> done{false};
    {
      LoopThread lt(*loop);
      std::vector<std::thread> producers;
      for (int t = 0; t < kThreads; ++t)
        producers.emplace_back([&, t] {
          for (int i = 0; i < kPerThread; ++i) loop->post([&seen, t, i] { seen[t].push_back(i); });
        });
      for (auto& p : producers) p.join();
      loop->post([&] { done = true; });
      QVERIFY(waitUntil([&] { return done.load(); }, 30s));
    }
    for (int t = 0; t < kThreads; ++t) {
      QCOMPARE(seen[t].size(), std::size_t(kPerThread));
      for (int i = 0; i < kPerThread; ++i) {
        if (seen[t][i] != i)
          QFAIL(qPrintable(QStringLiteral("thread %1: position %2 ran item %3").arg(t).arg(i).arg(seen[t][i])));
      }
    }
  }

  void timersFireInDeadlineOrder() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    QStringList order;  // loop thread only
    QStringList early;  // timers that fired before their deadline
    std::atomic<bool> done{false};
    auto add = [&](std::chrono::milliseconds delay, QString tag) {
      // The real deadline is at least this: a timer seen before it is early.
      auto notBefore = Clock::now() + delay;
      loop->runAfter(delay, [&, tag, notBefore] {
        order << tag;
        if (Clock::now() < notBefore) early << tag;
      });
    };
    // Added out of order, 40 ms apart so that a descheduled test thread
    // cannot swap two deadlines while adding them.
    add(120ms, "c");
    add(40ms, "a");
    add(80ms, "b");
    add(0ms, "0");
    // Equal delays: deadlines are equal or increasing in the order added, so
    // the heap's tie-break must keep insertion order.
    QStringList expected{"0", "a", "b", "c"};
    for (int i = 0; i < 50; ++i) {
      add(160ms, QString("e%1").arg(i));
      expected << QString("e%1").arg(i);
    }
    // A zero-delay timer added by a callback runs after the ones already due.
    loop->runAfter(200ms, [&] {
      order << "x";
      loop->runAfter(0ms, [&] { order << "z"; done = true; });
      order << "y";
    });
    expected << "x" << "y" << "z";
    {
      LoopThread lt(*loop);
      QVERIFY(waitUntil([&] { return done.load(); }));
    }
    QCOMPARE(order, expected);
    QVERIFY2(early.isEmpty(), qPrintable("fired before deadline: " + early.join(' ')));
  }

  void cancelFromInsideCallback() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<int> ranA{0}, ranB{0}, ranK{0}, ranLong{0}, ticks{0};
    EventLoop::TimerId a = 0, b = 0, periodic = 0;
    std::vector<EventLoop::TimerId> longOnes;
    // Enough long timers that cancelling them compacts the heap while
    // runTimers() is walking it.
    for (int i = 0; i < 200; ++i) longOnes.push_back(loop->runAfter(10s, [&] { ++ranLong; }));
    a = loop->runAfter(1ms, [&] {
      ++ranA;
      loop->cancel(a);  // its own id, while running: a no-op
      loop->cancel(b);  // another timer already due in this iteration
      for (auto id : longOnes) loop->cancel(id);
      loop->cancel(123456789);  // unknown ids are ignored
    });
    b = loop->runAfter(2ms, [&] { ++ranB; });
    loop->runAfter(3ms, [&] { ++ranK; });  // due too, never cancelled
    periodic = loop->runEvery(1ms, [&] {
      if (++ticks == 3) loop->cancel(periodic);
    });
    // Let every short timer become overdue before the loop starts, so A, B
    // and K are all due in the same (first) iteration.
    std::this_thread::sleep_for(20ms);
    {
      LoopThread lt(*loop);
      QVERIFY(waitUntil([&] { return ranA == 1 && ranK == 1 && ticks >= 3; }));
      std::this_thread::sleep_for(100ms);  // room for anything that should not happen
    }
    QCOMPARE(ranA.load(), 1);
    QCOMPARE(ranB.load(), 0);
    QCOMPARE(ranK.load(), 1);
    QCOMPARE(ranLong.load(), 0);
    QCOMPARE(ticks.load(), 3);
  }

  void runEveryRepeatsAndCancelsItself() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<int> every10{0}, selfCancel{0};
    EventLoop::TimerId self = 0;
    const auto t0 = Clock::now();  // before the first deadline is computed
    loop->runEvery(10ms, [&] { ++every10; });
    self = loop->runEvery(5ms, [&] {
      if (++selfCancel == 5) loop->cancel(self);
    });
    int inWindow = 0;
    {
      LoopThread lt(*loop);
      std::this_thread::sleep_for(300ms);
      inWindow = every10;
      auto window = Clock::now() - t0;
      qInfo("runEvery(10ms): %d ticks in %lld ms", inWindow, micros(window) / 1000);
      // 30 expected. The period is re-armed from the last deadline and missed
      // ticks are skipped, so there can never be more than window/10ms + 1.
      QVERIFY2(inWindow >= 10, "a periodic timer stopped repeating");
      QVERIFY2(inWindow <= micros(window) / 10000 + 1, "a periodic timer fired faster than its period");
      std::this_thread::sleep_for(50ms);
    }
    QCOMPARE(selfCancel.load(), 5);
  }

  // A zero-delay timer that re-arms itself, and a posted function that
  // re-posts itself, each run once per iteration: I/O and other posts still
  // get their turn within a few links of the chain, not after it ends.
  void selfReschedulingWorkDoesNotStarveIo() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    constexpr int kLinks = 20000;
    SocketPair timerSock, postSock;
    QVERIFY(timerSock.ok() && postSock.ok());
    // Written on the loop thread only; -1 = never happened.
    int timerLinks = 0, postLinks = 0;
    int postSeenAtTimerLink = -1, ioSeenAtTimerLink = -1, ioSeenAtPostLink = -1;
    std::atomic<bool> done{false};
    std::function<void()> timerLink = [&] {
      if (++timerLinks < kLinks) loop->runAfter(0ms, timerLink);
    };
    std::function<void()> postLink = [&] {
      if (++postLinks == 5) writeByte(postSock.fd[1]);  // I/O becomes ready mid-chain
      if (postLinks < kLinks) loop->post(postLink);
      else done = true;
    };
    QVERIFY(!loop->watch(timerSock.fd[0], ferry::kReadable, [&](std::uint8_t) {
      drain(timerSock.fd[0]);
      ioSeenAtTimerLink = timerLinks;
    }));
    QVERIFY(!loop->watch(postSock.fd[0], ferry::kReadable, [&](std::uint8_t) {
      drain(postSock.fd[0]);
      ioSeenAtPostLink = postLinks;
    }));
    loop->runAfter(0ms, timerLink);
    loop->runAfter(0ms, [&] {
      // Ready from the second timer link on.
      writeByte(timerSock.fd[1]);
      loop->post([&] { postSeenAtTimerLink = timerLinks; });
    });
    loop->post(postLink);
    {
      LoopThread lt(*loop);
      QVERIFY(waitUntil([&] { return done.load(); }, 20s));
    }
    qInfo("timer chain: post ran at link %d, I/O at link %d; post chain: I/O at link %d", postSeenAtTimerLink,
          ioSeenAtTimerLink, ioSeenAtPostLink);
    QVERIFY2(postSeenAtTimerLink >= 1 && postSeenAtTimerLink <= 3, "a re-arming timer starved posted work");
    QVERIFY2(ioSeenAtTimerLink >= 1 && ioSeenAtTimerLink <= 3, "a re-arming timer starved I/O");
    QVERIFY2(ioSeenAtPostLink >= 5 && ioSeenAtPostLink <= 7, "a re-posting function starved I/O");
    loop->unwatch(timerSock.fd[0]);
    loop->unwatch(postSock.fd[0]);
  }

  // Both fds are ready in the same wait(); whichever handler runs first
  // unwatches the other, whose event must then be dropped.
  void firstHandlerUnwatchesSecond() {
    for (int round = 0; round < 2; ++round) {
      auto loop = EventLoop::create(ferry::test::currentPoller());
      QVERIFY(loop);
      SocketPair p[2];
      QVERIFY(p[0].ok() && p[1].ok());
      std::atomic<int> calls[2] = {0, 0};
      // Swap registration and write order in the second round, so both
      // orders a backend may report them in are exercised.
      int first = round, second = 1 - round;
      for (int i : {first, second}) {
        int other = 1 - i;
        QVERIFY(!loop->watch(p[i].fd[0], ferry::kReadable, [&, i, other](std::uint8_t) {
          ++calls[i];
          drain(p[i].fd[0]);
          loop->unwatch(p[other].fd[0]);
        }));
      }
      QVERIFY(writeByte(p[first].fd[1]));
      QVERIFY(writeByte(p[second].fd[1]));
      {
        LoopThread lt(*loop);
        QVERIFY(waitUntil([&] { return calls[0] + calls[1] > 0; }));
        std::this_thread::sleep_for(50ms);
      }
      QCOMPARE(calls[0] + calls[1], 1);
      int winner = calls[0] ? 0 : 1;
      QVERIFY(loop->watching(p[winner].fd[0]));
      QVERIFY(!loop->watching(p[1 - winner].fd[0]));
      loop->unwatch(p[winner].fd[0]);
    }
  }

  // The owner is supposed to unwatch before closing; this is what happens
  // when it does not. poll() reports POLLNVAL for the dead number (the
  // handler is called and must unwatch); epoll forgets the registration in
  // the kernel when the last reference to the file closes, so the handler
  // is never called. Either way the loop survives, unwatch() works, and the
  // number, once reused by a new socket, can be watched again.
  void fdClosedWhileRegistered() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    const bool pollReportsClosedFds = loop->pollerName() != "epoll";
    auto oldPair = std::make_unique<SocketPair>();
    QVERIFY(oldPair->ok());
    const NativeSocket number = oldPair->fd[0];
    std::atomic<int> oldCalls{0}, oldEvents{0}, newCalls{0}, timerRan{0};
    std::atomic<bool> stillWatched{true};
    std::unique_ptr<SocketPair> newPair;
    NativeSocket reused = ferry::kInvalidSocket, reusedPeer = ferry::kInvalidSocket;
    QVERIFY(!loop->watch(number, ferry::kReadable, [&](std::uint8_t ev) {
      ++oldCalls;
      oldEvents |= ev;
      loop->unwatch(number);  // what a handler does when its read() fails
    }));
    {
      LoopThread lt(*loop);
      loop->post([&] { oldPair->close(0); });
      if (pollReportsClosedFds) {
        QVERIFY2(waitUntil([&] { return oldCalls > 0; }), "handler of a closed fd was never called");
      } else {
        std::this_thread::sleep_for(100ms);
      }
      std::atomic<bool> rewatched{false};
      std::error_code watchError;
      loop->post([&] {
        loop->unwatch(number);  // no-op when the handler already did it
        stillWatched = loop->watching(number);
        newPair = std::make_unique<SocketPair>();
        // Lowest free number first (POSIX): one end of the new pair is the
        // old number. Watch that end.
        int end = newPair->fd[0] == number ? 0 : 1;
        reused = newPair->fd[end];
        reusedPeer = newPair->fd[1 - end];
        watchError = loop->watch(reused, ferry::kReadable, [&](std::uint8_t) {
          ++newCalls;
          drain(reused);
        });
        rewatched = true;
      });
      QVERIFY(waitUntil([&] { return rewatched.load(); }));
      QVERIFY2(!watchError, watchError.message().c_str());
      QVERIFY(!stillWatched);
      QVERIFY(newPair->ok());
#ifndef _WIN32
      QCOMPARE(reused, number);
#endif
      QVERIFY(writeByte(reusedPeer));
      QVERIFY2(waitUntil([&] { return newCalls == 1; }), "a socket reusing the number was not reported");
      loop->post([&] { loop->runAfter(1ms, [&] { ++timerRan; }); });
      QVERIFY2(waitUntil([&] { return timerRan == 1; }), "loop stopped working after the close");
      std::this_thread::sleep_for(20ms);
    }
    if (pollReportsClosedFds) {
      QCOMPARE(oldCalls.load(), 1);
      // readable|writable masked by the interest; kHangup whatever it is
      QCOMPARE(oldEvents.load(), int(ferry::kReadable | ferry::kHangup));
    } else {
      QCOMPARE(oldCalls.load(), 0);
    }
    QCOMPARE(newCalls.load(), 1);
    loop->unwatch(reused);
  }

  // A handler closes another fd that is ready in the same batch and a new
  // socket takes its number at once: the stale event in the batch belongs to
  // the old socket and must not reach the new watch.
  void reusedNumberGetsNoStaleEvent() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    SocketPair p[2];
    QVERIFY(p[0].ok() && p[1].ok());
    std::atomic<int> calls[2] = {0, 0};
    std::atomic<int> staleCalls{0}, freshCalls{0};
    std::unique_ptr<SocketPair> fresh;
    NativeSocket freshEnd = ferry::kInvalidSocket, freshPeer = ferry::kInvalidSocket;
    NativeSocket closedNumber = ferry::kInvalidSocket;
    std::atomic<bool> replaced{false};
    for (int i : {0, 1}) {
      int other = 1 - i;
      QVERIFY(!loop->watch(p[i].fd[0], ferry::kReadable, [&, i, other](std::uint8_t) {
        ++calls[i];
        drain(p[i].fd[0]);
        if (replaced) return;
        // The owner's correct teardown: unwatch, then close.
        NativeSocket number = closedNumber = p[other].fd[0];
        loop->unwatch(number);
        p[other].close(0);
        fresh = std::make_unique<SocketPair>();
        int end = fresh->fd[0] == number ? 0 : 1;
        freshEnd = fresh->fd[end];
        freshPeer = fresh->fd[1 - end];
        loop->watch(freshEnd, ferry::kReadable, [&](std::uint8_t) {
          // Called with nothing to read: the old socket's event leaked in.
          if (drain(freshEnd) == 0)
            ++staleCalls;
          else
            ++freshCalls;
        });
        replaced = true;
      }));
    }
    QVERIFY(writeByte(p[0].fd[1]));
    QVERIFY(writeByte(p[1].fd[1]));
    {
      LoopThread lt(*loop);
      QVERIFY(waitUntil([&] { return replaced.load(); }));
      std::this_thread::sleep_for(50ms);
      QVERIFY(writeByte(freshPeer));
      QVERIFY(waitUntil([&] { return freshCalls == 1; }));
      std::this_thread::sleep_for(20ms);
    }
    QCOMPARE(calls[0] + calls[1], 1);
#ifndef _WIN32
    QCOMPARE(freshEnd, closedNumber);  // the scenario really reused the number
#endif
    QCOMPARE(staleCalls.load(), 0);
    QCOMPARE(freshCalls.load(), 1);
  }

  // A signal interrupts the blocking wait with EINTR (no SA_RESTART; epoll_wait
  // and poll are never restarted anyway). The loop must treat it as an empty
  // iteration: keep running, keep its timers, and still obey stop().
  void signalInterruptsWaitHarmlessly() {
#ifdef _WIN32
    QSKIP("POSIX signals");
#else
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    struct sigaction sa {}, old {};
    sa.sa_handler = countSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART
    QVERIFY(sigaction(SIGUSR1, &sa, &old) == 0);
    // Restored after the loop thread is joined (declared before it), even
    // when a check fails half-way.
    struct Restore {
      struct sigaction* old;
      ~Restore() { sigaction(SIGUSR1, old, nullptr); }
    } restore{&old};
    g_signals = 0;

    std::atomic<bool> timerFired{false}, early{false}, posted{false};
    auto notBefore = Clock::now() + 300ms;
    loop->runAfter(300ms, [&] {
      early = Clock::now() < notBefore;
      timerFired = true;
    });
    constexpr int kSignals = 10;
    {
      LoopThread lt(*loop);
      std::this_thread::sleep_for(30ms);
      for (int i = 0; i < kSignals; ++i) {
        // One at a time: a standard signal sent while another is still
        // pending is merged into it.
        pthread_kill(lt.handle(), SIGUSR1);
        QVERIFY(waitUntil([&] { return g_signals == i + 1; }));
        std::this_thread::sleep_for(10ms);  // back to blocking in wait()
      }
      QVERIFY2(!lt.returned(), "a signal made run() return");
      QVERIFY2(waitUntil([&] { return timerFired.load(); }), "the timer pending across signals never fired");
      QVERIFY2(!early, "a signal made a timer fire before its deadline");
      // Idle again with nothing scheduled: interrupt that wait(-1) too.
      pthread_kill(lt.handle(), SIGUSR1);
      QVERIFY(waitUntil([&] { return g_signals == kSignals + 1; }));
      loop->post([&] { posted = true; });
      QVERIFY(waitUntil([&] { return posted.load(); }));
      loop->stop();
      QVERIFY2(waitUntil([&] { return lt.returned(); }), "stop() ignored after a signal");
    }
#endif
  }

  void runAgainAfterStop() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<int> ticks{0}, firstRunPosts{0}, secondRunPosts{0}, betweenTimer{0};
    loop->runEvery(5ms, [&] { ++ticks; });
    {
      LoopThread lt(*loop);
      loop->post([&] { ++firstRunPosts; });
      QVERIFY(waitUntil([&] { return firstRunPosts == 1 && ticks >= 2; }));
      loop->post([&] { loop->stop(); });  // a stop from inside the loop
      QVERIFY(waitUntil([&] { return lt.returned(); }));
    }
    // Not running: the holding thread may set up again.
    loop->runAfter(10ms, [&] { ++betweenTimer; });
    int ticksBefore = ticks;
    {
      LoopThread lt(*loop);
      std::this_thread::sleep_for(50ms);
      QVERIFY2(!lt.returned(), "the second run() returned by itself");
      loop->post([&] { ++secondRunPosts; });
      QVERIFY(waitUntil([&] { return secondRunPosts == 1 && betweenTimer == 1 && ticks >= ticksBefore + 3; }));
      auto t0 = Clock::now();
      loop->stop();
      QVERIFY(waitUntil([&] { return lt.returned(); }));
      qInfo("second run: stop() -> return in %lld us", micros(Clock::now() - t0));
    }
    QCOMPARE(firstRunPosts.load(), 1);
    QCOMPARE(secondRunPosts.load(), 1);
    QCOMPARE(betweenTimer.load(), 1);
  }

  void manySocketsReportExactlyTheReadyOnes() {
    auto loop = EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    constexpr int kPairs = 1000;
    std::vector<std::unique_ptr<SocketPair>> pairs;
    std::vector<std::atomic<int>> hits(kPairs);
    for (int i = 0; i < kPairs; ++i) {
      pairs.push_back(std::make_unique<SocketPair>());
      QVERIFY2(pairs.back()->ok(), "socketpair failed: raise the descriptor limit");
      QVERIFY(!loop->watch(pairs[i]->fd[0], ferry::kReadable, [&, i](std::uint8_t ev) {
        if (ev & ferry::kReadable) ++hits[i];
        drain(pairs[i]->fd[0]);
      }));
    }
    std::mt19937 rng(20240607);
    LoopThread lt(*loop);
    for (int round = 0; round < 3; ++round) {
      for (auto& h : hits) h = 0;
      std::vector<int> all(kPairs);
      for (int i = 0; i < kPairs; ++i) all[i] = i;
      std::shuffle(all.begin(), all.end(), rng);
      std::set<int> chosen(all.begin(), all.begin() + 1 + static_cast<int>(rng() % 300));
      for (int i : chosen) QVERIFY(writeByte(pairs[i]->fd[1]));
      int want = static_cast<int>(chosen.size());
      auto total = [&] {
        int n = 0;
        for (auto& h : hits) n += h;
        return n;
      };
      QVERIFY(waitUntil([&] { return total() >= want; }));
      std::this_thread::sleep_for(50ms);  // room for spurious reports
      for (int i = 0; i < kPairs; ++i) {
        int expected = chosen.count(i) ? 1 : 0;
        if (hits[i] != expected)
          QFAIL(qPrintable(QStringLiteral("round %1, pair %2: reported %3 times, expected %4")
                               .arg(round).arg(i).arg(hits[i].load()).arg(expected)));
      }
    }
    lt.join();
    for (auto& p : pairs) loop->unwatch(p->fd[0]);
  }
};

QTEST_GUILESS_MAIN(TestEventLoop)
#include "tst_event_loop.moc"
