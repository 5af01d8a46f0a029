// IMF-fixdate formatting and parsing (RFC 9110 §5.6.7).

#include <QDateTime>
#include <QLocale>
#include <QTest>
#include <QTimeZone>

#include <ctime>
#include <string>

#include "http_date.h"

using ferry::formatHttpDate;
using ferry::parseHttpDate;

class TestHttpDate : public QObject {
  Q_OBJECT

 private slots:
  void knownDates_data() {
    QTest::addColumn<qlonglong>("t");
    QTest::addColumn<QString>("text");
    QTest::newRow("rfc example") << 784111777ll << "Sun, 06 Nov 1994 08:49:37 GMT";
    QTest::newRow("epoch") << 0ll << "Thu, 01 Jan 1970 00:00:00 GMT";
    QTest::newRow("leap day") << 951782400ll << "Tue, 29 Feb 2000 00:00:00 GMT";
    QTest::newRow("y2038-1") << 2147483647ll << "Tue, 19 Jan 2038 03:14:07 GMT";
    QTest::newRow("after 2038") << 4102444800ll << "Fri, 01 Jan 2100 00:00:00 GMT";
    QTest::newRow("end of year") << 1704067199ll << "Sun, 31 Dec 2023 23:59:59 GMT";
  }

  void knownDates() {
    QFETCH(qlonglong, t);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(formatHttpDate(static_cast<std::time_t>(t))), text);
    QCOMPARE(qlonglong(parseHttpDate(text.toStdString())), t);
    char buf[32];
    std::string_view v = formatHttpDate(static_cast<std::time_t>(t), buf);
    QCOMPARE(v.size(), std::size_t(29));
    QCOMPARE(QString::fromStdString(std::string(v)), text);
  }

  void roundTripAgreesWithQt() {
    // Every ~17 hours over 60 years: format, parse back, and compare with
    // Qt's own RFC 2822 / English rendering of the same instant.
    const QLocale c = QLocale::c();
    for (qint64 t = 0; t < 60ll * 365 * 86400; t += 61'237) {
      std::string s = formatHttpDate(static_cast<std::time_t>(t));
      QCOMPARE(s.size(), std::size_t(29));
      QCOMPARE(qint64(parseHttpDate(s)), t);
      QDateTime dt = QDateTime::fromSecsSinceEpoch(t, QTimeZone::utc());
      QString expected = c.toString(dt, "ddd, dd MMM yyyy HH:mm:ss") + " GMT";
      if (QString::fromStdString(s) != expected) QFAIL(qPrintable(QString::fromStdString(s) + " vs " + expected));
    }
  }

  void rejectsMalformed_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("rfc850") << "Sunday, 06-Nov-94 08:49:37 GMT";
    QTest::newRow("asctime") << "Sun Nov  6 08:49:37 1994";
    QTest::newRow("no GMT") << "Sun, 06 Nov 1994 08:49:37 UTC";
    QTest::newRow("bad month") << "Sun, 06 Nox 1994 08:49:37 GMT";
    QTest::newRow("bad hour") << "Sun, 06 Nov 1994 25:49:37 GMT";
    QTest::newRow("bad minute") << "Sun, 06 Nov 1994 08:61:37 GMT";
    QTest::newRow("day 0") << "Sun, 00 Nov 1994 08:49:37 GMT";
    QTest::newRow("day 32") << "Sun, 32 Nov 1994 08:49:37 GMT";
    QTest::newRow("letters") << "Sun, 0a Nov 1994 08:49:37 GMT";
    QTest::newRow("trailing") << "Sun, 06 Nov 1994 08:49:37 GMTx";
    QTest::newRow("short") << "Sun, 6 Nov 1994 08:49:37 GMT";
    QTest::newRow("no comma") << "Sun  06 Nov 1994 08:49:37 GMT";
    QTest::newRow("bad separators") << "Sun, 06 Nov 1994 08-49-37 GMT";
  }

  void rejectsMalformed() {
    QFETCH(QString, text);
    QCOMPARE(qlonglong(parseHttpDate(text.toStdString())), -1ll);
  }

  void dateCache() {
    ferry::DateCache cache;
    std::time_t before = std::time(nullptr);
    std::string a(cache.now());
    std::time_t after = std::time(nullptr);
    QCOMPARE(a.size(), std::size_t(29));
    std::time_t parsed = parseHttpDate(a);
    QVERIFY(parsed >= before && parsed <= after);
  }
};

QTEST_APPLESS_MAIN(TestHttpDate)
#include "tst_http_date.moc"
