#pragma once

// Which of this machine's addresses go into links, best first: a pure
// function over a list of interfaces (interface_list.h), so that a laptop
// on Wi-Fi with Docker and a VPN, or Windows with Hyper-V and VirtualBox,
// can be checked anywhere. The window (ui/network/address_ranking.h, which adds
// host names and labels) and headless both rank through this one function,
// so both put the same address in links. Any thread.

#include <string>
#include <vector>

#include "interface_list.h"

namespace ferry {

// What kind of network an address is on, as far as its interface tells.
enum class LanKind { Wifi, Ethernet, Vpn, VirtualMachine, Container, Other };

struct LanAddress {
  std::string host;       // canonical text: "192.168.1.20", "2a01:e0a::5"
  std::string interfaceName;  // the interface's human name (else its name)
  LanKind kind = LanKind::Other;
  // VPNs, containers, virtual machines and carrier-grade NAT: up, but what
  // they reach is rarely the phone next to you.
  bool unlikely = false;
};

// Every address worth offering, best first: real adapters before unlikely
// ones, IPv4 before IPv6, the default route's first, private LAN ranges
// before the rest, then the OS's order. Down interfaces, loopback,
// link-local, multicast and temporary IPv6 addresses are left out.
std::vector<LanAddress> rankLanAddresses(const std::vector<NetInterface>& interfaces);

// The address other machines on the LAN would use to reach this one: the
// best of rankLanAddresses(listInterfaces()); "" if there is none.
std::string primaryLanAddress();

}  // namespace ferry
