// The Downloads list as deliveries, from real clients against the window's
// server: a client's ranged requests make one row, named for people with
// the raw address:port in the tooltip; a cut download resumed ends
// "Delivered (1 resume)", an abandoned one "Stopped at N%", and Cancel on a
// row of aria2c's four segments ends all four. A delivery is announced once
// (the tray's notice) and counted on the share's row ("Delivered to 1 device").

#include <cmath>

#include <QFile>
#include <QItemSelectionModel>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTest>

#include "desktop/background_controller.h"
#include "main_window.h"
#include "server_bridge.h"
#include "shares/shares_model.h"
#include "widgets/table_view.h"
#include "transfers/transfers_model.h"
#include "desktop/tray_icon.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

constexpr auto kIdle = std::chrono::milliseconds(1500);  // a delivery with no request this long is stopped

}  // namespace

class TestDeliveryRows : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void init();
  void cleanup();
  void rangedRequestsAreOneDelivery();
  void aCutDownloadResumedCountsOnce();
  void anAbandonedDownloadStops();
  void cancelEndsEveryRequestOfTheDelivery();

 private:
  void openWindow(std::uint64_t rate = 0, std::chrono::milliseconds idle = kIdle);
  // Runs a client to its end; its exit code.
  static int run(const QString& program, const QStringList& args) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(30000)) return -1;
    return p.exitCode();
  }
  // The one delivery row (-1 while there is none, -2 if more than one).
  int deliveryRow() const {
    int found = -1;
    TransfersModel* m = w_->transfersModel();
    for (int r = 0; r < m->rowCount(); ++r) {
      if (m->index(r, 0).data(TransfersModel::OutcomeRole).toInt() < 0) continue;
      if (found >= 0) return -2;
      found = r;
    }
    return found;
  }
  QString cell(int column, int role = Qt::DisplayRole) const {
    const int row = deliveryRow();
    return row < 0 ? QString() : w_->transfersModel()->index(row, column).data(role).toString();
  }
  double progress() const {
    const int row = deliveryRow();
    return row < 0 ? 0 : w_->transfersModel()->index(row, 0).data(TransfersModel::ProgressRole).toDouble();
  }

  std::unique_ptr<test::IsolatedConfig> config_;
  std::unique_ptr<MainWindow> w_;
  QString file_;
  QString out_;
  QByteArray content_;
};

void TestDeliveryRows::initTestCase() {
  for (const char* tool : {"curl", "aria2c"})
    if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
      QSKIP("needs curl and aria2c (scripts/setup.sh installs them)");
}

void TestDeliveryRows::init() {
  QCoreApplication::setApplicationName(QStringLiteral("ferry"));
  config_ = std::make_unique<test::IsolatedConfig>();
  file_ = config_->path() + QStringLiteral("/build.apk");
  out_ = config_->path() + QStringLiteral("/got.apk");
}

void TestDeliveryRows::cleanup() {
  w_.reset();
  config_.reset();
}

void TestDeliveryRows::openWindow(std::uint64_t rate, std::chrono::milliseconds idle) {
  AppSettings s = test::servingSettings(test::freePort());
  s.rateLimit = rate;
  SettingsStore().saveSettings(s);
  LaunchOptions launch;
  launch.server.deliveryIdle = idle;
  w_ = std::make_unique<MainWindow>(SettingsStore{}, launch);
  w_->background()->setTrayProbe([] { return true; });  // so a notice is given (offscreen: recorded)
  w_->startIfWanted();
  QVERIFY(w_->isServing());
  QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(file_)}), 1);
}

void TestDeliveryRows::rangedRequestsAreOneDelivery() {
  content_ = test::writeRandomFile(file_, 300'000);
  openWindow();
  QSignalSpy ended(w_->transfersModel(), &TransfersModel::deliveryEnded);
  const QString link = w_->sharesModel()->linkAt(0);
  QCOMPARE(run(QStringLiteral("curl"), {"-s", "-r", "0-99999", "-o", out_ + ".1", link}), 0);
  QCOMPARE(run(QStringLiteral("curl"), {"-s", "-r", "100000-", "-o", out_ + ".2", link}), 0);
  QFile a(out_ + ".1"), b(out_ + ".2");
  QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
  QVERIFY(a.readAll() + b.readAll() == content_);

  QVERIFY(waitFor([&] { return cell(TransfersModel::State) == QStringLiteral("Delivered"); }, 5000));
  QCOMPARE(deliveryRow(), 0);  // one row for both requests
  QCOMPARE(w_->transfersModel()->rowCount(), 1);
  QVERIFY2(cell(TransfersModel::Client).startsWith(QStringLiteral("curl 7.")), qPrintable(cell(TransfersModel::Client)));
  QVERIFY(cell(TransfersModel::Client).endsWith(QStringLiteral("(127.0.0.1)")));
  QCOMPARE(cell(TransfersModel::Transferred), QStringLiteral("300.0 kB of 300.0 kB"));
  QCOMPARE(cell(TransfersModel::Progress), QStringLiteral("100%"));
  const QString tip = cell(TransfersModel::Client, Qt::ToolTipRole);
  QVERIFY2(tip.contains(QRegularExpression(QStringLiteral("From 127\\.0\\.0\\.1:\\d+, 127\\.0\\.0\\.1:\\d+"))), qPrintable(tip));
  QVERIFY2(tip.contains(QStringLiteral("2 requests")), qPrintable(tip));

  QCOMPARE(ended.count(), 1);
  QCOMPARE(ended.first().at(3).toInt(), int(DeliveryOutcome::kDelivered));
  QCOMPARE(ended.first().at(1).toString(), QStringLiteral("build.apk"));
  TrayIcon* tray = w_->background()->tray();
  QVERIFY(tray);
  QVERIFY2(tray->lastNotice().contains(QStringLiteral("build.apk was delivered to curl 7.")), qPrintable(tray->lastNotice()));
  if (const QString dir = qEnvironmentVariable("FERRY_SCREENSHOT_DIR"); !dir.isEmpty()) {
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    w_->grab().save(dir + QStringLiteral("/main_window_delivered.png"));
  }
  // The share's row counts it.
  QVERIFY(waitFor(
      [&] {
        return w_->sharesModel()->index(0, SharesModel::Downloads).data(Qt::ToolTipRole).toString().contains(
            QStringLiteral("Delivered to 1 device"));
      },
      3000));
}

void TestDeliveryRows::aCutDownloadResumedCountsOnce() {
  content_ = test::writeRandomFile(file_, 2'000'000);
  // 5 s for the whole file: time to cut it. The resume, however late a busy
  // machine starts it, comes before the cut delivery is given up on.
  openWindow(400'000, std::chrono::seconds(15));
  const QString link = w_->sharesModel()->linkAt(0);
  QProcess first;
  first.start(QStringLiteral("curl"), {"-s", "-o", out_, link});
  QVERIFY(waitFor([&] { return progress() > 0.1; }, 10000));
  QCOMPARE(cell(TransfersModel::State), QStringLiteral("Downloading"));
  first.kill();
  first.waitForFinished();
  QVERIFY(waitFor([&] { return cell(TransfersModel::State).startsWith(QStringLiteral("Paused at")); }, 5000));
  const qint64 had = QFileInfo(out_).size();
  QVERIFY(had > 0 && had < content_.size());
  QCOMPARE(run(QStringLiteral("curl"), {"-s", "-C", "-", "-o", out_, link}), 0);
  QFile got(out_);
  QVERIFY(got.open(QIODevice::ReadOnly));
  QVERIFY(got.readAll() == content_);
  QVERIFY(waitFor([&] { return cell(TransfersModel::State) == QStringLiteral("Delivered (1 resume)"); }, 5000));
  QCOMPARE(deliveryRow(), 0);
  QCOMPARE(cell(TransfersModel::Progress), QStringLiteral("100%"));
  // Counted as one download in the shares list.
  QVERIFY(waitFor([&] { return w_->sharesModel()->entry(0).deliveries() == 1; }, 3000));
}

void TestDeliveryRows::anAbandonedDownloadStops() {
  content_ = test::writeRandomFile(file_, 2'000'000);
  openWindow(400'000);
  QProcess client;
  client.start(QStringLiteral("curl"), {"-s", "-o", out_, w_->sharesModel()->linkAt(0)});
  QVERIFY(waitFor([&] { return progress() > 0.2; }, 10000));
  client.kill();
  client.waitForFinished();
  QSignalSpy ended(w_->transfersModel(), &TransfersModel::deliveryEnded);
  QVERIFY(waitFor([&] { return ended.count() == 1; }, 5000 + int(kIdle.count())));
  const double p = progress();
  QVERIFY(p > 0.2 && p < 1.0);
  const QString expected = QStringLiteral("Stopped at %1%").arg(int(std::floor(p * 100)));
  QCOMPARE(cell(TransfersModel::State), expected);
  QCOMPARE(ended.first().at(4).toString(), expected);
  QCOMPARE(ended.first().at(3).toInt(), int(DeliveryOutcome::kStopped));
  QCOMPARE(w_->sharesModel()->entry(0).deliveries(), 0u);
}

void TestDeliveryRows::cancelEndsEveryRequestOfTheDelivery() {
  content_ = test::writeRandomFile(file_, 8'000'000);
  openWindow(500'000);  // 16 s for the file: it is cancelled long before
  QProcess aria;
  aria.start(QStringLiteral("aria2c"), {"-q", "-x4", "-s4", "-k1M", "--min-split-size=1M", "--max-tries=1",
                                        "--allow-overwrite=true", "-d", config_->path(), "-o", "aria.apk",
                                        w_->sharesModel()->linkAt(0)});
  QVERIFY(waitFor(
      [&] {
        return deliveryRow() >= 0 &&
               w_->transfersModel()->index(deliveryRow(), 0).data(TransfersModel::TransferIdsRole).toList().size() == 4;
      },
      10000));
  QCOMPARE(deliveryRow(), 0);  // four segments, one row
  const QVariantList inFlight = w_->transfersModel()->index(0, 0).data(TransfersModel::TransferIdsRole).toList();
  TableView* view = w_->transfersView();
  view->selectionModel()->select(w_->transfersProxy()->index(0, 0),
                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  QVERIFY(w_->action(MainWindow::Action::CancelTransfer)->isEnabled());
  w_->action(MainWindow::Action::CancelTransfer)->trigger();
  // Row 0 is the cancelled one (aria2c may open a new delivery afterwards).
  TransfersModel* m = w_->transfersModel();
  QVERIFY(waitFor([&] { return m->index(0, TransfersModel::State).data().toString() == QStringLiteral("Cancelled"); }, 5000));
  // Each of its four requests ended, by the server (aria2c may come back
  // for the rest: that is a new delivery).
  QVERIFY(waitFor(
      [&] {
        for (const TransferInfo& t : w_->bridge()->latest()->transfers)
          if (inFlight.contains(QVariant::fromValue<qulonglong>(t.id)) && t.state != TransferState::kCancelled) return false;
        return true;
      },
      5000));
  QVERIFY(m->index(0, 0).data(TransfersModel::TransferIdsRole).toList().isEmpty());
  QVERIFY(!w_->action(MainWindow::Action::CancelTransfer)->isEnabled());
  aria.kill();
  aria.waitForFinished();
}

QTEST_MAIN(TestDeliveryRows)
#include "tst_delivery_rows.moc"
