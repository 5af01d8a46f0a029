#pragma once

// RateLimiter: one global token bucket (bytes per second; 0 = unlimited)
// shared fairly by every transfer. Owns the bucket and the queue of waiting
// transfers; driven by a loop timer that runs only while someone waits, so it
// neither sleeps nor spins.
//
// Loop thread only.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>

#include "event_loop.h"

namespace ferry {

class RateLimiter final {
 public:
  // A waiter is resumed by calling this; it then asks take() again.
  using Resume = std::function<void()>;
  static constexpr auto kRefill = std::chrono::milliseconds(20);

  explicit RateLimiter(EventLoop& loop) : loop_(loop) {}
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  void setRate(std::uint64_t bytesPerSecond);

  // Grants up to `want` bytes now (all of it when unlimited). Zero means
  // "wait": call enqueue() and stop writing until resumed.
  std::uint64_t take(std::uint64_t want);

  // Queues a waiter. Waiters are resumed in FIFO order, each given an equal
  // share of the refill, which keeps transfers fair. Returns a ticket for
  // cancel().
  std::uint64_t enqueue(Resume resume);
  void cancel(std::uint64_t ticket);

 private:
  void refill();

  EventLoop& loop_;
  std::uint64_t rate_ = 0;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  struct Waiter {
    std::uint64_t ticket;
    Resume resume;
  };
  std::deque<Waiter> waiters_;
  std::uint64_t nextTicket_ = 1;
  EventLoop::TimerId timer_ = 0;
  std::uint64_t fairShare_ = 0;  // what the waiter being resumed may still take this round
  bool inRound_ = false;         // refill() is resuming waiters
};

}  // namespace ferry
