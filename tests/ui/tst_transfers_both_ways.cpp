// The Transfers list both ways, from real clients against the window's own
// server: curl downloading a shared file and curl sending a file to the
// receive link at once, each as an iPhone's Safari. Each is one row with its
// direction (↑ sent, ↓ received) and the device named alike ("Safari on
// iPhone (127.0.0.1)", never "127.0.0.1:55516"); the status bar and the
// graph carry both rates while the bytes move; and the history keeps both
// ends (a delivery, a file received).

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include "main_window.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "shares/shares_model.h"
#include "status_panel.h"
#include "transfers/delivery_history.h"
#include "transfers/transfers_model.h"
#include "ui_test_support.h"
#include "widgets/bandwidth_graph.h"
#include "testutil/process.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

const QString kSafari = QStringLiteral(
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1");

// The row of the Transfers list going `incoming` way, -1 while there is none.
int rowOf(const TransfersModel* m, bool incoming) {
  for (int r = 0; r < m->rowCount(); ++r)
    if (m->index(r, 0).data(TransfersModel::IncomingRole).toBool() == incoming) return r;
  return -1;
}

QString cell(const TransfersModel* m, int row, int column) { return m->index(row, column).data().toString(); }

}  // namespace

class TestTransfersBothWays : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable("curl").isEmpty()) QSKIP("curl is not installed");
  }

  void bothDirectionsInOneList() {
    test::IsolatedConfig config;
    QTemporaryDir inbox;
    const QString shared = config.path() + "/holiday.mp4";
    const QString sent = config.path() + "/photo.jpg";
    test::writeRandomFile(shared, 1'200'000);
    test::writeRandomFile(sent, 1'200'000);
    // Sending is held to 400 kB/s by the window's own limit (a client's
    // slow reading would hide behind the socket buffers); curl holds its
    // sending to 300 kB/s. Three and four seconds: long enough to be seen.
    AppSettings settings = test::servingSettings(test::freePort());
    settings.rateLimit = 400'000;
    SettingsStore().saveSettings(settings);
    MainWindow w{SettingsStore{}};
    w.startIfWanted();
    QVERIFY(w.isServing());
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(shared)}), 1);
    w.receivePanel()->setFolder(inbox.path());
    QVERIFY(w.receivePanel()->setReceiving(true));

    QProcess down, up;
    down.start("curl", {"-sS", "--noproxy", "*", "-A", kSafari, "-o",
                        config.path() + "/got.mp4", w.sharesModel()->linkAt(0)});
    up.start("curl", {"-sS", "--noproxy", "*", "-A", kSafari, "--limit-rate", "300k", "-T", sent,
                      w.receivePanel()->link()});
    QVERIFY(down.waitForStarted(10'000) && up.waitForStarted(10'000));

    const TransfersModel* m = w.transfersModel();
    QVERIFY(waitFor([&] { return rowOf(m, true) >= 0 && rowOf(m, false) >= 0; }, 10'000));
    const int in = rowOf(m, true), out = rowOf(m, false);
    QCOMPARE(cell(m, in, TransfersModel::Direction), QStringLiteral("↓"));
    QCOMPARE(cell(m, out, TransfersModel::Direction), QStringLiteral("↑"));
    QCOMPARE(m->index(in, TransfersModel::Direction).data(Qt::AccessibleTextRole).toString(), QStringLiteral("Received"));
    // One way of naming devices, both ways; the port only in the tooltip.
    QCOMPARE(cell(m, in, TransfersModel::Client), QStringLiteral("Safari on iPhone (127.0.0.1)"));
    QCOMPARE(cell(m, out, TransfersModel::Client), QStringLiteral("Safari on iPhone (127.0.0.1)"));
    QVERIFY(m->index(in, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("From 127.0.0.1:")));
    QCOMPARE(cell(m, in, TransfersModel::File), QStringLiteral("photo.jpg"));
    QCOMPARE(cell(m, out, TransfersModel::File), QStringLiteral("holiday.mp4"));
    QCOMPARE(m->headerData(TransfersModel::Client, Qt::Horizontal).toString(), QStringLiteral("Device"));

    // Both rates, in the status bar and in the graph, while both move.
    const QRegularExpression rates(QStringLiteral("^↓ (\\S+ \\S+/s) · ↑ (\\S+ \\S+/s)$"));
    QVERIFY2(waitFor(
                 [&] {
                   const auto match = rates.match(w.statusPanel()->rateText());
                   return match.hasMatch() && match.captured(1) != QStringLiteral("0 B/s") &&
                          match.captured(2) != QStringLiteral("0 B/s");
                 },
                 10'000),
             qPrintable(w.statusPanel()->rateText()));
    QCOMPARE(w.statusPanel()->activeText(), QStringLiteral("2 transfers"));
    QVERIFY(waitFor(
        [&] {
          return w.graph()->sampleAt(BandwidthGraph::Received, 0) > 50'000 &&
                 w.graph()->sampleAt(BandwidthGraph::Sent, 0) > 50'000;
        },
        5'000));
    QVERIFY(w.graph()->legendText(BandwidthGraph::Received).startsWith(QStringLiteral("↓ Received ")));
    QVERIFY(w.graph()->legendText(BandwidthGraph::Sent).startsWith(QStringLiteral("↑ Sent ")));

    QVERIFY(processEnded(down, 30'000) && processEnded(up, 30'000));
    QCOMPARE(down.exitCode(), 0);
    QCOMPARE(up.exitCode(), 0);
    QVERIFY(waitFor([&] { return cell(m, rowOf(m, true), TransfersModel::State).startsWith("Received"); }, 10'000));
    QVERIFY(waitFor([&] { return cell(m, rowOf(m, false), TransfersModel::State) == "Delivered"; }, 10'000));
    QVERIFY(waitFor([&] { return w.statusPanel()->sentText().contains(QStringLiteral("received")); }, 5'000));

    // The history keeps both: what was delivered, and what arrived.
    DeliveryHistory* h = w.history();
    QVERIFY(waitFor([&] { return h->rowCount() == 2; }, 10'000));
    QStringList outcomes;
    for (int r = 0; r < 2; ++r) outcomes << h->index(r, DeliveryHistory::Outcome).data().toString();
    outcomes.sort();
    QCOMPARE(outcomes, (QStringList{QStringLiteral("↑ Delivered"), QStringLiteral("↓ Received")}));
    for (int r = 0; r < 2; ++r)
      QCOMPARE(h->index(r, DeliveryHistory::Client).data().toString(), QStringLiteral("Safari on iPhone (127.0.0.1)"));
  }
};

QTEST_MAIN(TestTransfersBothWays)
#include "tst_transfers_both_ways.moc"
