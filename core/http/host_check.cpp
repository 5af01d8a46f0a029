#include "host_check.h"

#include "http_request.h"
#include "net_address.h"

namespace ferry {

bool hostAllowed(std::string_view host, const HostPolicy& policy) {
  if (policy.allowAny) return true;
  if (host.empty()) return false;
  std::string_view name = host;
  if (name.front() == '[') {
    auto close = name.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    return isIpLiteral(std::string(name.substr(1, close - 1)));
  }
  if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = name.substr(colon + 1);
    for (char c : port)
      if (c < '0' || c > '9') return false;
    name = name.substr(0, colon);
  }
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // FQDN form
  if (name.empty()) return false;
  if (iequals(name, "localhost")) return true;
  if (isIpLiteral(std::string(name))) return true;
  if (!policy.machineName.empty()) {
    if (iequals(name, policy.machineName)) return true;
    if (iequals(name, policy.machineName + ".local")) return true;
  }
  for (const auto& n : policy.names)
    if (iequals(name, n)) return true;
  return false;
}

}  // namespace ferry
