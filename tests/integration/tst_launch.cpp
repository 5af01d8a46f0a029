// How `ferry` starts: the window comes from a module loaded only when a
// window is wanted, so `ferry --headless` maps no Qt library and runs from
// the executable alone; without its module, or without a display, the
// window says plainly why it cannot open; limits given on its command line
// win over saved ones; SIGTERM to the window saves and exits 0. Linux (/proc).

#include <csignal>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSettings>
#include <QTcpServer>
#include <QTest>

#include "testutil/http_client.h"

using namespace ferry::test;

class TestLaunch : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString file_;

  QProcessEnvironment windowEnv() const {
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert("QT_QPA_PLATFORM", "offscreen");
    e.insert("HOME", dir_.path());
    e.insert("XDG_CONFIG_HOME", dir_.filePath("config"));
    return e;
  }

 private slots:
  void initTestCase() {
#ifndef __linux__
    QSKIP("reads /proc");
#endif
    QVERIFY(dir_.isValid());
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set (ctest sets it)");
    file_ = dir_.filePath("hello.txt");
    QVERIFY(writeFile(file_, "hello\n"));
  }

  void headlessMapsNoQt() {
    FerryProcess f;
    QVERIFY(f.start({file_}));
    QFile maps(QString("/proc/%1/maps").arg(f.pid()));
    QVERIFY(maps.open(QIODevice::ReadOnly));
    const QByteArray mapped = maps.readAll();
    qInfo("ferry --headless, idle: RSS %lld kB", rssKb(f.pid()));
    QVERIFY2(!mapped.contains("libQt6"), "a Qt library is mapped into ferry --headless");
    CurlResult c = runCurl({f.urls[0]});
    QCOMPARE(c.out, QByteArray("hello\n"));
  }

  void windowOpensFromItsModule() {
    // The window, really shown, grabbed and saved once it is up.
    const QString shot = dir_.filePath("window.png");
    QProcessEnvironment e = windowEnv();
    e.insert("FERRY_SCREENSHOT", shot);
    e.insert("FERRY_SCREENSHOT_DELAY", "0.5");
    ProcessResult r = runProcess(ferryBinary(), {"--port", "0", file_}, 30'000, e);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QFileInfo(shot).size() > 1000);
  }

  void windowSavesAndExitsOnSigterm() {
    // A real window with a config of its own, serving on a port of ours.
    QProcessEnvironment e = windowEnv();
    e.insert("XDG_CONFIG_HOME", dir_.filePath("sigterm-config"));
    const QString ini = dir_.filePath("sigterm-config/ferry/ferry.ini");
    quint16 port = 0;
    {
      QTcpServer probe;
      QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
      port = probe.serverPort();
    }
    QProcess window;
    window.setProcessEnvironment(e);
    window.start(ferryBinary(), {"--bind", "127.0.0.1", "--port", QString::number(port), file_});
    QVERIFY(window.waitForStarted(10'000));
    // Shared at once (the token is saved then), then served: downloaded once.
    // Shares are saved one group per token: [shares] TOKEN\path=…
    auto savedToken = [&ini] {
      QSettings s(ini, QSettings::IniFormat);
      s.beginGroup("shares");
      return s.childGroups().value(0);
    };
    QString token;
    QTRY_VERIFY_WITH_TIMEOUT(!(token = savedToken()).isEmpty(), 20'000);
    const QString link = QString("http://127.0.0.1:%1/%2/hello.txt").arg(port).arg(token);
    // Until it listens (QTRY_ would ask once more after success: one
    // download exactly is the point).
    bool downloaded = false;
    for (QDeadlineTimer until(20'000); !downloaded && !until.hasExpired(); QTest::qWait(50))
      downloaded = runCurl({"-s", "--max-time", "5", link}).out == "hello\n";
    QVERIFY(downloaded);
    QCOMPARE(QSettings(ini, QSettings::IniFormat).value("shares/" + token + "/downloads").toInt(), 0);  // not saved yet

    QCOMPARE(::kill(static_cast<pid_t>(window.processId()), SIGTERM), 0);
    QVERIFY(processEnded(window, 15'000));
    qInfo("%s", window.readAllStandardError().constData());
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    QCOMPARE(window.exitCode(), 0);
    const QSettings saved(ini, QSettings::IniFormat);
    QCOMPARE(savedToken(), token);
    QCOMPARE(saved.value("shares/" + token + "/downloads").toInt(), 1);  // the count of that download
    QVERIFY(!saved.value("window/geometry").toByteArray().isEmpty());
  }

  void windowWithoutItsModuleSaysSo() {
    // The executable alone, copied where no module is.
    const QString lone = dir_.filePath("alone/ferry");
    QVERIFY(QDir().mkpath(dir_.filePath("alone")));
    QVERIFY(QFile::copy(ferryBinary(), lone));
    QVERIFY(QFile::setPermissions(lone, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    ProcessResult r = runProcess(lone, {file_}, 30'000, windowEnv());
    qInfo("%s", r.err.constData());
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("cannot open the window"));
    QVERIFY(r.err.contains(QFile::encodeName(dir_.filePath("alone/"))));  // where it looked
    QVERIFY(r.err.contains("--headless"));
    // The server needs nothing else.
    const QByteArray built = qgetenv("FERRY_BINARY");
    qputenv("FERRY_BINARY", QFile::encodeName(lone));
    FerryProcess f;
    const bool started = f.start({file_});
    qputenv("FERRY_BINARY", built);
    QVERIFY(started);
    QCOMPARE(runCurl({f.urls[0]}).out, QByteArray("hello\n"));
  }

  void windowWithoutADisplaySaysSo_data() {
    QTest::addColumn<QString>("display");
    QTest::newRow("DISPLAY and WAYLAND_DISPLAY unset") << QString();
    // A display named but not there (no X server answers on :97).
    QTest::newRow("DISPLAY=:97, nothing there") << QStringLiteral(":97");
  }

  void windowWithoutADisplaySaysSo() {
    QFETCH(QString, display);
    if (!display.isEmpty() && QFile::exists(QStringLiteral("/tmp/.X11-unix/X97"))) QSKIP("an X server runs on :97");
    QProcessEnvironment e = windowEnv();
    for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) e.remove(name);
    if (!display.isEmpty()) e.insert("DISPLAY", display);
    ProcessResult r = runProcess(ferryBinary(), {"--port", "0", file_}, 30'000, e);
    qInfo("%s", r.err.constData());
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("no display"), r.err.constData());
    QVERIFY2(r.err.contains("--headless"), r.err.constData());
    QVERIFY2(!r.err.contains("Reinstalling"), r.err.constData());
  }

  void commandLineLimitsWinOverSavedOnes() {
    // Saved: one connection at most, 1000 bytes/s. Given for this run: the
    // defaults' values, 1024 connections and no limit.
    const quint16 port = freeTcpPort();
    QVERIFY(port != 0);
    const QString ini = dir_.filePath("config/ferry/ferry.ini");
    QDir().mkpath(QFileInfo(ini).absolutePath());
    QVERIFY(writeFile(ini, "[server]\nbind=127.0.0.1\nlinkHost=127.0.0.1\nmaxConnections=1\nrateLimit=1000\n"
                           "startOnLaunch=true\n[window]\nkeepInTray=false\n"));
    const QString big = dir_.filePath("big.bin");
    const QByteArray content = randomBytes(200'000);
    QVERIFY(writeFile(big, content));

    QProcess window;
    window.setProcessEnvironment(windowEnv());
    window.start(ferryBinary(), {"--rate-limit", "0", "--max-connections", "1024", "--port",
                                 QString::number(port), big});
    auto stop = qScopeGuard([&] {
      window.kill();
      window.waitForFinished(5'000);
    });
    QVERIFY(window.waitForStarted(10'000));
    // Serving once a connection is taken, and the share saved once it is in the file.
    QString token;
    QTRY_VERIFY_WITH_TIMEOUT(RawClient(port).ok(), 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(!(token = savedToken(ini, big)).isEmpty(), 10'000);

    RawClient idle(port);  // holds what the saved cap would allow
    QVERIFY(idle.ok());
    QVERIFY(idle.send("GET /"));
    const QString link = QStringLiteral("http://127.0.0.1:%1/%2/big.bin").arg(port).arg(token);
    CurlResult c = runCurl({"-w", "\n%{http_code}", link}, 10'000);
    QVERIFY2(c.out.endsWith("\n200"), c.err.constData());
    QVERIFY(c.out.chopped(4) == content);  // 200 s at the saved rate
  }

 private:
  static quint16 freeTcpPort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
  }

  // The token the window saved for `path`; empty until it did.
  static QString savedToken(const QString& ini, const QString& path) {
    QSettings s(ini, QSettings::IniFormat);
    s.beginGroup(QStringLiteral("shares"));
    for (const QString& group : s.childGroups()) {
      if (s.value(group + QStringLiteral("/path")).toString() != path) continue;
      const QString token = s.value(group + QStringLiteral("/token")).toString();
      return token.isEmpty() ? group : token;  // the older layout numbered its entries
    }
    return {};
  }
};

QTEST_GUILESS_MAIN(TestLaunch)
#include "tst_launch.moc"
