// The link and its QR code as a person reads them in the window: the
// selected share's link whole and decoded under its code ("holiday
// photos.zip", not "%20"), which of several selected it shows ("1 of 2
// selected"), its rules in a line with the password one click away; and the
// receive code as large as the share's, each labelled by direction.

#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTest>

#include "main_window.h"
#include "receive/receive_panel.h"
#include "shares/expiry_text.h"
#include "shares/share_manager.h"
#include "shares/shares_controller.h"
#include "shares/shares_model.h"
#include "ui_test_support.h"
#include "widgets/qr_code_widget.h"
#include "widgets/qr_panel.h"
#include "widgets/table_view.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

class TestQrPanels : public QObject {
  Q_OBJECT

 private slots:
  void rulesReadAsALine() {
    const QDateTime now(QDate(2026, 12, 6), QTime(9, 0));
    ShareRules r;
    QCOMPARE(SharesController::rulesSummary(r, 0, now), QString());
    r.password = "tuba-kite-lamp-42";
    r.expires = fromQDateTime(QDateTime(QDate(2026, 12, 6), QTime(18, 0)));
    r.downloadLimit = 3;
    QCOMPARE(SharesController::rulesSummary(r, 1, now),
             QStringLiteral("🔒 password · ends %1 · 1 of 3 downloads").arg(clockTime(QTime(18, 0))));
    r.expires = fromQDateTime(QDateTime(QDate(2026, 12, 7), QTime(9, 30)));
    r.downloadLimit = 1;
    r.password.clear();
    QCOMPARE(SharesController::rulesSummary(r, 0, now),
             QStringLiteral("ends tomorrow %1 · 0 of 1 download").arg(clockTime(QTime(9, 30))));
    r.expires = fromQDateTime(now.addSecs(-60));
    QCOMPARE(SharesController::rulesSummary(r, 0, now), QStringLiteral("ended · 0 of 1 download"));
  }

  void theLinkIsWholeReadableAndItsRulesNear() {
    test::IsolatedConfig config;
    const QString a = config.path() + "/holiday photos.zip", b = config.path() + "/notes.pdf";
    test::writeRandomFile(a, 1000);
    test::writeRandomFile(b, 1000);
    SettingsStore().saveSettings(test::servingSettings(test::freePort()));
    MainWindow w{SettingsStore{}};
    w.startIfWanted();
    QVERIFY(w.isServing());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(a)}), 1);
    QrPanel* qr = w.qrPanel();
    const QString link = w.sharesModel()->linkAt(0);
    QVERIFY(link.endsWith(QStringLiteral("/holiday%20photos.zip")));
    QCOMPARE(qr->link(), link);  // what Copy and the code carry
    QCOMPARE(qr->code()->text(), link);
    // Shown decoded and whole: no "…" however narrow the panel.
    QVERIFY(qr->shownLink().endsWith(QStringLiteral("/holiday photos.zip")));
    QCOMPARE(qr->shownLink(), QUrl::fromPercentEncoding(link.toUtf8()));
    QCOMPARE(qr->directionText(), QStringLiteral("This computer → phone"));
    QCOMPARE(qr->rulesText(), QString());
    QCOMPARE(qr->selectionText(), QString());

    // A password and a limit: a line of rules, the password one click away.
    ShareRules rules;
    rules.password = "tuba-kite-lamp-42";
    rules.downloadLimit = 3;
    QVERIFY(w.findChild<ShareManager*>()->setRules(w.sharesModel()->entry(0).token, rules));
    QVERIFY(waitFor([&] { return qr->rulesText().startsWith(QStringLiteral("🔒 password · 0 of 3 downloads")); }, 3000));
    QVERIFY(!qr->rulesText().contains(QStringLiteral("tuba")));
    auto* rulesLabel = qr->findChild<QLabel*>(QStringLiteral("shareRules"));
    QVERIFY(rulesLabel && rulesLabel->text().contains(QStringLiteral("href=\"#password\"")));
    emit rulesLabel->linkActivated(QStringLiteral("#password"));
    QVERIFY2(qr->rulesText().contains(QStringLiteral("Password: tuba-kite-lamp-42")), qPrintable(qr->rulesText()));

    // Two selected: the panel says which one it shows.
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(b)}), 1);
    w.sharesView()->selectAll();
    QCOMPARE(qr->selectionText(), QStringLiteral("1 of 2 selected"));
    w.sharesView()->selectionModel()->select(w.sharesProxy()->index(0, 0),
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(qr->selectionText(), QString());

    // Receive: its code as large as the share's, labelled the other way.
    QTemporaryDir inbox;
    w.receivePanel()->setFolder(inbox.path());
    QVERIFY(w.receivePanel()->setReceiving(true));
    QTRY_COMPARE(w.receivePanel()->directionText(), QStringLiteral("Phone → this computer"));
    QCOMPARE(w.receivePanel()->shownLink(), w.receivePanel()->link());
    // The code is drawn square in its widget: the smaller side is its size.
    auto drawn = [](const QWidget* c) { return std::min(c->width(), c->height()); };
    const int share = drawn(qr->code()), receive = drawn(w.receivePanel()->code());
    QVERIFY2(receive >= 140 && share >= 140, qPrintable(QStringLiteral("%1 and %2").arg(share).arg(receive)));
    QVERIFY2(std::abs(share - receive) <= share / 4, qPrintable(QStringLiteral("%1 and %2").arg(share).arg(receive)));
  }
};

QTEST_MAIN(TestQrPanels)
#include "tst_qr_panels.moc"
