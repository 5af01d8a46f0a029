// What happens to downloads while things change under them: a file is
// unshared, truncated, a transfer is cancelled, the bandwidth is limited,
// the server stops and starts again. Clients are curl processes running
// concurrently with the test, which drives the server from its own thread.

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTest>

#include <sys/socket.h>

#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;
using namespace std::chrono_literals;
using ferry::TransferState;

namespace {

const char* stateName(TransferState s) { return ferry::toString(s); }

}  // namespace

class TestHttpLifecycle : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  std::unique_ptr<ServerFixture> fx_;

  bool startServer(std::uint64_t rate = 0) {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.rateLimit = rate;
    return fx_->start(currentPoller());
  }

 private slots:
  void initTestCase_data() { addPollerRows(); }

  void initTestCase() {
    QVERIFY(files_.isValid());
    if (!haveCurl()) QSKIP("curl is not installed");
  }

  void cleanup() { fx_.reset(); }

  void unshareMidDownload() {
    QVERIFY(startServer(1'000'000));  // 1 MB/s: an 8 MB download takes ~8 s
    QString path = fx_->path("shared.bin");
    QVERIFY(!writeRandomFile(path, 8'000'000, 11).isEmpty());
    auto s = fx_->share(path);
    AsyncCurl dl;
    dl.start(fx_->url(s), fx_->path("shared.out"));
    auto active = fx_->waitActive(s, 200'000);
    QVERIFY(active);
    QVERIFY(fx_->server.removeShare(s.token));
    QElapsedTimer t;
    t.start();
    QVERIFY(dl.wait(10'000));
    qInfo("download ended %lld ms after unshare, %lld of 8000000 bytes on disk", t.elapsed(), dl.sizeOnDisk());
    QVERIFY(t.elapsed() < 5'000);
    QCOMPARE(dl.exitCode(), 18);  // CURLE_PARTIAL_FILE: fewer bytes than promised
    QVERIFY(dl.sizeOnDisk() < 8'000'000);
    auto ended = fx_->waitEnded(active->id);
    QVERIFY(ended);
    QCOMPARE(stateName(ended->state), stateName(TransferState::kCancelled));
    qInfo("reason: %s", ended->reason.c_str());
    // The link is dead at once, for everybody.
    CurlResult again = runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(again.out, QByteArray("404"));
  }

  void truncatedMidDownload() {
    QVERIFY(startServer(2'000'000));
    QString victim = fx_->path("shrinking.bin");
    QString other = fx_->path("steady.bin");
    QVERIFY(!writeRandomFile(victim, 8'000'000, 12).isEmpty());
    QByteArray otherSha = writeRandomFile(other, 3'000'000, 13);
    auto v = fx_->share(victim);
    auto o = fx_->share(other);
    AsyncCurl a, b;
    a.start(fx_->url(v), fx_->path("shrinking.out"));
    b.start(fx_->url(o), fx_->path("steady.out"));
    auto active = fx_->waitActive(v, 500'000);
    QVERIFY(active);
    // The file loses most of its bytes while being served.
    QVERIFY(QFile::resize(victim, 100'000));
    QVERIFY(a.wait(20'000));
    qInfo("truncated download: curl exit %d, %lld bytes on disk", a.exitCode(), a.sizeOnDisk());
    QCOMPARE(a.exitCode(), 18);  // the connection ended short of Content-Length
    QVERIFY(a.sizeOnDisk() < 8'000'000);
    auto ended = fx_->waitEnded(active->id);
    QVERIFY(ended);
    QCOMPARE(stateName(ended->state), stateName(TransferState::kFailed));
    qInfo("reason: %s", ended->reason.c_str());
    // The other transfer is unaffected.
    QVERIFY(b.wait(30'000));
    QCOMPARE(b.exitCode(), 0);
    QCOMPARE(sha256File(fx_->path("steady.out")), otherSha);
    // The server goes on serving (the shrunken file too, at its new size).
    CurlResult c = runCurl({"-o", fx_->path("after.out"), "-w", "%{http_code} %{size_download}", fx_->url(v)});
    QCOMPARE(c.out, QByteArray("200 100000"));
  }

  void fileDeletedMidDownload() {
    QVERIFY(startServer(2'000'000));
    QString path = fx_->path("vanishing.bin");
    QByteArray sha = writeRandomFile(path, 4'000'000, 14);
    auto s = fx_->share(path);
    AsyncCurl a;
    a.start(fx_->url(s), fx_->path("vanishing.out"));
    QVERIFY(fx_->waitActive(s, 100'000));
    // Unlinked while open: the open file still has every byte (POSIX), so
    // this download completes; the next one finds nothing.
    QVERIFY(QFile::remove(path));
    QVERIFY(a.wait(30'000));
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(sha256File(fx_->path("vanishing.out")), sha);
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("404"));
  }

  void cancelTransferById() {
    QVERIFY(startServer(1'000'000));
    QString path = fx_->path("cancel.bin");
    QVERIFY(!writeRandomFile(path, 8'000'000, 15).isEmpty());
    auto s = fx_->share(path);
    AsyncCurl dl, bystander;
    dl.start(fx_->url(s), fx_->path("cancel.out"));
    auto active = fx_->waitActive(s, 100'000);
    QVERIFY(active);
    bystander.start(fx_->url(s), fx_->path("bystander.out"), {"-r", "0-499999"});
    QTRY_VERIFY_WITH_TIMEOUT(fx_->transfersOf(s).size() == 2, 10'000);
    fx_->server.cancelTransfer(active->id);
    QElapsedTimer t;
    t.start();
    QVERIFY(dl.wait(10'000));
    qInfo("cancelled download ended after %lld ms with %lld bytes", t.elapsed(), dl.sizeOnDisk());
    QVERIFY(t.elapsed() < 5'000);
    QCOMPARE(dl.exitCode(), 18);
    auto ended = fx_->waitEnded(active->id);
    QVERIFY(ended);
    QCOMPARE(stateName(ended->state), stateName(TransferState::kCancelled));
    QVERIFY(ended->bytesSent < ended->bytesTotal);
    // Only that one: the other download of the same file completes.
    QVERIFY(bystander.wait(30'000));
    QCOMPARE(bystander.exitCode(), 0);
    QCOMPARE(bystander.sizeOnDisk(), 500'000);
    // Cancelling an unknown or finished id is harmless.
    fx_->server.cancelTransfer(active->id);
    fx_->server.cancelTransfer(987654321);
    QCOMPARE(runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s), "-r", "0-0"}).out, QByteArray("206"));
  }

  void rateLimitSingle() {
    QVERIFY(startServer(1'000'000));
    QString path = fx_->path("rate.bin");
    QByteArray sha = writeRandomFile(path, 2'000'000, 16);
    auto s = fx_->share(path);
    CurlResult c = runCurl({"-o", fx_->path("rate.out"), fx_->url(s)});
    qInfo("2 MB at 1 MB/s took %lld ms", c.ms);
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(sha256File(fx_->path("rate.out")), sha);
    QVERIFY2(c.ms >= 1'500, qPrintable(QString::number(c.ms)));
    QVERIFY2(c.ms < 8'000, qPrintable(QString::number(c.ms)));
  }

  void rateLimitSharedFairly() {
    QVERIFY(startServer());
    fx_->server.setRateLimit(1'000'000);  // set at run time this time
    QString path = fx_->path("fair.bin");
    QByteArray sha = writeRandomFile(path, 2'000'000, 17);
    auto s = fx_->share(path);
    AsyncCurl a, b;
    QElapsedTimer t;
    t.start();
    a.start(fx_->url(s), fx_->path("fair-a.out"));
    b.start(fx_->url(s), fx_->path("fair-b.out"));
    QVERIFY(a.wait(30'000));
    qint64 ta = t.elapsed();
    QVERIFY(b.wait(30'000));
    qint64 tb = t.elapsed();
    qInfo("two 2 MB downloads sharing 1 MB/s finished after %lld ms and %lld ms", ta, tb);
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(b.exitCode(), 0);
    QCOMPARE(sha256File(fx_->path("fair-a.out")), sha);
    QCOMPARE(sha256File(fx_->path("fair-b.out")), sha);
    const qint64 first = std::min(ta, tb), last = std::max(ta, tb);
    QVERIFY2(last >= 3'000, qPrintable(QString::number(last)));  // 4 MB at 1 MB/s
    QVERIFY2(last < 15'000, qPrintable(QString::number(last)));
    // Fair: neither finished long before the other (one starved would
    // finish at ~2 s and the other at ~4 s).
    QVERIFY2(first * 10 >= last * 7, qPrintable(QString("%1 vs %2").arg(first).arg(last)));

    // Lifting the limit lets a download run at full speed again.
    fx_->server.setRateLimit(0);
    CurlResult fast = runCurl({"-o", "/dev/null", fx_->url(s)});
    qInfo("unlimited again: %lld ms", fast.ms);
    QVERIFY(fast.ms < 1'500);
  }

  void rateLimitChangedMidDownload() {
    QVERIFY(startServer(200'000));  // 200 kB/s: 4 MB would take 20 s
    QString path = fx_->path("change.bin");
    QByteArray sha = writeRandomFile(path, 4'000'000, 18);
    auto s = fx_->share(path);
    AsyncCurl a;
    a.start(fx_->url(s), fx_->path("change.out"));
    QVERIFY(fx_->waitActive(s, 50'000));
    fx_->server.setRateLimit(0);
    QVERIFY(a.wait(10'000));
    qInfo("finished %lld ms after start once the limit was lifted", a.timer.elapsed());
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(sha256File(fx_->path("change.out")), sha);
  }

  void snapshotStates() {
    QVERIFY(startServer(2'000'000));
    QString path = fx_->path("states.bin");
    QVERIFY(!writeRandomFile(path, 3'000'000, 19).isEmpty());
    auto s = fx_->share(path);

    // done: a complete download.
    QString small = fx_->path("small.txt");
    QVERIFY(writeFile(small, QByteArray(1000, 'x')));
    auto sm = fx_->share(small);
    QCOMPARE(runCurl({"-o", "/dev/null", fx_->url(sm)}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(sm).empty() &&
                                 fx_->transfersOf(sm).front().state == TransferState::kDone,
                             5'000);
    auto done = fx_->transfersOf(sm).front();
    QCOMPARE(done.bytesSent, std::uint64_t(1000));
    QCOMPARE(done.bytesTotal, std::uint64_t(1000));
    QCOMPARE(done.fileName(), std::string("small.txt"));
    QVERIFY(QByteArray::fromStdString(done.client).startsWith("127.0.0.1:"));
    QVERIFY(done.finished >= done.started);

    // A ranged download reports its range.
    QCOMPARE(runCurl({"-o", "/dev/null", "-r", "100-299", fx_->url(sm)}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(fx_->transfersOf(sm).size() == 2, 5'000);
    bool sawRange = false;
    for (const auto& t : fx_->transfersOf(sm))
      if (t.rangeFirst == 100 && t.bytesTotal == 200) sawRange = t.state == TransferState::kDone && t.bytesSent == 200;
    QVERIFY(sawRange);

    // cancelled: the client hangs up half way.
    {
      RawClient c(fx_->port());
      QVERIFY(c.send(getRequest(fx_->port(), fx_->target(s))));
      QByteArray got;
      QVERIFY(c.readAtLeast(got, 300'000, 10'000));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(s).empty() &&
                                 fx_->transfersOf(s).front().state == TransferState::kCancelled,
                             10'000);
    auto cancelled = fx_->transfersOf(s).front();
    qInfo("hung-up client: %s after %llu of %llu bytes (%s)", stateName(cancelled.state),
          static_cast<unsigned long long>(cancelled.bytesSent), static_cast<unsigned long long>(cancelled.bytesTotal),
          cancelled.reason.c_str());
    QVERIFY(cancelled.bytesSent > 0);
    QVERIFY(cancelled.bytesSent < cancelled.bytesTotal);

    // failed: the file shrinks under the transfer.
    QString shrink = fx_->path("fails.bin");
    QVERIFY(!writeRandomFile(shrink, 6'000'000, 20).isEmpty());
    auto f = fx_->share(shrink);
    AsyncCurl a;
    a.start(fx_->url(f), fx_->path("fails.out"));
    auto active = fx_->waitActive(f, 200'000);
    QVERIFY(active);
    QVERIFY(!active->client.empty());
    QCOMPARE(active->fileSize, std::uint64_t(6'000'000));
    QVERIFY(QFile::resize(shrink, 10));
    QVERIFY(a.wait(20'000));
    auto failed = fx_->waitEnded(active->id);
    QVERIFY(failed);
    QCOMPARE(stateName(failed->state), stateName(TransferState::kFailed));
    QVERIFY(!failed->reason.empty());

    // Totals add up, and nothing is active any more.
    auto snap = fx_->server.snapshot();
    QCOMPARE(snap->activeTransfers, std::size_t(0));
    QVERIFY(snap->totalBytesSent >= 1200 + cancelled.bytesSent + failed->bytesSent);
    QVERIFY(snap->totalTransfers >= 4);
    bool counted = false;
    for (const auto& sc : snap->shares)
      if (sc.token == sm.token) counted = sc.downloads >= 1;
    QVERIFY(counted);
  }

  void snapshotShowsLiveProgress() {
    QVERIFY(startServer(1'000'000));
    QString path = fx_->path("live.bin");
    QVERIFY(!writeRandomFile(path, 3'000'000, 21).isEmpty());
    auto s = fx_->share(path);
    AsyncCurl a;
    a.start(fx_->url(s), fx_->path("live.out"));
    auto early = fx_->waitActive(s, 100'000);
    QVERIFY(early);
    auto later = fx_->waitActive(s, early->bytesSent + 500'000);
    QVERIFY(later);
    QVERIFY(later->bytesSent > early->bytesSent);
    QVERIFY(fx_->server.snapshot()->activeTransfers >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(fx_->server.snapshot()->uploadRate > 300'000, 5'000);
    qInfo("upload rate while limited to 1 MB/s: %.0f B/s", fx_->server.snapshot()->uploadRate);
    QVERIFY(fx_->server.snapshot()->uploadRate < 2'000'000);
    QVERIFY(a.wait(20'000));
    QCOMPARE(a.exitCode(), 0);
  }

  void forwardedForOnlyFromTrustedProxies() {
    // Behind a reverse proxy the downloader is the address the proxy names;
    // from anyone else the header is a lie and is ignored.
    for (bool trusted : {true, false}) {
      fx_ = std::make_unique<ServerFixture>();
      if (trusted) fx_->options.trustedProxies = {"127.0.0.1"};
      QVERIFY(fx_->start(currentPoller()));
      QString path = fx_->path("xff.txt");
      QVERIFY(writeFile(path, "via proxy\n"));
      auto s = fx_->share(path);
      RawResponse r = rawRequest(fx_->port(), getRequest(fx_->port(), fx_->target(s),
                                                         "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n"));
      QCOMPARE(r.status, 200);
      QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(s).empty(), 5'000);
      const std::string client = fx_->transfersOf(s).front().client;
      qInfo("%s proxy: client shown as %s", trusted ? "trusted" : "untrusted", client.c_str());
      if (trusted)
        QVERIFY2(QByteArray::fromStdString(client).startsWith("203.0.113.7"), client.c_str());
      else
        QVERIFY2(QByteArray::fromStdString(client).startsWith("127.0.0.1"), client.c_str());
    }
  }

  void stopWhileDownloading() {
    QVERIFY(startServer(500'000));
    QString path = fx_->path("stop.bin");
    QByteArray sha = writeRandomFile(path, 4'000'000, 22);
    auto s = fx_->share(path);
    const std::uint16_t port = fx_->port();
    const QString url = fx_->url(s);
    std::vector<std::unique_ptr<AsyncCurl>> dls;
    for (int i = 0; i < 3; ++i) {
      dls.push_back(std::make_unique<AsyncCurl>());
      dls.back()->start(url, fx_->path(QString("stop%1.out").arg(i)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(fx_->server.snapshot()->activeTransfers == 3, 10'000);
    // An idle keep-alive connection too.
    RawClient idle(port);
    QVERIFY(idle.send(getRequest(port, "/")));
    QByteArray buf;
    QCOMPARE(readResponse(idle, buf).status, 404);

    QElapsedTimer t;
    t.start();
    fx_->server.stop();
    qint64 stopMs = t.elapsed();
    qInfo("stop() with 3 active downloads returned in %lld ms", stopMs);
    QVERIFY2(stopMs < 2'000, qPrintable(QString::number(stopMs)));
    QVERIFY(!fx_->server.running());
    QCOMPARE(fx_->server.port(), std::uint16_t(0));
    // Every client sees its connection end.
    for (auto& d : dls) {
      QVERIFY(d->wait(10'000));
      QVERIFY(d->exitCode() != 0);
    }
    QVERIFY(idle.waitClosed(5'000));
    // Nobody is listening any more.
    RawClient refused;
    QVERIFY(!refused.connectTo(port));
    // The last word reports the transfers as ended.
    auto snap = fx_->server.snapshot();
    QCOMPARE(snap->activeTransfers, std::size_t(0));
    for (const auto& tr : snap->transfers) QVERIFY(tr.state != TransferState::kActive);

    // Start again on the same port: the same links work.
    fx_->options.port = port;
    std::string error;
    QVERIFY2(fx_->server.start(fx_->options, &error), error.c_str());
    QCOMPARE(fx_->server.port(), port);
    QCOMPARE(fx_->url(s), url);
    fx_->server.setRateLimit(0);
    QString out = fx_->path("restart.out");
    CurlResult c = runCurl({"-o", out, url});
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(sha256File(out), sha);
  }

  void stopIdleIsPrompt() {
    QVERIFY(startServer());
    QElapsedTimer t;
    for (int i = 0; i < 5; ++i) {
      t.start();
      fx_->server.stop();
      qint64 ms = t.elapsed();
      QVERIFY2(ms < 1'000, qPrintable(QString::number(ms)));
      std::string error;
      QVERIFY(fx_->server.start(fx_->options, &error));
      QVERIFY(fx_->server.running());
    }
    fx_->server.stop();
    fx_->server.stop();  // twice is fine
  }

  void restartWithNewPortKeepsTokens() {
    QVERIFY(startServer());
    QString path = fx_->path("tokens.txt");
    QVERIFY(writeFile(path, "same token\n"));
    auto s = fx_->share(path);
    fx_->server.stop();
    std::string error;
    QVERIFY(fx_->server.start(fx_->options, &error));  // port 0: maybe another port
    auto again = fx_->server.share(s.token);
    QVERIFY(again);
    CurlResult c = runCurl({fx_->url(*again)});
    QCOMPARE(c.out, QByteArray("same token\n"));
  }
};

QTEST_GUILESS_MAIN(TestHttpLifecycle)
#include "tst_http_lifecycle.moc"
