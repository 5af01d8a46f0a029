// Which address goes into links, over interface lists recorded from real
// machines: the address a phone beside you can reach comes first, and
// VPNs, containers and virtual machines come last, whatever order the OS
// lists them in and whatever type Qt reports for them.

#include <QTest>

#include "network/address_ranking.h"
#include "lan_ranking.h"
#include "network/link_hosts.h"

using namespace ferry::ui;
using ferry::LanAddress;
using ferry::listInterfaces;
using ferry::rankLanAddresses;
using Type = InterfaceRecord::Type;

namespace {

InterfaceRecord iface(const QString& name, Type type, QList<InterfaceRecord::Address> addresses,
                      const QString& human = {}, bool defaultRoute = false) {
  InterfaceRecord r;
  r.name = name;
  r.humanName = human.isEmpty() ? name : human;
  r.type = type;
  r.up = true;
  r.running = true;
  r.defaultRoute = defaultRoute;
  r.addresses = std::move(addresses);
  return r;
}

QStringList hosts(const QList<LinkAddress>& ranked) {
  QStringList out;
  for (const LinkAddress& l : ranked) out << l.host;
  return out;
}

const LinkAddress* find(const QList<LinkAddress>& ranked, const QString& host) {
  for (const LinkAddress& l : ranked)
    if (l.host == host) return &l;
  return nullptr;
}

// A Linux laptop on Wi-Fi, with Docker running and a WireGuard VPN that
// takes the default route, as `ip addr` and Qt 6.4 report it.
QList<InterfaceRecord> laptop() {
  return {
      iface("lo", Type::Loopback, {{"127.0.0.1"}, {"::1"}}),
      iface("docker0", Type::Ethernet, {{"172.17.0.1"}}),
      iface("br-3f2a91c0d1e4", Type::Ethernet, {{"172.18.0.1"}, {"fe80::42:acff:fe12:1"}}),
      iface("veth5c1d2e3", Type::Ethernet, {{"fe80::8c3d:4eff:fe5f:6a7b"}}),
      iface("wlp2s0", Type::Wifi,
            {{"192.168.1.20"},
             {"2a01:e0a:1f2:3b40:1e2d:3f4a:5b6c:7d8e"},
             {"2a01:e0a:1f2:3b40:9c1:22ff:fe33:4455", true},
             {"fe80::9c1:22ff:fe33:4455"}}),
      iface("wg0", Type::Virtual, {{"10.8.0.2"}}, {}, true),
      iface("tailscale0", Type::Virtual, {{"100.101.102.103"}, {"fd7a:115c:a1e0::1"}}),
  };
}

}  // namespace

class TestAddressRanking : public QObject {
  Q_OBJECT

 private slots:
  void laptopOnWifiWithDockerAndVpn() {
    const QList<LinkAddress> r = rankAddresses(laptop(), "mylaptop", "mylaptop.local");
    QCOMPARE(hosts(r), QStringList({"192.168.1.20", "2a01:e0a:1f2:3b40:1e2d:3f4a:5b6c:7d8e", "mylaptop",
                                    "mylaptop.local", "10.8.0.2", "172.17.0.1", "172.18.0.1", "100.101.102.103",
                                    "fd7a:115c:a1e0::1", "127.0.0.1"}));
    QCOMPARE(automaticHost(r), QString("192.168.1.20"));
    QCOMPARE(r[0].label, QString("Wi-Fi — 192.168.1.20"));
    QCOMPARE(find(r, "mylaptop.local")->label, QString("This computer's name — mylaptop.local"));
    QCOMPARE(find(r, "10.8.0.2")->label, QString("VPN (wg0) — 10.8.0.2"));
    QCOMPARE(find(r, "172.17.0.1")->label, QString("Containers (docker0) — 172.17.0.1"));
    QCOMPARE(find(r, "127.0.0.1")->label, QString("This computer only — 127.0.0.1"));
    QVERIFY(find(r, "10.8.0.2")->unlikely);
    QVERIFY(find(r, "100.101.102.103")->unlikely);  // carrier-grade NAT space
    QVERIFY(!r[0].unlikely);
    // A privacy address changes under the link; link-local needs a scope.
    QVERIFY(!find(r, "2a01:e0a:1f2:3b40:9c1:22ff:fe33:4455"));
    for (const LinkAddress& l : r) QVERIFY2(!l.host.startsWith("fe80"), qPrintable(l.host));
  }

  void noLocalNameWithoutAResponder() {
    // Without Avahi nobody answers for mylaptop.local: not offered.
    QCOMPARE(hosts(rankAddresses({iface("eth0", Type::Ethernet, {{"192.168.1.5"}})}, "mylaptop")),
             QStringList({"192.168.1.5", "mylaptop", "127.0.0.1"}));
  }

  void theResponderNamesTheLocalName() {
    // Avahi renamed the machine after a collision on the network: links use
    // the name it answers for, not the host name plus ".local".
    const QList<LinkAddress> r =
        rankAddresses({iface("eth0", Type::Ethernet, {{"192.168.1.5"}})}, "mylaptop", "mylaptop-2.local");
    QCOMPARE(hosts(r), QStringList({"192.168.1.5", "mylaptop", "mylaptop-2.local", "127.0.0.1"}));
    QCOMPARE(find(r, "mylaptop-2.local")->label, QString("This computer's name — mylaptop-2.local"));
    QCOMPARE(automaticHost(r), QString("192.168.1.5"));
  }

  void windowAndCoreGatherTheSameMachine() {
    // The window asks Qt, headless asks the OS directly (interface_list.h):
    // on this machine both must rank the same addresses in the same order.
    QStringList window;
    for (const LinkAddress& l : rankAddresses(liveInterfaces()))
      if (l.kind != AdapterKind::Loopback) window << l.host;
    QStringList core;
    for (const LanAddress& a : rankLanAddresses(listInterfaces())) core << QString::fromStdString(a.host);
    QCOMPARE(core, window);
    QCOMPARE(QString::fromStdString(ferry::primaryLanAddress()), primaryLanAddress());
  }

  void wifiReportedAsEthernetIsKnownByName() {
    // Qt on Linux reports managed-mode Wi-Fi as Ethernet.
    const QList<LinkAddress> r = rankAddresses({iface("wlan0", Type::Ethernet, {{"10.1.2.3"}})});
    QCOMPARE(r[0].kind, AdapterKind::Wifi);
    QCOMPARE(r[0].label, QString("Wi-Fi — 10.1.2.3"));
  }

  void desktopWithTwoCardsPrefersTheDefaultRoute() {
    // The office network holds the default route; the second card goes to
    // a lab switch. Without the route, 192.168/16 would have won.
    const QList<InterfaceRecord> desktop = {
        iface("enp4s0", Type::Ethernet, {{"192.168.2.10"}}),
        iface("enp3s0", Type::Ethernet, {{"10.0.0.5"}}, {}, true),
    };
    const QList<LinkAddress> r = rankAddresses(desktop);
    QCOMPARE(hosts(r), QStringList({"10.0.0.5", "192.168.2.10", "127.0.0.1"}));
    QCOMPARE(r[0].label, QString("Ethernet (enp3s0) — 10.0.0.5"));
    QCOMPARE(r[1].label, QString("Ethernet (enp4s0) — 192.168.2.10"));
  }

  void windowsWithHyperVAndVirtualBox() {
    // Windows: Qt's names are "ethernet_N", the human names what Settings
    // shows; no default route is known; VirtualBox 7 calls its host-only
    // adapter "Ethernet 3", known only by its subnet.
    const QList<InterfaceRecord> windows = {
        iface("ethernet_32769", Type::Ethernet, {{"172.25.48.1"}}, "vEthernet (Default Switch)"),
        iface("ethernet_32772", Type::Ethernet, {{"192.168.56.1"}}, "Ethernet 3"),
        iface("ethernet_32773", Type::Ethernet, {{"192.168.57.1"}}, "VirtualBox Host-Only Network"),
        iface("ethernet_32774", Type::Ethernet, {{"172.29.0.1"}}, "vEthernet (WSL)"),
        iface("wireless_32768", Type::Wifi, {{"192.168.1.42"}}, "Wi-Fi"),
        iface("loopback_0", Type::Loopback, {{"127.0.0.1"}}, "Loopback Pseudo-Interface 1"),
    };
    const QList<LinkAddress> r = rankAddresses(windows, "DESKTOP-7Q2", "DESKTOP-7Q2.local");
    QCOMPARE(r[0].host, QString("192.168.1.42"));
    QCOMPARE(r[0].label, QString("Wi-Fi — 192.168.1.42"));
    QCOMPARE(automaticHost(r), QString("192.168.1.42"));
    for (const QString h : {"172.25.48.1", "192.168.56.1", "192.168.57.1", "172.29.0.1"}) {
      QVERIFY2(find(r, h) && find(r, h)->kind == AdapterKind::VirtualMachine, qPrintable(h));
      QVERIFY(hosts(r).indexOf(h) > hosts(r).indexOf("DESKTOP-7Q2.local"));
    }
    QCOMPARE(find(r, "172.25.48.1")->label, QString("Virtual machines (vEthernet (Default Switch)) — 172.25.48.1"));
  }

  void downAndNotRunningAreLeftOut() {
    QList<InterfaceRecord> l = {iface("eth0", Type::Ethernet, {{"192.168.1.5"}}),
                                iface("eth1", Type::Ethernet, {{"192.168.1.6"}})};
    l[0].up = false;
    l[1].running = false;  // cable unplugged
    QCOMPARE(hosts(rankAddresses(l)), QStringList({"127.0.0.1"}));
    QCOMPARE(automaticHost(rankAddresses(l)), QString("127.0.0.1"));
  }

  void onlyAVpnIsBetterThanNothing() {
    const QList<LinkAddress> r = rankAddresses({iface("tun0", Type::Virtual, {{"10.200.0.7"}})}, "box.example.org");
    QCOMPARE(hosts(r), QStringList({"box.example.org", "10.200.0.7", "127.0.0.1"}));
    // A name is never the automatic choice.
    QCOMPARE(automaticHost(r), QString("10.200.0.7"));
  }

  void ipv4BeforeIpv6AndDuplicatesOnce() {
    const QList<InterfaceRecord> l = {
        iface("eth0", Type::Ethernet, {{"2001:db8::5"}, {"fd00::5"}, {"203.0.113.9"}}, {}, true),
        iface("eth1", Type::Ethernet, {{"203.0.113.9"}}),
    };
    QCOMPARE(hosts(rankAddresses(l)), QStringList({"203.0.113.9", "fd00::5", "2001:db8::5", "127.0.0.1"}));
  }

  void ipLiterals() {
    QVERIFY(isIpLiteral("192.168.1.20"));
    QVERIFY(isIpLiteral("fe80::1"));
    QVERIFY(isIpLiteral("[2001:db8::1]"));
    QVERIFY(!isIpLiteral("files.example.org"));
    QVERIFY(!isIpLiteral("mypc.local"));
    QVERIFY(!isIpLiteral(""));
  }
};

QTEST_GUILESS_MAIN(TestAddressRanking)
#include "tst_address_ranking.moc"
