#pragma once

// For the loop suites: an EventLoop run on a thread of its own, a bounded
// wait for a condition the loop thread makes true, and (POSIX) the CPU time
// a thread has used. Core and the OS only (no Qt).

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#ifndef _WIN32
#include <ctime>
#include <pthread.h>
#endif

#include "event_loop.h"

namespace ferry::test {

inline bool waitUntil(const std::function<bool()>& pred,
                      std::chrono::steady_clock::duration timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Runs loop.run() on a thread of its own. Joins on destruction (stopping the
// loop first if it is still running), so a failed QVERIFY never leaves a
// thread behind. Declare the state the loop's callbacks touch BEFORE the
// LoopThread, so it outlives the thread.
class LoopThread {
 public:
  explicit LoopThread(EventLoop& loop) : loop_(loop), thread_([this] {
    loop_.run();
    returned_ = true;
  }) {}
  ~LoopThread() { join(); }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  // Stops the loop unless it already returned by itself, then joins. (An
  // extra stop() would make the loop's next run() return at once.)
  void join() {
    if (!thread_.joinable()) return;
    if (!returned_) loop_.stop();
    thread_.join();
  }
  bool returned() const { return returned_; }
  std::thread::id id() const { return thread_.get_id(); }
#ifndef _WIN32
  pthread_t handle() { return thread_.native_handle(); }
#endif

 private:
  EventLoop& loop_;
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

#ifndef _WIN32
// CPU time a thread has consumed, read from outside it: measures an idle loop
// without waking it.
inline std::chrono::steady_clock::duration cpuTimeOf(pthread_t thread) {
  clockid_t cid;
  timespec ts{};
  if (pthread_getcpuclockid(thread, &cid) != 0 || clock_gettime(cid, &ts) != 0)
    return std::chrono::steady_clock::duration::max();
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}
#endif

}  // namespace ferry::test
