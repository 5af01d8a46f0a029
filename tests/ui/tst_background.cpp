// Serving with the window closed, per desktop: with a tray, closing while
// files are shared hides Ferry there (said once, ever) and its menu copies
// the last share's link; without one (plain GNOME), closing asks whether
// to keep sharing in the background; a tray that appears after start-up
// still gets the icon; Quit asks only while downloads run. Downloads are
// real, over QNetworkAccessManager.

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QTest>

#include "desktop/background_controller.h"
#include "main_window.h"
#include "settings/settings_store.h"
#include "shares/shares_model.h"
#include "transfers/transfers_model.h"
#include "desktop/tray_icon.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using Close = BackgroundController::Close;

class TestBackground : public QObject {
  Q_OBJECT

  std::unique_ptr<test::IsolatedConfig> config_;
  QString file_;
  bool trayThere_ = false;
  int asked_ = 0;
  Close answer_ = Close::Hide;

  std::unique_ptr<MainWindow> makeWindow(std::uint64_t rate = 0) {
    AppSettings s;
    s.port = test::freePort();
    s.bind = s.linkHost = QStringLiteral("127.0.0.1");
    s.startOnLaunch = false;
    s.rateLimit = rate;
    SettingsStore store;
    store.saveSettings(s);
    auto w = std::make_unique<MainWindow>(SettingsStore{});
    w->background()->setTrayCheckInterval(50);
    w->background()->setTrayProbe([this] { return trayThere_; });
    w->background()->setAsk([this](QWidget*) {
      ++asked_;
      return answer_;
    });
    w->show();
    return w;
  }

  void shareAndServe(MainWindow& w) {
    QVERIFY(w.startServing());
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(file_)}), 1);
  }

 private slots:
  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    file_ = config_->path() + QStringLiteral("/notes.pdf");
    test::writeRandomFile(file_, 600 * 1000);
    trayThere_ = false;
    asked_ = 0;
    QApplication::setQuitOnLastWindowClosed(false);  // as the app runs
  }
  void cleanup() { config_.reset(); }

  void withoutATrayClosingAsks() {
    auto w = makeWindow();
    shareAndServe(*w);
    answer_ = Close::Stay;
    QVERIFY(!w->close());
    QCOMPARE(asked_, 1);
    QVERIFY(w->isVisible());

    answer_ = Close::Hide;  // "Keep Sharing"
    w->close();
    QCOMPARE(asked_, 2);
    QVERIFY(!w->isVisible());
    QVERIFY(w->isServing());
    QNetworkAccessManager nam;
    QNetworkReply* r = nam.get(QNetworkRequest(QUrl(w->sharesModel()->linkAt(0))));
    QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 10000);
    QCOMPARE(r->readAll().size(), 600 * 1000);  // the link works with the window closed
    delete r;

    w->takeLaunch({});  // a second launch, no files: the window is back
    QVERIFY(w->isVisible());
    answer_ = Close::Quit;
    QVERIFY(w->close());
    QCOMPARE(asked_, 3);
  }

  void withoutATrayTheDefaultStopsAndQuits() {
    // The question as a person sees it: Return (its default) stops and
    // quits; keeping on is the other button, which says how to come back.
    auto w = makeWindow();
    QString keepText, informative;
    auto asked = test::answerNextDialog([&](QWidget* d) {
      auto* box = qobject_cast<QMessageBox*>(d);
      QVERIFY(box);
      QCOMPARE(box->defaultButton()->text(), QStringLiteral("Stop Sharing and Quit"));
      for (QAbstractButton* b : box->buttons())
        if (b->text().startsWith(QStringLiteral("Keep Sharing"))) keepText = b->text();
      informative = box->informativeText();
      QTest::keyClick(box, Qt::Key_Return);
    });
    QCOMPARE(BackgroundController::askKeepSharing(w.get()), Close::Quit);
    QCOMPARE(*asked, QStringLiteral("Closing the window stops sharing."));
    QCOMPARE(keepText, QStringLiteral("Keep Sharing in the Background"));
    QVERIFY2(informative.contains(QStringLiteral("start Ferry again")), qPrintable(informative));

    asked = test::answerNextDialog([](QWidget* d) {
      auto* box = qobject_cast<QMessageBox*>(d);
      for (QAbstractButton* b : box->buttons())
        if (b->text() == QStringLiteral("Keep Sharing in the Background")) b->click();
    });
    QCOMPARE(BackgroundController::askKeepSharing(w.get()), Close::Hide);
    asked = test::answerNextDialog([](QWidget* d) { QTest::keyClick(d, Qt::Key_Escape); });
    QCOMPARE(BackgroundController::askKeepSharing(w.get()), Close::Stay);
  }

  void aLaunchWithFilesSharesAndServesThem() {
    auto w = makeWindow();
    QVERIFY(!w->isServing());  // not started on launch
    w->hide();
    const QString other = config_->path() + QStringLiteral("/other.txt");
    QVERIFY(test::writeFile(other, "other"));
    w->takeLaunch({other});
    QVERIFY(w->isVisible());
    QVERIFY(w->isServing());
    QCOMPARE(w->sharesModel()->rowCount(), 1);
    QNetworkAccessManager nam;
    QNetworkReply* r = nam.get(QNetworkRequest(QUrl(w->sharesModel()->linkAt(0))));
    QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 10000);
    QCOMPARE(r->readAll(), QByteArray("other"));
    delete r;
  }

  void nothingSharedClosingQuitsWithoutAQuestion() {
    auto w = makeWindow();
    QVERIFY(w->startServing());
    QVERIFY(w->close());
    QCOMPARE(asked_, 0);
  }

  void aTrayThatComesLaterGetsTheIcon() {
    auto w = makeWindow();
    QVERIFY(!w->background()->tray());
    trayThere_ = true;  // the panel started after Ferry
    QTRY_VERIFY(w->background()->tray() != nullptr);
    shareAndServe(*w);
    w->close();
    QVERIFY(!w->isVisible());
    QCOMPARE(asked_, 0);  // hidden to the tray, nothing asked
    QVERIFY(w->isServing());
  }

  void hidingToTheTraySaysSoOnceEver() {
    trayThere_ = true;
    {
      auto w = makeWindow();
      TrayIcon* tray = w->background()->tray();
      QVERIFY(tray);
      shareAndServe(*w);
      w->close();
      QVERIFY(!w->isVisible());
      QVERIFY2(tray->lastNotice().contains("still sharing"), qPrintable(tray->lastNotice()));
      w->background()->copyLastLink()->trigger();
      QVERIFY(tray->lastNotice().startsWith("Link copied"));
      w->show();
      w->close();
      QVERIFY(tray->lastNotice().startsWith("Link copied"));  // not said again
    }
    auto again = makeWindow();  // the next run, its share restored: not said again either
    QCOMPARE(again->sharesModel()->rowCount(), 1);
    QVERIFY(again->startServing());
    again->close();
    QVERIFY(!again->isVisible());
    QCOMPARE(again->background()->tray()->lastNotice(), QString());
  }

  void trayMenuHasTheCommands() {
    trayThere_ = true;
    auto w = makeWindow();
    TrayIcon* tray = w->background()->tray();
    QVERIFY(tray);
    QAction* copy = w->background()->copyLastLink();
    QVERIFY(!copy->isEnabled());  // nothing shared yet
    shareAndServe(*w);
    QStringList texts;
    for (QAction* a : tray->menu()->actions())
      if (!a->isSeparator()) texts << a->text().remove('&');
    QCOMPARE(texts.size(), 4);
    QVERIFY2(texts[1] == "Copy Link of “notes.pdf”", qPrintable(texts.join(" | ")));
    QVERIFY2(texts[2].contains("Stop"), qPrintable(texts.join(" | ")));
    QVERIFY2(texts[3].contains("Quit"), qPrintable(texts.join(" | ")));
    QApplication::clipboard()->clear();
    copy->trigger();
    QCOMPARE(QApplication::clipboard()->text(), w->sharesModel()->linkAt(0));
  }

  void quitAsksOnlyWhileDownloadsRun() {
    trayThere_ = true;
    auto w = makeWindow(150 * 1000);  // the download takes ~4 s
    shareAndServe(*w);
    QNetworkAccessManager nam;
    QNetworkReply* r = nam.get(QNetworkRequest(QUrl(w->sharesModel()->linkAt(0))));
    QTRY_VERIFY_WITH_TIMEOUT(w->transfersModel()->activeCount() == 1, 10000);
    auto asked = test::answerNextDialog([](QWidget* box) {
      qobject_cast<QMessageBox*>(box)->button(QMessageBox::No)->click();
    });
    w->action(MainWindow::Action::Quit)->trigger();
    QVERIFY2(asked->contains("still in progress"), qPrintable(*asked));
    QVERIFY(w->isVisible());  // not quit
    QVERIFY(!r->isFinished());
    r->abort();
    delete r;
    QTRY_VERIFY_WITH_TIMEOUT(w->transfersModel()->activeCount() == 0, 10000);
    auto none = test::answerNextDialog([](QWidget* box) { qobject_cast<QMessageBox*>(box)->reject(); });
    w->action(MainWindow::Action::Quit)->trigger();
    QVERIFY(!w->isVisible());  // quit at once
    QVERIFY(none->isEmpty());
  }
};

QTEST_MAIN(TestBackground)
#include "tst_background.moc"
