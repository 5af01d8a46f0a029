// What CachePolicy lets caches keep of a share's answers: a plain link is
// revalidated on every reuse unless public caching is on (never a 206 of
// it), a link with any
// rule is never stored whatever the setting says, a password link varies
// with the credentials that unlocked it, and a listing is never stored.

#include <QTest>

#include <map>

#include "cache_policy.h"
#include "share_registry.h"

using ferry::CachePolicy;
using ferry::Share;
using ferry::ShareRules;

namespace {

// The header lines a policy appends, by name; every line must end in CRLF.
std::map<std::string, std::string> headersOf(const std::string& block) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < block.size()) {
    const std::size_t end = block.find("\r\n", at);
    if (end == std::string::npos) {
      out["(unterminated)"] = block.substr(at);
      break;
    }
    const std::string line = block.substr(at, end - at);
    const std::size_t colon = line.find(": ");
    out[colon == std::string::npos ? line : line.substr(0, colon)] =
        colon == std::string::npos ? "" : line.substr(colon + 2);
    at = end + 2;
  }
  return out;
}

std::map<std::string, std::string> content(const CachePolicy& p, const Share& s) {
  std::string h;
  p.appendContentHeaders(h, s);
  return headersOf(h);
}

std::map<std::string, std::string> page(const Share& s) {
  std::string h;
  CachePolicy::appendPageHeaders(h, s);
  return headersOf(h);
}

Share withRules(const ShareRules& rules) {
  Share s;
  s.token = "abcdefghijklmnopqrstuv";
  s.name = "report.pdf";
  s.rules = rules;
  return s;
}

}  // namespace

class TestCachePolicy : public QObject {
  Q_OBJECT

 private slots:
  void plainLinkIsRevalidatedByDefault() {
    const auto h = content(CachePolicy{}, withRules({}));
    QCOMPARE(h.size(), std::size_t(1));
    QCOMPARE(h.at("Cache-Control"), std::string("no-cache"));
  }

  void plainLinkIsPublicForTheSecondsGiven() {
    for (std::uint32_t seconds : {1u, 60u, 86400u, 0xffffffffu}) {
      const auto h = content(CachePolicy{seconds}, withRules({}));
      QCOMPARE(h.size(), std::size_t(1));
      QCOMPARE(h.at("Cache-Control"), "public, max-age=" + std::to_string(seconds));
    }
  }

  void aPartOfAPlainLinkIsNeverPublic() {
    // A 206 marked public would be kept by a cache that keys on the URL
    // alone, and handed out as the whole file.
    for (std::uint32_t seconds : {0u, 60u}) {
      std::string h;
      CachePolicy{seconds}.appendContentHeaders(h, withRules({}), true);
      QCOMPARE(headersOf(h).at("Cache-Control"), std::string("no-cache"));
    }
  }

  void anyRuleIsNeverStored_data() {
    QTest::addColumn<int>("rule");
    QTest::newRow("expiry") << 0;
    QTest::newRow("download limit") << 1;
    QTest::newRow("password") << 2;
    QTest::newRow("all three") << 3;
  }
  void anyRuleIsNeverStored() {
    QFETCH(int, rule);
    ShareRules r;
    if (rule == 0 || rule == 3) r.expires = ShareRules::Clock::now() + std::chrono::hours(2);
    if (rule == 1 || rule == 3) r.downloadLimit = 1;
    if (rule == 2 || rule == 3) r.password = "correct horse";
    const Share s = withRules(r);
    QVERIFY(s.rules.any());
    const bool password = !r.password.empty();
    // Public caching on or off: a rule wins.
    for (std::uint32_t seconds : {0u, 60u}) {
      auto h = content(CachePolicy{seconds}, s);
      std::string part;
      CachePolicy{seconds}.appendContentHeaders(part, s, true);
      QVERIFY(headersOf(part) == h);  // a 206 as the 200
      QCOMPARE(h.at("Cache-Control"), std::string("private, no-store"));
      QCOMPARE(h.count("Vary"), std::size_t(password ? 1 : 0));
      if (password) QCOMPARE(h.at("Vary"), std::string("Cookie, Authorization"));
      QCOMPARE(h.size(), std::size_t(password ? 2 : 1));
    }
  }

  void listingsAreNeverStored() {
    ShareRules locked;
    locked.password = "correct horse";
    const auto plain = page(withRules({}));
    QCOMPARE(plain.size(), std::size_t(1));
    QCOMPARE(plain.at("Cache-Control"), std::string("no-store"));
    const auto withPassword = page(withRules(locked));
    QCOMPARE(withPassword.size(), std::size_t(2));
    QCOMPARE(withPassword.at("Cache-Control"), std::string("no-store"));
    QCOMPARE(withPassword.at("Vary"), std::string("Cookie, Authorization"));
  }

  void appendsToWhatIsThere() {
    // Written into a response head in the middle: nothing before it is lost.
    std::string head = "ETag: \"1-2-3\"\r\n";
    CachePolicy{60}.appendContentHeaders(head, withRules({}));
    QCOMPARE(head, std::string("ETag: \"1-2-3\"\r\nCache-Control: public, max-age=60\r\n"));
  }
};

QTEST_GUILESS_MAIN(TestCachePolicy)
#include "tst_cache_policy.moc"
