#pragma once

// Which of this machine's addresses go into links, best first: a pure
// function over a recorded list of interfaces, so that a laptop on Wi-Fi
// with Docker and a VPN, a desktop with two network cards or Windows with
// Hyper-V and VirtualBox can be checked anywhere. Gathering the live list
// is network_state.h's job. Any thread.

#include <QList>
#include <QString>

namespace ferry::ui {

// One interface as the OS reports it (QNetworkInterface, plus the default
// route, which Qt does not give).
struct InterfaceRecord {
  enum class Type { Unknown, Ethernet, Wifi, Virtual, PointToPoint, Loopback, Other };
  struct Address {
    QString ip;              // "192.168.1.20", "2a01:e0a::5"
    bool temporary = false;  // an IPv6 privacy address: it changes, links must not
  };

  QString name;       // "wlp2s0", "docker0"; on Windows Qt's "ethernet_32768"
  QString humanName;  // "Wi-Fi", "vEthernet (Default Switch)"; on Linux the name
  Type type = Type::Unknown;
  bool up = false;
  bool running = false;
  bool defaultRoute = false;  // the interface of the default route
  QList<Address> addresses;
};

// What kind of network an address is on, as far as its interface tells.
enum class AdapterKind { Wifi, Ethernet, Vpn, VirtualMachine, Container, Loopback, HostName, Other };

struct LinkAddress {
  QString host;       // what goes into the link
  QString interfaceName;  // the interface's human name; "" for a host name
  AdapterKind kind = AdapterKind::Other;
  // VPNs, containers, virtual machines and carrier-grade NAT: up, but what
  // they reach is rarely the phone next to you.
  bool unlikely = false;
  QString label;  // "Wi-Fi — 192.168.1.20", for menus
};

// Every address worth offering, best first, as core's rankLanAddresses()
// orders them (lan_ranking.h: real adapters before unlikely ones, IPv4
// before IPv6, the default route's first, private LAN ranges before the
// rest), the host name (`hostName`, and `mdnsName`, what a running mDNS
// responder publishes, e.g. "mypc.local") after the real adapters, and
// 127.0.0.1 last. Down interfaces, loopback, link-local and temporary IPv6
// addresses are left out.
QList<LinkAddress> rankAddresses(const QList<InterfaceRecord>& interfaces, const QString& hostName = {},
                                 const QString& mdnsName = {});

// The address links use when the user has not chosen one: the best IP
// address of the ranking (never a host name: phones resolve `.local`
// unreliably), else 127.0.0.1.
QString automaticHost(const QList<LinkAddress>& ranked);

// Whether `host` is an address of this machine the ranking could offer
// (an IP literal), as opposed to a name the user typed.
bool isIpLiteral(const QString& host);

// The words for a kind, as the "Links use" menu says them.
QString adapterKindName(AdapterKind kind);

}  // namespace ferry::ui
