#include "rate_limiter.h"

#include <algorithm>

namespace ferry {

RateLimiter::~RateLimiter() {
  if (timer_) loop_.cancel(timer_);
}

void RateLimiter::setRate(std::uint64_t bytesPerSecond) {
  rate_ = bytesPerSecond;
  tokens_ = 0;
  last_ = std::chrono::steady_clock::now();
  if (rate_ == 0) {
    // Unlimited again: release everyone at once.
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) w.resume();
  }
}

std::uint64_t RateLimiter::take(std::uint64_t want) {
  if (rate_ == 0) return want;
  auto now = std::chrono::steady_clock::now();
  double dt = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  // Burst of at most 100 ms worth, so a pause does not turn into a spike.
  double cap = std::max(static_cast<double>(rate_) / 10.0, 1024.0);
  tokens_ = std::min(cap, tokens_ + dt * static_cast<double>(rate_));
  // Waiters are served in turn: outside a refill round, a newcomer (or a
  // transfer whose socket just drained) joins the queue instead of taking
  // what the waiters are owed. Inside a round, the resumed waiter gets at most
  // its fair share, however often it comes back within the round (a socket
  // that drains at once calls take() again from inside its resume).
  if (!inRound_ && !waiters_.empty()) return 0;
  std::uint64_t limit = inRound_ ? std::min(want, fairShare_) : want;
  // Never hand out crumbs. Tokens accrue continuously, so a caller that
  // writes what it was granted and comes straight back would always find a
  // few more bytes: Connection::flush() would then loop inside one event
  // (a busy loop that starves timers, other transfers and stop). Below a
  // quantum (20 ms worth, or the fair share), wait for the refill instead.
  const double quantum = static_cast<double>(
      std::min<std::uint64_t>(limit, std::max<std::uint64_t>(1024, rate_ / 50)));
  if (tokens_ < quantum) return 0;
  auto grant = static_cast<std::uint64_t>(std::min(static_cast<double>(limit), tokens_));
  tokens_ -= static_cast<double>(grant);
  if (inRound_) fairShare_ -= grant;
  return grant;
}

std::uint64_t RateLimiter::enqueue(Resume resume) {
  std::uint64_t t = nextTicket_++;
  waiters_.push_back({t, std::move(resume)});
  if (!timer_) timer_ = loop_.runEvery(kRefill, [this] { refill(); });
  return t;
}

void RateLimiter::cancel(std::uint64_t ticket) {
  auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.ticket == ticket; });
  if (it != waiters_.end()) waiters_.erase(it);
}

void RateLimiter::refill() {
  if (waiters_.empty()) {
    loop_.cancel(timer_);
    timer_ = 0;
    fairShare_ = 0;
    return;
  }
  // Resume the waiters present now, in order; each take()s an equal share of
  // what accrued. Those that still want more re-enqueue at the back.
  auto round = std::move(waiters_);
  waiters_.clear();
  double cap = std::max(static_cast<double>(rate_) / 10.0, 1024.0);
  double expected = std::min(cap, tokens_ + static_cast<double>(rate_) * 0.02);
  const std::uint64_t share =
      std::max<std::uint64_t>(1024, static_cast<std::uint64_t>(expected / static_cast<double>(round.size())));
  inRound_ = true;
  for (auto& w : round) {
    fairShare_ = share;  // this waiter's budget for the round
    w.resume();
  }
  inRound_ = false;
  fairShare_ = 0;
}

}  // namespace ferry
