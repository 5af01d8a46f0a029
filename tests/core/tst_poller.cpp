// Poller, the seam below EventLoop, once per backend: what one wait() reports
// after any sequence of add / modify / remove, normalised hang-ups, timeouts,
// EINTR, and descriptors closed while registered.

#include <QTest>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <csignal>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#endif

#include "poller.h"
#include "pollers.h"
#include "socket.h"
#include "socket_pair.h"

using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
using ferry::NativeSocket;
using ferry::Poller;

using ferry::test::drain;
using ferry::test::SocketPair;
using ferry::test::writeByte;

// One wait() as a map fd -> events; fails the test on duplicates.
std::map<NativeSocket, std::uint8_t> waitOnce(Poller& p, int timeoutMs, std::error_code* ec = nullptr) {
  std::vector<ferry::PollEvent> out;
  auto e = p.wait(out, timeoutMs);
  if (ec) *ec = e;
  std::map<NativeSocket, std::uint8_t> m;
  for (const auto& ev : out) {
    if (m.count(ev.fd)) qWarning("fd %d reported twice in one wait()", int(ev.fd));
    m[ev.fd] |= ev.events;
  }
  if (m.size() != out.size()) m[ferry::kInvalidSocket] = 0xff;  // makes the caller's comparison fail
  return m;
}

std::unique_ptr<Poller> makePoller() {
  std::string error;
  auto p = ferry::createPoller(ferry::test::currentPoller(), &error);
  if (!p) qWarning("%s", error.c_str());
  return p;
}

#ifndef _WIN32
extern "C" void ignoreSignal(int) {}
#endif

}  // namespace

class TestPoller final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase_data() { ferry::test::addPollerRows(); }

  void initTestCase() {
#ifndef _WIN32
    rlimit rl{};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = rl.rlim_max;
    QVERIFY(setrlimit(RLIMIT_NOFILE, &rl) == 0);
#endif
  }

  void unknownNameListsTheAvailableOnes() {
    std::string error;
    QVERIFY(!ferry::createPoller("no-such-poller", &error));
    QVERIFY2(error.find(ferry::test::currentPoller()) != std::string::npos, error.c_str());
    auto p = makePoller();
    QVERIFY(p);
    QCOMPARE(std::string(p->name()), ferry::test::currentPoller());
  }

  void waitHonoursTimeout() {
    auto p = makePoller();
    QVERIFY(p);
    SocketPair s;
    QVERIFY(s.ok());
    for (int registered : {0, 1}) {
      if (registered) QVERIFY(!p->add(s.fd[0], ferry::kReadable));
      auto t0 = Clock::now();
      std::error_code ec;
      auto got = waitOnce(*p, 50, &ec);
      auto elapsed = Clock::now() - t0;
      QVERIFY2(!ec, ec.message().c_str());
      QVERIFY(got.empty());
      QVERIFY2(elapsed >= 45ms, "wait() returned well before its timeout");
      QVERIFY2(elapsed < 2s, "wait() ignored its timeout");
    }
  }

  void addTwiceAndModifyUnknownFail() {
    auto p = makePoller();
    QVERIFY(p);
    SocketPair s;
    QVERIFY(s.ok());
    QVERIFY(!p->add(s.fd[0], ferry::kReadable));
    // As a condition: epoll's EEXIST is a system_category code.
    QVERIFY(p->add(s.fd[0], ferry::kReadable) == std::errc::file_exists);
    QVERIFY(p->modify(s.fd[1], ferry::kReadable));
    p->remove(s.fd[0]);
  }

  void interestSelectsEvents() {
    auto p = makePoller();
    QVERIFY(p);
    SocketPair s;
    QVERIFY(s.ok());
    const NativeSocket fd = s.fd[0];
    QVERIFY(writeByte(s.fd[1]));  // readable, and (empty send buffer) writable
    QVERIFY(!p->add(fd, ferry::kNone));
    QVERIFY2(waitOnce(*p, 0).empty(), "kNone must keep the fd silent");
    QVERIFY(!p->modify(fd, ferry::kReadable));
    QCOMPARE(waitOnce(*p, 0), (std::map<NativeSocket, std::uint8_t>{{fd, ferry::kReadable}}));
    QVERIFY(!p->modify(fd, ferry::kWritable));
    QCOMPARE(waitOnce(*p, 0), (std::map<NativeSocket, std::uint8_t>{{fd, ferry::kWritable}}));
    QVERIFY(!p->modify(fd, ferry::kReadable | ferry::kWritable));
    QCOMPARE(waitOnce(*p, 0),
             (std::map<NativeSocket, std::uint8_t>{{fd, std::uint8_t(ferry::kReadable | ferry::kWritable)}}));
    drain(fd);
    QCOMPARE(waitOnce(*p, 0), (std::map<NativeSocket, std::uint8_t>{{fd, ferry::kWritable}}));
    p->remove(fd);
    QVERIFY(writeByte(s.fd[1]));
    QVERIFY2(waitOnce(*p, 0).empty(), "a removed fd was reported");
  }

  // Hang-ups are normalised to readable|writable, so a handler listening on
  // either side finds out (its read() returns 0 or its write() fails), plus
  // kHangup. kqueue's read filter cannot tell a hang-up from a half-close
  // (EV_EOF either way), so it leaves kHangup out there.
  void hangupIsReadableAndWritable() {
    auto p = makePoller();
    QVERIFY(p);
    SocketPair s;
    QVERIFY(s.ok());
    QVERIFY(!p->add(s.fd[0], ferry::kReadable));
    QVERIFY(waitOnce(*p, 0).empty());
    s.close(1);
    auto got = waitOnce(*p, 1000);
    const std::uint8_t rw = ferry::kReadable | ferry::kWritable;
    const std::uint8_t want = p->name() == "kqueue" ? rw : std::uint8_t(rw | ferry::kHangup);
    QCOMPARE(got, (std::map<NativeSocket, std::uint8_t>{{s.fd[0], want}}));
    p->remove(s.fd[0]);
  }

  // An fd watched with kNone that hangs up: epoll and poll report it anyway,
  // at every wait(), so the event must say so (a loop that masked it with the
  // interest would find nothing to deliver and wait again at once, forever).
  // kqueue keeps no filter for kNone and reports nothing.
  void hangupWithNoInterestIsReported() {
    auto p = makePoller();
    QVERIFY(p);
    SocketPair s;
    QVERIFY(s.ok());
    QVERIFY(!p->add(s.fd[0], ferry::kNone));
    QVERIFY(waitOnce(*p, 0).empty());
    s.close(1);
    const std::uint8_t all = ferry::kReadable | ferry::kWritable | ferry::kHangup;
    const auto want = p->name() == "kqueue" ? std::map<NativeSocket, std::uint8_t>{}
                                            : std::map<NativeSocket, std::uint8_t>{{s.fd[0], all}};
    QCOMPARE(waitOnce(*p, p->name() == "kqueue" ? 100 : 1000), want);
    QCOMPARE(waitOnce(*p, 0), want);  // level-triggered: until it is removed
    p->remove(s.fd[0]);
    QVERIFY(waitOnce(*p, 0).empty());
  }

  // remove() after the caller closed the fd is documented as safe, and the
  // number, reused by a new socket, can be added and reported again.
  void removeAfterCloseThenReuseNumber() {
    auto p = makePoller();
    QVERIFY(p);
    auto old = std::make_unique<SocketPair>();
    QVERIFY(old->ok());
    const NativeSocket number = old->fd[0];
    QVERIFY(!p->add(number, ferry::kReadable));
    old->close(0);
    p->remove(number);
    QVERIFY(waitOnce(*p, 0).empty());
    SocketPair fresh;
    QVERIFY(fresh.ok());
    int end = fresh.fd[0] == number ? 0 : 1;
#ifndef _WIN32
    QCOMPARE(fresh.fd[end], number);
#endif
    QVERIFY(!p->add(fresh.fd[end], ferry::kReadable));
    QVERIFY(waitOnce(*p, 0).empty());
    QVERIFY(writeByte(fresh.fd[1 - end]));
    QCOMPARE(waitOnce(*p, 1000), (std::map<NativeSocket, std::uint8_t>{{fresh.fd[end], ferry::kReadable}}));
    p->remove(fresh.fd[end]);
  }

  void signalIsNotAnError() {
#ifdef _WIN32
    QSKIP("POSIX signals");
#else
    auto p = makePoller();
    QVERIFY(p);
    SocketPair s;
    QVERIFY(s.ok());
    QVERIFY(!p->add(s.fd[0], ferry::kReadable));
    struct sigaction sa {}, old {};
    sa.sa_handler = ignoreSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART
    QVERIFY(sigaction(SIGUSR2, &sa, &old) == 0);
    pthread_t self = pthread_self();
    std::atomic<bool> waiting{false};
    std::thread killer([&] {
      while (!waiting) std::this_thread::sleep_for(1ms);
      std::this_thread::sleep_for(50ms);
      pthread_kill(self, SIGUSR2);
    });
    waiting = true;
    auto t0 = Clock::now();
    std::error_code ec;
    auto got = waitOnce(*p, 10000, &ec);
    auto elapsed = Clock::now() - t0;
    killer.join();
    sigaction(SIGUSR2, &old, nullptr);
    QVERIFY2(!ec, ec.message().c_str());
    QVERIFY(got.empty());
    QVERIFY2(elapsed < 5s, "the signal did not interrupt wait()");
    p->remove(s.fd[0]);
#endif
  }

  // Random add / modify / remove / write / drain on 64 sockets; after every
  // step one wait(0) must report exactly the fds that are ready for their
  // current interest — no more, no fewer, each once. This walks the poll
  // backend's swap-with-last removal and the epoll event buffer sizing.
  void oneWaitReportsExactlyTheReadyFds() {
    auto p = makePoller();
    QVERIFY(p);
    constexpr int kFds = 64;
    std::vector<std::unique_ptr<SocketPair>> socks;
    for (int i = 0; i < kFds; ++i) {
      socks.push_back(std::make_unique<SocketPair>());
      QVERIFY(socks.back()->ok());
    }
    std::vector<int> interest(kFds, -1);  // -1: not registered
    std::vector<bool> hasData(kFds, false);
    std::mt19937 rng(7);
    for (int step = 0; step < 2000; ++step) {
      int i = static_cast<int>(rng() % kFds);
      NativeSocket fd = socks[i]->fd[0];
      switch (rng() % 5) {
        case 0:
        case 1: {
          auto want = static_cast<std::uint8_t>(rng() % 4);
          if (interest[i] < 0) {
            QVERIFY(!p->add(fd, want));
          } else {
            QVERIFY(!p->modify(fd, want));
          }
          interest[i] = want;
          break;
        }
        case 2:
          if (interest[i] >= 0) p->remove(fd);
          interest[i] = -1;
          break;
        case 3:
          if (!hasData[i]) QVERIFY(writeByte(socks[i]->fd[1]));
          hasData[i] = true;
          break;
        case 4:
          drain(fd);
          hasData[i] = false;
          break;
      }
      std::map<NativeSocket, std::uint8_t> expected;
      for (int k = 0; k < kFds; ++k) {
        if (interest[k] < 0) continue;
        std::uint8_t ev = 0;
        if ((interest[k] & ferry::kReadable) && hasData[k]) ev |= ferry::kReadable;
        if (interest[k] & ferry::kWritable) ev |= ferry::kWritable;  // empty send buffer
        if (ev) expected[socks[k]->fd[0]] = ev;
      }
      auto got = waitOnce(*p, 0);
      if (got != expected)
        QFAIL(qPrintable(QStringLiteral("step %1: wait() reported %2 fds, expected %3")
                             .arg(step).arg(got.size()).arg(expected.size())));
    }
    for (int k = 0; k < kFds; ++k)
      if (interest[k] >= 0) p->remove(socks[k]->fd[0]);
  }

  // A backend may report a batch per wait (epoll and kqueue: 512); the rest
  // stay ready and come on the next waits, none left behind.
  void thousandReadyFdsReported() {
    auto p = makePoller();
    QVERIFY(p);
    constexpr int kFds = 1000;
    std::vector<std::unique_ptr<SocketPair>> socks;
    std::map<NativeSocket, std::uint8_t> expected;
    for (int i = 0; i < kFds; ++i) {
      socks.push_back(std::make_unique<SocketPair>());
      QVERIFY2(socks.back()->ok(), "socketpair failed: raise the descriptor limit");
      QVERIFY(!p->add(socks[i]->fd[0], ferry::kReadable));
      QVERIFY(writeByte(socks[i]->fd[1]));
      expected[socks[i]->fd[0]] = ferry::kReadable;
    }
    std::map<NativeSocket, std::uint8_t> seen;
    for (int wait = 0; wait < 3 && seen.size() < expected.size(); ++wait) {
      auto got = waitOnce(*p, 0);
      QVERIFY(!got.empty());
      seen.insert(got.begin(), got.end());
    }
    QCOMPARE(seen.size(), expected.size());
    QVERIFY(seen == expected);
    for (auto& s : socks) p->remove(s->fd[0]);
  }
};

QTEST_GUILESS_MAIN(TestPoller)
#include "tst_poller.moc"
