// The delivery history: each real download's outcome lands in it (time,
// client, file, outcome), survives a restart of the window, and Clear
// History empties it and its file; it keeps the last 500; a damaged file is
// kept aside and the history starts empty, with a message, not a crash.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTimeZone>

#include "transfers/delivery_history.h"
#include "transfers/history_dialog.h"
#include "main_window.h"
#include "widgets/message_bar.h"
#include "shares/shares_model.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

class TestDeliveryHistory : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void cleanup() { config_.reset(); }
  void livesInAppData();
  void survivesARestartAndClearEmptiesIt();
  void keepsTheLast500();
  void damagedFileStartsEmptyWithAMessage_data();
  void damagedFileStartsEmptyWithAMessage();

 private:
  static QJsonArray onDisk() {
    QFile f(DeliveryHistory::defaultPath());
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("deliveries")).toArray();
  }

  std::unique_ptr<test::IsolatedConfig> config_;
};

void TestDeliveryHistory::init() {
  QCoreApplication::setApplicationName(QStringLiteral("ferry"));
  config_ = std::make_unique<test::IsolatedConfig>();
}

void TestDeliveryHistory::livesInAppData() {
  QCOMPARE(DeliveryHistory::defaultPath(), config_->path() + QStringLiteral("/data/ferry/history.json"));
}

void TestDeliveryHistory::survivesARestartAndClearEmptiesIt() {
  if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty()) QSKIP("needs curl");
  const QString file = config_->path() + QStringLiteral("/report.pdf");
  test::writeRandomFile(file, 100'000);
  SettingsStore().saveSettings(test::servingSettings(test::freePort()));
  const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
  {
    MainWindow w{SettingsStore{}};
    w.startIfWanted();
    QVERIFY(w.isServing());
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(file)}), 1);
    QCOMPARE(QProcess::execute(QStringLiteral("curl"), {"-s", "-o", "/dev/null", w.sharesModel()->linkAt(0)}), 0);
    QVERIFY(waitFor([&] { return w.history()->rowCount() == 1; }, 5000));
    QCOMPARE(w.history()->index(0, DeliveryHistory::Outcome).data().toString(), QStringLiteral("↑ Delivered"));
    QCOMPARE(w.history()->index(0, DeliveryHistory::File).data().toString(), QStringLiteral("report.pdf"));
    QVERIFY(w.history()->index(0, DeliveryHistory::Client).data().toString().startsWith(QStringLiteral("curl ")));
  }  // Ferry quits
  const QJsonArray saved = onDisk();
  QCOMPARE(saved.size(), 1);
  QCOMPARE(saved[0].toObject().value(QStringLiteral("outcome")).toString(), QStringLiteral("delivered"));
  QCOMPARE(QFile::permissions(DeliveryHistory::defaultPath()) & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());

  MainWindow w{SettingsStore{}};
  QCOMPARE(w.history()->rowCount(), 1);
  const DeliveryHistory::Record& r = w.history()->records().front();
  QVERIFY(r.time >= before && r.time <= QDateTime::currentDateTimeUtc());
  QCOMPARE(r.file, QStringLiteral("report.pdf"));
  QCOMPARE(r.text, QStringLiteral("Delivered"));
  QVERIFY(r.client.endsWith(QStringLiteral("(127.0.0.1)")));

  HistoryDialog* dialog = w.showHistory();
  QCOMPARE(dialog->view()->model()->rowCount(), 1);
  if (const QString dir = qEnvironmentVariable("FERRY_SCREENSHOT_DIR"); !dir.isEmpty())
    dialog->grab().save(dir + QStringLiteral("/history.png"));
  QVERIFY(dialog->clearButton()->isEnabled());
  QString asked;
  auto answered = test::answerNextDialog([&](QWidget* box) {
    asked = static_cast<QMessageBox*>(box)->text();
    static_cast<QMessageBox*>(box)->button(QMessageBox::Yes)->click();
  });
  dialog->clearButton()->click();
  QVERIFY2(asked.startsWith(QStringLiteral("Forget the one transfer")), qPrintable(asked));
  QCOMPARE(w.history()->rowCount(), 0);
  QVERIFY(!dialog->clearButton()->isEnabled());
  w.history()->flush();
  QCOMPARE(onDisk().size(), 0);
  QVERIFY(QFile::exists(DeliveryHistory::defaultPath()));
  QCOMPARE(DeliveryHistory().rowCount(), 0);
}

void TestDeliveryHistory::keepsTheLast500() {
  const QDateTime t0(QDate(2026, 1, 1), QTime(9, 0), QTimeZone::utc());
  {
    DeliveryHistory h;
    for (int i = 0; i < DeliveryHistory::kMax + 10; ++i)
      h.add({t0.addSecs(i), QStringLiteral("curl 8.5 (10.0.0.%1)").arg(i % 250), QStringLiteral("f%1.bin").arg(i),
             QStringLiteral("delivered"), QStringLiteral("Delivered")});
    QCOMPARE(h.rowCount(), DeliveryHistory::kMax);
    // Newest first; the ten oldest went.
    QCOMPARE(h.index(0, DeliveryHistory::File).data().toString(), QStringLiteral("f509.bin"));
    QCOMPARE(h.index(DeliveryHistory::kMax - 1, DeliveryHistory::File).data().toString(), QStringLiteral("f10.bin"));
  }  // written as it goes
  DeliveryHistory again;
  QCOMPARE(again.rowCount(), DeliveryHistory::kMax);
  QCOMPARE(again.records().front().file, QStringLiteral("f10.bin"));
  QCOMPARE(again.records().front().time, t0.addSecs(10));
  QCOMPARE(again.records().back().file, QStringLiteral("f509.bin"));
  QVERIFY(again.loadProblem().isEmpty());
}

void TestDeliveryHistory::damagedFileStartsEmptyWithAMessage_data() {
  QTest::addColumn<QByteArray>("bytes");
  QTest::addColumn<QString>("says");
  QTest::newRow("cut off") << QByteArray("{\"version\":1,\"deliveries\":[{\"time\":\"2026-") << QString("could not be read");
  QTest::newRow("not json") << QByteArray("\x00\xff\xfe garbage", 12) << QString("could not be read");
  QTest::newRow("wrong shape") << QByteArray("[1,2,3]") << QString("not a list of deliveries");
}

void TestDeliveryHistory::damagedFileStartsEmptyWithAMessage() {
  QFETCH(QByteArray, bytes);
  QFETCH(QString, says);
  QDir().mkpath(QFileInfo(DeliveryHistory::defaultPath()).absolutePath());
  QVERIFY(test::writeFile(DeliveryHistory::defaultPath(), bytes));
  SettingsStore().saveSettings(test::servingSettings(test::freePort()));
  MainWindow w{SettingsStore{}};
  QCOMPARE(w.history()->rowCount(), 0);
  QVERIFY2(w.history()->loadProblem().contains(says), qPrintable(w.history()->loadProblem()));
  QVERIFY(w.messageBar()->isVisibleTo(&w));
  QVERIFY2(w.messageBar()->text().contains(QStringLiteral("so it starts empty")), qPrintable(w.messageBar()->text()));
  // The damaged file is kept aside, and the history works from here.
  const QStringList aside = QFileInfo(DeliveryHistory::defaultPath()).dir().entryList({"history.json.damaged-*"});
  QCOMPARE(aside.size(), 1);
  QVERIFY(w.messageBar()->text().contains(aside.first()));
  w.history()->add({QDateTime::currentDateTimeUtc(), "curl 8.5 (10.0.0.1)", "a.bin", "delivered", "Delivered"});
  w.history()->flush();
  QCOMPARE(onDisk().size(), 1);
}

QTEST_MAIN(TestDeliveryHistory)
#include "tst_delivery_history.moc"
