#include "net_address.h"

#include <cstring>

#ifdef _WIN32
#include <iphlpapi.h>
#else
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>
#endif

namespace ferry {

std::string addressToString(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, reinterpret_cast<const char*>(&in6->sin6_addr) + 12, buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    }
  }
  return buf;
}

std::uint16_t portOf(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
  if (sa->sa_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
  return 0;
}

std::string endpointToString(const sockaddr* sa) {
  std::string host = addressToString(sa);
  return hostForUrl(host, portOf(sa));
}

std::string hostForUrl(const std::string& host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool isIpLiteral(const std::string& hostIn) {
  std::string host = hostIn;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string primaryLanAddress() {
#ifdef _WIN32
  // Without a route query, ask the stack which source address it would use
  // for an outside destination; connect() on UDP sends nothing.
  SOCKET s = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (s == INVALID_SOCKET) return {};
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(9);
  inet_pton(AF_INET, "192.0.2.1", &dst.sin_addr);
  std::string out;
  if (::connect(s, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0) {
    sockaddr_in local{};
    int len = sizeof local;
    if (::getsockname(s, reinterpret_cast<sockaddr*>(&local), &len) == 0)
      out = addressToString(reinterpret_cast<sockaddr*>(&local));
  }
  ::closesocket(s);
  return out == "0.0.0.0" ? std::string() : out;
#else
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string best;
  for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
    if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET) continue;
    if (!(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK)) continue;
    std::string a = addressToString(ifa->ifa_addr);
    // Prefer private LAN ranges over anything else (VPNs, link-local).
    bool lan = a.rfind("192.168.", 0) == 0 || a.rfind("10.", 0) == 0 || a.rfind("172.", 0) == 0;
    if (best.empty() || (lan && !(best.rfind("192.168.", 0) == 0 || best.rfind("10.", 0) == 0 ||
                                  best.rfind("172.", 0) == 0)))
      best = a;
  }
  freeifaddrs(list);
  return best;
#endif
}

std::string localHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace ferry
