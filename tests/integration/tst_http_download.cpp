// Downloads as people make them: curl, Qt's QNetworkAccessManager and raw
// sockets against a ferry::Server on loopback, once per poller.
//
// Every byte is checked (sha256 of whole files, exact bytes of ranges), and
// every header a client acts on: Content-Length, Content-Range, validators,
// Content-Type, Content-Disposition, Connection.

#include <QDateTime>
#include <QFileInfo>
#include <QLocale>
#include <QTest>
#include <QTimeZone>

#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

constexpr qint64 kBigSize = 3 * 1024 * 1024 + 4321;  // multi-MB, not a multiple of any chunk
constexpr qint64 kSparseSize = 8ll * 1024 * 1024 * 1024;  // 8 GiB: past every 32-bit offset, and twice that
constexpr qint64 kSparseTailAt = kSparseSize - 8192;

// Decodes RFC 8187 ext-value "UTF-8''r%C3%A9sum%C3%A9.pdf".
QString decodeExtValue(QByteArray v) {
  if (!v.toLower().startsWith("utf-8''")) return {};
  v = v.mid(7);
  return QString::fromUtf8(QByteArray::fromPercentEncoding(v));
}

// The value of a parameter in a header like Content-Disposition.
QByteArray headerParam(const QByteArray& header, const QByteArray& name) {
  for (QByteArray part : header.split(';')) {
    part = part.trimmed();
    if (part.toLower().startsWith(name.toLower() + "=")) {
      QByteArray v = part.mid(name.size() + 1).trimmed();
      if (v.startsWith('"') && v.endsWith('"') && v.size() >= 2) v = v.mid(1, v.size() - 2);
      return v;
    }
  }
  return {};
}

}  // namespace

class TestHttpDownload : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString big_, sparse_, text_, unicode_, ascii_, empty_;
  QByteArray bigBytes_, bigSha_, sparseTail_;
  const QString unicodeName_ = QString::fromUtf8("r\xC3\xA9sum\xC3\xA9 \xC3\xBC.pdf");  // "résumé ü.pdf"
  std::unique_ptr<ServerFixture> fx_;

  ferry::Share share(const QString& path) { return fx_->share(path); }
  std::uint16_t port() const { return fx_->port(); }

 private slots:
  void initTestCase_data() { addPollerRows(); }

  void initTestCase() {
    QVERIFY(files_.isValid());
    if (!haveCurl()) QSKIP("curl is not installed");
    big_ = files_.filePath("big.bin");
    bigBytes_ = randomBytes(kBigSize, 42);
    QVERIFY(writeFile(big_, bigBytes_));
    bigSha_ = sha256(bigBytes_);
    text_ = files_.filePath("notes.txt");
    QVERIFY(writeFile(text_, "hello, ferry\n"));
    unicode_ = files_.filePath(unicodeName_);
    QVERIFY(writeFile(unicode_, randomBytes(10'000, 7)));
    ascii_ = files_.filePath("report 2024.txt");
    QVERIFY(writeFile(ascii_, "quarterly numbers\n"));
    empty_ = files_.filePath("empty.dat");
    QVERIFY(writeFile(empty_, {}));

    // A sparse 8 GiB file: holes read as zeros, a known pattern at the end.
    sparse_ = files_.filePath("huge.iso");
    int fd = ::open(QFile::encodeName(sparse_).constData(), O_CREAT | O_RDWR | O_TRUNC, 0644);
    QVERIFY(fd >= 0);
    QCOMPARE(::ftruncate(fd, kSparseSize), 0);
    sparseTail_ = randomBytes(8192, 99);
    QCOMPARE(::pwrite(fd, sparseTail_.constData(), sparseTail_.size(), kSparseTailAt), ssize_t(sparseTail_.size()));
    ::close(fd);
    QCOMPARE(QFileInfo(sparse_).size(), kSparseSize);
  }

  void init() {
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start(currentPoller()));
  }
  void cleanup() { fx_.reset(); }

  // ---- whole files ------------------------------------------------------------

  void fullDownloadCurl() {
    auto s = share(big_);
    QString out = fx_->path("out.bin");
    CurlResult r = runCurl({"-o", out, "-D", fx_->path("headers"), "-w", "%{http_code} %{size_download}",
                            fx_->url(s)});
    QVERIFY2(r.finished && r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out, "200 " + QByteArray::number(kBigSize));
    QCOMPARE(sha256File(out), bigSha_);
    auto h = parseHeaderBlock(readFileBytes(fx_->path("headers")));
    QCOMPARE(h.value("content-length"), QByteArray::number(kBigSize));
    QCOMPARE(h.value("accept-ranges"), QByteArray("bytes"));
    QVERIFY(!h.contains("transfer-encoding"));
  }

  void fullDownloadQnam() {
    auto s = share(big_);
    QnamResult r = qnamGet(QUrl(fx_->url(s)));
    QVERIFY(r.finished);
    QCOMPARE(r.error, QNetworkReply::NoError);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.size(), kBigSize);
    QCOMPARE(sha256(r.body), bigSha_);
    QCOMPARE(r.headers.value("content-length"), QByteArray::number(kBigSize));
  }

  void smallAndEmptyFiles() {
    auto t = share(text_);
    CurlResult r = runCurl({fx_->url(t)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("hello, ferry\n"));
    auto e = share(empty_);
    RawResponse resp = rawRequest(port(), getRequest(port(), fx_->target(e)));
    QVERIFY(resp.complete);
    QCOMPARE(resp.status, 200);
    QCOMPARE(resp.header("content-length"), QByteArray("0"));
    QVERIFY(resp.body.isEmpty());
    // A range of an empty file cannot be satisfied.
    RawResponse rr = rawRequest(port(), getRequest(port(), fx_->target(e), "Range: bytes=0-\r\n"));
    QCOMPARE(rr.status, 416);
    QCOMPARE(rr.header("content-range"), QByteArray("bytes */0"));
  }

  // ---- ranges -------------------------------------------------------------------

  void singleRanges_data() {
    QTest::addColumn<QByteArray>("range");
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("last");
    QTest::newRow("first byte") << QByteArray("0-0") << 0ll << 0ll;
    QTest::newRow("first KiB") << QByteArray("0-1023") << 0ll << 1023ll;
    QTest::newRow("middle") << QByteArray("1000000-2000000") << 1000000ll << 2000000ll;
    QTest::newRow("last byte") << QByteArray::number(kBigSize - 1) + "-" + QByteArray::number(kBigSize - 1)
                               << kBigSize - 1 << kBigSize - 1;
    QTest::newRow("end clamped") << QByteArray::number(kBigSize - 10) + "-" + QByteArray::number(kBigSize + 5000)
                                 << kBigSize - 10 << kBigSize - 1;
    QTest::newRow("open ended") << QByteArray("3000000-") << 3000000ll << kBigSize - 1;
    QTest::newRow("suffix") << QByteArray("-5000") << kBigSize - 5000 << kBigSize - 1;
    QTest::newRow("suffix past start") << QByteArray("-99999999") << 0ll << kBigSize - 1;
  }

  void singleRanges() {
    QFETCH(QByteArray, range);
    QFETCH(qint64, first);
    QFETCH(qint64, last);
    auto s = share(big_);
    const QByteArray expected = bigBytes_.mid(first, last - first + 1);
    const QByteArray contentRange =
        "bytes " + QByteArray::number(first) + "-" + QByteArray::number(last) + "/" + QByteArray::number(kBigSize);

    // Raw: the exact status line and headers.
    RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), "Range: bytes=" + range + "\r\n"));
    QVERIFY(r.complete);
    QCOMPARE(r.status, 206);
    QCOMPARE(r.header("content-range"), contentRange);
    QCOMPARE(r.contentLength(), last - first + 1);
    QVERIFY(r.body == expected);

    // curl -r
    QString out = fx_->path("range.out");
    CurlResult c = runCurl({"-r", QString::fromLatin1(range), "-o", out, "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(c.out, QByteArray("206"));
    QVERIFY(readFileBytes(out) == expected);

    // QNAM with a Range header
    QnamResult q = qnamGet(QUrl(fx_->url(s)), {{"Range", "bytes=" + range}});
    QCOMPARE(q.status, 206);
    QCOMPARE(q.headers.value("content-range"), contentRange);
    QVERIFY(q.body == expected);
  }

  void unsatisfiableRange() {
    auto s = share(big_);
    for (QByteArray range : {QByteArray::number(kBigSize) + "-", QByteArray::number(kBigSize + 100) + "-" +
                                                                    QByteArray::number(kBigSize + 200),
                             QByteArray("-0")}) {
      RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), "Range: bytes=" + range + "\r\n"));
      QVERIFY(r.complete);
      QCOMPARE(r.status, 416);
      QCOMPARE(r.header("content-range"), "bytes */" + QByteArray::number(kBigSize));
      QVERIFY(r.body.size() < 1000);  // a short explanation, never the file
    }
    CurlResult c = runCurl({"-r", QString::number(kBigSize + 1) + "-", "-o", "/dev/null", "-w", "%{http_code}",
                            fx_->url(s)});
    QCOMPARE(c.out, QByteArray("416"));
  }

  void multipleRangesServeWholeFile() {
    auto s = share(big_);
    const QByteArray ranges[] = {"bytes=0-1,5-6", "bytes=0-999999,500000-2999999,0-",
                                 "bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9", "bytes=-100,0-100"};
    for (const QByteArray& range : ranges) {
      RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), "Range: " + range + "\r\n"), false,
                                 30'000);
      QVERIFY(r.complete);
      // Either the whole file (200) or multipart; never more than the file.
      if (r.status == 200) {
        QCOMPARE(r.contentLength(), kBigSize);
        QCOMPARE(sha256(r.body), bigSha_);
      } else {
        QCOMPARE(r.status, 206);
        QVERIFY(r.header("content-type").startsWith("multipart/byteranges"));
        QVERIFY(r.contentLength() <= kBigSize);
      }
    }
    // curl asking for several ranges still ends up with the right bytes.
    QString out = fx_->path("multi.out");
    CurlResult c = runCurl({"-r", "0-99,200-299", "-o", out, "-w", "%{http_code} %{size_download}", fx_->url(s)});
    QCOMPARE(c.exitCode, 0);
    QVERIFY(c.out.split(' ').value(1).toLongLong() <= kBigSize);
    if (c.out.startsWith("200")) QCOMPARE(sha256File(out), bigSha_);
  }

  void malformedRangeIgnored() {
    auto s = share(big_);
    for (QByteArray range : {QByteArray("bytes=abc"), QByteArray("lines=1-2"), QByteArray("bytes=9-5"),
                             QByteArray("bytes=0-99999999999999999999999")}) {
      RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), "Range: " + range + "\r\n"));
      QVERIFY(r.complete);
      QCOMPARE(r.status, 200);
      QCOMPARE(r.body.size(), kBigSize);
    }
  }

  // ---- validators -------------------------------------------------------------------

  void validatorsPresent() {
    auto s = share(big_);
    RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true);
    QVERIFY(r.complete);
    QCOMPARE(r.status, 200);
    QByteArray etag = r.header("etag");
    QVERIFY2(etag.size() > 2 && etag.startsWith('"') && etag.endsWith('"'), etag.constData());  // strong
    QByteArray lm = r.header("last-modified");
    QDateTime parsed = QLocale::c().toDateTime(QString::fromLatin1(lm.chopped(4)), "ddd, dd MMM yyyy HH:mm:ss");
    parsed.setTimeZone(QTimeZone::utc());
    QVERIFY2(parsed.isValid(), lm.constData());
    QCOMPARE(parsed.toSecsSinceEpoch(), QFileInfo(big_).lastModified().toSecsSinceEpoch());
    QVERIFY(lm.endsWith(" GMT"));
    QVERIFY(!r.header("date").isEmpty());
    QCOMPARE(r.header("accept-ranges"), QByteArray("bytes"));
    // The same file gives the same validator; another file another one.
    RawResponse again = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true);
    QCOMPARE(again.header("etag"), etag);
    auto t = share(text_);
    RawResponse other = rawRequest(port(), getRequest(port(), fx_->target(t), {}, "HEAD"), true);
    QVERIFY(other.header("etag") != etag);
  }

  void etagChangesWhenFileChanges() {
    QString path = fx_->path("changing.txt");
    QVERIFY(writeFile(path, "version one"));
    auto s = share(path);
    QByteArray e1 = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true).header("etag");
    QVERIFY(writeFile(path, "version two, longer"));
    RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), "If-None-Match: " + e1 + "\r\n"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("version two, longer"));
    QVERIFY(r.header("etag") != e1);
  }

  void ifNoneMatch() {
    auto s = share(big_);
    QByteArray etag = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true).header("etag");
    QVERIFY(!etag.isEmpty());
    for (QByteArray inm : {etag, "\"nope\", " + etag, "W/" + etag, QByteArray("*")}) {
      RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), "If-None-Match: " + inm + "\r\n"));
      QVERIFY(r.complete);
      QCOMPARE(r.status, 304);
      QVERIFY(r.body.isEmpty());
      QCOMPARE(r.header("etag"), etag);
    }
    RawResponse miss = rawRequest(port(), getRequest(port(), fx_->target(s), "If-None-Match: \"other\"\r\n"));
    QCOMPARE(miss.status, 200);
    QCOMPARE(miss.body.size(), kBigSize);
    // The connection stays usable after a 304 (no stray body bytes).
    RawClient c(port());
    QVERIFY(c.send(getRequest(port(), fx_->target(s), "If-None-Match: " + etag + "\r\n") +
                   getRequest(port(), fx_->target(s), "Range: bytes=0-9\r\n")));
    QByteArray buf;
    QCOMPARE(readResponse(c, buf).status, 304);
    RawResponse second = readResponse(c, buf);
    QCOMPARE(second.status, 206);
    QVERIFY(second.body == bigBytes_.left(10));
    // curl sends If-None-Match from its ETag file.
    QString etagFile = fx_->path("etag.txt");
    QVERIFY(writeFile(etagFile, etag + "\n"));
    CurlResult cr = runCurl({"--etag-compare", etagFile, "-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(cr.out, QByteArray("304"));
  }

  void ifModifiedSince() {
    auto s = share(big_);
    QByteArray lm = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true).header("last-modified");
    RawResponse same = rawRequest(port(), getRequest(port(), fx_->target(s), "If-Modified-Since: " + lm + "\r\n"));
    QCOMPARE(same.status, 304);
    QVERIFY(same.body.isEmpty());
    RawResponse later = rawRequest(port(), getRequest(port(), fx_->target(s),
                                                      "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"));
    QCOMPARE(later.status, 304);
    RawResponse earlier = rawRequest(
        port(), getRequest(port(), fx_->target(s), "If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT\r\n"));
    QCOMPARE(earlier.status, 200);
    QCOMPARE(earlier.body.size(), kBigSize);
    RawResponse garbage = rawRequest(port(), getRequest(port(), fx_->target(s), "If-Modified-Since: yesterday\r\n"));
    QCOMPARE(garbage.status, 200);
    // If-None-Match wins over If-Modified-Since.
    RawResponse both = rawRequest(port(), getRequest(port(), fx_->target(s), "If-None-Match: \"x\"\r\nIf-Modified-Since: " +
                                                                                  lm + "\r\n"));
    QCOMPARE(both.status, 200);
    // curl -z with a time condition.
    CurlResult c = runCurl({"-z", QString::fromLatin1(lm), "-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("304"));
  }

  void ifRange() {
    auto s = share(big_);
    RawResponse head = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true);
    QByteArray etag = head.header("etag"), lm = head.header("last-modified");
    auto ask = [&](const QByteArray& ifRange) {
      return rawRequest(port(), getRequest(port(), fx_->target(s), "Range: bytes=100-199\r\nIf-Range: " + ifRange + "\r\n"));
    };
    RawResponse match = ask(etag);
    QCOMPARE(match.status, 206);
    QVERIFY(match.body == bigBytes_.mid(100, 100));
    RawResponse matchDate = ask(lm);
    QCOMPARE(matchDate.status, 206);
    RawResponse mismatch = ask("\"stale\"");
    QCOMPARE(mismatch.status, 200);
    QCOMPARE(sha256(mismatch.body), bigSha_);
    RawResponse weak = ask("W/" + etag);  // If-Range needs a strong match
    QCOMPARE(weak.status, 200);
    RawResponse oldDate = ask("Thu, 01 Jan 1998 00:00:00 GMT");
    QCOMPARE(oldDate.status, 200);
    QCOMPARE(oldDate.body.size(), kBigSize);
    // A resumed download with a stale validator restarts: curl gets the whole file.
    QnamResult q = qnamGet(QUrl(fx_->url(s)), {{"Range", "bytes=10-"}, {"If-Range", "\"stale\""}});
    QCOMPARE(q.status, 200);
    QCOMPARE(sha256(q.body), bigSha_);
  }

  // ---- HEAD, types, names -------------------------------------------------------------------

  void headHasHeadersNoBody() {
    auto s = share(big_);
    RawClient c(port());
    // HEAD then GET on one connection: a stray body would corrupt the second.
    QVERIFY(c.send(getRequest(port(), fx_->target(s), {}, "HEAD") +
                   getRequest(port(), fx_->target(s), "Range: bytes=0-3\r\n")));
    QByteArray buf;
    RawResponse h = readResponse(c, buf, true);
    QCOMPARE(h.status, 200);
    QCOMPARE(h.contentLength(), kBigSize);
    QVERIFY(!h.header("etag").isEmpty());
    QVERIFY(h.header("content-disposition").startsWith("attachment"));
    RawResponse g = readResponse(c, buf);
    QCOMPARE(g.status, 206);
    QVERIFY(g.body == bigBytes_.left(4));
    QVERIFY(buf.isEmpty());
    // Nothing else arrives.
    QByteArray extra;
    QCOMPARE(c.readSome(extra, 300), -1);
    // curl -I
    CurlResult cr = runCurl({"-I", fx_->url(s)});
    QCOMPARE(cr.exitCode, 0);
    auto hh = parseHeaderBlock(cr.out);
    QCOMPARE(hh.value(":status"), QByteArray("200"));
    QCOMPARE(hh.value("content-length"), QByteArray::number(kBigSize));
    // HEAD with a range
    RawResponse hr = rawRequest(port(), getRequest(port(), fx_->target(s), "Range: bytes=10-19\r\n", "HEAD"), true);
    QCOMPARE(hr.status, 206);
    QCOMPARE(hr.contentLength(), 10);
    QnamResult q = qnamGet(QUrl(fx_->url(s)), {}, 30'000, "HEAD");
    QCOMPARE(q.status, 200);
    QVERIFY(q.body.isEmpty());
  }

  void contentTypeByExtension_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("type");
    QTest::newRow("txt") << "a.txt" << QByteArray("text/plain");
    QTest::newRow("html") << "index.html" << QByteArray("text/html");
    QTest::newRow("pdf") << "doc.pdf" << QByteArray("application/pdf");
    QTest::newRow("PDF upper") << "DOC.PDF" << QByteArray("application/pdf");
    QTest::newRow("png") << "pic.png" << QByteArray("image/png");
    QTest::newRow("jpg") << "pic.jpg" << QByteArray("image/jpeg");
    QTest::newRow("json") << "data.json" << QByteArray("application/json");
    QTest::newRow("zip") << "bundle.zip" << QByteArray("application/zip");
    QTest::newRow("mp4") << "movie.mp4" << QByteArray("video/mp4");
    QTest::newRow("tar.gz") << "src.tar.gz" << QByteArray("application/gzip");
    QTest::newRow("unknown") << "thing.xyz123" << QByteArray("application/octet-stream");
    QTest::newRow("no extension") << "Makefile" << QByteArray("application/octet-stream");
    QTest::newRow("dotfile") << ".bashrc" << QByteArray("application/octet-stream");
  }

  void contentTypeByExtension() {
    QFETCH(QString, name);
    QFETCH(QByteArray, type);
    QString path = fx_->path(name);
    QVERIFY(writeFile(path, "content"));
    auto s = share(path);
    RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s)));
    QCOMPARE(r.status, 200);
    QByteArray ct = r.header("content-type");
    QVERIFY2(ct == type || ct.startsWith(type + ";"), ct.constData());
    QCOMPARE(r.header("x-content-type-options"), QByteArray("nosniff"));
  }

  void contentDispositionUnicode() {
    auto s = share(unicode_);
    RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true);
    QCOMPARE(r.status, 200);
    QByteArray cd = r.header("content-disposition");
    qInfo("Content-Disposition: %s", cd.constData());
    QVERIFY(cd.startsWith("attachment"));
    // RFC 6266: the exact name in filename*, an ASCII-only fallback in filename.
    QCOMPARE(decodeExtValue(headerParam(cd, "filename*")), unicodeName_);
    QByteArray fallback = headerParam(cd, "filename");
    QVERIFY(!fallback.isEmpty());
    for (char ch : fallback) QVERIFY(static_cast<unsigned char>(ch) >= 0x20 && static_cast<unsigned char>(ch) < 0x7f);
    QVERIFY(fallback.endsWith(".pdf"));
    // The link itself carries the encoded name for people and `curl -O`.
    QVERIFY(fx_->url(s).endsWith("/r%C3%A9sum%C3%A9%20%C3%BC.pdf"));
    // Bytes from a link with the name part left off or changed: the token decides.
    QByteArray bare = "/" + QByteArray::fromStdString(s.token);
    QCOMPARE(rawRequest(port(), getRequest(port(), bare)).status, 200);
    QCOMPARE(rawRequest(port(), getRequest(port(), bare + "/other-name.bin")).status, 200);
  }

  void curlSavesNamedFiles() {
    // curl -O names the file after the URL's last segment; -OJ after
    // Content-Disposition. Both must end up with the right bytes.
    auto a = share(ascii_);
    QTemporaryDir work;
    CurlResult oj = runCurl({"-O", "-J", fx_->url(a)}, 30'000, work.path());
    QVERIFY2(oj.exitCode == 0, oj.err.constData());
    QVERIFY2(QFile::exists(work.filePath("report 2024.txt")), qPrintable(QDir(work.path()).entryList().join("|")));
    QCOMPARE(readFileBytes(work.filePath("report 2024.txt")), QByteArray("quarterly numbers\n"));

    auto t = share(text_);
    CurlResult o = runCurl({"-O", fx_->url(t)}, 30'000, work.path());
    QCOMPARE(o.exitCode, 0);
    QCOMPARE(readFileBytes(work.filePath("notes.txt")), QByteArray("hello, ferry\n"));

    // Non-ASCII: curl 7.x reads only the ASCII filename= fallback, which must
    // be a safe, recognisable name with the right extension and the right bytes.
    auto u = share(unicode_);
    QTemporaryDir work2;
    CurlResult uj = runCurl({"-O", "-J", fx_->url(u)}, 30'000, work2.path());
    QVERIFY2(uj.exitCode == 0, uj.err.constData());
    QStringList saved = QDir(work2.path()).entryList(QDir::Files);
    qInfo("curl -OJ saved: %s", qPrintable(saved.join("|")));
    QCOMPARE(saved.size(), 1);
    QVERIFY(saved[0].endsWith(".pdf"));
    QVERIFY(!saved[0].contains('/') && !saved[0].contains('\\'));
    QCOMPARE(sha256File(work2.filePath(saved[0])), sha256File(unicode_));
  }

  // ---- wrong links, methods, bodies ----------------------------------------------------

  void notFound() {
    auto s = share(big_);
    const std::uint16_t p = port();
    QString base = QString("http://127.0.0.1:%1").arg(p);
    for (QString path : {QString("/"), QString("/AAAAAAAAAAAAAAAAAAAAAA/big.bin"), QString("/favicon.ico"),
                         QString("/index.html"), "/" + QString::fromStdString(s.token) + "x/big.bin",
                         "/" + QString::fromStdString(s.token) + "/big.bin/more"}) {
      CurlResult c = runCurl({"-w", "\n%{http_code}", base + path});
      QCOMPARE(c.exitCode, 0);
      QVERIFY2(c.out.endsWith("\n404"), qPrintable(path + ": " + c.out));
      QVERIFY(!c.out.contains(QByteArray::fromStdString(s.token)));  // nothing lists shares
    }
    QnamResult q = qnamGet(QUrl(base + "/"));
    QCOMPARE(q.status, 404);
    // Unsharing makes the link 404 at once.
    QCOMPARE(runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)}).out, QByteArray("200"));
    QVERIFY(fx_->server.removeShare(s.token));
    QCOMPARE(runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)}).out, QByteArray("404"));
    // A 404 keeps the connection (it is an ordinary answer).
    RawClient c(p);
    QVERIFY(c.send(getRequest(p, "/") + getRequest(p, "/")));
    QByteArray buf;
    QCOMPARE(readResponse(c, buf).status, 404);
    QCOMPARE(readResponse(c, buf).status, 404);
  }

  void badTargets() {
    auto s = share(big_);
    const std::uint16_t p = port();
    QByteArray tok = QByteArray::fromStdString(s.token);
    for (QByteArray target : {"/" + tok + "/..%2F..%2Fetc%2Fpasswd", "/" + tok + "%2F", "/" + tok + "/a%00b",
                              "/" + tok + "/a\\b", QByteArray("http://127.0.0.1/") + tok + "/big.bin",
                              "/" + tok + "/%zz"}) {
      RawResponse r = rawRequest(p, getRequest(p, target));
      QVERIFY2(r.status == 400 || r.status == 404, target.constData());
      QVERIFY(r.body.size() < 1000);
    }
  }

  void otherMethods405() {
    auto s = share(big_);
    for (QString m : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
      CurlResult c = runCurl({"-X", m, "-D", "-", "-o", "/dev/null", fx_->url(s)});
      QCOMPARE(c.exitCode, 0);
      auto h = parseHeaderBlock(c.out);
      QCOMPARE(h.value(":status"), QByteArray("405"));
      QByteArray allow = h.value("allow");
      QVERIFY2(allow.contains("GET") && allow.contains("HEAD"), allow.constData());
    }
    QnamResult q = qnamGet(QUrl(fx_->url(s)), {}, 30'000, "DELETE");
    QCOMPARE(q.status, 405);
    QVERIFY(q.headers.value("allow").contains("GET"));
  }

  void requestWithBodyRefusedAndClosed_data() {
    QTest::addColumn<QByteArray>("extra");
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("POST CL") << QByteArray("Content-Length: 5\r\n") << QByteArray("POST");
    QTest::newRow("GET CL") << QByteArray("Content-Length: 5\r\n") << QByteArray("GET");
    QTest::newRow("GET chunked") << QByteArray("Transfer-Encoding: chunked\r\n") << QByteArray("GET");
    QTest::newRow("PUT chunked") << QByteArray("Transfer-Encoding: chunked\r\n") << QByteArray("PUT");
    QTest::newRow("duplicate CL") << QByteArray("Content-Length: 0\r\nContent-Length: 0\r\n") << QByteArray("GET");
  }

  void requestWithBodyRefusedAndClosed() {
    QFETCH(QByteArray, extra);
    QFETCH(QByteArray, method);
    auto s = share(text_);
    RawClient c(port());
    QByteArray body = extra.contains("chunked") ? QByteArray("5\r\nhello\r\n0\r\n\r\n") : QByteArray("hello");
    if (extra.contains("Content-Length: 0")) body.clear();
    // A body, then what would look like a second request smuggled inside it.
    QVERIFY(c.send(getRequest(port(), fx_->target(s), extra, method) + body + getRequest(port(), fx_->target(s))));
    QByteArray buf;
    RawResponse r = readResponse(c, buf);
    QVERIFY(r.complete);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
    // Closed, and nothing else answered.
    bool closed = false;
    QByteArray rest = buf + c.readUntilClosed(5'000, &closed);
    QVERIFY(closed);
    QVERIFY2(!rest.contains("HTTP/1.1"), rest.constData());
    // curl -d
    CurlResult cr = runCurl({"-d", "x=1", "-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(cr.out, QByteArray("400"));
  }

  // ---- connections ----------------------------------------------------------------

  void keepAliveReuse() {
    auto s = share(big_);
    auto t = share(text_);
    QString o1 = fx_->path("ka1"), o2 = fx_->path("ka2"), o3 = fx_->path("ka3");
    CurlResult c = runCurl({"-w", "%{num_connects}\n", "-o", o1, fx_->url(s), "-o", o2, fx_->url(t), "-o", o3,
                            fx_->url(s)});
    QVERIFY2(c.exitCode == 0, c.err.constData());
    QCOMPARE(c.out, QByteArray("1\n0\n0\n"));  // one connection for all three
    QCOMPARE(sha256File(o1), bigSha_);
    QCOMPARE(readFileBytes(o2), QByteArray("hello, ferry\n"));
    QCOMPARE(sha256File(o3), bigSha_);
    // Keep-alive also after a 404 and a 304.
    QByteArray etag = rawRequest(port(), getRequest(port(), fx_->target(s), {}, "HEAD"), true).header("etag");
    CurlResult d = runCurl({"-w", "%{num_connects} %{http_code}\n", "-o", "/dev/null",
                            QString("http://127.0.0.1:%1/nothing-here").arg(port()), "-o", "/dev/null", "-H",
                            "If-None-Match: " + QString::fromLatin1(etag), fx_->url(s), "-o", "/dev/null", fx_->url(t)});
    QCOMPARE(d.out, QByteArray("1 404\n0 304\n0 200\n"));
  }

  void pipelinedInOrder() {
    auto s = share(big_);
    auto t = share(text_);
    const std::uint16_t p = port();
    RawClient c(p);
    // A big response first: the small ones behind it must wait their turn.
    QByteArray reqs = getRequest(p, fx_->target(s)) + getRequest(p, fx_->target(t)) +
                      getRequest(p, fx_->target(s), "Range: bytes=10-19\r\n") + getRequest(p, "/") +
                      getRequest(p, fx_->target(t), {}, "HEAD") + getRequest(p, fx_->target(s), "Range: bytes=-3\r\n");
    QVERIFY(c.send(reqs));
    QByteArray buf;
    RawResponse r1 = readResponse(c, buf, false, 30'000);
    QCOMPARE(r1.status, 200);
    QCOMPARE(sha256(r1.body), bigSha_);
    RawResponse r2 = readResponse(c, buf);
    QCOMPARE(r2.status, 200);
    QCOMPARE(r2.body, QByteArray("hello, ferry\n"));
    RawResponse r3 = readResponse(c, buf);
    QCOMPARE(r3.status, 206);
    QVERIFY(r3.body == bigBytes_.mid(10, 10));
    RawResponse r4 = readResponse(c, buf);
    QCOMPARE(r4.status, 404);
    RawResponse r5 = readResponse(c, buf, true);
    QCOMPARE(r5.status, 200);
    QCOMPARE(r5.contentLength(), 13);
    RawResponse r6 = readResponse(c, buf);
    QCOMPARE(r6.status, 206);
    QVERIFY(r6.body == bigBytes_.right(3));
    QVERIFY(buf.isEmpty());

    // Many tiny pipelined requests sent byte by byte, then all at once.
    RawClient d(p);
    QByteArray many;
    for (int i = 0; i < 50; ++i)
      many += getRequest(p, fx_->target(s), "Range: bytes=" + QByteArray::number(i) + "-" + QByteArray::number(i) + "\r\n");
    for (int i = 0; i < 200; ++i) QVERIFY(d.send(many.mid(i, 1)));
    QVERIFY(d.send(many.mid(200)));
    QByteArray dbuf;
    for (int i = 0; i < 50; ++i) {
      RawResponse r = readResponse(d, dbuf);
      QCOMPARE(r.status, 206);
      QCOMPARE(r.body, bigBytes_.mid(i, 1));
    }
  }

  void pipelinedRequestThenClose() {
    // "Connection: close" on the second of three: the third is never answered.
    auto t = share(text_);
    const std::uint16_t p = port();
    RawClient c(p);
    QVERIFY(c.send(getRequest(p, fx_->target(t)) + getRequest(p, fx_->target(t), "Connection: close\r\n") +
                   getRequest(p, fx_->target(t))));
    bool closed = false;
    QByteArray all = c.readUntilClosed(5'000, &closed);
    QVERIFY(closed);
    QCOMPARE(all.count("HTTP/1.1 200"), 2);
  }

  void http10() {
    auto t = share(text_);
    const std::uint16_t p = port();
    // Plain 1.0: answered, then closed.
    {
      RawClient c(p);
      QVERIFY(c.send("GET " + fx_->target(t) + " HTTP/1.0\r\n\r\n"));
      QByteArray buf;
      RawResponse r = readResponse(c, buf);
      QVERIFY(r.complete);
      QCOMPARE(r.status, 200);
      QCOMPARE(r.body, QByteArray("hello, ferry\n"));
      QVERIFY(r.header("connection").toLower() != "keep-alive");
      QVERIFY(c.waitClosed(5'000));
    }
    // 1.0 with keep-alive: answered with keep-alive and kept open.
    {
      RawClient c(p);
      QByteArray req = "GET " + fx_->target(t) + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
      QVERIFY(c.send(req));
      QByteArray buf;
      RawResponse r = readResponse(c, buf);
      QCOMPARE(r.status, 200);
      QCOMPARE(r.header("connection").toLower(), QByteArray("keep-alive"));
      QVERIFY(c.send(req));
      RawResponse r2 = readResponse(c, buf);
      QCOMPARE(r2.status, 200);
      QCOMPARE(r2.body, QByteArray("hello, ferry\n"));
    }
    // curl --http1.0 downloads a big file.
    auto s = share(big_);
    QString out = fx_->path("h10.bin");
    CurlResult cr = runCurl({"--http1.0", "-o", out, fx_->url(s)});
    QCOMPARE(cr.exitCode, 0);
    QCOMPARE(sha256File(out), bigSha_);
    // 1.1 with Connection: close closes after the response.
    RawClient c(p);
    QVERIFY(c.send(getRequest(p, fx_->target(t), "Connection: close\r\n")));
    QByteArray buf;
    RawResponse r = readResponse(c, buf);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
    QVERIFY(c.waitClosed(5'000));
  }

  void hostileFileNames() {
    // Names are the user's, not ours to trust: quotes, semicolons, percent
    // signs, and CR/LF (legal in POSIX names) must not bend the headers.
    const QString names[] = {"say \"hi\"; now.txt", "100% done,ok.txt", "evil\r\nSet-Cookie: pwned=1.txt",
                             "tab\there.txt"};
    for (const QString& name : names) {
      QString path = fx_->path(name);
      QVERIFY2(writeFile(path, "x"), qPrintable(name));
      auto s = share(path);
      QVERIFY(!s.token.empty());
      RawResponse r = rawRequest(port(), getRequest(port(), fx_->target(s)));
      QCOMPARE(r.status, 200);
      QCOMPARE(r.body, QByteArray("x"));
      QVERIFY2(!r.has("set-cookie"), r.head.constData());
      QByteArray cd = r.header("content-disposition");
      for (char ch : cd) QVERIFY(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f);
      QCOMPARE(decodeExtValue(cd.mid(cd.indexOf("filename*=") + 10)), name);
      // The head is exactly the lines we expect: every line "Name: value".
      for (const QByteArray& line : r.head.split('\n').mid(1)) QVERIFY2(line.contains(": "), line.constData());
    }
  }

  void halfClosedClientStillAnswered() {
    // A client may send its requests and shut down its side at once
    // (`nc -N`, some scripts): every response still arrives in full.
    auto s = share(big_);
    auto t = share(text_);
    RawClient c(port());
    QVERIFY(c.send(getRequest(port(), fx_->target(t)) + getRequest(port(), fx_->target(s))));
    c.shutdownWrite();
    QByteArray buf;
    RawResponse r1 = readResponse(c, buf);
    QCOMPARE(r1.status, 200);
    QCOMPARE(r1.body, QByteArray("hello, ferry\n"));
    RawResponse r2 = readResponse(c, buf, false, 30'000);
    QVERIFY(r2.complete);
    QCOMPARE(sha256(r2.body), bigSha_);
    QVERIFY(c.waitClosed(5'000));
  }

  void pipelinedBurstPastTheReadBuffer() {
    // More pipelined requests than the read buffer holds (~48 KiB), sent by
    // one thread while this one reads: reading pauses and resumes, and all
    // are answered, in order.
    auto s = share(big_);
    const std::uint16_t p = port();
    const int n = 800;
    QByteArray all;
    for (int i = 0; i < n; ++i)
      all += getRequest(p, fx_->target(s), "Range: bytes=" + QByteArray::number(i * 7) + "-" +
                                               QByteArray::number(i * 7 + 6) + "\r\n");
    QVERIFY(all.size() > 64 * 1024);
    RawClient c(p);
    bool sent = false;
    std::thread sender([&] { sent = c.send(all); });
    QByteArray buf;
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      RawResponse r = readResponse(c, buf, false, 15'000);
      if (!r.complete || r.status != 206 || r.body != bigBytes_.mid(i * 7, 7)) break;
      ++ok;
    }
    sender.join();
    QVERIFY(sent);
    QCOMPARE(ok, n);
  }

  void ipv6AndDualStack() {
    // Bound to ::1 only.
    {
      ServerFixture v6;
      v6.options.bind = "::1";
      if (!v6.start(currentPoller())) QSKIP("no IPv6 loopback here");
      auto s = v6.share(text_);
      QString url = QString::fromStdString(v6.server.linkFor(s, "::1"));
      QVERIFY2(url.startsWith(QString("http://[::1]:%1/").arg(v6.port())), qPrintable(url));
      CurlResult c = runCurl({"-g", url});
      QVERIFY2(c.exitCode == 0, c.err.constData());
      QCOMPARE(c.out, QByteArray("hello, ferry\n"));
      QnamResult q = qnamGet(QUrl(url));
      QCOMPARE(q.status, 200);
      QCOMPARE(q.body, QByteArray("hello, ferry\n"));
    }
    // Every interface: reachable over IPv4 and IPv6 alike.
    {
      ServerFixture any;
      any.options.bind = "";
      QVERIFY(any.start(currentPoller()));
      auto s = any.share(text_);
      CurlResult c4 = runCurl({QString::fromStdString(any.server.linkFor(s, "127.0.0.1"))});
      QCOMPARE(c4.out, QByteArray("hello, ferry\n"));
      CurlResult c6 = runCurl({"-g", QString::fromStdString(any.server.linkFor(s, "::1"))});
      if (c6.exitCode == 7) QSKIP("no IPv6 loopback here");
      QCOMPARE(c6.out, QByteArray("hello, ferry\n"));
    }
  }

  void sixtyFourBitOffsets() {
    auto s = share(sparse_);
    const std::uint16_t p = port();
    // HEAD: the whole size in Content-Length.
    RawResponse h = rawRequest(p, getRequest(p, fx_->target(s), {}, "HEAD"), true);
    QCOMPARE(h.status, 200);
    QCOMPARE(h.header("content-length"), QByteArray::number(kSparseSize));
    // The last 8 KiB, by explicit range, by suffix, and across the boundary.
    QByteArray range = "bytes=" + QByteArray::number(kSparseTailAt) + "-" + QByteArray::number(kSparseSize - 1);
    RawResponse r = rawRequest(p, getRequest(p, fx_->target(s), "Range: " + range + "\r\n"));
    QCOMPARE(r.status, 206);
    QCOMPARE(r.contentLength(), 8192);
    QCOMPARE(r.header("content-range"), "bytes " + QByteArray::number(kSparseTailAt) + "-" +
                                            QByteArray::number(kSparseSize - 1) + "/" + QByteArray::number(kSparseSize));
    QVERIFY(r.body == sparseTail_);
    RawResponse suffix = rawRequest(p, getRequest(p, fx_->target(s), "Range: bytes=-100\r\n"));
    QCOMPARE(suffix.status, 206);
    QVERIFY(suffix.body == sparseTail_.right(100));
    QByteArray across = "bytes=" + QByteArray::number(kSparseTailAt - 50) + "-" + QByteArray::number(kSparseTailAt + 49);
    RawResponse x = rawRequest(p, getRequest(p, fx_->target(s), "Range: " + across + "\r\n"));
    QCOMPARE(x.status, 206);
    QVERIFY(x.body == QByteArray(50, '\0') + sparseTail_.left(50));
    // Just past 4 GiB (where a 32-bit offset would wrap to the start).
    RawResponse at4g = rawRequest(p, getRequest(p, fx_->target(s), "Range: bytes=4294967296-4294967305\r\n"));
    QCOMPARE(at4g.status, 206);
    QCOMPARE(at4g.body, QByteArray(10, '\0'));
    // curl, open-ended from near the end.
    QString out = fx_->path("tail.bin");
    CurlResult c = runCurl({"-r", QString::number(kSparseSize - 1000) + "-", "-o", out, "-w", "%{http_code}",
                            fx_->url(s)});
    QCOMPARE(c.out, QByteArray("206"));
    QVERIFY(readFileBytes(out) == sparseTail_.right(1000));
  }
};

QTEST_GUILESS_MAIN(TestHttpDownload)
#include "tst_http_download.moc"
