#pragma once

// Which Host header values the server answers. A DNS-rebinding page in a
// browser reaches us under its attacker's domain name; refusing names we do
// not know (421) keeps it from reading shares through the user's machine.

#include <string>
#include <string_view>
#include <vector>

namespace ferry {

struct HostPolicy {
  bool allowAny = false;              // e.g. behind a proxy that rewrites Host
  std::vector<std::string> names;     // extra names the user configured
  std::string machineName;            // this machine's host name
};

// True for an IP literal (v4, [v6]), "localhost", the machine's name or
// name.local, or a configured name; an optional ":port" is ignored.
bool hostAllowed(std::string_view host, const HostPolicy& policy);

}  // namespace ferry
