// The computer's name in links, as Avahi publishes it: the window announces
// its port as an _http._tcp service, takes it back on Stop, announces it
// again when Avahi restarts, and offers "This computer's name —
// <name>.local" in "Links use" and at every address, never as the
// automatic choice. Avahi here is tests/ui/mdns/fake_avahi.py on a private
// dbus-daemon (FERRY_AVAHI_BUS): no system bus, nothing multicast, nothing
// beyond 127.0.0.1.

#include <QComboBox>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include "network/addresses_dialog.h"
#include "main_window.h"
#include "network/network_watcher.h"
#include "widgets/qr_code_widget.h"
#include "shares/shares_model.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;

namespace {

const QString kFqdn = QStringLiteral("ferry-test-box.local");
const QString kPython = QStringLiteral("/usr/bin/python3");

QList<InterfaceRecord> home() {
  InterfaceRecord r;
  r.name = r.humanName = QStringLiteral("eth0");
  r.type = InterfaceRecord::Type::Ethernet;
  r.up = r.running = r.defaultRoute = true;
  r.addresses = {{QStringLiteral("192.168.1.20")}};
  return {r};
}

QStringList comboTexts(QComboBox* c) {
  QStringList out;
  for (int i = 0; i < c->count(); ++i) out << c->itemText(i);
  return out;
}

int messagesAboutNoName = 0;
QtMessageHandler previousHandler = nullptr;
void countMessages(QtMsgType type, const QMessageLogContext& context, const QString& text) {
  if (text.contains(QLatin1String("links offer no .local name"))) ++messagesAboutNoName;
  previousHandler(type, context, text);
}

}  // namespace

class TestMdns : public QObject {
  Q_OBJECT

  QTemporaryDir busDir_;
  QProcess bus_;
  QString address_;
  std::unique_ptr<QProcess> avahi_;
  std::unique_ptr<test::IsolatedConfig> config_;
  quint16 port_ = 0;
  QString file_;

  bool startAvahi() {
    avahi_ = std::make_unique<QProcess>();
    avahi_->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    avahi_->start(kPython, {QStringLiteral(FERRY_SOURCE_DIR "/tests/ui/mdns/fake_avahi.py"), address_, kFqdn});
    return avahi_->waitForStarted(5000) &&
           test::waitFor([this] { return avahi_->canReadLine() || avahi_->state() != QProcess::Running; }, 10000) &&
           avahi_->readLine().trimmed() == "ready";
  }

  void stopAvahi() {
    if (!avahi_) return;
    avahi_->terminate();
    if (!avahi_->waitForFinished(5000)) avahi_->kill(), avahi_->waitForFinished(2000);
    avahi_.reset();
  }

  // What the fake Avahi holds as announced, asked over the same bus.
  QJsonArray announced() {
    QDBusConnection c = QDBusConnection::connectToBus(address_, QStringLiteral("test"));
    QDBusMessage m = QDBusMessage::createMethodCall("org.freedesktop.Avahi", "/", "org.ferry.FakeAvahi", "Services");
    const QDBusMessage reply = c.call(m, QDBus::Block, 3000);
    if (reply.type() != QDBusMessage::ReplyMessage) return {};
    return QJsonDocument::fromJson(reply.arguments().value(0).toString().toUtf8()).array();
  }

  bool announcedOn(quint16 port) {
    const QJsonArray a = announced();
    return a.size() == 1 && a[0].toObject()["port"].toInt() == port &&
           a[0].toObject()["type"].toString() == "_http._tcp" &&
           a[0].toObject()["name"].toString() == "Ferry on ferry-test-box";
  }

  void setAvahiState(int state) {
    QDBusConnection c = QDBusConnection::connectToBus(address_, QStringLiteral("test"));
    QDBusMessage m = QDBusMessage::createMethodCall("org.freedesktop.Avahi", "/", "org.ferry.FakeAvahi", "SetState");
    m << state;
    c.call(m, QDBus::Block, 3000);
  }

  std::unique_ptr<MainWindow> makeWindow() {
    AppSettings s = test::servingSettings(port_);
    s.linkHost.clear();  // automatic
    SettingsStore{}.saveSettings(s);
    auto w = std::make_unique<MainWindow>(SettingsStore{});
    w->networkWatcher()->setSource(
        [](const QString& mdnsName) { return rankAddresses(home(), QStringLiteral("ferry-test-box"), mdnsName); });
    w->show();
    w->startServing();
    return w;
  }

  static bool offersName(MainWindow& w) {
    return comboTexts(w.linkHostCombo()).contains("This computer's name — " + kFqdn);
  }

  // curl opens the link as a phone that resolves the name would: the name
  // goes to 127.0.0.1, the Host header stays the link's.
  static QByteArray curl(const QString& url, quint16 port, QByteArray* status) {
    QProcess p;
    const QString host = QUrl(url).host();
    p.start("curl", {"-s", "-w", "\n%{http_code}", "--resolve", QString("%1:%2:127.0.0.1").arg(host).arg(port), url});
    if (!p.waitForFinished(10000)) return {};
    QByteArray out = p.readAllStandardOutput();
    const qsizetype nl = out.lastIndexOf('\n');
    *status = out.mid(nl + 1);
    return out.left(nl);
  }

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable("dbus-daemon").isEmpty() || QStandardPaths::findExecutable("curl").isEmpty())
      QSKIP("needs dbus-daemon and curl (scripts/setup.sh installs them)");
    if (QProcess::execute(kPython, {"-c", "import dbus, gi"}) != 0)
      QSKIP("needs python3-dbus and python3-gi (scripts/setup.sh installs them)");
    // A bus of the test's own, on a socket in its own folder.
    bus_.start("dbus-daemon", {"--session", "--nofork", "--print-address=1",
                               "--address=unix:path=" + busDir_.path() + "/bus"});
    QVERIFY(bus_.waitForStarted(5000));
    QVERIFY(test::waitFor([this] { return bus_.canReadLine(); }, 10000));
    address_ = QString::fromUtf8(bus_.readLine().trimmed());
    QVERIFY(!address_.isEmpty());
    qputenv("FERRY_AVAHI_BUS", address_.toUtf8());
    previousHandler = qInstallMessageHandler(countMessages);
  }

  void cleanupTestCase() {
    stopAvahi();
    bus_.terminate();
    bus_.waitForFinished(5000);
  }

  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    port_ = test::freePort();
    file_ = config_->path() + QStringLiteral("/notes.pdf");
    QVERIFY(test::writeFile(file_, "notes"));
    QVERIFY(startAvahi());
  }

  void cleanup() {
    stopAvahi();
    config_.reset();
  }

  void announcedWhileServingAndOfferedButNotDefault() {
    auto w = makeWindow();
    QVERIFY(w->isServing());
    QVERIFY2(test::waitFor([&] { return announcedOn(port_); }, 10000),
             QJsonDocument(announced()).toJson().constData());
    QVERIFY(test::waitFor([&] { return offersName(*w); }, 5000));

    QComboBox* c = w->linkHostCombo();
    QCOMPARE(c->currentIndex(), 0);
    QCOMPARE(c->itemText(0), QString("Automatic: Ethernet — 192.168.1.20"));
    QCOMPARE(w->linkHost(), QString("192.168.1.20"));
    const int i = c->findData(kFqdn);
    QVERIFY(i > 0);
    QVERIFY2(c->itemData(i, Qt::ToolTipRole).toString().contains("Android"),
             qPrintable(c->itemData(i, Qt::ToolTipRole).toString()));

    // Its own link and QR code at every address.
    QVERIFY(w->shareFiles({QUrl::fromLocalFile(file_)}) == 1);
    AddressesDialog* d = w->showOtherAddresses();
    QVERIFY(d);
    const QString link = QString("http://%1:%2%3").arg(kFqdn).arg(port_).arg(QUrl(w->sharesModel()->linkAt(0)).path());
    QVERIFY2(d->links().contains(link), qPrintable(d->links().join(" | ")));
    QCOMPARE(d->codes()[d->links().indexOf(link)]->text(), link);
    d->close();

    // The link opens: the server answers for the name Avahi publishes,
    // and still for no other.
    QByteArray status;
    QCOMPARE(curl(link, port_, &status), QByteArray("notes"));
    QCOMPARE(status, QByteArray("200"));
    curl(QString(link).replace(kFqdn, "other-box.local"), port_, &status);
    QCOMPARE(status, QByteArray("421"));
  }

  void withdrawnOnStopAnnouncedOnStart() {
    auto w = makeWindow();
    QVERIFY(test::waitFor([&] { return announcedOn(port_); }, 10000));
    w->stopServing();
    QVERIFY(test::waitFor([&] { return announced().isEmpty(); }, 5000));
    w->startServing();
    QVERIFY(test::waitFor([&] { return announcedOn(port_); }, 5000));
  }

  void announcedAgainWhenAvahiRestarts() {
    auto w = makeWindow();
    QVERIFY(test::waitFor([&] { return announcedOn(port_); }, 10000));
    stopAvahi();
    // Nobody answers for the name meanwhile: not offered.
    QVERIFY(test::waitFor([&] { return !offersName(*w); }, 5000));
    QVERIFY(startAvahi());
    QVERIFY2(test::waitFor([&] { return announcedOn(port_); }, 10000),
             QJsonDocument(announced()).toJson().constData());
    QVERIFY(test::waitFor([&] { return offersName(*w); }, 5000));
  }

  void takenBackWhileAvahiIsNotRunning() {
    auto w = makeWindow();
    QVERIFY(test::waitFor([&] { return announcedOn(port_); }, 10000));
    setAvahiState(1);  // AVAHI_SERVER_REGISTERING: the host name is being claimed
    QVERIFY(test::waitFor([&] { return announced().isEmpty() && !offersName(*w); }, 5000));
    setAvahiState(2);  // AVAHI_SERVER_RUNNING
    QVERIFY(test::waitFor([&] { return announcedOn(port_) && offersName(*w); }, 5000));
  }

  void nothingOfferedWithoutAvahi() {
    stopAvahi();
    messagesAboutNoName = 0;
    auto w = makeWindow();
    QTest::qWait(300);
    for (int i = 0; i < 3; ++i) {
      w->stopServing();
      w->startServing();
      w->networkWatcher()->check();
    }
    QTest::qWait(300);
    QVERIFY(!offersName(*w));
    QVERIFY(w->linkHostCombo()->findData(kFqdn) < 0);
    QVERIFY2(messagesAboutNoName <= 1, qPrintable(QString::number(messagesAboutNoName)));
  }
};

QTEST_MAIN(TestMdns)
#include "tst_mdns.moc"
