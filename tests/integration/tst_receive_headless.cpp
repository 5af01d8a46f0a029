// `ferry --headless --receive DIR`: the contract scripts rely on. The real
// binary, curl as the sender.

#include <QJsonDocument>
#include <QJsonObject>
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

  void askIsAnsweredOnStdin() {
    QTemporaryDir files, inbox;
    FerryProcess f;
    f.extraLines = 1;
    QVERIFY2(f.start({}, {"--receive", inbox.path(), "--ask", "--max-file-size", "1M"}), f.err.constData());
    const QString link = f.urls[0];
    const QString src = files.filePath("a.txt");
    QVERIFY(writeFile(src, "hello"));
    QProcess curl;
    curl.start("curl", {"-sS", "--noproxy", "*", "-A", "curl/8.5.0", "-T", src, link});
    QVERIFY(curl.waitForStarted(10'000));
    const QByteArray asked =
        "ferry: ask 1: curl 8.5 (127.0.0.1) wants to send a.txt (5 B); answer 'accept 1' (these files only), "
        "'always 1' (this device from now on) or 'decline 1'\n";
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains(asked)), 10'000);
    QVERIFY(!QFileInfo::exists(inbox.filePath("a.txt")));
    // Nothing is being received while the user has not answered.
    QTest::qWait(300);
    f.readErr();
    QVERIFY2(!f.err.contains("started receiving"), f.err.constData());
    f.proc.write("yes please\n");
    QVERIFY(f.proc.waitForBytesWritten(5'000));
    QTRY_VERIFY((f.readErr(), f.err.contains("answer an ask with 'accept N', 'always N' or 'decline N'")));
    f.proc.write("accept 1\n");
    QVERIFY(f.proc.waitForBytesWritten(5'000));
    QVERIFY(processEnded(curl, 15'000));
    QCOMPARE(curl.readAllStandardOutput(), QByteArray("Saved as a.txt\n"));
    QTRY_VERIFY((f.readErr(), f.err.contains("ferry: ask 1 accepted\n")));
    QTRY_VERIFY((f.readErr(), f.err.contains("started receiving a.txt")));
    QVERIFY(f.err.indexOf("started receiving a.txt") > f.err.indexOf("ferry: ask 1 accepted\n"));
    // "accept" answered that ask only: the next file from the device is asked about again...
    QProcess again;
    again.start("curl", {"-sS", "--noproxy", "*", "-A", "curl/8.5.0", "-T", src, link + "b.txt"});
    QVERIFY(again.waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT((f.readErr(), f.err.contains("ferry: ask 2: curl 8.5 (127.0.0.1) wants to send b.txt")),
                             10'000);
    // ...and "always" lets the device's later files in without asking.
    f.proc.write("always 2\n");
    QVERIFY(f.proc.waitForBytesWritten(5'000));
    QVERIFY(processEnded(again, 15'000));
    QCOMPARE(again.readAllStandardOutput(), QByteArray("Saved as b.txt\n"));
    CurlResult third = runCurl({"-A", "curl/8.5.0", "-T", src, link + "c.txt"});
    QCOMPARE(third.out, QByteArray("Saved as c.txt\n"));
    QVERIFY(!f.err.contains("ask 3"));
    // The cap: refused at once, in words.
    const QString big = files.filePath("big.bin");
    writeRandomFile(big, 1'000'001, 3);
    CurlResult c = runCurl({"-T", big, link});
    QCOMPARE(c.out, QByteArray("This computer accepts files up to 1 MB: this one is larger.\n"));
    QCOMPARE(f.terminate(), 0);
  }

  void askIsAJsonLineWithJson() {
    // Scripts reading --json get the ask and its answer as objects too.
    QTemporaryDir files, inbox;
    FerryProcess f;
    f.extraLines = 1;
    QVERIFY2(f.start({}, {"--json", "--receive", inbox.path(), "--ask"}), f.err.constData());
    const QString src = files.filePath("b.txt");
    QVERIFY(writeFile(src, "hello"));
    QProcess curl;
    curl.start("curl", {"-sS", "--noproxy", "*", "-A", "curl/8.5.0", "-T", src, f.urls[0]});
    QVERIFY(curl.waitForStarted(10'000));
    auto askLine = [&](const QString& state) {
      f.readErr();
      for (const QByteArray& line : f.err.split('\n')) {
        QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value("event") == "ask" && o.value("state") == state) return o;
      }
      return QJsonObject();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!askLine("open").isEmpty(), 10'000);
    const QJsonObject open = askLine("open");
    QCOMPARE(open.value("id").toInt(), 1);
    QCOMPARE(open.value("client").toString(), QString("curl 8.5"));
    QCOMPARE(open.value("address").toString(), QString("127.0.0.1"));
    QCOMPARE(open.value("name").toString(), QString("b.txt"));
    QCOMPARE(open.value("size").toInt(), 5);
    f.proc.write("decline 1\n");
    QVERIFY(f.proc.waitForBytesWritten(5'000));
    QVERIFY(processEnded(curl, 15'000));
    QCOMPARE(curl.readAllStandardOutput(), QByteArray("This computer declined the files.\n"));
    QTRY_VERIFY(!askLine("declined").isEmpty());
    QVERIFY(!QFileInfo::exists(inbox.filePath("b.txt")));
    // Every line of the log is JSON.
    for (const QByteArray& line : f.err.split('\n'))
      if (!line.isEmpty()) QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
    QCOMPARE(f.terminate(), 0);
  }

  void aDroppedAskIsWithdrawnAndCancelEndsAnUpload() {
    // A curl that gives up while it is asked about takes its ask with it;
    // `cancel ID` on stdin ends an upload under way, and nothing is kept.
    QTemporaryDir files, inbox;
    FerryProcess f;
    f.extraLines = 1;
    QVERIFY2(f.start({}, {"--json", "--receive", inbox.path(), "--ask"}), f.err.constData());
    auto event = [&](const QString& name, const QString& key, const QString& value) {
      f.readErr();
      for (const QByteArray& line : f.err.split('\n')) {
        QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value("event") == name && o.value(key) == value) return o;
      }
      return QJsonObject();
    };
    const QString small = files.filePath("gone.txt");
    QVERIFY(writeFile(small, "hello"));
    QProcess gone;
    gone.start("curl", {"-sS", "--noproxy", "*", "--expect100-timeout", "60", "-H", "Expect: 100-continue", "-T",
                        small, f.urls[0]});
    QVERIFY(gone.waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(!event("ask", "state", "open").isEmpty(), 10'000);
    gone.kill();
    QVERIFY(processEnded(gone, 10'000));
    QTRY_VERIFY_WITH_TIMEOUT(!event("ask", "state", "withdrawn").isEmpty(), 10'000);
    QCOMPARE(event("ask", "state", "withdrawn").value("id").toInt(), 1);

    const QString big = files.filePath("big.bin");
    writeRandomFile(big, 20 * 1024 * 1024, 6);
    QProcess curl;
    curl.start("curl", {"-sS", "--noproxy", "*", "--limit-rate", "1M", "-T", big, f.urls[0]});
    QVERIFY(curl.waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(!event("ask", "name", "big.bin").isEmpty(), 10'000);
    f.proc.write("accept " + QByteArray::number(event("ask", "name", "big.bin").value("id").toInt()) + "\n");
    QVERIFY(f.proc.waitForBytesWritten(5'000));
    QTRY_VERIFY_WITH_TIMEOUT(!event("transfer-started", "name", "big.bin").isEmpty(), 10'000);
    const int id = event("transfer-started", "name", "big.bin").value("id").toInt();
    QTRY_VERIFY_WITH_TIMEOUT(QDir(inbox.path()).entryList(QDir::Files | QDir::Hidden).size() == 1, 10'000);
    f.proc.write("cancel " + QByteArray::number(id) + "\n");
    QVERIFY(f.proc.waitForBytesWritten(5'000));
    QTRY_VERIFY_WITH_TIMEOUT(!event("transfer-ended", "name", "big.bin").isEmpty(), 10'000);
    const QJsonObject ended = event("transfer-ended", "name", "big.bin");
    QCOMPARE(ended.value("id").toInt(), id);
    QCOMPARE(ended.value("outcome").toString(), QString("cancelled"));
    QCOMPARE(ended.value("reason").toString(), QString("cancelled by the user"));
    QVERIFY(processEnded(curl, 10'000));
    QVERIFY(curl.exitCode() != 0);
    QTRY_COMPARE(QDir(inbox.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    QCOMPARE(f.terminate(), 0);
  }

  void badReceiveOptionsAreExit2() {
    QTemporaryDir inbox;
    ProcessResult r = runProcess(
        ferryBinary(), {"--headless", "--port", "0", "--receive", inbox.path(), "--max-file-size", "lots"}, 15'000);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--max-file-size needs a size in bytes, like 700M or 2G, not 'lots'"), r.err.constData());
    r = runProcess(ferryBinary(), {"--headless", "--port", "0", "--ask", inbox.path()}, 15'000);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--ask is about receiving files: add --receive DIR"), r.err.constData());
    QVERIFY(r.out.isEmpty());
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
