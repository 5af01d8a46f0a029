#include "link_hosts.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkInterface>

namespace ferry::ui {
namespace {

bool usable(const QNetworkInterface& i) {
  auto f = i.flags();
  return f.testFlag(QNetworkInterface::IsUp) && f.testFlag(QNetworkInterface::IsRunning) &&
         !f.testFlag(QNetworkInterface::IsLoopBack);
}

// Lower is better: real LAN ranges before VPNs, containers and the rest.
int rank(const QHostAddress& a) {
  if (a.isInSubnet(QHostAddress(QStringLiteral("192.168.0.0")), 16)) return 0;
  if (a.isInSubnet(QHostAddress(QStringLiteral("10.0.0.0")), 8)) return 1;
  if (a.isInSubnet(QHostAddress(QStringLiteral("172.16.0.0")), 12)) return 2;
  if (a.isLinkLocal()) return 4;
  return 3;
}

}  // namespace

QString primaryLanAddress() {
  QString best;
  int bestRank = 100;
  for (const QNetworkInterface& i : QNetworkInterface::allInterfaces()) {
    if (!usable(i)) continue;
    // Container bridges are up on many developer machines but reach no one.
    if (i.name().startsWith(QLatin1String("docker")) || i.name().startsWith(QLatin1String("veth")) ||
        i.name().startsWith(QLatin1String("br-")))
      continue;
    for (const QNetworkAddressEntry& e : i.addressEntries()) {
      QHostAddress a = e.ip();
      if (a.protocol() != QAbstractSocket::IPv4Protocol || a.isLoopback()) continue;
      int r = rank(a);
      if (r < bestRank) {
        bestRank = r;
        best = a.toString();
      }
    }
  }
  return best;
}

QStringList machineAddresses() {
  QList<QPair<int, QString>> found;
  for (const QNetworkInterface& i : QNetworkInterface::allInterfaces()) {
    if (!usable(i)) continue;
    for (const QNetworkAddressEntry& e : i.addressEntries()) {
      QHostAddress a = e.ip();
      if (a.isLoopback()) continue;
      if (a.protocol() == QAbstractSocket::IPv4Protocol) {
        found.push_back({rank(a), a.toString()});
      } else if (a.protocol() == QAbstractSocket::IPv6Protocol && !a.isLinkLocal()) {
        found.push_back({10, a.toString()});
      }
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  QStringList out;
  for (const auto& [r, a] : found)
    if (!out.contains(a)) out.push_back(a);
  QString name = QHostInfo::localHostName();
  if (!name.isEmpty() && name != QLatin1String("localhost")) {
    out.push_back(name);
    if (!name.contains(QLatin1Char('.'))) out.push_back(name + QStringLiteral(".local"));
  }
  out.push_back(QStringLiteral("127.0.0.1"));
  return out;
}

QString effectiveLinkHost(const QString& chosen, const QString& bind) {
  if (!chosen.isEmpty()) return chosen;
  static const QStringList wildcard = {QString(), QStringLiteral("0.0.0.0"), QStringLiteral("::"),
                                       QStringLiteral("[::]"), QStringLiteral("*")};
  if (!wildcard.contains(bind)) return bind;
  QString lan = primaryLanAddress();
  return lan.isEmpty() ? QStringLiteral("127.0.0.1") : lan;
}

QString linkPrefix(const QString& host, quint16 port) {
  QString h = host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('[')) ? QLatin1Char('[') + host + QLatin1Char(']')
                                                                                    : host;
  return QStringLiteral("http://%1:%2/").arg(h).arg(port);
}

}  // namespace ferry::ui
