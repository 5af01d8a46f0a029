// The pictures of a share, as a recipient's page and curl get them:
// `?thumb` of every photo and clip format (real files made by
// tests/media/make_media.sh, the album_media fixture) is a small upright
// JPEG; HEIC has a `?view` JPEG; broken and huge files get their type icon
// and leave the server answering; an edited photo gets a new picture and
// ETag; 304 on If-None-Match; pictures never use up a download limit and
// stay behind a password; a damaged cache file is made again; a shared
// folder's thumbnails are made ahead. Real sockets, curl, vipsheader.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTest>

#include "picture.h"
#include "testutil/http_client.h"

using namespace ferry::test;

class TestAlbum : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;
  QTemporaryDir cacheDir_;
  QString media_;  // where the fixture made the media
  QString root_;   // the shared folder (copies: the suite edits them)
  ferry::Share folder_;
  QString base_;
  bool pictures_ = false;  // this build decodes images and video

  struct Answer {
    int status = 0;
    QMap<QByteArray, QByteArray> headers;
    QByteArray body;
    QByteArray header(const char* name) const { return headers.value(name); }
  };
  Answer get(const QString& url, const QStringList& extra = {}) {
    const QString head = fx_->path("last-headers"), body = fx_->path("last-body");
    QFile::remove(body);
    QStringList args = extra;
    args << "-D" << head << "-o" << body << "-w" << "%{http_code}" << url;
    CurlResult c = runCurl(args);
    Answer a;
    a.status = c.out.trimmed().toInt();
    a.headers = parseHeaderBlock(readFileBytes(head));
    a.body = readFileBytes(body);
    return a;
  }
  // Width x height of an image, as libvips' own tool reads it.
  QSize sizeOf(const QByteArray& image) {
    const QString f = fx_->path("picture-to-measure");
    if (!writeFile(f, image)) return {};
    ProcessResult w = runProcess("vipsheader", {"-f", "width", f}, 20'000);
    ProcessResult h = runProcess("vipsheader", {"-f", "height", f}, 20'000);
    if (w.exitCode != 0 || h.exitCode != 0) return {};
    return QSize(w.out.trimmed().toInt(), h.out.trimmed().toInt());
  }
  bool isIcon(const Answer& a) {
    return a.status == 200 && a.header("content-type") == "image/svg+xml" && a.body.startsWith("<svg");
  }
  bool isJpeg(const Answer& a) {
    return a.status == 200 && a.header("content-type") == "image/jpeg" && a.body.startsWith("\xFF\xD8\xFF");
  }
  QStringList cacheFiles() {
    return QDir(cacheDir_.filePath("pictures")).entryList(QDir::Files);
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    media_ = qEnvironmentVariable("FERRY_TEST_MEDIA");
    if (media_.isEmpty() || !QFile::exists(media_ + "/photo.jpg"))
      QSKIP("no test media (the album_media fixture makes them: ctest -R album)");
    if (QStandardPaths::findExecutable("vipsheader").isEmpty()) QSKIP("vipsheader (libvips-tools) is not installed");
    pictures_ = ferry::canPicture(ferry::MediaKind::kImage) && ferry::canPicture(ferry::MediaKind::kVideo);
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(cacheDir_.isValid());
    fx_->server.setCacheDirectory(QFile::encodeName(cacheDir_.path()).toStdString());
    QVERIFY(fx_->start({}));
    root_ = fx_->path("Holiday");
    QVERIFY(QDir().mkpath(root_));
    for (const QString& f : QDir(media_).entryList(QDir::Files))
      QVERIFY(QFile::copy(media_ + "/" + f, root_ + "/" + f));
    folder_ = fx_->share(root_);
    QVERIFY(folder_.folder);
    base_ = fx_->url(folder_);
  }
  void cleanupTestCase() { fx_.reset(); }

  void thumbnailsAreMadeAheadWhenAFolderIsShared() {
    if (!pictures_) QSKIP("this build makes no thumbnails");
    fx_->server.waitForFolderScans();
    // Every photo and clip, the broken ones included (remembered as having
    // no picture), has its entry before any page asked.
    int media = 0;
    for (const QString& f : QDir(root_).entryList(QDir::Files))
      if (ferry::mediaKindOf(f.toStdString()) == ferry::MediaKind::kImage ||
          ferry::mediaKindOf(f.toStdString()) == ferry::MediaKind::kVideo)
        ++media;
    QCOMPARE(cacheFiles().filter(QRegularExpression("\\.t$")).size(), media);
  }

  void photosSortByWhenTheyWereTaken() {
    if (!pictures_) QSKIP("this build reads no photos");
    // Taken 2019 but changed last; taken 2021 but changed first; no date
    // in it, changed in 2022: taken order a, b, c; changed order b, c, a.
    const QString dir = fx_->path("Taken");
    QVERIFY(QDir().mkpath(dir));
    struct Copy {
      const char* from;
      const char* to;
      int year;
    } copies[] = {{"rotated.jpg", "a.jpg", 2024},
                  {"photo.jpg", "b.jpg", 2010},
                  {"other.jpg", "c.jpg", 2022},
                  {"clip.mp4", "d.mp4", 2008}};
    for (const Copy& c : copies) {
      QVERIFY(QFile::copy(media_ + "/" + c.from, dir + "/" + c.to));
      QFile f(dir + "/" + c.to);
      QVERIFY(f.open(QIODevice::ReadWrite));
      QVERIFY(f.setFileTime(QDateTime(QDate(c.year, 6, 1), QTime(12, 0)), QFileDevice::FileModificationTime));
    }
    const QString link = fx_->url(fx_->share(dir));
    fx_->server.waitForFolderScans();
    const QByteArray page = get(link + "?sort=date&order=asc").body;
    const auto a = page.indexOf("alt=\"a.jpg\""), b = page.indexOf("alt=\"b.jpg\""), c = page.indexOf("alt=\"c.jpg\"");
    const auto d = page.indexOf("alt=\"d.mp4\"");
    QVERIFY2(a > 0 && a < d && d < b && b < c, page.constData());
    // A clip's date is when its container says it was recorded (UTC).
    const QDateTime recorded = QDateTime(QDate(2020, 5, 1), QTime(12, 0), Qt::UTC).toLocalTime();
    QVERIFY2(page.contains("datetime=\"" + recorded.toString("yyyy-MM-ddTHH:mm").toUtf8() + "\""), page.constData());
    // The date a photo shows is when it was taken.
    QVERIFY(page.contains("<time class=\"date\" datetime=\"2019-07-14T10:31\">14 Jul 2019, 10:31</time>"));
    QVERIFY(page.contains("datetime=\"2021-03-02T08:15\""));
    QVERIFY(page.contains("datetime=\"2022-06-01T12:00\""));
    // Newest first, the other way round.
    const QByteArray down = get(link + "?sort=date&order=desc").body;
    QVERIFY(down.indexOf("alt=\"c.jpg\"") < down.indexOf("alt=\"b.jpg\"") &&
            down.indexOf("alt=\"b.jpg\"") < down.indexOf("alt=\"a.jpg\""));

    // The dates are kept with the thumbnails: the next run's first page,
    // asked for at once, is in taken order.
    QCOMPARE(cacheFiles().filter(QRegularExpression("\\.d$")).size() >= 4, true);
    ServerFixture next;
    next.server.setCacheDirectory(QFile::encodeName(cacheDir_.path()).toStdString());
    QVERIFY(next.start({}));
    const QByteArray again = get(next.url(next.share(dir)) + "?sort=date&order=asc").body;
    QVERIFY2(again.indexOf("alt=\"a.jpg\"") > 0 && again.indexOf("alt=\"a.jpg\"") < again.indexOf("alt=\"d.mp4\"") &&
                 again.indexOf("alt=\"d.mp4\"") < again.indexOf("alt=\"b.jpg\"") &&
                 again.indexOf("alt=\"b.jpg\"") < again.indexOf("alt=\"c.jpg\""),
             again.constData());
  }

  void everyFormatGetsASmallUprightThumbnail() {
    if (!pictures_) QSKIP("this build makes no thumbnails");
    struct Case {
      const char* file;
      QSize size;
    };
    const Case cases[] = {
        {"photo.jpg", {400, 300}}, {"photo.png", {400, 300}}, {"photo.webp", {400, 300}},
        {"scan.tiff", {400, 300}}, {"photo.heic", {400, 300}}, {"photo.avif", {400, 300}},
        {"anim.gif", {320, 240}},  // smaller than 400: never enlarged
        {"clip.mp4", {400, 225}},  {"clip.webm", {400, 225}},
        {"rotated.jpg", {267, 400}},  // stored landscape, EXIF Orientation 6: portrait
    };
    for (const Case& c : cases) {
      if (!QFile::exists(root_ + "/" + c.file)) continue;  // AVIF needs an encoder the fixture may lack
      Answer a = get(base_ + c.file + "?thumb");
      QVERIFY2(isJpeg(a), c.file);
      QVERIFY2(a.body.size() < 60'000, c.file);
      QCOMPARE(sizeOf(a.body), c.size);
    }
  }

  void heicHasAViewJpegAndOthersAreShownAsTheyAre() {
    if (!pictures_) QSKIP("this build makes no renditions");
    Answer a = get(base_ + "photo.heic?view");
    QVERIFY(isJpeg(a));
    QCOMPARE(sizeOf(a.body), QSize(1600, 1200));  // at most 2048: the original's size
    Answer jpg = get(base_ + "photo.jpg?view");
    QCOMPARE(jpg.status, 302);
    QCOMPARE(jpg.header("location"), QByteArray("photo.jpg"));
  }

  void brokenHugeAndOtherFilesGetTheirTypeIcon() {
    for (const char* f : {"corrupt.jpg", "truncated.heic", "huge.png", "empty.mp4", "notes.txt"}) {
      Answer a = get(base_ + f + "?thumb");
      QVERIFY2(isIcon(a), f);
      // Asked again (now from the cache's "no picture"): the same.
      QVERIFY2(isIcon(get(base_ + f + "?thumb")), f);
    }
    QVERIFY(get(base_ + "notes.txt?thumb").body.contains(">TXT<"));
    // The server is still answering, pictures and bytes alike.
    if (pictures_) QVERIFY(isJpeg(get(base_ + "photo.jpg?thumb")));
    QCOMPARE(get(base_ + "notes.txt").body, QByteArray("Not a picture.\n"));
    // A folder's own thumbnail is the folder icon.
    QVERIFY(isIcon(get(base_ + "?thumb")));
  }

  void etagImmutableAndNotModified() {
    Answer a = get(base_ + "photo.jpg?thumb");
    QCOMPARE(a.status, 200);
    const QByteArray etag = a.header("etag");
    QVERIFY(etag.startsWith('"') && etag.endsWith('"') && etag.size() > 8);
    const QByteArray cc = a.header("cache-control");
    QVERIFY2(cc.contains("private") && cc.contains("max-age=") && cc.contains("immutable"), cc.constData());
    Answer again = get(base_ + "photo.jpg?thumb", {"-H", "If-None-Match: " + QString::fromLatin1(etag)});
    QCOMPARE(again.status, 304);
    QVERIFY(again.body.isEmpty());
    QCOMPARE(again.header("etag"), etag);
    QCOMPARE(get(base_ + "photo.jpg?thumb", {"-H", "If-None-Match: \"other\""}).status, 200);
  }

  void anEditedPhotoGetsANewPicture() {
    if (!pictures_) QSKIP("this build makes no thumbnails");
    const QString photo = root_ + "/edit.jpg", ref = fx_->path("edit-time");
    QVERIFY(QFile::copy(media_ + "/photo.jpg", photo));
    Answer before = get(base_ + "edit.jpg?thumb");
    QVERIFY(isJpeg(before));
    // Rewritten in place (same inode) with another photo, and its old
    // modification time put back, as some editors and copy tools do.
    QCOMPARE(runProcess("touch", {"-r", photo, ref}, 10'000).exitCode, 0);
    QTest::qWait(20);  // a status-change time that differs
    {
      QFile f(photo);
      QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
      QVERIFY(f.write(readFileBytes(media_ + "/other.jpg")) > 0);
    }
    QCOMPARE(runProcess("touch", {"-r", ref, photo}, 10'000).exitCode, 0);
    QCOMPARE(QFileInfo(photo).lastModified(), QFileInfo(ref).lastModified());
    Answer after = get(base_ + "edit.jpg?thumb", {"-H", "If-None-Match: " + QString::fromLatin1(before.header("etag"))});
    QVERIFY(isJpeg(after));  // 200, not 304: the old ETag names the old picture
    QVERIFY(after.header("etag") != before.header("etag"));
    QVERIFY(after.body != before.body);
  }

  void picturesNeverUseUpADownloadLimit() {
    const QString file = fx_->path("once.jpg");
    QVERIFY(QFile::copy(media_ + "/photo.jpg", file));
    ferry::Share s = fx_->share(file);
    ferry::ShareRules rules;
    rules.downloadLimit = 1;
    QVERIFY(fx_->server.setRules(s.token, rules));
    const QString link = fx_->url(s);
    for (int i = 0; i < 3; ++i) {
      Answer a = get(link + "?thumb");
      QCOMPARE(a.status, 200);
      if (pictures_) QVERIFY(isJpeg(a));
    }
    if (pictures_) QCOMPARE(get(link + "?view").status, 302);  // a JPEG: shown as it is
    Answer whole = get(link);
    QCOMPARE(whole.status, 200);
    QCOMPARE(whole.body, readFileBytes(file));
    // The first snapshot that lists the download lists nothing else: the
    // pictures were not deliveries, not transfers.
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(s).empty(), 5'000);
    QCOMPARE(fx_->transfersOf(s).size(), std::size_t(1));
    QCOMPARE(fx_->transfersOf(s).front().bytesSent, std::uint64_t(whole.body.size()));
    QTRY_COMPARE_WITH_TIMEOUT(fx_->server.share(s.token)->deliveries, 1u, 5'000);
    QCOMPARE(get(link).status, 410);
    QCOMPARE(get(link + "?thumb").status, 410);  // used up: the pictures end with it
  }

  void aPasswordGuardsThePictures() {
    const QString file = fx_->path("secret.jpg");
    QVERIFY(QFile::copy(media_ + "/photo.jpg", file));
    ferry::Share s = fx_->share(file);
    ferry::ShareRules rules;
    rules.password = "sesame";
    QVERIFY(fx_->server.setRules(s.token, rules));
    const QString link = fx_->url(s);
    Answer refused = get(link + "?thumb");
    QCOMPARE(refused.status, 401);
    QVERIFY(!refused.header("content-type").startsWith("image/"));
    QCOMPARE(get(link + "?thumb", {"-u", "x:wrong"}).status, 401);
    Answer let = get(link + "?thumb", {"-u", "x:sesame"});
    QCOMPARE(let.status, 200);
    if (pictures_) QVERIFY(isJpeg(let));
    QVERIFY(let.header("vary").contains("Authorization"));
  }

  void aDamagedCacheFileIsMadeAgain() {
    if (!pictures_) QSKIP("this build makes no thumbnails");
    Answer first = get(base_ + "photo.webp?thumb");
    QVERIFY(isJpeg(first));
    // Every picture on disk damaged: one byte flipped in the middle.
    const QString dir = cacheDir_.filePath("pictures");
    for (const QString& f : cacheFiles()) {
      QByteArray bytes = readFileBytes(dir + "/" + f);
      if (bytes.size() < 100) continue;
      bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
      QVERIFY(writeFile(dir + "/" + f, bytes));
    }
    Answer again = get(base_ + "photo.webp?thumb");
    QVERIFY(isJpeg(again));
    QCOMPARE(again.body, first.body);  // made again, not the damaged bytes
    QCOMPARE(sizeOf(again.body), QSize(400, 300));
  }
};

QTEST_GUILESS_MAIN(TestAlbum)
#include "tst_album.moc"
