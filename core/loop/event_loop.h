#pragma once

// Layer loop/: the reactor. A Poller with one file per backend, the Waker,
// and EventLoop with its timers and posted functions. Uses os/ only
// (nginx's src/event, redis's ae_*.c).
//
// EventLoop: one thread's reactor. It owns a Poller, a Waker, the timer heap
// and the queue of posted functions; it does not own the descriptors it
// watches (their owners unwatch them before closing).
//
// Thread-safety: the loop is NOT thread-safe. Exactly two calls may come from
// any thread: post() and stop(). Everything else must be called on the loop
// thread — the thread inside run() — or, while the loop is not running, by
// the one thread that holds it (setting up before run(), tearing down after
// joining). Violations abort.
//
// Nothing throws through the loop: an exception from a callback (in practice
// std::bad_alloc from a growing string) ends that callback only. The loop
// writes a line to stderr (the first one, then at most one every 10 s with a
// count) and keeps its promises: a posted function or a
// one-shot timer that threw has run and does not run again, a periodic timer
// stays scheduled, and an I/O handler that threw loses its watch (a ready fd
// would make it throw again at once) and its owner is told through the
// watch's failure callback.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "poller.h"
#include "waker.h"

namespace ferry {

class EventLoop final {
 public:
  using Clock = std::chrono::steady_clock;
  using IoCallback = std::function<void(std::uint8_t events)>;
  // Told that the fd's handler threw and the fd is no longer watched.
  using FailureCallback = std::function<void(std::error_code cause)>;
  using TimerId = std::uint64_t;

  // Creates a loop on the named poller ("" = the build's default, or
  // FERRY_POLLER). Returns nullptr with a readable `error` on failure.
  static std::unique_ptr<EventLoop> create(std::string_view poller = {}, std::string* error = nullptr);

  explicit EventLoop(std::unique_ptr<Poller> poller);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until stop(). Can be called again after it returns; a stop() that
  // arrives while the loop is not running makes the next run() return at once.
  void run();

  // Thread-safe. Makes run() return after the current iteration, promptly
  // even when the loop is blocked in wait() with nothing to do.
  void stop();

  // Thread-safe. Queues fn to run on the loop thread, in FIFO order per
  // calling thread, and wakes the loop (unless the loop thread itself posts
  // before this iteration's posted functions run: they run without one).
  void post(std::function<void()> fn);

  // --- loop thread only ---------------------------------------------------

  // Calls cb(events) whenever fd is ready for `interest`, and with kHangup
  // whatever the interest (kNone too) when the fd has an error or hung up:
  // the handler must then close or unwatch it, or it is told again at once.
  // One watch per fd. onFailure, if given, runs if cb throws (see above).
  std::error_code watch(NativeSocket fd, std::uint8_t interest, IoCallback cb, FailureCallback onFailure = {});
  std::error_code setInterest(NativeSocket fd, std::uint8_t interest);
  // Stops watching fd. A pending event for fd in this iteration is dropped,
  // and the callback is destroyed only after the iteration ends, so a handler
  // may unwatch itself.
  void unwatch(NativeSocket fd);
  bool watching(NativeSocket fd) const { return watches_.count(fd) != 0; }

  // Timers on the steady clock. Equal deadlines fire in the order added.
  // cancel() is safe from any callback, including the timer's own.
  TimerId runAfter(Clock::duration delay, std::function<void()> fn);
  TimerId runEvery(Clock::duration interval, std::function<void()> fn);
  void cancel(TimerId id);

  // Gives back what a burst left behind: at the end of the current
  // iteration the loop shrinks its tables to what is still watched and
  // pending, then returns the allocator's free pages to the OS
  // (releaseFreeMemory()). May be called from any callback on the loop
  // thread; meant for after a burst, not for every iteration.
  void releaseMemory() {
    assertInLoopThread();
    releaseMemoryPending_ = true;
  }

  // The time the current iteration woke up (cheap; no syscall).
  Clock::time_point now() const { return now_; }

  std::string_view pollerName() const { return poller_->name(); }
  bool isInLoopThread() const;
  void assertInLoopThread() const;

 private:
  struct Watch {
    IoCallback cb;
    FailureCallback onFailure;
    std::uint8_t interest;
    std::uint64_t addedInIteration;
  };
  struct Timer {
    std::function<void()> fn;
    Clock::duration interval;  // zero: one-shot
  };
  struct HeapItem {
    Clock::time_point deadline;
    std::uint64_t seq;
    TimerId id;
    bool operator>(const HeapItem& o) const {
      return deadline != o.deadline ? deadline > o.deadline : seq > o.seq;
    }
  };

  TimerId addTimer(Clock::duration delay, Clock::duration interval, std::function<void()> fn);
  int nextTimeoutMs() const;
  void dispatch();
  void abandon(NativeSocket fd, const Watch* w, std::error_code cause);
  // Runs fn at the loop's boundary (see above): returns what an exception
  // stood for, or {} when fn returned.
  template <class Fn>
  std::error_code shielded(const char* who, Fn&& fn) noexcept;
  void reportThrow(const char* who, const char* what) noexcept;
  void runTimers();
  void runPosted();
  void compactTimerHeap();
  void shrinkTables();

  std::unique_ptr<Poller> poller_;
  Waker waker_;
  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> running_{false};
  std::thread::id loopThread_;
  // Loop thread only: set from wait()'s return until runPosted() takes the
  // queue, the window in which a post() from the loop thread needs no wake.
  bool postedRunAhead_ = false;

  std::unordered_map<NativeSocket, std::unique_ptr<Watch>> watches_;
  std::vector<std::unique_ptr<Watch>> graveyard_;  // unwatched this iteration
  std::vector<PollEvent> events_;
  std::uint64_t iteration_ = 0;
  bool releaseMemoryPending_ = false;
  std::uint64_t unreportedThrows_ = 0;
  Clock::time_point lastThrowReport_;
  bool throwReported_ = false;
  Clock::time_point now_ = Clock::now();

  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap_;
  std::unordered_map<TimerId, Timer> timers_;
  std::uint64_t nextSeq_ = 0;
  TimerId nextTimerId_ = 1;

  std::mutex postMutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> running_posted_;
};

}  // namespace ferry
