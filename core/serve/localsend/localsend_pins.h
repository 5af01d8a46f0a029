#pragma once

// PinTries: the wrong PINs each address has given the LocalSend port.
// kMaxTries of them lock the address out (429) until kLockout has passed
// since the last; then it starts again from nothing, as does an address
// whose last wrong PIN is kLockout old. The right PIN forgets the address.
// A lockout that never ended would shut out, for good, a phone whose user
// mistyped three times, and whoever has its address next on the network.
//
// Owns the counts, which stay bounded: past kPruneAbove addresses, the ones
// whose time has passed are dropped whenever a wrong PIN is counted.
//
// One thread (the loop's); the time is the caller's, so tests give it.

#include <chrono>
#include <cstddef>
#include <iterator>
#include <string>
#include <unordered_map>

namespace ferry::localsend {

class PinTries final {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kMaxTries = 3;
  static constexpr auto kLockout = std::chrono::minutes(5);
  static constexpr std::size_t kPruneAbove = 1024;

  bool locked(const std::string& address, Clock::time_point now) const {
    auto it = tries_.find(address);
    return it != tries_.end() && it->second.count >= kMaxTries && !expired(it->second, now);
  }
  void wrong(const std::string& address, Clock::time_point now) {
    if (tries_.size() > kPruneAbove)
      for (auto it = tries_.begin(); it != tries_.end();) it = expired(it->second, now) ? tries_.erase(it) : std::next(it);
    Tries& t = tries_[address];
    if (expired(t, now)) t.count = 0;
    ++t.count;
    t.last = now;
  }
  void right(const std::string& address) { tries_.erase(address); }

 private:
  struct Tries {
    int count = 0;
    Clock::time_point last;
  };
  static bool expired(const Tries& t, Clock::time_point now) { return now - t.last >= kLockout; }

  std::unordered_map<std::string, Tries> tries_;  // by address
};

}  // namespace ferry::localsend
