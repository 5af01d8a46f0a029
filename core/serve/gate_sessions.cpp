#include "gate_sessions.h"

#include "credentials.h"
#include "random_token.h"
#include "share_registry.h"

namespace ferry {

std::string PasswordSessions::open(const Share& share) {
  auto it = byToken_.find(std::string_view(share.token));
  if (it == byToken_.end()) {
    // Full: shares that lost their sessions to this are asked again.
    if (byToken_.size() >= kMaxShares) byToken_.erase(byToken_.begin());
    it = byToken_.emplace(share.token, Entry{}).first;
  }
  Entry& e = it->second;
  if (e.password != share.rules.password) {
    e.password = share.rules.password;
    e.values.clear();
  }
  if (e.values.size() >= kPerShare) e.values.pop_front();
  e.values.push_back(newShareToken());
  return e.values.back();
}

bool PasswordSessions::valid(const Share& share, std::string_view value) {
  if (value.empty()) return false;
  auto it = byToken_.find(std::string_view(share.token));
  if (it == byToken_.end()) return false;
  Entry& e = it->second;
  if (e.password != share.rules.password) {
    byToken_.erase(it);
    return false;
  }
  bool hit = false;
  // Every value is compared whole: a timing does not tell how much of a
  // guessed cookie was right.
  for (const std::string& v : e.values) hit |= sameSecret(value, v);
  return hit;
}

void PasswordSessions::forget(std::string_view token) {
  auto it = byToken_.find(token);
  if (it != byToken_.end()) byToken_.erase(it);
}

}  // namespace ferry
