// What a person types for a link's end, read into a moment, and a moment
// said back in words — against a fixed "now" (Wednesday 2 December 2026,
// 14:30 local time), so every answer is known without a clock.

#include <QTest>

#include "shares/expiry_text.h"

using namespace ferry::ui;

namespace {

const QDateTime kNow(QDate(2026, 12, 2), QTime(14, 30));

}  // namespace

class TestExpiryText : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedKingdom)); }
  void accepted_data();
  void accepted();
  void never();
  void refused_data();
  void refused();
  void describes();
  void shortForms();
  void clockHasNoSeconds();
};

void TestExpiryText::accepted_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<QDateTime>("when");
  QTest::newRow("90m") << "90m" << kNow.addSecs(90 * 60);
  QTest::newRow("90s") << "90s" << kNow.addSecs(90);
  QTest::newRow("2h") << "2h" << kNow.addSecs(2 * 3600);
  QTest::newRow("3d") << "3d" << kNow.addDays(3);
  QTest::newRow("1w") << "1w" << kNow.addDays(7);
  QTest::newRow("1h30m") << "1h30m" << kNow.addSecs(90 * 60);
  QTest::newRow("in 2 hours") << "in 2 hours" << kNow.addSecs(2 * 3600);
  QTest::newRow("In 1 Hour, capitals") << "In 1 Hour" << kNow.addSecs(3600);
  QTest::newRow("45 minutes") << "  45   minutes " << kNow.addSecs(45 * 60);
  QTest::newRow("2 hours and 15 minutes") << "in 2 hours and 15 minutes" << kNow.addSecs(2 * 3600 + 15 * 60);
  QTest::newRow("tomorrow 18:00") << "tomorrow 18:00" << QDateTime(QDate(2026, 12, 3), QTime(18, 0));
  QTest::newRow("tomorrow at 9:30") << "tomorrow at 9:30" << QDateTime(QDate(2026, 12, 3), QTime(9, 30));
  QTest::newRow("tomorrow") << "tomorrow" << kNow.addDays(1);
  QTest::newRow("18:00, later today") << "18:00" << QDateTime(QDate(2026, 12, 2), QTime(18, 0));
  QTest::newRow("9:00, passed today: tomorrow's") << "9:00" << QDateTime(QDate(2026, 12, 3), QTime(9, 0));
  QTest::newRow("6pm") << "6pm" << QDateTime(QDate(2026, 12, 2), QTime(18, 0));
  QTest::newRow("today 23:59") << "today 23:59" << QDateTime(QDate(2026, 12, 2), QTime(23, 59));
  QTest::newRow("friday 17:00") << "friday 17:00" << QDateTime(QDate(2026, 12, 4), QTime(17, 0));
  QTest::newRow("wed: next week's") << "wed 10:00" << QDateTime(QDate(2026, 12, 9), QTime(10, 0));
  QTest::newRow("a date") << "2026-12-24" << QDateTime(QDate(2026, 12, 24), QTime(0, 0));
  QTest::newRow("a date and time") << "2026-12-24 18:00" << QDateTime(QDate(2026, 12, 24), QTime(18, 0));
}

void TestExpiryText::accepted() {
  QFETCH(QString, text);
  QFETCH(QDateTime, when);
  const ExpiryParse p = parseExpiry(text, kNow);
  QVERIFY2(p.ok, qPrintable(p.error));
  QVERIFY(p.when.has_value());
  QCOMPARE(*p.when, when);
}

void TestExpiryText::never() {
  for (const char* t : {"", "never", "  Never "}) {
    const ExpiryParse p = parseExpiry(QString::fromLatin1(t), kNow);
    QVERIFY(p.ok);
    QVERIFY(!p.when.has_value());
  }
}

void TestExpiryText::refused_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<QString>("says");
  QTest::newRow("words") << "whenever" << "does not understand";
  QTest::newRow("unit unknown") << "5 fortnights" << "does not understand";
  QTest::newRow("no unit") << "90" << "does not understand";
  QTest::newRow("zero") << "0m" << "after now";
  QTest::newRow("past date") << "2025-01-01 10:00" << "already passed";
  QTest::newRow("today, passed") << "today 9:00" << "already passed";
  QTest::newRow("bad hour") << "tomorrow 25:00" << "does not understand";
  QTest::newRow("bad date") << "2026-02-30" << "does not understand";
  QTest::newRow("too far") << "5000w" << "ten years";
  QTest::newRow("trailing junk") << "2h please" << "does not understand";
}

void TestExpiryText::refused() {
  QFETCH(QString, text);
  QFETCH(QString, says);
  const ExpiryParse p = parseExpiry(text, kNow);
  QVERIFY(!p.ok);
  QVERIFY2(p.error.contains(says), qPrintable(p.error));
  QVERIFY(p.error.endsWith(QLatin1Char('.')));  // a sentence
}

void TestExpiryText::describes() {
  QCOMPARE(describeExpiry(kNow.addSecs(2 * 3600), kNow), QStringLiteral("today at 16:30 (in 2 hours)"));
  QCOMPARE(describeExpiry(QDateTime(QDate(2026, 12, 3), QTime(18, 0)), kNow),
           QStringLiteral("tomorrow at 18:00 (in 28 hours)"));
  QCOMPARE(describeExpiry(QDateTime(QDate(2026, 12, 24), QTime(18, 0)), kNow),
           QStringLiteral("on Thursday 24 December 2026 at 18:00 (in 22 days)"));
  QCOMPARE(describeExpiry(kNow.addSecs(-60), kNow), QStringLiteral("today at 14:29 (ended)"));
  QCOMPARE(describeExpiry(kNow.addSecs(30), kNow), QStringLiteral("today at 14:30 (in 30 seconds)"));
}

void TestExpiryText::shortForms() {
  QCOMPARE(shortExpiry(kNow.addSecs(45), kNow), QStringLiteral("in 45 s"));
  QCOMPARE(shortExpiry(kNow.addSecs(12 * 60), kNow), QStringLiteral("in 12 min"));
  QCOMPARE(shortExpiry(kNow.addSecs(2 * 3600), kNow), QStringLiteral("in 2 h"));
  QCOMPARE(shortExpiry(kNow.addDays(3), kNow), QStringLiteral("in 3 d"));
  QCOMPARE(shortExpiry(kNow, kNow), QStringLiteral("ended"));
  QCOMPARE(shortExpiry(kNow.addDays(-1), kNow), QStringLiteral("ended"));
}

void TestExpiryText::clockHasNoSeconds() {
  const QTime t(18, 5, 42);
  QCOMPARE(clockTime(t), QStringLiteral("18:05"));
  // The C locale's short format has seconds; the clock still has none.
  QLocale::setDefault(QLocale::c());
  QVERIFY2(!clockTime(t).contains(QStringLiteral("42")), qPrintable(clockTime(t)));
  QVERIFY(clockTime(t).startsWith(QStringLiteral("18:05")));
  QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedKingdom));
}

QTEST_GUILESS_MAIN(TestExpiryText)
#include "tst_expiry_text.moc"
