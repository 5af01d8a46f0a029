// The smaller pieces: QR codes, the bandwidth graph, human units, link
// hosts, the settings dialog and the bridge's delivery of snapshots.

#include <QComboBox>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>

#include "widgets/bandwidth_graph.h"
#include "widgets/format.h"
#include "network/link_hosts.h"
#include "widgets/qr_code_widget.h"
#include "settings/run_settings.h"
#include "server_bridge.h"
#include "settings/settings_dialog.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

class TestWidgets : public QObject {
  Q_OBJECT

 private slots:
  void humanUnits();
  void qrCodeEncodesTheLink();
  void graphSamplesAndScales();
  void graphAxisLabelsNeverRepeat();
  void graphAxisLabelsNeverOverlap();
  void graphPaintsInLightAndDark();
  void linkHosts();
  void settingsDialogRoundTrip();
  void settingsDialogFitsASmallScreen();
  void bridgeDeliversTheLastWordBeforeStopping();
  void bridgeReportsABusyPort();
};

void TestWidgets::humanUnits() {
  QCOMPARE(formatBytes(0), QStringLiteral("0 B"));
  QCOMPARE(formatBytes(999), QStringLiteral("999 B"));
  QCOMPARE(formatBytes(1500), QStringLiteral("1.5 kB"));
  QCOMPARE(formatBytes(2'300'000'000ull), QStringLiteral("2.3 GB"));
  QCOMPARE(formatRate(1'250'000), QStringLiteral("1.3 MB/s"));
  QCOMPARE(formatRate(-3), QStringLiteral("0 B/s"));
  QCOMPARE(formatDuration(0.2), QStringLiteral("1 s"));
  QCOMPARE(formatDuration(200), QStringLiteral("3 min 20 s"));
  QCOMPARE(formatDuration(7300), QStringLiteral("2 h 01 min"));
  QCOMPARE(formatDuration(std::numeric_limits<double>::infinity()), QStringLiteral("—"));
  QCOMPARE(formatCount(1, "1 file", "%1 files"), QStringLiteral("1 file"));
  QCOMPARE(formatCount(0, "1 file", "%1 files"), QStringLiteral("0 files"));
  QCOMPARE(formatCount(2, "1 file", "%1 files"), QStringLiteral("2 files"));
}

void TestWidgets::qrCodeEncodesTheLink() {
  QrCodeWidget w;
  QCOMPARE(w.modules(), 0);
  w.setText(QStringLiteral("http://192.168.1.20:8080/6_9aqopH9L-766J1Y3_H_A/holiday.mp4"));
  const int n = w.modules();
  QVERIFY(n >= 21);
  QCOMPARE((n - 17) % 4, 0);  // a QR version's side
  // The three finder patterns: dark corners, a light separator ring.
  for (auto [x, y] : {std::pair{0, 0}, std::pair{n - 1, 0}, std::pair{0, n - 1}}) QVERIFY(w.module(x, y));
  QVERIFY(!w.module(7, 7));
  QVERIFY(w.module(3, 3));
  const QImage img = w.toImage(4);
  QCOMPARE(img.width(), (n + 8) * 4);
  QCOMPARE(QColor(img.pixel(1, 1)), QColor(Qt::white));       // quiet zone
  QCOMPARE(QColor(img.pixel(4 * 4 + 1, 4 * 4 + 1)), QColor(Qt::black));  // first module
  w.resize(300, 300);
  QVERIFY(!w.grab().isNull());
  w.setText({});
  QCOMPARE(w.modules(), 0);
}

void TestWidgets::graphSamplesAndScales() {
  BandwidthGraph g;
  g.setRates(0, 1'500'000);
  for (int i = 0; i < 30; ++i) g.sample();
  QCOMPARE(g.sampleAt(BandwidthGraph::Sent, 0), 1'500'000.0);
  QCOMPARE(g.sampleAt(BandwidthGraph::Received, 0), 0.0);
  QVERIFY(g.scaleMax() >= 1'500'000.0);  // the peak fits
  QVERIFY(g.scaleMax() <= 1'500'000.0 * 1.11);  // and not much more
  // Received bytes are a series of their own, and the scale fits the larger.
  g.setRates(3'000'000, 0);
  for (int i = 0; i < 30; ++i) g.sample();
  QCOMPARE(g.sampleAt(BandwidthGraph::Received, 0), 3'000'000.0);
  QCOMPARE(g.sampleAt(BandwidthGraph::Sent, 0), 0.0);
  QCOMPARE(g.sampleAt(BandwidthGraph::Sent, 30), 1'500'000.0);
  QVERIFY(g.scaleMax() >= 3'000'000.0);
  QCOMPARE(g.legendText(BandwidthGraph::Received), QStringLiteral("↓ Received 3.0 MB/s"));
  QCOMPARE(g.legendText(BandwidthGraph::Sent), QStringLiteral("↑ Sent 0 B/s"));
  // After a minute of quiet the old peaks have scrolled out and the scale eases down.
  g.setRates(0, 0);
  for (int i = 0; i < BandwidthGraph::kSamples + 100; ++i) g.sample();
  QCOMPARE(g.scaleMax(), 0.0);
  QVERIFY(g.idle());
}

void TestWidgets::graphAxisLabelsNeverRepeat() {
  // From a trickle of a byte a second to gigabytes, easing up and down:
  // every scale the graph passes through labels each grid line differently.
  BandwidthGraph g;
  int scales = 0;
  for (double rate : {0.3, 1.0, 1.6, 2.0, 3.0, 7.0, 13.0, 999.0, 1001.0, 2600.0, 123'456.0, 1.2e9, 0.5, 0.0}) {
    g.setRates(rate, rate / 3);
    for (int i = 0; i < 40; ++i) {
      g.sample();
      const QStringList labels = g.axisLabels();
      QVERIFY2(labels.size() >= 2, qPrintable(labels.join(", ")));
      QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
      QCOMPARE(labels.first(), QStringLiteral("0 B/s"));
      ++scales;
    }
  }
  QVERIFY(scales > 500);
}

void TestWidgets::graphAxisLabelsNeverOverlap() {
  // In a short graph (a small window) the labels painted stand a line of
  // text apart; in a tall one every grid line has its label.
  BandwidthGraph g;
  g.setRates(3e6, 8e6);
  for (int i = 0; i < 40; ++i) g.sample();
  const int all = int(g.axisLabels().size());
  QVERIFY(all >= 4);
  const double line = g.fontMetrics().height();
  for (int height : {g.minimumSizeHint().height(), 130, 400}) {
    g.resize(480, height);
    const auto painted = g.paintedAxisLabels();
    QVERIFY2(painted.size() >= 2, qPrintable(QString::number(height)));
    QCOMPARE(painted.first().first, QStringLiteral("0 B/s"));
    for (int i = 1; i < painted.size(); ++i)
      QVERIFY2(painted[i].second - painted[i - 1].second >= line,
               qPrintable(QStringLiteral("%1 px: %2 and %3 overlap").arg(height).arg(painted[i - 1].first, painted[i].first)));
    if (height == 400) QCOMPARE(int(painted.size()), all);
  }
  QVERIFY(g.minimumSizeHint().height() >= 100);
}

void TestWidgets::graphPaintsInLightAndDark() {
  for (bool dark : {false, true}) {
    BandwidthGraph g;
    QPalette p = g.palette();
    if (dark) {
      p.setColor(QPalette::Base, QColor(0x1f, 0x21, 0x24));
      p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    }
    g.setPalette(p);
    g.resize(480, 140);
    g.setRates(300'000, 800'000);
    for (int i = 0; i < 40; ++i) g.sample();
    const QImage img = g.grab().toImage();
    // Axis labels in the text colour stand out from the base.
    const QColor base = p.color(QPalette::Base);
    int contrasting = 0;
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < 60; ++x) {
        const QColor c = img.pixelColor(x, y);
        contrasting += std::abs(c.lightness() - base.lightness()) > 100;
      }
    QVERIFY2(contrasting > 20, dark ? "labels unreadable on dark" : "labels unreadable on light");
  }
}

void TestWidgets::linkHosts() {
  QCOMPARE(linkPrefix(QStringLiteral("192.168.1.20"), 8080), QStringLiteral("http://192.168.1.20:8080/"));
  QCOMPARE(linkPrefix(QStringLiteral("fe80::1"), 80), QStringLiteral("http://[fe80::1]:80/"));
  QCOMPARE(effectiveLinkHost(QStringLiteral("files.example.org"), QString()), QStringLiteral("files.example.org"));
  QCOMPARE(effectiveLinkHost(QString(), QStringLiteral("127.0.0.1")), QStringLiteral("127.0.0.1"));
  const QString automatic = effectiveLinkHost(QString(), QString());
  QVERIFY(!automatic.isEmpty());
  QVERIFY(automatic == primaryLanAddress() || (primaryLanAddress().isEmpty() && automatic == "127.0.0.1"));
  const QStringList all = machineAddresses();
  QCOMPARE(all.last(), QStringLiteral("127.0.0.1"));
  if (!primaryLanAddress().isEmpty()) QCOMPARE(all.first(), primaryLanAddress());
}

void TestWidgets::settingsDialogRoundTrip() {
  AppSettings s;
  s.port = 9000;
  s.linkHost = QStringLiteral("files.example.org");
  s.rateLimit = 250'000;
  s.maxConnections = 50;
  s.startOnLaunch = false;
  s.publicCacheSeconds = 300;
  SettingsDialog d(s, false);
  QCOMPARE(d.settings(), s);
  auto* port = d.findChildren<QSpinBox*>().first();
  port->setValue(0);
  QCOMPARE(d.settings().port, 0);
  QCOMPARE(port->text(), QStringLiteral("Any free port"));
  // Caches: off by default, and what is set reaches the server's options.
  auto* cache = d.findChild<QSpinBox*>(QStringLiteral("publicCache"));
  QVERIFY(cache);
  QCOMPARE(cache->value(), 300);
  QCOMPARE(RunSettings(d.settings(), {}).serverOptions().publicCacheSeconds, 300u);
  cache->setValue(0);
  QCOMPARE(cache->text(), QStringLiteral("Off"));
  QCOMPARE(RunSettings(d.settings(), {}).serverOptions().publicCacheSeconds, 0u);
  QCOMPARE(SettingsDialog(AppSettings(), false).settings().publicCacheSeconds, 0u);
  // A run's --public-cache wins until the user changes the setting.
  LaunchOptions launch;
  launch.server.publicCacheSeconds = 60;
  launch.publicCacheGiven = true;
  RunSettings run(s, launch);
  QCOMPARE(run.serverOptions().publicCacheSeconds, 60u);
  AppSettings changed = s;
  changed.publicCacheSeconds = 900;
  run.takeFromUser(changed);
  QCOMPARE(run.serverOptions().publicCacheSeconds, 900u);
}

// On a screen shorter than the form (the offscreen one is 800x600, like a
// small laptop's), no field is squeezed below the height it needs to be
// read: the groups scroll, and OK stays on the screen.
void TestWidgets::settingsDialogFitsASmallScreen() {
  SettingsDialog d(AppSettings(), false);
  LaunchOptions launch;
  launch.server.port = 9090;
  launch.portGiven = true;
  d.showCommandLine(RunSettings(AppSettings(), launch));
  d.show();
  QVERIFY(QTest::qWaitForWindowExposed(&d));
  const QRect screen = d.screen()->availableGeometry();
  QVERIFY2(d.frameGeometry().height() <= screen.height(), qPrintable(QString::number(d.height())));
  const QList<QWidget*> fields = d.findChildren<QWidget*>();
  int checked = 0;
  for (QWidget* w : fields) {
    if (!qobject_cast<QLineEdit*>(w) && !qobject_cast<QSpinBox*>(w) && !qobject_cast<QComboBox*>(w)) continue;
    // (A spin box's or combo box's own line edit is measured with it.)
    if (!w->isVisibleTo(&d) || qobject_cast<QAbstractSpinBox*>(w->parentWidget()) ||
        qobject_cast<QComboBox*>(w->parentWidget()))
      continue;
    ++checked;
    QVERIFY2(w->height() >= w->minimumSizeHint().height(),
             qPrintable(QStringLiteral("%1 is %2 px high, needs %3")
                            .arg(w->objectName().isEmpty() ? QString::fromLatin1(w->metaObject()->className()) : w->objectName())
                            .arg(w->height())
                            .arg(w->minimumSizeHint().height())));
  }
  QVERIFY(checked >= 8);
}

void TestWidgets::bridgeDeliversTheLastWordBeforeStopping() {
  QTemporaryDir dir;
  const QString file = dir.path() + QStringLiteral("/f.bin");
  test::writeRandomFile(file, 100'000);
  ServerBridge bridge;
  QStringList events;
  connect(&bridge, &ServerBridge::snapshotArrived, this,
          [&](quint64 run, std::shared_ptr<const StatsSnapshot> s) {
            events << QStringLiteral("snapshot %1 %2").arg(run).arg(s->totalBytesSent);
          });
  connect(&bridge, &ServerBridge::runningChanged, this,
          [&](bool running) { events << (running ? QStringLiteral("started") : QStringLiteral("stopped")); });
  ServerOptions o;
  o.bind = "127.0.0.1";
  o.port = 0;
  QVERIFY(bridge.start(o).ok);
  QCOMPARE(bridge.run(), 1u);
  QString error;
  auto share = bridge.addShare(file, &error);
  QVERIFY2(share, qPrintable(error));
  QNetworkAccessManager nam;
  QNetworkReply* r = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/%2/f.bin")
                                                       .arg(bridge.port())
                                                       .arg(QString::fromStdString(share->token)))));
  QVERIFY(waitFor([&] { return r->isFinished(); }, 5000));
  QCOMPARE(r->readAll().size(), 100'000);
  QVERIFY(waitFor([&] { return bridge.latest()->totalBytesSent >= 100'000; }, 3000));
  bridge.stop();
  QCOMPARE(events.first(), QStringLiteral("started"));
  QCOMPARE(events.last(), QStringLiteral("stopped"));
  QVERIFY(events[events.size() - 2].startsWith(QStringLiteral("snapshot 1 ")));
  // Coalesced: a handful of deliveries, not one per byte written.
  QVERIFY(events.size() < 60);
  delete r;
}

void TestWidgets::bridgeReportsABusyPort() {
  QTcpServer squatter;
  QVERIFY(squatter.listen(QHostAddress::Any, 0));
  ServerBridge bridge;
  ServerOptions o;
  o.port = squatter.serverPort();
  const ServerBridge::StartResult r = bridge.start(o);
  QVERIFY(!r.ok);
  QVERIFY(r.portBusy);
  QVERIFY(!r.error.isEmpty());
  QVERIFY(!bridge.isRunning());
  const quint16 free = ServerBridge::findFreePort(QString());
  QVERIFY(free != 0 && free != squatter.serverPort());
}

QTEST_MAIN(TestWidgets)
#include "tst_widgets.moc"
