// A shared folder, seen by a recipient: the listing page names what is there
// (escaped, sorted, hidden entries left out), its files download like shared
// files, and nothing outside the folder is ever listed or served — not
// through "..", encoded slashes, drive letters, symlinks that leave, dangle
// or loop, nor special files. Real sockets, curl.

#include <QDir>
#include <QFileInfo>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include "file_io.h"
#include "testutil/http_client.h"

using namespace ferry::test;

class TestFolderShare : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;
  ferry::Share share_;
  QString root_;     // the shared folder
  QString outside_;  // a file next to it, never to be served
  QString base_;     // its link, ending in '/'

  // Whether links inside the folder are followed: where openat2 resolves
  // them beneath it, yes; through the O_NOFOLLOW walk (no openat2, or
  // FERRY_OPENAT2=0), never.
  static bool followsInnerLinks() { return ferry::openat2Allowed(); }
  QByteArray get(const QString& url, int* status = nullptr, const QStringList& extra = {}) {
    QStringList args = extra;
    args << "-w" << "\n%{http_code}" << url;
    CurlResult c = runCurl(args);
    int nl = c.out.lastIndexOf('\n');
    if (status) *status = c.out.mid(nl + 1).toInt();
    return c.out.left(nl);
  }
  int status(const QString& url) {
    int s = 0;
    get(url, &s);
    return s;
  }
  // The request-target exactly as given, without curl's path squashing.
  int rawStatus(const QByteArray& path) {
    return rawRequest(fx_->port(), getRequest(fx_->port(), path)).status;
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start({}));  // the build's own poller: paths, not loops, are tested here
    root_ = fx_->path("Holiday Photos");
    QDir d(fx_->dir.path());
    QVERIFY(d.mkpath("Holiday Photos/Day 1/Beach"));
    QVERIFY(d.mkpath("Holiday Photos/Empty"));
    QVERIFY(d.mkpath("Holiday Photos/.git"));
    QVERIFY(writeFile(root_ + "/IMG_2.jpg", "two"));
    QVERIFY(writeFile(root_ + "/IMG_10.jpg", "ten, and longer"));
    QVERIFY(writeFile(root_ + "/<img src=x onerror=alert(1)>\".txt", "x"));
    QVERIFY(writeFile(root_ + "/caf\xC3\xA9 \xE2\x98\x95.txt", "coffee"));
    QVERIFY(writeFile(root_ + "/Day 1/Beach/sea.jpg", QByteArray(100'000, 's')));
    QVERIFY(writeFile(root_ + "/.env", "SECRET=1"));
    QVERIFY(writeFile(root_ + "/Thumbs.db", "junk"));
    QVERIFY(writeFile(root_ + "/.git/config", "[core]"));
    outside_ = fx_->path("outside.txt");
    QVERIFY(writeFile(outside_, "PRIVATE"));
    // Links: one that stays inside (followed), ones that leave, dangle or
    // loop (left out everywhere), and a FIFO (never opened).
    QVERIFY(QFile::link("Day 1/Beach", root_ + "/beach-link"));
    QVERIFY(QFile::link(outside_, root_ + "/escape.txt"));
    QVERIFY(QFile::link("..", root_ + "/up"));
    QVERIFY(QFile::link("nowhere", root_ + "/dangling"));
    QVERIFY(QFile::link("loop-b", root_ + "/loop-a"));
    QVERIFY(QFile::link("loop-a", root_ + "/loop-b"));
    QCOMPARE(::mkfifo(QFile::encodeName(root_ + "/pipe").constData(), 0600), 0);
    // Names no link can ask for, that a Windows extractor could take for a
    // path or a drive.
    QVERIFY(writeFile(root_ + "/z\\..\\..\\Users\\Public\\evil.bat", "@echo off"));
    QVERIFY(writeFile(root_ + "/C:drive.txt", "drive"));
    share_ = fx_->share(root_);
    QVERIFY(share_.folder);
    base_ = fx_->url(share_);
    QVERIFY2(base_.endsWith("/Holiday%20Photos/"), qPrintable(base_));
  }
  void cleanupTestCase() { fx_.reset(); }

  void listingNamesWhatIsThere() {
    int s = 0;
    QByteArray page = get(base_, &s, {"-D", fx_->path("headers")});
    QCOMPARE(s, 200);
    QByteArray headers = readFileBytes(fx_->path("headers")).toLower();
    QVERIFY(headers.contains("content-type: text/html; charset=utf-8"));
    QVERIFY(headers.contains("content-security-policy: default-src 'none'"));
    QVERIFY(headers.contains("cache-control: no-store"));
    for (const char* name : {"IMG_2.jpg", "IMG_10.jpg", "Day 1", "Empty", "caf\xC3\xA9 \xE2\x98\x95.txt"})
      QVERIFY2(page.contains(name), name);
    // A link that stays inside is listed as what it points to where the
    // kernel resolves it beneath the folder (openat2); the walk elsewhere
    // follows no link at all.
    QCOMPARE(page.contains(">beach-link"), followsInnerLinks());
    // Escaped: the name shows, its markup does not run.
    QVERIFY(page.contains("&lt;img src=x onerror=alert(1)&gt;&quot;.txt"));
    QVERIFY(!page.contains("<img src=x"));
    // Left out: hidden entries, links out of the folder, broken links, a FIFO.
    for (const char* name : {".env", "Thumbs.db", ".git", "escape.txt", "up/", "dangling", "loop-a", "pipe"})
      QVERIFY2(!page.contains(QByteArray(">") + name), name);
    // Folders first, then names as people sort them: IMG_2 before IMG_10.
    QVERIFY(page.indexOf("Day 1") < page.indexOf("IMG_2.jpg"));
    QVERIFY(page.indexOf("IMG_2.jpg") < page.indexOf("IMG_10.jpg"));
    QVERIFY(page.contains("href=\"?zip\""));
  }

  void sortingBySizeAndBack() {
    QByteArray page = get(base_ + "?sort=size");
    QVERIFY(page.indexOf("IMG_10.jpg") < page.indexOf("IMG_2.jpg"));  // larger first
    page = get(base_ + "?sort=size&order=asc");
    QVERIFY(page.indexOf("IMG_2.jpg") < page.indexOf("IMG_10.jpg"));
    page = get(base_ + "?sort=name&order=desc");
    QVERIFY(page.indexOf("IMG_10.jpg") < page.indexOf("IMG_2.jpg"));
    QVERIFY(page.indexOf("Empty") < page.indexOf("IMG_10.jpg"));  // folders stay first
  }

  void subFoldersAndBreadcrumbs() {
    QByteArray page = get(base_ + "Day%201/Beach/");
    QVERIFY(page.contains("sea.jpg"));
    QVERIFY(page.contains("100 KB"));
    // Breadcrumbs lead back up to the shared folder, under the same token.
    const QByteArray top = "/" + QByteArray::fromStdString(share_.token) + "/Holiday%20Photos/";
    QVERIFY(page.contains("href=\"" + top + "\""));
    QVERIFY(page.contains("href=\"" + top + "Day%201/\""));
    QVERIFY(get(base_ + "Empty/").contains("This folder is empty."));
    // A link that stays inside is followed with openat2, and by the walk never.
    int s = 0;
    const QByteArray linked = get(base_ + "beach-link/", &s);
    QCOMPARE(s, followsInnerLinks() ? 200 : 404);
    QCOMPARE(linked.contains("sea.jpg"), followsInnerLinks());
  }

  void folderLinksWithoutTheirSlashRedirect() {
    for (const QString& path : {QString("Day%201"), QString("Day%201/Beach")}) {
      CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", base_ + path});
      QCOMPARE(c.out, QByteArray("301 ") + (base_ + path + "/").toUtf8());
    }
    const QString bare = "http://127.0.0.1:" + QString::number(fx_->port()) + "/" + QString::fromStdString(share_.token);
    CurlResult c = runCurl({"-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", bare});
    QCOMPARE(c.out, QByteArray("200 ") + base_.toUtf8());
    // The query goes along: a folder's zip asked without the '/' is still its zip.
    CurlResult z = runCurl({"-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", base_ + "Day%201?zip"});
    QCOMPARE(z.out, QByteArray("301 ") + (base_ + "Day%201/?zip").toUtf8());
    CurlResult zl = runCurl({"-L", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", base_ + "Day%201?zip"});
    QCOMPARE(zl.out, QByteArray("200 application/zip"));
    RawResponse r = rawRequest(fx_->port(), getRequest(fx_->port(), fx_->target(share_) + "/Day%201?zip"));
    QVERIFY2(r.head.startsWith("HTTP/1.1 301 Moved Permanently\r\n"), r.head.constData());
  }

  void filesDownloadLikeSharedFiles() {
    QCOMPARE(get(base_ + "IMG_10.jpg"), QByteArray("ten, and longer"));
    QCOMPARE(get(base_ + "caf%C3%A9%20%E2%98%95.txt"), QByteArray("coffee"));
    int s = 0;
    QCOMPARE(get(base_ + "IMG_10.jpg", &s, {"-r", "5-7"}), QByteArray("and"));
    QCOMPARE(s, 206);
    CurlResult head = runCurl({"-I", base_ + "Day%201/Beach/sea.jpg"});
    QVERIFY(head.out.contains("Content-Length: 100000"));
    QVERIFY(head.out.contains("filename=\"sea.jpg\""));
    const QByteArray linked = get(base_ + "beach-link/sea.jpg", &s);
    QCOMPARE(s, followsInnerLinks() ? 200 : 404);
    if (followsInnerLinks()) QCOMPARE(linked.size(), 100'000);
    // The transfer names the file inside the folder.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const auto& t : fx_->transfersOf(share_))
            if (t.fileName() == "Holiday Photos/IMG_10.jpg") return true;
          return false;
        }(),
        5'000);
  }

  void nothingOutsideIsServed_data() {
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("dotdot") << QByteArray("../outside.txt") << 400;
    QTest::newRow("dotdot deeper") << QByteArray("Day%201/../../outside.txt") << 400;
    QTest::newRow("dot") << QByteArray("./IMG_2.jpg") << 400;
    QTest::newRow("encoded dotdot") << QByteArray("%2e%2e/outside.txt") << 400;
    QTest::newRow("encoded dotdot upper") << QByteArray("%2E%2E/outside.txt") << 400;
    QTest::newRow("double encoded") << QByteArray("%252e%252e/outside.txt") << 404;
    QTest::newRow("encoded slash") << QByteArray("..%2foutside.txt") << 400;
    QTest::newRow("encoded backslash") << QByteArray("..%5coutside.txt") << 400;
    QTest::newRow("backslash") << QByteArray("..\\outside.txt") << 400;
    QTest::newRow("nul") << QByteArray("IMG_2.jpg%00.txt") << 400;
    QTest::newRow("drive") << QByteArray("C:/Windows/win.ini") << 400;
    QTest::newRow("drive encoded") << QByteArray("C%3A/x") << 400;
    QTest::newRow("empty part") << QByteArray("Day%201//Beach/") << 400;
    QTest::newRow("control char") << QByteArray("a%0Ab") << 400;
    QTest::newRow("overlong name") << QByteArray(300, 'a') << 400;
    QTest::newRow("deep") << QByteArray("a/").repeated(70) << 400;
    QTest::newRow("link out") << QByteArray("escape.txt") << 404;
    QTest::newRow("link up") << QByteArray("up/outside.txt") << 404;
    QTest::newRow("link up listing") << QByteArray("up/") << 404;
    QTest::newRow("dangling") << QByteArray("dangling") << 404;
    QTest::newRow("loop") << QByteArray("loop-a") << 404;
    QTest::newRow("fifo") << QByteArray("pipe") << 404;
    QTest::newRow("hidden file") << QByteArray(".env") << 404;
    QTest::newRow("hidden folder") << QByteArray(".git/config") << 404;
    QTest::newRow("thumbs") << QByteArray("Thumbs.db") << 404;
    QTest::newRow("missing") << QByteArray("no%20such.jpg") << 404;
    QTest::newRow("file as folder") << QByteArray("IMG_2.jpg/") << 404;
  }

  void nothingOutsideIsServed() {
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    const QByteArray target = "/" + QByteArray::fromStdString(share_.token) + "/Holiday%20Photos/" + path;
    QCOMPARE(rawStatus(target), status);
    // The zip of what such a path names is refused alike.
    if (status == 400) QCOMPARE(rawStatus(target + "?zip"), 400);
  }

  void unservableNamesAreLeftOutOfListingAndZip() {
    const QByteArray page = get(base_);
    QVERIFY(!page.contains("evil.bat"));
    QVERIFY(!page.contains("drive.txt"));
    int s = 0;
    const QByteArray zip = get(base_ + "?zip", &s);
    QCOMPARE(s, 200);
    QVERIFY(zip.contains("IMG_2.jpg"));
    QVERIFY(!zip.contains("evil.bat"));
    QVERIFY(!zip.contains("drive.txt"));
    // Shown hidden entries or not, they stay out.
    QVERIFY(fx_->server.setShowHidden(share_.token, true));
    QVERIFY(!get(base_).contains("evil.bat"));
    QVERIFY(!get(base_ + "?zip").contains("evil.bat"));
    QVERIFY(fx_->server.setShowHidden(share_.token, false));
  }

  void hiddenEntriesWhenTheShareSaysSo() {
    QVERIFY(fx_->server.setShowHidden(share_.token, true));
    QByteArray page = get(base_);
    QVERIFY(page.contains(".env"));
    QVERIFY(page.contains(".git"));
    QCOMPARE(get(base_ + ".env"), QByteArray("SECRET=1"));
    QVERIFY(fx_->server.setShowHidden(share_.token, false));
    QCOMPARE(status(base_ + ".env"), 404);
  }

  void unsharingEndsEveryLink() {
    std::string error;
    auto other = fx_->server.addShare(QFile::encodeName(root_ + "/Day 1").toStdString(), &error);
    QVERIFY2(other, error.c_str());
    const QString link = fx_->url(*other);
    QCOMPARE(status(link), 200);
    QVERIFY(fx_->server.removeShare(other->token));
    QCOMPARE(status(link), 404);
    QCOMPARE(status(link + "Beach/sea.jpg"), 404);
  }

  void folderCountedInTheBackground() {
    fx_->server.waitForFolderScans();
    auto summary = fx_->server.folderSummary(share_.token);
    QVERIFY(summary);
    QCOMPARE(int(summary->state), int(ferry::FolderSummary::kDone));
    // IMG_2, IMG_10, the script name, the café, sea.jpg and (with openat2)
    // sea.jpg again through beach-link: what the zip holds.
    const std::size_t linked = followsInnerLinks() ? 1 : 0;
    QCOMPARE(summary->files, std::size_t(5 + linked));
    QCOMPARE(summary->bytes, std::uint64_t(3 + 15 + 1 + 6 + 100'000 + linked * 100'000));
    QVERIFY(summary->crcsReady);
  }
};

QTEST_GUILESS_MAIN(TestFolderShare)
#include "tst_folder_share.moc"
