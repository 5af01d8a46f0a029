// The window as a user drives it: drop a file, Ctrl+C its link, watch a real
// (rate-limited) download of that link to the end; Stop and Start; cancel a
// download; a dropped folder is one share; a busy port; a file that goes
// missing.

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QMessageBox>
#include <QMimeData>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStatusBar>
#include <QTcpSocket>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <sys/stat.h>

#include "main_window.h"
#include "receive/receive_panel.h"
#include "widgets/bandwidth_graph.h"
#include "widgets/qr_code_widget.h"
#include "widgets/qr_panel.h"
#include "widgets/message_bar.h"
#include "server_bridge.h"
#include "shares/shares_model.h"
#include "status_panel.h"
#include "widgets/table_view.h"
#include "transfers/transfers_model.h"
#include "ui/drop_files.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::answerNextDialog;
using ferry::test::waitFor;
using ferry::test::dropFiles;

namespace {

constexpr qint64 kFileSize = 600 * 1000;
constexpr std::uint64_t kRate = 150 * 1000;  // bytes/s: the download takes ~4 s

AppSettings testSettings(quint16 port) {
  AppSettings s;
  s.port = port;
  s.linkHost = QStringLiteral("127.0.0.1");
  s.rateLimit = kRate;
  s.startOnLaunch = false;
  s.keepInTray = false;
  return s;
}

void clickButton(QWidget* w, QMessageBox::StandardButton which) {
  auto* box = qobject_cast<QMessageBox*>(w);
  QVERIFY(box);
  box->button(which)->click();
}

QNetworkReply* getAndWait(QNetworkAccessManager& nam, const QString& link) {
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  waitFor([&] { return reply->isFinished(); }, 10000);
  reply->deleteLater();
  return reply;
}

int statusOf(QNetworkReply* reply) { return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(); }

// Finds the transfers-model row of the first transfer, if any.
int firstTransferRow(TransfersModel* m) { return m->rowCount() > 0 ? 0 : -1; }

}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void cleanup();
  void dropCopyAndWatchDownload();
  void dropOnTheSharesList();
  void theEmptyListIsADropZone();
  void aSmallWindowKeepsTheSharesList();
  void stopRefusesStartServesAndStaysResponsive();
  void cancelEndsTheDownloadOnTheClient();
  void droppedFolderIsOneShare();
  void unshareableFileGetsOneSentence();
  void busyPortOffersAFreeOne();
  void missingFileIsShownAsMissing();
  void removeMakesTheLinkFail();
  void deleteInTheLinkAddressBoxRemovesNothing();
  void removeThenUndoKeepsTheLink();
  void busyPortThenSettingsServesOnTheNewPort();
  void settingsLeaveOtherMessagesAlone();
  void stopAsksWhileDownloadsRun();

 private:
  std::unique_ptr<MainWindow> makeWindow(const AppSettings& s);
  QString share(MainWindow& w, const QString& path);

  std::unique_ptr<test::IsolatedConfig> config_;
  QString file_;
  QByteArray content_;
  quint16 port_ = 0;
};

void TestMainWindow::init() {
  config_ = std::make_unique<test::IsolatedConfig>();
  file_ = config_->path() + QStringLiteral("/holiday photos.zip");
  content_ = test::writeRandomFile(file_, kFileSize);
  port_ = test::freePort();
  QVERIFY(port_ != 0);
}

void TestMainWindow::cleanup() { config_.reset(); }

std::unique_ptr<MainWindow> TestMainWindow::makeWindow(const AppSettings& s) {
  SettingsStore store;
  store.saveSettings(s);
  auto w = std::make_unique<MainWindow>(SettingsStore{});
  w->show();
  if (!QTest::qWaitForWindowActive(w.get())) qWarning("window did not become active");
  return w;
}

QString TestMainWindow::share(MainWindow& w, const QString& path) {
  const int before = w.sharesModel()->rowCount();
  dropFiles(&w, {path});
  if (w.sharesModel()->rowCount() != before + 1) return {};
  return w.sharesModel()->linkAt(before);
}

void TestMainWindow::dropCopyAndWatchDownload() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  QVERIFY(w->isServing());
  // Where it serves is said once, by the status panel.
  QCOMPARE(w->statusPanel()->serverText().count(QStringLiteral("Serving")), 1);
  QVERIFY(w->statusPanel()->serverText().contains(QStringLiteral("Serving on 127.0.0.1:%1").arg(port_)));
  QVERIFY2(!w->statusBar()->currentMessage().contains(QStringLiteral("Serving")),
           qPrintable(w->statusBar()->currentMessage()));

  // Drop → shared at once, and the new share is the selected row.
  dropFiles(w.get(), {file_});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  const QModelIndexList selected = w->sharesView()->selectionModel()->selectedRows();
  QCOMPARE(selected.size(), 1);
  QCOMPARE(w->sharesProxy()->mapToSource(selected.first()).row(), 0);
  QCOMPARE(w->sharesModel()->index(0, SharesModel::Name).data().toString(), QStringLiteral("holiday photos.zip"));
  QVERIFY(w->sharesView()->hasFocus());

  // Ctrl+C → the link on the clipboard, confirmed in the status bar.
  QApplication::clipboard()->clear();
  QTest::keyClick(w->sharesView(), Qt::Key_C, Qt::ControlModifier);
  const QString link = QApplication::clipboard()->text();
  QCOMPARE(link, w->sharesModel()->linkAt(0));
  QVERIFY2(link.startsWith(QStringLiteral("http://127.0.0.1:%1/").arg(port_)), qPrintable(link));
  QVERIFY(link.endsWith(QStringLiteral("/holiday%20photos.zip")));
  QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("Copied")),
           qPrintable(w->statusBar()->currentMessage()));

  // A real client downloads it; the transfer row climbs to 100% and ends "Delivered".
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  QByteArray received;
  connect(reply, &QIODevice::readyRead, this, [&] { received += reply->readAll(); });
  QList<double> seen;
  bool sawActive = false;
  QVERIFY(waitFor(
      [&] {
        TransfersModel* m = w->transfersModel();
        int row = firstTransferRow(m);
        if (row < 0) return false;
        const double p = m->index(row, 0).data(TransfersModel::ProgressRole).toDouble();
        if (seen.isEmpty() || seen.last() != p) seen << p;
        const auto state = static_cast<TransferState>(m->index(row, 0).data(TransfersModel::StateRole).toInt());
        if (state == TransferState::kActive) {
          // The row shows it too: a percentage and a speed.
          sawActive = sawActive || (m->index(row, TransfersModel::Progress).data().toString().endsWith(QLatin1Char('%')) &&
                                    m->index(row, TransfersModel::Speed).data().toString().endsWith(QLatin1String("/s")));
        }
        return state == TransferState::kDone;
      },
      20000));
  QVERIFY(sawActive);
  QVERIFY(reply->isFinished() || waitFor([&] { return reply->isFinished(); }, 5000));
  received += reply->readAll();
  QCOMPARE(reply->error(), QNetworkReply::NoError);
  QCOMPARE(received.size(), content_.size());
  QVERIFY(received == content_);

  // Progress rose through the middle (the rate limit makes it watchable) to 100%.
  bool middle = false;
  for (int i = 0; i < seen.size(); ++i) {
    if (i > 0) QVERIFY2(seen[i] >= seen[i - 1], "progress went backwards");
    middle = middle || (seen[i] > 0.05 && seen[i] < 0.95);
  }
  QVERIFY2(middle, "never saw the download part-way");
  QCOMPARE(seen.last(), 1.0);
  const QModelIndex state = w->transfersModel()->index(0, TransfersModel::State);
  QCOMPARE(state.data().toString(), QStringLiteral("Delivered"));
  QCOMPARE(w->transfersModel()->index(0, TransfersModel::Progress).data().toString(), QStringLiteral("100%"));
  // The share counts the completed download.
  QVERIFY(waitFor([&] { return w->sharesModel()->index(0, SharesModel::Downloads).data().toString() == "1"; }, 3000));
  reply->deleteLater();
}

void TestMainWindow::dropOnTheSharesList() {
  auto w = makeWindow(testSettings(port_));
  const QString second = config_->path() + QStringLiteral("/b.txt");
  test::writeRandomFile(second, 10);
  // The list itself takes drops (and reports them as an intent).
  QSignalSpy spy(w->sharesView(), &TableView::filesDropped);
  dropFiles(w->sharesView()->viewport(), {file_, second});
  QCOMPARE(spy.count(), 1);
  QCOMPARE(w->sharesModel()->rowCount(), 2);
  QCOMPARE(w->sharesView()->selectionModel()->selectedRows().size(), 2);
  // Both links, one per line.
  QApplication::clipboard()->clear();
  w->action(MainWindow::Action::CopyLink)->trigger();
  const QStringList lines = QApplication::clipboard()->text().split(QLatin1Char('\n'));
  QCOMPARE(lines, QStringList({w->sharesModel()->linkAt(0), w->sharesModel()->linkAt(1)}));
  // Dropping the same file again selects it rather than sharing it twice.
  dropFiles(w.get(), {second});
  QCOMPARE(w->sharesModel()->rowCount(), 2);
  QCOMPARE(w->sharesView()->selectionModel()->selectedRows().size(), 1);
}

void TestMainWindow::theEmptyListIsADropZone() {
  auto w = makeWindow(testSettings(port_));
  // Nothing shared: the list offers Add Files and Add Folder in its middle.
  QWidget* buttons = w->sharesView()->emptyButtons();
  QVERIFY(buttons && buttons->isVisible());
  const QList<QToolButton*> offered = buttons->findChildren<QToolButton*>();
  QCOMPARE(offered.size(), 2);
  QCOMPARE(offered[0]->defaultAction(), w->action(MainWindow::Action::AddFiles));
  QCOMPARE(offered[1]->defaultAction(), w->action(MainWindow::Action::AddFolder));
  const QRect zone = w->sharesView()->viewport()->rect();
  QVERIFY(zone.contains(buttons->geometry()));
  QVERIFY(std::abs(buttons->geometry().center().x() - zone.center().x()) <= 2);
  // With no code to show, the QR panel leaves the zone its room.
  QVERIFY(!w->qrPanel()->isVisible());
  QVERIFY(w->sharesView()->width() >= w->width() / 2);
  // Something shared: the list shows it, the buttons go, the code comes.
  QVERIFY(!share(*w, file_).isEmpty());
  QVERIFY(!buttons->isVisible());
  QTRY_VERIFY(w->qrPanel()->isVisible());
  QVERIFY(w->action(MainWindow::Action::Remove)->isEnabled());
  w->action(MainWindow::Action::Remove)->trigger();
  QTRY_COMPARE(w->sharesModel()->rowCount(), 0);
  QVERIFY(buttons->isVisible());
  QVERIFY(!w->qrPanel()->isVisible());
}

void TestMainWindow::aSmallWindowKeepsTheSharesList() {
  // Everything on at once: serving, Receive's code, a download under way
  // (so Transfers and the graph are out).
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  QVERIFY(w->receivePanel()->setReceiving(true));
  const QString link = share(*w, file_);
  QVERIFY(!link.isEmpty());
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  QTRY_VERIFY(w->transfersView()->isVisible());
  QTRY_VERIFY(w->graph()->isVisible());  // 1040 × 760: room for it

  // 760 × 532 is what the window becomes, not taller than asked.
  w->resize(760, 532);
  QTRY_COMPARE(w->size(), QSize(760, 532));
  // The side panels give way first: the list keeps room for the name...
  QTRY_VERIFY(w->sharesView()->width() >= 340);
  const int name = w->sharesView()->columnWidth(SharesModel::Name);
  const int needed = w->sharesView()->fontMetrics().horizontalAdvance(QStringLiteral("holiday photos.zip")) + 32;
  QVERIFY2(name >= needed, qPrintable(QStringLiteral("%1 < %2").arg(name).arg(needed)));
  QVERIFY(w->sharesView()->isColumnHidden(SharesModel::Link));  // whole under the QR instead
  // ...and for rows: four at least.
  const int row = w->sharesView()->verticalHeader()->defaultSectionSize();
  QVERIFY2(w->sharesView()->viewport()->height() >= 4 * row, qPrintable(QString::number(w->sharesView()->viewport()->height())));
  // Both codes at a size a phone scans; the share's whole (Receive's
  // column scrolls where the window is too short for it).
  for (QWidget* code : {static_cast<QWidget*>(w->qrPanel()->code()), static_cast<QWidget*>(w->receivePanel()->code())}) {
    QVERIFY(code->isVisible());
    QVERIFY2(std::min(code->width(), code->height()) >= 140, qPrintable(QStringLiteral("%1x%2").arg(code->width()).arg(code->height())));
  }
  QCOMPARE(w->qrPanel()->code()->visibleRegion().boundingRect(), w->qrPanel()->code()->rect());
  // Transfers keeps its heading and a row in view; the graph waits for a taller window.
  QVERIFY(w->transfersView()->isVisible());
  QVERIFY2(w->transfersView()->viewport()->height() >= row, qPrintable(QString::number(w->transfersView()->viewport()->height())));
  QCOMPARE(w->transfersView()->visibleRegion().boundingRect(), w->transfersView()->rect());
  QTRY_VERIFY(!w->graph()->isVisible());
  w->resize(1040, 760);
  QTRY_VERIFY(w->graph()->isVisible());
  QVERIFY(w->graph()->height() >= w->graph()->minimumSizeHint().height());
  reply->abort();
  reply->deleteLater();
}

void TestMainWindow::stopRefusesStartServesAndStaysResponsive() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  const QString link = share(*w, file_);
  QVERIFY(!link.isEmpty());

  // A timer that should keep firing every 10 ms throughout.
  QElapsedTimer clock;
  clock.start();
  qint64 last = 0, worstGap = 0;
  QTimer heartbeat;
  connect(&heartbeat, &QTimer::timeout, this, [&] {
    worstGap = std::max(worstGap, clock.elapsed() - last);
    last = clock.elapsed();
  });
  heartbeat.start(10);

  // A slow download is in flight when the user presses Stop.
  QNetworkAccessManager nam;
  QNetworkReply* inFlight = nam.get(QNetworkRequest(QUrl(link)));
  QVERIFY(waitFor([&] { return w->transfersModel()->activeCount() == 1; }, 5000));
  QElapsedTimer stopTime;
  stopTime.start();
  auto asked = answerNextDialog([](QWidget* d) { clickButton(d, QMessageBox::Yes); });
  w->action(MainWindow::Action::StartStop)->trigger();
  QVERIFY(!asked->isEmpty());
  const qint64 stopMs = stopTime.elapsed();
  QVERIFY(!w->isServing());
  QVERIFY2(stopMs < 1000, qPrintable(QStringLiteral("stop took %1 ms").arg(stopMs)));
  QVERIFY(waitFor([&] { return inFlight->isFinished(); }, 5000));
  QVERIFY(inFlight->error() != QNetworkReply::NoError);
  QCOMPARE(w->transfersModel()->activeCount(), 0);
  QVERIFY(w->statusPanel()->serverText().contains(QStringLiteral("Stopped")));
  QCOMPARE(w->action(MainWindow::Action::StartStop)->iconText(), QStringLiteral("Start"));

  // Stopped: a new connection is refused.
  QTcpSocket probe;
  probe.connectToHost(QHostAddress::LocalHost, port_);
  QVERIFY(!probe.waitForConnected(3000));
  QCOMPARE(probe.error(), QAbstractSocket::ConnectionRefusedError);

  // Start: the same link serves again.
  w->action(MainWindow::Action::StartStop)->trigger();
  QVERIFY(w->isServing());
  QCOMPARE(w->sharesModel()->linkAt(0), link);
  QVERIFY(w->statusPanel()->serverText().contains(QStringLiteral("Serving on 127.0.0.1:%1").arg(port_)));
  w->bridge()->setRateLimit(0);
  QNetworkReply* again = nam.get(QNetworkRequest(QUrl(link)));
  QVERIFY(waitFor([&] { return again->isFinished(); }, 10000));
  QCOMPARE(again->error(), QNetworkReply::NoError);
  QVERIFY(again->readAll() == content_);

  heartbeat.stop();
  QVERIFY2(worstGap < 500, qPrintable(QStringLiteral("the window froze for %1 ms").arg(worstGap)));
  inFlight->deleteLater();
  again->deleteLater();
}

void TestMainWindow::cancelEndsTheDownloadOnTheClient() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  const QString link = share(*w, file_);
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  QVERIFY(waitFor([&] { return w->transfersModel()->activeCount() == 1; }, 5000));

  // Select the row in the downloads list and press Cancel.
  QTableView* view = w->transfersView();
  view->setFocus();
  view->selectionModel()->select(view->model()->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  QAction* cancel = w->action(MainWindow::Action::CancelTransfer);
  QVERIFY(cancel->isEnabled());
  // Delete in the downloads list cancels (in the shares list it removes).
  QTest::keyClick(view, Qt::Key_Delete);
  QCOMPARE(w->sharesModel()->rowCount(), 1);

  QVERIFY(waitFor([&] { return reply->isFinished(); }, 5000));
  QVERIFY2(reply->error() != QNetworkReply::NoError, "the download was not cut off");
  QVERIFY(reply->readAll().size() < content_.size());
  QVERIFY(waitFor(
      [&] {
        return static_cast<TransferState>(w->transfersModel()->index(0, 0).data(TransfersModel::StateRole).toInt()) ==
               TransferState::kCancelled;
      },
      3000));
  QCOMPARE(w->transfersModel()->index(0, TransfersModel::State).data().toString(), QStringLiteral("Cancelled"));
  // The row stays a while with its outcome, then goes.
  w->transfersModel()->setRetention(std::chrono::milliseconds(300));
  QVERIFY(waitFor([&] { return w->transfersModel()->rowCount() == 0; }, 3000));
  reply->deleteLater();
}

void TestMainWindow::droppedFolderIsOneShare() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  const QString folder = config_->path() + QStringLiteral("/Photos");
  QDir().mkpath(folder + QStringLiteral("/2024"));
  QVERIFY(test::writeFile(folder + QStringLiteral("/2024/IMG_0001.jpg"), "jpeg"));
  dropFiles(w.get(), {folder});
  // One row for the folder, no message: its link lists it.
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  QVERIFY(!w->messageBar()->isVisible());
  QCOMPARE(w->sharesModel()->index(0, SharesModel::Name).data().toString(), QStringLiteral("Photos"));
  const QString link = w->sharesModel()->linkAt(0);
  QVERIFY2(link.endsWith(QStringLiteral("/Photos/")), qPrintable(link));
  QNetworkAccessManager nam;
  QNetworkReply* reply = getAndWait(nam, link);
  QCOMPARE(statusOf(reply), 200);
  QVERIFY(reply->readAll().contains("2024"));
  // Dropped again, it is selected rather than shared twice.
  dropFiles(w.get(), {folder + QLatin1Char('/')});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
}

void TestMainWindow::unshareableFileGetsOneSentence() {
  auto w = makeWindow(testSettings(port_));
  const QString pipe = config_->path() + QStringLiteral("/pipe");
  QVERIFY(::mkfifo(QFile::encodeName(pipe).constData(), 0644) == 0);
  dropFiles(w.get(), {pipe});
  QCOMPARE(w->sharesModel()->rowCount(), 0);
  QVERIFY(w->messageBar()->isVisible());
  QCOMPARE(w->messageBar()->text(), QStringLiteral("Cannot share %1: it is not a regular file or folder.").arg(pipe));
}

void TestMainWindow::busyPortOffersAFreeOne() {
  QTcpServer squatter;
  QVERIFY(squatter.listen(QHostAddress::Any, 0));
  auto w = makeWindow(testSettings(squatter.serverPort()));
  QVERIFY(!w->startServing());
  QVERIFY(w->messageBar()->isVisible());
  QVERIFY2(w->messageBar()->text().contains(QStringLiteral("already in use")), qPrintable(w->messageBar()->text()));
  QVERIFY(!w->messageBar()->buttons().isEmpty());
  QToolButton* use = w->messageBar()->buttons().first();
  QVERIFY(use->text().startsWith(QStringLiteral("Use Port")));
  use->click();
  QVERIFY(w->isServing());
  QVERIFY(w->bridge()->port() != squatter.serverPort());
  QCOMPARE(w->settings().port, w->bridge()->port());
  QVERIFY(!w->messageBar()->isVisible());
}

void TestMainWindow::missingFileIsShownAsMissing() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(!share(*w, file_).isEmpty());
  const QByteArray moved = content_;
  QVERIFY(QFile::remove(file_));
  QVERIFY(waitFor([&] { return w->sharesModel()->index(0, 0).data(SharesModel::MissingRole).toBool(); }, 6000));
  QCOMPARE(w->sharesModel()->rowCount(), 1);  // still listed
  QCOMPARE(w->sharesModel()->index(0, SharesModel::Size).data().toString(), QStringLiteral("missing"));
  // It comes back: listed as present again.
  QFile f(file_);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(moved);
  f.close();
  QVERIFY(waitFor([&] { return !w->sharesModel()->index(0, 0).data(SharesModel::MissingRole).toBool(); }, 6000));
}

void TestMainWindow::removeMakesTheLinkFail() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  const QString link = share(*w, file_);
  w->sharesView()->setFocus();
  QTest::keyClick(w->sharesView(), Qt::Key_Delete);
  QCOMPARE(w->sharesModel()->rowCount(), 0);
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  QVERIFY(waitFor([&] { return reply->isFinished(); }, 5000));
  QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
  reply->deleteLater();
}

void TestMainWindow::deleteInTheLinkAddressBoxRemovesNothing() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(!share(*w, file_).isEmpty());
  QCOMPARE(w->sharesView()->selectionModel()->selectedRows().size(), 1);
  auto* combo = w->findChild<QComboBox*>();
  QVERIFY(combo);
  combo->setFocus();
  QVERIFY(combo->hasFocus());
  QTest::keyClick(combo, Qt::Key_Delete);
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  // In the list itself, Delete still removes.
  w->sharesView()->setFocus();
  QTest::keyClick(w->sharesView(), Qt::Key_Delete);
  QCOMPARE(w->sharesModel()->rowCount(), 0);
}

void TestMainWindow::removeThenUndoKeepsTheLink() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  w->bridge()->setRateLimit(0);
  const QString link = share(*w, file_);
  QNetworkAccessManager nam;
  QCOMPARE(statusOf(getAndWait(nam, link)), 200);

  w->sharesView()->setFocus();
  QTest::keyClick(w->sharesView(), Qt::Key_Delete);
  QCOMPARE(w->sharesModel()->rowCount(), 0);
  QCOMPARE(statusOf(getAndWait(nam, link)), 404);
  QVERIFY(w->messageBar()->isVisible());
  QVERIFY2(w->messageBar()->text().startsWith(QStringLiteral("Removed holiday photos.zip")),
           qPrintable(w->messageBar()->text()));
  QCOMPARE(w->messageBar()->buttons().size(), 1);
  QToolButton* undo = w->messageBar()->buttons().first();
  QCOMPARE(undo->text(), QStringLiteral("Undo"));

  undo->click();
  QVERIFY(!w->messageBar()->isVisible());
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  QCOMPARE(w->sharesModel()->linkAt(0), link);  // the same token
  QCOMPARE(w->sharesView()->selectionModel()->selectedRows().size(), 1);
  QNetworkReply* again = getAndWait(nam, link);
  QCOMPARE(statusOf(again), 200);
  QVERIFY(again->readAll() == content_);
  // And it survives a restart: the settings file has it again.
  QCOMPARE(SettingsStore().loadShares().size(), 1);
  QCOMPARE(SettingsStore().loadShares().first().token, w->sharesModel()->entry(0).token);
}

void TestMainWindow::busyPortThenSettingsServesOnTheNewPort() {
  QTcpServer squatter;
  QVERIFY(squatter.listen(QHostAddress::Any, 0));
  auto w = makeWindow(testSettings(squatter.serverPort()));
  QVERIFY(!w->startServing());
  // Settings, another port, OK: Ferry serves on it.
  auto asked = answerNextDialog([this](QWidget* d) {
    d->findChildren<QSpinBox*>().first()->setValue(port_);
    qobject_cast<QDialog*>(d)->accept();
  });
  w->action(MainWindow::Action::Settings)->trigger();
  QVERIFY(!asked->isEmpty());
  QCOMPARE(w->settings().port, port_);
  QVERIFY(w->isServing());
  QCOMPARE(w->bridge()->port(), port_);
  QVERIFY(!w->messageBar()->isVisible());
}

void TestMainWindow::settingsLeaveOtherMessagesAlone() {
  QTcpServer squatter;
  QVERIFY(squatter.listen(QHostAddress::Any, 0));
  auto w = makeWindow(testSettings(squatter.serverPort()));
  QVERIFY(!w->startServing());  // a warning that offers Settings
  const QString pipe = config_->path() + QStringLiteral("/pipe");
  QVERIFY(::mkfifo(QFile::encodeName(pipe).constData(), 0644) == 0);
  dropFiles(w.get(), {pipe});
  const QString warning = w->messageBar()->text();
  QVERIFY2(warning.contains(QStringLiteral("not a regular file or folder")), qPrintable(warning));
  // Settings opened from the menu and cancelled: the warning stays.
  auto asked = answerNextDialog([](QWidget* d) { qobject_cast<QDialog*>(d)->reject(); });
  w->action(MainWindow::Action::Settings)->trigger();
  QVERIFY(!asked->isEmpty());
  QVERIFY(w->messageBar()->isVisible());
  QCOMPARE(w->messageBar()->text(), warning);
}

void TestMainWindow::stopAsksWhileDownloadsRun() {
  auto w = makeWindow(testSettings(port_));
  QVERIFY(w->startServing());
  const QString link = share(*w, file_);
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  QVERIFY(waitFor([&] { return w->transfersModel()->activeCount() == 1; }, 5000));
  QAction* startStop = w->action(MainWindow::Action::StartStop);

  // Asked, and "No": still serving, the download goes on.
  auto asked = answerNextDialog([](QWidget* d) { clickButton(d, QMessageBox::No); });
  startStop->trigger();
  QVERIFY2(asked->contains(QStringLiteral("1 download")), qPrintable(*asked));
  QVERIFY(w->isServing());
  QTest::qWait(300);
  QVERIFY(!reply->isFinished());
  QCOMPARE(w->transfersModel()->activeCount(), 1);

  // "Yes": stopped, the download cut off.
  asked = answerNextDialog([](QWidget* d) { clickButton(d, QMessageBox::Yes); });
  startStop->trigger();
  QVERIFY(!asked->isEmpty());
  QVERIFY(!w->isServing());
  QVERIFY(waitFor([&] { return reply->isFinished(); }, 5000));
  QVERIFY(reply->error() != QNetworkReply::NoError);

  // Nothing running: Start and Stop ask nothing.
  startStop->trigger();
  QVERIFY(w->isServing());
  asked = answerNextDialog([](QWidget* d) { clickButton(d, QMessageBox::Yes); });
  startStop->trigger();
  QVERIFY(!w->isServing());
  QTest::qWait(100);
  QVERIFY(asked->isEmpty());
  reply->deleteLater();
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
