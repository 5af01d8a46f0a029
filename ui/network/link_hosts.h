#pragma once

// The addresses this machine can be reached at, for the host part of links:
// the live interface list (QNetworkInterface, and the default route core
// reads from the OS where Qt does not say), ranked by address_ranking.h. Any
// thread.

#include <QList>
#include <QString>
#include <QStringList>

#include "network/address_ranking.h"

namespace ferry::ui {

// The interfaces as the OS reports them now.
QList<InterfaceRecord> liveInterfaces();

// This machine's addresses for links, best first (rankAddresses over
// liveInterfaces(), the host name and `mdnsName`, the name the mDNS
// responder publishes: mdns_advertiser.h).
QList<LinkAddress> rankedMachineAddresses(const QString& mdnsName = {});

// The best IP address for links; "" if there is none but loopback.
QString primaryLanAddress();

// The hosts of rankedMachineAddresses(), in order.
QStringList machineAddresses();

// The host links use: `chosen` when set, else the bound address when it is a
// specific one, else the automatic choice of `ranked` (by default the live
// ranking), else 127.0.0.1.
QString effectiveLinkHost(const QString& chosen, const QString& bind);
QString effectiveLinkHost(const QString& chosen, const QString& bind, const QList<LinkAddress>& ranked);

// Whether `bind` listens on every interface.
bool isWildcardBind(const QString& bind);

// "http://HOST:PORT/" (brackets around IPv6); https:// when `secure`.
QString linkPrefix(const QString& host, quint16 port, bool secure = false);

}  // namespace ferry::ui
