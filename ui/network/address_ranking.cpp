#include "network/address_ranking.h"

#include <vector>

#include <QCoreApplication>
#include <QHostAddress>
#include <QSet>

#include "lan_ranking.h"

namespace ferry::ui {
namespace {

AdapterKind kindOf(LanKind k) {
  switch (k) {
    case LanKind::Wifi: return AdapterKind::Wifi;
    case LanKind::Ethernet: return AdapterKind::Ethernet;
    case LanKind::Vpn: return AdapterKind::Vpn;
    case LanKind::VirtualMachine: return AdapterKind::VirtualMachine;
    case LanKind::Container: return AdapterKind::Container;
    case LanKind::Other: return AdapterKind::Other;
  }
  return AdapterKind::Other;
}

// The two Type enums list the same kinds in the same order.
static_assert(static_cast<int>(InterfaceRecord::Type::Other) == static_cast<int>(NetInterface::Type::Other) &&
              static_cast<int>(InterfaceRecord::Type::Loopback) == static_cast<int>(NetInterface::Type::Loopback));

NetInterface toCore(const InterfaceRecord& i) {
  NetInterface n;
  n.name = i.name.toStdString();
  n.humanName = i.humanName.toStdString();
  n.type = static_cast<NetInterface::Type>(i.type);
  n.up = i.up;
  n.running = i.running;
  n.defaultRoute = i.defaultRoute;
  for (const InterfaceRecord::Address& a : i.addresses) n.addresses.push_back({a.ip.toStdString(), a.temporary});
  return n;
}

bool kindAlwaysNamesInterface(AdapterKind k) {
  return k == AdapterKind::Vpn || k == AdapterKind::VirtualMachine || k == AdapterKind::Container ||
         k == AdapterKind::Other;
}

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

QList<LinkAddress> rankAddresses(const QList<InterfaceRecord>& interfaces, const QString& hostName,
                                 const QString& mdnsName) {
  std::vector<NetInterface> records;
  records.reserve(static_cast<std::size_t>(interfaces.size()));
  for (const InterfaceRecord& i : interfaces) records.push_back(toCore(i));
  QList<LinkAddress> found;
  for (const LanAddress& a : rankLanAddresses(records))
    found.push_back({QString::fromStdString(a.host), QString::fromStdString(a.interfaceName), kindOf(a.kind), a.unlikely, {}});

  // Name the interface where the kind alone would not tell two apart.
  QHash<AdapterKind, QSet<QString>> interfacesOfKind;
  for (const LinkAddress& l : found) interfacesOfKind[l.kind].insert(l.interfaceName);

  QList<LinkAddress> out;
  auto labelled = [&](LinkAddress l) {
    const QString kind = adapterKindName(l.kind);
    const bool named = !l.interfaceName.isEmpty() && l.interfaceName.compare(kind, Qt::CaseInsensitive) != 0 &&
                       (kindAlwaysNamesInterface(l.kind) || interfacesOfKind.value(l.kind).size() > 1);
    l.label = named ? QStringLiteral("%1 (%2) — %3").arg(kind, l.interfaceName, l.host)
                    : QStringLiteral("%1 — %2").arg(kind, l.host);
    return l;
  };
  qsizetype firstUnlikely = 0;
  for (const LinkAddress& l : found) {
    out.push_back(labelled(l));
    if (!l.unlikely) firstUnlikely = out.size();
  }
  // The machine's name sits after the real adapters: it reaches whoever
  // resolves it, which a laptop's VPN address rarely does.
  QList<LinkAddress> names;
  if (!hostName.isEmpty() && hostName.compare(QLatin1String("localhost"), Qt::CaseInsensitive) != 0)
    names.push_back(labelled({hostName, {}, AdapterKind::HostName, false, {}}));
  // The name the mDNS responder publishes, which is not always the host
  // name plus ".local" (Avahi renames "mypc" to "mypc-2" on a collision).
  if (!mdnsName.isEmpty() && mdnsName.compare(hostName, Qt::CaseInsensitive) != 0)
    names.push_back(labelled({mdnsName, {}, AdapterKind::HostName, false, {}}));
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
