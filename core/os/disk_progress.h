#pragma once

// DiskProgress: when a long piece of disk work last heard back from the
// disk. A job that makes many calls (a zip's walk of a folder tree, its
// CRC-32s over many files) marks it after each answer; the job's owner on
// the loop gives up only once the disk has been silent for a whole
// deadline, so a slow disk that keeps answering is waited for however long
// the work takes, and one that stops answering is not.
//
// Owns nothing but the time. Thread-safe: any thread marks, any reads.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace ferry {

class DiskProgress final {
 public:
  using Clock = std::chrono::steady_clock;

  DiskProgress() { mark(); }
  // The disk answered just now.
  void mark() { at_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed); }
  // Takes the other's last answer when it is the later one: work that waits
  // for another thread's reading (one CRC computed once) hears what it hears.
  void catchUp(const DiskProgress& other) {
    const auto theirs = other.at_.load(std::memory_order_relaxed);
    auto mine = at_.load(std::memory_order_relaxed);
    while (theirs > mine && !at_.compare_exchange_weak(mine, theirs, std::memory_order_relaxed)) {
    }
  }
  // When the disk last answered, and how long ago.
  Clock::time_point last() const { return Clock::time_point(Clock::duration(at_.load(std::memory_order_relaxed))); }
  Clock::duration silentFor() const { return std::max(Clock::now() - last(), Clock::duration::zero()); }

 private:
  std::atomic<Clock::rep> at_{0};
};

}  // namespace ferry
