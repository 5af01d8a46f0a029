#pragma once

// ShareRules: what a link promises beyond "this file": when it ends, how many
// complete deliveries it allows and the password it asks for. Every rule is
// optional; a share without rules is a plain link. Plain data, copied with
// the Share it belongs to.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ferry {

struct ShareRules {
  using Clock = std::chrono::system_clock;
  // From this moment the link answers 410 Gone ("This link expired at 18:00").
  std::optional<Clock::time_point> expires;
  // Complete deliveries allowed (one client receiving every byte, however
  // many requests it took); 0 = no limit. Once reached, transfers in flight
  // finish and new requests get 410.
  std::uint32_t downloadLimit = 0;
  // Asked for on a page (a cookie for that share's path remembers the right
  // answer) or by Basic auth; empty = none. Kept as typed: Ferry needs it to
  // compare, and it sits in the settings file beside the link's token.
  std::string password;

  bool any() const { return expires.has_value() || downloadLimit != 0 || !password.empty(); }
  bool operator==(const ShareRules&) const = default;
};

}  // namespace ferry
