#include "cache_policy.h"

#include "header_values.h"
#include "share_registry.h"

namespace ferry {
namespace {

// The answer depends on the credentials that unlocked it: a cache that
// ignored them would give one visitor's unlocked file to the next.
void appendVary(std::string& head, const Share& share) {
  if (!share.rules.password.empty()) head += "Vary: Cookie, Authorization\r\n";
}

}  // namespace

void CachePolicy::appendContentHeaders(std::string& head, const Share& share, bool partial) const {
  if (share.rules.any()) {
    // "private": no shared cache may keep it; "no-store": no cache at all,
    // a browser's included. A copy kept anywhere could outlive the rule.
    head += "Cache-Control: private, no-store\r\n";
  } else if (publicSeconds > 0 && !partial) {
    head += "Cache-Control: public, max-age=";
    appendNumber(head, publicSeconds);
    head += "\r\n";
  } else {
    // Token links are unguessable but the file behind one may change, or be
    // unshared: caches may store it, and revalidate cheaply with the
    // validators before each reuse. (nginx stores none of these.)
    head += "Cache-Control: no-cache\r\n";
  }
  appendVary(head, share);
}

void CachePolicy::appendPageHeaders(std::string& head, const Share& share) {
  head += "Cache-Control: no-store\r\n";
  appendVary(head, share);
}

}  // namespace ferry
