// TransfersModel fed with snapshots as the core publishes them: rows appear,
// progress, end with an outcome, stay a while, fade and go — checked by
// QAbstractItemModelTester throughout, directly and behind a sorting proxy.

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <cmath>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include "widgets/palette_colors.h"
#include "transfers/transfers_model.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

TransferInfo transfer(std::uint64_t id, std::uint64_t sent, std::uint64_t total = 1000,
                      TransferState state = TransferState::kActive) {
  TransferInfo t;
  t.id = id;
  t.client = "10.0.0." + std::to_string(id) + ":5000";
  t.share = std::make_shared<const ferry::Share>(ferry::Share{"tok", "/srv/file.bin", "file" + std::to_string(id) + ".bin"});
  t.fileSize = total;
  t.bytesTotal = total;
  t.bytesSent = sent;
  t.rate = state == TransferState::kActive ? 100 : 0;
  t.state = state;
  if (state == TransferState::kFailed) t.reason = "the disk said no";
  return t;
}

// WCAG 2.x, computed here rather than trusted from the code under test.
double wcagContrast(const QColor& a, const QColor& b) {
  auto lum = [](const QColor& c) {
    auto ch = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
  };
  const double la = lum(a.toRgb()), lb = lum(b.toRgb());
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

StatsSnapshot snapshot(std::vector<TransferInfo> ts) {
  StatsSnapshot s;
  s.transfers = std::move(ts);
  for (const auto& t : s.transfers) s.activeTransfers += t.state == TransferState::kActive;
  return s;
}

}  // namespace

class TestTransfersModel : public QObject {
  Q_OBJECT

 private slots:
  void passesTheModelTester();
  void formatsARow();
  void endsStayThenGo();
  void newRunKeepsOldRowsApart();
  void thousandTransfersOneSignal();
  void removedRowsAreNotResurrected();
  void failedTextReadsInBothPalettes();
  void deliveriesAreOneRowEach();
  void sendsToADeviceEndInTheirOwnSignal();
  void unfinishedUploadsComeAndGoWithTheList();
};

void TestTransfersModel::passesTheModelTester() {
  TransfersModel model;
  model.setRetention(std::chrono::milliseconds(200));
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(TransfersModel::RawRole);
  proxy.sort(TransfersModel::Progress, Qt::DescendingOrder);
  proxy.setDynamicSortFilter(true);
  QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

  model.applySnapshot(1, snapshot({transfer(1, 0), transfer(2, 10)}));
  QCOMPARE(model.rowCount(), 2);
  model.applySnapshot(1, snapshot({transfer(1, 500), transfer(2, 20), transfer(3, 0)}));
  QCOMPARE(model.rowCount(), 3);
  QCOMPARE(proxy.index(0, TransfersModel::File).data().toString(), QStringLiteral("file1.bin"));
  model.applySnapshot(1, snapshot({transfer(1, 1000, 1000, TransferState::kDone), transfer(2, 30),
                                   transfer(3, 5, 1000, TransferState::kFailed)}));
  QCOMPARE(model.activeCount(), 1);
  model.endRun(1);
  QCOMPARE(model.activeCount(), 0);
  model.applySnapshot(2, snapshot({transfer(1, 1)}));
  QCOMPARE(model.rowCount(), 4);
  QVERIFY(waitFor([&] { return model.rowCount() == 1; }, 3000));  // the ended ones go
  model.applySnapshot(2, snapshot({transfer(1, 1000, 1000, TransferState::kDone)}));
  model.clearEnded();
  QCOMPARE(model.rowCount(), 0);
}

void TestTransfersModel::formatsARow() {
  TransfersModel model;
  TransferInfo t = transfer(7, 250'000, 1'000'000);
  t.rate = 50'000;
  model.applySnapshot(1, snapshot({t}));
  auto cell = [&](int col, int role = Qt::DisplayRole) { return model.index(0, col).data(role); };
  // The address names the device; its port is for the tooltip.
  QCOMPARE(cell(TransfersModel::Client).toString(), QStringLiteral("10.0.0.7"));
  QVERIFY(cell(TransfersModel::Client, Qt::ToolTipRole).toString().contains(QStringLiteral("From 10.0.0.7:5000")));
  QCOMPARE(cell(TransfersModel::Direction).toString(), QStringLiteral("↑"));
  QCOMPARE(cell(TransfersModel::File).toString(), QStringLiteral("file7.bin"));
  QCOMPARE(cell(TransfersModel::Progress).toString(), QStringLiteral("25%"));
  QCOMPARE(cell(0, TransfersModel::ProgressRole).toDouble(), 0.25);
  QCOMPARE(cell(TransfersModel::Transferred).toString(), QStringLiteral("250.0 kB of 1.0 MB"));
  QCOMPARE(cell(TransfersModel::Speed).toString(), QStringLiteral("50.0 kB/s"));
  QCOMPARE(cell(TransfersModel::Eta).toString(), QStringLiteral("15 s"));
  QCOMPARE(cell(TransfersModel::Eta, TransfersModel::RawRole).toDouble(), 15.0);
  QCOMPARE(cell(TransfersModel::State).toString(), QStringLiteral("Downloading"));
  QCOMPARE(cell(0, TransfersModel::OpacityRole).toDouble(), 1.0);

  t = transfer(7, 300'000, 1'000'000, TransferState::kFailed);
  model.applySnapshot(1, snapshot({t}));
  QCOMPARE(cell(TransfersModel::State).toString(), QStringLiteral("Failed: the disk said no"));
  QVERIFY(cell(TransfersModel::Speed).toString().isEmpty());
  QVERIFY(cell(TransfersModel::Eta).toString().isEmpty());
}

void TestTransfersModel::endsStayThenGo() {
  TransfersModel model;
  model.setRetention(std::chrono::milliseconds(1800));
  QSignalSpy ended(&model, &TransfersModel::transferEnded);
  model.applySnapshot(1, snapshot({transfer(1, 100)}));
  model.applySnapshot(1, snapshot({transfer(1, 1000, 1000, TransferState::kDone)}));
  QCOMPARE(ended.count(), 1);
  QCOMPARE(ended.first().at(0).toString(), QStringLiteral("file1.bin"));
  QCOMPARE(ended.first().at(2).toInt(), int(TransferState::kDone));
  // The same end seen again is not a new end.
  model.applySnapshot(1, snapshot({transfer(1, 1000, 1000, TransferState::kDone)}));
  QCOMPARE(ended.count(), 1);
  QCOMPARE(model.index(0, TransfersModel::State).data().toString(), QStringLiteral("Done"));
  QTest::qWait(300);
  QCOMPARE(model.rowCount(), 1);  // stays a while
  // Then fades...
  QVERIFY(waitFor([&] { return model.index(0, 0).data(TransfersModel::OpacityRole).toDouble() < 0.9; }, 2000));
  // ...and goes, with no snapshot needed (an idle server sends none).
  QVERIFY(waitFor([&] { return model.rowCount() == 0; }, 2000));
}

void TestTransfersModel::newRunKeepsOldRowsApart() {
  TransfersModel model;
  model.applySnapshot(1, snapshot({transfer(1, 10), transfer(2, 10)}));
  // The server restarts: ids start again at 1, in a new run.
  model.applySnapshot(2, snapshot({transfer(1, 20)}));
  QCOMPARE(model.rowCount(), 3);
  QCOMPARE(model.activeCount(), 1);
  QCOMPARE(model.index(0, 0).data(TransfersModel::RunRole).toULongLong(), 1u);
  QCOMPARE(model.index(0, 0).data(TransfersModel::StateRole).toInt(), int(TransferState::kCancelled));
  QCOMPARE(model.index(2, 0).data(TransfersModel::RunRole).toULongLong(), 2u);
  QCOMPARE(model.index(2, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong(), 20u);
  // A late snapshot of run 1 changes nothing.
  model.applySnapshot(1, snapshot({transfer(1, 999)}));
  QCOMPARE(model.index(0, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong(), 10u);
}

void TestTransfersModel::thousandTransfersOneSignal() {
  TransfersModel model;
  std::vector<TransferInfo> ts;
  for (std::uint64_t i = 1; i <= 1000; ++i) ts.push_back(transfer(i, 0));
  QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
  model.applySnapshot(1, snapshot(ts));
  QCOMPARE(inserted.count(), 1);
  QCOMPARE(model.rowCount(), 1000);
  for (auto& t : ts) t.bytesSent += 10;
  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  model.applySnapshot(1, snapshot(ts));
  QCOMPARE(changed.count(), 1);
  QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 0);
  QCOMPARE(changed.first().at(1).value<QModelIndex>().row(), 999);
}

void TestTransfersModel::removedRowsAreNotResurrected() {
  TransfersModel model;
  model.applySnapshot(1, snapshot({transfer(1, 1000, 1000, TransferState::kDone), transfer(2, 5)}));
  model.clearEnded();
  QCOMPARE(model.rowCount(), 1);
  // The core still lists the finished one for a few seconds: it stays gone.
  model.applySnapshot(1, snapshot({transfer(1, 1000, 1000, TransferState::kDone), transfer(2, 6), transfer(3, 0)}));
  QCOMPARE(model.rowCount(), 2);
  QCOMPARE(model.index(0, 0).data(TransfersModel::IdRole).toULongLong(), 2u);
  QCOMPARE(model.index(1, 0).data(TransfersModel::IdRole).toULongLong(), 3u);
  // One the core dropped while active (more ended than it keeps) is ended here.
  model.applySnapshot(1, snapshot({transfer(3, 1)}));
  QCOMPARE(model.index(0, 0).data(TransfersModel::StateRole).toInt(), int(TransferState::kFailed));
}

void TestTransfersModel::failedTextReadsInBothPalettes() {
  // The State cell of a failed download, as the view draws it (the
  // delegate paints other columns than Progress with the model's
  // foreground), on the view's base: WCAG AA asks 4.5:1 for text.
  const QPalette before = QApplication::palette();
  std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
  const QPalette light = fusion->standardPalette();
  for (const QPalette& p : {light, darkPalette(light)}) {
    QApplication::setPalette(p);
    TransfersModel model;
    model.applySnapshot(1, snapshot({transfer(3, 5, 1000, TransferState::kFailed)}));
    const QVariant fg = model.index(0, TransfersModel::State).data(Qt::ForegroundRole);
    QVERIFY(fg.isValid());
    const QColor red = fg.value<QBrush>().color();
    const QColor base = p.color(QPalette::Base);
    const double ratio = wcagContrast(red, base);
    QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1 on %2 is %3:1").arg(red.name(), base.name()).arg(ratio, 0, 'f', 2)));
    QCOMPARE(contrastRatio(red, base), ratio);
  }
  QApplication::setPalette(before);
}

void TestTransfersModel::deliveriesAreOneRowEach() {
  TransfersModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QSignalSpy ended(&model, &TransfersModel::deliveryEnded);
  auto share = std::make_shared<const ferry::Share>(ferry::Share{"tok", "/srv/build.apk", "build.apk"});
  DeliveryInfo d;
  d.id = 1;
  d.share = share;
  d.address = "192.168.1.20";
  d.clientName = "Safari on iPhone";
  d.size = 1000;
  d.covered = 450;
  d.requests = 3;
  // Three segments of one client, and an upload that is no delivery.
  StatsSnapshot s = snapshot({transfer(1, 150), transfer(2, 150), transfer(3, 150), transfer(4, 10)});
  for (int i = 0; i < 3; ++i) {
    s.transfers[i].delivery = 1;
    s.transfers[i].client = "192.168.1.20:" + std::to_string(50000 + i);
  }
  s.transfers[3].direction = TransferDirection::kUpload;
  s.deliveries = {d};
  model.applySnapshot(1, s);
  QCOMPARE(model.rowCount(), 2);
  QCOMPARE(model.index(0, TransfersModel::Client).data().toString(), QStringLiteral("Safari on iPhone (192.168.1.20)"));
  QCOMPARE(model.index(0, TransfersModel::Progress).data().toString(), QStringLiteral("45%"));
  QCOMPARE(model.index(0, 0).data(TransfersModel::TransferIdsRole).toList().size(), 3);
  QVERIFY(model.index(0, 0).data(Qt::ToolTipRole).toString().contains(
      QStringLiteral("From 192.168.1.20:50000, 192.168.1.20:50001, 192.168.1.20:50002")));
  QCOMPARE(model.index(1, TransfersModel::State).data().toString(), QStringLiteral("Receiving"));
  QCOMPARE(model.index(1, 0).data(TransfersModel::OutcomeRole).toInt(), -1);
  QCOMPARE(model.activeCount(), 2);

  // Its requests end short: it waits for a resume, then stops.
  for (int i = 0; i < 3; ++i) s.transfers[i].state = TransferState::kFailed;
  model.applySnapshot(1, s);
  QCOMPARE(model.index(0, TransfersModel::State).data().toString(), QStringLiteral("Paused at 45%"));
  QVERIFY(model.index(0, 0).data(TransfersModel::TransferIdsRole).toList().isEmpty());
  s.deliveries[0].outcome = DeliveryOutcome::kStopped;
  model.applySnapshot(1, s);
  QCOMPARE(model.index(0, TransfersModel::State).data().toString(), QStringLiteral("Stopped at 45%"));
  QCOMPARE(ended.count(), 1);
  QCOMPARE(ended.first().at(4).toString(), QStringLiteral("Stopped at 45%"));
  model.applySnapshot(1, s);
  QCOMPARE(ended.count(), 1);  // the same end seen again is not a new end

  QCOMPARE(TransfersModel::outcomeText(DeliveryOutcome::kDelivered, 0, 1), QStringLiteral("Delivered"));
  QCOMPARE(TransfersModel::outcomeText(DeliveryOutcome::kDelivered, 1, 1), QStringLiteral("Delivered (1 resume)"));
  QCOMPARE(TransfersModel::outcomeText(DeliveryOutcome::kDelivered, 2, 1), QStringLiteral("Delivered (2 resumes)"));
  QCOMPARE(TransfersModel::outcomeText(DeliveryOutcome::kCancelled, 0, 0.3), QStringLiteral("Cancelled"));
  QCOMPARE(TransfersModel::clientText(QString(), QStringLiteral("10.0.0.5")), QStringLiteral("10.0.0.5"));
}

QTEST_MAIN(TestTransfersModel)
#include "tst_transfers_model.moc"

void TestTransfersModel::sendsToADeviceEndInTheirOwnSignal() {
  TransfersModel model;
  QSignalSpy sent(&model, &TransfersModel::sendEnded);
  // A file sent to a LocalSend device: a transfer of no share (no token).
  TransferInfo t = transfer(1, 100);
  t.share = std::make_shared<const ferry::Share>(ferry::Share{"", "/home/a/photo.jpg", "photo.jpg"});
  t.clientName = "Pixel 8";
  TransferInfo link = transfer(2, 100);  // a download of a share: a delivery's business, not a send
  model.applySnapshot(1, snapshot({t, link}));
  t.state = TransferState::kDone;
  t.bytesSent = 1000;
  link.state = TransferState::kFailed;
  model.applySnapshot(1, snapshot({t, link}));
  QCOMPARE(sent.count(), 1);
  QCOMPARE(sent.first().at(0).toString(), QStringLiteral("photo.jpg"));
  QCOMPARE(sent.first().at(1).toString(), QStringLiteral("Pixel 8 (10.0.0.1)"));
  QCOMPARE(sent.first().at(2).toInt(), int(TransferState::kDone));
  QCOMPARE(sent.first().at(3).toString(), QStringLiteral("Delivered"));
}

void TestTransfersModel::unfinishedUploadsComeAndGoWithTheList() {
  TransfersModel model;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(TransfersModel::RawRole);
  proxy.sort(TransfersModel::Progress, Qt::DescendingOrder);
  proxy.setDynamicSortFilter(true);
  QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  auto unfinished = [](const char* id, std::uint64_t received) {
    UnfinishedUpload u;
    u.id = id;
    u.name = std::string("video-") + id + ".mp4";
    u.clientName = "Safari on iPhone";
    u.address = "192.168.1.31";
    u.size = 1'000'000'000;
    u.received = received;
    u.removedAt = std::chrono::system_clock::now() + std::chrono::hours(24);
    return u;
  };
  model.applySnapshot(1, snapshot({transfer(1, 10)}));
  model.setUnfinished({unfinished("a", 240'000'000), unfinished("b", 1'000)});
  QCOMPARE(model.rowCount(), 3);
  QCOMPARE(model.unfinishedCount(), 2);
  QCOMPARE(model.activeCount(), 1);  // only the transfer in flight
  const QModelIndex a = model.index(1, 0);
  QCOMPARE(a.data(TransfersModel::UnfinishedIdRole).toString(), QStringLiteral("a"));
  QCOMPARE(model.index(1, TransfersModel::Direction).data().toString(), QStringLiteral("↓"));
  QCOMPARE(model.index(1, TransfersModel::Client).data().toString(), QStringLiteral("Safari on iPhone (192.168.1.31)"));
  QCOMPARE(model.index(1, TransfersModel::Progress).data().toString(), QStringLiteral("24%"));
  QCOMPARE(model.index(1, TransfersModel::State).data().toString(), QStringLiteral("Waiting for sender to resume"));
  QVERIFY(model.index(1, TransfersModel::Speed).data().toString().isEmpty());
  QVERIFY(model.index(1, TransfersModel::Eta).data().toString().isEmpty());
  QVERIFY(a.data(TransfersModel::TransferIdsRole).toList().isEmpty());  // nothing for Cancel to end
  // "a" resumed (gone from the list), "b" grew, "c" stopped; the snapshot's
  // rows go on being matched to their transfers.
  model.setUnfinished({unfinished("b", 5'000), unfinished("c", 7)});
  QCOMPARE(model.rowCount(), 3);
  QCOMPARE(model.index(1, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong(), 5'000ull);
  QCOMPARE(model.index(2, 0).data(TransfersModel::UnfinishedIdRole).toString(), QStringLiteral("c"));
  model.applySnapshot(1, snapshot({transfer(1, 500)}));
  QCOMPARE(model.index(0, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong(), 500ull);
  model.clearEnded();  // waiting is not ended
  QCOMPARE(model.unfinishedCount(), 2);
  model.setUnfinished({});
  QCOMPARE(model.rowCount(), 1);
}
