// Receiving files with curl -T, over real sockets: what lands in the folder,
// under which name, and what never does (hostile names, planted symlinks, a
// full disk, a foreign page's request, an upload the user cancels).

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <sys/stat.h>

#include "testutil/http_client.h"
#include "testutil/small_tmpfs.h"
#include "upload_names.h"

using namespace ferry::test;

class TestReceiveCurl : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  std::unique_ptr<ServerFixture> fx_;
  std::unique_ptr<QTemporaryDir> inbox_;
  QString link_;

  QString inbox(const QString& name = {}) const { return name.isEmpty() ? inbox_->path() : inbox_->filePath(name); }
  // What is in the receive folder, hidden files (part files) included.
  QStringList entries() const {
    return QDir(inbox()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
  }
  CurlResult put(const QString& file, const QString& url, const QStringList& extra = {}) {
    QStringList args = {"--path-as-is", "-T", file, "-w", "\n%{http_code}"};
    args += extra;
    args << url;
    return runCurl(args);
  }
  static int status(const CurlResult& c) { return c.out.mid(c.out.lastIndexOf('\n') + 1).toInt(); }
  static QByteArray text(const CurlResult& c) { return c.out.left(c.out.lastIndexOf('\n')); }

  // The one upload under way, once `bytes` of it have arrived and its part
  // file is in the folder.
  std::optional<ferry::TransferInfo> activeUpload(std::uint64_t bytes) {
    for (int i = 0; i < 750; ++i, QTest::qWait(20)) {
      // The part file (a page upload's resume record may lie beside it).
      const QStringList in = entries().filter(QRegularExpression("\\.ferry-part$"));
      if (in.size() != 1) continue;
      for (const auto& t : fx_->server.snapshot()->transfers)
        if (t.direction == ferry::TransferDirection::kUpload && t.state == ferry::TransferState::kActive &&
            t.bytesSent >= bytes)
          return t;
    }
    return std::nullopt;
  }
  // Cancels it as the window and `cancel ID` do: it ends cancelled by the user.
  void cancelAndCheck(QProcess& curl, const ferry::TransferInfo& up) {
    fx_->server.cancelTransfer(up.id);
    QVERIFY(processEnded(curl, 10'000));
    // Cut off without an answer: curl says so and fails.
    QVERIFY2(curl.exitCode() != 0, curl.readAllStandardOutput().constData());
    QVERIFY(!curl.readAllStandardOutput().contains("201"));
    auto ended = fx_->waitEnded(up.id);
    QVERIFY(ended);
    QCOMPARE(int(ended->state), int(ferry::TransferState::kCancelled));
    QCOMPARE(QString::fromStdString(ended->reason), QString("cancelled by the user"));
    QVERIFY(ended->bytesSent < ended->bytesTotal);
    QTRY_COMPARE(entries(), QStringList());  // its part file is removed
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY(files_.isValid());
  }

  void init() {
    inbox_ = std::make_unique<QTemporaryDir>();
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start(""));
    std::string error;
    auto folder = fx_->server.setReceiveFolder(QFile::encodeName(inbox()).toStdString(), &error);
    QVERIFY2(folder, error.c_str());
    link_ = QString::fromStdString(fx_->server.receiveLink("127.0.0.1"));
    QVERIFY(link_.endsWith('/'));
  }
  void cleanup() {
    fx_.reset();
    inbox_.reset();
  }

  void putWithLengthStoresTheFile() {
    const QString src = files_.filePath("holiday photo.jpg");
    const QByteArray sum = writeRandomFile(src, 5 * 1024 * 1024 + 17, 7);
    CurlResult c = put(src, link_);
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(status(c), 201);
    QCOMPARE(text(c), QByteArray("Saved as holiday photo.jpg\n"));
    QCOMPARE(sha256File(inbox("holiday photo.jpg")), sum);
    QCOMPARE(entries(), QStringList{"holiday photo.jpg"});  // no part file left
    // The window's row: an upload, done, every byte counted.
    QTRY_VERIFY([&] {
      for (const auto& t : fx_->server.snapshot()->transfers)
        if (t.direction == ferry::TransferDirection::kUpload && t.state == ferry::TransferState::kDone &&
            t.bytesSent == 5u * 1024 * 1024 + 17 && t.fileName() == "holiday photo.jpg")
          return true;
      return false;
    }());
  }

  void putChunkedStoresTheFile() {
    const QString src = files_.filePath("server.log");
    const QByteArray sum = writeRandomFile(src, 3 * 1024 * 1024 + 5, 8);
    // What `curl -T -` sends: no length, chunked framing.
    CurlResult c = runCurl({"-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + src, "-w",
                            "\n%{http_code}", link_ + "server.log"});
    QCOMPARE(status(c), 201);
    QCOMPARE(sha256File(inbox("server.log")), sum);
    QCOMPARE(entries(), QStringList{"server.log"});
  }

  void emptyFileIsStored() {
    const QString src = files_.filePath("empty.txt");
    QVERIFY(writeFile(src, {}));
    CurlResult c = put(src, link_);
    QCOMPARE(status(c), 201);
    QVERIFY(QFileInfo(inbox("empty.txt")).isFile());
    QCOMPARE(QFileInfo(inbox("empty.txt")).size(), 0);
  }

  void expectContinueIsAnswered() {
    const QString src = files_.filePath("big.bin");
    const QByteArray sum = writeRandomFile(src, 2 * 1024 * 1024, 9);
    CurlResult c = put(src, link_, {"-v", "-H", "Expect: 100-continue"});
    QCOMPARE(status(c), 201);
    QVERIFY2(c.err.contains("< HTTP/1.1 100 Continue"), c.err.constData());
    QCOMPARE(sha256File(inbox("big.bin")), sum);
  }

  void takenNamesGetANumber() {
    const QString src = files_.filePath("report.txt");
    QVERIFY(writeFile(src, "new\n"));
    QVERIFY(writeFile(inbox("report.txt"), "mine, keep me\n"));
    QCOMPARE(text(put(src, link_)), QByteArray("Saved as report (1).txt\n"));
    QCOMPARE(text(put(src, link_)), QByteArray("Saved as report (2).txt\n"));
    QCOMPARE(readFileBytes(inbox("report.txt")), QByteArray("mine, keep me\n"));
    QCOMPARE(readFileBytes(inbox("report (2).txt")), QByteArray("new\n"));
    const QString dot = files_.filePath(".bashrc");
    QVERIFY(writeFile(dot, "x"));
    QCOMPARE(text(put(dot, link_)), QByteArray("Saved as .bashrc\n"));
    QCOMPARE(text(put(dot, link_)), QByteArray("Saved as .bashrc (1)\n"));
  }

  void takenLongNamesGetANumberThatFits() {
    // 252 to 255 bytes is a legal name; "name (1).ext" must still fit 255,
    // the stem cut where a character starts (é is two bytes).
    QByteArray longest = "x";
    for (int i = 0; i < 125; ++i) longest += "\xC3\xA9";
    longest += ".jpg";
    QCOMPARE(longest.size(), 255);
    const QString src = files_.filePath("long.jpg");
    QVERIFY(writeFile(src, "photo"));
    const QString url = link_ + QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(longest)));
    QCOMPARE(status(put(src, url)), 201);
    for (int n = 1; n <= 2; ++n) {
      CurlResult c = put(src, url);
      QCOMPARE(status(c), 201);
      const QByteArray saved = text(c).mid(strlen("Saved as ")).chopped(1);
      QVERIFY2(saved.size() <= 255, saved.constData());
      QVERIFY2(saved.endsWith(" (" + QByteArray::number(n) + ").jpg"), saved.constData());
      QVERIFY2(QString::fromUtf8(saved).toUtf8() == saved, "cut inside a character");
      QCOMPARE(readFileBytes(inbox(QString::fromUtf8(saved))), QByteArray("photo"));
    }
    QCOMPARE(entries().size(), 3);
  }

  void racingUploadsOfOneNameBothLand() {
    // Eight curls at once, one name: eight files, none replaced.
    QList<QByteArray> sums;
    std::vector<std::unique_ptr<QProcess>> procs;
    for (int i = 0; i < 8; ++i) {
      QDir().mkpath(files_.filePath(QString("race%1").arg(i)));
      const QString src = files_.filePath(QString("race%1/same.bin").arg(i));
      sums << writeRandomFile(src, 1024 * 1024, 100 + i);
      auto p = std::make_unique<QProcess>();
      p->start("curl", {"-sS", "--noproxy", "*", "-T", src, link_});
      procs.push_back(std::move(p));
    }
    for (auto& p : procs) QVERIFY(processEnded(*p, 30'000));
    QStringList got = entries();
    QCOMPARE(got.size(), 8);
    QList<QByteArray> stored;
    for (const QString& n : got) stored << sha256File(inbox(n));
    std::sort(sums.begin(), sums.end());
    std::sort(stored.begin(), stored.end());
    QCOMPARE(stored, sums);
    QVERIFY(got.contains("same.bin") && got.contains("same (7).bin"));
  }

  void hostileNamesAreRefused_data() {
    QTest::addColumn<QString>("name");
    for (const char* n : {"..", ".", "%2e", "%2e%2e", "..%2Fescape.txt", "a%5Cb.txt", "%00x", "tab%09name", "C%3A",
                          "C%3A%5Cwin.ini", "CON", "con.txt", "NUL.tar.gz", "COM1", "lpt9.log", "trailing.", "space%20",
                          "bad%FFutf8", "%C0%AFoverlong", "%0Anewline", ".x.ferry-part", "csi%C2%9B31m.txt",
                          "invoice%E2%80%AEfdp.exe", "isolate%E2%81%A6x.txt", "mark%E2%80%8F.txt", "CONIN$",
                          "conout$.txt"})
      QTest::newRow(n) << QString(n);
    QTest::newRow("256 bytes") << QString(256, 'n');
    QTest::newRow("nested") << QString("sub/dir.txt");
  }
  void hostileNamesAreRefused() {
    QFETCH(QString, name);
    // Raw, as written: curl would resolve "." and ".." itself.
    RawClient c(fx_->port());
    QVERIFY(c.send("PUT " + QUrl(link_).path().toUtf8() + name.toUtf8() + " HTTP/1.1\r\n" +
                   hostHeader(fx_->port()) + "Content-Length: 8\r\n\r\npayload\n"));
    QByteArray buf;
    RawResponse r = readResponse(c, buf);
    QVERIFY2(r.status == 400, r.body.constData());
    QVERIFY(r.body.size() > 10);  // a sentence, not just a code
    QCOMPARE(entries(), QStringList());
    QVERIFY(!QFileInfo::exists(QFileInfo(inbox()).dir().filePath("escape.txt")));
  }

  void nameRulesAreUnitSized() {
    // 255 bytes is the most a name may have; the part file still fits.
    QString longest(251, 'a');
    longest += ".txt";
    QVERIFY(ferry::whyBadUploadName(longest.toStdString()).empty());
    QVERIFY(ferry::partFileName(longest.toStdString(), 12).size() <= 255);
    QCOMPARE(QString::fromStdString(ferry::numberedName("a.tar.gz", 2)), QString("a.tar (2).gz"));
    QCOMPARE(QString::fromStdString(ferry::numberedName("README", 1)), QString("README (1)"));
  }

  void symlinkAtTheFinalNameIsNotFollowed() {
    QTemporaryDir outside;
    const QString target = outside.filePath("precious.txt");
    QVERIFY(writeFile(target, "precious\n"));
    QVERIFY(QFile::link(target, inbox("x.txt")));
    const QString src = files_.filePath("x.txt");
    QVERIFY(writeFile(src, "attacker\n"));
    QCOMPARE(text(put(src, link_)), QByteArray("Saved as x (1).txt\n"));
    QCOMPARE(readFileBytes(target), QByteArray("precious\n"));
    QCOMPARE(QFileInfo(inbox("x.txt")).symLinkTarget(), target);
    QCOMPARE(readFileBytes(inbox("x (1).txt")), QByteArray("attacker\n"));
  }

  void symlinkAtThePartNameIsNotFollowed() {
    QTemporaryDir outside;
    const QString target = outside.filePath("precious.txt");
    QVERIFY(writeFile(target, "precious\n"));
    const QString part = QString::fromStdString(ferry::partFileName("y.txt", 0));
    QVERIFY(QFile::link(target, inbox(part)));
    const QString src = files_.filePath("y.txt");
    QVERIFY(writeFile(src, "attacker\n"));
    QCOMPARE(text(put(src, link_)), QByteArray("Saved as y.txt\n"));
    QCOMPARE(readFileBytes(target), QByteArray("precious\n"));
    QCOMPARE(readFileBytes(inbox("y.txt")), QByteArray("attacker\n"));
    QCOMPARE(entries(), (QStringList{part, "y.txt"}));  // the planted link is left as it was
  }

  void declaredSizeBeyondFreeSpaceIs507() {
    // A declared petabyte: refused before a byte is sent (curl waits for
    // 100 Continue and gets the 507 instead).
    RawClient c(fx_->port());
    const QByteArray target = QUrl(link_).path().toUtf8() + "huge.iso";
    QVERIFY(c.send("PUT " + target + " HTTP/1.1\r\n" + hostHeader(fx_->port()) +
                   "Content-Length: 1125899906842624\r\nExpect: 100-continue\r\n\r\n"));
    QByteArray buf;
    RawResponse r = readResponse(c, buf);
    QCOMPARE(r.status, 507);
    QVERIFY(c.waitClosed(5'000));
    QCOMPARE(entries(), QStringList());
  }

  void fullDiskMidUploadIs507AndLeavesNothing() {
    SmallTmpfs mountPoint(4);
    if (!mountPoint.mounted()) QSKIP(mountPoint.why());
    QVERIFY(writeFile(mountPoint.filePath("already here.txt"), "keep\n"));
    std::string error;
    QVERIFY(fx_->server.setReceiveFolder(QFile::encodeName(mountPoint.path()).toStdString(), &error));
    const QString link = QString::fromStdString(fx_->server.receiveLink("127.0.0.1"));
    const QString src = files_.filePath("too big.bin");
    writeRandomFile(src, 8 * 1024 * 1024, 11);
    // Chunked: no size to refuse up front, so the disk fills mid-upload.
    CurlResult c = runCurl({"-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + src, "-w",
                            "\n%{http_code}", link + "too%20big.bin"});
    QCOMPARE(status(c), 507);
    QTRY_COMPARE(QDir(mountPoint.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{"already here.txt"});
    QCOMPARE(readFileBytes(mountPoint.filePath("already here.txt")), QByteArray("keep\n"));
    // A declared size that does not fit is refused before the first byte.
    c = put(src, link);
    QCOMPARE(status(c), 507);
    QCOMPARE(QDir(mountPoint.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{"already here.txt"});
  }

  void foreignOriginIs403AndNoCorsHeaders() {
    const QString src = files_.filePath("csrf.txt");
    QVERIFY(writeFile(src, "x"));
    CurlResult c = put(src, link_, {"-H", "Origin: http://evil.example"});
    QCOMPARE(status(c), 403);
    c = put(src, link_, {"-H", "Origin: null"});
    QCOMPARE(status(c), 403);
    QCOMPARE(entries(), QStringList());
    // The page's own origin is fine.
    const QUrl u(link_);
    c = put(src, link_, {"-H", QString("Origin: http://127.0.0.1:%1").arg(u.port())});
    QCOMPARE(status(c), 201);
    // A preflight gets no CORS answer at all.
    c = runCurl({"-X", "OPTIONS", "-D", "-", "-o", "/dev/null", "-H", "Origin: http://evil.example", "-H",
                 "Access-Control-Request-Method: PUT", link_});
    QVERIFY(!c.out.toLower().contains("access-control-"));
    QCOMPARE(parseHeaderBlock(c.out).value(":status"), QByteArray("405"));
  }

  void receiveOffIs404AtOnce() {
    const QString src = files_.filePath("late.txt");
    QVERIFY(writeFile(src, "late\n"));
    fx_->server.stopReceiving();
    QCOMPARE(status(put(src, link_)), 404);
    QCOMPARE(runCurl({"-o", "/dev/null", "-w", "%{http_code}", link_}).out, QByteArray("404"));
    QCOMPARE(entries(), QStringList());
    QCOMPARE(QString::fromStdString(fx_->server.receiveLink("127.0.0.1")), QString());
  }

  void cancelEndsAnUploadAndKeepsNothing() {
    const QString src = files_.filePath("movie.mkv");
    writeRandomFile(src, 20 * 1024 * 1024, 21);
    QProcess curl;
    curl.start("curl", {"-sS", "--noproxy", "*", "--limit-rate", "1M", "-T", src, "-w", "\n%{http_code}", link_});
    QVERIFY(curl.waitForStarted(10'000));
    auto up = activeUpload(512 * 1024);
    QVERIFY(up);
    cancelAndCheck(curl, *up);
    // Cancelling it again, or an id no one has, is harmless; the link goes on receiving.
    fx_->server.cancelTransfer(up->id);
    fx_->server.cancelTransfer(987654321);
    const QString small = files_.filePath("after.txt");
    QVERIFY(writeFile(small, "still here\n"));
    QCOMPARE(status(put(small, link_)), 201);
    QCOMPARE(entries(), QStringList{"after.txt"});
  }

  void aCancelledPageUploadIsNotResumed() {
    // The page's protocol (handshake, PUT from an offset, HEAD for the
    // offset), spoken by curl: a cancelled upload leaves no part file, and
    // its id is answered 410, so the page stops instead of sending it again.
    const QByteArray base = QUrl(link_).path().toUtf8();
    const std::uint16_t port = fx_->port();
    const qint64 size = 20 * 1024 * 1024;
    const QString src = files_.filePath("clip.mov");
    writeRandomFile(src, size, 22);
    RawResponse h = rawRequest(port, "POST " + base + "?name=clip.mov&size=" + QByteArray::number(size) +
                                         " HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
    QCOMPARE(h.status, 201);
    const QByteArray id = QJsonDocument::fromJson(h.body).object().value("id").toString().toUtf8();
    QVERIFY(!id.isEmpty());
    const QString url = link_ + "?upload=" + QString::fromUtf8(id) + "&offset=0";
    QProcess curl;
    curl.start("curl", {"-sS", "--noproxy", "*", "--limit-rate", "1M", "-X", "PUT", "-H", "Content-Type:",
                        "--data-binary", "@" + src, "-w", "\n%{http_code}", url});
    QVERIFY(curl.waitForStarted(10'000));
    auto up = activeUpload(512 * 1024);
    QVERIFY(up);
    cancelAndCheck(curl, *up);
    RawResponse offset = rawRequest(port, "HEAD " + base + "?upload=" + id + " HTTP/1.1\r\n" + hostHeader(port) + "\r\n", true);
    QCOMPARE(offset.status, 410);
    CurlResult again = runCurl({"-X", "PUT", "-H", "Content-Type:", "--data-binary", "@" + src, "-w", "\n%{http_code}", url});
    QCOMPARE(status(again), 410);
    QCOMPARE(text(again), QByteArray("The person at this computer cancelled this file.\n"));
    QCOMPARE(entries(), QStringList());
  }

  void downloadsStillRefuseBodies() {
    const QString shared = files_.filePath("shared.txt");
    QVERIFY(writeFile(shared, "shared\n"));
    ferry::Share s = fx_->share(shared);
    CurlResult c = runCurl({"-X", "PUT", "--data-binary", "x", "-w", "%{http_code}", "-o", "/dev/null", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("400"));
    QCOMPARE(readFileBytes(shared), QByteArray("shared\n"));
  }

  void thePageIsServedWithItsPolicy() {
    CurlResult c = runCurl({"-D", "-", link_});
    auto h = parseHeaderBlock(c.out);
    QCOMPARE(h.value(":status"), QByteArray("200"));
    QVERIFY(h.value("content-type").startsWith("text/html"));
    const QByteArray csp = h.value("content-security-policy");
    QVERIFY2(csp.contains("default-src 'none'") && csp.contains("script-src 'nonce-"), csp.constData());
    QCOMPARE(h.value("referrer-policy"), QByteArray("no-referrer"));
    QVERIFY(!c.out.toLower().contains("access-control-"));
    QVERIFY(c.out.contains("Send files to this computer"));
    QVERIFY(!c.out.contains("accept="));  // iPhones then send originals, not JPEG copies
  }
};

QTEST_GUILESS_MAIN(TestReceiveCurl)
#include "tst_receive_curl.moc"
