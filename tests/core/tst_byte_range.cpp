// parseRange: the Range header resolved against a file size (RFC 9110 §14).

#include <QTest>

#include <cstdint>
#include <limits>
#include <string>

#include "byte_range.h"

using ferry::parseRange;
using ferry::RangeResult;

Q_DECLARE_METATYPE(RangeResult::Kind)

class TestByteRange : public QObject {
  Q_OBJECT

 private slots:
  void ranges_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<qulonglong>("size");
    QTest::addColumn<RangeResult::Kind>("kind");
    QTest::addColumn<qulonglong>("first");
    QTest::addColumn<qulonglong>("last");

    const auto S = RangeResult::kSingle;
    const auto I = RangeResult::kIgnore;
    const auto U = RangeResult::kUnsatisfiable;
    const auto M = RangeResult::kMultiple;

    // a-b
    QTest::newRow("a-b") << "bytes=0-99" << 1000ull << S << 0ull << 99ull;
    QTest::newRow("a-b middle") << "bytes=100-199" << 1000ull << S << 100ull << 199ull;
    QTest::newRow("one byte") << "bytes=5-5" << 1000ull << S << 5ull << 5ull;
    QTest::newRow("last byte") << "bytes=999-999" << 1000ull << S << 999ull << 999ull;
    QTest::newRow("whole") << "bytes=0-999" << 1000ull << S << 0ull << 999ull;
    // a-
    QTest::newRow("a-") << "bytes=500-" << 1000ull << S << 500ull << 999ull;
    QTest::newRow("0-") << "bytes=0-" << 1000ull << S << 0ull << 999ull;
    QTest::newRow("last-") << "bytes=999-" << 1000ull << S << 999ull << 999ull;
    // -n
    QTest::newRow("-n") << "bytes=-100" << 1000ull << S << 900ull << 999ull;
    QTest::newRow("-1") << "bytes=-1" << 1000ull << S << 999ull << 999ull;
    QTest::newRow("-n = size") << "bytes=-1000" << 1000ull << S << 0ull << 999ull;
    QTest::newRow("-n > size") << "bytes=-5000" << 1000ull << S << 0ull << 999ull;
    // clamp an end past EOF
    QTest::newRow("clamp") << "bytes=900-5000" << 1000ull << S << 900ull << 999ull;
    QTest::newRow("clamp huge") << "bytes=0-18446744073709551615" << 1000ull << S << 0ull << 999ull;
    // whitespace and case
    QTest::newRow("spaces") << "bytes= 1 - 2 " << 1000ull << S << 1ull << 2ull;
    QTest::newRow("case") << "Bytes=1-2" << 1000ull << S << 1ull << 2ull;
    QTest::newRow("empty elements") << "bytes=,1-2," << 1000ull << S << 1ull << 2ull;
    // unsatisfiable
    QTest::newRow("start = size") << "bytes=1000-" << 1000ull << U << 0ull << 0ull;
    QTest::newRow("start > size") << "bytes=2000-3000" << 1000ull << U << 0ull << 0ull;
    QTest::newRow("-0") << "bytes=-0" << 1000ull << U << 0ull << 0ull;
    QTest::newRow("all outside") << "bytes=1000-1001,2000-" << 1000ull << U << 0ull << 0ull;
    // multiple or overlapping: the whole file, never more
    QTest::newRow("two") << "bytes=0-1,5-6" << 1000ull << M << 0ull << 0ull;
    QTest::newRow("overlap") << "bytes=0-500,100-999" << 1000ull << M << 0ull << 0ull;
    QTest::newRow("same twice") << "bytes=0-999,0-999" << 1000ull << M << 0ull << 0ull;
    QTest::newRow("one satisfiable") << "bytes=0-1,5000-6000" << 1000ull << M << 0ull << 0ull;
    QTest::newRow("suffix+range") << "bytes=-10,0-10" << 1000ull << M << 0ull << 0ull;
    // malformed: ignored, serve 200
    QTest::newRow("empty") << "" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("no unit") << "0-99" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("other unit") << "items=0-9" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("only unit") << "bytes=" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("b<a") << "bytes=9-5" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("letters") << "bytes=a-b" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("dash only") << "bytes=-" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("negative") << "bytes=--5" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("no dash") << "bytes=5" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("trailing junk") << "bytes=0-5x" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("semicolon") << "bytes=0-5;6-7" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("plus") << "bytes=+1-2" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("one bad of two") << "bytes=0-5,x" << 1000ull << I << 0ull << 0ull;
    // overflow
    QTest::newRow("overflow first") << "bytes=18446744073709551616-" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("overflow last") << "bytes=0-99999999999999999999999" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("overflow suffix") << "bytes=-99999999999999999999" << 1000ull << I << 0ull << 0ull;
    QTest::newRow("max first") << "bytes=18446744073709551615-" << 1000ull << U << 0ull << 0ull;
    // zero-size file: nothing is satisfiable
    QTest::newRow("empty file 0-") << "bytes=0-" << 0ull << U << 0ull << 0ull;
    QTest::newRow("empty file -5") << "bytes=-5" << 0ull << U << 0ull << 0ull;
    QTest::newRow("empty file 0-0") << "bytes=0-0" << 0ull << U << 0ull << 0ull;
    QTest::newRow("empty file junk") << "bytes=x" << 0ull << I << 0ull << 0ull;
    // 64-bit sizes (files past 4 GiB)
    QTest::newRow("5 GiB tail") << "bytes=5368709000-" << 5368709120ull << S << 5368709000ull << 5368709119ull;
    QTest::newRow("5 GiB suffix") << "bytes=-120" << 5368709120ull << S << 5368709000ull << 5368709119ull;
    QTest::newRow("past 4 GiB") << "bytes=4294967296-4294967305" << 5368709120ull << S << 4294967296ull
                                << 4294967305ull;
  }

  void ranges() {
    QFETCH(QString, header);
    QFETCH(qulonglong, size);
    QFETCH(RangeResult::Kind, kind);
    QFETCH(qulonglong, first);
    QFETCH(qulonglong, last);
    const std::string h = header.toStdString();
    RangeResult r = parseRange(h, size);
    QCOMPARE(int(r.kind), int(kind));
    if (kind == RangeResult::kSingle) {
      QCOMPARE(qulonglong(r.range.first), first);
      QCOMPARE(qulonglong(r.range.last), last);
      QCOMPARE(qulonglong(r.range.length()), last - first + 1);
      QVERIFY(r.range.last < size);  // never past the file
    }
  }

  void singleRangeNeverLeavesTheFile() {
    // Exhaustive over small sizes: a single satisfiable range always lies
    // inside the file and is never empty.
    for (std::uint64_t size = 0; size <= 12; ++size) {
      for (std::uint64_t a = 0; a <= 14; ++a) {
        for (std::uint64_t b = a; b <= 14; ++b) {
          std::string h = "bytes=" + std::to_string(a) + "-" + std::to_string(b);
          RangeResult r = parseRange(h, size);
          if (a < size) {
            QCOMPARE(int(r.kind), int(RangeResult::kSingle));
            QCOMPARE(r.range.first, a);
            QCOMPARE(r.range.last, std::min(b, size - 1));
          } else {
            QCOMPARE(int(r.kind), int(RangeResult::kUnsatisfiable));
          }
        }
        std::string suffix = "bytes=-" + std::to_string(a);
        RangeResult s = parseRange(suffix, size);
        if (a > 0 && size > 0) {
          QCOMPARE(int(s.kind), int(RangeResult::kSingle));
          QCOMPARE(s.range.last, size - 1);
          QCOMPARE(s.range.length(), std::min(a, size));
        } else {
          QCOMPARE(int(s.kind), int(RangeResult::kUnsatisfiable));
        }
      }
    }
  }

  void manyRangesStayBounded() {
    // The Apache killer: thousands of overlapping ranges are answered as the
    // whole file once, never as thousands of parts.
    std::string h = "bytes=0-";
    for (int i = 1; i < 2000; ++i) h += ",5-" + std::to_string(5 + i);
    RangeResult r = parseRange(h, 1000);
    QCOMPARE(int(r.kind), int(RangeResult::kMultiple));
  }
};

QTEST_APPLESS_MAIN(TestByteRange)
#include "tst_byte_range.moc"
