// bench_loop: what the event loop costs, per poller backend, as a markdown
// table. Not a test: nothing here is asserted, the numbers are for
// docs/BENCHMARKS.md. Every figure is a median over many repetitions (with the
// p99 where a tail means something), because a single run on a shared machine
// says more about the neighbours than about the code.
//
//   bench_loop            all measurements, every backend in this build
//
// POSIX only (rlimit, uname; /proc/cpuinfo where there is one); core itself
// stays portable, and tests/bench/CMakeLists.txt skips this file on Windows.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef __linux__
#include <sched.h>
#endif
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "event_loop.h"
#include "poller.h"
#include "socket.h"
#include "socket_pair.h"

namespace {

using Clock = std::chrono::steady_clock;
using ferry::EventLoop;
using ferry::NativeSocket;
using namespace std::chrono_literals;

// Each measurement runs in kRounds rounds, the backends taking turns within a
// round, so a burst of load from the machine's other tenants hits both
// columns alike instead of skewing whichever ran during it.
constexpr int kRounds = 5;
// Time box for one round of a wait()/iteration cell.
constexpr auto kRoundBudget = std::chrono::milliseconds(100);

double toMicros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

using Samples = std::vector<double>;

struct Summary {
  double median = 0;
  double p99 = 0;
  std::size_t samples = 0;
};

Summary summarize(Samples v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))]; };
  return {at(0.5), at(0.99), v.size()};
}

using ferry::test::SocketPair;

// Spin (politely) until flag is set: a sleeping waiter would add its own
// wake-up latency to what we measure.
void spinUntil(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire)) std::this_thread::yield();
}

// --- wake-up latency -------------------------------------------------------

// post() from this thread to a loop blocked in wait(): time from the call to
// the function starting on the loop thread. Each sample is spaced 200-500 µs
// (randomised, to avoid beating with any periodic activity) so the loop is
// asleep in the kernel when the post arrives.
Samples postLatency(const std::string& poller, int samples) {
  auto loop = EventLoop::create(poller);
  std::thread t([&] { loop->run(); });
  std::mt19937 rng(1);
  Samples us;
  us.reserve(samples);
  std::this_thread::sleep_for(20ms);
  for (int i = 0; i < samples; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 300));
    std::atomic<bool> ran{false};
    Clock::time_point ranAt;
    auto t0 = Clock::now();
    loop->post([&] {
      ranAt = Clock::now();
      ran.store(true, std::memory_order_release);
    });
    spinUntil(ran);
    us.push_back(toMicros(ranAt - t0));
  }
  loop->stop();
  t.join();
  return us;
}

// stop() from this thread until run() returns on the loop thread, the loop
// idle in wait() with nothing scheduled (the shape of Server::stop()).
Samples stopLatency(const std::string& poller, int samples) {
  auto loop = EventLoop::create(poller);
  Samples us;
  us.reserve(samples);
  for (int i = 0; i < samples; ++i) {
    std::atomic<bool> running{false};
    Clock::time_point returnedAt;
    std::thread t([&] {
      running = true;
      loop->run();
      returnedAt = Clock::now();
    });
    spinUntil(running);
    std::this_thread::sleep_for(1ms);  // let it block in wait()
    auto t0 = Clock::now();
    loop->stop();
    t.join();
    us.push_back(toMicros(returnedAt - t0));
  }
  return us;
}

// --- post() throughput -----------------------------------------------------

// `producers` threads post `total` small functions as fast as they can while
// the loop runs them; items per second from the start signal to the moment
// the last one has run. One number per repetition; the median is reported.
Samples postThroughput(const std::string& poller, int producers, int total, int reps) {
  Samples perSecond;
  for (int r = 0; r < reps; ++r) {
    auto loop = EventLoop::create(poller);
    std::thread t([&] { loop->run(); });
    const int each = total / producers;
    const int expected = each * producers;
    int count = 0;  // loop thread only
    std::atomic<bool> go{false}, done{false};
    Clock::time_point end;
    std::vector<std::thread> ps;
    for (int p = 0; p < producers; ++p)
      ps.emplace_back([&] {
        spinUntil(go);
        for (int i = 0; i < each; ++i)
          loop->post([&] {
            if (++count == expected) {
              end = Clock::now();
              done.store(true, std::memory_order_release);
            }
          });
      });
    std::this_thread::sleep_for(10ms);
    auto start = Clock::now();
    go.store(true, std::memory_order_release);
    for (auto& p : ps) p.join();
    spinUntil(done);
    perSecond.push_back(expected / std::chrono::duration<double>(end - start).count());
    loop->stop();
    t.join();
  }
  return perSecond;
}

// --- cost of an iteration with many idle fds -------------------------------

// Opens pairs until there are `idle` registered fds that never become ready
// (both ends of each pair, READ interest) plus one pair whose read end always
// has a byte waiting. Returns false when the descriptor limit is too low.
struct FdSet {
  std::vector<std::unique_ptr<SocketPair>> idle;
  SocketPair active;
  bool open(int idleFds) {
    if (!active.ok()) return false;
    // Never read: level-triggered, so it stays ready.
    if (!ferry::test::writeByte(active.fd[1])) return false;
    for (int i = 0; i < idleFds / 2; ++i) {
      idle.push_back(std::make_unique<SocketPair>());
      if (!idle.back()->ok()) return false;
    }
    return true;
  }
};

// One Poller::wait() when exactly one fd is ready: the per-iteration tax that
// poll() pays for every idle fd (the kernel scans them all) and epoll does not.
Samples waitCost(const std::string& poller, int idleFds) {
  FdSet fds;
  if (!fds.open(idleFds)) return {};
  auto p = ferry::createPoller(poller);
  for (auto& s : fds.idle)
    for (NativeSocket fd : s->fd) p->add(fd, ferry::kReadable);
  p->add(fds.active.fd[0], ferry::kReadable);
  std::vector<ferry::PollEvent> out;
  out.reserve(16);
  // Time-boxed per round: ~0.1 s, but at least 100 samples.
  Samples us;
  auto stopAt = Clock::now() + kRoundBudget;
  for (int i = 0; i < 100000 && (i < 110 || Clock::now() < stopAt); ++i) {
    out.clear();
    auto t0 = Clock::now();
    p->wait(out, -1);
    auto t1 = Clock::now();
    if (out.size() != 1) {
      std::fprintf(stderr, "bench_loop: %s reported %zu fds, expected 1\n", poller.c_str(), out.size());
      return {};
    }
    if (i >= 10) us.push_back(toMicros(t1 - t0));  // skip warm-up
  }
  return us;
}

// The same through EventLoop::run(): the time between two consecutive calls
// of the active fd's handler is one whole loop iteration (wait, dispatch,
// timers, posts).
Samples loopIterationCost(const std::string& poller, int idleFds) {
  FdSet fds;
  if (!fds.open(idleFds)) return {};
  auto loop = EventLoop::create(poller);
  for (auto& s : fds.idle)
    for (NativeSocket fd : s->fd) loop->watch(fd, ferry::kReadable, [](std::uint8_t) {});
  Samples us;
  us.reserve(100000);
  Clock::time_point last{};
  auto stopAt = Clock::now() + kRoundBudget;
  int calls = 0;
  loop->watch(fds.active.fd[0], ferry::kReadable, [&](std::uint8_t) {
    auto now = Clock::now();
    if (++calls > 10) us.push_back(toMicros(now - last));
    last = now;
    if (calls >= 100000 || (calls >= 110 && now > stopAt)) loop->stop();
  });
  loop->run();
  for (auto& s : fds.idle)
    for (NativeSocket fd : s->fd) loop->unwatch(fd);
  loop->unwatch(fds.active.fd[0]);
  return us;
}

// --- machine ---------------------------------------------------------------

std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

// Like nproc(1): the CPUs this process may run on, not all the machine has.
int nproc() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  return static_cast<int>(std::thread::hardware_concurrency());
}

// The load average when the run started: on a shared machine, the context
// every number below needs.
std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", one, five, fifteen);
  return buf;
}

std::string kernel() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// Raises the soft descriptor limit to the hard one; returns the result.
rlim_t raiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

std::string cell(const Summary& s, int decimals = 1, bool withP99 = true) {
  if (s.samples == 0) return "n/a";
  char buf[64];
  if (withP99)
    std::snprintf(buf, sizeof buf, "%.*f / %.*f", decimals, s.median, decimals, s.p99);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, s.median);
  return buf;
}

std::string millions(const Summary& s) {
  if (s.samples == 0) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f M/s", s.median / 1e6);
  return buf;
}

}  // namespace

int main() {
  ferry::ignoreSigpipe();
  const rlim_t limit = raiseFdLimit();
  const std::string loadAtStart = loadAverage();
  const auto& pollers = ferry::availablePollers();

  // 10,000 idle fds if the limit allows (plus stdio, the waker, the poller's
  // own fd and the active pair), else as many as it does.
  int bigIdle = 10000;
  if (limit < static_cast<rlim_t>(bigIdle + 64)) bigIdle = static_cast<int>(limit > 128 ? (limit - 64) & ~rlim_t(1) : 0);
  const int idleCounts[] = {0, 1000, bigIdle};

  // Totals per backend, split evenly over kRounds rounds.
  constexpr int kLatencySamples = 2000;
  constexpr int kStopSamples = 500;
  constexpr int kThroughputItems = 2000000;  // per repetition; one repetition per round

  struct Raw {
    Samples post, stop, tput1, tput4, wait[3], iter;
  };
  std::vector<Raw> raw(pollers.size());
  auto append = [](Samples& to, Samples from) { to.insert(to.end(), from.begin(), from.end()); };
  for (int round = 0; round < kRounds; ++round) {
    std::fprintf(stderr, "bench_loop: round %d of %d\n", round + 1, kRounds);
    for (std::size_t b = 0; b < pollers.size(); ++b) {
      const std::string& name = pollers[b];
      Raw& r = raw[b];
      append(r.post, postLatency(name, kLatencySamples / kRounds));
      append(r.stop, stopLatency(name, kStopSamples / kRounds));
      append(r.tput1, postThroughput(name, 1, kThroughputItems, 1));
      append(r.tput4, postThroughput(name, 4, kThroughputItems, 1));
      for (int i = 0; i < 3; ++i) append(r.wait[i], waitCost(name, idleCounts[i]));
      append(r.iter, loopIterationCost(name, bigIdle));
    }
  }
  struct Column {
    Summary post, stop, tput1, tput4, wait[3], iter;
  };
  std::vector<Column> cols;
  for (Raw& r : raw) {
    Column c{summarize(r.post), summarize(r.stop), summarize(r.tput1), summarize(r.tput4),
             {summarize(r.wait[0]), summarize(r.wait[1]), summarize(r.wait[2])}, summarize(r.iter)};
    cols.push_back(c);
  }

#ifdef NDEBUG
  const char* build = "NDEBUG";
#else
  const char* build = "assertions on (not a Release build)";
#endif
  std::printf("Machine: %s, nproc %d, %s, load average %s at start. Compiler: %s, %s. RLIMIT_NOFILE %llu.\n\n",
              cpuModel().c_str(), nproc(), kernel().c_str(), loadAtStart.c_str(),
#if defined(__clang__)
              "clang " __clang_version__,
#elif defined(__GNUC__)
              "GCC " __VERSION__,
#else
              "unknown",
#endif
              build, static_cast<unsigned long long>(limit));

  auto row = [&](const std::string& label, const std::function<std::string(const Column&)>& f) {
    std::printf("| %s |", label.c_str());
    for (const auto& c : cols) std::printf(" %s |", f(c).c_str());
    std::printf("\n");
  };
  std::printf("| Measurement |");
  for (const auto& n : pollers) std::printf(" %s |", n.c_str());
  std::printf("\n|---|");
  for (std::size_t i = 0; i < pollers.size(); ++i) std::printf("--:|");
  std::printf("\n");
  row("post() wake-up latency, idle loop, µs (median / p99)", [](const Column& c) { return cell(c.post); });
  row("stop() until run() returns, µs (median / p99)", [](const Column& c) { return cell(c.stop); });
  row("post() throughput, 1 producer (median)", [](const Column& c) { return millions(c.tput1); });
  row("post() throughput, 4 producers (median)", [](const Column& c) { return millions(c.tput4); });
  for (int i = 0; i < 3; ++i) {
    char label[128];
    std::snprintf(label, sizeof label, "wait(), 1 ready fd + %d idle fds, µs (median / p99)", idleCounts[i]);
    row(label, [i](const Column& c) { return cell(c.wait[i], 2); });
  }
  {
    char label[128];
    std::snprintf(label, sizeof label, "full loop iteration, 1 ready fd + %d idle fds, µs (median / p99)", bigIdle);
    row(label, [](const Column& c) { return cell(c.iter, 2); });
  }
  std::size_t fewest = SIZE_MAX, most = 0;
  for (const auto& c : cols)
    for (const Summary* w : {&c.wait[0], &c.wait[1], &c.wait[2], &c.iter}) {
      fewest = std::min(fewest, w->samples);
      most = std::max(most, w->samples);
    }
  std::printf(
      "\nPer backend, over %d rounds in which the backends take turns: wake-up %d samples (spaced 200-500 µs), "
      "stop %d, throughput %d repetitions x %d items; wait() and loop iteration %lld ms per cell and round, "
      "at least 100 samples (got %zu-%zu per cell).\n",
      kRounds, kLatencySamples, kStopSamples, kRounds, kThroughputItems,
      static_cast<long long>(kRoundBudget.count()), fewest, most);
  return 0;
}
