#pragma once

// PasswordSessions: the browsers that gave a share's password, each known
// by the random value of its `ferry-<token>` cookie. A session holds only
// while the share keeps the password it was opened with: a changed password
// ends every session of the share, and a new token (rotate) or unsharing
// ends them through forget(). At most kPerShare sessions per share (a new
// one pushes out the oldest), and at most kMaxShares shares with sessions.
//
// Loop thread only.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ferry {

struct Share;

class PasswordSessions final {
 public:
  static constexpr std::size_t kPerShare = 32;
  static constexpr std::size_t kMaxShares = 4096;

  // A new session for `share` (whose password was just given): the
  // cookie's value, 128 random bits.
  std::string open(const Share& share);
  // Whether `value` is a session of `share` under its current password.
  bool valid(const Share& share, std::string_view value);
  // The share's token ended (unshared, rotated): its sessions go.
  void forget(std::string_view token);

 private:
  struct Entry {
    std::string password;  // the one the sessions were opened with
    std::deque<std::string> values;  // oldest first
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> byToken_;
};

}  // namespace ferry
