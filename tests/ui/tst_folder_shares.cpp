// Shared folders in the window, as a user meets them: a dropped folder is one
// row with a folder icon, its size and its file count (counted in the
// background); Copy Zip Link puts the download-everything link on the
// clipboard; a real client's download of that zip shows in Downloads and ends
// "Delivered", and the zip it got passes `unzip -t`; Show Hidden Files changes what
// the listing shows and survives a restart; a folder too deep for one zip
// says so in words.

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileIconProvider>
#include <QFileInfo>
#include <QIcon>
#include <QImage>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

#include "widgets/format.h"
#include "main_window.h"
#include "widgets/message_bar.h"
#include "server_bridge.h"
#include "settings/settings_store.h"
#include "shares/shares_model.h"
#include "widgets/table_view.h"
#include "transfers/transfers_model.h"
#include "ui/drop_files.h"
#include "ui/ui_test_support.h"
#include "testutil/process.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::dropFiles;
using ferry::test::servingSettings;
using ferry::test::waitFor;

namespace {

struct Fetched {
  int status = 0;
  QByteArray body;
  QNetworkReply::NetworkError error = QNetworkReply::NoError;
  qint64 contentLength = -1;
};

Fetched fetch(const QString& link) {
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  waitFor([&] { return reply->isFinished(); }, 20000);
  Fetched f;
  f.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  f.error = reply->error();
  f.contentLength = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
  f.body = reply->readAll();
  delete reply;
  return f;
}

QString sizeText(MainWindow& w, int row = 0) {
  return w.sharesModel()->index(row, SharesModel::Size).data().toString();
}

}  // namespace

class TestFolderShares : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void cleanup() { config_.reset(); }
  void droppedFolderShowsSizeAndCount();
  void copyZipLinkPutsTheZipLinkOnTheClipboard();
  void zipDownloadShowsInDownloadsAndEndsDone();
  void hiddenFilesToggleSurvivesARestart();
  void folderTooDeepForAZipSaysSo();

 private:
  std::unique_ptr<MainWindow> openWindow(const LaunchOptions& launch = {});
  void selectOnly(MainWindow& w, int row);

  std::unique_ptr<test::IsolatedConfig> config_;
  QString folder_;  // Photos: 2 files (1,000 + 2,500 bytes) in a sub-folder, and one hidden file
  quint16 port_ = 0;
};

void TestFolderShares::init() {
  QCoreApplication::setApplicationName(QStringLiteral("ferry"));  // as app/run_gui.cpp names it
  config_ = std::make_unique<test::IsolatedConfig>();
  folder_ = config_->path() + QStringLiteral("/Photos");
  QVERIFY(QDir().mkpath(folder_ + QStringLiteral("/2024")));
  test::writeRandomFile(folder_ + QStringLiteral("/cover.jpg"), 1000);
  test::writeRandomFile(folder_ + QStringLiteral("/2024/IMG_0001.jpg"), 2500);
  QVERIFY(test::writeFile(folder_ + QStringLiteral("/.secret"), "not for everyone"));
  port_ = test::freePort();
  QVERIFY(port_ != 0);
  SettingsStore().saveSettings(servingSettings(port_));
}

std::unique_ptr<MainWindow> TestFolderShares::openWindow(const LaunchOptions& launch) {
  auto w = std::make_unique<MainWindow>(SettingsStore{}, launch);
  w->show();
  if (!QTest::qWaitForWindowActive(w.get())) qWarning("window did not become active");
  w->startIfWanted();
  return w;
}

void TestFolderShares::selectOnly(MainWindow& w, int row) {
  const QModelIndex i = w.sharesProxy()->mapFromSource(w.sharesModel()->index(row, 0));
  w.sharesView()->selectionModel()->setCurrentIndex(i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  w.sharesView()->setFocus(Qt::OtherFocusReason);
}

void TestFolderShares::droppedFolderShowsSizeAndCount() {
  auto w = openWindow();
  QVERIFY(w->isServing());
  dropFiles(w.get(), {folder_});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  QVERIFY(!w->messageBar()->isVisible());
  const QModelIndex name = w->sharesModel()->index(0, SharesModel::Name);
  QCOMPARE(name.data().toString(), QStringLiteral("Photos"));
  QVERIFY(name.data(SharesModel::FolderRole).toBool());
  // A folder's icon, not a file's (nor the warning of a share that is not served).
  const QImage icon = name.data(Qt::DecorationRole).value<QIcon>().pixmap(16).toImage();
  QVERIFY(!icon.isNull());
  QCOMPARE(icon, QFileIconProvider().icon(QFileIconProvider::Folder).pixmap(16).toImage());
  QVERIFY(icon != QFileIconProvider().icon(QFileIconProvider::File).pixmap(16).toImage());

  // Counted in the background: the two files, not the hidden one.
  const QString expected = formatBytes(3500) + QStringLiteral(" · 2 files");
  QVERIFY2(waitFor([&] { return sizeText(*w) == expected; }, 10000), qPrintable(sizeText(*w)));
  QCOMPARE(w->sharesModel()->index(0, SharesModel::Size).data(SharesModel::RawRole).toLongLong(), 3500);
  const QString tip = w->sharesModel()->index(0, SharesModel::Size).data(Qt::ToolTipRole).toString();
  QVERIFY2(tip.contains(QStringLiteral("2 files in 1 folders")), qPrintable(tip));

  // Its link is its listing (what the QR code shows too), without the hidden file.
  const QString link = w->sharesModel()->linkAt(0);
  QVERIFY2(link.startsWith(QStringLiteral("http://127.0.0.1:%1/").arg(port_)) && link.endsWith(QStringLiteral("/Photos/")),
           qPrintable(link));
  const Fetched page = fetch(link);
  QCOMPARE(page.status, 200);
  QVERIFY(page.body.contains("cover.jpg"));
  QVERIFY(page.body.contains("2024"));
  QVERIFY(!page.body.contains(".secret"));
}

void TestFolderShares::copyZipLinkPutsTheZipLinkOnTheClipboard() {
  auto w = openWindow();
  const QString file = config_->path() + QStringLiteral("/notes.txt");
  QVERIFY(test::writeFile(file, "notes"));
  dropFiles(w.get(), {file, folder_});
  QCOMPARE(w->sharesModel()->rowCount(), 2);
  QAction* copyZip = w->action(MainWindow::Action::CopyZipLink);

  // A file has no zip link: the action is off while only the file is selected.
  selectOnly(*w, 0);
  QVERIFY(!copyZip->isEnabled());
  QVERIFY(!w->action(MainWindow::Action::ShowHidden)->isEnabled());
  // It is in the shares list's context menu, beside Copy Link.
  const QList<QAction*> menu = w->sharesView()->actions();
  QVERIFY(menu.contains(copyZip));
  QCOMPARE(menu.indexOf(copyZip), menu.indexOf(w->action(MainWindow::Action::CopyLink)) + 1);

  selectOnly(*w, 1);
  QVERIFY(copyZip->isEnabled());
  QApplication::clipboard()->clear();
  QTest::keyClick(w->sharesView(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
  const QString zipLink = QApplication::clipboard()->text();
  QCOMPARE(zipLink, w->sharesModel()->linkAt(1) + QStringLiteral("?zip"));
  QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("Copied the zip link")),
           qPrintable(w->statusBar()->currentMessage()));
  // Copy Link still gives the listing.
  QTest::keyClick(w->sharesView(), Qt::Key_C, Qt::ControlModifier);
  QVERIFY(QApplication::clipboard()->text().endsWith(QStringLiteral("/Photos/")));

  // With the file and the folder selected, only the folder's zip link is copied.
  w->sharesView()->selectAll();
  copyZip->trigger();
  QCOMPARE(QApplication::clipboard()->text(), zipLink);
}

void TestFolderShares::zipDownloadShowsInDownloadsAndEndsDone() {
  const QString unzip = QStandardPaths::findExecutable(QStringLiteral("unzip"));
  QVERIFY2(!unzip.isEmpty(), "needs unzip (Debian package unzip, in scripts/setup.sh)");
  LaunchOptions launch;
  launch.cacheDirectory = config_->path() + QStringLiteral("/cache/ferry");
  auto w = openWindow(launch);
  dropFiles(w.get(), {folder_});
  QVERIFY(waitFor([&] { return sizeText(*w).endsWith(QStringLiteral("2 files")); }, 10000));
  const QString zipLink = w->sharesModel()->zipLinkAt(0);

  const Fetched zip = fetch(zipLink);
  QCOMPARE(zip.error, QNetworkReply::NoError);
  QCOMPARE(zip.status, 200);
  QCOMPARE(qint64(zip.body.size()), zip.contentLength);  // the length was known before the first byte
  QVERIFY(zip.body.startsWith("PK\x03\x04"));

  // The window saw it: a row for Photos.zip that ends "Delivered" at 100%.
  TransfersModel* t = w->transfersModel();
  QVERIFY(waitFor(
      [&] {
        return t->rowCount() == 1 &&
               static_cast<TransferState>(t->index(0, 0).data(TransfersModel::StateRole).toInt()) == TransferState::kDone;
      },
      5000));
  QCOMPARE(t->index(0, TransfersModel::File).data().toString(), QStringLiteral("Photos.zip"));
  QCOMPARE(t->index(0, TransfersModel::State).data().toString(), QStringLiteral("Delivered"));
  QCOMPARE(t->index(0, TransfersModel::Progress).data().toString(), QStringLiteral("100%"));

  // A reader nobody here wrote accepts it and finds both files, and not the hidden one.
  const QString saved = config_->path() + QStringLiteral("/Photos.zip");
  QVERIFY(test::writeFile(saved, zip.body));
  QProcess check;
  check.start(unzip, {QStringLiteral("-t"), saved});
  QVERIFY(processEnded(check, 10000));
  const QString out = QString::fromUtf8(check.readAllStandardOutput());
  QVERIFY2(check.exitCode() == 0, qPrintable(out));
  QVERIFY2(out.contains(QStringLiteral("Photos/2024/IMG_0001.jpg")) && out.contains(QStringLiteral("Photos/cover.jpg")),
           qPrintable(out));
  QVERIFY2(!out.contains(QStringLiteral(".secret")), qPrintable(out));

  // The CRC-32s the zip needed are kept in the cache directory for the next run.
  QVERIFY(waitFor([&] { return QFileInfo::exists(launch.cacheDirectory + QStringLiteral("/crc32-cache")); }, 10000));
}

void TestFolderShares::hiddenFilesToggleSurvivesARestart() {
  QString link, token;
  {
    auto w = openWindow();
    dropFiles(w.get(), {folder_});
    QVERIFY(waitFor([&] { return sizeText(*w).endsWith(QStringLiteral("2 files")); }, 10000));
    link = w->sharesModel()->linkAt(0);
    token = w->sharesModel()->entry(0).token;
    QAction* showHidden = w->action(MainWindow::Action::ShowHidden);
    selectOnly(*w, 0);
    QVERIFY(showHidden->isEnabled());
    QVERIFY(!showHidden->isChecked());
    showHidden->trigger();
    QVERIFY(showHidden->isChecked());
    // Counted again with the hidden file; the listing shows it.
    QVERIFY2(waitFor([&] { return sizeText(*w).endsWith(QStringLiteral("3 files")); }, 10000), qPrintable(sizeText(*w)));
    QVERIFY(fetch(link).body.contains(".secret"));
  }  // Ferry quits

  // Saved with the share; a file's entry gains no such key.
  QSettings ini(SettingsStore::defaultPath(), QSettings::IniFormat);
  QCOMPARE(ini.value(QStringLiteral("shares/%1/showHidden").arg(token)).toString(), QStringLiteral("true"));

  auto w = openWindow();
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  QCOMPARE(w->sharesModel()->linkAt(0), link);
  selectOnly(*w, 0);
  QAction* showHidden = w->action(MainWindow::Action::ShowHidden);
  QVERIFY(showHidden->isChecked());
  QVERIFY2(waitFor([&] { return sizeText(*w).endsWith(QStringLiteral("3 files")); }, 10000), qPrintable(sizeText(*w)));
  QVERIFY(fetch(link).body.contains(".secret"));

  // And off again: the hidden file goes from the listing and the count.
  showHidden->trigger();
  QVERIFY(!showHidden->isChecked());
  QVERIFY2(waitFor([&] { return sizeText(*w).endsWith(QStringLiteral("2 files")); }, 10000), qPrintable(sizeText(*w)));
  QVERIFY(!fetch(link).body.contains(".secret"));
  QVERIFY(!SettingsStore().loadShares().first().showHidden);
}

void TestFolderShares::folderTooDeepForAZipSaysSo() {
  QString deep = config_->path() + QStringLiteral("/Deep");
  for (int i = 0; i < 70; ++i) deep += QStringLiteral("/d");
  QVERIFY(QDir().mkpath(deep));
  QVERIFY(test::writeFile(deep + QStringLiteral("/bottom.txt"), "bottom"));
  auto w = openWindow();
  dropFiles(w.get(), {config_->path() + QStringLiteral("/Deep")});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  QVERIFY2(waitFor([&] { return sizeText(*w) == QStringLiteral("too large for one zip"); }, 10000),
           qPrintable(sizeText(*w)));
  const QString tip = w->sharesModel()->index(0, SharesModel::Size).data(Qt::ToolTipRole).toString();
  QVERIFY2(tip.contains(QStringLiteral("cannot be downloaded as one zip: its folders nest more than 64 levels deep")),
           qPrintable(tip));
  // Its listing still works.
  QCOMPARE(fetch(w->sharesModel()->linkAt(0)).status, 200);
}

QTEST_MAIN(TestFolderShares)
#include "tst_folder_shares.moc"
