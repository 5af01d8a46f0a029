// A folder's zip, checked by readers nobody here wrote: Info-ZIP's unzip,
// 7-Zip, bsdtar reading from a pipe, Python's zipfile. The extracted tree
// equals the original; every range of it equals the same slice of the whole
// (so browsers and download managers resume anywhere); ZIP64 appears for a
// 5 GiB file and for 70,000 entries; a file that changes mid-zip ends the
// connection rather than send a zip that lies.

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

bool have(const char* tool) { return !QStandardPaths::findExecutable(tool).isEmpty(); }

ProcessResult shell(const QString& command, int timeoutMs = 120'000) {
  return runProcess("sh", {"-c", command}, timeoutMs);
}

// relative path → sha256 of every file, and every folder as "<dir>", below `root`.
QMap<QString, QByteArray> treeOf(const QString& root) {
  QMap<QString, QByteArray> tree;
  QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    QString p = it.next();
    QString rel = QDir(root).relativeFilePath(p);
    tree[rel] = it.fileInfo().isDir() ? QByteArray("<dir>") : sha256File(p);
  }
  return tree;
}

}  // namespace

class TestZip : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;
  QString trip_;  // the shared folder
  ferry::Share share_;
  QString zipUrl_;
  QByteArray zip_;  // the whole zip, as downloaded once

  QString tmp(const QString& name) { return fx_->path(name); }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start({}));
    trip_ = tmp("Trip \xC3\xA9t\xC3\xA9");
    QDir d(fx_->dir.path());
    QVERIFY(d.mkpath(trip_ + "/Day 1/\xE6\x97\xA5\xE6\x9C\xAC"));
    QVERIFY(d.mkpath(trip_ + "/empty folder"));
    QVERIFY(writeFile(trip_ + "/a.txt", "first, small entry\n"));
    QVERIFY(writeFile(trip_ + "/empty file", ""));
    writeRandomFile(trip_ + "/Day 1/big.bin", 3'000'001, 3);
    writeRandomFile(trip_ + "/Day 1/\xE6\x97\xA5\xE6\x9C\xAC/\xF0\x9F\x8C\x8A wave.jpg", 70'000, 4);
    for (int i = 0; i < 40; ++i) writeRandomFile(trip_ + QString("/Day 1/small %1.txt").arg(i), 100 + i * 37, 10 + i);
    QVERIFY(::chmod(QFile::encodeName(trip_ + "/a.txt").constData(), 0640) == 0);
    share_ = fx_->share(trip_);
    QVERIFY(share_.folder);
    zipUrl_ = QString::fromStdString(fx_->server.zipLinkFor(share_, "127.0.0.1"));
    QVERIFY(zipUrl_.endsWith("/?zip"));
    CurlResult c = runCurl({"-D", tmp("headers"), "-o", tmp("trip.zip"), zipUrl_});
    QVERIFY2(c.exitCode == 0, c.err.constData());
    zip_ = readFileBytes(tmp("trip.zip"));
    const QByteArray h = readFileBytes(tmp("headers"));
    QVERIFY(h.contains("Content-Length: " + QByteArray::number(zip_.size())));
    QVERIFY(h.contains("Content-Type: application/zip"));
    QVERIFY(h.contains("filename*=UTF-8''Trip%20%C3%A9t%C3%A9.zip"));
    QVERIFY(h.contains("Accept-Ranges: bytes"));
  }
  void cleanupTestCase() { fx_.reset(); }

  void unzipExtractsTheSameTree() {
    if (!have("unzip")) QSKIP("unzip is not installed");
    ProcessResult t = runProcess("unzip", {"-t", tmp("trip.zip")}, 60'000);
    QVERIFY2(t.exitCode == 0, t.out.constData());
    QVERIFY(t.out.contains("No errors detected"));
    ProcessResult x = runProcess("unzip", {"-q", tmp("trip.zip"), "-d", tmp("unzipped")}, 60'000);
    QVERIFY2(x.exitCode == 0, x.err.constData());
    QCOMPARE(treeOf(tmp("unzipped/") + QFileInfo(trip_).fileName()), treeOf(trip_));
    // Modes travel: a file only its owner may write stays so.
    QCOMPARE(QFileInfo(tmp("unzipped/") + QFileInfo(trip_).fileName() + "/a.txt").permissions() & 0x7777,
             QFileInfo(trip_ + "/a.txt").permissions() & 0x7777);
  }

  void sevenZipTestsIt() {
    if (!have("7z")) QSKIP("7z (p7zip-full) is not installed");
    ProcessResult t = runProcess("7z", {"t", tmp("trip.zip")}, 60'000);
    QVERIFY2(t.exitCode == 0, t.out.constData());
    QVERIFY(t.out.contains("Everything is Ok"));
    QVERIFY2(!t.out.contains("Warnings"), t.out.constData());
  }

  void bsdtarReadsItFromAPipe() {
    if (!have("bsdtar")) QSKIP("bsdtar (libarchive-tools) is not installed");
    // A streaming reader sees only the local headers: they must say all.
    QDir().mkpath(tmp("bsdtar"));
    ProcessResult r = shell("curl -sS --noproxy '*' '" + zipUrl_ + "' | bsdtar -xf - -C '" + tmp("bsdtar") + "'");
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(treeOf(tmp("bsdtar/") + QFileInfo(trip_).fileName()), treeOf(trip_));
  }

  void pythonZipfileAgrees() {
    if (!have("python3")) QSKIP("python3 is not installed");
    ProcessResult r = runProcess(
        "python3",
        {"-c",
         "import sys, zipfile\n"
         "z = zipfile.ZipFile(sys.argv[1])\n"
         "bad = z.testzip()\n"
         "assert bad is None, bad\n"
         "names = z.namelist()\n"
         "assert names[0].endswith('/'), names[0]\n"  // the small first entry: the folder
         "assert all(i.compress_type == 0 for i in z.infolist())\n"
         "assert all(i.flag_bits & 0x800 for i in z.infolist())\n"
         "assert not any(i.flag_bits & 0x8 for i in z.infolist())\n"
         "print(len(names))\n",
         tmp("trip.zip")},
        60'000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // The folder, its 3 sub-folders, and its 44 files.
    QCOMPARE(r.out.trimmed(), QByteArray("48"));
  }

  void everyRangeIsTheSameSliceOfTheWhole() {
    // Random ranges, and ranges starting in the places a resume may land:
    // the first header, a later header, file data, the central directory,
    // the end record.
    const qint64 n = zip_.size();
    QList<QPair<qint64, qint64>> ranges = {{0, 10}, {20, 100}, {n - 22, n - 1}, {n - 200, n - 1}, {n - 1, n - 1}};
    auto* rng = QRandomGenerator::global();
    for (int i = 0; i < 40; ++i) {
      qint64 a = rng->bounded(n);
      ranges.append({a, a + rng->bounded(qMin<qint64>(n - a, 400'000))});
    }
    for (const auto& [a, b] : ranges) {
      CurlResult c = runCurl({"-r", QString("%1-%2").arg(a).arg(b), zipUrl_});
      QVERIFY2(c.exitCode == 0, c.err.constData());
      QVERIFY2(c.out == zip_.mid(a, b - a + 1), qPrintable(QString("range %1-%2").arg(a).arg(b)));
    }
  }

  void validatorsAndConditions() {
    RawResponse first = rawRequest(fx_->port(), getRequest(fx_->port(), fx_->target(share_) + "/?zip"), true);
    const QByteArray etag = first.header("etag");
    QVERIFY(etag.startsWith("\"z"));
    RawResponse again = rawRequest(fx_->port(), getRequest(fx_->port(), fx_->target(share_) + "/?zip"), true);
    QCOMPARE(again.header("etag"), etag);  // strong: the same folder, the same zip
    RawResponse nm = rawRequest(
        fx_->port(), getRequest(fx_->port(), fx_->target(share_) + "/?zip", "If-None-Match: " + etag + "\r\n"), true);
    QCOMPARE(nm.status, 304);
    // If-Range with another tag: the whole zip, not a slice of a different one.
    RawResponse ir = rawRequest(fx_->port(),
                                getRequest(fx_->port(), fx_->target(share_) + "/?zip",
                                           "Range: bytes=10-20\r\nIf-Range: \"z-other\"\r\n"),
                                true);
    QCOMPARE(ir.status, 200);
    RawResponse ok = rawRequest(fx_->port(),
                                getRequest(fx_->port(), fx_->target(share_) + "/?zip",
                                           "Range: bytes=10-20\r\nIf-Range: " + etag + "\r\n"),
                                true);
    QCOMPARE(ok.status, 206);
    RawResponse bad =
        rawRequest(fx_->port(), getRequest(fx_->port(), fx_->target(share_) + "/?zip", "Range: bytes=999999999-\r\n"));
    QCOMPARE(bad.status, 416);
    QCOMPARE(bad.header("content-range"), "bytes */" + QByteArray::number(zip_.size()));
  }

  void downloadManagersResumeIt() {
    if (have("wget")) {
      QVERIFY(writeFile(tmp("wget.zip"), zip_.left(1'234'567)));
      ProcessResult w = runProcess("wget", {"-q", "-c", "-O", tmp("wget.zip"), zipUrl_}, 60'000);
      QVERIFY2(w.exitCode == 0, w.err.constData());
      QCOMPARE(readFileBytes(tmp("wget.zip")), zip_);
    }
    QVERIFY(writeFile(tmp("curl.zip"), zip_.left(zip_.size() - 300)));  // cut inside the directory
    CurlResult c = runCurl({"-C", "-", "-o", tmp("curl.zip"), zipUrl_});
    QVERIFY2(c.exitCode == 0, c.err.constData());
    QCOMPARE(readFileBytes(tmp("curl.zip")), zip_);
    if (have("aria2c")) {
      ProcessResult a = runProcess(
          "aria2c", {"-q", "-x8", "-s8", "-k1M", "--allow-overwrite=true", "-d", fx_->dir.path(), "-o", "aria.zip", zipUrl_},
          60'000);
      QVERIFY2(a.exitCode == 0, a.out.constData());
      QCOMPARE(readFileBytes(tmp("aria.zip")), zip_);
    }
  }

  void subFolderZipHasItsOwnTop() {
    const QString url = fx_->url(share_) + "Day%201/?zip";
    CurlResult c = runCurl({"-D", "-", "-o", tmp("day1.zip"), url});
    QVERIFY(c.out.contains("filename=\"Day 1.zip\""));
    // The transfer is named for people. Looked at first: an ended transfer is
    // listed for a few seconds only, and a loaded machine can spend them on
    // starting python.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const auto& t : fx_->transfersOf(share_))
            if (t.fileName() == QFileInfo(trip_).fileName().toStdString() + "/Day 1.zip") return true;
          return false;
        }(),
        5'000);
    ProcessResult r = runProcess("python3",
                                 {"-c",
                                  "import sys, zipfile\n"
                                  "z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n"
                                  "print(z.namelist()[0], all(n.startswith('Day 1/') for n in z.namelist()))\n",
                                  tmp("day1.zip")},
                                 30'000);
    QCOMPARE(r.out.trimmed(), QByteArray("Day 1/ True"));
  }

  void aFileThatChangesEndsTheConnection() {
    // Slow enough that the file can be changed while its bytes are going out.
    const QString folder = tmp("changing");
    QVERIFY(QDir().mkpath(folder));
    writeRandomFile(folder + "/log.bin", 4'000'000, 5);
    auto s = fx_->share(folder);
    const QString url = QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"));
    fx_->server.setRateLimit(1'000'000);
    AsyncCurl dl;
    dl.start(url, tmp("changing.zip"));
    QVERIFY(fx_->waitActive(s, 200'000));
    {
      QFile f(folder + "/log.bin");
      QVERIFY(f.open(QIODevice::Append));
      f.write("more lines\n");
    }
    fx_->server.setRateLimit(0);
    QVERIFY(dl.wait(30'000));
    QVERIFY2(dl.exitCode() != 0, "curl got a whole zip of a file that changed");
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const auto& t : fx_->transfersOf(s))
            if (t.state == ferry::TransferState::kFailed && t.reason.find("changed") != std::string::npos) return true;
          return false;
        }(),
        5'000);
    // The next request is a new zip, whole and right.
    CurlResult c = runCurl({"-o", tmp("changed.zip"), url});
    QVERIFY2(c.exitCode == 0, c.err.constData());
    ProcessResult t = runProcess("unzip", {"-t", tmp("changed.zip")}, 30'000);
    QVERIFY2(t.exitCode == 0, t.out.constData());
  }

  // The next request for the same zip (a segment, a resume) uses the
  // manifest made for the last one only while the folder is unchanged: a
  // file added deep down, one renamed, one removed are in the next zip at
  // once, and the zip before and after agree with their ETags.
  void theNextZipSeesWhatChangedInTheFolder() {
    if (!have("unzip")) QSKIP("unzip is not installed");
    const QString folder = tmp("kept-manifest");
    QVERIFY(QDir().mkpath(folder + "/a/b"));
    QVERIFY(writeFile(folder + "/one.txt", "one"));
    QVERIFY(writeFile(folder + "/a/b/two.txt", "two"));
    auto s = fx_->share(folder);
    const QString url = QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"));
    auto namesOf = [&](const QString& zip) {
      ProcessResult l = runProcess("unzip", {"-Z1", zip}, 30'000);
      return QString::fromUtf8(l.out).split('\n', Qt::SkipEmptyParts);
    };
    auto fetch = [&](const QString& name) {
      CurlResult c = runCurl({"-D", tmp(name + ".h"), "-o", tmp(name), url});
      return c.exitCode == 0 && runProcess("unzip", {"-tq", tmp(name)}, 30'000).exitCode == 0;
    };
    QVERIFY(fetch("kept1.zip"));
    QVERIFY(fetch("kept2.zip"));  // the same folder: the same zip
    QCOMPARE(readFileBytes(tmp("kept2.zip")), readFileBytes(tmp("kept1.zip")));
    QVERIFY(writeFile(folder + "/a/b/three.txt", "three"));
    QVERIFY(fetch("kept3.zip"));
    QVERIFY(namesOf(tmp("kept3.zip")).contains("kept-manifest/a/b/three.txt"));
    auto etagOf = [&](const QString& headers) {
      for (const QByteArray& line : readFileBytes(tmp(headers)).split('\n'))
        if (line.toLower().startsWith("etag:")) return line.mid(5).trimmed();
      return QByteArray();
    };
    QVERIFY(!etagOf("kept2.zip.h").isEmpty());
    QCOMPARE(etagOf("kept2.zip.h"), etagOf("kept1.zip.h"));
    QVERIFY(etagOf("kept3.zip.h") != etagOf("kept2.zip.h"));
    QVERIFY(QFile::rename(folder + "/a/b/two.txt", folder + "/a/b/deux.txt"));
    QVERIFY(QFile::remove(folder + "/one.txt"));
    QVERIFY(fetch("kept4.zip"));
    const QStringList names = namesOf(tmp("kept4.zip"));
    QVERIFY(names.contains("kept-manifest/a/b/deux.txt"));
    QVERIFY(!names.contains("kept-manifest/a/b/two.txt"));
    QVERIFY(!names.contains("kept-manifest/one.txt"));
  }

  void anEditThatKeepsTheMtimeIsSeen() {
    // cp -p onto it, rsync --inplace -t, exiftool -P: new bytes in place, the
    // same size, the old mtime put back. Only the ctime tells.
    if (!have("unzip")) QSKIP("unzip is not installed");
    const QString folder = tmp("edited");
    QVERIFY(QDir().mkpath(folder));
    const QString file = folder + "/photo.jpg";
    writeRandomFile(file, 200'000, 21);
    auto s = fx_->share(folder);
    fx_->server.waitForFolderScans();  // the first content's CRC is cached
    const QString url = QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"));
    CurlResult first = runCurl({"-D", tmp("edited-h1"), "-o", tmp("edited1.zip"), url});
    QVERIFY2(first.exitCode == 0, first.err.constData());
    struct stat before {};
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &before), 0);
    QTest::qWait(20);  // a ctime tick the edit cannot share
    {
      QFile f(file);
      QVERIFY(f.open(QIODevice::ReadWrite));  // in place: same inode, same size
      f.write(QByteArray(200'000, 'e'));
    }
    const struct timespec times[2] = {before.st_atim, before.st_mtim};
    QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(file).constData(), times, 0), 0);
    CurlResult second = runCurl({"-D", tmp("edited-h2"), "-o", tmp("edited2.zip"), url});
    QVERIFY2(second.exitCode == 0, second.err.constData());
    ProcessResult t = runProcess("unzip", {"-t", tmp("edited2.zip")}, 30'000);
    QVERIFY2(t.exitCode == 0, t.out.constData());
    auto etagOf = [](const QByteArray& h) {
      for (const QByteArray& line : h.split('\n'))
        if (line.toLower().startsWith("etag:")) return line.mid(5).trimmed();
      return QByteArray();
    };
    QVERIFY(!etagOf(readFileBytes(tmp("edited-h1"))).isEmpty());
    QVERIFY(etagOf(readFileBytes(tmp("edited-h1"))) != etagOf(readFileBytes(tmp("edited-h2"))));
    // The file's own link (inside the folder) has a new ETag too.
    const QString fileUrl = fx_->url(s) + "photo.jpg";
    CurlResult h = runCurl({"-s", "-I", fileUrl});
    QCOMPARE(h.exitCode, 0);
    const QByteArray fileEtag = etagOf(h.out);
    utimensat(AT_FDCWD, QFile::encodeName(file).constData(), times, 0);  // a ctime tick, the mtime kept
    QTest::qWait(20);
    {
      QFile f(file);
      QVERIFY(f.open(QIODevice::ReadWrite));
      f.write(QByteArray(10, 'x'));
    }
    QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(file).constData(), times, 0), 0);
    CurlResult h2 = runCurl({"-s", "-I", fileUrl});
    QVERIFY(fileEtag != etagOf(h2.out));
  }

  void fiveGigabytesNeedZip64() {
    if (!have("bsdtar") || !have("unzip")) QSKIP("bsdtar and unzip are needed");
    const QString folder = tmp("huge");
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeFile(folder + "/first.txt", "small first entry\n"));
    const qint64 size = 5LL << 30;
    {
      QFile f(folder + "/disk.img");  // sparse: reads as zeros, costs no disk
      QVERIFY(f.open(QIODevice::WriteOnly));
      QVERIFY(f.resize(size));
    }
    QVERIFY(writeFile(folder + "/after.txt", "past 4 GiB\n"));
    auto s = fx_->share(folder);
    const QString url = QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"));
    // Streamed through a reader that sees only local headers: sizes and
    // CRCs there must hold, ZIP64 extra included.
    ProcessResult r = shell("curl -sS --noproxy '*' '" + url + "' | bsdtar -xOf - | wc -c", 300'000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed().toLongLong(), size + 18 + 11);
    // A file reader, from the central directory: the zip's middle is the
    // file's zeros, so a sparse copy with the real head and tail is the zip.
    RawResponse head = rawRequest(fx_->port(), getRequest(fx_->port(), QUrl(url).path(QUrl::FullyEncoded).toUtf8() + "?zip"), true);
    const qint64 total = head.header("content-length").toLongLong();
    QVERIFY(total > size);
    CurlResult first = runCurl({"-r", "0-65535", url});
    CurlResult last = runCurl({"-r", QString("%1-").arg(size), url});
    QVERIFY(first.out.size() == 65536 && last.out.size() == total - size);
    {
      QFile f(tmp("huge.zip"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      QVERIFY(f.resize(total));
      f.write(first.out);
      QVERIFY(f.seek(size));
      f.write(last.out);
    }
    ProcessResult t = runProcess("unzip", {"-t", tmp("huge.zip")}, 300'000);
    QVERIFY2(t.exitCode == 0, t.out.constData());
    ProcessResult l = runProcess("unzip", {"-Zv", tmp("huge.zip"), "huge/disk.img"}, 30'000);
    QVERIFY2(l.out.contains("5368709120 bytes"), l.out.constData());
  }

  void seventyThousandEntriesNeedZip64() {
    // In memory where there is a tmpfs: 70,000 files on a busy disk take a
    // minute to make and as long to delete, and the disk is not under test.
    QTemporaryDir shm(QDir("/dev/shm").exists() ? "/dev/shm/ferry-zip-XXXXXX" : fx_->path("many-XXXXXX"));
    QVERIFY(shm.isValid());
    const QString folder = shm.filePath("many");
    const int kFolders = 70, kPer = 1000;  // 70,000 files in 70 folders
    for (int d = 0; d < kFolders; ++d) {
      const QString sub = folder + QString("/d%1").arg(d);
      QVERIFY(QDir().mkpath(sub));
      for (int i = 0; i < kPer; ++i) {
        int fd = ::open(QFile::encodeName(sub + QString("/f%1").arg(i)).constData(), O_CREAT | O_WRONLY, 0644);
        QVERIFY(fd >= 0);
        QVERIFY(::write(fd, "x", 1) == 1);
        ::close(fd);
      }
    }
    auto s = fx_->share(folder);
    CurlResult c = runCurl({"-o", tmp("many.zip"), QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"))}, 120'000);
    QVERIFY2(c.exitCode == 0, c.err.constData());
    ProcessResult r = runProcess("python3",
                                 {"-c",
                                  "import sys, zipfile\n"
                                  "z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n"
                                  "print(len(z.namelist()))\n",
                                  tmp("many.zip")},
                                 120'000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed().toInt(), 1 + kFolders + kFolders * kPer);
    if (have("7z")) {
      ProcessResult t = runProcess("7z", {"t", tmp("many.zip")}, 120'000);
      QVERIFY2(t.out.contains("Everything is Ok"), t.out.constData());
    }
    if (have("unzip")) {
      ProcessResult t = runProcess("unzip", {"-tq", tmp("many.zip")}, 120'000);
      QVERIFY2(t.exitCode == 0, t.out.constData());
    }
  }

  void tooDeepForOneZipSaysSo() {
    QString deep = tmp("deep");
    for (int i = 0; i < 66; ++i) deep += "/d";
    QVERIFY(QDir().mkpath(deep));
    QVERIFY(writeFile(deep + "/bottom.txt", "far down\n"));
    auto s = fx_->share(tmp("deep"));
    CurlResult c = runCurl({"-w", "\n%{http_code}", QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"))});
    QVERIFY2(c.out.endsWith("\n413"), c.out.constData());
    QVERIFY2(c.out.contains("nest more than 64 levels deep"), c.out.constData());
    fx_->server.waitForFolderScans();
    auto summary = fx_->server.folderSummary(s.token);
    QVERIFY(summary);
    QCOMPARE(int(summary->state), int(ferry::FolderSummary::kTooLarge));
  }

  void crcsAreKeptBetweenRuns() {
    QTemporaryDir cache;
    const QString folder = tmp("kept");
    QVERIFY(QDir().mkpath(folder));
    for (int i = 0; i < 5; ++i) writeRandomFile(folder + QString("/%1.bin").arg(i), 50'000, 100 + i);
    {
      ferry::Server first;
      first.setCacheDirectory(QFile::encodeName(cache.path()).toStdString());
      std::string error;
      QVERIFY(first.addShare(QFile::encodeName(folder).toStdString(), &error));
      first.waitForFolderScans();
    }
    QByteArray saved = readFileBytes(cache.filePath("crc32-cache"));
    QCOMPARE(saved.count('\n'), 1 + 5);  // the magic line and one per file
    QVERIFY(saved.startsWith("FERRYCRC2\n"));
    // A new run knows them from the start: its first count already says so.
    ferry::Server second;
    second.setCacheDirectory(QFile::encodeName(cache.path()).toStdString());
    std::string error;
    auto s = second.addShare(QFile::encodeName(folder).toStdString(), &error);
    QVERIFY(s);
    second.waitForFolderScans();
    auto summary = second.folderSummary(s->token);
    QVERIFY(summary && summary->crcsReady);
    QCOMPARE(summary->files, std::size_t(5));
  }
};

QTEST_GUILESS_MAIN(TestZip)
#include "tst_zip.moc"
