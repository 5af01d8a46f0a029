// A shared file that something else replaces while it is shared: by a FIFO
// (whose open would block for ever), by a symlink to a file nobody shared
// (someone who can write in that folder fishing for ~/.ssh), or by a new
// regular file (an editor's atomic save). Ferry serves what the user chose
// and nothing else, and never stops answering.

#include <QFileInfo>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;

class TestReplacedFiles : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;

  bool startServer() {
    fx_ = std::make_unique<ServerFixture>();
    return fx_->start(currentPoller());
  }
  QByteArray status(const ferry::Share& s, const QString& outFile = "/dev/null") {
    return runCurl({"-o", outFile, "-w", "%{http_code}", "--max-time", "10", fx_->url(s)}).out;
  }

 private slots:
  void initTestCase_data() { addPollerRows(); }
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
  }
  void cleanup() { fx_.reset(); }

  void fifoInPlaceOfTheFile() {
    QVERIFY(startServer());
    QString path = fx_->path("song.mp3");
    QVERIFY(writeFile(path, "la la la\n"));
    QString otherPath = fx_->path("other.txt");
    QVERIFY(writeFile(otherPath, "still here\n"));
    auto s = fx_->share(path);
    auto other = fx_->share(otherPath);
    QVERIFY(QFile::remove(path));
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    // Nobody writes to the FIFO: an open that waited for a writer would
    // hang the server. It is not a regular file, so it is not served.
    QCOMPARE(status(s), QByteArray("404"));
    CurlResult c = runCurl({"--max-time", "10", fx_->url(other)});
    QCOMPARE(c.out, QByteArray("still here\n"));
    QElapsedTimer t;
    t.start();
    fx_.reset();  // stops: joins the loop thread and the pool
    QVERIFY2(t.elapsed() < 5'000, "stopping waited for the FIFO");
  }

  void symlinkInPlaceOfTheFile() {
    QVERIFY(startServer());
    QString path = fx_->path("notes.txt");
    QVERIFY(writeFile(path, "my notes\n"));
    QString secret = fx_->path("id_ed25519");
    QVERIFY(writeFile(secret, "PRIVATE KEY\n"));
    auto s = fx_->share(path);
    QVERIFY(QFile::remove(path));
    QVERIFY(QFile::link(secret, path));
    QCOMPARE(status(s, fx_->path("got")), QByteArray("404"));
    QVERIFY(!readFileBytes(fx_->path("got")).contains("PRIVATE"));
    // The transfer list says why.
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(s).empty(), 5'000);
    QCOMPARE(QString::fromStdString(fx_->transfersOf(s).back().reason),
             QString("the file is no longer a regular file"));
  }

  void atomicSaveKeepsServing() {
    QVERIFY(startServer());
    QString path = fx_->path("draft.txt");
    QVERIFY(writeFile(path, "first version\n"));
    auto s = fx_->share(path);
    CurlResult first = runCurl({"-D", "-", "-o", fx_->path("v1"), fx_->url(s)});
    QCOMPARE(readFileBytes(fx_->path("v1")), QByteArray("first version\n"));
    // An editor saves by writing a new file and renaming it over the old.
    QString tmp = fx_->path(".draft.txt.swp");
    QVERIFY(writeFile(tmp, "second, longer version\n"));
    QCOMPARE(::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()), 0);
    CurlResult second = runCurl({"-D", "-", "-o", fx_->path("v2"), fx_->url(s)});
    QCOMPARE(readFileBytes(fx_->path("v2")), QByteArray("second, longer version\n"));
    auto etag = [](const QByteArray& head) { return parseHeaderBlock(head).value("etag"); };
    QVERIFY(!etag(first.out).isEmpty());
    QVERIFY(etag(first.out) != etag(second.out));
  }

  void sharedSymlinkIsResolvedOnce() {
    QVERIFY(startServer());
    QString target = fx_->path("real.txt");
    QVERIFY(writeFile(target, "the real file\n"));
    QString link = fx_->path("shortcut.txt");
    QVERIFY(QFile::link(target, link));
    // Sharing a symlink shares the file it names now, under the link's name.
    auto s = fx_->share(link);
    QCOMPARE(QString::fromStdString(s.name), QString("shortcut.txt"));
    QCOMPARE(QString::fromStdString(s.path), QFileInfo(target).canonicalFilePath());
    CurlResult c = runCurl({fx_->url(s)});
    QCOMPARE(c.out, QByteArray("the real file\n"));
    // Pointing the link elsewhere later changes nothing.
    QString elsewhere = fx_->path("elsewhere.txt");
    QVERIFY(writeFile(elsewhere, "not shared\n"));
    QVERIFY(QFile::remove(link));
    QVERIFY(QFile::link(elsewhere, link));
    QCOMPARE(runCurl({fx_->url(s)}).out, QByteArray("the real file\n"));
  }
};

QTEST_GUILESS_MAIN(TestReplacedFiles)
#include "tst_replaced_files.moc"
