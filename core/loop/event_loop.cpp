#include "event_loop.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <system_error>

#include "memory_release.h"

namespace ferry {
namespace {

// After the first, at most one line per this long: a periodic timer that
// throws at every tick must not flood stderr (or keep the loop thread
// writing to a pipe nobody reads).
constexpr auto kThrowReportInterval = std::chrono::seconds(10);

}  // namespace

std::unique_ptr<EventLoop> EventLoop::create(std::string_view pollerName, std::string* error) {
  auto poller = createPoller(pollerName, error);
  if (!poller) return nullptr;
  auto loop = std::make_unique<EventLoop>(std::move(poller));
  if (loop->waker_.error()) {
    if (error) *error = "cannot create the loop's waker: " + loop->waker_.error().message();
    return nullptr;
  }
  return loop;
}

EventLoop::EventLoop(std::unique_ptr<Poller> poller)
    : poller_(std::move(poller)), loopThread_(std::this_thread::get_id()) {
  if (waker_.error()) return;
  // READ interest: the waker's fd becomes readable when another thread
  // writes to it. (Registering it for WRITE would report "ready" forever on
  // some pollers and never on others — either way, no wake-ups.)
  watch(waker_.readFd(), kReadable, [this](std::uint8_t) { waker_.drain(); });
}

EventLoop::~EventLoop() {
  if (watching(waker_.readFd())) poller_->remove(waker_.readFd());
}

namespace {
// The loop running on this thread, if any: lets post() tell its own loop
// thread from others without reading another thread's state.
thread_local const EventLoop* tRunningLoop = nullptr;
}  // namespace

bool EventLoop::isInLoopThread() const {
  // While not running, the loop belongs to whoever holds it (the thread that
  // sets it up before run(), or the one that tears it down after a join).
  return !running_.load(std::memory_order_acquire) || std::this_thread::get_id() == loopThread_;
}

void EventLoop::assertInLoopThread() const {
  if (!isInLoopThread()) {
    std::fprintf(stderr, "ferry: EventLoop used from a thread that does not own it\n");
    std::abort();
  }
}

void EventLoop::run() {
  bool wasRunning = running_.exchange(true);
  assert(!wasRunning && "EventLoop::run() is not reentrant");
  (void)wasRunning;
  loopThread_ = std::this_thread::get_id();
  const EventLoop* outerLoop = tRunningLoop;
  tRunningLoop = this;

  while (!stopRequested_.load(std::memory_order_acquire)) {
    events_.clear();
    if (auto ec = poller_->wait(events_, nextTimeoutMs())) {
      // wait() already swallows EINTR; anything else (EBADF, EINVAL) means
      // the poller's own descriptor is broken, and spinning would hide it.
      std::fprintf(stderr, "ferry: %.*s wait failed: %s\n", static_cast<int>(pollerName().size()),
                   pollerName().data(), ec.message().c_str());
      std::abort();
    }
    ++iteration_;
    now_ = Clock::now();
    postedRunAhead_ = true;
    dispatch();
    runTimers();
    runPosted();
    graveyard_.clear();
    if (releaseMemoryPending_) shrinkTables();
  }
  postedRunAhead_ = false;
  tRunningLoop = outerLoop;
  stopRequested_.store(false, std::memory_order_release);
  running_.store(false);
}

template <class Fn>
std::error_code EventLoop::shielded(const char* who, Fn&& fn) noexcept {
  try {
    fn();
    return {};
  } catch (const std::bad_alloc&) {
    reportThrow(who, "out of memory");
    return std::make_error_code(std::errc::not_enough_memory);
  } catch (const std::system_error& e) {
    reportThrow(who, e.what());
    return e.code();
  } catch (const std::exception& e) {
    reportThrow(who, e.what());
  } catch (...) {
    reportThrow(who, "not a std::exception");
  }
  return std::make_error_code(std::errc::state_not_recoverable);
}

void EventLoop::reportThrow(const char* who, const char* what) noexcept {
  ++unreportedThrows_;
  if (throwReported_ && now_ - lastThrowReport_ < kThrowReportInterval) return;
  // fprintf, not a stream: this may run because memory ran out.
  if (unreportedThrows_ > 1)
    std::fprintf(stderr, "ferry: %s threw (%s), %llu more since the last such line; the loop goes on\n", who, what,
                 static_cast<unsigned long long>(unreportedThrows_ - 1));
  else
    std::fprintf(stderr, "ferry: %s threw (%s); the loop goes on\n", who, what);
  unreportedThrows_ = 0;
  lastThrowReport_ = now_;
  throwReported_ = true;
}

void EventLoop::stop() {
  stopRequested_.store(true, std::memory_order_release);
  waker_.wake();
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(postMutex_);
    posted_.push_back(std::move(fn));
  }
  // The loop thread posting from a callback or a timer: runPosted() comes
  // later in this same iteration, so no wake-up is needed (a closed
  // connection's clean-up would otherwise cost an eventfd write and read).
  if (tRunningLoop == this && postedRunAhead_) return;
  waker_.wake();
}

void EventLoop::runPosted() {
  postedRunAhead_ = false;
  {
    std::lock_guard lock(postMutex_);
    if (posted_.empty()) return;
    running_posted_.swap(posted_);
  }
  // Functions posted while these run wait for the next iteration (whose
  // wait() returns at once: their post() woke the loop), so a function that
  // re-posts itself cannot starve I/O.
  // Each has left the queue before it runs, so one that throws is not run
  // again, and the ones after it still run.
  for (auto& fn : running_posted_) shielded("a posted function", fn);
  running_posted_.clear();
}

std::error_code EventLoop::watch(NativeSocket fd, std::uint8_t interest, IoCallback cb, FailureCallback onFailure) {
  assertInLoopThread();
  if (watches_.count(fd)) return std::make_error_code(std::errc::file_exists);
  if (auto ec = poller_->add(fd, interest)) return ec;
  watches_[fd] = std::make_unique<Watch>(Watch{std::move(cb), std::move(onFailure), interest, iteration_});
  return {};
}

std::error_code EventLoop::setInterest(NativeSocket fd, std::uint8_t interest) {
  assertInLoopThread();
  auto it = watches_.find(fd);
  if (it == watches_.end()) return std::make_error_code(std::errc::no_such_file_or_directory);
  if (it->second->interest == interest) return {};
  if (auto ec = poller_->modify(fd, interest)) return ec;
  it->second->interest = interest;
  return {};
}

void EventLoop::unwatch(NativeSocket fd) {
  assertInLoopThread();
  auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  poller_->remove(fd);
  graveyard_.push_back(std::move(it->second));
  watches_.erase(it);
}

void EventLoop::dispatch() {
  for (const PollEvent& ev : events_) {
    auto it = watches_.find(ev.fd);
    // Gone: an earlier handler in this iteration unwatched it.
    if (it == watches_.end()) continue;
    Watch* w = it->second.get();
    // Added during this iteration: the descriptor number was reused after an
    // earlier handler closed the old one, and this event was the old one's.
    if (w->addedInIteration == iteration_) continue;
    // Errors and hang-ups arrive as readable|writable|kHangup: masking with
    // the interest delivers them to whichever side the handler listens on,
    // and kHangup alone to one that listens on neither. Dropping that one
    // would leave the fd reported ready at every wait() (epoll and poll add
    // hang-ups to any registration) and the loop spinning.
    std::uint8_t events = ev.events & (w->interest | kHangup);
    if (events == 0) continue;
    if (auto cause = shielded("an I/O handler", [&] { w->cb(events); })) abandon(ev.fd, w, cause);
  }
}

void EventLoop::abandon(NativeSocket fd, const Watch* w, std::error_code cause) {
  // Only if the handler that threw still holds the fd: had it unwatched it
  // first, its owner may be gone already.
  auto it = watches_.find(fd);
  if (it == watches_.end() || it->second.get() != w) return;
  FailureCallback onFailure = std::move(it->second->onFailure);
  unwatch(fd);
  if (onFailure) shielded("a failure handler", [&] { onFailure(cause); });
}

EventLoop::TimerId EventLoop::runAfter(Clock::duration delay, std::function<void()> fn) {
  return addTimer(delay, Clock::duration::zero(), std::move(fn));
}

EventLoop::TimerId EventLoop::runEvery(Clock::duration interval, std::function<void()> fn) {
  if (interval <= Clock::duration::zero()) interval = std::chrono::milliseconds(1);
  return addTimer(interval, interval, std::move(fn));
}

EventLoop::TimerId EventLoop::addTimer(Clock::duration delay, Clock::duration interval,
                                       std::function<void()> fn) {
  assertInLoopThread();
  TimerId id = nextTimerId_++;
  timers_.emplace(id, Timer{std::move(fn), interval});
  heap_.push({Clock::now() + delay, nextSeq_++, id});
  return id;
}

void EventLoop::cancel(TimerId id) {
  assertInLoopThread();
  // Lazy deletion: the heap entry stays until it surfaces and is skipped.
  timers_.erase(id);
  // Keep the heap from filling with dead entries when many long timers are
  // cancelled early.
  if (heap_.size() > 64 && heap_.size() > 4 * timers_.size()) compactTimerHeap();
}

void EventLoop::compactTimerHeap() {
  // Into a vector of exactly the live entries: this also drops the capacity
  // the heap grew to.
  std::vector<HeapItem> live;
  live.reserve(timers_.size());
  while (!heap_.empty()) {
    if (timers_.count(heap_.top().id)) live.push_back(heap_.top());
    heap_.pop();
  }
  heap_ = decltype(heap_)(std::greater<>(), std::move(live));
}

void EventLoop::shrinkTables() {
  // Between iterations: no dispatch is walking events_, no timer is running.
  releaseMemoryPending_ = false;
  shrinkToFit(watches_);
  shrinkToFit(timers_);
  compactTimerHeap();
  std::vector<PollEvent>().swap(events_);
  std::vector<std::unique_ptr<Watch>>().swap(graveyard_);
  std::vector<std::function<void()>>().swap(running_posted_);
  {
    std::lock_guard lock(postMutex_);
    posted_.shrink_to_fit();
  }
  releaseFreeMemory();
}

int EventLoop::nextTimeoutMs() const {
  if (heap_.empty()) return -1;
  auto wait = heap_.top().deadline - Clock::now();
  if (wait <= Clock::duration::zero()) return 0;
  // Round up: waking a little early would spin through a 0 ms wait.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return ms > 24 * 3600 * 1000 ? 24 * 3600 * 1000 : static_cast<int>(ms);
}

void EventLoop::runTimers() {
  // Timers added by callbacks below have seq >= this and wait for the next
  // iteration, so a zero-delay timer that re-arms itself cannot starve I/O.
  const std::uint64_t firstNew = nextSeq_;
  while (!heap_.empty()) {
    HeapItem top = heap_.top();
    if (top.deadline > now_ || top.seq >= firstNew) break;
    heap_.pop();
    auto it = timers_.find(top.id);
    if (it == timers_.end()) continue;  // cancelled
    // Move the callback out: it may cancel itself (erasing its entry) while
    // it runs.
    std::function<void()> fn = std::move(it->second.fn);
    Clock::duration interval = it->second.interval;
    if (interval == Clock::duration::zero()) timers_.erase(it);
    // One that throws has still fired: a one-shot is gone, a periodic one
    // is re-armed below.
    shielded("a timer", fn);
    if (interval != Clock::duration::zero()) {
      auto again = timers_.find(top.id);
      if (again == timers_.end()) continue;  // cancelled itself
      again->second.fn = std::move(fn);
      // Re-arm from the previous deadline so the period does not drift, but
      // never into the past (a slow loop skips missed ticks).
      auto next = top.deadline + interval;
      if (next <= now_) next = now_ + interval;
      heap_.push({next, nextSeq_++, top.id});
    }
  }
}

}  // namespace ferry
