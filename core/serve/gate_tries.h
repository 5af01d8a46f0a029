#pragma once

// WrongTries: wrong passwords by client address, so that guessing a link's
// password is slow and then stopped. The first kFree wrong tries cost
// nothing; each one after that shuts the address out for 1, 2, 4... seconds
// (at most kMaxPause), and from the kBanAfter-th on for kBan. An address
// that gets a password right, or tries nothing for kForget, starts afresh.
// One table for every share: an address guessing at several links is the
// same guesser.
//
// Owns the table, at most kMaxAddresses entries (a new address beyond that
// pushes out the one that tried longest ago), so a flood of addresses costs
// bounded memory. Time comes in as arguments, so tests drive the clock.
//
// Loop thread only.

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ferry {

class WrongTries final {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::uint32_t kFree = 5;
  static constexpr std::uint32_t kBanAfter = 20;
  static constexpr auto kMaxPause = std::chrono::seconds(64);
  static constexpr auto kBan = std::chrono::minutes(15);
  static constexpr auto kForget = std::chrono::hours(1);
  static constexpr std::size_t kMaxAddresses = 4096;

  // Whole seconds (rounded up) before `address` may try a password again;
  // 0: it may now.
  std::uint32_t wait(std::string_view address, Clock::time_point now) const;
  // `address` gave a wrong password.
  void wrong(std::string_view address, Clock::time_point now);
  // `address` gave the right one.
  void forgive(std::string_view address);
  std::size_t size() const { return byAddress_.size(); }

 private:
  struct Entry {
    std::string address;
    std::uint32_t wrong = 0;
    Clock::time_point last, until;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Most recent try first; the map points into it.
  std::list<Entry> recent_;
  std::unordered_map<std::string, std::list<Entry>::iterator, Hash, std::equal_to<>> byAddress_;
};

}  // namespace ferry
