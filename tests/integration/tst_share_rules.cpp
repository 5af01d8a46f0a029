// A share's rules as recipients meet them, over real sockets with curl and
// aria2c: an expired link and a used-up one answer 410 with the reason, a
// download limit counts the copies that left (a resume, eight segments, two
// clients' halves, scattered one-byte ranges: one; aborted tries: none), a
// download in flight when the limit is reached still finishes, and a
// password is asked for by a page or a Basic challenge, remembered by a
// cookie, and guessed at only slowly. Folder shares (their listing and zip)
// obey the same rules, a folder's limit counting devices (a browser by its
// cookie, another client by its address) rather than files, and a rotated
// link ends the old one.

#include <QTest>

#include <QDateTime>
#include <QLocale>

#include "testutil/http_client.h"

using namespace ferry::test;
using std::chrono::system_clock;

namespace {

std::uint32_t deliveriesOf(ferry::Server& s, const std::string& token) {
  auto share = s.share(token);
  return share ? share->deliveries : 0;
}

// Status, headers (lower-cased) and body of one curl call.
struct Answer {
  int exitCode = -1;
  int status = 0;
  QMap<QByteArray, QByteArray> headers;
  QByteArray body;
};

Answer fetch(QStringList args, const QString& url, int timeoutMs = 60'000) {
  QTemporaryDir tmp;
  const QString head = tmp.filePath("head"), body = tmp.filePath("body");
  args += {"-D", head, "-o", body, url};
  auto r = runCurl(args, timeoutMs);
  Answer a;
  a.exitCode = r.exitCode;
  a.headers = parseHeaderBlock(readFileBytes(head));
  a.status = a.headers.value(":status").toInt();
  a.body = readFileBytes(body);
  return a;
}

QString hhmm(system_clock::time_point t) {
  return QDateTime::fromSecsSinceEpoch(system_clock::to_time_t(t)).toString("HH:mm");
}

}  // namespace

class TestShareRules : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString small_, big_, folder_;
  static constexpr qint64 kSmall = 300'000;
  static constexpr qint64 kBig = 32ll << 20;

  std::unique_ptr<ServerFixture> serve(std::vector<std::string> trusted = {}) {
    auto fx = std::make_unique<ServerFixture>();
    fx->options.trustedProxies = std::move(trusted);
    fx->options.deliveryIdle = std::chrono::seconds(2);
    if (!fx->start("")) return nullptr;
    return fx;
  }

  static bool rules(ServerFixture& fx, const ferry::Share& s, const ferry::ShareRules& r) {
    return fx.server.setRules(s.token, r);
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    small_ = files_.filePath("contract.pdf");
    writeRandomFile(small_, kSmall, 11);
    big_ = files_.filePath("build.iso");
    writeRandomFile(big_, kBig, 12);
    folder_ = files_.filePath("Photos");
    QDir(files_.path()).mkpath("Photos/2024");
    QVERIFY(writeFile(files_.filePath("Photos/a.jpg"), randomBytes(90'000, 13)));
    QVERIFY(writeFile(files_.filePath("Photos/2024/b.jpg"), randomBytes(40'000, 14)));
  }

  void expiredLinkIsGoneWithItsTime() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.expires = system_clock::now() + std::chrono::hours(1);
    QVERIFY(rules(*fx, s, r));
    QCOMPARE(fetch({}, fx->url(s)).status, 200);

    r.expires = system_clock::now() - std::chrono::seconds(30);
    QVERIFY(rules(*fx, s, r));
    auto a = fetch({}, fx->url(s));
    QCOMPARE(a.status, 410);
    const QString today = "This link expired at " + hhmm(*r.expires) + ".";
    QCOMPARE(QString::fromUtf8(a.body).trimmed(), today);
    // A browser gets the page saying the same.
    auto page = fetch({"-H", "Accept: text/html,*/*"}, fx->url(s));
    QCOMPARE(page.status, 410);
    QVERIFY(page.headers.value("content-type").startsWith("text/html"));
    QVERIFY(page.headers.value("content-security-policy").contains("default-src 'none'"));
    QVERIFY2(page.body.contains(today.toUtf8()), page.body.constData());
    // HEAD too, without a body.
    auto head = runCurl({"-I", fx->url(s)});
    QVERIFY2(head.out.startsWith("HTTP/1.1 410"), head.out.constData());

    // Not today: the date is said as well.
    r.expires = system_clock::now() - std::chrono::hours(49);
    QVERIFY(rules(*fx, s, r));
    const QDateTime at = QDateTime::fromSecsSinceEpoch(system_clock::to_time_t(*r.expires));
    const QString older = "This link expired on " + QLocale::c().toString(at, "d MMMM yyyy") + " at " +
                          hhmm(*r.expires) + ".";
    QCOMPARE(QString::fromUtf8(fetch({}, fx->url(s)).body).trimmed(), older);

    // A link that never was stays 404.
    std::string unknown = s.token;
    unknown[0] = unknown[0] == 'A' ? 'B' : 'A';
    QCOMPARE(fetch({}, "http://127.0.0.1:" + QString::number(fx->port()) + "/" + QString::fromStdString(unknown) +
                          "/contract.pdf")
                 .status,
             404);
  }

  void aLinkThatLeadsNowhereIsAPageForBrowsers() {
    auto fx = serve();
    QVERIFY(fx);
    auto removed = fx->share(small_);
    auto rotated = fx->share(big_);
    const QString removedUrl = fx->url(removed), rotatedUrl = fx->url(rotated);
    QVERIFY(fx->server.removeShare(removed.token));
    QVERIFY(fx->server.rotateShare(rotated.token));
    const QString never = "http://127.0.0.1:" + QString::number(fx->port()) + "/AAAAAAAAAAAAAAAAAAAAAA/x.pdf";
    for (const QString& url : {removedUrl, rotatedUrl, never}) {
      // A browser, by its Accept or by navigating, gets the designed page.
      for (const QStringList& browser : {QStringList{"-H", "Accept: text/html,application/xhtml+xml,*/*;q=0.8"},
                                         QStringList{"-H", "Accept: */*", "-H", "Sec-Fetch-Dest: document"}}) {
        auto page = fetch(browser, url);
        QCOMPARE(page.status, 404);
        QVERIFY(page.headers.value("content-type").startsWith("text/html"));
        QVERIFY(page.headers.value("content-security-policy").contains("default-src 'none'"));
        QCOMPARE(page.headers.value("cache-control"), QByteArray("no-store"));
        QVERIFY2(page.body.contains("<h1>This link doesn\u2019t work any more</h1>"), page.body.constData());
        QVERIFY(page.body.contains("ask whoever sent you the link for a new one"));
      }
      // curl keeps a plain answer.
      auto text = fetch({}, url);
      QCOMPARE(text.status, 404);
      QVERIFY(!text.headers.value("content-type").startsWith("text/html"));
      QVERIFY(!text.body.contains("<"));
    }
    // An ended link's page is the same design with its own reason.
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.expires = system_clock::now() - std::chrono::seconds(5);
    QVERIFY(rules(*fx, s, r));
    auto ended = fetch({"-H", "Sec-Fetch-Dest: document"}, fx->url(s));
    QCOMPARE(ended.status, 410);
    QVERIFY(ended.body.contains("<h1>This link has ended</h1>"));
  }

  void limitOneAllowsOneCurlDownload() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    auto a = fetch({}, fx->url(s));
    QCOMPARE(a.status, 200);
    QCOMPARE(sha256(a.body), sha256File(small_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    auto b = fetch({}, fx->url(s));
    QCOMPARE(b.status, 410);
    QCOMPARE(QString::fromUtf8(b.body).trimmed(), QString("This link was used once."));
    auto ranged = fetch({"-r", "0-99"}, fx->url(s));
    QCOMPARE(ranged.status, 410);
  }

  void limitOneWithAriaEightSegmentsCountsOnce() {
    if (QStandardPaths::findExecutable("aria2c").isEmpty()) QSKIP("aria2c is not installed");
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(big_);
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    QTemporaryDir out;
    auto run = runProcess("aria2c", {"-x8", "-s8", "-k1M", "--allow-overwrite=true", "--file-allocation=none",
                                     "--console-log-level=warn", "--summary-interval=0", "--no-conf", "-d",
                                     out.path(), "-o", "build.iso", fx->url(s)},
                          120'000);
    QVERIFY2(run.exitCode == 0, run.out.constData());
    QCOMPARE(sha256File(out.filePath("build.iso")), sha256File(big_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    QTest::qWait(300);
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
    auto again = fetch({}, fx->url(s));
    QCOMPARE(again.status, 410);
    QCOMPARE(QString::fromUtf8(again.body).trimmed(), QString("This link was used once."));
  }

  void limitTwoCountsACutAndResumedDownloadOnce() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(big_);
    ferry::ShareRules r;
    r.downloadLimit = 2;
    QVERIFY(rules(*fx, s, r));
    // Half the body, then the client hangs up...
    QByteArray half;
    {
      RawClient c(fx->port(), 16 * 1024);
      QVERIFY(c.send(getRequest(fx->port(), fx->target(s), "User-Agent: resumer/1.0\r\n")));
      QByteArray buf;
      QVERIFY(c.readAtLeast(buf, 1, 10'000));
      int head = buf.indexOf("\r\n\r\n");
      QVERIFY(head > 0);
      QVERIFY(buf.startsWith("HTTP/1.1 200"));
      QVERIFY(c.readAtLeast(buf, head + 4 + kBig / 2, 10'000));
      half = buf.mid(head + 4, kBig / 2);
    }
    const QString part = files_.filePath("resumed.iso");
    QVERIFY(writeFile(part, half));
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);
    // ...and curl -C - gets the rest: one delivery.
    auto rest = runCurl({"-A", "resumer/1.0", "-C", "-", "-o", part, fx->url(s)});
    QCOMPARE(rest.exitCode, 0);
    QCOMPARE(sha256File(part), sha256File(big_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    // A second whole download is the second delivery; then the link is used up.
    auto second = fetch({}, fx->url(s));
    QCOMPARE(second.status, 200);
    QCOMPARE(sha256(second.body), sha256File(big_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 2u);
    auto third = fetch({}, fx->url(s));
    QCOMPARE(third.status, 410);
    QCOMPARE(QString::fromUtf8(third.body).trimmed(), QString("This link was used 2 times."));
  }

  // A limit counts the copies that left, whoever took them: half the file
  // with one User-Agent and half with another is a whole copy.
  void limitOneCountsHalvesFromTwoClientsOnce() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    const qint64 half = kSmall / 2;
    auto a = fetch({"-A", "first/1.0", "-r", QString("0-%1").arg(half - 1)}, fx->url(s));
    QCOMPARE(a.status, 206);
    auto b = fetch({"-A", "second/2.0", "-r", QString("%1-").arg(half)}, fx->url(s));
    QCOMPARE(b.status, 206);
    QCOMPARE(sha256(a.body + b.body), sha256File(small_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    auto again = fetch({"-A", "third/3.0"}, fx->url(s));
    QCOMPARE(again.status, 410);
    QCOMPARE(QString::fromUtf8(again.body).trimmed(), QString("This link was used once."));
  }

  // 65 one-byte ranges with gaps between them, then the gaps and the rest,
  // all by one curl over one connection: one copy, however scattered.
  void limitOneCountsScatteredOneByteRangesOnce() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    QTemporaryDir out;
    QStringList args;
    QStringList parts;
    auto range = [&](const QString& spec) {
      const QString part = out.filePath(QString("part%1").arg(parts.size()));
      parts << part;
      if (!args.isEmpty()) args += {"--next", "-sS", "--noproxy", "*"};
      args += {"-A", "scatter/1.0", "-r", spec, "-o", part, fx->url(s)};
    };
    for (int b = 0; b <= 128; b += 2) range(QString("%1-%1").arg(b));  // 65 single bytes
    for (int b = 1; b < 128; b += 2) range(QString("%1-%1").arg(b));   // the gaps between them
    range("129-");
    auto run = runCurl(args, 120'000);
    QCOMPARE(run.exitCode, 0);
    QByteArray got(kSmall, '\0');
    for (int i = 0; i < 65; ++i) got[2 * i] = readFileBytes(parts[i]).at(0);
    for (int i = 0; i < 64; ++i) got[2 * i + 1] = readFileBytes(parts[65 + i]).at(0);
    got.replace(129, kSmall - 129, readFileBytes(parts.last()));
    QCOMPARE(sha256(got), sha256File(small_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    QCOMPARE(fetch({"-A", "scatter/1.0"}, fx->url(s)).status, 410);
  }

  // Aborted downloads count nothing, and a browser that starts again after
  // 90 % counts once.
  void limitTwoCountsARestartAtNinetyPercentOnce() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.downloadLimit = 2;
    QVERIFY(rules(*fx, s, r));
    const qint64 ninety = kSmall * 9 / 10;
    for (const char* agent : {"one/1.0", "two/2.0", "three/3.0"})
      QCOMPARE(fetch({"-A", agent, "-r", QString("0-%1").arg(ninety - 1)}, fx->url(s)).status, 206);
    auto whole = fetch({"-A", "one/1.0"}, fx->url(s));
    QCOMPARE(whole.status, 200);
    QCOMPARE(sha256(whole.body), sha256File(small_));
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    auto second = fetch({"-A", "two/2.0"}, fx->url(s));
    QCOMPARE(second.status, 200);
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 2u);
    QCOMPARE(fetch({}, fx->url(s)).status, 410);
  }

  void downloadInFlightFinishesWhenTheLimitIsReached() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(big_);
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    // A slow reader starts first and is left waiting...
    RawClient slow(fx->port(), 16 * 1024);
    QVERIFY(slow.send(getRequest(fx->port(), fx->target(s), "User-Agent: slow/1.0\r\n")));
    QByteArray buf;
    QVERIFY(slow.readAtLeast(buf, 64 * 1024, 10'000));
    const int head = buf.indexOf("\r\n\r\n");
    QVERIFY(head > 0);
    QVERIFY(buf.startsWith("HTTP/1.1 200"));
    // ...while another client downloads it all: the limit is reached.
    auto fast = fetch({}, fx->url(s));
    QCOMPARE(fast.status, 200);
    QTRY_COMPARE(deliveriesOf(fx->server, s.token), 1u);
    QCOMPARE(fetch({}, fx->url(s)).status, 410);
    // The one in flight still gets every byte.
    QVERIFY(slow.readAtLeast(buf, head + 4 + kBig, 60'000));
    QCOMPARE(buf.size(), qsizetype(head + 4 + kBig));
    QCOMPARE(sha256(buf.mid(head + 4)), sha256File(big_));
  }

  void folderListingAndZipObeyEachRule() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(folder_);
    QVERIFY(s.folder);
    fx->server.waitForFolderScans();
    const QString listing = fx->url(s), zip = fx->url(s) + "?zip", file = fx->url(s) + "a.jpg";
    // Password: asked for the listing, the zip and a file; Basic opens each.
    ferry::ShareRules r;
    r.password = "sesame";
    QVERIFY(rules(*fx, s, r));
    QCOMPARE(fetch({}, listing).status, 401);
    QCOMPARE(fetch({}, zip).status, 401);
    QCOMPARE(fetch({}, file).status, 401);
    auto page = fetch({"-u", ":sesame"}, listing);
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("a.jpg"));
    auto z = fetch({"-u", ":sesame"}, zip);
    QCOMPARE(z.status, 200);
    QVERIFY(z.body.startsWith("PK"));
    // A limit counts devices: the listing does not make one, a zip does, and
    // that device takes the zip again and every file; another is refused.
    r = {};
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    QCOMPARE(fetch({}, listing).status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);
    QCOMPARE(fetch({}, zip).status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
    QCOMPARE(fetch({}, zip).status, 200);
    QCOMPARE(fetch({}, file).status, 200);
    QCOMPARE(fetch({}, listing).status, 200);
    const QStringList other = {"--interface", "127.0.0.2"};
    QCOMPARE(fetch(other, listing).status, 410);
    QCOMPARE(fetch(other, zip).status, 410);
    QCOMPARE(fetch(other, file).status, 410);
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
    // Expiry.
    r = {};
    r.expires = system_clock::now() - std::chrono::minutes(1);
    QVERIFY(rules(*fx, s, r));
    auto gone = fetch({"-H", "Accept: text/html"}, listing);
    QCOMPARE(gone.status, 410);
    QVERIFY(gone.body.contains("This link expired at"));
    QCOMPARE(fetch({}, zip).status, 410);
    // The folder without its slash is gone too (not redirected first).
    QCOMPARE(fetch({}, listing.chopped(1)).status, 410);
  }

  // A folder link with "1 download" is for one device: it takes every file
  // and the zip, as often as it likes; a second device gets the 410. A
  // browser is known by the cookie its page sets, curl by its address.
  void folderLimitCountsRecipients() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(folder_);
    fx->server.waitForFolderScans();
    const QString listing = fx->url(s), zip = listing + "?zip", a = listing + "a.jpg", b = listing + "2024/b.jpg";
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    QTemporaryDir tmp;
    const QString phone = tmp.filePath("phone"), laptop = tmp.filePath("laptop");
    const QByteArray cookieName = "ferry-r-" + QByteArray::fromStdString(s.token);

    // The phone's browser opens the page: a cookie names it, nothing counted.
    auto page = fetch({"-c", phone, "-b", phone, "-H", "Accept: text/html"}, listing);
    QCOMPARE(page.status, 200);
    const QByteArray cookie = page.headers.value("set-cookie");
    QVERIFY2(cookie.startsWith(cookieName + "="), cookie.constData());
    QVERIFY(cookie.contains("; Path=/" + QByteArray::fromStdString(s.token) + "/;"));
    QVERIFY(cookie.contains("HttpOnly"));
    QVERIFY(cookie.contains("SameSite=Lax"));
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);
    // The page again: the cookie is kept, not replaced.
    QVERIFY(!fetch({"-c", phone, "-b", phone, "-H", "Accept: text/html"}, listing).headers.contains("set-cookie"));
    // Pictures are no download either.
    QCOMPARE(fetch({"-b", phone}, a + "?thumb").status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);

    // Its first photo makes it the recipient; it takes every photo, the
    // zip, ranges and the page, again and again.
    auto first = fetch({"-b", phone}, a);
    QCOMPARE(first.status, 200);
    QCOMPARE(sha256(first.body), sha256File(files_.filePath("Photos/a.jpg")));
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
    auto second = fetch({"-b", phone}, b);
    QCOMPARE(second.status, 200);
    QCOMPARE(sha256(second.body), sha256File(files_.filePath("Photos/2024/b.jpg")));
    auto whole = fetch({"-b", phone}, zip);
    QCOMPARE(whole.status, 200);
    QVERIFY(whole.body.startsWith("PK"));
    QCOMPARE(fetch({"-b", phone}, zip).status, 200);
    QCOMPARE(fetch({"-b", phone, "-r", "0-99"}, a).status, 206);
    QCOMPARE(fetch({"-b", phone, "-H", "Accept: text/html"}, listing).status, 200);
    QCOMPARE(fetch({"-b", phone}, a).status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);

    // A second browser, from the same address (behind one NAT), is a second
    // device: refused, page and all, with or without a cookie of its own.
    auto laptopPage = fetch({"-c", laptop, "-b", laptop, "-H", "Accept: text/html"}, listing);
    QCOMPARE(laptopPage.status, 410);
    QVERIFY(!laptopPage.headers.contains("set-cookie"));
    auto made = fetch({"-H", "Cookie: " + cookieName + "=BBBBBBBBBBBBBBBBBBBBBB", "-H", "Accept: text/html"}, listing);
    QCOMPARE(made.status, 410);
    QVERIFY2(made.body.contains("This link was for one device, and another device has used it."), made.body.constData());
    QCOMPARE(fetch({"-H", "Cookie: " + cookieName + "=BBBBBBBBBBBBBBBBBBBBBB"}, a).status, 410);
    QCOMPARE(fetch({"-H", "Cookie: " + cookieName + "=BBBBBBBBBBBBBBBBBBBBBB"}, zip).status, 410);

    // Another device (another address) without cookies: refused, its
    // pictures too, as text for curl.
    const QStringList other = {"--interface", "127.0.0.2"};
    auto refused = fetch(other, a);
    QCOMPARE(refused.status, 410);
    QCOMPARE(QString::fromUtf8(refused.body).trimmed(),
             QString("This link was for one device, and another device has used it."));
    QCOMPARE(fetch(other, zip).status, 410);
    QCOMPARE(fetch(other, listing).status, 410);
    QCOMPARE(fetch(other, a + "?thumb").status, 410);
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
    // The phone's cookie from the other address is still the phone.
    QCOMPARE(fetch(other + QStringList{"-b", phone}, b).status, 200);

    // Two devices allowed: the second address is let in, a third is not.
    r.downloadLimit = 2;
    QVERIFY(rules(*fx, s, r));
    QCOMPARE(fetch(other, zip).status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 2u);
    QCOMPARE(fetch(other, a).status, 200);
    QCOMPARE(fetch({"--interface", "127.0.0.3"}, a).status, 410);
    const auto known = fx->server.recipients(s.token);
    QCOMPARE(known.size(), std::size_t(2));
    QVERIFY(!known[0].cookie.empty());
    QVERIFY(known[1].cookie.empty());
    QCOMPARE(known[1].address, std::string("127.0.0.2"));

    // Kept recipients come back (as the window restores them after a restart).
    auto again = serve();
    QVERIFY(again);
    auto t = again->share(folder_);
    QVERIFY(rules(*again, t, r));
    QVERIFY(again->server.setDeliveries(t.token, 2));
    QVERIFY(again->server.setRecipients(t.token, known));
    QCOMPARE(fetch(other, again->url(t) + "a.jpg").status, 200);
    QCOMPARE(fetch({"--interface", "127.0.0.3"}, again->url(t) + "a.jpg").status, 410);
  }

  // A device takes its place with the first bytes it is sent, not with its
  // first ask: a file that is not there, a zip of names that are not, or a
  // sub-folder asked for without its '/' leave the one place free.
  void aMissingFileTakesNoPlace() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(folder_);
    fx->server.waitForFolderScans();
    ferry::ShareRules r;
    r.downloadLimit = 1;
    QVERIFY(rules(*fx, s, r));
    const QString listing = fx->url(s);
    const QStringList asker = {"--interface", "127.0.0.2"}, taker = {"--interface", "127.0.0.3"};
    QCOMPARE(fetch(asker, listing + "gone.jpg").status, 404);
    QCOMPARE(fetch(asker, listing + "?zip&f=gone.jpg").status, 404);
    QCOMPARE(fetch(asker, listing + "2024").status, 301);
    QCOMPARE(fetch(asker + QStringList{"-I"}, listing + "a.jpg").status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 0u);
    QVERIFY(fx->server.recipients(s.token).empty());
    // The place is still there for the device that takes a file.
    auto taken = fetch(taker, listing + "a.jpg");
    QCOMPARE(taken.status, 200);
    QCOMPARE(sha256(taken.body), sha256File(files_.filePath("Photos/a.jpg")));
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
    // Now full: the asker is refused, its missing file too.
    QCOMPARE(fetch(asker, listing + "a.jpg").status, 410);
    QCOMPARE(fetch(asker, listing + "gone.jpg").status, 410);
    // A browser's page speaks of the folder's files.
    auto page = fetch(asker + QStringList{"-H", "Accept: text/html"}, listing + "a.jpg");
    QCOMPARE(page.status, 410);
    QVERIFY2(page.body.contains("If you still need these files, ask whoever sent you the link for a new one."),
             page.body.constData());
    QCOMPARE(fetch(taker, listing + "gone.jpg").status, 404);
    QCOMPARE(fetch(taker, listing + "?zip").status, 200);
    QCOMPARE(deliveriesOf(fx->server, s.token), 1u);
  }

  void passwordByBasicAuth() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.password = "correct horse";
    QVERIFY(rules(*fx, s, r));
    // A program is challenged.
    auto none = fetch({}, fx->url(s));
    QCOMPARE(none.status, 401);
    QCOMPARE(none.headers.value("www-authenticate"), QByteArray("Basic realm=\"Ferry\", charset=\"UTF-8\""));
    QVERIFY(none.body.contains("needs a password"));
    // A browser gets the page and no challenge (no dialog of its own).
    auto page = fetch({"-H", "Accept: text/html"}, fx->url(s));
    QCOMPARE(page.status, 401);
    QVERIFY(!page.headers.contains("www-authenticate"));
    QVERIFY(page.body.contains("<form method=\"post\""));
    QVERIFY(page.body.contains("contract.pdf"));
    // curl -u :PASSWORD, any user name.
    auto right = fetch({"-u", ":correct horse"}, fx->url(s));
    QCOMPARE(right.status, 200);
    QCOMPARE(sha256(right.body), sha256File(small_));
    QCOMPARE(fetch({"-u", "anyone:correct horse"}, fx->url(s)).status, 200);
    auto wrong = fetch({"-u", ":correct horsf"}, fx->url(s));
    QCOMPARE(wrong.status, 401);
    QVERIFY(wrong.body.contains("That password is not right."));
    // HEAD and a range, with the password.
    auto head = runCurl({"-I", "-u", ":correct horse", fx->url(s)});
    QVERIFY2(head.out.startsWith("HTTP/1.1 200"), head.out.constData());
    QVERIFY(head.out.contains("Content-Length: " + QByteArray::number(kSmall)));
    auto noHead = runCurl({"-I", fx->url(s)});
    QVERIFY(noHead.out.startsWith("HTTP/1.1 401"));
    auto ranged = fetch({"-u", ":correct horse", "-r", "100-199"}, fx->url(s));
    QCOMPARE(ranged.status, 206);
    QCOMPARE(ranged.body, readFileBytes(small_).mid(100, 100));
  }

  void wrongTriesAreSlowedThenRefused() {
    auto fx = serve({"127.0.0.1"});
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.password = "right";
    QVERIFY(rules(*fx, s, r));
    const QStringList guesser = {"-H", "X-Forwarded-For: 10.0.0.7"};
    for (int i = 0; i < 5; ++i) QCOMPARE(fetch(guesser + QStringList{"-u", ":wrong"}, fx->url(s)).status, 401);
    // Then the address must wait, even with the right password...
    auto wait1 = fetch(guesser + QStringList{"-u", ":right"}, fx->url(s));
    QCOMPARE(wait1.status, 429);
    QCOMPARE(wait1.headers.value("retry-after"), QByteArray("1"));
    QVERIFY(wait1.body.contains("Try again in 1 second."));
    // ...a browser is told so on the page...
    auto page = fetch(guesser + QStringList{"-H", "Accept: text/html", "-u", ":wrong"}, fx->url(s));
    QCOMPARE(page.status, 429);
    QVERIFY(page.body.contains("Too many wrong passwords"));
    // ...while another address is not held up.
    QCOMPARE(fetch({"-H", "X-Forwarded-For: 10.0.0.8", "-u", ":right"}, fx->url(s)).status, 200);
    // The pause doubles with each wrong try after it.
    QTest::qWait(1100);
    QCOMPARE(fetch(guesser + QStringList{"-u", ":wrong"}, fx->url(s)).status, 401);
    auto wait2 = fetch(guesser + QStringList{"-u", ":wrong"}, fx->url(s));
    QCOMPARE(wait2.status, 429);
    QCOMPARE(wait2.headers.value("retry-after"), QByteArray("2"));
    // The form is held up as well.
    QCOMPARE(fetch(guesser + QStringList{"-d", "password=right"}, fx->url(s)).status, 429);
    QTest::qWait(2100);
    // Once the pause is over the right password opens it, and clears the count.
    QCOMPARE(fetch(guesser + QStringList{"-u", ":right"}, fx->url(s)).status, 200);
    QCOMPARE(fetch(guesser + QStringList{"-u", ":wrong"}, fx->url(s)).status, 401);
    QCOMPARE(fetch(guesser + QStringList{"-u", ":right"}, fx->url(s)).status, 200);
  }

  void passwordFormSetsACookie() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.password = "p&ss wörd";
    QVERIFY(rules(*fx, s, r));
    QTemporaryDir tmp;
    const QString jar = tmp.filePath("cookies");
    auto wrong = fetch({"-c", jar, "-H", "Accept: text/html", "--data-urlencode", "password=nope"}, fx->url(s));
    QCOMPARE(wrong.status, 401);
    QVERIFY(wrong.body.contains("That password is not right."));
    QVERIFY(!wrong.headers.contains("set-cookie"));
    auto right = fetch({"-c", jar, "--data-urlencode", "password=p&ss wörd"}, fx->url(s));
    QCOMPARE(right.status, 303);
    QCOMPARE(right.headers.value("location"), fx->target(s));
    const QByteArray cookie = right.headers.value("set-cookie");
    QVERIFY2(cookie.startsWith("ferry-" + QByteArray::fromStdString(s.token) + "="), cookie.constData());
    QVERIFY(cookie.contains("; Path=/" + QByteArray::fromStdString(s.token) + "/;"));
    QVERIFY(cookie.contains("HttpOnly"));
    QVERIFY(cookie.contains("SameSite=Lax"));
    // The cookie opens the link.
    auto withCookie = fetch({"-b", jar}, fx->url(s));
    QCOMPARE(withCookie.status, 200);
    QCOMPARE(sha256(withCookie.body), sha256File(small_));
    // A made-up cookie does not.
    QCOMPARE(fetch({"-b", "ferry-" + QString::fromStdString(s.token) + "=AAAAAAAAAAAAAAAAAAAAAA"}, fx->url(s)).status,
             401);
    // The session in a second Cookie header (as a proxy may split them) counts too.
    const QByteArray session = cookie.left(cookie.indexOf(';'));
    QCOMPARE(fetch({"-H", "Cookie: theme=dark", "-H", "Cookie: " + QString::fromLatin1(session)}, fx->url(s)).status,
             200);
    // A form larger than any password form is refused.
    QCOMPARE(fetch({"--data-binary", "password=" + QString(5000, 'x')}, fx->url(s)).status, 413);
    // So is one sent chunked, once it passes the cap; a small one chunked is read.
    const QStringList chunked = {"-H", "Transfer-Encoding: chunked"};
    QCOMPARE(fetch(chunked + QStringList{"--data-binary", "password=" + QString(6000, 'x')}, fx->url(s), 10'000).status,
             413);
    QCOMPARE(fetch(chunked + QStringList{"--data-urlencode", "password=p&ss wörd"}, fx->url(s), 10'000).status, 303);
    // A PUT to the link is no form: refused as any body.
    QCOMPARE(fetch({"-X", "PUT", "-d", "x"}, fx->url(s)).status, 400);
    // A new password ends the sessions of the old one.
    r.password = "another";
    QVERIFY(rules(*fx, s, r));
    QCOMPARE(fetch({"-b", jar}, fx->url(s)).status, 401);
  }

  void rotateEndsTheOldLinkAndItsSessions() {
    auto fx = serve();
    QVERIFY(fx);
    auto s = fx->share(small_);
    ferry::ShareRules r;
    r.password = "pw";
    QVERIFY(rules(*fx, s, r));
    QTemporaryDir tmp;
    const QString jar = tmp.filePath("cookies");
    QCOMPARE(fetch({"-c", jar, "-d", "password=pw"}, fx->url(s)).status, 303);
    QCOMPARE(fetch({"-b", jar}, fx->url(s)).status, 200);
    auto rotated = fx->server.rotateShare(s.token);
    QVERIFY(rotated);
    QVERIFY(rotated->token != s.token);
    QCOMPARE(fetch({"-b", jar, "-u", ":pw"}, fx->url(s)).status, 404);
    // The new link keeps the rules: asked again, then opened.
    QCOMPARE(fetch({"-b", jar}, fx->url(*rotated)).status, 401);
    auto fresh = fetch({"-u", ":pw"}, fx->url(*rotated));
    QCOMPARE(fresh.status, 200);
    QCOMPARE(sha256(fresh.body), sha256File(small_));
  }
};

QTEST_MAIN(TestShareRules)
#include "tst_share_rules.moc"
