#include "sync_crew.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>

namespace ferry {

struct SyncCrew::State {
  std::mutex mu;
  std::condition_variable posted;  // a batch has room for a helper, or the crew is going
  std::condition_variable left;    // a helper is done with the batch
  const std::function<void(std::size_t)>* call = nullptr;  // the batch's, while it runs
  std::size_t n = 0;
  std::atomic<std::size_t> next{0};  // the next call to take
  std::uint64_t batch = 0;           // which batch `call` is
  std::size_t room = 0;              // helpers the batch still takes
  std::size_t inside = 0;            // helpers taking its calls now
  std::size_t started = 0;
  bool stop = false;

  // Takes calls until none is left.
  void take() {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) (*call)(i);
  }

  static void helper(std::shared_ptr<State> s) {
    std::unique_lock lock(s->mu);
    std::uint64_t seen = 0;  // a batch this thread has taken part in
    for (;;) {
      s->posted.wait(lock, [&] { return s->stop || (s->call && s->batch != seen && s->room > 0); });
      if (s->stop) return;
      seen = s->batch;
      --s->room;
      ++s->inside;
      lock.unlock();
      s->take();
      lock.lock();
      if (--s->inside == 0) s->left.notify_all();
    }
  }
};

SyncCrew::SyncCrew(std::size_t helpers) : helpers_(helpers), state_(std::make_shared<State>()) {}

SyncCrew::~SyncCrew() {
  {
    std::lock_guard lock(state_->mu);
    state_->stop = true;
  }
  state_->posted.notify_all();
}

void SyncCrew::run(std::size_t n, const std::function<void(std::size_t)>& call) {
  if (n == 0) return;
  State& s = *state_;
  const std::size_t want = std::min(n - 1, helpers_);
  {
    std::lock_guard lock(s.mu);
    s.call = &call;
    s.n = n;
    s.next = 0;
    ++s.batch;
    s.room = want;
    while (s.started < want) {
      try {
        std::thread(State::helper, state_).detach();
      } catch (const std::system_error&) {
        break;  // no thread to be had (a process limit): fewer calls at once
      }
      ++s.started;
    }
  }
  for (std::size_t i = 0; i < want; ++i) s.posted.notify_one();
  s.take();
  // Every call has been taken; those a helper took may still be running.
  std::unique_lock lock(s.mu);
  s.left.wait(lock, [&] { return s.inside == 0; });
  s.call = nullptr;  // a helper waking late finds no batch
}

std::size_t SyncCrew::threads() const {
  std::lock_guard lock(state_->mu);
  return state_->started;
}

}  // namespace ferry
