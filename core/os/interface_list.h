#pragma once

// This machine's network interfaces as the OS reports them, for choosing
// the address links use (lan_ranking.h ranks them). getifaddrs() on POSIX,
// with what Linux adds in /proc and /sys (the default route, interface
// types, IPv6 privacy addresses); GetAdaptersAddresses() on Windows. The
// window gathers the same facts through Qt (ui/network/link_hosts.h); headless has
// no Qt, so it asks here. Any thread.

#include <string>
#include <vector>

namespace ferry {

struct NetInterface {
  enum class Type { Unknown, Ethernet, Wifi, Virtual, PointToPoint, Loopback, Other };
  struct Address {
    std::string ip;          // "192.168.1.20", "2a01:e0a::5"
    bool temporary = false;  // an IPv6 privacy address: it changes, links must not
  };

  std::string name;       // "wlp2s0", "docker0"; on Windows the adapter's GUID
  std::string humanName;  // "Wi-Fi", "vEthernet (Default Switch)"; on POSIX the name
  Type type = Type::Unknown;
  bool up = false;
  bool running = false;
  bool multicast = false;     // can send and receive multicast (LocalSend's discovery)
  bool defaultRoute = false;  // the interface of the default route
  std::vector<Address> addresses;
};

// The interfaces now, in the OS's order; empty if it cannot say.
std::vector<NetInterface> listInterfaces();

}  // namespace ferry
