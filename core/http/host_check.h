#pragma once

// Which Host header values the server answers. A DNS-rebinding page in a
// browser reaches us under its attacker's domain name; refusing names we do
// not know (421) keeps it from reading shares through the user's machine.
// A value that is no host at all (a port that is not a number from 0 to
// 65535, an unclosed '[', characters no host name has) is the client's
// error, and RFC 9112 asks for 400 whatever the policy.

#include <string>
#include <string_view>
#include <vector>

namespace ferry {

struct HostPolicy {
  bool allowAny = false;              // e.g. behind a proxy that rewrites Host
  std::vector<std::string> names;     // extra names the user configured
  std::string machineName;            // this machine's host name
  std::string mdnsName;               // what the mDNS responder publishes ("mypc-2.local")
};

enum class HostVerdict {
  kAllowed,    // answer it
  kForeign,    // a well-formed name we do not answer for: 421
  kMalformed,  // not a host[:port] at all: 400
};

// kAllowed for an IP literal (v4, [v6]), "localhost", the machine's name or
// name.local, the mDNS name, or a configured name, each with an optional ":port" (1 to 5
// digits, at most 65535), or anything well-formed under allowAny.
HostVerdict checkHost(std::string_view host, const HostPolicy& policy);

}  // namespace ferry
