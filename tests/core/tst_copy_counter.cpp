// CopyCounter against a model that keeps one count per byte: random ranges
// from many clients, each step compared with the least count of the model
// (what a download limit counts). Then the cases a limit must get right, and
// the bounds: a client scattering thousands of ranges is counted ahead of the
// truth, never behind it, in at most kMaxSpans spans; more versions than
// kMaxFiles make room for the newest.

#include <QTest>

#include <algorithm>
#include <random>
#include <vector>

#include "copy_counter.h"

using namespace ferry;

namespace {

std::uint32_t least(const std::vector<std::uint32_t>& counts) {
  return *std::min_element(counts.begin(), counts.end());
}

}  // namespace

class TestCopyCounter : public QObject {
  Q_OBJECT

 private slots:
  void matchesAByteByByteModel() {
    std::mt19937_64 rng(7);
    for (int run = 0; run < 300; ++run) {
      CopyCounter c;
      const std::uint64_t size = 1 + rng() % 200;
      CopyRef ref = c.open("tok", {}, 1, size);
      std::vector<std::uint32_t> model(size, 0);
      std::uint32_t counted = 0;
      for (int step = 0; step < 60; ++step) {
        std::uint64_t from = rng() % size, to = from + 1 + rng() % (size - from);
        if (rng() % 4 == 0) from = 0, to = size;  // a whole download now and then
        for (std::uint64_t b = from; b < to; ++b) ++model[b];
        counted += c.add(ref, from, to);
        QCOMPARE(counted, least(model));
        QCOMPARE(c.copies(ref), least(model));
        QVERIFY(c.spans(ref) <= CopyCounter::kMaxSpans);
      }
    }
  }

  void halvesFromTwoClientsAreOneCopy() {
    CopyCounter c;
    CopyRef ref = c.open("tok", {}, 1, 1000);
    QCOMPARE(c.add(ref, 0, 500), 0u);    // one User-Agent
    QCOMPARE(c.add(ref, 500, 1000), 1u);  // another
    QCOMPARE(c.spans(ref), std::size_t(1));
  }

  void aRestartAtNinetyPercentIsOneCopy() {
    CopyCounter c;
    CopyRef ref = c.open("tok", {}, 1, 1000);
    QCOMPARE(c.add(ref, 0, 900), 0u);
    QCOMPARE(c.add(ref, 0, 1000), 1u);
    QCOMPARE(c.copies(ref), 1u);
  }

  void abortedDownloadsCountNothing() {
    CopyCounter c;
    CopyRef ref = c.open("tok", {}, 1, 1000);
    for (int i = 0; i < 50; ++i) QCOMPARE(c.add(ref, 0, 999), 0u);
    QCOMPARE(c.copies(ref), 0u);
    QCOMPARE(c.add(ref, 999, 1000), 1u);  // one of them finishing: one copy
  }

  void versionsAreCountedApart() {
    CopyCounter c;
    CopyRef v1 = c.open("tok", {}, 1, 100), v2 = c.open("tok", {}, 2, 100);
    QCOMPARE(c.add(v1, 0, 50), 0u);
    QCOMPARE(c.add(v2, 50, 100), 0u);  // the file changed between the halves: no copy of either
    QCOMPARE(c.open("tok", {}, 1, 100).generation, v1.generation);  // the same version is found again
    QCOMPARE(c.add(v1, 50, 100), 1u);
  }

  // 65 one-byte ranges then the rest, and then thousands: never fewer copies
  // counted than were sent, in bounded memory.
  void scatteredRangesAreNeverUndercounted() {
    CopyCounter c;
    const std::uint64_t size = 20'000;
    CopyRef ref = c.open("tok", {}, 1, size);
    std::vector<std::uint32_t> model(size, 0);
    auto send = [&](std::uint64_t from, std::uint64_t to) {
      for (std::uint64_t b = from; b < to; ++b) ++model[b];
      return c.add(ref, from, to);
    };
    std::uint32_t counted = 0;
    for (std::uint64_t b = 0; b < 130; b += 2) counted += send(b, b + 1);
    QCOMPARE(counted, 0u);
    for (std::uint64_t b = 1; b < 130; b += 2) counted += send(b, b + 1);
    counted += send(130, size);
    QCOMPARE(counted, 1u);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 20'000; ++i) {
      const std::uint64_t from = rng() % size;
      counted += send(from, std::min(size, from + 1 + rng() % 3));
      QVERIFY(c.spans(ref) <= CopyCounter::kMaxSpans);
      if (i % 64 == 0) QVERIFY(counted >= least(model));
    }
    QVERIFY(counted >= least(model));
    qInfo("20,000 scattered ranges: %u copies counted, %u sent, %zu spans", counted, least(model), c.spans(ref));
  }

  void theOldestVersionMakesRoom() {
    CopyCounter c;
    CopyRef first = c.open("tok", {}, 0, 10);
    QCOMPARE(c.add(first, 0, 5), 0u);
    for (std::uint64_t v = 1; v <= CopyCounter::kMaxFiles; ++v) c.add(c.open("tok", {}, v, 10), 0, 10);
    QCOMPARE(c.add(first, 5, 10), 0u);  // gone: its ref answers nothing
    QCOMPARE(c.copies(first), 0u);
    CopyRef again = c.open("tok", {}, 0, 10);
    QVERIFY(again.generation != first.generation);
    QCOMPARE(c.add(again, 0, 10), 1u);
  }
};

QTEST_GUILESS_MAIN(TestCopyCounter)
#include "tst_copy_counter.moc"
