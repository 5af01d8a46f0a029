// The receive link's HTTP, byte by byte over raw sockets: 100-continue
// accepted and refused, other expectations, framing (lengths, chunks,
// smuggling forms), bodies cut short or followed by more, a stalled body,
// Receive turned off mid-upload, and the page's resumable protocol.

#include <QRegularExpression>
#include <QTest>

#include <sys/statvfs.h>

#include "testutil/http_client.h"
#include "testutil/small_tmpfs.h"

using namespace ferry::test;
using namespace std::chrono_literals;

class TestReceiveProtocol : public QObject {
  Q_OBJECT

  std::unique_ptr<ServerFixture> fx_;
  std::unique_ptr<QTemporaryDir> inbox_;
  QByteArray base_;  // "/<token>/"

  QString inbox(const QString& name = {}) const { return name.isEmpty() ? inbox_->path() : inbox_->filePath(name); }
  QStringList entries() const {
    return QDir(inbox()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
  }
  // The part files (each page upload's also has its record beside it).
  QStringList parts() const { return entries().filter(QRegularExpression("\\.ferry-part(-\\d+)?$")); }
  std::uint16_t port() const { return fx_->port(); }
  QByteArray head(const QByteArray& method, const QByteArray& target, const QByteArray& extra) const {
    return method + " " + target + " HTTP/1.1\r\n" + hostHeader(port()) + extra + "\r\n";
  }
  // The head of the page's PUT of upload `id` from byte `offset`, with
  // `length` bytes to come.
  QByteArray pagePut(const QByteArray& id, qint64 offset, qint64 length) const {
    return head("PUT", base_ + "?upload=" + id + "&offset=" + QByteArray::number(offset),
                "Content-Length: " + QByteArray::number(length) + "\r\n");
  }
  // The page's question about upload `id`: how much of it the server has.
  RawResponse askUpload(const QByteArray& id) const {
    return rawRequest(port(), head("HEAD", base_ + "?upload=" + id, {}), true);
  }
  // `on`: a folder to make the receive folder in (a small disk), else /tmp.
  bool start(std::chrono::milliseconds bodyStall = 60'000ms, const QString& on = {}) {
    inbox_ = on.isEmpty() ? std::make_unique<QTemporaryDir>() : std::make_unique<QTemporaryDir>(on + "/inbox-XXXXXX");
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.limits.bodyStallTimeout = bodyStall;
    if (!fx_->start("")) return false;
    std::string error;
    auto folder = fx_->server.setReceiveFolder(QFile::encodeName(inbox()).toStdString(), &error);
    if (!folder) return false;
    base_ = QByteArray::fromStdString("/" + folder->token + "/");
    return true;
  }
  // The JSON string value of `key` in a small object.
  static QByteArray jsonValue(const QByteArray& json, const QByteArray& key) {
    qsizetype at = json.indexOf("\"" + key + "\":");
    if (at < 0) return {};
    at += key.size() + 3;
    if (json[at] == '"') return json.mid(at + 1, json.indexOf('"', at + 1) - at - 1);
    qsizetype end = at;
    while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
    return json.mid(at, end - at);
  }
  QByteArray handshake(const QByteArray& name, qint64 size) {
    RawResponse r = rawRequest(port(), head("POST", base_ + "?name=" + name + "&size=" + QByteArray::number(size), {}));
    if (r.status != 201) qWarning("handshake: %d %s", r.status, r.body.constData());
    return jsonValue(r.body, "id");
  }

 private slots:
  void cleanup() {
    fx_.reset();
    inbox_.reset();
  }

  void continueOnlyAfterTheCheck() {
    QVERIFY(start());
    RawClient c(port());
    QVERIFY(c.send(head("PUT", base_ + "ok.txt", "Content-Length: 5\r\nExpect: 100-continue\r\n")));
    QByteArray buf;
    QVERIFY(c.readAtLeast(buf, 25, 5'000));
    QVERIFY2(buf.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), buf.constData());
    buf.remove(0, 25);
    QVERIFY(c.send("hello"));
    QCOMPARE(readResponse(c, buf).status, 201);
    QCOMPARE(readFileBytes(inbox("ok.txt")), QByteArray("hello"));

    // A refusal comes at once, instead of the 100: the client sends nothing.
    RawClient d(port());
    QVERIFY(d.send(head("PUT", base_ + "CON", "Content-Length: 5\r\nExpect: 100-continue\r\n")));
    buf.clear();
    RawResponse r = readResponse(d, buf);
    QCOMPARE(r.status, 400);
    QVERIFY(!buf.contains("100 Continue"));
    QVERIFY(d.waitClosed(5'000));
  }

  void otherExpectationsAre417() {
    QVERIFY(start());
    RawResponse r = rawRequest(port(), head("PUT", base_ + "x.txt", "Content-Length: 1\r\nExpect: 200-ok\r\n"));
    QCOMPARE(r.status, 417);
    QCOMPARE(entries(), QStringList());
  }

  void framingAttacksAreRefused_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("CL and TE") << QByteArray("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("two CL") << QByteArray("Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
    QTest::newRow("bad chunk size") << QByteArray("Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk without CRLF") << QByteArray("Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n");
    // llhttp takes a lone CR for a line end; the head must end where its
    // empty line is, or the body would start inside what we call the head.
    QTest::newRow("lone CR ends head") << QByteArray("Content-Length: 5\r\n\rhello\r\n\r\n");
    QTest::newRow("TE not chunked") << QByteArray("Transfer-Encoding: gzip\r\n\r\nhello");
  }
  void framingAttacksAreRefused() {
    QFETCH(QByteArray, request);
    QVERIFY(start());
    RawClient c(port());
    QVERIFY(c.send("PUT " + base_ + "smuggled.txt HTTP/1.1\r\n" + hostHeader(port()) + request));
    QByteArray buf;
    RawResponse r = readResponse(c, buf);
    QCOMPARE(r.status, 400);
    QVERIFY(c.waitClosed(5'000));
    QTRY_COMPARE(entries(), QStringList());
  }

  void otherTransferCodingsAre501() {
    // Stored as it came, "gzip, chunked" would be saved still compressed.
    QVERIFY(start());
    for (const QByteArray& te : {QByteArray("gzip, chunked"), QByteArray("deflate,chunked"),
                                 QByteArray("x-custom\r\nTransfer-Encoding: chunked")}) {
      RawClient c(port());
      QVERIFY(c.send("PUT " + base_ + "packed.txt HTTP/1.1\r\n" + hostHeader(port()) + "Transfer-Encoding: " + te +
                     "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
      QByteArray buf;
      RawResponse r = readResponse(c, buf);
      QCOMPARE(r.status, 501);
      QVERIFY2(r.head.startsWith("HTTP/1.1 501 Not Implemented\r\n"), r.head.constData());
      QVERIFY(r.body.contains("chunked"));
      QVERIFY(c.waitClosed(5'000));
    }
    QTRY_COMPARE(entries(), QStringList());
    // Plain chunked still stores the file.
    RawClient c(port());
    QVERIFY(c.send("PUT " + base_ + "plain.txt HTTP/1.1\r\n" + hostHeader(port()) +
                   "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    QByteArray buf;
    RawResponse r = readResponse(c, buf);
    QCOMPARE(r.status, 201);
    QVERIFY2(r.head.startsWith("HTTP/1.1 201 Created\r\n"), r.head.constData());
    QCOMPARE(readFileBytes(inbox("plain.txt")), QByteArray("hello"));
  }

  void statusesHaveTheirReasonPhrases() {
    QVERIFY(start());
    auto lineOf = [](const RawResponse& r) { return r.head.left(r.head.indexOf("\r\n")); };
    RawResponse expect = rawRequest(port(), head("PUT", base_ + "x.txt", "Content-Length: 1\r\nExpect: 200-ok\r\n"));
    QCOMPARE(lineOf(expect), QByteArray("HTTP/1.1 417 Expectation Failed"));
    const QByteArray id = handshake("a.txt", 5);
    RawResponse conflict = rawRequest(port(), pagePut(id, 3, 2) + "45");
    QCOMPARE(lineOf(conflict), QByteArray("HTTP/1.1 409 Conflict"));
    RawResponse length = rawRequest(port(), head("PUT", base_ + "?upload=" + id + "&offset=0", "Transfer-Encoding: chunked\r\n") +
                                                "5\r\nhello\r\n0\r\n\r\n");
    QCOMPARE(lineOf(length), QByteArray("HTTP/1.1 411 Length Required"));
    RawResponse full = rawRequest(port(), head("POST", base_ + "?name=a.txt&size=1125899906842624", {}));
    QCOMPARE(lineOf(full), QByteArray("HTTP/1.1 507 Insufficient Storage"));
  }

  void aBodyCutShortLeavesNothing_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("length") << QByteArray("Content-Length: 400000\r\n\r\n") + QByteArray(300000, 'a');
    QTest::newRow("no last chunk") << QByteArray("Transfer-Encoding: chunked\r\n\r\n40000\r\n") + QByteArray(0x40000, 'b') +
                                          "\r\n";
  }
  void aBodyCutShortLeavesNothing() {
    QFETCH(QByteArray, request);
    QVERIFY(start());
    {
      RawClient c(port());
      QVERIFY(c.send("PUT " + base_ + "cut.bin HTTP/1.1\r\n" + hostHeader(port()) + request));
      // Some of it reached the disk: a part file is there.
      QTRY_VERIFY(!entries().isEmpty());
    }  // hang up
    QTRY_COMPARE(entries(), QStringList());
    QTRY_VERIFY([&] {
      for (const auto& t : fx_->server.snapshot()->transfers)
        if (t.direction == ferry::TransferDirection::kUpload && t.state == ferry::TransferState::kCancelled) return true;
      return false;
    }());
  }

  void bytesAfterTheBodyAreTheNextRequest() {
    QVERIFY(start());
    RawClient c(port());
    QVERIFY(c.send(head("PUT", base_ + "five.txt", "Content-Length: 5\r\n") + "helloGARBAGE NOT HTTP\r\n\r\n"));
    QByteArray buf;
    QCOMPARE(readResponse(c, buf).status, 201);
    QCOMPARE(readResponse(c, buf).status, 400);
    QCOMPARE(readFileBytes(inbox("five.txt")), QByteArray("hello"));
    // A well-formed next request on the same connection is answered.
    RawClient d(port());
    QVERIFY(d.send(head("PUT", base_ + "a.txt", "Content-Length: 1\r\n") + "a" +
                   head("PUT", base_ + "b.txt", "Transfer-Encoding: chunked\r\n") + "1\r\nb\r\n0\r\n\r\n"));
    buf.clear();
    QCOMPARE(readResponse(d, buf).status, 201);
    QCOMPARE(readResponse(d, buf).status, 201);
    QCOMPARE(readFileBytes(inbox("b.txt")), QByteArray("b"));
  }

  void oneByteAtATime() {
    QVERIFY(start());
    RawClient c(port());
    const QByteArray req = head("PUT", base_ + "slow.txt", "Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n";
    for (char ch : req) {
      QVERIFY(c.send(QByteArray(1, ch)));
      ::usleep(500);
    }
    QByteArray buf;
    QCOMPARE(readResponse(c, buf).status, 201);
    QCOMPARE(readFileBytes(inbox("slow.txt")), QByteArray("abcde"));
  }

  void aStalledBodyTimesOut() {
    QVERIFY(start(1'000ms));
    RawClient c(port());
    QVERIFY(c.send(head("PUT", base_ + "stall.bin", "Content-Length: 100\r\n") + "only ten b"));
    QByteArray buf;
    RawResponse r = readResponse(c, buf, false, 10'000);
    QCOMPARE(r.status, 408);
    QVERIFY(c.waitClosed(5'000));
    QTRY_COMPARE(entries(), QStringList());
  }

  void receiveOffEndsUploadsInFlight() {
    QVERIFY(start());
    RawClient c(port());
    QVERIFY(c.send(head("PUT", base_ + "big.bin", "Content-Length: 100000000\r\n") + QByteArray(1 << 20, 'x')));
    QTRY_VERIFY(!entries().isEmpty());
    fx_->server.stopReceiving();
    QVERIFY(c.waitClosed(5'000));
    QTRY_COMPARE(entries(), QStringList());
    // And the link is gone for the next request.
    QCOMPARE(rawRequest(port(), head("PUT", base_ + "big.bin", "Content-Length: 1\r\n") + "x").status, 404);
  }

  void thePageProtocolResumes() {
    QVERIFY(start());
    const QByteArray file = randomBytes(3 * 1024 * 1024 + 7, 21);
    const QByteArray id = handshake("photo%20%C3%A9t%C3%A9.jpg", file.size());
    QVERIFY(!id.isEmpty());
    // Send the first 1.5 MB, then the connection drops.
    {
      RawClient c(port());
      QVERIFY(c.send(pagePut(id, 0, file.size()) + file.left(1500000)));
      QTRY_VERIFY(QFileInfo(inbox(entries().value(0))).size() > 0);
    }
    // The page asks how much arrived, and goes on from there.
    qint64 offset = -1;
    QTRY_VERIFY([&] {
      RawResponse h = askUpload(id);
      if (h.status != 200) return false;
      offset = h.headers.value("upload-offset").toLongLong();
      return true;
    }());
    QCOMPARE(offset, 1500000);
    QVERIFY(!QFileInfo::exists(inbox("photo été.jpg")));  // no final name before the last byte
    // A wrong offset is a 409 that says the right one.
    RawResponse w = rawRequest(port(), pagePut(id, 10, 5) + "12345");
    QCOMPARE(w.status, 409);
    QCOMPARE(w.headers.value("upload-offset").toLongLong(), offset);
    const QByteArray rest = file.mid(offset);
    RawResponse done = rawRequest(port(), pagePut(id, offset, rest.size()) + rest);
    QCOMPARE(done.status, 201);
    QCOMPARE(jsonValue(done.body, "name"), QByteArray("photo été.jpg"));
    QCOMPARE(sha256(readFileBytes(inbox("photo été.jpg"))), sha256(file));
    QCOMPARE(entries(), QStringList{"photo été.jpg"});
    // Finished: the id is gone.
    QCOMPARE(askUpload(id).status, 404);
  }

  // While a PUT is on its way, HEAD says how much of the file has arrived
  // (the page shows that, not the browser's count of what it handed over):
  // a 409, for the upload is busy, with Upload-Received growing with the
  // body, byte for byte, and Upload-Offset (what is on the disk) at most
  // that.
  void whatHasArrivedIsToldWhileItComes() {
    QVERIFY(start());
    const QByteArray file = randomBytes(4 * 1024 * 1024, 22);
    const QByteArray id = handshake("clip.mp4", file.size());
    QVERIFY(!id.isEmpty());
    RawClient c(port());
    QVERIFY(c.send(pagePut(id, 0, file.size()) + file.left(1000000)));
    auto received = [&](qint64& offset) {
      RawResponse h = askUpload(id);
      offset = h.headers.value("upload-offset", "-1").toLongLong();
      return h.status == 409 && h.headers.contains("upload-received") ? h.headers.value("upload-received").toLongLong()
                                                                       : -h.status;
    };
    qint64 offset = -1;
    // Generous: a disk busy with other work may hold the writes, and with
    // them the reading, for seconds.
    QTRY_COMPARE_WITH_TIMEOUT(received(offset), 1000000, 30'000);
    QVERIFY2(offset >= 0 && offset <= 1000000, qPrintable(QString::number(offset)));
    QVERIFY(c.send(file.mid(1000000, 2000000)));
    QTRY_COMPARE_WITH_TIMEOUT(received(offset), 3000000, 30'000);
    QVERIFY2(offset >= 0 && offset <= 3000000, qPrintable(QString::number(offset)));
    // The connection drops; a second try goes on from what is on the disk,
    // and counts from there, not from 0.
    c.close();
    QTRY_VERIFY_WITH_TIMEOUT(received(offset) == -200, 30'000);
    const qint64 from = offset;
    QVERIFY(from > 0 && from <= 3000000);
    RawClient again(port());
    QVERIFY(again.send(pagePut(id, from, file.size() - from) + file.mid(from, 500000)));
    QTRY_COMPARE_WITH_TIMEOUT(received(offset), from + 500000, 30'000);
    QVERIFY(again.send(file.mid(from + 500000)));
    QByteArray buf;
    QCOMPARE(readResponse(again, buf, false, 30'000).status, 201);
    QCOMPARE(sha256(readFileBytes(inbox("clip.mp4"))), sha256(file));
    // Done: the id is gone.
    QCOMPARE(askUpload(id).status, 404);
  }

  void theHandshakeChecksBeforeAnyByte() {
    QVERIFY(start());
    QCOMPARE(rawRequest(port(), head("POST", base_ + "?name=..&size=5", {})).status, 400);
    QCOMPARE(rawRequest(port(), head("POST", base_ + "?name=a.txt&size=-1", {})).status, 400);
    QCOMPARE(rawRequest(port(), head("POST", base_ + "?name=a.txt&size=1125899906842624", {})).status, 507);
    QCOMPARE(rawRequest(port(), head("POST", base_ + "?name=a.txt&size=5", "Origin: http://evil.example\r\n")).status, 403);
    QCOMPARE(entries(), QStringList());
    // A body that does not end where the file does is refused.
    const QByteArray id = handshake("a.txt", 5);
    QCOMPARE(rawRequest(port(), pagePut(id, 0, 9) + "123456789").status, 400);
    QCOMPARE(rawRequest(port(), pagePut("nope", 0, 1) + "x").status, 404);
  }

  void aResumeRefusedAtAdmissionKeepsItsPart() {
    SmallTmpfs disk(8);
    if (!disk.mounted()) QSKIP(disk.why());
    QVERIFY(start(60'000ms, disk.path()));
    const QByteArray file = randomBytes(3 * 1024 * 1024, 31);
    const QByteArray id = handshake("kept.bin", file.size());
    QVERIFY(!id.isEmpty());
    {
      RawClient c(port());
      QVERIFY(c.send(pagePut(id, 0, file.size()) + file.left(1024 * 1024)));
      QTRY_VERIFY(!entries().isEmpty() && QFileInfo(inbox(entries().value(0))).size() >= 1024 * 1024);
    }
    auto offsetNow = [&] {
      RawResponse h = askUpload(id);
      return h.status == 200 ? h.headers.value("upload-offset").toLongLong() : -h.status;
    };
    QTRY_COMPARE(offsetNow(), qint64(1024 * 1024));
    // The disk fills meanwhile: the rest no longer fits.
    struct statvfs st {};
    QCOMPARE(::statvfs(QFile::encodeName(disk.path()).constData(), &st), 0);
    const qint64 freeBytes = qint64(st.f_bavail) * qint64(st.f_frsize);
    QVERIFY(writeFile(disk.filePath("filler"), QByteArray(freeBytes - 512 * 1024, 'f')));
    const QByteArray rest = file.mid(1024 * 1024);
    const QByteArray resume = pagePut(id, 1048576, rest.size()) + rest;
    QCOMPARE(rawRequest(port(), resume).status, 507);
    // Refused before its first byte: the part and its offset are still there.
    QCOMPARE(offsetNow(), qint64(1024 * 1024));
    QCOMPARE(parts().size(), 1);
    QCOMPARE(QFileInfo(inbox(parts().value(0))).size(), qint64(1024 * 1024));
    // Room again: the same id goes on and the file is whole.
    QVERIFY(QFile::remove(disk.filePath("filler")));
    RawResponse done = rawRequest(port(), resume);
    QCOMPARE(done.status, 201);
    QCOMPARE(sha256(readFileBytes(inbox("kept.bin"))), sha256(file));
  }

  void aPageUploadResumesAfterARestart() {
    QVERIFY(start());
    const QByteArray file = randomBytes(2 * 1024 * 1024 + 3, 41);
    const QByteArray id = handshake("holiday.mov", file.size());
    QVERIFY(!id.isEmpty());
    {
      RawClient c(port());
      QVERIFY(c.send(pagePut(id, 0, file.size()) + file.left(1200000)));
      QTRY_VERIFY(!parts().isEmpty() && QFileInfo(inbox(parts().value(0))).size() > 0);
    }
    auto offsetNow = [&] {
      RawResponse h = askUpload(id);
      return h.status == 200 ? h.headers.value("upload-offset").toLongLong() : -h.status;
    };
    QTRY_COMPARE(offsetNow(), qint64(1200000));
    // What an earlier run left: a page upload idle for more than a day (its
    // part and record), a part file no record names from then, and one
    // from a minute ago.
    const QByteArray oldRecord = "ferry-upload 1\nOLDID\n10\n127.0.0.1\nold.bin\n";
    QVERIFY(writeFile(inbox(".old.bin.ferry-part"), "12345"));
    QVERIFY(writeFile(inbox(".old.bin.ferry-part.resume"), oldRecord));
    QVERIFY(writeFile(inbox(".crashed.iso.ferry-part"), "x"));
    QVERIFY(writeFile(inbox(".recent.iso.ferry-part"), "y"));
    const QDateTime dayAgo = QDateTime::currentDateTime().addSecs(-25 * 3600);
    for (const char* name : {".old.bin.ferry-part", ".crashed.iso.ferry-part"}) {
      QFile f(inbox(name));
      QVERIFY(f.open(QIODevice::ReadWrite));
      QVERIFY(f.setFileTime(dayAgo, QFileDevice::FileModificationTime));
    }
    // Ferry restarts with the same receive link.
    const std::string token = base_.mid(1, base_.size() - 2).toStdString();
    fx_->server.stop();
    QVERIFY(fx_->start(""));
    std::string error;
    QVERIFY(fx_->server.setReceiveFolder(QFile::encodeName(inbox()).toStdString(), &error, token));
    // The page asks where it stopped, and goes on from there.
    QTRY_COMPARE(offsetNow(), qint64(1200000));
    const QByteArray rest = file.mid(1200000);
    RawResponse done = rawRequest(port(), pagePut(id, 1200000, rest.size()) + rest);
    QCOMPARE(done.status, 201);
    QCOMPARE(sha256(readFileBytes(inbox("holiday.mov"))), sha256(file));
    // The day-old ones are gone, the recent orphan is left for its day.
    QCOMPARE(askUpload("OLDID").status, 404);
    QTRY_COMPARE(entries(), (QStringList{".recent.iso.ferry-part", "holiday.mov"}));
  }

  void unfinishedUploadsAreCapped() {
    QVERIFY(start());
    ferry::ReceivePolicy policy = fx_->server.receivePolicy();
    policy.maxUnfinishedPerDevice = 3;
    policy.maxUnfinished = 5;
    fx_->server.setReceivePolicy(policy);
    QList<QByteArray> ids;
    for (int i = 0; i < 3; ++i) ids << handshake("f" + QByteArray::number(i), 5);
    QVERIFY(!ids.contains(QByteArray()));
    RawResponse more = rawRequest(port(), head("POST", base_ + "?name=g&size=5", {}));
    QCOMPARE(more.status, 429);
    QVERIFY2(more.body.contains("too many unfinished uploads"), more.body.constData());
    // Other addresses have room of their own, up to the link's cap.
    const QString url = "http://127.0.0.1:" + QString::number(port()) + base_ + "?name=h&size=5";
    auto fromAddress = [&](const QString& address) {
      CurlResult c = runCurl({"-s", "-X", "POST", "--interface", address, "-o", "/dev/null", "-w", "%{http_code}", url});
      return c.out.toInt();
    };
    QCOMPARE(fromAddress("127.0.0.2"), 201);
    QCOMPARE(fromAddress("127.0.0.3"), 201);
    QCOMPARE(fromAddress("127.0.0.4"), 429);
    // A finished upload frees its place.
    RawResponse done = rawRequest(port(), pagePut(ids[0], 0, 5) + "hello");
    QCOMPARE(done.status, 201);
    QVERIFY(!handshake("g", 5).isEmpty());
  }

  void receiveOffRemovesPagePartFiles() {
    QVERIFY(start());
    const QByteArray id = handshake("kept.bin", 1000000);
    {
      RawClient c(port());
      QVERIFY(c.send(pagePut(id, 0, 1000000) + QByteArray(600000, 'k')));
      QTRY_VERIFY(!entries().isEmpty());
    }
    // Dropped: the part file stays for the page to resume...
    QTRY_COMPARE(askUpload(id).status, 200);
    QCOMPARE(parts().size(), 1);
    // ...until Receive goes off.
    fx_->server.stopReceiving();
    QTRY_COMPARE(entries(), QStringList());
  }
};

QTEST_GUILESS_MAIN(TestReceiveProtocol)
#include "tst_receive_protocol.moc"
