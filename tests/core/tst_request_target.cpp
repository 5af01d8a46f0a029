// parseRequestTarget and percent coding: the URL names a token, never a path.

#include <QTest>

#include <string>

#include "request_target.h"

using ferry::parseRequestTarget;
using ferry::RequestTarget;

namespace {
const std::string kToken = "AbCdEfGhIjKlMnOpQrStUv";  // 22 base64url chars = 132 bits
}

class TestRequestTarget : public QObject {
  Q_OBJECT

 private slots:
  void targets_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("token");
    const QString t = QString::fromStdString(kToken);
    const int ok = RequestTarget::kOk, bad = RequestTarget::kBadRequest, nf = RequestTarget::kNotFound;

    QTest::newRow("token only") << "/" + t << ok << t;
    QTest::newRow("token slash") << "/" + t + "/" << ok << t;
    QTest::newRow("token name") << "/" + t + "/file.txt" << ok << t;
    QTest::newRow("encoded name") << "/" + t + "/r%C3%A9sum%C3%A9%20%C3%BC.pdf" << ok << t;
    QTest::newRow("query ignored") << "/" + t + "/f.txt?download=1" << ok << t;
    QTest::newRow("fragment ignored") << "/" + t + "/f.txt#x" << ok << t;
    QTest::newRow("dash underscore") << "/abc-DEF_ghi-JKL_mno/x" << ok << "abc-DEF_ghi-JKL_mno";
    QTest::newRow("dotdot as name") << "/" + t + "/.." << ok << t;  // the name is never a path

    // Not found: "/" lists nothing, and anything that is not a token.
    QTest::newRow("root") << "/" << nf << "";
    QTest::newRow("root query") << "/?list" << nf << "";
    QTest::newRow("short token") << "/abc/f.txt" << nf << "";
    QTest::newRow("long token") << "/" + QString(65, 'a') << nf << "";
    QTest::newRow("token with dot") << "/" + t + ".x/f" << nf << "";
    QTest::newRow("dotdot") << "/../../etc/passwd" << nf << "";
    // A path after the token is the share's to read (a folder's handler
    // refuses ".."), never this parser's.
    QTest::newRow("dotdot after token") << "/" + t + "/../../etc/passwd" << ok << t;
    QTest::newRow("deeper path") << "/" + t + "/a/b" << ok << t;
    QTest::newRow("double slash") << "//" + t << nf << "";
    QTest::newRow("encoded token chars") << "/%41bCdEfGhIjKlMnOpQrStUv" << nf << "";
    QTest::newRow("favicon") << "/favicon.ico" << nf << "";

    // Bad request.
    QTest::newRow("empty") << "" << bad << "";
    QTest::newRow("absolute uri") << "http://example.com/" + t + "/f" << bad << "";
    QTest::newRow("asterisk") << "*" << bad << "";
    QTest::newRow("relative") << t + "/f" << bad << "";
    QTest::newRow("backslash") << "/" + t + "\\..\\x" << bad << "";
    QTest::newRow("encoded slash") << "/" + t + "%2F..%2Fx" << bad << "";
    QTest::newRow("encoded slash lower") << "/" + t + "/a%2fb" << bad << "";
    QTest::newRow("encoded backslash") << "/" + t + "/a%5Cb" << bad << "";
    QTest::newRow("encoded nul") << "/" + t + "/a%00b" << bad << "";
    QTest::newRow("bad escape") << "/" + t + "/a%zzb" << bad << "";
    QTest::newRow("truncated escape") << "/" + t + "/a%4" << bad << "";
    QTest::newRow("lone percent") << "/" + t + "/%" << bad << "";
    QTest::newRow("control char") << "/" + t + "/a\tb" << bad << "";
    QTest::newRow("del") << "/" + t + "/a\x7f" << bad << "";
  }

  void targets() {
    QFETCH(QString, target);
    QFETCH(int, status);
    QFETCH(QString, token);
    std::string in = target.toStdString();
    RequestTarget r = parseRequestTarget(in);
    QCOMPARE(int(r.status), status);
    if (status == RequestTarget::kOk) {
      QCOMPARE(QString::fromStdString(std::string(r.token)), token);
      // The token view points into the input.
      QVERIFY(r.token.data() >= in.data() && r.token.data() + r.token.size() <= in.data() + in.size());
    }
  }

  void pathAndQueryAfterTheToken() {
    const std::string t = kToken;
    struct Case {
      std::string in, path, query;
    } cases[] = {
        {"/" + t, "", ""},
        {"/" + t + "/", "/", ""},
        {"/" + t + "/Photos/2024/", "/Photos/2024/", ""},
        {"/" + t + "/Photos/?zip", "/Photos/", "zip"},
        {"/" + t + "/Photos/?sort=size&order=asc#top", "/Photos/", "sort=size&order=asc"},
        {"/" + t + "/f#frag?not-a-query", "/f", ""},
    };
    for (const Case& c : cases) {
      RequestTarget r = parseRequestTarget(c.in);
      QCOMPARE(int(r.status), int(RequestTarget::kOk));
      QCOMPARE(std::string(r.path), c.path);
      QCOMPARE(std::string(r.query), c.query);
    }
  }

  void queryParameters() {
    std::string_view v;
    QVERIFY(ferry::findQueryParam("zip", "zip", v) && v.empty());
    QVERIFY(ferry::findQueryParam("sort=size&order=asc", "order", v) && v == "asc");
    QVERIFY(ferry::findQueryParam("a=1&zip&b=2", "zip", v) && v.empty());
    QVERIFY(ferry::findQueryParam("name=a%26b&size=3", "name", v) && v == "a%26b");
    QVERIFY(!ferry::findQueryParam("zipper=1&azip", "zip", v));
    QVERIFY(!ferry::findQueryParam("", "zip", v));
  }

  void rawNulIsBad() {
    std::string in = "/" + kToken + "/a";
    in.push_back('\0');
    in += "b";
    QCOMPARE(int(parseRequestTarget(in).status), int(RequestTarget::kBadRequest));
  }

  void percentDecode() {
    std::string out;
    QVERIFY(ferry::percentDecode("r%C3%A9sum%C3%A9%20%C3%BC.pdf", out));
    QCOMPARE(out, std::string("r\xC3\xA9sum\xC3\xA9 \xC3\xBC.pdf"));
    QVERIFY(ferry::percentDecode("plain", out));
    QCOMPARE(out, std::string("plain"));
    QVERIFY(ferry::percentDecode("%2f%2F%41", out));
    QCOMPARE(out, std::string("//A"));
    QVERIFY(ferry::percentDecode("", out));
    QCOMPARE(out, std::string());
    QVERIFY(!ferry::percentDecode("%", out));
    QVERIFY(!ferry::percentDecode("%4", out));
    QVERIFY(!ferry::percentDecode("%G1", out));
    QVERIFY(!ferry::percentDecode("a%00b", out));
    QVERIFY(!ferry::percentDecode(std::string("a\0b", 3), out));
  }

  void percentEncodeRoundTrip() {
    const std::string names[] = {"r\xC3\xA9sum\xC3\xA9 \xC3\xBC.pdf", "a b+c&d=e?f#g", "100%.txt", "quote\"'.txt",
                                 "slash/back\\slash", "plain-name_1.0~x", "\xE6\x97\xA5\xE6\x9C\xAC.txt"};
    for (const auto& n : names) {
      std::string enc = ferry::percentEncodePathSegment(n);
      for (char c : enc) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
        QVERIFY2(unreserved, enc.c_str());
      }
      std::string back;
      QVERIFY(ferry::percentDecode(enc, back));
      QCOMPARE(back, n);
      // And the encoded name is accepted after a token (except an encoded
      // slash or backslash, which a link never needs: names have none).
      if (n.find('/') == std::string::npos && n.find('\\') == std::string::npos) {
        std::string target = "/" + kToken + "/" + enc;
        QCOMPARE(int(parseRequestTarget(target).status), int(RequestTarget::kOk));
      }
    }
    QCOMPARE(ferry::percentEncodePathSegment("a b"), std::string("a%20b"));
  }

  void looksLikeToken() {
    QVERIFY(ferry::looksLikeToken(kToken));
    QVERIFY(ferry::looksLikeToken(std::string(16, 'a')));
    QVERIFY(ferry::looksLikeToken(std::string(64, 'Z')));
    QVERIFY(!ferry::looksLikeToken(std::string(15, 'a')));
    QVERIFY(!ferry::looksLikeToken(std::string(65, 'a')));
    QVERIFY(!ferry::looksLikeToken("aaaaaaaaaaaaaaaa+"));
    QVERIFY(!ferry::looksLikeToken("aaaaaaaaaaaaaaa/a"));
    QVERIFY(!ferry::looksLikeToken("aaaaaaaaaaaaaaa=a"));
    QVERIFY(!ferry::looksLikeToken(""));
  }
};

QTEST_APPLESS_MAIN(TestRequestTarget)
#include "tst_request_target.moc"
