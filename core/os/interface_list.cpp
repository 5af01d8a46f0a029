#include "interface_list.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#ifdef _WIN32
#include <winsock2.h>
#include <iphlpapi.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#endif

#include "net_address.h"

namespace ferry {
namespace {

using Type = NetInterface::Type;

#ifdef __linux__
// Linux says what getifaddrs() does not in /proc and /sys: which
// interfaces carry a default route (/proc/net/route, destination 00000000;
// /proc/net/ipv6_route, a ::/0 prefix), which IPv6 addresses are privacy
// addresses (/proc/net/if_inet6, IFA_F_TEMPORARY), and each interface's
// hardware type (ARPHRD_* in /sys/class/net/NAME/type; Wi-Fi in managed
// mode reports as Ethernet there, and has a wireless/ folder).
std::set<std::string> defaultRouteInterfaces() {
  std::set<std::string> out;
  std::ifstream v4("/proc/net/route");
  std::string line;
  std::getline(v4, line);  // the header
  while (std::getline(v4, line)) {
    std::istringstream f(line);
    std::string dev, dest;
    if (f >> dev >> dest && dest == "00000000") out.insert(dev);
  }
  std::ifstream v6("/proc/net/ipv6_route");
  while (std::getline(v6, line)) {
    std::istringstream f(line);
    std::vector<std::string> fields;
    for (std::string w; f >> w;) fields.push_back(w);
    // dest, dest prefix length, ..., device last; "lo" carries the
    // unreachable default of a host without IPv6.
    if (fields.size() >= 10 && fields[0] == std::string(32, '0') && fields[1] == "00" && fields.back() != "lo")
      out.insert(fields.back());
  }
  return out;
}

std::set<std::string> temporaryAddresses() {
  constexpr unsigned kTemporary = 0x01;  // IFA_F_TEMPORARY, linux/if_addr.h
  std::set<std::string> out;
  std::ifstream in("/proc/net/if_inet6");
  std::string hex, index, prefix, scope, flags, dev;
  while (in >> hex >> index >> prefix >> scope >> flags >> dev) {
    if (hex.size() != 32 || !(std::strtoul(flags.c_str(), nullptr, 16) & kTemporary)) continue;
    in6_addr a{};
    for (int i = 0; i < 16; ++i)
      a.s6_addr[i] = static_cast<unsigned char>(std::strtoul(hex.substr(2 * i, 2).c_str(), nullptr, 16));
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &a, buf, sizeof buf)) out.insert(buf);
  }
  return out;
}

Type linuxType(const std::string& name) {
  std::ifstream in("/sys/class/net/" + name + "/type");
  int arphrd = -1;
  if (!(in >> arphrd)) return Type::Unknown;
  switch (arphrd) {
    case 1: {  // ARPHRD_ETHER
      std::error_code ec;
      return std::filesystem::exists("/sys/class/net/" + name + "/wireless", ec) ? Type::Wifi : Type::Ethernet;
    }
    case 512: return Type::PointToPoint;  // ARPHRD_PPP
    case 772: return Type::Loopback;      // ARPHRD_LOOPBACK
    case 768:                             // ARPHRD_TUNNEL
    case 769:                             // ARPHRD_TUNNEL6
    case 776:                             // ARPHRD_SIT
    case 778:                             // ARPHRD_IPGRE
    case 0xfffe:                          // ARPHRD_NONE: tun, WireGuard
    case 0xffff:                          // ARPHRD_VOID
      return Type::Virtual;
    case 801: return Type::Wifi;  // ARPHRD_IEEE80211
    default: return Type::Other;
  }
}
#endif

#ifdef _WIN32
std::string utf8(const wchar_t* w) {
  if (!w) return {};
  const int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
  if (n <= 1) return {};
  std::string out(static_cast<std::size_t>(n - 1), '\0');
  WideCharToMultiByte(CP_UTF8, 0, w, -1, out.data(), n, nullptr, nullptr);
  return out;
}

Type windowsType(IFTYPE t) {
  switch (t) {
    case IF_TYPE_ETHERNET_CSMACD: return Type::Ethernet;
    case IF_TYPE_IEEE80211: return Type::Wifi;
    case IF_TYPE_SOFTWARE_LOOPBACK: return Type::Loopback;
    case IF_TYPE_PPP: return Type::PointToPoint;
    case IF_TYPE_TUNNEL: return Type::Virtual;
    default: return Type::Other;
  }
}
#endif

}  // namespace

#ifdef _WIN32
// GetAdaptersAddresses (iphlpapi.h): FriendlyName is what Settings and Qt's
// humanReadableName() show; a gateway means the adapter carries a default
// route; SuffixOrigin IpSuffixOriginRandom marks an IPv6 privacy address.
// https://learn.microsoft.com/en-us/windows/win32/api/iphlpapi/nf-iphlpapi-getadaptersaddresses
std::vector<NetInterface> listInterfaces() {
  constexpr ULONG kFlags =
      GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
  std::vector<unsigned char> buf(16 << 10);
  ULONG size = static_cast<ULONG>(buf.size());
  ULONG rc = ERROR_BUFFER_OVERFLOW;
  // The list can grow between the two calls: try a few times.
  for (int attempt = 0; attempt < 4 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
    buf.resize(size);
    rc = GetAdaptersAddresses(AF_UNSPEC, kFlags, nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()), &size);
  }
  std::vector<NetInterface> out;
  if (rc != NO_ERROR) return out;
  for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()); a; a = a->Next) {
    NetInterface r;
    r.name = a->AdapterName ? a->AdapterName : "";
    r.humanName = utf8(a->FriendlyName);
    r.type = windowsType(a->IfType);
    r.up = r.running = a->OperStatus == IfOperStatusUp;
    r.multicast = !(a->Flags & IP_ADAPTER_NO_MULTICAST);
    r.defaultRoute = a->FirstGatewayAddress != nullptr;
    for (auto* u = a->FirstUnicastAddress; u; u = u->Next) {
      const std::string ip = addressToString(u->Address.lpSockaddr);
      if (!ip.empty()) r.addresses.push_back({ip, u->SuffixOrigin == IpSuffixOriginRandom});
    }
    out.push_back(std::move(r));
  }
  return out;
}
#else
std::vector<NetInterface> listInterfaces() {
  std::vector<NetInterface> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
#ifdef __linux__
  const std::set<std::string> defaults = defaultRouteInterfaces();
  const std::set<std::string> temporary = temporaryAddresses();
#endif
  // getifaddrs() gives one entry per address: gather them by interface, in
  // the order the interfaces first appear.
  for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
    if (!ifa->ifa_name) continue;
    const std::string name = ifa->ifa_name;
    auto it = std::find_if(out.begin(), out.end(), [&](const NetInterface& i) { return i.name == name; });
    if (it == out.end()) {
      NetInterface r;
      r.name = r.humanName = name;
      r.up = ifa->ifa_flags & IFF_UP;
      r.running = ifa->ifa_flags & IFF_RUNNING;
      r.multicast = ifa->ifa_flags & IFF_MULTICAST;
      if (ifa->ifa_flags & IFF_LOOPBACK)
        r.type = Type::Loopback;
      else if (ifa->ifa_flags & IFF_POINTOPOINT)
        r.type = Type::PointToPoint;
#ifdef __linux__
      else
        r.type = linuxType(name);
      r.defaultRoute = defaults.count(name) > 0;
#endif
      out.push_back(std::move(r));
      it = std::prev(out.end());
    }
    if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6)) continue;
    const std::string ip = addressToString(ifa->ifa_addr);
    if (ip.empty()) continue;
    bool temp = false;
#ifdef __linux__
    temp = ifa->ifa_addr->sa_family == AF_INET6 && temporary.count(ip) > 0;
#endif
    it->addresses.push_back({ip, temp});
  }
  freeifaddrs(list);
  return out;
}
#endif

}  // namespace ferry
