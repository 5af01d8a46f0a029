// Deliveries as people make them, over real sockets: curl, wget, aria2c's
// eight segments, a download cut off and resumed, one given up, a folder's
// zip, and a client behind a proxy. What is checked is what the window and
// a download limit see: how many complete deliveries a share has, and each
// delivery's client, bytes covered, requests, resumes and outcome.

#include <QTest>

#include <map>

#include "testutil/http_client.h"

using namespace ferry::test;
using ferry::DeliveryInfo;
using ferry::DeliveryOutcome;

namespace {

// Every delivery a server's snapshots have shown, by id, latest state.
struct History {
  ferry::Server& server;
  std::map<std::uint64_t, DeliveryInfo> seen;
  void poll() {
    for (const auto& d : server.snapshot()->deliveries) seen[d.id] = d;
  }
  std::vector<DeliveryInfo> of(const std::string& token, DeliveryOutcome outcome) {
    poll();
    std::vector<DeliveryInfo> out;
    for (const auto& [id, d] : seen)
      if (d.share && d.share->token == token && d.outcome == outcome) out.push_back(d);
    return out;
  }
  // Waits until `token` has `n` deliveries with `outcome`.
  std::vector<DeliveryInfo> wait(const std::string& token, DeliveryOutcome outcome, std::size_t n,
                                 int timeoutMs = 20'000) {
    auto t0 = Clock::now();
    std::vector<DeliveryInfo> got;
    while (msSince(t0) < timeoutMs) {
      got = of(token, outcome);
      if (got.size() >= n) break;
      QTest::qWait(20);
    }
    return got;
  }
};

std::uint32_t deliveriesOf(ferry::Server& s, const std::string& token) {
  auto share = s.share(token);
  return share ? share->deliveries : 0;
}

}  // namespace

class TestDeliveries : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString small_, big_;
  QByteArray smallBytes_;
  static constexpr qint64 kSmall = 1 << 20;
  static constexpr qint64 kBig = 32ll << 20;

  std::unique_ptr<ServerFixture> serve(std::vector<std::string> trusted = {},
                                       std::chrono::milliseconds idle = std::chrono::seconds(2)) {
    auto fx = std::make_unique<ServerFixture>();
    fx->options.trustedProxies = std::move(trusted);
    fx->options.deliveryIdle = idle;
    if (!fx->start("")) return nullptr;
    return fx;
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    small_ = files_.filePath("contract.pdf");
    smallBytes_ = writeRandomFile(small_, kSmall, 3);
    big_ = files_.filePath("build.iso");
    writeRandomFile(big_, kBig, 4);
  }

  void curlDownloadIsOneDelivery() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    History h{fx->server};
    auto r = runCurl({"-o", files_.filePath("out1"), fx->url(s)});
    QCOMPARE(r.exitCode, 0);
    auto done = h.wait(s.token, DeliveryOutcome::kDelivered, 1);
    QCOMPARE(done.size(), std::size_t(1));
    QCOMPARE(done[0].covered, std::uint64_t(kSmall));
    QCOMPARE(done[0].size, std::uint64_t(kSmall));
    QCOMPARE(done[0].requests, 1u);
    QCOMPARE(done[0].resumes, 0u);
    QCOMPARE(done[0].address, std::string("127.0.0.1"));
    QVERIFY2(QByteArray::fromStdString(done[0].clientName).startsWith("curl "), done[0].clientName.c_str());
    QVERIFY(QByteArray::fromStdString(done[0].userAgent).startsWith("curl/"));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    auto snap = fx->server.snapshot();
    bool linked = false;
    for (const auto& t : snap->transfers) linked |= t.shareToken() == s.token && t.delivery == done[0].id;
    QVERIFY(linked);
  }

  void twoDownloadsOneAfterAnotherAreTwo() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    History h{fx->server};
    QCOMPARE(runCurl({"-o", files_.filePath("out2a"), fx->url(s)}).exitCode, 0);
    h.wait(s.token, DeliveryOutcome::kDelivered, 1);
    QCOMPARE(runCurl({"-o", files_.filePath("out2b"), fx->url(s)}).exitCode, 0);
    QCOMPARE(h.wait(s.token, DeliveryOutcome::kDelivered, 2).size(), std::size_t(2));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 2u);
  }

  void cutThenResumedIsOneDeliveryWithOneResume() {
    // Long enough that the resume, however late a busy machine starts it,
    // comes before the cut delivery is given up on.
    auto fx = serve({}, std::chrono::seconds(15));
    QVERIFY(fx);
    auto s = fx->share(big_);
    History h{fx->server};
    // A client reads half the body (a small receive buffer: the kernel
    // holds little of what was sent) and hangs up...
    QByteArray half;
    {
      RawClient c(fx->port(), 16 * 1024);
      QVERIFY(c.send(getRequest(fx->port(), fx->target(s), "User-Agent: resumer/1.0\r\n")));
      QByteArray buf;
      QVERIFY(c.readAtLeast(buf, 1, 10'000));
      int head = buf.indexOf("\r\n\r\n");
      QVERIFY(head > 0);
      QVERIFY(c.readAtLeast(buf, head + 4 + kBig / 2, 10'000));
      half = buf.mid(head + 4, kBig / 2);
      c.close();
    }
    QVERIFY(writeFile(files_.filePath("out3"), half));
    QTRY_VERIFY(!h.of(s.token, DeliveryOutcome::kInProgress).empty() &&
                h.of(s.token, DeliveryOutcome::kInProgress)[0].active == 0);
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);
    // ...and curl -C - gets the rest.
    auto r = runCurl({"-A", "resumer/1.0", "-C", "-", "-o", files_.filePath("out3"), fx->url(s)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(sha256File(files_.filePath("out3")), sha256File(big_));
    auto done = h.wait(s.token, DeliveryOutcome::kDelivered, 1);
    QCOMPARE(done.size(), std::size_t(1));
    QCOMPARE(done[0].requests, 2u);
    QCOMPARE(done[0].resumes, 1u);
    QCOMPARE(done[0].covered, std::uint64_t(kBig));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
  }

  void ariaEightSegmentsAreOneDelivery() {
    if (QStandardPaths::findExecutable("aria2c").isEmpty()) QSKIP("aria2c is not installed");
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(big_);
    History h{fx->server};
    QTemporaryDir out;
    auto r = runProcess("aria2c", {"-x8", "-s8", "-k1M", "--allow-overwrite=true", "--file-allocation=none",
                                   "--console-log-level=warn", "--summary-interval=0", "--no-conf", "-d", out.path(),
                                   "-o", "build.iso", fx->url(s)},
                        120'000);
    QCOMPARE(r.exitCode, 0);
    auto done = h.wait(s.token, DeliveryOutcome::kDelivered, 1);
    QCOMPARE(done.size(), std::size_t(1));
    QCOMPARE(done[0].covered, std::uint64_t(kBig));
    QVERIFY2(done[0].requests > 1, "aria2c used several connections");
    QVERIFY(QByteArray::fromStdString(done[0].clientName).startsWith("aria2 "));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    QTest::qWait(300);
    QCOMPARE(h.of(s.token, DeliveryOutcome::kDelivered).size(), std::size_t(1));
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
  }

  void abortedDownloadStopsAfterTheIdleTime() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(big_);
    History h{fx->server};
    {
      RawClient c(fx->port(), 64 * 1024);
      QVERIFY(c.send(getRequest(fx->port(), fx->target(s))));
      QByteArray buf;
      QVERIFY(c.readAtLeast(buf, kBig * 3 / 10, 20'000));
      c.close();
    }
    auto stopped = h.wait(s.token, DeliveryOutcome::kStopped, 1, 15'000);
    QCOMPARE(stopped.size(), std::size_t(1));
    QVERIFY(stopped[0].covered >= std::uint64_t(kBig * 3 / 10));
    QVERIFY(stopped[0].covered < std::uint64_t(kBig));
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);
    QVERIFY(h.of(s.token, DeliveryOutcome::kDelivered).empty());
  }

  void folderZipIsADeliveryOfTheZip() {
    auto fx = serve();
    QVERIFY(fx);
    QDir(files_.path()).mkpath("Photos/2024");
    QVERIFY(writeFile(files_.filePath("Photos/a.jpg"), randomBytes(100'000, 5)));
    QVERIFY(writeFile(files_.filePath("Photos/2024/b.jpg"), randomBytes(50'000, 6)));
    auto s = fx->share(files_.filePath("Photos"));
    QVERIFY(s.folder);
    fx->server.waitForFolderScans();
    History h{fx->server};
    auto r = runCurl({"-o", files_.filePath("photos.zip"), fx->url(s) + "?zip"});
    QCOMPARE(r.exitCode, 0);
    auto done = h.wait(s.token, DeliveryOutcome::kDelivered, 1);
    QCOMPARE(done.size(), std::size_t(1));
    QCOMPARE(done[0].item, std::string("Photos.zip"));
    QCOMPARE(done[0].covered, std::uint64_t(QFileInfo(files_.filePath("photos.zip")).size()));
  }

  void forwardedClientOnlyFromATrustedProxy() {
    for (bool trusted : {true, false}) {
      auto fx = trusted ? serve({"127.0.0.1"}) : serve();
      QVERIFY(fx);
      auto s = fx->share(small_);
      History h{fx->server};
      auto r = runCurl({"-H", "X-Forwarded-For: 192.168.1.31", "-o", files_.filePath("out5"), fx->url(s)});
      QCOMPARE(r.exitCode, 0);
      auto done = h.wait(s.token, DeliveryOutcome::kDelivered, 1);
      QCOMPARE(done.size(), std::size_t(1));
      QCOMPARE(done[0].address, std::string(trusted ? "192.168.1.31" : "127.0.0.1"));
    }
  }

  void wgetAndQtAreNamed() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    History h{fx->server};
    if (!QStandardPaths::findExecutable("wget").isEmpty()) {
      auto r = runProcess("wget", {"-q", "--no-proxy", "-O", files_.filePath("out6"), fx->url(s)}, 60'000);
      QCOMPARE(r.exitCode, 0);
      auto done = h.wait(s.token, DeliveryOutcome::kDelivered, 1);
      QCOMPARE(done.size(), std::size_t(1));
      QVERIFY2(QByteArray::fromStdString(done[0].clientName).startsWith("Wget 1."), done[0].clientName.c_str());
    }
    auto q = qnamGet(QUrl(fx->url(s)));
    QCOMPARE(q.status, 200);
    auto all = h.wait(s.token, DeliveryOutcome::kDelivered, 2);
    QVERIFY(all.size() >= 2);
    QCOMPARE(QString::fromStdString(all.back().clientName), QString("Qt"));
  }
};

QTEST_MAIN(TestDeliveries)
#include "tst_deliveries.moc"
