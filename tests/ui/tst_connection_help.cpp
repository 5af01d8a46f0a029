// "Can't connect?": what the panel says for each cause users hit — Ferry
// listening on loopback only, a link on a virtual adapter, a VPN, ufw or
// firewalld without the port open (with the exact command), the Windows
// Public profile and a missing firewall rule, guest Wi-Fi — fed by faked
// checks; and when another device last connected, which a download from
// this machine itself does not count as.

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QTest>

#include "network/connection_help.h"
#include "main_window.h"
#include "network/network_watcher.h"
#include "network/reachability.h"
#include "shares/shares_model.h"
#include "network/system_checks.h"
#include "network/visitor_tracker.h"
#include "server_bridge.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using Level = Finding::Level;

namespace {

LinkAddress addr(const QString& host, AdapterKind kind, const QString& iface, bool unlikely = false) {
  LinkAddress l{host, iface, kind, unlikely, {}};
  l.label = QStringLiteral("%1 — %2").arg(adapterKindName(kind), host);
  return l;
}

const QList<LinkAddress> kLaptop = {addr("192.168.1.20", AdapterKind::Wifi, "wlp2s0"),
                                    addr("mylaptop.local", AdapterKind::HostName, ""),
                                    addr("10.8.0.2", AdapterKind::Vpn, "wg0", true),
                                    addr("172.17.0.1", AdapterKind::Container, "docker0", true),
                                    addr("127.0.0.1", AdapterKind::Loopback, "")};

ReachabilityFacts healthy() {
  ReachabilityFacts f;
  f.serving = true;
  f.port = 8080;
  f.linkHost = "192.168.1.20";
  f.addresses = {kLaptop[0], kLaptop[1], kLaptop[4]};
  return f;
}

const Finding* findingWith(const QList<Finding>& list, const QString& words) {
  for (const Finding& f : list)
    if (f.title.contains(words)) return &f;
  return nullptr;
}

QString titles(const QList<Finding>& list) {
  QStringList t;
  for (const Finding& f : list) t << f.title;
  return t.join(" | ");
}

class FakeChecks final : public SystemChecks {
 public:
  FirewallState fw;
  WindowsNetwork win;
  FirewallState firewall(quint16) const override { return fw; }
  WindowsNetwork windowsNetwork() const override { return win; }
};

StatsSnapshot snapshotOf(const std::string& client, std::chrono::system_clock::time_point started) {
  StatsSnapshot s;
  TransferInfo t;
  t.client = client;
  t.started = started;
  s.transfers.push_back(t);
  return s;
}

}  // namespace

class TestConnectionHelp : public QObject {
  Q_OBJECT

 private slots:
  void allWellSaysWhichNetworkAndExplainsGuestWifi() {
    const QList<Finding> r = diagnose(healthy());
    for (const Finding& f : r) QVERIFY2(f.level != Level::Problem && f.level != Level::Warning, qPrintable(titles(r)));
    QVERIFY2(findingWith(r, "Links use Wi-Fi — 192.168.1.20"), qPrintable(titles(r)));
    QVERIFY(r.last().title.contains("Guest and public Wi-Fi"));
    QVERIFY(r.last().detail.contains("hotspot"));
  }

  void loopbackOnly() {
    ReachabilityFacts f = healthy();
    f.bind = "127.0.0.1";
    f.linkHost = "127.0.0.1";
    const QList<Finding> r = diagnose(f);
    QCOMPARE(r[0].level, Level::Problem);
    QVERIFY2(r[0].title.contains("listens on this computer only (127.0.0.1)"), qPrintable(titles(r)));
    const Finding* link = findingWith(r, "only this computer can open");
    QVERIFY(link);
    QVERIFY2(link->detail.contains("Wi-Fi — 192.168.1.20"), qPrintable(link->detail));  // what to pick instead
  }

  void linkOnAVirtualAdapterAndAVpnOn() {
    ReachabilityFacts f = healthy();
    f.addresses = kLaptop;
    f.linkHost = "172.17.0.1";
    const QList<Finding> r = diagnose(f);
    const Finding* link = findingWith(r, "virtual adapter");
    QVERIFY2(link && link->level == Level::Problem, qPrintable(titles(r)));
    QVERIFY(link->detail.contains("Wi-Fi — 192.168.1.20"));
    const Finding* vpn = findingWith(r, "A VPN is on (wg0)");
    QVERIFY2(vpn && vpn->level == Level::Warning, qPrintable(titles(r)));
    QVERIFY(vpn->detail.contains("local network"));
    // Problems before warnings before the rest.
    for (int i = 1; i < r.size(); ++i) QVERIFY(r[i - 1].level <= r[i].level);
  }

  void hostNameLinksWarnAboutAndroid() {
    ReachabilityFacts f = healthy();
    f.linkHost = "mylaptop.local";
    const QList<Finding> r = diagnose(f);
    const Finding* w = findingWith(r, "this computer's name");
    QVERIFY(w && w->level == Level::Warning);
    QVERIFY(w->detail.contains("Android"));
  }

  void linuxFirewallsGiveTheCommand() {
    ReachabilityFacts f = healthy();
    f.firewall = {FirewallState::Kind::Ufw, FirewallState::Port::Unknown};
    const QList<Finding> r = diagnose(f);
    const Finding* ufw = findingWith(r, "ufw");
    QVERIFY(ufw && ufw->level == Level::Warning);
    QCOMPARE(ufw->command, QString("sudo ufw allow 8080/tcp"));
    f.firewall.port = FirewallState::Port::Closed;
    QCOMPARE(findingWith(diagnose(f), "ufw")->level, Level::Problem);
    f.firewall.port = FirewallState::Port::Open;
    QCOMPARE(findingWith(diagnose(f), "ufw")->level, Level::Ok);
    QVERIFY(findingWith(diagnose(f), "ufw")->command.isEmpty());

    f.firewall = {FirewallState::Kind::Firewalld, FirewallState::Port::Closed};
    const QList<Finding> r2 = diagnose(f);
    const Finding* fwd = findingWith(r2, "firewalld");
    QVERIFY(fwd && fwd->level == Level::Problem);
    QCOMPARE(fwd->command,
             QString("sudo firewall-cmd --add-port=8080/tcp && sudo firewall-cmd --permanent --add-port=8080/tcp"));
  }

  void windowsPublicProfileAndMissingRule() {
    ReachabilityFacts f = healthy();
    f.firewall.kind = FirewallState::Kind::Windows;
    f.windows = {true, false, "C:\\Program Files\\Ferry\\bin\\ferry.exe"};
    const QList<Finding> r = diagnose(f);
    const Finding* pub = findingWith(r, "Public");
    QVERIFY(pub && pub->level == Level::Problem);
    QVERIFY(pub->detail.contains("Private"));
    const Finding* rule = findingWith(r, "no rule for Ferry");
    QVERIFY(rule);
    QCOMPARE(rule->command, QString("netsh advfirewall firewall add rule name=\"Ferry\" dir=in action=allow "
                                    "program=\"C:\\Program Files\\Ferry\\bin\\ferry.exe\" profile=private"));
    f.windows = {false, true, {}};
    QVERIFY(findingWith(diagnose(f), "lets Ferry in on private networks"));
  }

  void lastDeviceThatConnected() {
    VisitorTracker v;
    const auto now = std::chrono::system_clock::now();
    QCOMPARE(v.describe(now), QString("No other device has downloaded from Ferry since it started."));
    v.apply(snapshotOf("127.0.0.1:5000", now), {});
    v.apply(snapshotOf("192.168.1.20:5001", now), {"192.168.1.20"});  // this machine's own address
    QVERIFY(!v.seen());
    v.apply(snapshotOf("192.168.1.31:40044", now - std::chrono::seconds(2)), {"192.168.1.20"});
    QCOMPARE(v.describe(now), QString("192.168.1.31 connected 2 s ago"));
    v.apply(snapshotOf("[::ffff:192.168.1.40]:40050", now - std::chrono::seconds(1)), {});
    QCOMPARE(v.describe(now + std::chrono::seconds(119)), QString("192.168.1.40 connected 2 min ago"));
    v.apply(snapshotOf("192.168.1.31:40060", now - std::chrono::seconds(30)), {});  // older: not the last
    QCOMPARE(v.client(), QString("192.168.1.40"));
  }

  void thePanelInTheWindow() {
    test::IsolatedConfig config;
    AppSettings s;
    s.port = test::freePort();
    s.bind = s.linkHost = "127.0.0.1";
    s.startOnLaunch = false;
    SettingsStore{}.saveSettings(s);
    MainWindow w{SettingsStore{}};
    w.networkWatcher()->setSource([](const QString&) { return kLaptop; });
    auto checks = std::make_unique<FakeChecks>();
    checks->fw = {FirewallState::Kind::Ufw, FirewallState::Port::Closed};
    w.setSystemChecks(std::move(checks));
    w.show();
    const QString file = config.path() + "/notes.pdf";
    QVERIFY(test::writeFile(file, "notes"));
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(file)}), 1);
    QVERIFY(w.startServing());

    // A real download, from this machine: it proves nothing about the network.
    // Connected after the window's own handler, this sees each snapshot once
    // the window (and its visitor tracker) has taken it in.
    bool downloadSeen = false;
    connect(w.bridge(), &ServerBridge::snapshotArrived, this,
            [&](quint64, const std::shared_ptr<const StatsSnapshot>& snapshot) {
              if (!snapshot->transfers.empty()) downloadSeen = true;
            });
    QNetworkAccessManager nam;
    QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(w.sharesModel()->linkAt(0))));
    QTRY_VERIFY(reply->isFinished());
    QCOMPARE(reply->readAll(), QByteArray("notes"));
    delete reply;
    QTRY_VERIFY_WITH_TIMEOUT(downloadSeen, 10'000);
    QVERIFY(!w.visitors()->seen());

    ConnectionHelp* help = w.showConnectionHelp();
    QVERIFY(help && help->isVisible());
    QVERIFY2(findingWith(help->findings(), "listens on this computer only"), qPrintable(titles(help->findings())));
    QVERIFY(findingWith(help->findings(), "A VPN is on (wg0)"));
    QCOMPARE(help->visitorText(), QString("No other device has downloaded from Ferry since it started."));

    // The command is there to copy.
    QLineEdit* command = nullptr;
    for (QLineEdit* e : help->findChildren<QLineEdit*>())
      if (e->text() == "sudo ufw allow " + QString::number(s.port) + "/tcp") command = e;
    QVERIFY(command);
    QPushButton* copy = nullptr;
    for (QPushButton* b : command->parentWidget()->findChildren<QPushButton*>())
      if (b->text() == "Copy") copy = b;
    QVERIFY(copy);
    copy->click();
    QCOMPARE(QApplication::clipboard()->text(), command->text());

    // The user fixes it: Ferry listens everywhere, and Check Again agrees.
    AppSettings fixed = w.settings();
    fixed.bind.clear();
    fixed.linkHost = "192.168.1.20";
    w.applySettings(fixed);
    QPushButton* again = nullptr;
    for (QPushButton* b : help->findChildren<QPushButton*>())
      if (b->text() == "Check Again") again = b;
    QVERIFY(again);
    again->click();
    QVERIFY2(!findingWith(help->findings(), "listens on this computer only"), qPrintable(titles(help->findings())));
    QVERIFY(findingWith(help->findings(), "Links use Wi-Fi — 192.168.1.20"));
    QCOMPARE(w.showConnectionHelp(), help);  // one panel, raised again
  }
};

QTEST_MAIN(TestConnectionHelp)
#include "tst_connection_help.moc"
