// One Ferry per session, as a file manager drives it: the window runs
// (offscreen), `ferry FILE` is started again — twice at once, then twenty
// at once as Explorer does for a selection — and every file ends up shared
// by the first window, downloadable from it, while each launcher exits 0.
// A crashed window leaves nothing that stops the next; --new-instance and
// --headless never hand over. Linux (signals).

#include <csignal>

#include <QDir>
#include <QProcess>
#include <QScopeGuard>
#include <QSettings>
#include <QTcpServer>
#include <QTest>

#include "testutil/http_client.h"

using namespace ferry::test;

class TestOneInstance : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  quint16 port_ = 0;
  std::unique_ptr<QProcess> window_;

  QProcessEnvironment env() const {
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert("QT_QPA_PLATFORM", "offscreen");
    e.insert("HOME", dir_.path());
    e.insert("XDG_CONFIG_HOME", dir_.filePath("config"));
    return e;
  }
  QString ini() const { return dir_.filePath("config/ferry/ferry.ini"); }

  QString file(const QString& name) {
    const QString p = dir_.filePath(name);
    if (!QFile::exists(p)) writeFile(p, name.toUtf8() + " says hello\n");
    return p;
  }

  // The token the window saved for `path`; empty until it did.
  QString savedToken(const QString& path) const {
    QSettings s(ini(), QSettings::IniFormat);
    s.beginGroup(QStringLiteral("shares"));
    for (const QString& group : s.childGroups())
      if (s.value(group + QStringLiteral("/path")).toString() == path) return group;
    return {};
  }

  // The file downloaded from the first window, by the link it saved.
  QByteArray download(const QString& path) {
    QString token;
    if (!QTest::qWaitFor([&] { return !(token = savedToken(path)).isEmpty(); }, 20'000)) return "(not shared)";
    const QString link = QString("http://127.0.0.1:%1/%2/%3").arg(port_).arg(token, QFileInfo(path).fileName());
    return runCurl({"--max-time", "5", link}).out;
  }

  void startWindow(const QStringList& files) {
    window_ = std::make_unique<QProcess>();
    window_->setProcessEnvironment(env());
    window_->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    window_->start(ferryBinary(), QStringList{"--bind", "127.0.0.1", "--port", QString::number(port_)} + files);
    QVERIFY(window_->waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(RawClient(port_).ok(), 20'000);  // serving
  }

  // Starts `ferry FILE` once per file, all at once, from the files' folder
  // with relative names; waits for every one to exit.
  QList<ProcessResult> launchAll(const QStringList& names) {
    std::vector<std::unique_ptr<QProcess>> procs;
    for (const QString& n : names) {
      auto p = std::make_unique<QProcess>();
      p->setProcessEnvironment(env());
      p->setWorkingDirectory(dir_.path());
      p->start(ferryBinary(), {n});
      procs.push_back(std::move(p));
    }
    QList<ProcessResult> out;
    for (auto& p : procs) {
      ProcessResult r;
      r.finished = p->waitForFinished(60'000);
      r.exitCode = r.finished && p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
      r.err = p->readAllStandardError();
      if (!r.finished) p->kill(), p->waitForFinished(5'000);
      out << r;
    }
    return out;
  }

 private slots:
  void initTestCase() {
#ifndef __linux__
    QSKIP("signals, /proc");
#endif
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set (ctest sets it)");
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY(dir_.isValid());
  }

  void init() {
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    port_ = probe.serverPort();
  }

  void cleanup() {
    if (window_ && window_->state() != QProcess::NotRunning) {
      ::kill(static_cast<pid_t>(window_->processId()), SIGTERM);
      if (!window_->waitForFinished(10'000)) window_->kill(), window_->waitForFinished(5'000);
    }
    window_.reset();
    QFile::remove(ini());
  }

  void twoLaunchesAtOnceReachTheFirstWindow() {
    startWindow({file("first.txt")});
    file("second.txt");
    file("third.txt");
    const QList<ProcessResult> r = launchAll({"second.txt", "third.txt"});
    for (const ProcessResult& p : r) {
      QVERIFY2(p.exitCode == 0, p.err.constData());
      QVERIFY2(p.err.contains("handed 1 path to the Ferry already running"), p.err.constData());
    }
    QCOMPARE(download(file("first.txt")), QByteArray("first.txt says hello\n"));
    QCOMPARE(download(file("second.txt")), QByteArray("second.txt says hello\n"));
    QCOMPARE(download(file("third.txt")), QByteArray("third.txt says hello\n"));
    QCOMPARE(window_->state(), QProcess::Running);  // the first window, not a new one
  }

  void twentyLaunchesAtOnceAllArrive() {
    startWindow({});
    QStringList names;
    for (int i = 0; i < 20; ++i) names << file(QString("burst-%1.txt").arg(i)).section('/', -1);
    const QList<ProcessResult> r = launchAll(names);
    for (const ProcessResult& p : r) QVERIFY2(p.exitCode == 0, p.err.constData());
    for (const QString& n : names) QCOMPARE(download(dir_.filePath(n)), n.toUtf8() + " says hello\n");
  }

  void aLaunchAfterACrashOpensTheWindow() {
    startWindow({file("before-crash.txt")});
    ::kill(static_cast<pid_t>(window_->processId()), SIGKILL);  // leaves its lock and socket
    QVERIFY(processEnded(*window_, 10'000));
    QTRY_VERIFY_WITH_TIMEOUT(!RawClient(port_).ok(), 5'000);
    // The next launch is the window itself: it serves, its file included.
    startWindow({file("after-crash.txt")});
    QCOMPARE(download(file("after-crash.txt")), QByteArray("after-crash.txt says hello\n"));
  }

  void newInstanceAndHeadlessNeverHandOver() {
    startWindow({});
    // A window of its own: it opens, is grabbed and exits by itself.
    const QString shot = dir_.filePath("own-window.png");
    QProcessEnvironment e = env();
    e.insert("FERRY_SCREENSHOT", shot);
    e.insert("FERRY_SCREENSHOT_DELAY", "0.5");
    e.insert("XDG_CONFIG_HOME", dir_.filePath("other-config"));  // its own settings, not the first's
    ProcessResult own = runProcess(ferryBinary(), {"--new-instance", "--port", "0", file("own.txt")}, 30'000, e);
    QVERIFY2(own.exitCode == 0, own.err.constData());
    QVERIFY(QFileInfo(shot).size() > 1000);
    QVERIFY(!own.err.contains("handed"));
    // Headless serves by itself while the window runs.
    FerryProcess headless;
    QVERIFY(headless.start({file("headless.txt")}));
    QCOMPARE(runCurl({headless.urls[0]}).out, QByteArray("headless.txt says hello\n"));
    QVERIFY(savedToken(file("headless.txt")).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestOneInstance)
#include "tst_one_instance.moc"
