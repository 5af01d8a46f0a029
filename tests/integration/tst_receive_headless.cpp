// `ferry --headless --receive DIR`: the contract scripts rely on. The real
// binary, curl as the sender.

#include <QTest>

#include "testutil/http_client.h"

using namespace ferry::test;

class TestReceiveHeadless : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set");
    if (!haveCurl()) QSKIP("curl is not installed");
  }

  void receiveLinkIsTheLastLine() {
    QTemporaryDir files, inbox;
    const QString shared = files.filePath("notes.txt");
    QVERIFY(writeFile(shared, "notes\n"));
    FerryProcess f;
    f.extraLines = 1;
    QVERIFY2(f.start({shared}, {"--receive", inbox.path()}), f.err.constData());
    QCOMPARE(f.urls.size(), 2);
    QVERIFY(f.urls[0].endsWith("/notes.txt"));
    const QString link = f.urls[1];
    QVERIFY2(link.startsWith("http://127.0.0.1:") && link.endsWith('/'), qPrintable(link));
    QVERIFY(QUrl(link).path().section('/', 1, 1) != QUrl(f.urls[0]).path().section('/', 1, 1));  // its own token

    const QString src = files.filePath("server.log");
    const QByteArray sum = writeRandomFile(src, 1024 * 1024, 5);
    CurlResult c = runCurl({"-T", src, link});
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(c.out, QByteArray("Saved as server.log\n"));
    QCOMPARE(sha256File(inbox.filePath("server.log")), sum);
    // Both directions are logged on stderr.
    runCurl({"-o", "/dev/null", f.urls[0]});
    QTRY_VERIFY([&] {
      f.readErr();
      return f.err.contains("started receiving server.log") && f.err.contains("done receiving server.log") &&
             f.err.contains("saved as server.log") && f.err.contains("done notes.txt");
    }());
    QCOMPARE(f.terminate(), 0);
  }

  void receiveAlone() {
    QTemporaryDir inbox;
    FerryProcess f;
    f.extraLines = 1;
    QVERIFY2(f.start({}, {"--receive", inbox.path()}), f.err.constData());
    QCOMPARE(f.urls.size(), 1);
    QVERIFY(f.urls[0].endsWith('/'));
  }

  void badFolderIsExit2NamingIt_data() {
    QTest::addColumn<QString>("what");
    QTest::newRow("missing") << "missing";
    QTest::newRow("a file") << "file";
  }
  void badFolderIsExit2NamingIt() {
    QFETCH(QString, what);
    QTemporaryDir tmp;
    QString dir = tmp.filePath("no such folder");
    if (what == "file") {
      dir = tmp.filePath("a file");
      QVERIFY(writeFile(dir, "x"));
    }
    ProcessResult r = runProcess(ferryBinary(), {"--headless", "--bind", "127.0.0.1", "--port", "0", "--receive", dir},
                                 15'000);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QFile::encodeName(dir)), r.err.constData());
    QVERIFY(r.out.isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestReceiveHeadless)
#include "tst_receive_headless.moc"
