// The headless command line is a contract scripts rely on:
//   ferry --headless [--bind ADDR] [--port N] [--poller NAME] ... PATH...
// stdout: exactly one URL line per PATH, in order, nothing else; exit code 2
// with a sentence on stderr for every user error; SIGTERM/SIGINT stop it
// promptly with exit code 0. Runs the real binary (FERRY_BINARY).

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
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
    QVERIFY(processEnded(p, 5'000));
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
    // Tests run as root, who can read a file of mode 000: the faulty disk
    // (tests/faults/faulty_disk.c, preloaded into the ferry started here)
    // refuses the open with EACCES instead, as chmod 000 does to a user.
    const QByteArray shim = qgetenv("FERRY_FAULTY_DISK");
    if (shim.isEmpty()) QSKIP("FERRY_FAULTY_DISK is not set (ctest sets it on Linux)");
    QString locked = files_.filePath("locked.txt");
    QVERIFY(writeFile(locked, "secret"));
    const QString control = files_.filePath("fault");
    QVERIFY(writeFile(control, "deny"));
    qputenv("LD_PRELOAD", shim);
    qputenv("FERRY_FAULT_MATCH", QFile::encodeName(locked));
    qputenv("FERRY_FAULT_CONTROL", QFile::encodeName(control));
    Run r = runFerry({"--headless", "--port", "0", "--bind", "127.0.0.1", locked});
    qunsetenv("LD_PRELOAD");
    qunsetenv("FERRY_FAULT_MATCH");
    qunsetenv("FERRY_FAULT_CONTROL");
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err, "ferry: Cannot share " + QFile::encodeName(locked) + ": it cannot be read: permission denied.\n");
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
    // The rules and the cache: a bare number is no duration (seconds or
    // minutes?), nor is zero, a unit Ferry does not know, or ten years and a day.
    QTest::newRow("expires without unit") << QStringList{"--headless", "--expires", "90"} << QByteArray("'90'");
    QTest::newRow("expires zero") << QStringList{"--headless", "--expires", "0s"} << QByteArray("'0s'");
    QTest::newRow("expires unknown unit") << QStringList{"--headless", "--expires", "2w"} << QByteArray("'2w'");
    QTest::newRow("expires too far") << QStringList{"--headless", "--expires", "3651d"} << QByteArray("'3651d'");
    QTest::newRow("expires missing value") << QStringList{"--headless", "--expires"} << QByteArray("--expires");
    QTest::newRow("downloads zero") << QStringList{"--headless", "--downloads", "0"} << QByteArray("--downloads");
    QTest::newRow("downloads not a number") << QStringList{"--headless", "--downloads", "once"} << QByteArray("'once'");
    QTest::newRow("public cache negative") << QStringList{"--headless", "--public-cache", "-1"} << QByteArray("'-1'");
    QTest::newRow("public cache too long") << QStringList{"--headless", "--public-cache", "31536001"}
                                           << QByteArray("'31536001'");
    const QString missing = files_.filePath("no password here");
    QTest::newRow("password file missing") << QStringList{"--headless", "--password-file", missing}
                                           << QFile::encodeName(missing);
    const QString empty = files_.filePath("empty password");
    writeFile(empty, "\nsecond line\n");
    QTest::newRow("password file empty line") << QStringList{"--headless", "--password-file", empty}
                                              << QByteArray("empty first line");
    QTest::newRow("password file a folder") << QStringList{"--headless", "--password-file", files_.path()}
                                            << QFile::encodeName(files_.path());
    // Never a password on the command line: where to put it instead.
    QTest::newRow("password on the command line") << QStringList{"--headless", "--password", "hunter2"}
                                                  << QByteArray("--password-file");
    QTest::newRow("rules without headless") << QStringList{"--downloads", "1"} << QByteArray("--headless");
  }

  void badOptions() {
    QFETCH(QStringList, args);
    QFETCH(QByteArray, mentions);
    Run r = runFerry(args + QStringList{a_});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(mentions), r.err.constData());
    QVERIFY(r.out.isEmpty());
    // One sentence, and never the password itself.
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(r.err.startsWith("ferry: "));
    QVERIFY(!r.err.contains("hunter2"));
  }

  // With --json, a refusal is a JSON line too: a script parsing stderr
  // reads why.
  void jsonRefusal_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bad value") << QStringList{"--headless", "--json", "--downloads", "0", a_} << "--downloads";
    QTest::newRow("json after the bad value") << QStringList{"--headless", "--expires", "soon", "--json", a_}
                                              << "'soon'";
    QTest::newRow("missing path") << QStringList{"--headless", "--json", "--port", "0", files_.filePath("gone.txt")}
                                  << "gone.txt";
  }
  void jsonRefusal() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    Run r = runFerry(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count('\n'), 1);
    QJsonParseError e{};
    const QJsonObject o = QJsonDocument::fromJson(r.err, &e).object();
    QVERIFY2(e.error == QJsonParseError::NoError, r.err.constData());
    QCOMPARE(o["event"].toString(), QString("error"));
    QVERIFY2(o["message"].toString().contains(mentions), r.err.constData());
  }

  // Each rule reaches every link of the run: what Ferry lets caches keep of
  // the answers says so (a link with a rule is "private, no-store"), and
  // stderr tells the rules once.
  void rulesReachEveryLink_data() {
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<QByteArray>("vary");
    QTest::addColumn<QByteArray>("told");
    const QString password = files_.filePath("password.txt");
    writeFile(password, "correct horse\r\nnot this line\n");
    QTest::newRow("none") << QStringList{} << QByteArray("no-cache") << QByteArray() << QByteArray();
    QTest::newRow("public cache") << QStringList{"--public-cache", "60"} << QByteArray("public, max-age=60")
                                  << QByteArray() << QByteArray();
    // Enough for the file twice (a folder's limit counts devices: curl here
    // is one); downloadLimitEndsTheLink sees a limit reached.
    QTest::newRow("downloads") << QStringList{"--downloads", "2"} << QByteArray("private, no-store") << QByteArray()
                               << QByteArray("ends after 2 complete downloads (a folder's link: is for 2 devices)");
    QTest::newRow("expires") << QStringList{"--expires", "1h30m"} << QByteArray("private, no-store") << QByteArray()
                             << QByteArray("expires at ");
    QTest::newRow("password") << QStringList{"--password-file", password} << QByteArray("private, no-store")
                              << QByteArray("Cookie, Authorization") << QByteArray("asks for a password");
    // A rule wins over --public-cache.
    QTest::newRow("downloads and public cache") << QStringList{"--public-cache", "60", "--downloads", "3"}
                                                << QByteArray("private, no-store") << QByteArray()
                                                << QByteArray("ends after 3 complete downloads (a folder's link: is for 3 devices)");
  }
  void rulesReachEveryLink() {
    QFETCH(QStringList, flags);
    QFETCH(QByteArray, cacheControl);
    QFETCH(QByteArray, vary);
    QFETCH(QByteArray, told);
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("Photos"));
    QVERIFY(writeFile(dir.filePath("Photos/a.jpg"), randomBytes(50'000, 9)));
    FerryProcess f;
    QVERIFY2(f.start({a_, dir.filePath("Photos")}, QStringList{"--poller", pollerArg()} + flags), f.err.constData());
    QCOMPARE(f.urls.size(), 2);
    // A listing is never stored, rules or not.
    CurlResult page = runCurl({"-sS", "-D", "-", "-o", "/dev/null", "-u", ":correct horse", f.urls[1]});
    QCOMPARE(parseHeaderBlock(page.out.mid(page.out.indexOf("\r\n") + 2)).value("cache-control"),
             QByteArray("no-store"));
    // The file, a file inside the folder, and the folder's zip; in part, then
    // whole (the whole is what a download limit counts).
    const QStringList urls{f.urls[0], f.urls[1] + "a.jpg", f.urls[1] + "?zip"};
    for (const QString& url : urls) {
      for (const QStringList& range : {QStringList{"-r", "0-99"}, QStringList{}}) {
        CurlResult c = runCurl(QStringList{"-sS", "-D", "-", "-o", "/dev/null", "-u", ":correct horse"} + range + QStringList{url});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        const auto headers = parseHeaderBlock(c.out.mid(c.out.indexOf("\r\n") + 2));
        QVERIFY2(c.out.startsWith(range.isEmpty() ? "HTTP/1.1 200" : "HTTP/1.1 206"), c.out.constData());
        // A part of a plain link is never public (a cache keying on the URL
        // would keep it as the whole).
        const QByteArray want = !range.isEmpty() && cacheControl.startsWith("public") ? QByteArray("no-cache")
                                                                                      : cacheControl;
        QCOMPARE(headers.value("cache-control"), want);
        QCOMPARE(headers.value("vary"), vary);
      }
    }
    f.readErr();
    if (told.isEmpty()) QVERIFY2(!f.err.contains("each link"), f.err.constData());
    else QVERIFY2(f.err.contains("ferry: each link " + told), f.err.constData());
    QVERIFY(!f.err.contains("correct horse"));
    QCOMPARE(f.terminate(), 0);
  }

  // --downloads 1: the first complete download is the last. The refusal is
  // the share gate's (410); the run's part is that the rule reached the link.
  void downloadLimitEndsTheLink() {
    FerryProcess f;
    QVERIFY(f.start({b_}, {"--poller", pollerArg(), "--downloads", "1"}));
    const QString out = files_.filePath("once.pdf");
    CurlResult first = runCurl({"-sS", "-o", out, "-w", "%{http_code}", f.urls[0]});
    QCOMPARE(first.out, QByteArray("200"));
    QCOMPARE(sha256File(out), bSha_);
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("ferry: delivered ")), 10'000);
    CurlResult second = runCurl({"-sS", "-o", "/dev/null", "-w", "%{http_code}", f.urls[0]});
    QCOMPARE(second.out, QByteArray("410"));
    QCOMPARE(f.terminate(), 0);
    // A folder alone: its limit is said in devices.
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("Photos"));
    FerryProcess g;
    QVERIFY(g.start({dir.filePath("Photos")}, {"--poller", pollerArg(), "--downloads", "1"}));
    QTRY_VERIFY_WITH_TIMEOUT((g.readErr(), g.err.contains("ferry: each link is for one device\n")), 10'000);
    QCOMPARE(g.terminate(), 0);
  }

  // Without --json: one line per delivery, naming the client for people,
  // beside the request lines.
  void deliveryLines() {
    // Larger than the kernel's socket buffers, so that a client leaving
    // early leaves the server with bytes unsent.
    const QString big = files_.filePath("cut.iso");
    const QByteArray bytes = randomBytes(24 << 20, 13);
    QVERIFY(writeFile(big, bytes));
    FerryProcess f;
    QVERIFY(f.start({big}, {"--poller", pollerArg()}));
    // A download cut short, then resumed from where it got to: one
    // delivery, one resume.
    RawClient c(f.port(), 64 * 1024);
    QVERIFY(c.send(getRequest(f.port(), f.target(), "User-Agent: curl/8.5.0\r\n")));
    QByteArray buf;
    QVERIFY(c.readAtLeast(buf, 300'000, 10'000));
    c.close();  // ends short
    // Resumed once Ferry has seen it end (a request beside a live one is a
    // parallel segment, not a resume).
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("cancelled cut.iso")), 10'000);
    const QString out = files_.filePath("resumed.bin");
    CurlResult rest = runCurl({"-sS", "-A", "curl/8.5.0", "-r", "200000-", "-o", out, f.urls[0]});
    QCOMPARE(rest.exitCode, 0);
    QVERIFY(readFileBytes(out) == bytes.mid(200'000));
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("ferry: delivered cut.iso to curl 8.5 (127.0.0.1), 1 resume\n")),
                             10'000);
    QCOMPARE(f.err.count("ferry: delivered "), 1);
    QCOMPARE(f.terminate(), 0);
    QFile::remove(big);
  }

  // --json: every stderr line is one JSON object; a full curl download and
  // aria2c's eight segments are a delivered event each; stdout is as ever.
  void jsonLog() {
    const bool aria = !QStandardPaths::findExecutable("aria2c").isEmpty();
    const QString big = files_.filePath("segments.iso");
    const QByteArray bigSha = writeRandomFile(big, 16 << 20, 12);
    FerryProcess f;
    QVERIFY(f.start({a_, big}, {"--poller", pollerArg(), "--json"}));
    QCOMPARE(f.urls.size(), 2);
    QVERIFY(f.urls[0].endsWith("/first.bin"));
    CurlResult c = runCurl({"-sS", "-o", files_.filePath("json.bin"), f.urls[0]});
    QCOMPARE(c.exitCode, 0);
    QTemporaryDir out;
    if (aria) {
      auto r = runProcess("aria2c", {"-x8", "-s8", "-k1M", "--allow-overwrite=true", "--file-allocation=none",
                                     "--console-log-level=warn", "--summary-interval=0", "--no-conf", "-d", out.path(),
                                     "-o", "segments.iso", f.urls[1]},
                          120'000);
      QCOMPARE(r.exitCode, 0);
      QCOMPARE(sha256File(out.filePath("segments.iso")), bigSha);
    }
    auto lines = [&] {
      f.readErr();
      QList<QJsonObject> objects;
      for (const QByteArray& line : f.err.split('\n')) {
        if (line.isEmpty()) continue;
        QJsonParseError e{};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &e);
        if (e.error != QJsonParseError::NoError || !doc.isObject()) {
          qWarning("not a JSON object: %s", line.constData());
          return QList<QJsonObject>{};
        }
        objects << doc.object();
      }
      return objects;
    };
    auto delivered = [&](const QList<QJsonObject>& all) {
      QList<QJsonObject> d;
      for (const QJsonObject& o : all)
        if (o["event"] == "delivery" && o["outcome"] == "delivered") d << o;
      return d;
    };
    const qsizetype want = aria ? 2 : 1;
    QTRY_VERIFY_WITH_TIMEOUT(delivered(lines()).size() >= want, 10'000);
    QCOMPARE(f.terminate(), 0);
    const QList<QJsonObject> all = lines();
    QVERIFY(!all.isEmpty());
    for (const QJsonObject& o : all) {
      QVERIFY(!o["event"].toString().isEmpty());
      QVERIFY(QDateTime::fromString(o["time"].toString(), Qt::ISODateWithMs).isValid());
    }
    QCOMPARE(all.first()["event"].toString(), QString("serving"));
    QCOMPARE(all.first()["files"].toInt(), 2);
    QCOMPARE(all.last()["event"].toString(), QString("stopped"));
    const QList<QJsonObject> d = delivered(all);
    QCOMPARE(d.size(), want);
    QCOMPARE(d[0]["name"].toString(), QString("first.bin"));
    QVERIFY(d[0]["client"].toString().startsWith("curl "));
    QCOMPARE(d[0]["address"].toString(), QString("127.0.0.1"));
    QCOMPARE(d[0]["bytes"].toInteger(), QFileInfo(a_).size());
    QCOMPARE(d[0]["requests"].toInt(), 1);
    QCOMPARE(d[0]["share"].toString(), QUrl(f.urls[0]).path().section('/', 1, 1));
    if (aria) {
      QCOMPARE(d[1]["name"].toString(), QString("segments.iso"));
      QVERIFY(d[1]["client"].toString().startsWith("aria2 "));
      QCOMPARE(d[1]["bytes"].toInteger(), QFileInfo(big).size());
      QVERIFY2(d[1]["requests"].toInt() > 1, "aria2c used several connections");
    } else {
      qInfo("aria2c is not installed: only curl's delivery checked");
    }
    // And no line of the plain log slipped through.
    QVERIFY(!f.err.contains("ferry: "));
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
    for (const char* flag : {"--expires", "--downloads", "--password-file", "--public-cache", "--json"})
      QVERIFY2(h.out.contains(flag), flag);
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
    QVERIFY(processEnded(curl, 5'000));
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
