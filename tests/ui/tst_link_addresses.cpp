// "Links use" as a laptop moving between networks sees it: every choice
// named by its adapter, links that follow the automatic choice when the
// network changes, a chosen address that goes away falling back to
// automatic with a message, and the link at every address with its own QR
// code. The machine's addresses come from recorded lists, not this host's.

#include <QComboBox>
#include <QStatusBar>
#include <QTest>

#include "network/addresses_dialog.h"
#include "network/link_hosts.h"
#include "main_window.h"
#include "widgets/message_bar.h"
#include "network/network_watcher.h"
#include "widgets/qr_code_widget.h"
#include "widgets/qr_panel.h"
#include "settings/settings_dialog.h"
#include "shares/shares_model.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using Type = InterfaceRecord::Type;

namespace {

InterfaceRecord iface(const QString& name, Type type, const QString& ip, bool defaultRoute = false) {
  InterfaceRecord r;
  r.name = r.humanName = name;
  r.type = type;
  r.up = r.running = true;
  r.defaultRoute = defaultRoute;
  r.addresses = {{ip}};
  return r;
}

// At home: Wi-Fi, with Docker. At the office: docked on Ethernet, Wi-Fi
// still on. At the café: Wi-Fi alone, on another network.
const QList<InterfaceRecord> kHome = {iface("docker0", Type::Ethernet, "172.17.0.1"),
                                      iface("wlp2s0", Type::Wifi, "192.168.1.20", true)};
const QList<InterfaceRecord> kOffice = {iface("wlp2s0", Type::Wifi, "10.20.0.31"),
                                        iface("enp0s31f6", Type::Ethernet, "10.0.0.5", true),
                                        iface("docker0", Type::Ethernet, "172.17.0.1")};
const QList<InterfaceRecord> kCafe = {iface("wlp2s0", Type::Wifi, "172.20.10.4", true)};

QStringList comboTexts(QComboBox* c) {
  QStringList out;
  for (int i = 0; i < c->count(); ++i) out << c->itemText(i);
  return out;
}

}  // namespace

class TestLinkAddresses : public QObject {
  Q_OBJECT

  std::unique_ptr<test::IsolatedConfig> config_;
  QList<InterfaceRecord> network_;
  quint16 port_ = 0;
  QString file_;

  std::unique_ptr<MainWindow> makeWindow(const QString& linkHost = {}) {
    AppSettings s;
    s.port = port_;
    s.linkHost = linkHost;
    s.startOnLaunch = false;
    s.keepInTray = false;
    SettingsStore store;
    store.saveSettings(s);
    auto w = std::make_unique<MainWindow>(SettingsStore{});
    w->networkWatcher()->setSource([this](const QString&) {
      return rankAddresses(network_, QStringLiteral("mylaptop"), QStringLiteral("mylaptop.local"));
    });
    w->show();
    return w;
  }

  // The network changes, and the window notices.
  void moveTo(MainWindow& w, const QList<InterfaceRecord>& network) {
    network_ = network;
    w.networkWatcher()->check();
  }

  void choose(MainWindow& w, const QString& host) {
    QComboBox* c = w.linkHostCombo();
    const int i = c->findData(host);
    QVERIFY2(i >= 0, qPrintable(host));
    c->setCurrentIndex(i);
    emit c->activated(i);
  }

 private slots:
  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    network_ = kHome;
    port_ = test::freePort();
    file_ = config_->path() + QStringLiteral("/notes.pdf");
    QVERIFY(test::writeFile(file_, "notes"));
  }
  void cleanup() { config_.reset(); }

  void choicesAreNamedByAdapter() {
    auto w = makeWindow();
    const QStringList texts = comboTexts(w->linkHostCombo());
    QCOMPARE(texts.value(0), QString("Automatic: Wi-Fi — 192.168.1.20"));
    QVERIFY2(texts.contains("Wi-Fi — 192.168.1.20"), qPrintable(texts.join(" | ")));
    QVERIFY2(texts.contains("This computer's name — mylaptop.local"), qPrintable(texts.join(" | ")));
    QVERIFY2(texts.contains("Containers (docker0) — 172.17.0.1"), qPrintable(texts.join(" | ")));
    // The container bridge comes after the name, the adapter first.
    QVERIFY(texts.indexOf("Containers (docker0) — 172.17.0.1") > texts.indexOf("Wi-Fi — 192.168.1.20"));

    moveTo(*w, kOffice);
    const QStringList office = comboTexts(w->linkHostCombo());
    QCOMPARE(office.value(0), QString("Automatic: Ethernet — 10.0.0.5"));
    QVERIFY2(office.contains("Wi-Fi — 10.20.0.31"), qPrintable(office.join(" | ")));
  }

  void linksFollowTheNetwork() {
    auto w = makeWindow();
    QVERIFY(w->shareFiles({QUrl::fromLocalFile(file_)}) == 1);
    QVERIFY2(w->sharesModel()->linkAt(0).startsWith(QString("http://192.168.1.20:%1/").arg(port_)),
             qPrintable(w->sharesModel()->linkAt(0)));
    moveTo(*w, kOffice);
    QVERIFY2(w->sharesModel()->linkAt(0).startsWith(QString("http://10.0.0.5:%1/").arg(port_)),
             qPrintable(w->sharesModel()->linkAt(0)));
    QVERIFY2(w->statusBar()->currentMessage().contains("Ethernet — 10.0.0.5"),
             qPrintable(w->statusBar()->currentMessage()));
    QVERIFY(w->messageBar()->isHidden());  // nothing to act on
  }

  void chosenAddressThatGoesAwayFallsBackToAutomatic() {
    auto w = makeWindow();
    moveTo(*w, kOffice);
    choose(*w, "10.20.0.31");  // the office Wi-Fi, chosen by hand
    QCOMPARE(w->settings().linkHost, QString("10.20.0.31"));
    QCOMPARE(w->linkHost(), QString("10.20.0.31"));

    moveTo(*w, kCafe);
    QVERIFY(w->messageBar()->isVisible());
    QCOMPARE(w->messageBar()->level(), MessageBar::Level::Warning);
    const QString said = w->messageBar()->text();
    QVERIFY2(said.contains("10.20.0.31") && said.contains("automatic") && said.contains("Wi-Fi — 172.20.10.4"),
             qPrintable(said));
    QCOMPARE(w->settings().linkHost, QString());
    QCOMPARE(w->linkHost(), QString("172.20.10.4"));
    QCOMPARE(w->linkHostCombo()->currentIndex(), 0);
    // And it is saved so: the next start is automatic too.
    QCOMPARE(SettingsStore{}.loadSettings().linkHost, QString());
  }

  void aTypedNameStaysWhateverTheNetwork() {
    auto w = makeWindow("files.example.org");
    moveTo(*w, kCafe);
    QCOMPARE(w->linkHost(), QString("files.example.org"));
    QVERIFY(w->messageBar()->isHidden());
    QCOMPARE(w->linkHostCombo()->currentData().toString(), QString("files.example.org"));
  }

  void otherAddressesShowOneCodePerAddress() {
    auto w = makeWindow();
    QVERIFY(w->showOtherAddresses() == nullptr);  // nothing selected, nothing to show
    QVERIFY(w->shareFiles({QUrl::fromLocalFile(file_)}) == 1);
    const QString link = w->sharesModel()->linkAt(0);
    QCOMPARE(w->qrPanel()->link(), link);
    AddressesDialog* d = w->showOtherAddresses();
    QVERIFY(d);
    const QString path = QUrl(link).path();
    const QStringList expected = {QString("http://192.168.1.20:%1%2").arg(port_).arg(path),
                                  QString("http://mylaptop:%1%2").arg(port_).arg(path),
                                  QString("http://mylaptop.local:%1%2").arg(port_).arg(path),
                                  QString("http://172.17.0.1:%1%2").arg(port_).arg(path)};
    QCOMPARE(d->links(), expected);  // 127.0.0.1 reaches no other device
    QCOMPARE(d->codes().size(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
      QCOMPARE(d->codes()[i]->text(), expected[i]);
      QVERIFY(d->codes()[i]->modules() > 0);
    }
    d->close();
  }

  void settingsNameTheAdaptersToo() {
    // This machine's own adapters: 127.0.0.1 is always among them.
    AppSettings s;
    SettingsDialog d(s, false);
    QList<QComboBox*> combos = d.findChildren<QComboBox*>();
    combos.removeAll(d.newLinkExpiry());
    combos.removeAll(d.findChild<QComboBox*>(QStringLiteral("linkScheme")));
    QCOMPARE(combos.size(), 2);  // listen on, links use
    for (QComboBox* c : combos) {
      const int i = c->findData("127.0.0.1");
      QVERIFY(i >= 0);
      QCOMPARE(c->itemText(i), QString("This computer only — 127.0.0.1"));
      c->setCurrentIndex(i);
    }
    QCOMPARE(d.settings().bind, QString("127.0.0.1"));
    QCOMPARE(d.settings().linkHost, QString("127.0.0.1"));
  }

  void ipv6LinksGetBrackets() {
    QCOMPARE(linkAt(QUrl("http://192.168.1.20:8080/tok/a%20b.txt"), "2a01:e0a::5"),
             QString("http://[2a01:e0a::5]:8080/tok/a%20b.txt"));
  }
};

QTEST_MAIN(TestLinkAddresses)
#include "tst_link_addresses.moc"
