// Every bound of the HTTP server, seen from the client side over loopback:
// 414, 431, 408, idle keep-alive, a stalled writer, the connection caps
// (503), malformed requests (400) and the Host checks (421 / 400).
//
// Limits are made small (ServerOptions.limits) so each test takes a second
// or two; the bounds on time are generous for a busy two-core machine.

#include <QTest>
#include <QThread>

#include <functional>

#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;
using namespace std::chrono_literals;

// A literal with embedded NULs, every byte of it.
#define RAW(s) QByteArray(s, sizeof(s) - 1)

class TestHttpLimits : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString small_, big_;
  std::unique_ptr<ServerFixture> fx_;
  ferry::Share smallShare_, bigShare_;

  // Starts a fresh server with `configure` applied to its options.
  bool startServer(const std::function<void(ferry::ServerOptions&)>& configure = {}) {
    fx_ = std::make_unique<ServerFixture>();
    if (configure) configure(fx_->options);
    if (!fx_->start(currentPoller())) return false;
    smallShare_ = fx_->share(small_);
    bigShare_ = fx_->share(big_);
    return !smallShare_.token.empty() && !bigShare_.token.empty();
  }
  std::uint16_t port() const { return fx_->port(); }
  QByteArray smallTarget() const { return fx_->target(smallShare_); }

  // The response to `request` on a fresh connection, and whether the server
  // then closed the connection.
  RawResponse askAndCheckClosed(const QByteArray& request, bool* closed) {
    RawClient c(port());
    c.send(request);  // may fail half way once the server has answered and closed
    QByteArray buf;
    RawResponse r = readResponse(c, buf, false, 10'000);
    *closed = c.waitClosed(5'000);
    return r;
  }

 private slots:
  void initTestCase_data() { addPollerRows(); }

  void initTestCase() {
    QVERIFY(files_.isValid());
    small_ = files_.filePath("small.txt");
    QVERIFY(writeFile(small_, "small file\n"));
    big_ = files_.filePath("big.bin");
    QVERIFY(!writeRandomFile(big_, 64ll * 1024 * 1024, 3).isEmpty());
  }

  void cleanup() { fx_.reset(); }

  void uriTooLong() {
    QVERIFY(startServer());
    const QByteArray longTarget = smallTarget() + "?" + QByteArray(9 * 1024, 'q');
    bool closed = false;
    RawResponse r = askAndCheckClosed(getRequest(port(), longTarget), &closed);
    QVERIFY(r.complete);
    QCOMPARE(r.status, 414);
    QVERIFY(closed);
    // A line that never ends is refused as soon as it is too long.
    RawClient c(port());
    QVERIFY(c.send("GET /" + QByteArray(20 * 1024, 'a')));
    QByteArray buf;
    QCOMPARE(readResponse(c, buf).status, 414);
    // curl with a long URL gets 414 too; a long-but-legal one is served.
    QString url = fx_->url(smallShare_);
    CurlResult lng = runCurl({"-o", "/dev/null", "-w", "%{http_code}", url + "?" + QString(9000, 'x')});
    QCOMPARE(lng.out, QByteArray("414"));
    CurlResult ok = runCurl({"-w", "%{http_code}", url + "?" + QString(7000, 'x')});
    QCOMPARE(ok.out, QByteArray("small file\n200"));
  }

  void tooManyHeaders() {
    QVERIFY(startServer());
    QByteArray extra;
    for (int i = 0; i < 150; ++i) extra += "X-Header-" + QByteArray::number(i) + ": v\r\n";
    bool closed = false;
    RawResponse r = askAndCheckClosed(getRequest(port(), smallTarget(), extra), &closed);
    QVERIFY(r.complete);
    QCOMPARE(r.status, 431);
    QVERIFY(closed);
    // 90 headers are fine.
    QByteArray fine;
    for (int i = 0; i < 90; ++i) fine += "X-Header-" + QByteArray::number(i) + ": v\r\n";
    QCOMPARE(rawRequest(port(), getRequest(port(), smallTarget(), fine)).status, 200);
    // curl with 120 -H options.
    QStringList args = {"-o", "/dev/null", "-w", "%{http_code}"};
    for (int i = 0; i < 120; ++i) args << "-H" << QString("X-H%1: v").arg(i);
    args << fx_->url(smallShare_);
    QCOMPARE(runCurl(args).out, QByteArray("431"));
  }

  void headerBlockTooBig() {
    QVERIFY(startServer());
    for (int kib : {40, 200}) {  // past the limit; far past the read buffer
      QByteArray extra;
      for (int i = 0; i < kib / 4; ++i) extra += "X-Big-" + QByteArray::number(i) + ": " + QByteArray(4000, 'b') + "\r\n";
      bool closed = false;
      RawResponse r = askAndCheckClosed(getRequest(port(), smallTarget(), extra), &closed);
      QVERIFY2(r.complete, qPrintable(QString("%1 KiB").arg(kib)));
      QCOMPARE(r.status, 431);
      QVERIFY(closed);
    }
    QByteArray fine = "Cookie: " + QByteArray(20'000, 'c') + "\r\n";
    QCOMPARE(rawRequest(port(), getRequest(port(), smallTarget(), fine)).status, 200);
  }

  void headerDeadline408() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.headerTimeout = 500ms; }));
    // Half a request, then silence.
    {
      RawClient c(port());
      auto t0 = Clock::now();
      QVERIFY(c.send("GET " + smallTarget() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      QByteArray buf;
      RawResponse r = readResponse(c, buf, false, 10'000);
      qint64 ms = msSince(t0);
      qInfo("408 after %lld ms (deadline 500 ms)", ms);
      QVERIFY(r.complete);
      QCOMPARE(r.status, 408);
      QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
      QVERIFY2(ms >= 400, qPrintable(QString::number(ms)));
      QVERIFY2(ms < 5'000, qPrintable(QString::number(ms)));
      QVERIFY(c.waitClosed(5'000));
    }
    // Slowloris: a byte every 100 ms keeps no connection alive past the
    // deadline, which counts from the first byte.
    {
      RawClient c(port());
      auto t0 = Clock::now();
      QVERIFY(c.send("GET " + smallTarget() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
      QByteArray got;
      int r = -1;
      while (msSince(t0) < 8'000) {
        c.send("a");
        if ((r = c.readSome(got, 100)) != -1) break;
      }
      qint64 ms = msSince(t0);
      qInfo("slowloris cut off after %lld ms", ms);
      QVERIFY(r > 0);
      QVERIFY2(got.startsWith("HTTP/1.1 408"), got.constData());
      QVERIFY2(ms >= 400 && ms < 5'000, qPrintable(QString::number(ms)));
    }
    // A complete request in time is served.
    QCOMPARE(rawRequest(port(), getRequest(port(), smallTarget())).status, 200);
  }

  void idleKeepAliveClosed() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.idleTimeout = 800ms; }));
    RawClient c(port());
    QVERIFY(c.send(getRequest(port(), smallTarget())));
    QByteArray buf;
    QCOMPARE(readResponse(c, buf).status, 200);
    auto t0 = Clock::now();
    // Still usable right away.
    QVERIFY(c.send(getRequest(port(), smallTarget())));
    QCOMPARE(readResponse(c, buf).status, 200);
    t0 = Clock::now();
    QVERIFY(c.waitClosed(10'000));
    qint64 ms = msSince(t0);
    qInfo("idle keep-alive connection closed after %lld ms (idle timeout 800 ms)", ms);
    QVERIFY2(ms >= 600, qPrintable(QString::number(ms)));
    QVERIFY2(ms < 6'000, qPrintable(QString::number(ms)));
    // A connection that never sends anything is closed too.
    RawClient silent(port());
    t0 = Clock::now();
    QVERIFY(silent.waitClosed(10'000));
    QVERIFY(msSince(t0) < 6'000);
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.snapshot()->openConnections, std::size_t(0), 5'000);
  }

  void writeStallClosed() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.writeStallTimeout = 1s; }));
    // A client that asks for 64 MB and never reads.
    RawClient c(port(), 4096);
    auto t0 = Clock::now();
    QVERIFY(c.send(getRequest(port(), fx_->target(bigShare_))));
    // The server gives up on it: the transfer fails, the connection closes.
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(bigShare_).empty() &&
                                 fx_->transfersOf(bigShare_).front().state == ferry::TransferState::kFailed,
                             15'000);
    qint64 ms = msSince(t0);
    auto t = fx_->transfersOf(bigShare_).front();
    qInfo("stalled writer closed after %lld ms, %llu of %llu bytes sent: %s", ms,
          static_cast<unsigned long long>(t.bytesSent), static_cast<unsigned long long>(t.bytesTotal),
          t.reason.c_str());
    QVERIFY(t.bytesSent < t.bytesTotal);
    QVERIFY(!t.reason.empty());
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.snapshot()->openConnections, std::size_t(0), 5'000);
    // The client reads what was in flight, then sees the end, short of 64 MB.
    bool closed = false;
    QByteArray got = c.readUntilClosed(5'000, &closed);
    QVERIFY(closed);
    QVERIFY(got.size() < 64ll * 1024 * 1024);
    // The server still serves others.
    QCOMPARE(rawRequest(port(), getRequest(port(), smallTarget())).status, 200);
  }

  void slowReaderIsNotAStall() {
    // Progress, however slow, is not a stall: a reader that takes a little
    // every 300 ms against a 1 s stall timeout gets everything.
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.writeStallTimeout = 1s; }));
    QString path = files_.filePath("medium.bin");
    QByteArray sha = writeRandomFile(path, 2 * 1024 * 1024, 5);
    auto s = fx_->share(path);
    RawClient c(port(), 65536);
    QVERIFY(c.send(getRequest(port(), fx_->target(s))));
    QByteArray all;
    auto t0 = Clock::now();
    while (msSince(t0) < 60'000) {
      int n = c.readSome(all, 2'000, 512 * 1024);
      if (n <= 0) break;
      qsizetype end = all.indexOf("\r\n\r\n");
      if (end >= 0 && all.size() - end - 4 >= 2 * 1024 * 1024) break;
      QThread::msleep(300);  // a slow disk on the client side
    }
    qsizetype end = all.indexOf("\r\n\r\n");
    QVERIFY(end > 0);
    QCOMPARE(sha256(all.mid(end + 4)), sha);
  }

  void maxConnections503() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.maxConnections = 4; }));
    std::vector<std::unique_ptr<RawClient>> held;
    for (int i = 0; i < 4; ++i) {
      held.push_back(std::make_unique<RawClient>(port()));
      // A request each, so the server has surely accepted it.
      QVERIFY(held.back()->send(getRequest(port(), smallTarget())));
      QByteArray buf;
      QCOMPARE(readResponse(*held.back(), buf).status, 200);
    }
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.snapshot()->openConnections, std::size_t(4), 5'000);
    // The fifth is told to come back later, and hung up on.
    {
      RawClient extra(port());
      QVERIFY(extra.ok());
      QByteArray buf;
      RawResponse r = readResponse(extra, buf, false, 10'000);
      QVERIFY(r.complete);
      QCOMPARE(r.status, 503);
      QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
      QVERIFY(extra.waitClosed(5'000));
    }
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(smallShare_)});
    QCOMPARE(c.out, QByteArray("503"));
    // One leaves; a newcomer is served.
    held.pop_back();
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.snapshot()->openConnections, std::size_t(3), 5'000);
    CurlResult ok = runCurl({"-w", "%{http_code}", fx_->url(smallShare_)});
    QCOMPARE(ok.out, QByteArray("small file\n200"));
  }

  void perIpCap503() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.maxConnectionsPerIp = 2; }));
    RawClient a(port()), b(port());
    QByteArray buf;
    QVERIFY(a.send(getRequest(port(), smallTarget())));
    QCOMPARE(readResponse(a, buf).status, 200);
    QVERIFY(b.send(getRequest(port(), smallTarget())));
    QCOMPARE(readResponse(b, buf).status, 200);
    RawClient third(port());
    QByteArray tbuf;
    RawResponse r = readResponse(third, tbuf, false, 10'000);
    QCOMPARE(r.status, 503);
    a.close();
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.snapshot()->openConnections, std::size_t(1), 5'000);
    QCOMPARE(rawRequest(port(), getRequest(port(), smallTarget())).status, 200);
  }

  void malformedRequest400_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("garbage") << QByteArray("GARBAGE\r\n\r\n");
    QTest::newRow("no version") << QByteArray("GET /\r\nHost: 127.0.0.1\r\n\r\n");
    QTest::newRow("extra token") << QByteArray("GET / HTTP/1.1 x\r\nHost: 127.0.0.1\r\n\r\n");
    QTest::newRow("bad version") << QByteArray("GET / HTTP/9.x\r\nHost: 127.0.0.1\r\n\r\n");
    QTest::newRow("tls hello") << RAW("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n");
    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: a\r\n b\r\n\r\n");
    QTest::newRow("bare lf") << QByteArray("GET / HTTP/1.1\nHost: 127.0.0.1\n\n");
    QTest::newRow("nul") << RAW("GET /a\0b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n");
    QTest::newRow("absolute uri") << QByteArray("GET http://127.0.0.1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  void malformedRequest400() {
    QFETCH(QByteArray, request);
    QVERIFY(startServer());
    bool closed = false;
    RawResponse r = askAndCheckClosed(request + getRequest(port(), smallTarget()), &closed);
    QVERIFY(r.complete);
    QCOMPARE(r.status, 400);
    QVERIFY(closed);
  }

  // A HEAD is answered with a head, errors included (RFC 9110 §9.3.2): the
  // bytes after it would be read as the next response.
  void headErrorsHaveNoBody_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("body") << QByteArray("HEAD /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc") << 400;
    QTest::newRow("no host") << QByteArray("HEAD /x HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("foreign host") << QByteArray("HEAD /x HTTP/1.1\r\nHost: evil.example.com\r\n\r\n") << 421;
    QTest::newRow("uri too long") << QByteArray("HEAD /" + QByteArray(9000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                  << 414;
    QTest::newRow("bad target") << QByteArray("HEAD http://127.0.0.1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 400;
    QTest::newRow("no such link") << QByteArray("HEAD /AAAAAAAAAAAAAAAAAAAAAA/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                  << 404;
  }

  void headErrorsHaveNoBody() {
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QVERIFY(startServer());
    RawClient c(port());
    c.send(request);
    QByteArray all = c.readUntilClosed(1'000);
    const qsizetype end = all.indexOf("\r\n\r\n");
    QVERIFY2(end > 0, all.constData());
    QVERIFY2(all.startsWith("HTTP/1.1 " + QByteArray::number(status) + " "), all.constData());
    // Content-Length says what a GET would get; nothing follows the head.
    QCOMPARE(all.mid(end + 4), QByteArray());
  }

  void hostChecks() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.allowedHosts = {"files.example.org"}; }));
    const QByteArray t = smallTarget();
    auto withHost = [&](const QByteArray& hostLines, const QByteArray& version = "HTTP/1.1") {
      return rawRequest(port(), "GET " + t + " " + version + "\r\n" + hostLines + "\r\n");
    };
    const QByteArray p = QByteArray::number(port());
    QCOMPARE(withHost("Host: 127.0.0.1:" + p + "\r\n").status, 200);
    QCOMPARE(withHost("Host: 127.0.0.1\r\n").status, 200);
    QCOMPARE(withHost("Host: localhost:" + p + "\r\n").status, 200);
    QCOMPARE(withHost("Host: [::1]:" + p + "\r\n").status, 200);
    QCOMPARE(withHost("Host: 192.168.1.20:" + p + "\r\n").status, 200);
    QCOMPARE(withHost("Host: files.example.org\r\n").status, 200);  // allowed by option
    QCOMPARE(withHost("Host: FILES.EXAMPLE.ORG:" + p + "\r\n").status, 200);
    // A foreign name (DNS rebinding, a misrouted proxy): 421 and close.
    bool closed = false;
    RawResponse foreign = askAndCheckClosed("GET " + t + " HTTP/1.1\r\nHost: evil.example.com\r\n\r\n", &closed);
    QCOMPARE(foreign.status, 421);
    QVERIFY(closed);
    QCOMPARE(withHost("Host: evil.example.com:" + p + "\r\n").status, 421);
    // HTTP/1.1 needs exactly one Host.
    RawResponse none = askAndCheckClosed("GET " + t + " HTTP/1.1\r\n\r\n", &closed);
    QCOMPARE(none.status, 400);
    QVERIFY(closed);
    QCOMPARE(withHost("Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n").status, 400);
    // A Host that is no host at all is the client's error (400, and close),
    // not a name we refuse (421).
    for (const QByteArray& malformed : {QByteArray("[::1]:junk"), QByteArray("localhost:"), QByteArray("[::1]:"),
                                        QByteArray("127.0.0.1:65536"), QByteArray("127.0.0.1:80a80"),
                                        QByteArray("evil.example.com:"), QByteArray("[::1")}) {
      RawResponse r = askAndCheckClosed("GET " + t + " HTTP/1.1\r\nHost: " + malformed + "\r\n\r\n", &closed);
      QVERIFY2(r.status == 400, qPrintable("Host: " + malformed + " got " + QByteArray::number(r.status)));
      QVERIFY(closed);
    }
    QCOMPARE(withHost("Host: localhost:65535\r\n").status, 200);
    // HTTP/1.0 may omit it.
    QCOMPARE(withHost({}, "HTTP/1.0").status, 200);
    // curl reaching us under a foreign name.
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", "--resolve",
                            QString("evil.example.com:%1:127.0.0.1").arg(port()),
                            QString("http://evil.example.com:%1%2").arg(port()).arg(QString::fromLatin1(t))});
    QCOMPARE(c.out, QByteArray("421"));
    CurlResult ok = runCurl({"-o", "/dev/null", "-w", "%{http_code}", "--resolve",
                             QString("files.example.org:%1:127.0.0.1").arg(port()),
                             QString("http://files.example.org:%1%2").arg(port()).arg(QString::fromLatin1(t))});
    QCOMPARE(ok.out, QByteArray("200"));
  }

  void allowAnyHost() {
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.allowAnyHost = true; }));
    QCOMPARE(rawRequest(port(), "GET " + smallTarget() + " HTTP/1.1\r\nHost: anything.example\r\n\r\n").status, 200);
  }

  void limitsDoNotLeakConnections() {
    // After a burst of refused requests, nothing stays open.
    QVERIFY(startServer([](ferry::ServerOptions& o) { o.limits.headerTimeout = 500ms; }));
    for (int i = 0; i < 20; ++i) {
      RawClient c(port());
      c.send(i % 2 ? QByteArray("GARBAGE\r\n\r\n") : "GET /" + QByteArray(10'000, 'x') + " HTTP/1.1\r\n\r\n");
    }
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.snapshot()->openConnections, std::size_t(0), 10'000);
  }
};

QTEST_GUILESS_MAIN(TestHttpLimits)
#include "tst_http_limits.moc"
