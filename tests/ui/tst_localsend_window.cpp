// LocalSend as the window runs it, over real sockets. Settings' switch
// (with the name shown to others) is saved, turns LocalSend's listener on
// and off while the window serves — curl gets LocalSend's info over https
// with that name, then nothing listens there, and an upload in flight ends
// leaving nothing behind — and a window made again from the saved settings
// is a LocalSend device from its start. The window asks
// for the PIN a LocalSend device wants: the npm `localsend` peer with
// --pin, found by multicast, gets a file once the right PIN is typed in the
// dialog (a wrong one is asked for again, saying so), and Cancel gives a
// send up.
//
// LocalSend multicasts, so this suite runs only inside the network
// namespace tests/localsend/test_localsend_window.py makes (loopback and a
// veth pair, nothing else); run alone, it skips. The PIN test needs the npm
// peer, which that wrapper starts.

#include <QDialogButtonBox>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QCheckBox>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

#include "main_window.h"
#include "nearby/nearby_controller.h"
#include "nearby/nearby_model.h"
#include "nearby/pin_dialog.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "settings/settings_dialog.h"
#include "ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

constexpr quint16 kLocalSendPort = 53317;

// curl, run to its end: stdout, or "" when it failed.
QByteArray curl(const QStringList& args) {
  QProcess p;
  p.start("curl", QStringList{"-sS", "--noproxy", "*", "--max-time", "10"} + args);
  if (!p.waitForFinished(20'000) || p.exitCode() != 0) return {};
  return p.readAllStandardOutput();
}

QByteArray localSendInfo() { return curl({"-k", "https://127.0.0.1:53317/api/localsend/v2/info"}); }

bool somethingListens(quint16 port) {
  QTcpSocket s;
  s.connectToHost(QHostAddress::LocalHost, port);
  return s.waitForConnected(3'000);
}

// The visible PIN dialog (one asked for earlier may still await deletion).
PinDialog* pinDialog(QWidget* window) {
  for (PinDialog* d : window->findChildren<PinDialog*>())
    if (d->isVisible()) return d;
  return nullptr;
}

}  // namespace

class TestLocalSendWindow : public QObject {
  Q_OBJECT

  std::unique_ptr<test::IsolatedConfig> config_;
  std::unique_ptr<QTemporaryDir> cache_;

  std::unique_ptr<MainWindow> window(const LaunchOptions& launch) {
    auto w = std::make_unique<MainWindow>(SettingsStore{}, launch);
    w->show();
    w->startIfWanted();
    return w;
  }
  LaunchOptions launch() const {
    LaunchOptions l;
    l.cacheDirectory = cache_->path();  // LocalSend's certificate is kept there
    return l;
  }
  // Settings…, changed by `edit`, then OK; false if no Settings dialog came.
  bool changeSettings(MainWindow& w, const std::function<void(SettingsDialog&)>& edit) {
    auto asked = test::answerNextDialog([edit](QWidget* d) {
      auto* dialog = qobject_cast<SettingsDialog*>(d);
      if (!dialog) return;
      edit(*dialog);
      dialog->accept();
    });
    w.action(MainWindow::Action::Settings)->trigger();
    return !asked->isEmpty();
  }

 private slots:
  void initTestCase() {
    if (qgetenv("FERRY_LOCALSEND_NETNS") != "1")
      QSKIP("LocalSend multicasts: this suite runs only in the network namespace that "
            "tests/localsend/test_localsend_window.py makes (ctest -R localsend_window)");
    if (QStandardPaths::findExecutable("curl").isEmpty()) QSKIP("curl is not installed");
  }
  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    cache_ = std::make_unique<QTemporaryDir>();
    SettingsStore().saveSettings(test::servingSettings(test::freePort()));
  }
  void cleanup() {
    cache_.reset();
    config_.reset();
  }

  void theSwitchIsSavedAndTurnsLocalSendOnAndOff() {
    auto w = window(launch());
    QVERIFY(w->isServing());
    const quint16 port = w->bridge()->port();
    QVERIFY2(!somethingListens(kLocalSendPort), "LocalSend is off until it is turned on");
    QVERIFY(!w->settings().localsend);

    bool wasOn = true;
    QVERIFY(changeSettings(*w, [&](SettingsDialog& d) {
      wasOn = d.localSend()->isChecked();
      d.localSend()->setChecked(true);
      d.deviceName()->setText(QStringLiteral("Kitchen PC"));
    }));
    QVERIFY2(!wasOn, "the switch is off by default");
    // On at once, on its own port, with the name typed: nothing restarted.
    QVERIFY(w->bridge()->localSend().on);
    const QByteArray info = localSendInfo();
    QVERIFY2(info.contains("\"alias\":\"Kitchen PC\"") && info.contains("\"fingerprint\""), info.constData());
    QCOMPARE(w->bridge()->port(), port);
    const AppSettings saved = SettingsStore().loadSettings();
    QVERIFY(saved.localsend);
    QCOMPARE(saved.deviceName, QStringLiteral("Kitchen PC"));

    // The next start of the window is a LocalSend device from the start.
    w.reset();
    QVERIFY(!somethingListens(kLocalSendPort));
    w = window(launch());
    QVERIFY(w->isServing());
    QVERIFY(localSendInfo().contains("\"alias\":\"Kitchen PC\""));

    // A phone's upload in flight when LocalSend goes off: it ends, and
    // nothing of it is left in the Receive folder.
    QTemporaryDir inbox;
    w->receivePanel()->setFolder(inbox.path());
    QVERIFY(w->receivePanel()->setReceiving(true));
    const QString big = config_->path() + "/big.bin";
    test::writeRandomFile(big, 2'000'000);
    const QByteArray offer =
        R"({"info":{"alias":"Test Phone","version":"2.1","deviceModel":"Pixel","deviceType":"mobile",)"
        R"("fingerprint":"0123456789ABCDEF","port":53399,"protocol":"https","download":false},)"
        R"("files":{"f":{"id":"f","fileName":"big.bin","size":2000000,"fileType":"application/octet-stream"}}})";
    const QJsonObject session =
        QJsonDocument::fromJson(curl({"-k", "-H", "Content-Type: application/json", "--data-binary", offer,
                                      "https://127.0.0.1:53317/api/localsend/v2/prepare-upload"}))
            .object();
    QVERIFY2(!session.value("sessionId").toString().isEmpty(), "the offer is accepted");
    QProcess upload;
    upload.start("curl", {"-sS", "-k", "--noproxy", "*", "--limit-rate", "100K", "-X", "POST", "-T", big,
                          "https://127.0.0.1:53317/api/localsend/v2/upload?sessionId=" +
                              session.value("sessionId").toString() +
                              "&fileId=f&token=" + session.value("files").toObject().value("f").toString()});
    // The upload's state as the window last heard it; none before it starts.
    auto uploading = [&]() -> std::optional<TransferState> {
      const std::shared_ptr<const StatsSnapshot> snap = w->bridge()->latest();
      for (const TransferInfo& t : snap->transfers)
        if (t.fileName() == "big.bin" && t.direction == TransferDirection::kUpload) return t.state;
      return std::nullopt;
    };
    QVERIFY2(waitFor([&] { return uploading() == TransferState::kActive; }, 10'000), "the upload is under way");

    QVERIFY(changeSettings(*w, [&](SettingsDialog& d) {
      wasOn = d.localSend()->isChecked();
      d.localSend()->setChecked(false);
    }));
    QVERIFY2(wasOn, "the switch shows it saved on");
    QVERIFY(!w->bridge()->localSend().on);
    QVERIFY2(waitFor([&] { return uploading() && *uploading() != TransferState::kActive; }, 10'000),
             "off ends the upload in flight");
    // (its end may have been taken while the window's events ran)
    QVERIFY(waitFor([&] { return upload.state() == QProcess::NotRunning; }, 10'000));
    QVERIFY2(waitFor([&] { return QDir(inbox.path()).entryList(QDir::Files | QDir::Hidden).isEmpty(); }, 10'000),
             "its part file is removed");
    QVERIFY2(!somethingListens(kLocalSendPort), "off closes LocalSend's port at once");
    QVERIFY(w->isServing());
    QVERIFY(somethingListens(w->bridge()->port()));
    QVERIFY(!SettingsStore().loadSettings().localsend);
  }

  void theWindowAsksForADevicesPin() {
    const QString alias = qEnvironmentVariable("FERRY_LS_PEER_ALIAS");
    const QString saveDir = qEnvironmentVariable("FERRY_LS_PEER_SAVE");
    const QString pin = qEnvironmentVariable("FERRY_LS_PEER_PIN");
    if (alias.isEmpty() || saveDir.isEmpty() || pin.isEmpty())
      QSKIP("the npm localsend peer is not running (the localsend_peer fixture needs npm)");
    AppSettings s = test::servingSettings(test::freePort());
    s.localsend = true;
    SettingsStore().saveSettings(s);
    LaunchOptions l = launch();
    l.server.localsendHttp = true;  // as the npm peer, which receives over HTTP only
    auto w = window(l);
    QVERIFY(w->bridge()->localSend().on);

    // Found by multicast: Ferry announces itself, the peer registers.
    std::uint64_t device = 0;
    QVERIFY2(waitFor([&] {
               for (const NearbyDevice& d : w->nearbyModel()->here())
                 if (QString::fromStdString(d.name) == alias && d.kind == "localsend") device = d.id;
               return device != 0;
             }, 20'000),
             "the peer is listed under Nearby");

    const QString path = config_->path() + "/for the peer.bin";
    const QByteArray bytes = test::writeRandomFile(path, 300'000);
    QVERIFY(w->nearby()->sendFiles(device, {path}));
    PinDialog* d = nullptr;
    QVERIFY(waitFor([&] { return (d = pinDialog(w.get())) != nullptr; }, 10'000));
    QVERIFY(d->windowTitle().contains(alias));
    QVERIFY(!d->saysWrong());
    QVERIFY(!d->okButton()->isEnabled());  // an empty PIN is Cancel's business
    QTest::keyClicks(d->pinField(), "0000");
    QTest::mouseClick(d->okButton(), Qt::LeftButton);
    // Hidden once answered: the one visible next is the device's new ask.
    PinDialog* again = nullptr;
    QVERIFY2(waitFor([&] { return (again = pinDialog(w.get())) != nullptr; }, 10'000),
             "a wrong PIN is asked for again");
    QVERIFY(again->saysWrong());
    QTest::keyClicks(again->pinField(), pin);
    QTest::mouseClick(again->okButton(), Qt::LeftButton);
    QFile got(saveDir + "/for the peer.bin");
    QVERIFY2(waitFor([&] { return got.exists() && got.size() == bytes.size(); }, 20'000), "the peer has the file");
    QVERIFY(got.open(QIODevice::ReadOnly));
    QCOMPARE(got.readAll(), bytes);

    // Cancel gives the send up: the transfer ends saying so.
    const QString other = config_->path() + "/not sent.txt";
    test::writeFile(other, "not for them\n");
    QVERIFY(w->nearby()->sendFiles(device, {other}));
    QVERIFY(waitFor([&] { return (d = pinDialog(w.get())) != nullptr; }, 10'000));
    d->reject();
    QVERIFY2(waitFor([&] {
               for (const TransferInfo& t : w->bridge()->latest()->transfers)
                 if (t.fileName() == "not sent.txt" && t.state == TransferState::kCancelled &&
                     t.reason == "no PIN was given")
                   return true;
               return false;
             }, 10'000),
             "Cancel ends the send");
    QVERIFY(!QFile::exists(saveDir + "/not sent.txt"));
  }
};

QTEST_MAIN(TestLocalSendWindow)
#include "tst_localsend_window.moc"
