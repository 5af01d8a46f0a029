#include "link_hosts.h"

#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QNetworkInterface>
#include <QSet>

namespace ferry::ui {
namespace {

// Interfaces that carry a default route. Qt does not say; Linux does, in
// /proc/net/route (destination 00000000) and /proc/net/ipv6_route (a ::/0
// prefix). Elsewhere the set stays empty and the ranking goes by kind and
// address range alone.
QSet<QString> defaultRouteInterfaces() {
  QSet<QString> out;
#ifdef Q_OS_LINUX
  QFile v4(QStringLiteral("/proc/net/route"));
  if (v4.open(QIODevice::ReadOnly)) {
    v4.readLine();  // the header
    while (!v4.atEnd()) {
      const QList<QByteArray> f = v4.readLine().simplified().split(' ');
      if (f.size() > 2 && f[1] == "00000000") out.insert(QString::fromLatin1(f[0]));
    }
  }
  QFile v6(QStringLiteral("/proc/net/ipv6_route"));
  if (v6.open(QIODevice::ReadOnly)) {
    while (!v6.atEnd()) {
      const QList<QByteArray> f = v6.readLine().simplified().split(' ');
      // dest, dest prefix length, ..., device last; "lo" carries the
      // unreachable default of a host without IPv6.
      if (f.size() >= 10 && f[0] == QByteArray(32, '0') && f[1] == "00" && f.last() != "lo")
        out.insert(QString::fromLatin1(f.last()));
    }
  }
#endif
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
    r.defaultRoute = defaults.contains(i.name());
    for (const QNetworkAddressEntry& e : i.addressEntries()) r.addresses.push_back({e.ip().toString(), e.isTemporary()});
    out.push_back(r);
  }
  return out;
}

bool mdnsResponderRunning() {
#if defined(Q_OS_LINUX)
  return QFileInfo::exists(QStringLiteral("/run/avahi-daemon/socket")) ||
         QFileInfo::exists(QStringLiteral("/var/run/avahi-daemon/socket"));
#else
  return true;
#endif
}

QList<LinkAddress> rankedMachineAddresses() {
  return rankAddresses(liveInterfaces(), QHostInfo::localHostName(), mdnsResponderRunning());
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

QString linkPrefix(const QString& host, quint16 port) {
  QString h = host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('[')) ? QLatin1Char('[') + host + QLatin1Char(']')
                                                                                    : host;
  return QStringLiteral("http://%1:%2/").arg(h).arg(port);
}

}  // namespace ferry::ui
