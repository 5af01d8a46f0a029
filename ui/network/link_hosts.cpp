#include "network/link_hosts.h"

#include <QFileInfo>
#include <QHostInfo>
#include <QNetworkInterface>
#include <QSet>

#include "interface_list.h"

namespace ferry::ui {
namespace {

// Interfaces that carry a default route. Qt does not say; core reads it
// from the OS (interface_list.h), named as Qt names them on Linux and
// macOS, and by the adapter's friendly name on Windows.
QSet<QString> defaultRouteInterfaces() {
  QSet<QString> out;
  for (const NetInterface& i : listInterfaces()) {
    if (!i.defaultRoute) continue;
    out.insert(QString::fromStdString(i.name));
    out.insert(QString::fromStdString(i.humanName));
  }
  return out;
}

InterfaceRecord::Type typeOf(const QNetworkInterface& i) {
  using T = InterfaceRecord::Type;
  if (i.flags().testFlag(QNetworkInterface::IsLoopBack)) return T::Loopback;
  if (i.flags().testFlag(QNetworkInterface::IsPointToPoint)) return T::PointToPoint;
  switch (i.type()) {
    case QNetworkInterface::Loopback: return T::Loopback;
    case QNetworkInterface::Virtual: return T::Virtual;
    case QNetworkInterface::Ethernet:
#ifdef Q_OS_LINUX
      // Qt reports Wi-Fi in managed mode as Ethernet on Linux; sysfs knows.
      if (QFileInfo::exists(QStringLiteral("/sys/class/net/%1/wireless").arg(i.name()))) return T::Wifi;
#endif
      return T::Ethernet;
    case QNetworkInterface::Wifi: return T::Wifi;
    case QNetworkInterface::Ppp: return T::PointToPoint;
    case QNetworkInterface::Unknown: return T::Unknown;
    default: return T::Other;
  }
}

}  // namespace

QList<InterfaceRecord> liveInterfaces() {
  const QSet<QString> defaults = defaultRouteInterfaces();
  QList<InterfaceRecord> out;
  for (const QNetworkInterface& i : QNetworkInterface::allInterfaces()) {
    InterfaceRecord r;
    r.name = i.name();
    r.humanName = i.humanReadableName();
    r.type = typeOf(i);
    r.up = i.flags().testFlag(QNetworkInterface::IsUp);
    r.running = i.flags().testFlag(QNetworkInterface::IsRunning);
    r.defaultRoute = defaults.contains(i.name()) || defaults.contains(i.humanReadableName());
    for (const QNetworkAddressEntry& e : i.addressEntries()) r.addresses.push_back({e.ip().toString(), e.isTemporary()});
    out.push_back(r);
  }
  return out;
}

QList<LinkAddress> rankedMachineAddresses(const QString& mdnsName) {
  return rankAddresses(liveInterfaces(), QHostInfo::localHostName(), mdnsName);
}

QString primaryLanAddress() {
  const QString a = automaticHost(rankedMachineAddresses());
  return a == QLatin1String("127.0.0.1") ? QString() : a;
}

QStringList machineAddresses() {
  QStringList out;
  for (const LinkAddress& l : rankedMachineAddresses()) out.push_back(l.host);
  return out;
}

bool isWildcardBind(const QString& bind) {
  static const QStringList wildcard = {QString(), QStringLiteral("0.0.0.0"), QStringLiteral("::"),
                                       QStringLiteral("[::]"), QStringLiteral("*")};
  return wildcard.contains(bind);
}

QString effectiveLinkHost(const QString& chosen, const QString& bind, const QList<LinkAddress>& ranked) {
  if (!chosen.isEmpty()) return chosen;
  if (!isWildcardBind(bind)) return bind;
  return automaticHost(ranked);
}

QString effectiveLinkHost(const QString& chosen, const QString& bind) {
  if (!chosen.isEmpty()) return chosen;
  if (!isWildcardBind(bind)) return bind;
  return automaticHost(rankedMachineAddresses());
}

QString linkPrefix(const QString& host, quint16 port, bool secure) {
  QString h = host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('[')) ? QLatin1Char('[') + host + QLatin1Char(']')
                                                                                    : host;
  return QStringLiteral("%1://%2:%3/").arg(secure ? QStringLiteral("https") : QStringLiteral("http"), h).arg(port);
}

}  // namespace ferry::ui
