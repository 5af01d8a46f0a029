// A folder swapped after it was chosen: a shared folder, a shared file's
// folder or the receive folder renamed away and replaced by a symlink to
// somewhere private (or by another folder) must serve and store nothing
// there. A file's download may still come from the folder that was shared
// (wherever it went) for up to a second, as the server checks a shared
// folder by its path once a second (PinnedFolders), then stops; nothing
// from what took its place is ever served. Real sockets, curl. Runs twice:
// with openat2 and, as swapped_folders_walk (FERRY_OPENAT2=0), through the
// walk that systems without it use.

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTest>

#include "testutil/http_client.h"

using namespace ferry::test;

class TestSwappedFolders : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;
  QString private_;  // what must never be served nor written into

  struct Answer {
    int status = 0;
    QByteArray body;
  };
  Answer get(const QString& url) {
    CurlResult c = runCurl({"--path-as-is", "-s", "-w", "\n%{http_code}", url});
    const int nl = c.out.lastIndexOf('\n');
    return {c.out.mid(nl + 1).toInt(), c.out.left(nl)};
  }
  // Renames `path` away and puts `replacement` (a symlink to it, or a
  // folder moved there) in its place.
  static bool swapForLink(const QString& path, const QString& target) {
    return QDir().rename(path, path + ".real") && QFile::link(target, path);
  }
  static bool restore(const QString& path) { return QFile::remove(path) && QDir().rename(path + ".real", path); }
  // Asks for `url` until it answers 404, for at most `ms`: meanwhile only
  // `shared` (the bytes of the folder that was shared) may come back,
  // never anything private. The time it took, or -1 (with the reason in
  // `why`) when something else came or it was still served.
  qint64 msUntilGone(const QString& url, const QByteArray& shared, QString& why, int ms = 3000) {
    QElapsedTimer took;
    took.start();
    QDeadlineTimer deadline(ms);
    for (;;) {
      const Answer a = get(url);
      if (a.body.contains("PRIVATE") || a.body.contains("id_ed25519")) {
        why = url + " served what took the folder's place";
        return -1;
      }
      if (a.status == 404) return took.elapsed();
      if (a.status != 200 || a.body != shared) {
        why = url + " answered " + QString::number(a.status) + ": " + QString::fromUtf8(a.body.left(80));
        return -1;
      }
      if (deadline.hasExpired()) {
        why = url + " was still served after " + QString::number(took.elapsed()) + " ms";
        return -1;
      }
    }
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
  }

  void init() {
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start({}));
    private_ = fx_->path("private");
    QVERIFY(QDir().mkpath(private_));
    QVERIFY(writeFile(private_ + "/id_ed25519", "PRIVATE KEY"));
    QVERIFY(writeFile(private_ + "/notes.txt", "PRIVATE NOTES"));
  }
  void cleanup() { fx_.reset(); }

  void sharedFolderSwappedForALink() {
    const QString pub = fx_->path("pub");
    QVERIFY(QDir().mkpath(pub));
    QVERIFY(writeFile(pub + "/notes.txt", "public notes"));
    const ferry::Share share = fx_->share(pub);
    QVERIFY(share.folder);
    const QString base = fx_->url(share);
    QCOMPARE(get(base + "notes.txt").body, QByteArray("public notes"));

    QVERIFY(swapForLink(pub, private_));
    QString why;
    QVERIFY2(msUntilGone(base + "notes.txt", "public notes", why) >= 0, qPrintable(why));
    for (const QString& url : {base, base + "notes.txt", base + "id_ed25519", base + "?zip"}) {
      Answer a = get(url);
      QVERIFY2(a.status == 404, qPrintable(url + " answered " + QString::number(a.status)));
      QVERIFY2(!a.body.contains("PRIVATE") && !a.body.contains("id_ed25519"), qPrintable(url));
    }
    // Back in its place, the same folder is served again.
    QVERIFY(restore(pub));
    QCOMPARE(get(base + "notes.txt").body, QByteArray("public notes"));
  }

  void sharedFolderSwappedForAnotherFolder() {
    const QString pub = fx_->path("pub2");
    QVERIFY(QDir().mkpath(pub));
    QVERIFY(writeFile(pub + "/notes.txt", "public notes"));
    const ferry::Share share = fx_->share(pub);
    const QString base = fx_->url(share);
    QCOMPARE(get(base + "notes.txt").status, 200);
    // No link anywhere, but not the folder that was shared.
    QVERIFY(QDir().rename(pub, pub + ".real"));
    QVERIFY(QDir().rename(private_, pub));
    QString why;
    QVERIFY2(msUntilGone(base + "notes.txt", "public notes", why) >= 0, qPrintable(why));
    QCOMPARE(get(base + "notes.txt").status, 404);
    QCOMPARE(get(base).status, 404);
    QCOMPARE(get(base + "?zip").status, 404);
  }

  void sharedFilesFolderSwappedForALink() {
    const QString docs = fx_->path("docs");
    QVERIFY(QDir().mkpath(docs));
    QVERIFY(writeFile(docs + "/notes.txt", "public notes"));
    const ferry::Share share = fx_->share(docs + "/notes.txt");
    QVERIFY(!share.folder);
    const QString link = fx_->url(share);
    QCOMPARE(get(link).body, QByteArray("public notes"));

    QVERIFY(swapForLink(docs, private_));
    QString why;
    QVERIFY2(msUntilGone(link, "public notes", why) >= 0, qPrintable(why));
    Answer a = get(link);
    QCOMPARE(a.status, 404);
    QVERIFY(!a.body.contains("PRIVATE"));
    QVERIFY(restore(docs));
    QCOMPARE(get(link).body, QByteArray("public notes"));
    // An editor's atomic save (a new file under the name) is still served.
    QVERIFY(writeFile(docs + "/notes.txt.tmp", "saved again"));
    QVERIFY(QDir().rename(docs + "/notes.txt.tmp", docs + "/notes.txt") || (QFile::remove(docs + "/notes.txt") &&
                                                                             QDir().rename(docs + "/notes.txt.tmp", docs + "/notes.txt")));
    QCOMPARE(get(link).body, QByteArray("saved again"));
  }

  void aFolderSwappedWhileServedStopsWithinASecond() {
    // Downloads going on all along, of a shared file and of a file in a
    // shared folder, with a third share in a folder left alone.
    const QString docs = fx_->path("hot-docs"), pub = fx_->path("hot-pub"), other = fx_->path("other");
    for (const QString& d : {docs, pub, other}) QVERIFY(QDir().mkpath(d));
    QVERIFY(writeFile(docs + "/notes.txt", "file share"));
    QVERIFY(writeFile(pub + "/notes.txt", "folder share"));
    QVERIFY(writeFile(other + "/notes.txt", "left alone"));
    const QString fileLink = fx_->url(fx_->share(docs + "/notes.txt"));
    const QString folderLink = fx_->url(fx_->share(pub)) + "notes.txt";
    const QString otherLink = fx_->url(fx_->share(other + "/notes.txt"));
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(get(fileLink).body, QByteArray("file share"));
      QCOMPARE(get(folderLink).body, QByteArray("folder share"));
    }
    QVERIFY(swapForLink(docs, private_));
    QVERIFY(QDir().rename(pub, pub + ".real"));
    QVERIFY(QFile::link(private_, pub));
    QString why;
    const qint64 fileGone = msUntilGone(fileLink, "file share", why);
    QVERIFY2(fileGone >= 0, qPrintable(why));
    const qint64 folderGone = msUntilGone(folderLink, "folder share", why);
    QVERIFY2(folderGone >= 0, qPrintable(why));
    // Checked again once a second: gone within about that (curl's own time
    // on a loaded machine on top).
    qInfo("served no more after %lld ms (a shared file's folder) and %lld ms more (a shared folder)", fileGone,
          folderGone);
    QVERIFY2(fileGone < 2500 && fileGone + folderGone < 5000,
             qPrintable(QString("gone after %1 ms and %2 ms").arg(fileGone).arg(folderGone)));
    QCOMPARE(get(otherLink).body, QByteArray("left alone"));
    // Put back, both are served at once.
    QVERIFY(restore(docs));
    QVERIFY(restore(pub));
    QCOMPARE(get(fileLink).body, QByteArray("file share"));
    QCOMPARE(get(folderLink).body, QByteArray("folder share"));
  }

  void moreFoldersThanTheServerKeepsOpenEachServeTheirOwn() {
    // Twice as many folders as PinnedFolders keeps, each with a file of the
    // same name: every link, asked in turn twice over, gets its own.
    QStringList links;
    QByteArray expected;
    for (int i = 0; i < 64; ++i) {
      const QString dir = fx_->path(QString("many/%1").arg(i));
      QVERIFY(QDir().mkpath(dir));
      QVERIFY(writeFile(dir + "/same.txt", QByteArray::number(i)));
      links << fx_->url(fx_->share(dir + "/same.txt"));
      expected += QByteArray::number(i) + "\n";
    }
    for (int round = 0; round < 2; ++round) {
      QStringList args{"-s", "-w", "\n"};
      args += links;
      QCOMPARE(runCurl(args).out, expected);
    }
  }

  void aFolderNoLongerAskedForIsNotHeldOpen() {
    // The server's descriptor of a shared file's folder goes within about a
    // second of the last request (a disk must be unmountable once its
    // downloads are over).
    if (!QDir("/proc/self/fd").exists()) QSKIP("no /proc/self/fd to count descriptors in");
    const QString dir = fx_->path("usb");
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(writeFile(dir + "/notes.txt", "on a stick"));
    const QString link = fx_->url(fx_->share(dir + "/notes.txt"));
    QCOMPARE(get(link).body, QByteArray("on a stick"));
    const QString canonical = QFileInfo(dir).canonicalFilePath();
    auto heldOpen = [&] {
      int n = 0;
      for (const QFileInfo& fd : QDir("/proc/self/fd").entryInfoList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot))
        if (fd.symLinkTarget() == canonical) ++n;
      return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(heldOpen(), 0, 3000);
  }

  void receiveFolderSwappedForALink() {
    const QString inbox = fx_->path("inbox");
    QVERIFY(QDir().mkpath(inbox));
    std::string error;
    QVERIFY2(fx_->server.setReceiveFolder(QFile::encodeName(inbox).toStdString(), &error), error.c_str());
    const QString link = QString::fromStdString(fx_->server.receiveLink("127.0.0.1"));
    const QString src = fx_->path("upload.txt");
    QVERIFY(writeFile(src, "uploaded"));
    auto put = [&](const QString& name) {
      CurlResult c = runCurl({"-s", "-T", src, "-w", "\n%{http_code}", link + name});
      return c.out.mid(c.out.lastIndexOf('\n') + 1).toInt();
    };
    QCOMPARE(put("first.txt"), 201);
    QCOMPARE(readFileBytes(inbox + "/first.txt"), QByteArray("uploaded"));

    QVERIFY(swapForLink(inbox, private_));
    const int status = put("second.txt");
    QVERIFY2(status >= 400, qPrintable(QString::number(status)));
    // Nothing landed in the link's target, not even a part file.
    QCOMPARE(QDir(private_).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name),
             (QStringList{"id_ed25519", "notes.txt"}));
    QVERIFY(restore(inbox));
    QCOMPARE(put("third.txt"), 201);
    QCOMPARE(readFileBytes(inbox + "/third.txt"), QByteArray("uploaded"));
  }
};

QTEST_GUILESS_MAIN(TestSwappedFolders)
#include "tst_swapped_folders.moc"
