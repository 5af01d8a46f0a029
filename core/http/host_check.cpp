#include "host_check.h"

#include "http_request.h"
#include "net_address.h"

namespace ferry {
namespace {

// RFC 3986 port: digits only. Empty ("localhost:") is legal URI syntax but
// no client sends it, and no port number above 65535 exists.
bool validPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

// RFC 3986 reg-name: unreserved, sub-delims and percent escapes (which a
// host name never needs, so '%' is refused too).
bool validRegName(std::string_view name) {
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok && std::string_view("-._~!$&'()*+,;=").find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

HostVerdict checkHost(std::string_view host, const HostPolicy& policy) {
  std::string_view name = host;
  std::string_view port;
  bool hasPort = false;
  if (!name.empty() && name.front() == '[') {
    auto close = name.find(']');
    if (close == std::string_view::npos) return HostVerdict::kMalformed;
    std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return HostVerdict::kMalformed;
    if (!rest.empty()) {
      hasPort = true;
      port = rest.substr(1);
    }
    name = name.substr(0, close + 1);
    // Brackets hold an IPv6 address, nothing else.
    std::string inside(name.substr(1, name.size() - 2));
    if (inside.find(':') == std::string::npos || !isIpLiteral(inside)) return HostVerdict::kMalformed;
  } else {
    if (auto colon = name.find(':'); colon != std::string_view::npos) {
      hasPort = true;
      port = name.substr(colon + 1);
      name = name.substr(0, colon);
    }
    if (!validRegName(name)) return HostVerdict::kMalformed;  // a bare IPv6 address lands here too
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // FQDN form
    if (name.empty()) return HostVerdict::kMalformed;
  }
  if (hasPort && !validPort(port)) return HostVerdict::kMalformed;

  if (policy.allowAny) return HostVerdict::kAllowed;
  if (name.front() == '[') return HostVerdict::kAllowed;  // checked above: an IPv6 literal
  if (iequals(name, "localhost")) return HostVerdict::kAllowed;
  if (isIpLiteral(std::string(name))) return HostVerdict::kAllowed;
  if (!policy.machineName.empty()) {
    if (iequals(name, policy.machineName)) return HostVerdict::kAllowed;
    if (iequals(name, policy.machineName + ".local")) return HostVerdict::kAllowed;
  }
  if (!policy.mdnsName.empty() && iequals(name, policy.mdnsName)) return HostVerdict::kAllowed;
  for (const auto& n : policy.names)
    if (iequals(name, n)) return HostVerdict::kAllowed;
  return HostVerdict::kForeign;
}

}  // namespace ferry
