#include "lan_ranking.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <set>
#include <tuple>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

namespace ferry {
namespace {

using Type = NetInterface::Type;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithAny(const std::string& s, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes) {
    const std::size_t n = std::strlen(p);
    if (s.size() >= n && std::equal(p, p + n, s.begin(), [](char a, char b) { return lower(a) == lower(b); }))
      return true;
  }
  return false;
}

bool containsAny(const std::string& s, std::initializer_list<const char*> words) {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), lower);
  for (const char* w : words)
    if (l.find(w) != std::string::npos) return true;
  return false;
}

// An address as bytes: 4 for IPv4, 16 for IPv6.
struct Ip {
  bool v6 = false;
  std::array<std::uint8_t, 16> b{};

  // Whether the first `bits` bits equal those of `prefix` (same family).
  bool in(std::initializer_list<std::uint8_t> prefix, int bits) const {
    auto p = prefix.begin();
    for (int i = 0; bits > 0; ++i, ++p, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
      if ((b[static_cast<std::size_t>(i)] & mask) != (*p & mask)) return false;
    }
    return true;
  }
};

// Parses "192.168.1.20", "2a01:e0a::5" or "fe80::1%eth0" (the scope is
// dropped); false for anything else.
bool parseIp(const std::string& text, Ip& ip, std::string& canonical) {
  const std::string bare = text.substr(0, text.find('%'));
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, bare.c_str(), ip.b.data()) == 1) {
    ip.v6 = false;
    inet_ntop(AF_INET, ip.b.data(), buf, sizeof buf);
  } else if (inet_pton(AF_INET6, bare.c_str(), ip.b.data()) == 1) {
    ip.v6 = true;
    inet_ntop(AF_INET6, ip.b.data(), buf, sizeof buf);
  } else {
    return false;
  }
  canonical = buf;
  return true;
}

// Loopback, link-local (needs a scope a link cannot carry), multicast, the
// unspecified address and IPv4-mapped IPv6: nothing another device can use.
bool unusable(const Ip& a) {
  if (!a.v6) return a.in({127}, 8) || a.in({169, 254}, 16) || a.in({224}, 4) || a.in({0, 0, 0, 0}, 32);
  static const std::array<std::uint8_t, 16> loopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const std::array<std::uint8_t, 16> any = {};
  return a.b == loopback || a.b == any || a.in({0xfe, 0x80}, 10) || a.in({0xff}, 8) ||
         a.in({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96);
}

// Names matter more than types: on Linux only tunnels report as Virtual,
// so Docker's, libvirt's and VirtualBox's bridges all look like Ethernet;
// on Windows Hyper-V's switch is "vEthernet (…)", of type Ethernet.
LanKind kindOf(const NetInterface& i, const Ip& a) {
  const std::string& n = i.name;
  const std::string& h = i.humanName;
  if (startsWithAny(n, {"docker", "veth", "br-", "cni", "flannel", "podman", "lxcbr", "lxdbr"}) ||
      containsAny(h, {"docker"}))
    return LanKind::Container;
  if (startsWithAny(n, {"virbr", "vmnet", "vboxnet", "vnic"}) ||
      containsAny(h, {"vethernet", "hyper-v", "virtualbox", "vmware", "wsl", "parallels"}) ||
      // VirtualBox's host-only network, whatever Windows calls the adapter.
      (!a.v6 && a.in({192, 168, 56}, 24)))
    return LanKind::VirtualMachine;
  if (startsWithAny(n, {"tun", "tap", "wg", "utun", "tailscale", "zt", "ppp", "ipsec", "nordlynx", "proton"}) ||
      containsAny(h, {"vpn", "tap-windows", "wireguard", "tailscale", "zerotier", "openvpn", "wintun"}) ||
      i.type == Type::Virtual || i.type == Type::PointToPoint ||
      // Carrier-grade NAT space: Tailscale's addresses, or a provider's NAT
      // that no device beside you shares.
      (!a.v6 && a.in({100, 64}, 10)))
    return LanKind::Vpn;
  if (i.type == Type::Wifi || startsWithAny(n, {"wl"}) || containsAny(h, {"wi-fi", "wifi", "wireless", "wlan"}))
    return LanKind::Wifi;
  if (i.type == Type::Ethernet || startsWithAny(n, {"en", "eth"}) || containsAny(h, {"ethernet"}))
    return LanKind::Ethernet;
  return LanKind::Other;
}

// Lower is better among addresses of one family.
int rangeRank(const Ip& a) {
  if (!a.v6) {
    if (a.in({192, 168}, 16)) return 0;
    if (a.in({10}, 8)) return 1;
    if (a.in({172, 16}, 12)) return 2;
    return 3;
  }
  // A unique local IPv6 address stays put while the provider's prefix moves.
  return a.in({0xfc}, 7) ? 0 : 1;
}

struct Candidate {
  LanAddress link;
  bool ipv6 = false;
  bool defaultRoute = false;
  int range = 0;
  std::size_t order = 0;
};

}  // namespace

std::vector<LanAddress> rankLanAddresses(const std::vector<NetInterface>& interfaces) {
  std::vector<Candidate> found;
  std::set<std::string> seen;
  for (const NetInterface& i : interfaces) {
    if (!i.up || !i.running || i.type == Type::Loopback) continue;
    for (const NetInterface::Address& e : i.addresses) {
      Ip a;
      std::string host;
      if (!parseIp(e.ip, a, host) || unusable(a)) continue;
      if (a.v6 && e.temporary) continue;
      if (!seen.insert(host).second) continue;
      Candidate c;
      c.link.host = host;
      c.link.interfaceName = i.humanName.empty() ? i.name : i.humanName;
      c.link.kind = kindOf(i, a);
      c.link.unlikely =
          c.link.kind == LanKind::Vpn || c.link.kind == LanKind::VirtualMachine || c.link.kind == LanKind::Container;
      c.ipv6 = a.v6;
      c.defaultRoute = i.defaultRoute;
      c.range = rangeRank(a);
      c.order = found.size();
      found.push_back(c);
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const Candidate& x, const Candidate& y) {
    return std::tuple(x.link.unlikely, x.ipv6, !x.defaultRoute, x.range, x.order) <
           std::tuple(y.link.unlikely, y.ipv6, !y.defaultRoute, y.range, y.order);
  });
  std::vector<LanAddress> out;
  out.reserve(found.size());
  for (Candidate& c : found) out.push_back(std::move(c.link));
  return out;
}

std::string primaryLanAddress() {
  const std::vector<LanAddress> ranked = rankLanAddresses(listInterfaces());
  return ranked.empty() ? std::string() : ranked.front().host;
}

}  // namespace ferry
