// The pieces of a share's gate that need no socket: reading a Basic password
// and a cookie, comparing secrets, the table of wrong tries on a driven
// clock (free tries, doubling pauses, the ban, its cap on addresses, IPv6
// clients counted by their /64), the
// password sessions, the sentences of an ended link and the pages' holes.

#include <QDateTime>
#include <QTest>

#include <chrono>
#include <string>

#include "credentials.h"
#include "gate_pages.h"
#include "gate_sessions.h"
#include "gate_tries.h"
#include "page_template.h"
#include "share_registry.h"
#include "web_assets.h"

using namespace ferry;
using std::chrono::seconds;

namespace {

std::string basic(const QByteArray& credentials) { return "Basic " + credentials.toBase64().toStdString(); }

Share shareWith(std::string token, std::string password) {
  Share s;
  s.token = std::move(token);
  s.name = "contract.pdf";
  s.rules.password = std::move(password);
  return s;
}

}  // namespace

class TestShareGate : public QObject {
  Q_OBJECT

 private slots:
  void basicPasswordIsWhatFollowsTheFirstColon() {
    std::string pw;
    QVERIFY(basicPassword(basic(":secret"), pw));
    QCOMPARE(pw, std::string("secret"));
    QVERIFY(basicPassword(basic("anyone:a:b c"), pw));
    QCOMPARE(pw, std::string("a:b c"));
    QVERIFY(basicPassword("basic " + QByteArray(":wörd").toBase64().toStdString(), pw));
    QCOMPARE(pw, std::string("wörd"));
    QVERIFY(basicPassword(basic(":"), pw));
    QCOMPARE(pw, std::string());
    // Every length of padding.
    for (const char* c : {"u:1", "u:12", "u:123"}) {
      QVERIFY(basicPassword(basic(c), pw));
      QCOMPARE(pw, std::string(c + 2));
    }
  }

  void basicPasswordRefusesWhatIsNotOne() {
    std::string pw = "kept";
    QVERIFY(!basicPassword("", pw));
    QVERIFY(!basicPassword("Bearer abc", pw));
    QVERIFY(!basicPassword("Basic", pw));
    QVERIFY(!basicPassword("Basic !!!!", pw));
    QVERIFY(!basicPassword("Basic YWJj", pw));           // "abc": no colon
    QVERIFY(!basicPassword("Basic OnNlY3JldA=", pw));    // bad padding
    QVERIFY(!basicPassword("Basic O=nNlY3JldA==", pw));  // data after padding
    QVERIFY(!basicPassword(basic(":" + QByteArray(2000, 'x')), pw));
    QCOMPARE(pw, std::string("kept"));
  }

  void cookieValueFindsTheNamedOne() {
    QCOMPARE(cookieValue("ferry-abc=one", "ferry-abc"), std::string_view("one"));
    QCOMPARE(cookieValue("a=1; ferry-abcd=two;ferry-abc=three ; z=9", "ferry-abc"), std::string_view("three"));
    QCOMPARE(cookieValue("ferry-abc=\"quoted\"", "ferry-abc"), std::string_view("quoted"));
    QCOMPARE(cookieValue("ferry-abcd=two", "ferry-abc"), std::string_view());
    QCOMPARE(cookieValue("", "ferry-abc"), std::string_view());
    QCOMPARE(cookieValue("ferry-abc", "ferry-abc"), std::string_view());
  }

  void sameSecretComparesWholeStrings() {
    QVERIFY(sameSecret("open sesame", "open sesame"));
    QVERIFY(sameSecret("", ""));
    QVERIFY(!sameSecret("open sesamf", "open sesame"));
    QVERIFY(!sameSecret("open", "open sesame"));
    QVERIFY(!sameSecret("open sesame!", "open sesame"));
    QVERIFY(!sameSecret("", "x"));
    QVERIFY(!sameSecret(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
    // Same lengths, a difference at each place in turn (first byte, middle,
    // last), and every bit of a byte: a comparison that skips a byte fails.
    const std::string secret = "0123456789abcdefghijklmnopqrstuv";
    for (std::size_t i = 0; i < secret.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string other = secret;
        other[i] = static_cast<char>(other[i] ^ (1 << bit));
        QVERIFY2(!sameSecret(other, secret), qPrintable(QString("byte %1 bit %2").arg(i).arg(bit)));
        QVERIFY(!sameSecret(secret, other));
      }
    }
  }

  void wrongTriesAreFreeThenPausedThenBanned() {
    WrongTries t;
    auto now = WrongTries::Clock::time_point() + std::chrono::hours(100);
    for (std::uint32_t i = 1; i < WrongTries::kFree; ++i) {
      t.wrong("10.0.0.7", now);
      QCOMPARE(t.wait("10.0.0.7", now), 0u);
    }
    // Each try past the free ones pauses the address twice as long.
    std::uint32_t expected = 1;
    for (std::uint32_t i = WrongTries::kFree; i < WrongTries::kBanAfter; ++i) {
      t.wrong("10.0.0.7", now);
      QCOMPARE(t.wait("10.0.0.7", now), expected);
      QCOMPARE(t.wait("10.0.0.8", now), 0u);
      now += seconds(expected);
      QCOMPARE(t.wait("10.0.0.7", now), 0u);
      expected = std::min<std::uint32_t>(expected * 2, seconds(WrongTries::kMaxPause).count());
    }
    t.wrong("10.0.0.7", now);
    QCOMPARE(t.wait("10.0.0.7", now), std::uint32_t(seconds(WrongTries::kBan).count()));
    QCOMPARE(t.wait("10.0.0.7", now + WrongTries::kBan - std::chrono::milliseconds(1500)), 2u);
    QCOMPARE(t.wait("10.0.0.7", now + WrongTries::kBan), 0u);
    // The right password starts the count afresh.
    t.forgive("10.0.0.7");
    t.wrong("10.0.0.7", now);
    QCOMPARE(t.wait("10.0.0.7", now), 0u);
  }

  void wrongTriesAreForgottenAfterAQuietHour() {
    WrongTries t;
    auto now = WrongTries::Clock::time_point() + std::chrono::hours(100);
    for (std::uint32_t i = 0; i < WrongTries::kFree + 3; ++i) t.wrong("a", now);
    QVERIFY(t.wait("a", now) > 0);
    now += WrongTries::kForget;
    t.wrong("a", now);
    QCOMPARE(t.wait("a", now), 0u);
  }

  void wrongTriesKeepAtMostTheirCapOfAddresses() {
    WrongTries t;
    auto now = WrongTries::Clock::time_point() + std::chrono::hours(100);
    for (std::uint32_t i = 0; i < WrongTries::kFree; ++i) t.wrong("first", now);
    QCOMPARE(t.wait("first", now), 1u);
    for (std::size_t i = 0; i < WrongTries::kMaxAddresses; ++i) t.wrong("10." + std::to_string(i), now);
    QCOMPARE(t.size(), WrongTries::kMaxAddresses);
    // The one that tried longest ago made room.
    QCOMPARE(t.wait("first", now), 0u);
    // A try moves an address to the front: the next to go is another.
    t.wrong("10.0", now);
    t.wrong("newcomer", now);
    QCOMPARE(t.size(), WrongTries::kMaxAddresses);
    for (std::uint32_t i = 2; i < WrongTries::kFree; ++i) t.wrong("10.0", now);
    QCOMPARE(t.wait("10.0", now), 1u);
  }

  void guessersAreAddressesOrIpv6Networks_data() {
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("guesser");
    QTest::newRow("ipv4") << "192.168.1.31" << "192.168.1.31";
    QTest::newRow("full") << "2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd" << "2001:db8:1:2::/64";
    QTest::newRow("another device of that /64") << "2001:db8:1:2::7" << "2001:db8:1:2::/64";
    QTest::newRow("compressed head") << "2001:db8::1" << "2001:db8:0:0::/64";
    QTest::newRow("upper case") << "2001:DB8:1:2::1" << "2001:db8:1:2::/64";
    QTest::newRow("loopback") << "::1" << "0:0:0:0::/64";
    QTest::newRow("zone") << "fe80::1%eth0" << "fe80:0:0:0::/64";
    QTest::newRow("v4 mapped") << "::ffff:10.0.0.7" << "10.0.0.7";
    QTest::newRow("v4 tail") << "64:ff9b::10.0.0.7" << "64:ff9b:0:0::/64";
    QTest::newRow("too many groups") << "1:2:3:4:5:6:7:8:9" << "1:2:3:4:5:6:7:8:9";
    QTest::newRow("gap for nothing") << "1::2:3:4:5:6:7:8" << "1::2:3:4:5:6:7:8";
    QTest::newRow("triple colon") << "1:::2" << "1:::2";
    QTest::newRow("not hex") << "2001:db8::xyz" << "2001:db8::xyz";
    QTest::newRow("bad v4") << "::ffff:10.0.0.300" << "::ffff:10.0.0.300";
    QTest::newRow("a name") << "proxy.local" << "proxy.local";
  }

  void guessersAreAddressesOrIpv6Networks() {
    QFETCH(QString, address);
    QFETCH(QString, guesser);
    QCOMPARE(QString::fromStdString(guesserOf(address.toStdString())), guesser);
  }

  void sessionsHoldWhileThePasswordDoes() {
    PasswordSessions sessions;
    Share s = shareWith("tokentokentokentoken", "pw");
    Share other = shareWith("othertokenothertoken", "pw");
    std::string v = sessions.open(s);
    QVERIFY(v.size() >= 22);
    QVERIFY(sessions.valid(s, v));
    QVERIFY(!sessions.valid(other, v));
    QVERIFY(!sessions.valid(s, ""));
    QVERIFY(!sessions.valid(s, v.substr(1)));
    std::string w = sessions.open(s);
    QVERIFY(w != v);
    QVERIFY(sessions.valid(s, v) && sessions.valid(s, w));
    // A new password ends them all.
    s.rules.password = "new";
    QVERIFY(!sessions.valid(s, v));
    s.rules.password = "pw";
    QVERIFY(!sessions.valid(s, w));
    // So does forget() (unshared, rotated).
    std::string x = sessions.open(s);
    sessions.forget(s.token);
    QVERIFY(!sessions.valid(s, x));
  }

  void sessionsPerShareAreCapped() {
    PasswordSessions sessions;
    Share s = shareWith("tokentokentokentoken", "pw");
    std::string first = sessions.open(s);
    std::string last;
    for (std::size_t i = 0; i < PasswordSessions::kPerShare; ++i) last = sessions.open(s);
    QVERIFY(!sessions.valid(s, first));
    QVERIFY(sessions.valid(s, last));
  }

  void endedLinksSayWhy() {
    using std::chrono::system_clock;
    Share s = shareWith("tokentokentokentoken", "");
    const auto now = system_clock::now();
    QCOMPARE(whyLinkEnded(s, now), std::string());
    s.rules.downloadLimit = 1;
    QCOMPARE(whyLinkEnded(s, now), std::string());
    s.deliveries = 1;
    QCOMPARE(whyLinkEnded(s, now), std::string("This link was used once."));
    s.rules.downloadLimit = 3;
    s.deliveries = 2;
    QCOMPARE(whyLinkEnded(s, now), std::string());
    s.deliveries = 3;
    QCOMPARE(whyLinkEnded(s, now), std::string("This link was used 3 times."));
    // A folder's limit counts devices (the gate lets its own ones in).
    s.folder = true;
    QCOMPARE(whyLinkEnded(s, now), std::string("This link was for 3 devices, and 3 others have used it."));
    s.rules.downloadLimit = 1;
    s.deliveries = 1;
    QCOMPARE(whyLinkEnded(s, now), std::string("This link was for one device, and another device has used it."));
    s.folder = false;
    s.rules.downloadLimit = 0;
    s.rules.expires = now + seconds(1);
    QCOMPARE(whyLinkEnded(s, now), std::string());
    s.rules.expires = now - seconds(1);
    const QString at = QDateTime::fromSecsSinceEpoch(system_clock::to_time_t(*s.rules.expires)).toString("HH:mm");
    QCOMPARE(QString::fromStdString(whyLinkEnded(s, now)), "This link expired at " + at + ".");
    // Expiry is told first, when both hold.
    s.rules.downloadLimit = 3;
    QVERIFY(whyLinkEnded(s, now).starts_with("This link expired"));
  }

  void pagesHaveTheHolesTheGateFills() {
    auto holes = [](std::string_view name) {
      QStringList out;
      for (auto h : PageTemplate(webAsset(name)).holes()) out << QString::fromUtf8(h.data(), qsizetype(h.size()));
      return out;
    };
    QCOMPARE(holes("password.html"), QStringList({"style", "name", "invalid", "message", "privacy"}));
    QCOMPARE(holes("gone.html"), QStringList({"title", "style", "sentence", "next"}));
    QVERIFY(!webAsset("gate.css").empty());
  }

  void tooManyTriesIsSaidForPeople() {
    QCOMPARE(tooManyTriesSentence(1), std::string("Too many wrong passwords from this device. Try again in 1 second."));
    QCOMPARE(tooManyTriesSentence(8), std::string("Too many wrong passwords from this device. Try again in 8 seconds."));
    QCOMPARE(tooManyTriesSentence(900),
             std::string("Too many wrong passwords from this device. Try again in 15 minutes."));
  }
};

QTEST_MAIN(TestShareGate)
#include "tst_share_gate.moc"
