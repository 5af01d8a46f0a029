#pragma once

// The addresses this machine can be reached at, for the host part of links.
// Pure functions over QNetworkInterface; any thread.

#include <QString>
#include <QStringList>

namespace ferry::ui {

// The primary non-loopback IPv4 address: of an interface that is up and
// running, private LAN ranges (192.168/16, 10/8, 172.16/12) first; "" if
// there is none.
QString primaryLanAddress();

// Every address worth offering for links, best first: LAN IPv4, other IPv4,
// global IPv6, the host name, then 127.0.0.1.
QStringList machineAddresses();

// The host links use: `chosen` when set, else the bound address when it is a
// specific one, else the primary LAN address, else 127.0.0.1.
QString effectiveLinkHost(const QString& chosen, const QString& bind);

// "http://HOST:PORT/" (brackets around IPv6).
QString linkPrefix(const QString& host, quint16 port);

}  // namespace ferry::ui
