// Restarting Ferry with the same config dir: the same links still download,
// settings come back, and the file with the tokens is its owner's alone.
// When that file cannot be written (a full disk), the window says so and
// the last saved copy is kept.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#ifdef __linux__
#include <dlfcn.h>
#endif

#include "main_window.h"
#include "server_bridge.h"
#include "settings_store.h"
#include "shares_model.h"
#include "status_panel.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

class TestPersistence : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void cleanup() { config_.reset(); }
  void settingsRoundTrip();
  void storeLivesUnderTheConfigDirectory();
  void restartKeepsLinksWorking();
  void missingAtStartupKeepsItsToken();
  void fullDiskLosesNothing();

 private:
  QByteArray download(const QString& link, int* status = nullptr);
  AppSettings settingsFor(quint16 port) {
    AppSettings s;
    s.port = port;
    s.linkHost = QStringLiteral("127.0.0.1");
    s.startOnLaunch = true;
    s.keepInTray = false;
    return s;
  }

  std::unique_ptr<test::IsolatedConfig> config_;
};

void TestPersistence::init() {
  QCoreApplication::setApplicationName(QStringLiteral("ferry"));  // as app/run_gui.cpp names it
  config_ = std::make_unique<test::IsolatedConfig>();
}

QByteArray TestPersistence::download(const QString& link, int* status) {
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(link)));
  waitFor([&] { return reply->isFinished(); }, 10000);
  if (status) *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  QByteArray body = reply->error() == QNetworkReply::NoError ? reply->readAll() : QByteArray();
  delete reply;
  return body;
}

void TestPersistence::settingsRoundTrip() {
  SettingsStore store;
  AppSettings s;
  s.port = 9123;
  s.bind = QStringLiteral("127.0.0.1");
  s.linkHost = QStringLiteral("files.example.org");
  s.rateLimit = 2'500'000;
  s.maxConnections = 77;
  s.startOnLaunch = false;
  s.keepInTray = false;
  s.notifyOnComplete = false;
  QVERIFY(store.saveSettings(s));
  QCOMPARE(SettingsStore().loadSettings(), s);
  QList<SavedShare> shares = {{QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA"), QStringLiteral("/x/y z.txt"), 3}};
  QVERIFY(store.saveShares(shares));
  QCOMPARE(SettingsStore().loadShares(), shares);
  // Defaults when nothing was saved.
  QCOMPARE(SettingsStore(config_->path() + QStringLiteral("/none.ini")).loadSettings(), AppSettings());
}

void TestPersistence::storeLivesUnderTheConfigDirectory() {
  const QString expected = config_->path() + QStringLiteral("/config/ferry/ferry.ini");
  QCOMPARE(SettingsStore::defaultPath(), expected);
  SettingsStore().saveSettings(AppSettings());
  QVERIFY(QFile::exists(expected));
  // Tokens are secrets: owner read/write only.
  QCOMPARE(QFile::permissions(expected) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
           QFile::Permissions());
}

void TestPersistence::restartKeepsLinksWorking() {
  const quint16 port = test::freePort();
  const QString a = config_->path() + QStringLiteral("/a.bin"), b = config_->path() + QStringLiteral("/b ü.txt");
  const QByteArray contentA = test::writeRandomFile(a, 200'000);
  const QByteArray contentB = test::writeRandomFile(b, 1234);
  SettingsStore().saveSettings(settingsFor(port));

  QStringList links;
  {
    MainWindow w{SettingsStore{}};
    w.startIfWanted();
    QVERIFY(w.isServing());
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(a), QUrl::fromLocalFile(b)}), 2);
    links << w.sharesModel()->linkAt(0) << w.sharesModel()->linkAt(1);
    QVERIFY(download(links[0]) == contentA);
    QVERIFY(waitFor([&] { return w.sharesModel()->index(0, SharesModel::Downloads).data().toString() == "1"; }, 3000));
  }  // Ferry quits

  MainWindow again{SettingsStore{}};
  QCOMPARE(again.sharesModel()->rowCount(), 2);
  again.startIfWanted();
  QVERIFY(again.isServing());
  QCOMPARE(again.bridge()->port(), port);
  QCOMPARE(again.sharesModel()->linkAt(0), links[0]);
  QCOMPARE(again.sharesModel()->linkAt(1), links[1]);
  QVERIFY(download(links[0]) == contentA);
  QVERIFY(download(links[1]) == contentB);
  // Download counts carry over too.
  QVERIFY(waitFor([&] { return again.sharesModel()->index(0, SharesModel::Downloads).data().toString() == "2"; }, 3000));
}

void TestPersistence::missingAtStartupKeepsItsToken() {
  const quint16 port = test::freePort();
  const QString a = config_->path() + QStringLiteral("/report.pdf");
  const QByteArray content = test::writeRandomFile(a, 5000);
  SettingsStore().saveSettings(settingsFor(port));
  QString link;
  {
    MainWindow w{SettingsStore{}};
    w.shareFiles({QUrl::fromLocalFile(a)});
    link = w.sharesModel()->linkAt(0);
  }
  QVERIFY(QFile::rename(a, a + QStringLiteral(".moved")));

  MainWindow w{SettingsStore{}};
  w.startIfWanted();
  QCOMPARE(w.sharesModel()->rowCount(), 1);
  QVERIFY(w.sharesModel()->index(0, 0).data(SharesModel::MissingRole).toBool());
  int status = 0;
  download(link, &status);
  QCOMPARE(status, 404);
  // Saving now must not lose the missing share's token.
  QCOMPARE(SettingsStore().loadShares().size(), 1);

  // The file comes back: the same link serves it again.
  QVERIFY(QFile::rename(a + QStringLiteral(".moved"), a));
  QVERIFY(waitFor([&] { return !w.sharesModel()->index(0, 0).data(SharesModel::MissingRole).toBool(); }, 6000));
  QCOMPARE(w.sharesModel()->linkAt(0), link);
  QVERIFY(download(link) == content);
}

void TestPersistence::fullDiskLosesNothing() {
#ifndef __linux__
  QSKIP("the full disk comes from a preloaded library built on Linux");
#else
  // tests/faults/faulty_disk.c, preloaded by ctest: writes to the settings
  // directory fail with ENOSPC while the control file says so.
  QVERIFY2(::dlsym(RTLD_DEFAULT, "ferry_faulty_disk_loaded"), "run with LD_PRELOAD=libferry_faulty_disk.so (ctest does)");
  const QString control = config_->path() + QStringLiteral("/fault");
  QVERIFY(test::writeFile(control, {}));
  qputenv("FERRY_FAULT_MATCH", QFile::encodeName(QFileInfo(SettingsStore::defaultPath()).absolutePath()));
  qputenv("FERRY_FAULT_CONTROL", QFile::encodeName(control));
  auto unset = qScopeGuard([] {
    qunsetenv("FERRY_FAULT_MATCH");
    qunsetenv("FERRY_FAULT_CONTROL");
  });

  const QString a = config_->path() + QStringLiteral("/kept.bin"), b = config_->path() + QStringLiteral("/late.bin");
  test::writeRandomFile(a, 1000);
  test::writeRandomFile(b, 1000);
  SettingsStore().saveSettings(settingsFor(test::freePort()));
  MainWindow w{SettingsStore{}};
  QCOMPARE(w.shareFiles({QUrl::fromLocalFile(a)}), 1);
  QVERIFY(w.statusPanel()->problemText().isEmpty());

  // The disk fills up: sharing still works (the link is served), the window
  // says the list is not saved and where, and the saved copy is untouched.
  QVERIFY(test::writeFile(control, "enospc"));
  QCOMPARE(w.shareFiles({QUrl::fromLocalFile(b)}), 1);
  const QString problem = w.statusPanel()->problemText();
  QVERIFY2(problem.contains(QDir::toNativeSeparators(SettingsStore::defaultPath())), qPrintable(problem));
  QVERIFY(w.statusPanel()->problemShown());
  // (Read as bytes: QSettings in this process caches what it failed to write.)
  auto onDisk = [] {
    QFile f(SettingsStore::defaultPath());
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
  };
  QVERIFY(onDisk().contains("kept.bin"));
  QVERIFY(!onDisk().contains("late.bin"));

  // Room again: the next retry saves everything and the warning goes.
  QVERIFY(test::writeFile(control, {}));
  QVERIFY(waitFor([&] { return w.statusPanel()->problemText().isEmpty(); }, 8000));
  QVERIFY(onDisk().contains("kept.bin"));
  QVERIFY(onDisk().contains("late.bin"));
#endif
}

QTEST_MAIN(TestPersistence)
#include "tst_persistence.moc"
