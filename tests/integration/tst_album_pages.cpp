// What a browser sees of a link, and what a download tool sees: the bytes
// come inline when a page's <img>, <video> or <audio> (Sec-Fetch-Dest) or
// its "?inline" asks, never for types that could run script, and as an
// attachment otherwise and always with "?download", ranges unchanged; a
// browser opening a single file's link gets its page, every download tool
// the bytes; a folder of pictures opens as a grid whose script runs by its
// nonce alone; a long folder's page carries its first rows, and the rest
// come for its script or by its link. Real sockets, curl.

#include <QDir>
#include <QRegularExpression>
#include <QTest>

#include "folder_listing.h"
#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

struct Answer {
  int status = 0;
  QMap<QByteArray, QByteArray> headers;  // lower-cased names
  QByteArray body;
  QByteArray header(const char* name) const { return headers.value(name); }
};

Answer fetch(QStringList args, const QString& url) {
  QTemporaryDir tmp;
  const QString head = tmp.filePath("head"), body = tmp.filePath("body");
  args += {"-D", head, "-o", body, url};
  runCurl(args);
  Answer a;
  a.headers = parseHeaderBlock(readFileBytes(head));
  a.status = a.headers.value(":status").toInt();
  a.body = readFileBytes(body);
  return a;
}

const QStringList kChromeNavigation = {
    "-A", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "-H", "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "-H", "Sec-Fetch-Dest: document", "-H", "Sec-Fetch-Mode: navigate"};

QStringList dest(const char* d) { return {"-H", QString("Sec-Fetch-Dest: ") + d}; }

}  // namespace

class TestAlbumPages : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;
  QString folder_, plain_;  // a folder of pictures; one of nothing to show
  QString base_;            // the picture folder's link, ending in '/'
  ferry::Share papers_, photo_, page_, odd_;

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start({}));
    QDir d(fx_->dir.path());
    QVERIFY(d.mkpath("Trip/Day 1"));
    QVERIFY(d.mkpath("Papers"));
    folder_ = fx_->path("Trip");
    writeRandomFile(folder_ + "/IMG_1.jpg", 200'000, 1);
    writeRandomFile(folder_ + "/clip.webm", 300'000, 2);
    writeRandomFile(folder_ + "/Day 1/IMG_7.heic", 50'000, 3);
    QVERIFY(writeFile(folder_ + "/page.html", "<script>alert(1)</script>"));
    QVERIFY(writeFile(folder_ + "/drawing.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"));
    QVERIFY(writeFile(folder_ + "/notes.txt", "plain text\n"));
    QVERIFY(writeFile(folder_ + "/.secret", "hidden\n"));
    plain_ = fx_->path("Papers");
    QVERIFY(writeFile(plain_ + "/a.txt", "a"));
    base_ = fx_->url(fx_->share(folder_));
    papers_ = fx_->share(plain_);
    photo_ = fx_->share(folder_ + "/IMG_1.jpg");
    page_ = fx_->share(folder_ + "/page.html");
    QVERIFY(writeFile(fx_->path("<b>bold & \"quoted\".jpg"), "not really a picture"));
    odd_ = fx_->share(fx_->path("<b>bold & \"quoted\".jpg"));
  }
  void cleanupTestCase() { fx_.reset(); }

  void inlineWhenAPageAsks() {
    const QString photo = base_ + "IMG_1.jpg";
    // A download tool, as ever: an attachment.
    auto a = fetch({}, photo);
    QCOMPARE(a.status, 200);
    QVERIFY(a.header("content-disposition").startsWith("attachment; filename=\"IMG_1.jpg\""));
    // An <img>, a <video>, an <audio>, and the page's own "?inline" link.
    QVERIFY(fetch(dest("image"), photo).header("content-disposition").startsWith("inline; filename=\"IMG_1.jpg\""));
    QVERIFY(fetch(dest("video"), base_ + "clip.webm").header("content-disposition").startsWith("inline;"));
    QVERIFY(fetch({}, photo + "?inline").header("content-disposition").startsWith("inline;"));
    QVERIFY(fetch({}, base_ + "notes.txt?inline").header("content-disposition").startsWith("inline;"));
    // "?download" always saves, whoever asks.
    QVERIFY(fetch(dest("image"), photo + "?download").header("content-disposition").startsWith("attachment;"));
    QVERIFY(fetch({}, photo + "?inline&download").header("content-disposition").startsWith("attachment;"));
    // Other destinations (a script, a frame, a navigation) get an attachment.
    QVERIFY(fetch(dest("script"), photo).header("content-disposition").startsWith("attachment;"));
    QVERIFY(fetch(dest("document"), photo).header("content-disposition").startsWith("attachment;"));
    // Nothing that could run script in the share's origin is ever shown.
    QVERIFY(fetch({}, base_ + "page.html?inline").header("content-disposition").startsWith("attachment;"));
    QVERIFY(fetch(dest("image"), base_ + "drawing.svg").header("content-disposition").startsWith("attachment;"));
    // The same bytes either way.
    QCOMPARE(sha256(fetch(dest("image"), photo).body), sha256File(folder_ + "/IMG_1.jpg"));
  }

  void rangesAndValidatorsUnchanged() {
    const QString clip = base_ + "clip.webm";
    auto whole = fetch({}, clip);
    auto part = fetch(dest("video") + QStringList{"-H", "Range: bytes=1000-1999"}, clip);
    QCOMPARE(part.status, 206);
    QCOMPARE(part.header("content-range"), QByteArray("bytes 1000-1999/300000"));
    QCOMPARE(part.body, whole.body.mid(1000, 1000));
    QVERIFY(part.header("content-disposition").startsWith("inline;"));
    QCOMPARE(part.header("etag"), whole.header("etag"));
    QCOMPARE(part.header("accept-ranges"), QByteArray("bytes"));
    auto again = fetch(dest("video") + QStringList{"-H", "If-None-Match: " + whole.header("etag")}, clip);
    QCOMPARE(again.status, 304);
  }

  void singleFileLinkIsAPageForBrowsers() {
    const QString link = fx_->url(photo_);
    auto page = fetch(kChromeNavigation, link);
    QCOMPARE(page.status, 200);
    QCOMPARE(page.header("content-type"), QByteArray("text/html; charset=utf-8"));
    QCOMPARE(page.header("cache-control"), QByteArray("no-store"));
    QVERIFY(page.header("vary").contains("Sec-Fetch-Dest"));
    const QByteArray csp = page.header("content-security-policy");
    QVERIFY2(csp.contains("default-src 'none'") && csp.contains("img-src 'self'") && csp.contains("media-src 'self'"),
             csp.constData());
    QVERIFY(!csp.contains("script-src"));
    QVERIFY(!page.headers.contains("content-disposition"));
    const QByteArray target = fx_->target(photo_);
    QVERIFY(page.body.contains("<h1>IMG_1.jpg</h1>"));
    QVERIFY(page.body.contains("href=\"" + target + "?download\""));
    QVERIFY(page.body.contains("src=\"" + target + "?thumb\""));
    QVERIFY(page.body.contains("200 KB"));
    QVERIFY(page.body.contains("image/jpeg"));
    // A browser that sends no Sec-Fetch-Dest: Accept and User-Agent decide.
    auto older = fetch({"-A", "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1",
                        "-H", "Accept: text/html,*/*"},
                       link);
    QVERIFY(older.body.contains("<h1>IMG_1.jpg</h1>"));
    // ...and an iPhone is told how a photo reaches Photos.
    QVERIFY(older.body.contains("press and hold"));
    QVERIFY(!page.body.contains("press and hold"));
    // HEAD: the page's head.
    auto head = fetch(kChromeNavigation + QStringList{"-I"}, link);
    QCOMPARE(head.header("content-type"), QByteArray("text/html; charset=utf-8"));
  }

  void downloadToolsGetTheBytes() {
    const QString link = fx_->url(photo_);
    const QByteArray want = sha256File(folder_ + "/IMG_1.jpg");
    // curl as it is, and download tools that say they take HTML.
    for (const QStringList& args :
         {QStringList{}, QStringList{"-H", "Accept: text/html,*/*"},
          QStringList{"-A", "Wget/1.21.3", "-H", "Accept: text/html,*/*"},
          QStringList{"-A", "aria2/1.36.0", "-H", "Accept: text/html"},
          QStringList{"-A", "Mozilla/5.0", "-H", "Accept: */*"},
          QStringList{"-A", "Mozilla/5.0", "-H", "Accept: text/html", "-H", "Sec-Fetch-Dest: empty"}}) {
      auto a = fetch(args, link);
      QCOMPARE(a.status, 200);
      QVERIFY2(a.header("content-disposition").startsWith("attachment;"), qPrintable(args.join(' ')));
      QCOMPARE(sha256(a.body), want);
    }
    // The page's own Download button, and a browser resuming with a range.
    auto button = fetch(kChromeNavigation, link + "?download");
    QCOMPARE(button.status, 200);
    QVERIFY(button.header("content-disposition").startsWith("attachment;"));
    QCOMPARE(sha256(button.body), want);
    auto resume = fetch(kChromeNavigation + QStringList{"-H", "Range: bytes=100-"}, link);
    QCOMPARE(resume.status, 206);
    QCOMPARE(resume.body.size(), 200'000 - 100);
  }

  void pagesNeverShowWhatCouldRunScript() {
    // An HTML file's page says what it is; its bytes are only ever saved.
    auto page = fetch(kChromeNavigation, fx_->url(page_));
    QVERIFY(page.body.contains("<h1>page.html</h1>"));
    QVERIFY(!page.body.contains("<script>alert(1)</script>"));
    QVERIFY(!page.body.contains("?inline"));
    // A name with markup stays text.
    auto odd = fetch(kChromeNavigation, fx_->url(odd_));
    QCOMPARE(odd.status, 200);
    QVERIFY(odd.body.contains("<h1>&lt;b&gt;bold &amp; &quot;quoted&quot;.jpg</h1>"));
    QVERIFY(!odd.body.contains("<b>bold"));
  }

  void folderOfPicturesIsAGrid() {
    auto page = fetch({}, base_);
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("class=\"entries grid\""));
    // The script runs by its nonce, and nothing else may.
    const QByteArray csp = page.header("content-security-policy");
    QRegularExpression nonce("script-src 'nonce-([A-Za-z0-9_-]{16,})'");
    auto m = nonce.match(QString::fromLatin1(csp));
    QVERIFY2(m.hasMatch(), csp.constData());
    QVERIFY(page.body.contains("<script nonce=\"" + m.captured(1).toLatin1() + "\">"));
    QCOMPARE(page.body.count("<script"), 1);
    QVERIFY(csp.contains("img-src 'self'; media-src 'self';"));
    // The script fetches nothing but its own folder's rows.
    QVERIFY(!csp.contains("unsafe-eval"));
    QCOMPARE(csp.count("connect-src"), 1);
    QVERIFY(csp.contains("connect-src 'self';"));
    // A fresh nonce for every page.
    QVERIFY(!fetch({}, base_).header("content-security-policy").contains(m.captured(1).toLatin1()));
    // Tiles: sized, named (the first screen's loaded at once, see below);
    // the sub-folder's cover is its first picture.
    QVERIFY(page.body.contains("<img src=\"IMG_1.jpg?thumb\" decoding=\"async\" width=\"400\" "
                               "height=\"400\" alt=\"IMG_1.jpg\">"));
    QVERIFY(page.body.contains("<img src=\"clip.webm?thumb\""));
    QVERIFY(page.body.contains("<img src=\"Day%201/IMG_7.heic?thumb\""));
    QVERIFY(page.body.contains("href=\"IMG_1.jpg?inline\""));
    QVERIFY(page.body.contains("href=\"clip.webm?inline\""));
    // Nothing that could run script is linked to be shown.
    QVERIFY(page.body.contains("href=\"page.html\""));
    QVERIFY(page.body.contains("href=\"drawing.svg\""));
    QVERIFY(!page.body.contains("<img src=\"page.html"));
    // HEIC opens through its rendition.
    auto day = fetch({}, base_ + "Day%201/");
    QVERIFY(day.body.contains("href=\"IMG_7.heic?view\""));
    // A folder without pictures stays a list.
    auto papers = fetch({}, fx_->url(papers_));
    QVERIFY(papers.body.contains("class=\"entries list\""));
    QVERIFY(!papers.body.contains("<img"));
  }

  void theFirstScreenLoadsAtOnceTheRestLazily() {
    // A phone's first screen of tiles (and a row more) is fetched as soon as
    // the page names it; every picture after that only as it nears the screen.
    QDir d(fx_->dir.path());
    QVERIFY(d.mkpath("Long"));
    const QString folder = fx_->path("Long");
    const int pictures = static_cast<int>(ferry::kEagerPictures) + 5;
    for (int i = 1; i <= pictures; ++i)
      QVERIFY(writeFile(folder + QStringLiteral("/IMG_%1.jpg").arg(i, 3, 10, QChar('0')), "not decoded here"));
    auto page = fetch({}, fx_->url(fx_->share(folder)));
    QCOMPARE(page.status, 200);
    QCOMPARE(page.body.count("<img "), pictures);
    QCOMPARE(page.body.count(" loading=\"lazy\""), pictures - static_cast<int>(ferry::kEagerPictures));
    const QByteArray last =
        QStringLiteral("<img src=\"IMG_%1.jpg?thumb\" decoding").arg(ferry::kEagerPictures, 3, 10, QChar('0')).toLatin1();
    const QByteArray next = QStringLiteral("<img src=\"IMG_%1.jpg?thumb\" loading=\"lazy\"")
                                .arg(ferry::kEagerPictures + 1, 3, 10, QChar('0')).toLatin1();
    QVERIFY2(page.body.contains(last), last.constData());
    QVERIFY2(page.body.contains(next), next.constData());
  }

  void aLongFolderComesInTwoParts() {
    // A folder of more than kFirstRows entries: its page carries the first
    // rows and a link to every row; the rest comes as list items, in the
    // page's order, for the page's script (or a browser that follows it).
    QDir d(fx_->dir.path());
    QVERIFY(d.mkpath("Many"));
    const QString folder = fx_->path("Many");
    const int total = static_cast<int>(ferry::kFirstRows) + 7;
    for (int i = 1; i <= total; ++i)
      QVERIFY(writeFile(folder + QStringLiteral("/IMG_%1.jpg").arg(i, 4, 10, QChar('0')), "not decoded here"));
    const ferry::Share share = fx_->share(folder);
    const QString link = fx_->url(share);
    const QRegularExpression row("<li data-kind=\"image\" data-bytes=\"16\"><a href=\"IMG_(\\d{4})\\.jpg\\?inline\"");
    auto names = [&row](const QByteArray& body) {
      QList<int> got;
      for (auto it = row.globalMatch(QString::fromUtf8(body)); it.hasNext();) got += it.next().captured(1).toInt();
      return got;
    };
    auto count = [](int from, int to, int step = 1) {
      QList<int> want;
      for (int i = from; step > 0 ? i <= to : i >= to; i += step) want += i;
      return want;
    };
    const int first = static_cast<int>(ferry::kFirstRows);

    auto page = fetch({}, link);
    QCOMPARE(page.status, 200);
    QCOMPARE(names(page.body), count(1, first));
    QVERIFY(page.body.contains(QStringLiteral("<p class=\"more\" id=\"more\"><a class=\"button secondary\" "
                                              "href=\"?sort=name&amp;order=asc&amp;all\" "
                                              "data-rows=\"?sort=name&amp;order=asc&amp;rows=%1\">Show all %2 ")
                                   .arg(first)
                                   .arg(total)
                                   .toUtf8()));
    QVERIFY(page.body.contains("(7 more)"));
    // The page's summary counts every file, not the rows it carries.
    QVERIFY(page.body.contains(QStringLiteral("%1 files").arg(total).toUtf8()));

    // The rest: list items only, lazily loaded pictures, no delivery, never kept.
    auto rest = fetch({}, link + QStringLiteral("?sort=name&order=asc&rows=%1").arg(first));
    QCOMPARE(rest.status, 200);
    QCOMPARE(rest.header("content-type"), QByteArray("text/html; charset=utf-8"));
    QCOMPARE(rest.header("cache-control"), QByteArray("no-store"));
    QVERIFY(rest.body.startsWith("<li data-kind=\"image\""));
    QVERIFY(!rest.body.contains("<html") && !rest.body.contains("<script") && !rest.body.contains("id=\"more\""));
    QCOMPARE(names(rest.body), count(first + 1, total));
    QCOMPARE(rest.body.count("<img "), 7);
    QCOMPARE(rest.body.count(" loading=\"lazy\""), 7);
    // In the order the page asked for.
    auto down = fetch({}, link + "?sort=name&order=desc");
    QCOMPARE(names(down.body), count(total, total - first + 1, -1));
    QVERIFY(down.body.contains(QStringLiteral("data-rows=\"?sort=name&amp;order=desc&amp;rows=%1\"").arg(first).toUtf8()));
    QCOMPARE(names(fetch({}, link + QStringLiteral("?sort=name&order=desc&rows=%1").arg(first)).body),
             count(total - first, 1, -1));
    // Past the end: nothing, and still an answer.
    auto none = fetch({}, link + "?rows=5000");
    QCOMPARE(none.status, 200);
    QVERIFY(none.body.isEmpty());
    // The page's script may fetch its rows; nothing else is opened to it.
    const QByteArray csp = page.header("content-security-policy");
    QVERIFY2(csp.contains("img-src 'self'; media-src 'self'; connect-src 'self';"), csp.constData());

    // Without JavaScript, the link: every row, sort links that keep them all.
    auto all = fetch({}, link + "?sort=name&order=asc&all");
    QCOMPARE(names(all.body), count(1, total));
    QVERIFY(!all.body.contains("id=\"more\""));
    QVERIFY(all.body.contains("<a href=\"?sort=size&amp;order=desc&amp;all\">"));

    // A number that is not one.
    for (const char* bad : {"?rows=", "?rows=-1", "?rows=1e3", "?rows=12345678901"})
      QCOMPARE(fetch({}, link + bad).status, 400);
    // A folder of kFirstRows entries or fewer is one page, as ever.
    QVERIFY(!fetch({}, base_).body.contains("id=\"more\""));

    // Behind the share's gate, like the page.
    ferry::ShareRules r;
    r.password = "sesame";
    QVERIFY(fx_->server.setRules(share.token, r));
    const QString after = link + QStringLiteral("?rows=%1").arg(first);
    auto refused = fetch({}, after);
    QCOMPARE(refused.status, 401);
    QVERIFY(!refused.body.contains("IMG_0121"));
    auto allowed = fetch({"-u", ":sesame"}, after);
    QCOMPARE(allowed.status, 200);
    QCOMPARE(names(allowed.body), count(first + 1, total));
    // None of it was a transfer: the first snapshot that lists one, a file's
    // download after it, lists only that.
    auto file = fetch({"-u", ":sesame"}, link + "IMG_0001.jpg");
    QCOMPARE(file.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(share).empty(), 5'000);
    QCOMPARE(fx_->transfersOf(share).size(), std::size_t(1));
    QCOMPARE(fx_->transfersOf(share).front().bytesSent, std::uint64_t(file.body.size()));
  }

  void downloadAllSaysWhatItCarries() {
    fx_->server.waitForFolderScans();
    // Everything below the top, hidden files aside: 6 files, 550 KB.
    auto page = fetch({}, base_);
    QVERIFY2(page.body.contains("<a class=\"button zip-all\" href=\"?zip\" download=\"Trip.zip\"><span>Download all "
                                "(.zip)</span><span class=\"carries\">6 files \u00b7 550 KB</span></a>"),
             page.body.mid(page.body.indexOf("zip-all\" href"), 200).constData());
    // A sub-folder says what it holds, and picking it adds its bytes.
    QVERIFY(page.body.contains("<li data-kind=\"folder\" data-bytes=\"50000\">"));
    QVERIFY(page.body.contains("<span class=\"size\">1 photo \u00b7 50 KB</span>"));
    QVERIFY(page.body.contains("<li data-kind=\"image\" data-bytes=\"200000\">"));
    auto day = fetch({}, base_ + "Day%201/");
    QVERIFY(day.body.contains("<span class=\"carries\">1 photo \u00b7 50 KB</span>"));
    // A file added since the count: no figure the page cannot stand by.
    QVERIFY(writeFile(folder_ + "/late.txt", "late"));
    auto after = fetch({}, base_);
    QVERIFY(after.body.contains("download=\"Trip.zip\">Download all (.zip)</a>"));
    QFile::remove(folder_ + "/late.txt");
    // A folder without pictures counts files.
    fx_->server.waitForFolderScans();
    QVERIFY(fetch({}, fx_->url(papers_)).body.contains("<span class=\"carries\">1 file \u00b7 1 byte</span>"));
  }

  void selectionZipHoldsJustThePickedFiles() {
    QTemporaryDir tmp;
    const QString url = base_ + "?zip&f=IMG_1.jpg&f=notes.txt&f=Day%201&f=notes.txt";
    auto z = fetch({}, url);
    QCOMPARE(z.status, 200);
    QCOMPARE(z.header("content-type"), QByteArray("application/zip"));
    QCOMPARE(z.header("content-length").toLongLong(), z.body.size());
    QVERIFY2(z.header("content-disposition").startsWith("attachment; filename=\"Trip (selection).zip\""),
             z.header("content-disposition").constData());
    const QString saved = tmp.filePath("picked.zip");
    QVERIFY(writeFile(saved, z.body));
    if (!QStandardPaths::findExecutable("unzip").isEmpty()) {
      ProcessResult t = runProcess("unzip", {"-t", saved}, 30000);
      QVERIFY2(t.exitCode == 0, t.out.constData());
      ProcessResult l = runProcess("unzip", {"-Z1", saved}, 30000);
      QStringList names = QString::fromUtf8(l.out).split('\n', Qt::SkipEmptyParts);
      names.sort();
      QCOMPARE(names, (QStringList{"Trip/", "Trip/Day 1/", "Trip/Day 1/IMG_7.heic", "Trip/IMG_1.jpg", "Trip/notes.txt"}));
    }
    // A resume asks for the same link: the same zip, from where it stopped.
    auto rest = fetch({"-H", "Range: bytes=1000-", "-H", "If-Range: " + z.header("etag")}, url);
    QCOMPARE(rest.status, 206);
    QCOMPARE(rest.body, z.body.mid(1000));
    // The whole folder's zip is another one.
    QVERIFY(fetch({}, base_ + "?zip").header("etag") != z.header("etag"));
  }

  void selectionZipRefusesWhatIsNotThere_data() {
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    QTest::newRow("missing") << "f=IMG_1.jpg&f=nope.jpg" << 404;
    QTest::newRow("hidden") << "f=.secret" << 404;
    QTest::newRow("deeper") << "f=IMG_7.heic" << 404;
    QTest::newRow("dotdot") << "f=.." << 400;
    QTest::newRow("encoded dotdot") << "f=%2E%2E" << 400;
    QTest::newRow("dot") << "f=." << 400;
    QTest::newRow("empty") << "f=" << 400;
    QTest::newRow("slash") << "f=Day%201%2FIMG_7.heic" << 400;
    QTest::newRow("raw slash") << "f=../outside" << 400;
    QTest::newRow("backslash") << "f=..%5Coutside" << 400;
    QTest::newRow("nul") << "f=notes.txt%00.jpg" << 400;
    QTest::newRow("bad escape") << "f=%ZZ" << 400;
  }
  void selectionZipRefusesWhatIsNotThere() {
    QFETCH(QString, query);
    QFETCH(int, status);
    RawResponse r = rawRequest(fx_->port(), getRequest(fx_->port(), QUrl(base_).path(QUrl::FullyEncoded).toUtf8() +
                                                                        "?zip&" + query.toUtf8()));
    QCOMPARE(r.status, status);
    QVERIFY(!r.body.startsWith("PK"));
    if (status == 404) QVERIFY2(r.body.contains("is not in this folder"), r.body.constData());
    if (status == 400) QVERIFY2(r.body.contains("cannot be a file in this folder"), r.body.constData());
  }

  void afterThePasswordThePage() {
    auto s = fx_->share(fx_->path("Trip/notes.txt"));
    ferry::ShareRules r;
    r.password = "sesame";
    QVERIFY(fx_->server.setRules(s.token, r));
    QTemporaryDir tmp;
    const QString jar = tmp.filePath("cookies");
    auto asked = fetch(kChromeNavigation, fx_->url(s));
    QCOMPARE(asked.status, 401);
    auto right = fetch(kChromeNavigation + QStringList{"-c", jar, "--data-urlencode", "password=sesame"}, fx_->url(s));
    QCOMPARE(right.status, 303);
    QCOMPARE(right.header("location"), fx_->target(s));
    // Following the 303 as a browser does: the page, not the form, nor a download.
    auto landed = fetch(kChromeNavigation + QStringList{"-b", jar}, fx_->url(s));
    QCOMPARE(landed.status, 200);
    QVERIFY(landed.body.contains("<h1>notes.txt</h1>"));
    QVERIFY(landed.body.contains("Open in the browser"));
    // And the bytes for curl with the password.
    QCOMPARE(fetch({"-u", ":sesame"}, fx_->url(s)).body, QByteArray("plain text\n"));
  }
};

QTEST_GUILESS_MAIN(TestAlbumPages)
#include "tst_album_pages.moc"
