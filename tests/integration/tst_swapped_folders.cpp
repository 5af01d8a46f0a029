// A folder swapped after it was chosen: a shared folder, a shared file's
// folder or the receive folder renamed away and replaced by a symlink to
// somewhere private (or by another folder) must serve and store nothing
// there. Real sockets, curl. Runs twice: with openat2 and, as
// swapped_folders_walk (FERRY_OPENAT2=0), through the walk that systems
// without it use.

#include <QDir>
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
