// Receive as the window runs it, with curl uploading to the window's own
// server: the settings (ask about new devices, a size cap) reach the core
// and persist; a new device's upload waits on a prompt in the window that
// says who and what, and goes on, is refused or is remembered as the user
// answers; a prompt left unanswered vanishes when the core gives up; a
// received file is announced with Open Folder; and Receive's switch,
// folder and link survive a restart.

#include <QCheckBox>
#include <QDialog>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

#include "widgets/format.h"
#include "main_window.h"
#include "widgets/message_bar.h"
#include "receive/receive_ask_bar.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "settings/settings_dialog.h"
#include "ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

// curl -T in the background, waiting for its 100 Continue as long as the
// user takes (curl's own default sends the body after a second).
struct Upload {
  QProcess proc;
  void start(const QString& file, const QString& link) {
    proc.start("curl", {"-sS", "--noproxy", "*", "-A", "curl/8.5.0", "--expect100-timeout", "60", "-H",
                        "Expect: 100-continue", "-T", file, "-w", "\n%{http_code}", link});
    proc.waitForStarted(10'000);
  }
  int status() {
    if (!waitFor([&] { return proc.state() == QProcess::NotRunning; }, 30'000)) return -1;
    const QByteArray out = proc.readAllStandardOutput();
    return out.mid(out.lastIndexOf('\n') + 1).toInt();
  }
};

// The id of the only prompt the bar shows, 0 while there is none.
std::uint64_t onlyPrompt(const ReceiveAskBar* bar) {
  if (bar->count() != 1) return 0;
  for (std::uint64_t id = 1; id < 100; ++id)
    if (bar->text(id)) return id;
  return 0;
}

}  // namespace

class TestReceiveWindow : public QObject {
  Q_OBJECT

  std::unique_ptr<test::IsolatedConfig> config_;
  std::unique_ptr<QTemporaryDir> inbox_;

  // A window serving on a free port, receiving into the test's folder.
  std::unique_ptr<MainWindow> window(bool ask) {
    AppSettings s = test::servingSettings(test::freePort());
    s.askNewDevices = ask;
    SettingsStore().saveSettings(s);
    auto w = std::make_unique<MainWindow>(SettingsStore{});
    w->startIfWanted();
    if (!w->isServing()) return nullptr;
    w->receivePanel()->setFolder(inbox_->path());
    if (!w->receivePanel()->setReceiving(true)) return nullptr;
    return w;
  }
  QString file(const QString& name, qint64 size) {
    const QString path = config_->path() + "/" + name;
    test::writeRandomFile(path, size);
    return path;
  }
  QStringList entries() const {
    return QDir(inbox_->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
  }

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable("curl").isEmpty()) QSKIP("curl is not installed");
  }
  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    inbox_ = std::make_unique<QTemporaryDir>();
  }
  void cleanup() {
    inbox_.reset();
    config_.reset();
  }

  void settingsReachTheCoreAndPersist() {
    SettingsStore().saveSettings(test::servingSettings(test::freePort()));
    {
      MainWindow w{SettingsStore{}};
      // Off and none by default: the link's token is the key.
      QVERIFY(!w.bridge()->receivePolicy().askNewDevices);
      QCOMPARE(w.bridge()->receivePolicy().maxFileSize, std::uint64_t(0));
      auto asked = test::answerNextDialog([](QWidget* d) {
        auto* dialog = qobject_cast<SettingsDialog*>(d);
        QVERIFY(dialog);
        QVERIFY(!dialog->askNewDevices()->isChecked());
        QCOMPARE(dialog->maxReceiveSize()->text(), QStringLiteral("No limit"));
        dialog->askNewDevices()->setChecked(true);
        dialog->maxReceiveSize()->setValue(5);
        dialog->accept();
      });
      w.action(MainWindow::Action::Settings)->trigger();
      QCOMPARE(*asked, QStringLiteral("Ferry Settings"));
      QVERIFY(w.bridge()->receivePolicy().askNewDevices);
      QCOMPARE(w.bridge()->receivePolicy().maxFileSize, std::uint64_t(5'000'000));
    }
    MainWindow again{SettingsStore{}};
    QVERIFY(again.bridge()->receivePolicy().askNewDevices);
    QCOMPARE(again.bridge()->receivePolicy().maxFileSize, std::uint64_t(5'000'000));
  }

  void thePromptSaysWhoAndWhatInWords() {
    ReceiveAsk a;
    a.label = "Safari on iPhone";
    a.address = "192.168.1.31";
    a.firstName = "photo.jpg";
    a.firstSize = 2'100'000;
    a.sizeKnown = true;
    a.more = 2;
    const QString size = formatBytes(a.firstSize);
    QCOMPARE(ReceiveAskBar::sentence(a),
             QStringLiteral("Safari on iPhone (192.168.1.31) wants to send photo.jpg (%1) and 2 more files.").arg(size));
    a.more = 1;
    QCOMPARE(ReceiveAskBar::sentence(a),
             QStringLiteral("Safari on iPhone (192.168.1.31) wants to send photo.jpg (%1) and 1 more file.").arg(size));
    a.sizeKnown = false;  // curl -T - sends no length
    a.more = 0;
    a.label.clear();
    QCOMPARE(ReceiveAskBar::sentence(a), QStringLiteral("A device (192.168.1.31) wants to send photo.jpg."));
    // A name is shown as text, never markup.
    ReceiveAskBar bar;
    a.id = 7;
    a.firstName = "<b>x</b>.txt";
    bar.open(a);
    QCOMPARE(bar.count(), 1);
    QCOMPARE(bar.text(7)->textFormat(), Qt::PlainText);
    QVERIFY(bar.text(7)->text().contains("<b>x</b>.txt"));
    bar.close(7);
    QCOMPARE(bar.count(), 0);
    QVERIFY(bar.isHidden());
  }

  void theCapRefusesALargerFile() {
    auto w = window(false);
    QVERIFY(w);
    AppSettings s = w->settings();
    s.maxReceiveSize = 1'000'000;
    w->applySettings(s);
    Upload up;
    up.start(file("movie.mkv", 1'000'001), w->receivePanel()->link());
    QCOMPARE(up.status(), 413);
    QCOMPARE(entries(), QStringList());
  }

  void aNewDeviceIsAskedInTheWindow() {
    auto w = window(true);
    QVERIFY(w);
    ReceiveAskBar* bar = w->receiveAsks();
    QVERIFY(bar->isHidden());
    const qint64 size = 2'100'000;
    Upload up;
    up.start(file("photo.jpg", size), w->receivePanel()->link());
    QVERIFY(waitFor([&] { return onlyPrompt(bar) != 0; }, 10'000));
    const std::uint64_t id = onlyPrompt(bar);
    QVERIFY(!bar->isHidden());
    QCOMPARE(bar->text(id)->text(),
             QStringLiteral("curl 8.5 (127.0.0.1) wants to send photo.jpg (%1).").arg(formatBytes(size)));
    QCOMPARE(bar->text(id)->textFormat(), Qt::PlainText);
    QTest::qWait(500);
    QCOMPARE(entries(), QStringList());  // nothing taken before the answer
    bar->button(id, ReceiveAnswer::kAcceptAlways)->click();
    QCOMPARE(up.status(), 201);
    QVERIFY(bar->isHidden());
    QVERIFY(QFileInfo(inbox_->filePath("photo.jpg")).size() == size);
    // The arrival is told, with Open Folder (no tray here: the message bar).
    QVERIFY(waitFor([&] { return w->messageBar()->text().startsWith("photo.jpg arrived from "); }, 10'000));
    QCOMPARE(w->messageBar()->buttons().size(), 1);
    QCOMPARE(w->messageBar()->buttons()[0]->text(), QStringLiteral("Open Folder"));
    // Always: remembered, also after a restart.
    QVERIFY(waitFor([] { return SettingsStore().loadReceive().devices.contains("address:127.0.0.1"); }, 5'000));
    w.reset();
    w = window(true);
    QVERIFY(w);
    Upload again;
    again.start(file("second.jpg", 1000), w->receivePanel()->link());
    QCOMPARE(again.status(), 201);
    QCOMPARE(w->receiveAsks()->count(), 0);
    QVERIFY(QFileInfo::exists(inbox_->filePath("second.jpg")));
  }

  void declineFromThePrompt() {
    auto w = window(true);
    QVERIFY(w);
    Upload up;
    up.start(file("unwanted.zip", 5000), w->receivePanel()->link());
    QVERIFY(waitFor([&] { return onlyPrompt(w->receiveAsks()) != 0; }, 10'000));
    w->receiveAsks()->button(onlyPrompt(w->receiveAsks()), ReceiveAnswer::kDecline)->click();
    QCOMPARE(up.status(), 403);
    QCOMPARE(entries(), QStringList());
    QVERIFY(SettingsStore().loadReceive().devices.isEmpty());
  }

  void anUnansweredPromptVanishes() {
    auto w = window(true);
    QVERIFY(w);
    ReceivePolicy p = w->bridge()->receivePolicy();
    p.askTimeout = std::chrono::milliseconds(800);
    w->bridge()->setReceivePolicy(p);
    Upload up;
    up.start(file("ignored.txt", 100), w->receivePanel()->link());
    QVERIFY(waitFor([&] { return onlyPrompt(w->receiveAsks()) != 0; }, 10'000));
    QVERIFY(waitFor([&] { return w->receiveAsks()->count() == 0; }, 10'000));
    QVERIFY(w->receiveAsks()->isHidden());
    QCOMPARE(up.status(), 403);
    QCOMPARE(entries(), QStringList());
  }

  void receiveSurvivesARestart() {
    QString link;
    {
      auto w = window(false);
      QVERIFY(w);
      link = w->receivePanel()->link();
      QVERIFY(!link.isEmpty());
    }
    auto w = std::make_unique<MainWindow>(SettingsStore{});
    QVERIFY(w->receivePanel()->receiving());
    QCOMPARE(w->receivePanel()->folder(), QDir::cleanPath(inbox_->path()));
    w->startIfWanted();
    QCOMPARE(w->receivePanel()->link(), link);  // the link a phone kept still works
    Upload up;
    up.start(file("after restart.txt", 10), link);
    QCOMPARE(up.status(), 201);
    QVERIFY(QFileInfo::exists(inbox_->filePath("after restart.txt")));
    // Off is kept too, and the same link comes back when it is on again.
    w->receivePanel()->toggle()->setChecked(false);
    w.reset();
    w = std::make_unique<MainWindow>(SettingsStore{});
    QVERIFY(!w->receivePanel()->receiving());
    w->startIfWanted();
    QVERIFY(w->receivePanel()->setReceiving(true));
    QCOMPARE(w->receivePanel()->link(), link);
  }
};

QTEST_MAIN(TestReceiveWindow)
#include "tst_receive_window.moc"
