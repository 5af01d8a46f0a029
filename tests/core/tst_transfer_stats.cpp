// TransferStats' snapshots: every transfer that ends is in at least one
// published snapshot as ended, however many end between two ticks (a phone
// sending hundreds of small files at once), and a quiet burst publishes no
// extra snapshot.

#include <QTest>

#include <memory>
#include <set>

#include "event_loop.h"
#include "transfer_stats.h"

using namespace ferry;

class TestTransferStats : public QObject {
  Q_OBJECT

 private slots:
  void everyEndIsPublishedHoweverManyEndAtOnce() {
    auto loop = EventLoop::create();
    QVERIFY(loop);
    std::set<std::uint64_t> ended;
    std::size_t published = 0;
    TransferStats stats(*loop, [&](std::shared_ptr<const StatsSnapshot> s) {
      ++published;
      for (const TransferInfo& t : s->transfers)
        if (t.state == TransferState::kDone) ended.insert(t.id);
    });
    auto share = std::make_shared<Share>();
    share->token = "receive";
    share->name = "photo.jpg";
    // Far more than the ring holds end before the loop runs a tick.
    constexpr std::size_t kFiles = 3 * TransferStats::kMaxFinished + 17;
    std::set<std::uint64_t> all;
    for (std::size_t i = 0; i < kFiles; ++i) {
      TransferHandle h = stats.begin("127.0.0.1:5000", share, 65536, 0, 65536, {}, TransferDirection::kUpload);
      stats.addBytes(h, 65536);
      stats.finish(h, TransferState::kDone, "saved as photo.jpg");
      all.insert(h.id);
    }
    // Only what the ring could not hold was published early: one snapshot
    // per ring's worth.
    QCOMPARE(published, kFiles / TransferStats::kMaxFinished);
    stats.publishNow();
    QCOMPARE(ended.size(), all.size());
    QVERIFY(ended == all);
  }

  void aSmallBurstWaitsForTheTick() {
    auto loop = EventLoop::create();
    QVERIFY(loop);
    std::size_t published = 0;
    TransferStats stats(*loop, [&](std::shared_ptr<const StatsSnapshot>) { ++published; });
    auto share = std::make_shared<Share>();
    share->token = "receive";
    for (std::size_t i = 0; i < TransferStats::kMaxFinished; ++i) {
      TransferHandle h = stats.begin("127.0.0.1:5000", share, 1, 0, 1, {}, TransferDirection::kUpload);
      stats.finish(h, TransferState::kDone);
    }
    QCOMPARE(published, std::size_t(0));
  }
};

QTEST_GUILESS_MAIN(TestTransferStats)
#include "tst_transfer_stats.moc"
