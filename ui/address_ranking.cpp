#include "address_ranking.h"

#include <algorithm>
#include <tuple>

#include <QCoreApplication>
#include <QHostAddress>
#include <QSet>

namespace ferry::ui {
namespace {

using Type = InterfaceRecord::Type;

bool startsWithAny(const QString& s, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes)
    if (s.startsWith(QLatin1String(p), Qt::CaseInsensitive)) return true;
  return false;
}

bool containsAny(const QString& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s.contains(QLatin1String(w), Qt::CaseInsensitive)) return true;
  return false;
}

// Names matter more than types: on Linux Qt reports only tunnels as
// Virtual, so Docker's, libvirt's and VirtualBox's bridges all look like
// Ethernet; on Windows Hyper-V's switch is "vEthernet (…)", of type Ethernet.
AdapterKind kindOf(const InterfaceRecord& i, const QHostAddress& a) {
  const QString& n = i.name;
  const QString& h = i.humanName;
  if (i.type == Type::Loopback) return AdapterKind::Loopback;
  if (startsWithAny(n, {"docker", "veth", "br-", "cni", "flannel", "podman", "lxcbr", "lxdbr"}) ||
      containsAny(h, {"docker"}))
    return AdapterKind::Container;
  if (startsWithAny(n, {"virbr", "vmnet", "vboxnet", "vnic"}) ||
      containsAny(h, {"vethernet", "hyper-v", "virtualbox", "vmware", "wsl", "parallels"}) ||
      // VirtualBox's host-only network, whatever Windows calls the adapter.
      a.isInSubnet(QHostAddress(QStringLiteral("192.168.56.0")), 24))
    return AdapterKind::VirtualMachine;
  if (startsWithAny(n, {"tun", "tap", "wg", "utun", "tailscale", "zt", "ppp", "ipsec", "nordlynx", "proton"}) ||
      containsAny(h, {"vpn", "tap-windows", "wireguard", "tailscale", "zerotier", "openvpn", "wintun"}) ||
      i.type == Type::Virtual || i.type == Type::PointToPoint ||
      // Carrier-grade NAT space: Tailscale's addresses, or a provider's NAT
      // that no device beside you shares.
      a.isInSubnet(QHostAddress(QStringLiteral("100.64.0.0")), 10))
    return AdapterKind::Vpn;
  if (i.type == Type::Wifi || startsWithAny(n, {"wl"}) || containsAny(h, {"wi-fi", "wifi", "wireless", "wlan"}))
    return AdapterKind::Wifi;
  if (i.type == Type::Ethernet || startsWithAny(n, {"en", "eth"}) || containsAny(h, {"ethernet"}))
    return AdapterKind::Ethernet;
  return AdapterKind::Other;
}

// Lower is better among addresses of one family.
int rangeRank(const QHostAddress& a) {
  if (a.protocol() == QAbstractSocket::IPv4Protocol) {
    if (a.isInSubnet(QHostAddress(QStringLiteral("192.168.0.0")), 16)) return 0;
    if (a.isInSubnet(QHostAddress(QStringLiteral("10.0.0.0")), 8)) return 1;
    if (a.isInSubnet(QHostAddress(QStringLiteral("172.16.0.0")), 12)) return 2;
    return 3;
  }
  // A unique local IPv6 address stays put while the provider's prefix moves.
  return a.isUniqueLocalUnicast() ? 0 : 1;
}

bool kindAlwaysNamesInterface(AdapterKind k) {
  return k == AdapterKind::Vpn || k == AdapterKind::VirtualMachine || k == AdapterKind::Container ||
         k == AdapterKind::Other;
}

struct Candidate {
  LinkAddress link;
  bool ipv6 = false;
  bool defaultRoute = false;
  int range = 0;
  int order = 0;
};

}  // namespace

QString adapterKindName(AdapterKind kind) {
  switch (kind) {
    case AdapterKind::Wifi: return QCoreApplication::translate("ferry::ui", "Wi-Fi");
    case AdapterKind::Ethernet: return QCoreApplication::translate("ferry::ui", "Ethernet");
    case AdapterKind::Vpn: return QCoreApplication::translate("ferry::ui", "VPN");
    case AdapterKind::VirtualMachine: return QCoreApplication::translate("ferry::ui", "Virtual machines");
    case AdapterKind::Container: return QCoreApplication::translate("ferry::ui", "Containers");
    case AdapterKind::Loopback: return QCoreApplication::translate("ferry::ui", "This computer only");
    case AdapterKind::HostName: return QCoreApplication::translate("ferry::ui", "This computer's name");
    case AdapterKind::Other: return QCoreApplication::translate("ferry::ui", "Network");
  }
  return {};
}

QList<LinkAddress> rankAddresses(const QList<InterfaceRecord>& interfaces, const QString& hostName, bool mdnsName) {
  QList<Candidate> found;
  QSet<QString> seen;
  for (const InterfaceRecord& i : interfaces) {
    if (!i.up || !i.running || i.type == Type::Loopback) continue;
    for (const InterfaceRecord::Address& e : i.addresses) {
      QHostAddress a(e.ip);
      if (a.isNull() || a.isLoopback() || a.isLinkLocal() || a.isMulticast() || a == QHostAddress::AnyIPv4 || a == QHostAddress::AnyIPv6) continue;
      const bool ipv6 = a.protocol() == QAbstractSocket::IPv6Protocol;
      if (ipv6 && e.temporary) continue;
      a.setScopeId(QString());
      const QString host = a.toString();
      if (seen.contains(host)) continue;
      seen.insert(host);
      Candidate c;
      c.link.host = host;
      c.link.interface = i.humanName.isEmpty() ? i.name : i.humanName;
      c.link.kind = kindOf(i, a);
      if (c.link.kind == AdapterKind::Loopback) continue;
      c.link.unlikely = c.link.kind == AdapterKind::Vpn || c.link.kind == AdapterKind::VirtualMachine ||
                        c.link.kind == AdapterKind::Container;
      c.ipv6 = ipv6;
      c.defaultRoute = i.defaultRoute;
      c.range = rangeRank(a);
      c.order = static_cast<int>(found.size());
      found.push_back(c);
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const Candidate& x, const Candidate& y) {
    return std::tuple(x.link.unlikely, x.ipv6, !x.defaultRoute, x.range, x.order) <
           std::tuple(y.link.unlikely, y.ipv6, !y.defaultRoute, y.range, y.order);
  });

  // Name the interface where the kind alone would not tell two apart.
  QHash<AdapterKind, QSet<QString>> interfacesOfKind;
  for (const Candidate& c : found) interfacesOfKind[c.link.kind].insert(c.link.interface);

  QList<LinkAddress> out;
  auto labelled = [&](LinkAddress l) {
    const QString kind = adapterKindName(l.kind);
    const bool named = !l.interface.isEmpty() && l.interface.compare(kind, Qt::CaseInsensitive) != 0 &&
                       (kindAlwaysNamesInterface(l.kind) || interfacesOfKind.value(l.kind).size() > 1);
    l.label = named ? QStringLiteral("%1 (%2) — %3").arg(kind, l.interface, l.host)
                    : QStringLiteral("%1 — %2").arg(kind, l.host);
    return l;
  };
  qsizetype firstUnlikely = 0;
  for (const Candidate& c : found) {
    out.push_back(labelled(c.link));
    if (!c.link.unlikely) firstUnlikely = out.size();
  }
  // The machine's name sits after the real adapters: it reaches whoever
  // resolves it, which a laptop's VPN address rarely does.
  QList<LinkAddress> names;
  if (!hostName.isEmpty() && hostName.compare(QLatin1String("localhost"), Qt::CaseInsensitive) != 0) {
    names.push_back(labelled({hostName, {}, AdapterKind::HostName, false, {}}));
    if (mdnsName && !hostName.contains(QLatin1Char('.')))
      names.push_back(labelled({hostName + QStringLiteral(".local"), {}, AdapterKind::HostName, false, {}}));
  }
  for (qsizetype k = 0; k < names.size(); ++k) out.insert(firstUnlikely + k, names[k]);
  out.push_back(labelled({QStringLiteral("127.0.0.1"), {}, AdapterKind::Loopback, false, {}}));
  return out;
}

QString automaticHost(const QList<LinkAddress>& ranked) {
  for (const LinkAddress& l : ranked)
    if (l.kind != AdapterKind::HostName && l.kind != AdapterKind::Loopback) return l.host;
  return QStringLiteral("127.0.0.1");
}

bool isIpLiteral(const QString& host) {
  QString h = host;
  if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']'))) h = h.mid(1, h.size() - 2);
  return !QHostAddress(h).isNull();
}

}  // namespace ferry::ui
