// Ferry as an origin behind a real nginx (proxy_pass, proxy_cache on; the
// README's configuration, tests/integration/nginx_origin.conf.in), with
// `ferry --headless --json --trusted-proxy 127.0.0.1` behind it. What a
// person running both would check: whole files and ranges arrive
// byte-identical through the proxy; with --public-cache the second download
// of a plain link comes from nginx's cache and Ferry never sees it; a link
// with a rule is never cached, so Ferry counts every delivery; and Ferry's
// receipts name the client nginx forwarded, not nginx.

#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

QString nginxBinary() {
  QString n = QStandardPaths::findExecutable("nginx");
  if (n.isEmpty()) n = QStandardPaths::findExecutable("nginx", {"/usr/sbin", "/usr/local/sbin"});
  return n;
}

std::uint16_t freePort() {
  QTcpServer s;
  if (!s.listen(QHostAddress::LocalHost, 0)) return 0;
  return s.serverPort();
}

bool accepts(std::uint16_t port) {
  QTcpSocket s;
  s.connectToHost(QHostAddress::LocalHost, port);
  return s.waitForConnected(200);
}

// An unprivileged nginx with its own prefix, in front of one Ferry.
class Nginx {
 public:
  ~Nginx() {
    if (proc_.state() == QProcess::NotRunning) return;
    proc_.terminate();  // SIGTERM: a fast shutdown
    if (!proc_.waitForFinished(5'000)) {
      proc_.kill();
      proc_.waitForFinished(5'000);
    }
  }
  bool start(std::uint16_t ferryPort, QString* why) {
    QFile in(QStringLiteral(FERRY_SOURCE_DIR "/tests/integration/nginx_origin.conf.in"));
    if (!in.open(QIODevice::ReadOnly)) return fail(why, "cannot read " + in.fileName());
    // A free port, taken again by nginx a moment later: another process
    // taking it in between makes nginx fail, and the test says so.
    port_ = freePort();
    QByteArray conf = in.readAll();
    conf.replace("@DIR@", QFile::encodeName(dir_.path()));
    conf.replace("@PORT@", QByteArray::number(port_));
    conf.replace("@FERRY_PORT@", QByteArray::number(ferryPort));
    const QString confPath = dir_.filePath("nginx.conf");
    if (!writeFile(confPath, conf)) return fail(why, "cannot write " + confPath);
    proc_.setProcessChannelMode(QProcess::MergedChannels);
    proc_.start(nginxBinary(), {"-p", dir_.path(), "-c", confPath, "-e", dir_.filePath("error.log")});
    if (!proc_.waitForStarted(10'000)) return fail(why, "nginx did not start");
    auto t0 = Clock::now();
    while (!accepts(port_)) {
      if (proc_.state() == QProcess::NotRunning || msSince(t0) > 10'000)
        return fail(why, "nginx did not listen: " + QString::fromUtf8(proc_.readAll() + readFileBytes(dir_.filePath("error.log"))));
      QTest::qWait(20);
    }
    return true;
  }
  // A Ferry link, through nginx.
  QString url(const QString& ferryUrl) const {
    QUrl u(ferryUrl);
    u.setPort(port_);
    return u.toString(QUrl::FullyEncoded);
  }

 private:
  static bool fail(QString* why, const QString& text) {
    *why = text;
    return false;
  }
  QTemporaryDir dir_;
  QProcess proc_;
  std::uint16_t port_ = 0;
};

// One curl through nginx: status, headers (lower-case names) and where the
// body went.
struct Fetch {
  int exitCode = -1;
  int status = 0;
  QMap<QByteArray, QByteArray> headers;
  QByteArray err;
};

Fetch fetch(const QString& url, const QString& out, const QStringList& extra = {}) {
  QTemporaryDir d;
  const QString head = d.filePath("head");
  CurlResult c = runCurl(QStringList{"-sS", "-D", head, "-o", out} + extra + QStringList{url});
  Fetch f;
  f.exitCode = c.exitCode;
  f.err = c.err;
  QByteArray block = readFileBytes(head);
  const qsizetype sp = block.indexOf(' ');
  f.status = sp > 0 ? block.mid(sp + 1, 3).toInt() : 0;
  f.headers = parseHeaderBlock(block.mid(block.indexOf("\r\n") + 2));
  return f;
}

// Ferry's --json stderr, one object a line; every line must parse.
QList<QJsonObject> jsonLines(FerryProcess& f, bool* allParse) {
  f.readErr();
  QList<QJsonObject> out;
  *allParse = true;
  for (const QByteArray& line : f.err.split('\n')) {
    if (line.isEmpty()) continue;
    QJsonParseError e{};
    QJsonDocument doc = QJsonDocument::fromJson(line, &e);
    if (e.error != QJsonParseError::NoError || !doc.isObject()) {
      *allParse = false;
      qWarning("not a JSON object: %s", line.constData());
      continue;
    }
    out << doc.object();
  }
  return out;
}

// The directives of the first `location / { ... }` block in `text`, one a
// line, without comments and indentation.
QStringList locationDirectives(const QString& text) {
  QStringList out;
  bool inside = false;
  for (QString line : text.split('\n')) {
    line = line.section('#', 0, 0).trimmed();
    if (!inside) {
      inside = line == "location / {";
      continue;
    }
    if (line == "}") break;
    if (!line.isEmpty()) out << line;
  }
  return out;
}

QList<QJsonObject> events(const QList<QJsonObject>& all, const QString& event, const QString& outcome = {}) {
  QList<QJsonObject> out;
  for (const QJsonObject& o : all)
    if (o["event"].toString() == event && (outcome.isEmpty() || o["outcome"].toString() == outcome)) out << o;
  return out;
}

}  // namespace

class TestBehindNginx : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString file_;
  QByteArray bytes_;
  static constexpr qint64 kSize = 3'000'000;

  // Ferry with `flags`, and nginx in front of it.
  bool serve(FerryProcess& f, Nginx& n, const QStringList& flags) {
    if (!f.start({file_}, QStringList{"--json", "--trusted-proxy", "127.0.0.1"} + flags)) {
      qWarning("ferry did not start: %s", f.err.constData());
      return false;
    }
    QString why;
    if (!n.start(f.port(), &why)) {
      qWarning("%s", qPrintable(why));
      return false;
    }
    return true;
  }

  // Waits until Ferry's log has `n` events of a kind (with an outcome);
  // returns them all.
  QList<QJsonObject> waitFor(FerryProcess& f, const QString& event, const QString& outcome, qsizetype n) {
    QList<QJsonObject> got;
    bool parse = true;
    auto t0 = Clock::now();
    while (msSince(t0) < 10'000) {
      got = events(jsonLines(f, &parse), event, outcome);
      if (got.size() >= n) break;
      QTest::qWait(50);
    }
    return got;
  }

 private slots:
  void initTestCase() {
    if (ferryBinary().isEmpty() || !QFileInfo(ferryBinary()).isExecutable())
      QSKIP("FERRY_BINARY is not set (the ferry executable is not built)");
    if (!haveCurl()) QSKIP("curl is not installed");
    if (nginxBinary().isEmpty()) QSKIP("nginx is not installed (Debian: nginx-light)");
    QVERIFY(files_.isValid());
    file_ = files_.filePath("build.iso");
    writeRandomFile(file_, kSize, 11);
    bytes_ = readFileBytes(file_);
    QCOMPARE(bytes_.size(), kSize);
  }

  // The configuration the README gives is the one tested here.
  void readmeGivesTheTestedConfiguration() {
    const QString readme = QString::fromUtf8(readFileBytes(QStringLiteral(FERRY_SOURCE_DIR "/README.md")));
    const QString conf = QString::fromUtf8(readFileBytes(QStringLiteral(FERRY_SOURCE_DIR "/tests/integration/nginx_origin.conf.in")));
    const qsizetype at = readme.indexOf("## Behind nginx");
    QVERIFY(at >= 0);
    QStringList documented = locationDirectives(readme.mid(at));
    QStringList tested = locationDirectives(conf);
    QVERIFY(!tested.isEmpty());
    // The addresses differ: the README's Ferry listens on port 8080.
    tested.replaceInStrings("@FERRY_PORT@", "8080");
    QCOMPARE(documented, tested);
  }

  void wholeFilesAndRangesPassThrough() {
    FerryProcess f;
    Nginx n;
    QVERIFY(serve(f, n, {}));
    const QString url = n.url(f.urls[0]);
    for (int i = 0; i < 2; ++i) {
      const QString out = files_.filePath(QString("whole%1").arg(i));
      Fetch r = fetch(url, out);
      QVERIFY2(r.exitCode == 0, r.err.constData());
      QCOMPARE(r.status, 200);
      QCOMPARE(readFileBytes(out), bytes_);
      // By default nothing is kept: each download asks Ferry.
      QCOMPARE(r.headers.value("cache-control"), QByteArray("no-cache"));
      QCOMPARE(r.headers.value("x-cache-status"), QByteArray("MISS"));
    }
    const qint64 first = 1'234'567, last = 2'345'678;
    const QString part = files_.filePath("part");
    Fetch r = fetch(url, part, {"-r", QString("%1-%2").arg(first).arg(last)});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.status, 206);
    QCOMPARE(r.headers.value("content-range"), QString("bytes %1-%2/%3").arg(first).arg(last).arg(kSize).toLatin1());
    QCOMPARE(readFileBytes(part), bytes_.mid(first, last - first + 1));
    // Ferry sent that part, not the whole file (nginx passed the Range on).
    auto ended = waitFor(f, "transfer-ended", "done", 3);
    QCOMPARE(ended.size(), 3);
    QCOMPARE(ended[2]["bytes"].toInteger(), last - first + 1);
  }

  void publicCacheServesTheSecondDownload() {
    FerryProcess f;
    Nginx n;
    QVERIFY(serve(f, n, {"--public-cache", "60"}));
    const QString url = n.url(f.urls[0]);
    // A range asked first passes through, and is not kept as the file.
    const QString part = files_.filePath("part0");
    Fetch p = fetch(url, part, {"-r", "100-199"});
    QCOMPARE(p.status, 206);
    QCOMPARE(readFileBytes(part), bytes_.mid(100, 100));
    QCOMPARE(p.headers.value("x-cache-status"), QByteArray("MISS"));
    const char* expected[] = {"MISS", "HIT"};
    for (int i = 0; i < 2; ++i) {
      const QString out = files_.filePath(QString("cached%1").arg(i));
      Fetch r = fetch(url, out);
      QVERIFY2(r.exitCode == 0, r.err.constData());
      QCOMPARE(r.status, 200);
      QCOMPARE(readFileBytes(out), bytes_);
      QCOMPARE(r.headers.value("cache-control"), QByteArray("public, max-age=60"));
      QCOMPARE(r.headers.value("x-cache-status"), QByteArray(expected[i]));
    }
    // A range now comes from the cached file.
    Fetch q = fetch(url, part, {"-r", "1000000-1999999"});
    QCOMPARE(q.status, 206);
    QCOMPARE(q.headers.value("x-cache-status"), QByteArray("HIT"));
    QCOMPARE(readFileBytes(part), bytes_.mid(1'000'000, 1'000'000));
    // Ferry saw the range and one whole download: one delivery, and nothing
    // of the hits.
    auto delivered = waitFor(f, "delivery", "delivered", 1);
    QCOMPARE(delivered.size(), 1);
    QTest::qWait(500);  // a snapshot or more: anything else would be logged by now
    bool parse = false;
    const auto all = jsonLines(f, &parse);
    QVERIFY(parse);
    QCOMPARE(events(all, "transfer-started").size(), 2);
    QCOMPARE(events(all, "delivery", "delivered").size(), 1);
  }

  void aLinkWithARuleIsNeverCached_data() {
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QStringList>("curl");
    QTest::newRow("download limit") << QStringList{"--downloads", "5"} << QStringList{};
    // The password's curl -u is what a Basic-auth client sends; the answer
    // varies with it.
    QTest::newRow("password") << QStringList{"--password-file", files_.filePath("password")}
                              << QStringList{"-u", ":correct horse"};
    QTest::newRow("expiry") << QStringList{"--expires", "2h"} << QStringList{};
  }
  void aLinkWithARuleIsNeverCached() {
    QFETCH(QStringList, flags);
    QFETCH(QStringList, curl);
    QVERIFY(writeFile(files_.filePath("password"), "correct horse\n"));
    FerryProcess f;
    Nginx n;
    QVERIFY(serve(f, n, QStringList{"--public-cache", "60"} + flags));
    const QString url = n.url(f.urls[0]);
    for (int i = 0; i < 2; ++i) {
      const QString out = files_.filePath(QString("ruled%1").arg(i));
      Fetch r = fetch(url, out, curl);
      QVERIFY2(r.exitCode == 0, r.err.constData());
      QCOMPARE(r.status, 200);
      QCOMPARE(readFileBytes(out), bytes_);
      QCOMPARE(r.headers.value("cache-control"), QByteArray("private, no-store"));
      const QByteArray status = r.headers.value("x-cache-status");
      QVERIFY2(status == "MISS" || status == "BYPASS", status.constData());
    }
    const QString part = files_.filePath("ruled-part");
    Fetch p = fetch(url, part, curl + QStringList{"-r", "0-9999"});
    QCOMPARE(p.status, 206);
    QCOMPARE(readFileBytes(part), bytes_.left(10'000));
    // Ferry saw all three; the two whole ones are two deliveries.
    QCOMPARE(waitFor(f, "transfer-ended", "done", 3).size(), 3);
    QCOMPARE(waitFor(f, "delivery", "delivered", 2).size(), 2);
  }

  void receiptsNameTheForwardedClient() {
    FerryProcess f;
    Nginx n;
    QVERIFY(serve(f, n, {}));
    const QString out = files_.filePath("forwarded");
    Fetch r = fetch(n.url(f.urls[0]), out, {"-H", "X-Forwarded-For: 192.0.2.44"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(readFileBytes(out), bytes_);
    auto delivered = waitFor(f, "delivery", "delivered", 1);
    QCOMPARE(delivered.size(), 1);
    QCOMPARE(delivered[0]["address"].toString(), QString("192.0.2.44"));
    QVERIFY(delivered[0]["client"].toString().startsWith("curl "));
    QCOMPARE(delivered[0]["bytes"].toInteger(), kSize);
    // nginx's own address appears nowhere in what Ferry logged of it.
    bool parse = false;
    for (const QJsonObject& o : events(jsonLines(f, &parse), "transfer-started"))
      QCOMPARE(o["address"].toString(), QString("192.0.2.44"));
    QVERIFY(parse);
  }
};

QTEST_GUILESS_MAIN(TestBehindNginx)
#include "tst_behind_nginx.moc"
