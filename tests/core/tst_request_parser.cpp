// RequestParser: one request head at a time, as HttpConnection drives it.
//
// Pure function tests, no sockets. The parser is fed every prefix of several
// requests (every split point a TCP stream could produce) and must say
// "incomplete" until the last byte, then give the same fields as a one-shot
// parse. Limits, bodies and malformed input are each checked for the status
// the connection will answer with.

#include <QTest>

#include <string>
#include <string_view>
#include <vector>

#include "http_limits.h"
#include "http_request.h"

using ferry::HttpLimits;
using ferry::HttpRequest;
using ferry::RequestParser;
using Result = RequestParser::Result;

// A literal with embedded NULs, every byte of it.
#define RAW(s) QByteArray(s, sizeof(s) - 1)

namespace {

struct Parsed {
  Result result = Result::kIncomplete;
  int status = 0;
  std::size_t consumed = 0;
  // Copies of the views (the buffer they point into may go away).
  std::string method, target;
  int major = 0, minor = 0;
  bool keepAlive = false, isGet = false, isHead = false, hasBody = false;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One connection's view of the parser: the parser may be shared by every
// connection of a loop; the scan progress belongs to the connection.
struct Stream {
  RequestParser* parser;
  std::size_t scanned = 0;
  explicit Stream(RequestParser& p) : parser(&p) {}
};

Parsed parseWith(Stream& st, std::string_view in, const HttpLimits& limits = {}) {
  HttpRequest req;
  Parsed out;
  out.result = st.parser->parse(in, limits, req, out.consumed, out.status, st.scanned);
  if (out.result == Result::kComplete) {
    out.method = std::string(req.method);
    out.target = std::string(req.target);
    out.major = req.versionMajor;
    out.minor = req.versionMinor;
    out.keepAlive = req.keepAlive;
    out.isGet = req.isGet;
    out.isHead = req.isHead;
    out.hasBody = req.hasBody;
    for (std::size_t i = 0; i < req.headerCount; ++i)
      out.headers.emplace_back(std::string(req.headers[i].name), std::string(req.headers[i].value));
  }
  return out;
}

Parsed parseOnce(std::string_view in, const HttpLimits& limits = {}) {
  RequestParser p;
  Stream st(p);
  return parseWith(st, in, limits);
}

const char* name(Result r) {
  switch (r) {
    case Result::kIncomplete: return "incomplete";
    case Result::kComplete: return "complete";
    case Result::kError: return "error";
  }
  return "?";
}

bool sameFields(const Parsed& a, const Parsed& b) {
  return a.result == b.result && a.consumed == b.consumed && a.method == b.method && a.target == b.target &&
         a.major == b.major && a.minor == b.minor && a.keepAlive == b.keepAlive && a.isGet == b.isGet &&
         a.isHead == b.isHead && a.hasBody == b.hasBody && a.headers == b.headers;
}

std::string manyHeaders(int n, std::size_t valueSize = 8) {
  std::string h;
  for (int i = 0; i < n; ++i) h += "X-H" + std::to_string(i) + ": " + std::string(valueSize, 'v') + "\r\n";
  return h;
}

}  // namespace

class TestRequestParser : public QObject {
  Q_OBJECT

 private slots:
  void simpleGet() {
    Parsed p = parseOnce("GET /abc/def.txt HTTP/1.1\r\nHost: example\r\nRange: bytes=0-9\r\n\r\n");
    QCOMPARE(p.result, Result::kComplete);
    QCOMPARE(p.method, std::string("GET"));
    QVERIFY(p.isGet);
    QVERIFY(!p.isHead);
    QCOMPARE(p.target, std::string("/abc/def.txt"));
    QCOMPARE(p.major, 1);
    QCOMPARE(p.minor, 1);
    QVERIFY(p.keepAlive);
    QVERIFY(!p.hasBody);
    QCOMPARE(p.headers.size(), std::size_t(2));
    QCOMPARE(p.headers[0].first, std::string("Host"));
    QCOMPARE(p.headers[0].second, std::string("example"));
    QCOMPARE(p.headers[1].second, std::string("bytes=0-9"));
  }

  void headerLookupIsCaseInsensitive() {
    std::string in = "GET / HTTP/1.1\r\nHOST: a\r\nx-thing: 1\r\nX-Thing: 2\r\n\r\n";
    RequestParser p;
    HttpRequest req;
    std::size_t consumed = 0, scanned = 0;
    int status = 0;
    QCOMPARE(p.parse(in, HttpLimits{}, req, consumed, status, scanned), Result::kComplete);
    QCOMPARE(req.header("host"), std::string_view("a"));
    QCOMPARE(req.header("X-THING"), std::string_view("1"));
    QCOMPARE(req.count("x-thing"), std::size_t(2));
    QCOMPARE(req.count("absent"), std::size_t(0));
    QVERIFY(req.header("absent").empty());
  }

  void headerValueWhitespaceTrimmed() {
    Parsed p = parseOnce("GET / HTTP/1.1\r\nHost:   spaced\t \r\n\r\n");
    QCOMPARE(p.result, Result::kComplete);
    // llhttp strips leading whitespace; trailing OWS may remain and the
    // connection trims it. Either way the value starts with the text.
    QVERIFY(p.headers[0].second.rfind("spaced", 0) == 0);
  }

  void http10AndKeepAlive() {
    Parsed a = parseOnce("GET /x HTTP/1.0\r\n\r\n");
    QCOMPARE(a.result, Result::kComplete);
    QCOMPARE(a.minor, 0);
    QVERIFY(!a.keepAlive);
    Parsed b = parseOnce("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QCOMPARE(b.result, Result::kComplete);
    QVERIFY(b.keepAlive);
    Parsed c = parseOnce("GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    QCOMPARE(c.result, Result::kComplete);
    QVERIFY(!c.keepAlive);
  }

  void headMethodAndOthers() {
    Parsed h = parseOnce("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(h.result, Result::kComplete);
    QVERIFY(h.isHead);
    QVERIFY(!h.isGet);
    for (const char* m : {"POST", "PUT", "DELETE", "OPTIONS"}) {
      Parsed o = parseOnce(std::string(m) + " /x HTTP/1.1\r\nHost: h\r\n\r\n");
      QCOMPARE(o.result, Result::kComplete);
      QCOMPARE(o.method, std::string(m));
      QVERIFY(!o.isGet && !o.isHead);
    }
  }

  void leadingEmptyLinesTolerated() {
    std::string in = "\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    Parsed p = parseOnce(in);
    QCOMPARE(p.result, Result::kComplete);
    QCOMPARE(p.consumed, in.size());
    QCOMPARE(p.target, std::string("/x"));
  }

  // ---- every split point --------------------------------------------------

  void everySplitPoint_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("minimal") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    QTest::newRow("range") << QByteArray(
        "GET /AAAAAAAAAAAAAAAAAAAAAA/r%C3%A9sum%C3%A9.pdf?x=1 HTTP/1.1\r\n"
        "Host: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
        "Range: bytes=100-199\r\nIf-Range: \"abc-def\"\r\n\r\n");
    QTest::newRow("head-http10") << QByteArray("HEAD /t/n HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTest::newRow("leading-crlf") << QByteArray("\r\nGET /q HTTP/1.1\r\nHost: h\r\n\r\n");
    QTest::newRow("long-values") << QByteArray(
        ("GET /" + std::string(300, 'p') + " HTTP/1.1\r\nHost: h\r\nCookie: " + std::string(1000, 'c') +
         "\r\nX-Empty:\r\n\r\n")
            .c_str());
    QTest::newRow("with-body-header") << QByteArray("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
  }

  void everySplitPoint() {
    QFETCH(QByteArray, request);
    const std::string all = request.toStdString();
    const Parsed reference = parseOnce(all);
    QCOMPARE(reference.result, Result::kComplete);
    QCOMPARE(reference.consumed, all.size());

    // A fresh parser sees the first k bytes, then everything.
    for (std::size_t k = 0; k < all.size(); ++k) {
      RequestParser parser;
      Stream p(parser);
      Parsed part = parseWith(p, std::string_view(all).substr(0, k));
      if (part.result != Result::kIncomplete)
        QFAIL(qPrintable(QString("prefix of %1 bytes: %2 (status %3), expected incomplete")
                             .arg(k)
                             .arg(name(part.result))
                             .arg(part.status)));
      Parsed whole = parseWith(p, all);
      if (!sameFields(whole, reference))
        QFAIL(qPrintable(QString("after a prefix of %1 bytes the full parse differs: %2 target '%3'")
                             .arg(k)
                             .arg(name(whole.result))
                             .arg(QString::fromStdString(whole.target))));
    }

    // One parser fed a byte at a time, as a slow client sends it.
    RequestParser parser;
    Stream p(parser);
    for (std::size_t k = 1; k <= all.size(); ++k) {
      Parsed r = parseWith(p, std::string_view(all).substr(0, k));
      if (k < all.size()) {
        if (r.result != Result::kIncomplete)
          QFAIL(qPrintable(QString("byte-by-byte at %1: %2").arg(k).arg(name(r.result))));
      } else {
        QVERIFY(sameFields(r, reference));
      }
    }

    // Two arbitrary cuts with the same parser (k1 < k2 < n).
    for (std::size_t k1 = 1; k1 < all.size(); k1 += 7) {
      for (std::size_t k2 = k1 + 1; k2 < all.size(); k2 += 13) {
        Stream q(parser);
        QCOMPARE(parseWith(q, std::string_view(all).substr(0, k1)).result, Result::kIncomplete);
        QCOMPARE(parseWith(q, std::string_view(all).substr(0, k2)).result, Result::kIncomplete);
        QVERIFY(sameFields(parseWith(q, all), reference));
      }
    }
  }

  void oneParserManyConnections() {
    // Two connections share one parser, their bytes arriving interleaved at
    // every split point: neither sees the other's progress.
    const std::string a = "GET /from-a HTTP/1.1\r\nHost: a\r\nRange: bytes=1-2\r\n\r\n";
    const std::string b = "HEAD /from-b HTTP/1.0\r\nX-Y: z\r\n\r\n";
    RequestParser parser;
    for (std::size_t ka = 0; ka < a.size(); ++ka) {
      for (std::size_t kb = 0; kb < b.size(); kb += 3) {
        Stream sa(parser), sb(parser);
        QCOMPARE(parseWith(sa, std::string_view(a).substr(0, ka)).result, Result::kIncomplete);
        QCOMPARE(parseWith(sb, std::string_view(b).substr(0, kb)).result, Result::kIncomplete);
        Parsed ra = parseWith(sa, a);
        QCOMPARE(ra.result, Result::kComplete);
        QCOMPARE(ra.target, std::string("/from-a"));
        QCOMPARE(ra.headers.size(), std::size_t(2));
        Parsed rb = parseWith(sb, b);
        QCOMPARE(rb.result, Result::kComplete);
        QCOMPARE(rb.target, std::string("/from-b"));
        QVERIFY(rb.isHead);
        QCOMPARE(rb.minor, 0);
      }
    }
  }

  // ---- pipelining ---------------------------------------------------------

  void pipelined() {
    const std::string a = "GET /first HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string b = "HEAD /second HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\n\r\n";
    const std::string c = "GET /third HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    std::string buf = a + b + c;
    RequestParser parser;
    Stream p(parser);
    Parsed r1 = parseWith(p, buf);
    QCOMPARE(r1.result, Result::kComplete);
    QCOMPARE(r1.target, std::string("/first"));
    QCOMPARE(r1.consumed, a.size());
    buf.erase(0, r1.consumed);
    Parsed r2 = parseWith(p, buf);
    QCOMPARE(r2.result, Result::kComplete);
    QCOMPARE(r2.target, std::string("/second"));
    QVERIFY(r2.isHead);
    QCOMPARE(r2.consumed, b.size());
    buf.erase(0, r2.consumed);
    Parsed r3 = parseWith(p, buf);
    QCOMPARE(r3.result, Result::kComplete);
    QCOMPARE(r3.target, std::string("/third"));
    QVERIFY(!r3.keepAlive);
    QCOMPARE(r3.consumed, buf.size());
  }

  void pipelinedSecondArrivesInPieces() {
    const std::string a = "GET /first HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string b = "GET /second HTTP/1.1\r\nHost: h\r\n\r\n";
    for (std::size_t k = 0; k < b.size(); ++k) {
      RequestParser parser;
      Stream p(parser);
      std::string buf = a + b.substr(0, k);
      Parsed r1 = parseWith(p, buf);
      QCOMPARE(r1.result, Result::kComplete);
      QCOMPARE(r1.consumed, a.size());
      buf.erase(0, r1.consumed);
      QCOMPARE(parseWith(p, buf).result, Result::kIncomplete);
      buf += b.substr(k);
      Parsed r2 = parseWith(p, buf);
      QCOMPARE(r2.result, Result::kComplete);
      QCOMPARE(r2.target, std::string("/second"));
      QCOMPARE(r2.consumed, b.size());
    }
  }

  // ---- limits -------------------------------------------------------------

  void requestLineTooLong() {
    HttpLimits limits;  // 8 KiB
    std::string longTarget = "/" + std::string(9000, 'a');
    std::string in = "GET " + longTarget + " HTTP/1.1\r\nHost: h\r\n\r\n";
    Parsed p = parseOnce(in, limits);
    QCOMPARE(p.result, Result::kError);
    QCOMPARE(p.status, 414);
    // Without waiting for the line's end: the client is still sending.
    Parsed q = parseOnce("GET " + longTarget, limits);
    QCOMPARE(q.result, Result::kError);
    QCOMPARE(q.status, 414);
    // Just inside the limit is fine.
    std::string okTarget = "/" + std::string(8000, 'a');
    Parsed ok = parseOnce("GET " + okTarget + " HTTP/1.1\r\nHost: h\r\n\r\n", limits);
    QCOMPARE(ok.result, Result::kComplete);
    QCOMPARE(ok.target, okTarget);
  }

  void requestLineLimitConfigurable() {
    HttpLimits limits;
    limits.maxRequestLine = 64;
    QCOMPARE(parseOnce("GET /" + std::string(40, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits).result,
             Result::kComplete);
    Parsed p = parseOnce("GET /" + std::string(80, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits);
    QCOMPARE(p.result, Result::kError);
    QCOMPARE(p.status, 414);
  }

  void headerBlockTooBig() {
    // 40 headers of ~1 KiB: 40 KiB > 32 KiB, but under 100 headers.
    std::string in = "GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders(40, 1024) + "\r\n";
    Parsed p = parseOnce(in);
    QCOMPARE(p.result, Result::kError);
    QCOMPARE(p.status, 431);
    // Still arriving (no end yet) but already past every limit.
    Parsed q = parseOnce("GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders(45, 1024));
    QCOMPARE(q.result, Result::kError);
    QCOMPARE(q.status, 431);
    // ~30 KiB of headers is fine.
    Parsed ok = parseOnce("GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders(30, 1000) + "\r\n");
    QCOMPARE(ok.result, Result::kComplete);
    QCOMPARE(ok.headers.size(), std::size_t(31));
  }

  void tooManyHeaders() {
    // 100 headers in all is allowed; 101 is not.
    Parsed ok = parseOnce("GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders(99) + "\r\n");
    QCOMPARE(ok.result, Result::kComplete);
    QCOMPARE(ok.headers.size(), std::size_t(100));
    Parsed p = parseOnce("GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders(100) + "\r\n");
    QCOMPARE(p.result, Result::kError);
    QCOMPARE(p.status, 431);
    Parsed q = parseOnce("GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders(500) + "\r\n");
    QCOMPARE(q.result, Result::kError);
    QCOMPARE(q.status, 431);
  }

  void headerLimitsConfigurable() {
    HttpLimits limits;
    limits.maxHeaders = 5;
    QCOMPARE(parseOnce("GET / HTTP/1.1\r\n" + manyHeaders(5) + "\r\n", limits).result, Result::kComplete);
    Parsed p = parseOnce("GET / HTTP/1.1\r\n" + manyHeaders(6) + "\r\n", limits);
    QCOMPARE(p.result, Result::kError);
    QCOMPARE(p.status, 431);
    HttpLimits small;
    small.maxHeaderBlock = 256;
    Parsed q = parseOnce("GET / HTTP/1.1\r\n" + manyHeaders(3, 200) + "\r\n", small);
    QCOMPARE(q.result, Result::kError);
    QCOMPARE(q.status, 431);
  }

  // ---- bodies -------------------------------------------------------------

  void bodies() {
    Parsed cl = parseOnce("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n");
    QCOMPARE(cl.result, Result::kComplete);
    QVERIFY(cl.hasBody);
    // The body itself does not need to have arrived.
    Parsed getWithBody = parseOnce("GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
    QCOMPARE(getWithBody.result, Result::kComplete);
    QVERIFY(getWithBody.hasBody);
    Parsed zero = parseOnce("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    QCOMPARE(zero.result, Result::kComplete);
    QVERIFY(!zero.hasBody);
    Parsed te = parseOnce("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
    QCOMPARE(te.result, Result::kComplete);
    QVERIFY(te.hasBody);
    Parsed teGet = parseOnce("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    QCOMPARE(teGet.result, Result::kComplete);
    QVERIFY(teGet.hasBody);
  }

  void otherTransferEncodingIsBodyOrError() {
    // Any Transfer-Encoding means a body; a non-chunked final coding in a
    // request is even a protocol error (RFC 9112 §6.3). Never "no body".
    Parsed p = parseOnce("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n");
    QVERIFY2(p.result == Result::kError ? p.status == 400 : (p.result == Result::kComplete && p.hasBody),
             name(p.result));
  }

  void duplicateContentLength() {
    // Two Content-Length headers are how request smuggling starts: never a
    // request without a body.
    for (const char* cl : {"Content-Length: 5\r\nContent-Length: 5\r\n", "Content-Length: 0\r\nContent-Length: 0\r\n",
                           "Content-Length: 0\r\nContent-Length: 7\r\n"}) {
      Parsed p = parseOnce(std::string("GET / HTTP/1.1\r\nHost: h\r\n") + cl + "\r\n");
      QCOMPARE(p.result, Result::kError);
      QCOMPARE(p.status, 400);
    }
  }

  void contentLengthAndTransferEncoding() {
    Parsed p = parseOnce("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    // Either refused outright, or flagged as having a body (also refused).
    QVERIFY2(p.result == Result::kError ? p.status == 400 : (p.result == Result::kComplete && p.hasBody),
             name(p.result));
    Parsed q = parseOnce("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n");
    QVERIFY2(q.result == Result::kError ? q.status == 400 : (q.result == Result::kComplete && q.hasBody),
             name(q.result));
  }

  void badContentLength() {
    for (const char* v : {"abc", "-1", "1 2", "99999999999999999999999"}) {
      Parsed p = parseOnce(std::string("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: ") + v + "\r\n\r\n");
      QCOMPARE(p.result, Result::kError);
      QCOMPARE(p.status, 400);
    }
  }

  // ---- malformed ----------------------------------------------------------

  void malformed_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("garbage") << QByteArray("GARBAGE\r\n\r\n");
    QTest::newRow("no-target") << QByteArray("GET\r\nHost: h\r\n\r\n");
    QTest::newRow("no-version") << QByteArray("GET /\r\nHost: h\r\n\r\n");
    QTest::newRow("bad-protocol") << QByteArray("GET / HTTX/1.1\r\nHost: h\r\n\r\n");
    QTest::newRow("lowercase-version") << QByteArray("GET / http/1.1\r\nHost: h\r\n\r\n");
    QTest::newRow("extra-token") << QByteArray("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n");
    QTest::newRow("bad-method-chars") << QByteArray("G(ET / HTTP/1.1\r\nHost: h\r\n\r\n");
    QTest::newRow("space-in-target") << QByteArray("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n");
    QTest::newRow("header-no-colon") << QByteArray("GET / HTTP/1.1\r\nHost h\r\n\r\n");
    QTest::newRow("space-before-colon") << QByteArray("GET / HTTP/1.1\r\nHost : h\r\n\r\n");
    QTest::newRow("empty-header-name") << QByteArray("GET / HTTP/1.1\r\n: h\r\n\r\n");
    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-Long: a\r\n  b\r\n\r\n");
    QTest::newRow("obs-fold-tab") << QByteArray("GET / HTTP/1.1\r\nX-Long: a\r\n\tb\r\nHost: h\r\n\r\n");
    QTest::newRow("bare-lf") << QByteArray("GET / HTTP/1.1\nHost: h\n\n");
    QTest::newRow("bare-lf-in-headers") << QByteArray("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n");
    QTest::newRow("bare-cr") << QByteArray("GET / HTTP/1.1\rHost: h\r\n\r\n");
    QTest::newRow("nul-in-target") << RAW("GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n");
    QTest::newRow("nul-in-header") << RAW("GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n");
    QTest::newRow("nul-in-name") << RAW("GET / HTTP/1.1\r\nHo\0st: h\r\n\r\n");
    QTest::newRow("ctl-in-header") << QByteArray("GET / HTTP/1.1\r\nHost: h\x01x\r\n\r\n");
  }

  void malformed() {
    QFETCH(QByteArray, request);
    std::string in(request.constData(), static_cast<std::size_t>(request.size()));
    Parsed p = parseOnce(in);
    QVERIFY2(p.result == Result::kError,
             qPrintable(QString("%1 (target '%2')").arg(name(p.result)).arg(QString::fromStdString(p.target))));
    QCOMPARE(p.status, 400);
  }

  void unsupportedVersion() {
    for (const char* v : {"HTTP/2.0", "HTTP/0.9", "HTTP/3.0"}) {
      Parsed p = parseOnce(std::string("GET / ") + v + "\r\nHost: h\r\n\r\n");
      QCOMPARE(p.result, Result::kError);
      QVERIFY2(p.status == 400 || p.status == 505, qPrintable(QString::number(p.status)));
    }
  }

  void errorStatusesAreHttpStatuses() {
    // Whatever the input, an error carries a status the connection can send.
    const char* inputs[] = {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  // a TLS hello
                            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                            "GET http://[::1/ HTTP/1.1\r\n\r\n"};
    for (const char* in : inputs) {
      Parsed p = parseOnce(in);
      if (p.result == Result::kError)
        QVERIFY(p.status == 400 || p.status == 414 || p.status == 431 || p.status == 505);
    }
  }
};

QTEST_APPLESS_MAIN(TestRequestParser)
#include "tst_request_parser.moc"
