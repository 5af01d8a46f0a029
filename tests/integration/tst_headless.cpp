// The headless command line is a contract scripts rely on:
//   ferry --headless [--bind ADDR] [--port N] [--poller NAME] ... PATH...
// stdout: exactly one URL line per PATH, in order, nothing else; exit code 2
// with a sentence on stderr for every user error; SIGTERM/SIGINT stop it
// promptly with exit code 0. Runs the real binary (FERRY_BINARY).

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <QThread>

#include <csignal>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QHostAddress>
#include <QNetworkInterface>
#include <QUrl>

#include "lan_ranking.h"
#include "poller.h"
#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

using Run = ProcessResult;

// Runs ferry to completion (for the error cases and --help).
Run runFerry(const QStringList& args, int timeoutMs = 15'000) { return runProcess(ferryBinary(), args, timeoutMs); }

QString pollerArg() { return QString::fromStdString(currentPoller()); }

}  // namespace

class TestHeadless : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString a_, b_, c_;
  QByteArray aSha_, bSha_, cSha_;

 private slots:
  void initTestCase_data() { addPollerRows(); }

  void initTestCase() {
    if (ferryBinary().isEmpty() || !QFileInfo(ferryBinary()).isExecutable())
      QSKIP("FERRY_BINARY is not set (the ferry executable is not built)");
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY(files_.isValid());
    a_ = files_.filePath("first.bin");
    aSha_ = writeRandomFile(a_, 1'500'000, 1);
    b_ = files_.filePath(QString::fromUtf8("r\xC3\xA9sum\xC3\xA9 \xC3\xBC.pdf"));
    bSha_ = writeRandomFile(b_, 20'000, 2);
    c_ = files_.filePath("third file.txt");
    QVERIFY(writeFile(c_, "third\n"));
    cSha_ = sha256File(c_);
  }

  void urlsOnStdoutInOrder() {
    FerryProcess f;
    QVERIFY2(f.start({a_, b_, c_}, {"--poller", pollerArg()}), f.err.constData());
    QCOMPARE(f.urls.size(), 3);
    const QRegularExpression shape("^http://127\\.0\\.0\\.1:(\\d+)/([A-Za-z0-9_-]{16,})/([A-Za-z0-9._~%-]+)$");
    QSet<QString> tokens;
    for (const QString& u : f.urls) {
      auto m = shape.match(u);
      QVERIFY2(m.hasMatch(), qPrintable(u));
      QVERIFY(m.captured(1).toInt() > 0);
      tokens << m.captured(2);
    }
    QCOMPARE(tokens.size(), 3);  // a token each
    QVERIFY(f.urls[0].endsWith("/first.bin"));
    QVERIFY(f.urls[1].endsWith("/r%C3%A9sum%C3%A9%20%C3%BC.pdf"));
    QVERIFY(f.urls[2].endsWith("/third%20file.txt"));
    // Every URL downloads the right file.
    QByteArray shas[] = {aSha_, bSha_, cSha_};
    for (int i = 0; i < 3; ++i) {
      QString out = files_.filePath(QString("dl%1").arg(i));
      CurlResult c = runCurl({"-o", out, f.urls[i]});
      QVERIFY2(c.exitCode == 0, c.err.constData());
      QCOMPARE(sha256File(out), shas[i]);
    }
    // stderr tells of the transfers (started / done lines).
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("first.bin") && f.err.contains("done")), 5'000);
    // And stdout got nothing else, even after downloads and the stop.
    QCOMPARE(f.terminate(), 0);
    QByteArray rest = f.proc.readAllStandardOutput();
    QVERIFY2(rest.isEmpty(), rest.constData());
  }

  void linksUseTheTopRankedAddress() {
    // Listening on every interface, links carry the address the window's
    // automatic choice would: the first of the ranking over this machine's
    // interfaces, not merely the first one that is up.
    const std::vector<ferry::LanAddress> ranked = ferry::rankLanAddresses(ferry::listInterfaces());
    const QString expected = ranked.empty() ? QString("127.0.0.1") : QString::fromStdString(ranked.front().host);
    FerryProcess f;
    QVERIFY2(f.start({c_}, {"--bind", "0.0.0.0", "--poller", pollerArg()}), f.err.constData());
    QCOMPARE(f.urls.size(), 1);
    QCOMPARE(QUrl(f.urls[0]).host(), expected);
    // And it is one of this machine's addresses.
    bool own = expected == "127.0.0.1";
    for (const QHostAddress& a : QNetworkInterface::allAddresses()) own = own || a.toString() == expected;
    QVERIFY2(own, qPrintable(expected));
    QCOMPARE(f.terminate(), 0);
  }

  void stdoutIsExactlyTheLines() {
    // Read stdout as a whole after the process has ended: N lines, '\n' each.
    QProcess p;
    p.start(ferryBinary(), {"--headless", "--bind", "127.0.0.1", "--port", "0", "--poller", pollerArg(), c_, a_});
    QVERIFY(p.waitForStarted());
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (out.count('\n') < 2 && t.elapsed() < 15'000) {
      p.waitForReadyRead(200);
      out += p.readAllStandardOutput();
    }
    QCOMPARE(out.count('\n'), 2);
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(5'000));
    out += p.readAllStandardOutput();
    QList<QByteArray> lines = out.split('\n');
    QCOMPARE(lines.size(), 3);  // two lines and the empty rest after the last '\n'
    QVERIFY(lines[0].endsWith("/third%20file.txt"));
    QVERIFY(lines[1].endsWith("/first.bin"));
    QVERIFY(lines[2].isEmpty());
    QVERIFY(!out.contains('\r'));
    QCOMPARE(p.exitCode(), 0);
  }

  void missingPath() {
    QString missing = files_.filePath("no such file.txt");
    Run r = runFerry({"--headless", "--port", "0", "--bind", "127.0.0.1", a_, missing});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("no such file.txt"), r.err.constData());
    QVERIFY2(r.out.isEmpty(), r.out.constData());  // nothing served, not even the good one
  }

  void folderPath() {
    // A folder is one share: its line is its listing, ending in '/'; the
    // files inside download from it, and their transfers name them.
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("Photos/2024"));
    const QString inside = dir.filePath("Photos/2024/IMG 0001.jpg");
    const QByteArray sha = writeRandomFile(inside, 300'000, 7);
    FerryProcess f;
    f.env << "XDG_CACHE_HOME=" + dir.filePath("cache");  // where the window keeps its cache too
    QVERIFY2(f.start({dir.filePath("Photos"), c_}, {"--poller", pollerArg()}), f.err.constData());
    QCOMPARE(f.urls.size(), 2);
    QVERIFY2(f.urls[0].endsWith("/Photos/"), qPrintable(f.urls[0]));
    QVERIFY(f.urls[1].endsWith("/third%20file.txt"));
    CurlResult page = runCurl({"-sS", f.urls[0] + "2024/"});
    QVERIFY2(page.exitCode == 0, page.err.constData());
    QVERIFY2(page.out.contains("IMG 0001.jpg"), page.out.constData());
    const QString out = dir.filePath("dl.jpg");
    CurlResult c = runCurl({"-o", out, f.urls[0] + "2024/IMG%200001.jpg"});
    QVERIFY2(c.exitCode == 0, c.err.constData());
    QCOMPARE(sha256File(out), sha);
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("Photos/2024/IMG 0001.jpg") && f.err.contains("done")), 5'000);
    QVERIFY2(f.err.contains("serving 1 file and 1 folder"), f.err.constData());
    // The folder's CRC-32s are kept for the next run, the window's included.
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(dir.filePath("cache/ferry/crc32-cache")), 10'000);
    QCOMPARE(f.terminate(), 0);
  }

  void unreadablePath() {
    if (::geteuid() == 0) QSKIP("root can read any file");
    QString locked = files_.filePath("locked.txt");
    QVERIFY(writeFile(locked, "secret"));
    QVERIFY(::chmod(QFile::encodeName(locked).constData(), 0) == 0);
    Run r = runFerry({"--headless", "--port", "0", "--bind", "127.0.0.1", locked});
    ::chmod(QFile::encodeName(locked).constData(), 0644);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("locked.txt"));
    QVERIFY(r.out.isEmpty());
  }

  void fifoPath() {
    // Not a regular file (also what root, who can read anything, sees fail).
    QString fifo = files_.filePath("a-fifo");
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0644) == 0);
    Run r = runFerry({"--headless", "--port", "0", "--bind", "127.0.0.1", fifo});
    QFile::remove(fifo);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err, "ferry: Cannot share " + QFile::encodeName(fifo) + ": it is not a regular file or folder.\n");
    QVERIFY(r.out.isEmpty());
  }

  void noPaths() {
    Run r = runFerry({"--headless", "--port", "0"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!r.err.isEmpty());
    QVERIFY(r.out.isEmpty());
  }

  void busyPort() {
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(squatter.serverPort());
    Run r = runFerry({"--headless", "--bind", "127.0.0.1", "--port", port, "--poller", pollerArg(), a_});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 2);
    qInfo("busy port message: %s", r.err.trimmed().constData());
    QVERIFY2(r.err.contains(port.toLatin1()), r.err.constData());
    QVERIFY2(r.err.contains("in use"), r.err.constData());
    QVERIFY2(r.err.trimmed().count('\n') == 0, r.err.constData());  // one plain sentence
    QVERIFY(r.out.isEmpty());
  }

  void badOptions_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("mentions");
    QTest::newRow("unknown option") << QStringList{"--headless", "--frobnicate"} << QByteArray("--frobnicate");
    QTest::newRow("port not a number") << QStringList{"--headless", "--port", "http"} << QByteArray("http");
    QTest::newRow("port too big") << QStringList{"--headless", "--port", "70000"} << QByteArray("70000");
    QTest::newRow("port missing value") << QStringList{"--headless", "--port"} << QByteArray("--port");
    QTest::newRow("bad rate") << QStringList{"--headless", "--rate-limit", "fast"} << QByteArray("fast");
    QTest::newRow("bad max-connections") << QStringList{"--headless", "--max-connections", "0"} << QByteArray("0");
    QTest::newRow("bad max-connections-per-ip") << QStringList{"--headless", "--max-connections-per-ip", "-1"}
                                                << QByteArray("-1");
    QTest::newRow("bad bind") << QStringList{"--headless", "--bind", "not-an-ip", "--port", "0"}
                              << QByteArray("not-an-ip");
  }

  void badOptions() {
    QFETCH(QStringList, args);
    QFETCH(QByteArray, mentions);
    Run r = runFerry(args + QStringList{a_});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(mentions), r.err.constData());
    QVERIFY(r.out.isEmpty());
  }

  void unknownPoller() {
    Run r = runFerry({"--headless", "--port", "0", "--poller", "nope", a_});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("nope"));
    for (const std::string& name : ferry::availablePollers())
      QVERIFY2(r.err.contains(QByteArray::fromStdString(name)), r.err.constData());
    QVERIFY(r.out.isEmpty());
  }

  void helpAndVersion() {
    Run h = runFerry({"--help"});
    QCOMPARE(h.exitCode, 0);
    QVERIFY(h.out.contains("--headless"));
    QVERIFY(h.out.contains("--port"));
    Run hh = runFerry({"-h"});
    QCOMPARE(hh.exitCode, 0);
    Run v = runFerry({"--version"});
    QCOMPARE(v.exitCode, 0);
    QVERIFY2(QRegularExpression("^ferry \\d+\\.\\d+").match(QString::fromUtf8(v.out)).hasMatch(), v.out.constData());
  }

  void sigtermStopsPromptly() {
    FerryProcess f;
    QVERIFY(f.start({a_}, {"--poller", pollerArg()}));
    QCOMPARE(runCurl({"-o", "/dev/null", "-w", "%{http_code}", f.urls[0]}).out, QByteArray("200"));
    QElapsedTimer t;
    t.start();
    int code = f.terminate(5'000);
    qint64 ms = t.elapsed();
    qInfo("idle server exited %lld ms after SIGTERM", ms);
    QCOMPARE(code, 0);
    QVERIFY2(ms < 2'000, qPrintable(QString::number(ms)));
  }

  void sigintStopsPromptly() {
    FerryProcess f;
    QVERIFY(f.start({a_}, {"--poller", pollerArg()}));
    QElapsedTimer t;
    t.start();
    ::kill(static_cast<pid_t>(f.pid()), SIGINT);
    QVERIFY(f.proc.waitForFinished(5'000));
    qInfo("idle server exited %lld ms after SIGINT", t.elapsed());
    QCOMPARE(f.proc.exitStatus(), QProcess::NormalExit);
    QCOMPARE(f.proc.exitCode(), 0);
    QVERIFY(t.elapsed() < 2'000);
  }

  void sigtermDuringDownloads() {
    // A slow download in flight: SIGTERM still ends the process at once and
    // closes the client's connection.
    FerryProcess f;
    QVERIFY(f.start({a_}, {"--poller", pollerArg(), "--rate-limit", "200k"}));
    QProcess curl;
    curl.start("curl", {"-sS", "--noproxy", "*", "-o", "/dev/null", f.urls[0]});
    QVERIFY(curl.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("started")), 10'000);
    QElapsedTimer t;
    t.start();
    int code = f.terminate(5'000);
    qInfo("server with an active download exited %lld ms after SIGTERM", t.elapsed());
    QCOMPARE(code, 0);
    QVERIFY(t.elapsed() < 2'000);
    QVERIFY(curl.waitForFinished(5'000));
    QVERIFY(curl.exitCode() != 0);  // the download was cut short
  }

  void stalledStderrDoesNotStopServing() {
    // stderr is a pipe whose reader stopped reading (a terminal paused with
    // Ctrl+S, a supervisor that fell behind, `2>&1 | less` left on one
    // page). The transfer log fills the pipe; downloads must go on: logging
    // is not worth freezing every transfer for.
    int pipeFds[2];
    QVERIFY(::pipe2(pipeFds, O_CLOEXEC) == 0);
    const int writeEnd = pipeFds[1];
    QProcess p;
    p.setChildProcessModifier([writeEnd] { ::dup2(writeEnd, STDERR_FILENO); });
    p.start(ferryBinary(), {"--headless", "--bind", "127.0.0.1", "--port", "0", "--poller", pollerArg(), c_});
    QVERIFY(p.waitForStarted());
    ::close(writeEnd);
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (!out.contains('\n') && t.elapsed() < 15'000) {
      p.waitForReadyRead(200);
      out += p.readAllStandardOutput();
    }
    const QUrl url(QString::fromUtf8(out.trimmed()));
    const auto port = static_cast<std::uint16_t>(url.port());
    const QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
    QVERIFY(port > 0);
    // Thousands of tiny transfers: far more log than a pipe holds (64 KiB).
    RawClient c(port);
    QByteArray buf;
    int served = 0;
    bool stuck = false;
    t.restart();
    while (served < 4000 && t.elapsed() < 60'000) {
      if (!c.send(getRequest(port, target, "Range: bytes=0-0\r\n"))) break;
      RawResponse r = readResponse(c, buf, false, 5'000);
      if (!r.complete) {
        stuck = true;
        break;
      }
      ++served;
      if (served % 200 == 0) QThread::msleep(120);  // let a snapshot (and its log lines) happen
    }
    int pending = 0;
    ::ioctl(pipeFds[0], FIONREAD, &pending);
    qInfo("served %d requests with an unread stderr pipe holding %d bytes%s", served, pending,
          stuck ? "; then the server stopped answering" : "");
    ::close(pipeFds[0]);  // unblocks a writer stuck on the pipe (EPIPE)
    p.kill();
    p.waitForFinished(5'000);
    QVERIFY2(!stuck, "the server stopped answering once its stderr pipe was full");
    QCOMPARE(served, 4000);
  }

  void rateLimitOption() {
    FerryProcess f;
    QVERIFY(f.start({a_}, {"--poller", pollerArg(), "--rate-limit", "1M"}));
    CurlResult c = runCurl({"-o", files_.filePath("limited.out"), f.urls[0]});
    qInfo("1.5 MB at --rate-limit 1M: %lld ms", c.ms);
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(sha256File(files_.filePath("limited.out")), aSha_);
    QVERIFY(c.ms >= 1'000);
  }

  // Clients that half-close, read the response head, then reset, while the
  // rate limiter holds their bodies back: the server is neither reading nor
  // writing those sockets. It must notice the resets and close them, not
  // spin on the hang-ups the poller keeps reporting.
  void resetWhileRateLimitedDoesNotSpin() {
    FerryProcess f;
    QVERIFY(f.start({a_}, {"--poller", pollerArg(), "--rate-limit", "1024"}));
    const qint64 pid = f.pid();
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 10; ++i) {
      auto c = std::make_unique<RawClient>(f.port());
      QVERIFY(c->ok());
      QVERIFY(c->send(getRequest(f.port(), f.target())));
      c->shutdownWrite();
      QByteArray head;
      while (!head.contains("\r\n\r\n")) QVERIFY(c->readSome(head, 5'000) > 0);
      QVERIFY(head.startsWith("HTTP/1.1 200"));
      clients.push_back(std::move(c));
    }
    for (auto& c : clients) {
      linger reset{1, 0};  // close() sends RST
      QVERIFY(::setsockopt(c->fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
      c->close();
    }
    const CpuUse use = cpuUsedOver(pid, 2'000);
    qInfo("10 reset clients waiting for the rate limiter: %.2f s of CPU in %.2f s", use.cpu, use.wall);
    QVERIFY2(use.cpu < 0.5, qPrintable(QString("%1 s CPU in %2 s").arg(use.cpu).arg(use.wall)));
    // And each of them ended as a transfer the client broke off.
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.count("the client closed the connection") >= 10), 5'000);
    // The server still serves.
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", "-r", "0-99", f.urls[0]});
    QCOMPARE(c.out, QByteArray("206"));
  }

  void maxConnectionsOption() {
    FerryProcess f;
    QVERIFY(f.start({c_}, {"--poller", pollerArg(), "--max-connections", "2"}));
    RawClient one(f.port()), two(f.port());
    QByteArray buf;
    QByteArray target = QUrl(f.urls[0]).path(QUrl::FullyEncoded).toUtf8();
    QVERIFY(one.send(getRequest(f.port(), target)));
    QCOMPARE(readResponse(one, buf).status, 200);
    QVERIFY(two.send(getRequest(f.port(), target)));
    QCOMPARE(readResponse(two, buf).status, 200);
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", f.urls[0]});
    QCOMPARE(c.out, QByteArray("503"));
  }

  // Per address; a trusted proxy is not capped (its clients share its
  // address).
  void maxConnectionsPerIpOption_data() {
    QTest::addColumn<bool>("trusted");
    QTest::newRow("client") << false;
    QTest::newRow("trusted proxy") << true;
  }
  void maxConnectionsPerIpOption() {
    QFETCH(bool, trusted);
    FerryProcess f;
    QStringList args{"--poller", pollerArg(), "--max-connections-per-ip", "1"};
    if (trusted) args << "--trusted-proxy" << "127.0.0.1";
    QVERIFY(f.start({c_}, args));
    RawClient one(f.port());
    QByteArray buf;
    QVERIFY(one.send(getRequest(f.port(), QUrl(f.urls[0]).path(QUrl::FullyEncoded).toUtf8())));
    QCOMPARE(readResponse(one, buf).status, 200);
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", f.urls[0]});
    QCOMPARE(c.out, trusted ? QByteArray("200") : QByteArray("503"));
  }
};

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
