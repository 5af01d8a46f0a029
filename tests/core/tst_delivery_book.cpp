// DeliveryBook against a model that keeps one bit per byte: thousands of
// random runs of overlapping ranges, parallel segments, resumes, aborts,
// cancels and changed versions, each step compared with what the book says
// (bytes covered, outcome, requests, resumes), and the delivered hook heard
// exactly once per delivery the model completed. Then the bounds: a client
// scattering thousands of ranges, and more open deliveries than the cap.

#include <QTest>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "delivery_book.h"

using namespace ferry;
using Clock = DeliveryBook::Clock;

namespace {

std::shared_ptr<const Share> makeShare(const std::string& token) {
  auto s = std::make_shared<Share>();
  s->token = token;
  s->name = token + ".bin";
  return s;
}

// What the issue says a delivery is, written the plain way.
struct ModelDelivery {
  std::uint64_t bookId = 0;
  DeliveryRef ref;  // as open() first gave it
  std::vector<bool> bits;
  std::uint32_t requests = 0, resumes = 0, active = 0;
  bool endedShort = false;
  DeliveryOutcome outcome = DeliveryOutcome::kInProgress;
  Clock::time_point idleSince;
  std::uint64_t covered() const {
    std::uint64_t n = 0;
    for (bool b : bits) n += b;
    return n;
  }
};

struct ModelRequest {
  int delivery;  // index into deliveries
  DeliveryRef ref;
  std::uint64_t first, length, sent = 0;
};

struct KeyParts {
  std::string address, userAgent, item, token;
  std::uint64_t size, version;
};

}  // namespace

class TestDeliveryBook : public QObject {
  Q_OBJECT

 private slots:
  void addressesLoseTheirPort() {
    QCOMPARE(addressWithoutPort("192.168.1.31:40044"), std::string_view("192.168.1.31"));
    QCOMPARE(addressWithoutPort("[fe80::1]:8080"), std::string_view("fe80::1"));
    QCOMPARE(addressWithoutPort("10.0.0.7"), std::string_view("10.0.0.7"));
    QCOMPARE(addressWithoutPort("2001:db8::5"), std::string_view("2001:db8::5"));
    QVERIFY(deliveryVersion("\"a-1\"") != deliveryVersion("\"a-2\""));
  }

  void randomRunsMatchTheByteModel() {
    std::mt19937_64 rng(20261202);
    const auto idle = std::chrono::seconds(600);
    std::uint64_t runs = 0, deliveredTotal = 0, resumesTotal = 0, stoppedTotal = 0;
    for (int run = 0; run < 3000; ++run) {
      std::vector<std::uint64_t> heard;  // ids the delivered hook named
      DeliveryBook* bookPtr = nullptr;
      std::vector<DeliveryInfo> shown;
      DeliveryBook book({[&](const DeliveryInfo& d) { heard.push_back(d.id); }, [&] { bookPtr->fill(shown); }},
                        idle);
      bookPtr = &book;
      // A few keys: two clients (one address, two User-Agents, and one more
      // address), two files of a share, two versions of one of them.
      std::vector<KeyParts> keys;
      const std::uint64_t sizeA = rng() % 4 == 0 ? rng() % 3 : 1 + rng() % 126;
      const std::uint64_t sizeB = 1 + rng() % 126;
      for (const char* addr : {"10.0.0.2", "10.0.0.3"})
        for (const char* ua : {"curl/8.5.0", "Wget/1.21.3"}) {
          keys.push_back({addr, ua, "", "tokA", sizeA, 1});
          keys.push_back({addr, ua, "", "tokA", sizeA + 1, 2});  // the file changed
          keys.push_back({addr, ua, "Dir/b.bin", "tokB", sizeB, 7});
        }
      std::map<std::string, std::shared_ptr<const Share>> shares{{"tokA", makeShare("tokA")},
                                                                  {"tokB", makeShare("tokB")}};
      std::vector<ModelDelivery> deliveries;
      std::vector<std::vector<int>> byKey(keys.size());  // deliveries per key, newest last
      std::vector<int> keyOf;
      std::vector<ModelRequest> requests;  // active ones
      std::vector<std::uint64_t> expectedHeard;
      std::set<std::uint64_t> bookIds;
      Clock::time_point now{};

      auto check = [&](int i) {
        const ModelDelivery& m = deliveries[i];
        const DeliveryInfo* d = book.find(m.ref);
        if (!d) {
          // Only ended deliveries may have left the book (the ring is
          // bounded); an open one is always there.
          QVERIFY(m.outcome != DeliveryOutcome::kInProgress);
          return;
        }
        QCOMPARE(d->covered, m.covered());
        QCOMPARE(d->requests, m.requests);
        QCOMPARE(d->resumes, m.resumes);
        QCOMPARE(d->active, m.active);
        QCOMPARE(int(d->outcome), int(m.outcome));
      };
      auto deliver = [&](ModelDelivery& m) {
        m.outcome = DeliveryOutcome::kDelivered;
        expectedHeard.push_back(m.bookId);
      };

      const int steps = 20 + static_cast<int>(rng() % 120);
      for (int step = 0; step < steps; ++step) {
        now += std::chrono::seconds(rng() % 50);  // sometimes past `idle` in total
        // The model's idle stops, then the book's.
        for (auto& m : deliveries)
          if (m.outcome == DeliveryOutcome::kInProgress && m.active == 0 && m.requests > 0 &&
              now - m.idleSince >= idle) {
            m.outcome = DeliveryOutcome::kStopped;
            ++stoppedTotal;
          }
        book.expire(now);
        int op = static_cast<int>(rng() % 10);
        if (op <= 2 || requests.empty()) {
          // A request starts: from a random byte, for a random length.
          int k = static_cast<int>(rng() % keys.size());
          const KeyParts& kp = keys[k];
          std::uint64_t first = kp.size ? rng() % kp.size : 0;
          std::uint64_t length = kp.size ? 1 + rng() % (kp.size - first) : 0;
          DeliveryKey key{kp.address, kp.userAgent, kp.item, kp.size, kp.version};
          DeliveryRef ref = book.open(key, shares[kp.token], now);
          QVERIFY(ref);
          int di = -1;
          if (!byKey[k].empty() && deliveries[byKey[k].back()].outcome == DeliveryOutcome::kInProgress)
            di = byKey[k].back();
          if (di < 0) {
            di = static_cast<int>(deliveries.size());
            deliveries.emplace_back();
            deliveries.back().bits.assign(kp.size, false);
            deliveries.back().bookId = ref.id;
            deliveries.back().ref = ref;
            byKey[k].push_back(di);
            keyOf.push_back(k);
            QVERIFY2(bookIds.insert(ref.id).second, "a new delivery gets a new id");
          } else {
            QCOMPARE(ref.id, deliveries[di].bookId);
          }
          ModelDelivery& m = deliveries[di];
          if (m.active == 0 && m.endedShort) {
            ++m.resumes;
            m.endedShort = false;
          }
          ++m.requests;
          ++m.active;
          requests.push_back({di, ref, first, length});
          check(di);
        } else if (op <= 6) {
          // Bytes go out on one request.
          ModelRequest& r = requests[rng() % requests.size()];
          if (r.sent == r.length) continue;
          std::uint64_t n = 1 + rng() % (r.length - r.sent);
          book.cover(r.ref, r.first + r.sent, r.first + r.sent + n, now);
          ModelDelivery& m = deliveries[r.delivery];
          if (m.outcome == DeliveryOutcome::kInProgress) {
            for (std::uint64_t b = r.first + r.sent; b < r.first + r.sent + n; ++b) m.bits[b] = true;
            if (m.covered() == m.bits.size()) deliver(m);
          }
          r.sent += n;
          check(r.delivery);
        } else if (op <= 8) {
          // A request ends: complete, or cut short.
          std::size_t ri = rng() % requests.size();
          ModelRequest r = requests[ri];
          requests.erase(requests.begin() + static_cast<std::ptrdiff_t>(ri));
          bool complete = r.sent == r.length && rng() % 4 != 0;
          book.close(r.ref, complete, now);
          ModelDelivery& m = deliveries[r.delivery];
          --m.active;
          if (!complete) m.endedShort = true;
          if (m.outcome == DeliveryOutcome::kInProgress) {
            if (complete && m.bits.empty()) deliver(m);
            else if (m.active == 0) m.idleSince = now;
          }
          check(r.delivery);
        } else if (!deliveries.empty()) {
          // The user cancels one delivery, or unshares a file.
          int di = static_cast<int>(rng() % deliveries.size());
          if (rng() % 3) {
            book.cancel(deliveries[di].ref, "cancelled by the user", now);
            if (deliveries[di].outcome == DeliveryOutcome::kInProgress)
              deliveries[di].outcome = DeliveryOutcome::kCancelled;
          } else {
            const std::string& token = keys[keyOf[di]].token;
            book.cancelShare(token, "the file was unshared", now);
            for (std::size_t j = 0; j < deliveries.size(); ++j)
              if (keys[keyOf[j]].token == token && deliveries[j].outcome == DeliveryOutcome::kInProgress)
                deliveries[j].outcome = DeliveryOutcome::kCancelled;
          }
          check(di);
        }
      }
      for (std::size_t i = 0; i < deliveries.size(); ++i) check(static_cast<int>(i));
      QCOMPARE(heard, expectedHeard);
      std::size_t open = 0;
      for (const auto& m : deliveries) open += m.outcome == DeliveryOutcome::kInProgress || m.active > 0;
      QCOMPARE(book.openCount(), open);
      for (const auto& m : deliveries) resumesTotal += m.resumes;
      deliveredTotal += expectedHeard.size();
      ++runs;
    }
    // The runs exercised what they are for.
    QVERIFY(deliveredTotal > 1000);
    QVERIFY(resumesTotal > 1000);
    QVERIFY(stoppedTotal > 100);
  }

  void parallelSegmentsAreOneDeliveryAndNoResume() {
    int delivered = 0;
    DeliveryBook book({[&](const DeliveryInfo&) { ++delivered; }, {}});
    auto share = makeShare("tok");
    const std::uint64_t size = 32u << 20;
    DeliveryKey key{"10.0.0.9", "aria2/1.36.0", "", size, 3};
    Clock::time_point now{};
    std::vector<DeliveryRef> segs;
    for (int i = 0; i < 8; ++i) segs.push_back(book.open(key, share, now));
    for (auto& s : segs) QCOMPARE(s.id, segs[0].id);
    // Each segment sends its eighth in 1 MiB pieces, interleaved.
    const std::uint64_t part = size / 8;
    for (std::uint64_t off = 0; off < part; off += 1 << 20)
      for (int i = 0; i < 8; ++i) book.cover(segs[i], i * part + off, i * part + off + (1 << 20), now);
    QCOMPARE(delivered, 1);
    const DeliveryInfo* d = book.find(segs[0]);
    QVERIFY(d);
    QCOMPARE(d->covered, size);
    QCOMPARE(d->requests, 8u);
    QCOMPARE(d->resumes, 0u);
    QCOMPARE(int(d->outcome), int(DeliveryOutcome::kDelivered));
    for (auto& s : segs) book.close(s, true, now);
    QCOMPARE(book.openCount(), std::size_t(0));
    // The same client again: a new delivery.
    DeliveryRef again = book.open(key, share, now);
    QVERIFY(again.id != segs[0].id);
  }

  void scatteredRangesStayBoundedAndNeverDeliver() {
    int delivered = 0;
    DeliveryBook book({[&](const DeliveryInfo&) { ++delivered; }, {}});
    auto share = makeShare("tok");
    const std::uint64_t size = 1'000'000;
    DeliveryKey key{"10.0.0.66", "evil", "", size, 1};
    Clock::time_point now{};
    DeliveryRef ref = book.open(key, share, now);
    // 20,000 one-byte ranges, two bytes apart, then every byte but one
    // stripe: the book must forget, not grow, and never count the file
    // as delivered from bytes it did not see.
    for (std::uint64_t b = 0; b < 40'000; b += 2) book.cover(ref, b, b + 1, now);
    const DeliveryInfo* d = book.find(ref);
    QVERIFY(d->covered <= DeliveryBook::kMaxPieces);
    for (std::uint64_t b = 50'000; b + 1000 < size; b += 1001) book.cover(ref, b, b + 1000, now);
    QVERIFY(d->covered <= DeliveryBook::kMaxPieces * 1000);
    QCOMPARE(delivered, 0);
    // One request for the whole file still delivers it.
    DeliveryRef whole = book.open(key, share, now);
    QCOMPARE(whole.id, ref.id);
    book.cover(whole, 0, size, now);
    QCOMPARE(delivered, 1);
  }

  void openDeliveriesAreCappedOldestIdleFirst() {
    std::vector<DeliveryInfo> shown;
    DeliveryBook* self = nullptr;
    DeliveryBook book({{}, [&] { self->fill(shown); }});
    self = &book;
    auto share = makeShare("tok");
    Clock::time_point now{};
    std::vector<std::string> addrs;
    for (std::size_t i = 0; i <= DeliveryBook::kMaxOpen; ++i) addrs.push_back("10.1." + std::to_string(i));
    std::vector<DeliveryRef> refs;
    for (std::size_t i = 0; i < DeliveryBook::kMaxOpen; ++i) {
      DeliveryRef r = book.open({addrs[i], "curl/8.5.0", "", 100, 1}, share, now);
      book.cover(r, 0, 10, now);
      book.close(r, false, now);  // aborted at 10%: open, idle
      refs.push_back(r);
      now += std::chrono::milliseconds(1);
    }
    QCOMPARE(book.openCount(), DeliveryBook::kMaxOpen);
    DeliveryRef extra = book.open({addrs.back(), "curl/8.5.0", "", 100, 1}, share, now);
    QVERIFY(extra);
    QCOMPARE(book.openCount(), DeliveryBook::kMaxOpen);
    const DeliveryInfo* oldest = book.find(refs[0]);
    QVERIFY(oldest);
    QCOMPARE(int(oldest->outcome), int(DeliveryOutcome::kStopped));
    QCOMPARE(oldest->covered, 10u);
    QCOMPARE(int(book.find(refs[1])->outcome), int(DeliveryOutcome::kInProgress));
  }

  void aSegmentAskedAgainAfterTheDeliveryLeavesNoTrace() {
    // aria2c, its file delivered, may ask once more for a segment: that
    // is no new delivery stopped at a few percent.
    int delivered = 0;
    DeliveryBook book({[&](const DeliveryInfo&) { ++delivered; }, {}}, std::chrono::seconds(600));
    auto share = makeShare("tok");
    const DeliveryKey key{"10.0.0.2", "aria2/1.36.0", "", 100, 1};
    Clock::time_point now{};
    DeliveryRef first = book.open(key, share, now);
    book.cover(first, 0, 100, now);
    book.close(first, true, now);
    now += std::chrono::seconds(1);
    DeliveryRef echo = book.open(key, share, now);
    QVERIFY(echo);
    book.cover(echo, 0, 5, now);
    book.close(echo, false, now);
    std::vector<DeliveryInfo> shown;
    book.fill(shown);
    QCOMPARE(shown.size(), std::size_t(1));
    QCOMPARE(shown[0].id, first.id);
    now += std::chrono::seconds(601);
    book.expire(now);
    shown.clear();
    book.fill(shown);
    QVERIFY(shown.empty());  // the delivery had been shown and is old; the echo never is
    QCOMPARE(book.openCount(), std::size_t(0));
    QCOMPARE(delivered, 1);

    // Asked again and received whole: a second delivery, counted and shown.
    DeliveryRef again = book.open(key, share, now);
    book.cover(again, 0, 100, now);
    book.close(again, true, now);
    now += std::chrono::seconds(1);
    DeliveryRef twice = book.open(key, share, now);
    book.cover(twice, 0, 100, now);
    book.close(twice, true, now);
    QCOMPARE(delivered, 3);
    shown.clear();
    book.fill(shown);
    QCOMPARE(shown.size(), std::size_t(2));

    // Past the echo window, a short try is a stopped delivery as any other.
    now += DeliveryBook::kEcho + std::chrono::seconds(1);
    DeliveryRef late = book.open(key, share, now);
    book.cover(late, 0, 5, now);
    book.close(late, false, now);
    book.expire(now + std::chrono::seconds(601));
    shown.clear();
    book.fill(shown);
    QCOMPARE(shown.size(), std::size_t(1));
    QCOMPARE(int(shown[0].outcome), int(DeliveryOutcome::kStopped));
  }

  void everyEndedDeliveryIsShownOnce() {
    // Far more ended deliveries than the ring holds, none published by a
    // tick: the book asks for a publish before any would be lost, and only
    // once kMaxUnshown wait (a burst up to that waits for the tick).
    std::set<std::uint64_t> ended, seen;
    std::vector<DeliveryInfo> shown;
    int flushes = 0;
    DeliveryBook* self = nullptr;
    DeliveryBook book({[&](const DeliveryInfo& d) { ended.insert(d.id); },
                       [&] {
                         ++flushes;
                         shown.clear();
                         self->fill(shown);
                         for (auto& d : shown)
                           if (d.outcome != DeliveryOutcome::kInProgress) seen.insert(d.id);
                       }});
    self = &book;
    auto share = makeShare("tok");
    Clock::time_point now{};
    auto burst = [&](std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        DeliveryRef r = book.open({"127.0.0.1", "", "", 10, 1}, share, now);
        book.cover(r, 0, 10, now);
        book.close(r, true, now);
      }
    };
    auto tick = [&] {
      shown.clear();
      book.fill(shown);
      for (auto& d : shown) seen.insert(d.id);
    };
    burst(5000);
    QCOMPARE(flushes, 0);
    tick();
    QCOMPARE(ended.size(), std::size_t(5000));
    QCOMPARE(seen, ended);
    QVERIFY(book.size() <= DeliveryBook::kMaxEnded);
    // More than kMaxUnshown between two ticks.
    burst(2 * DeliveryBook::kMaxUnshown + 100);
    QCOMPARE(flushes, 2);
    tick();
    QCOMPARE(ended.size(), std::size_t(5000 + 2 * DeliveryBook::kMaxUnshown + 100));
    QCOMPARE(seen, ended);
    QVERIFY(book.size() <= DeliveryBook::kMaxEnded);
    // Shown and old enough: gone.
    book.expire(now + std::chrono::seconds(6));
    QCOMPARE(book.size(), std::size_t(0));
    // And the ring is back to its usual size: a burst again is shown whole.
    ended.clear();
    seen.clear();
    burst(3000);
    tick();
    QCOMPARE(seen, ended);
  }
};

QTEST_APPLESS_MAIN(TestDeliveryBook)
#include "tst_delivery_book.moc"
