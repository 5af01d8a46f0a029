// Restarting Ferry with the same config dir: the same links still download,
// settings come back, and the file with the tokens is its owner's alone.
// When that file cannot be written (a full disk), the window says so and
// the last saved copy is kept. A damaged file is kept as a backup and what
// can be read of it comes back; two Ferrys writing one file keep each
// other's shares; a restored file that cannot be served says why.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QStandardPaths>
#include <QProcess>
#include <QTest>
#include <QTimeZone>

#ifdef __linux__
#include <dlfcn.h>
#endif

#include "main_window.h"
#include "widgets/message_bar.h"
#include "server_bridge.h"
#include "settings/settings_store.h"
#include "shares/shares_model.h"
#include "status_panel.h"
#include "ui/ui_test_support.h"
#include "testutil/process.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

QByteArray onDisk(const QString& path = SettingsStore::defaultPath()) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

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
  void damagedFileKeepsWhatCanBeRead_data();
  void damagedFileKeepsWhatCanBeRead();
  void mistypedValuesFallBackToDefaults();
  void twoWritersKeepEachOthersShares();
  void unservableAtStartupSaysWhy();
  void folderCountedInFilesCountsDevices();

 private:
  QByteArray download(const QString& link, int* status = nullptr);

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
  s.publicCacheSeconds = 600;
  QVERIFY(store.saveSettings(s));
  QCOMPARE(SettingsStore().loadSettings(), s);
  QList<SavedShare> shares = {{QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA"), QStringLiteral("/x/y z.txt"), 3},
                               {QStringLiteral("BBBBBBBBBBBBBBBBBBBBBB"), QStringLiteral("/x/Photos"), 1, true, true}};
  // A link with every rule, and the deliveries its limit counted.
  SavedShare ruled{QStringLiteral("CCCCCCCCCCCCCCCCCCCCCC"), QStringLiteral("/x/contract.pdf"), 2};
  ruled.expires = QDateTime(QDate(2031, 5, 6), QTime(18, 0, 0, 250), QTimeZone::utc());
  ruled.downloadLimit = 3;
  ruled.password = QStringLiteral("tahi-keji-heze-80");
  ruled.deliveries = 1;
  shares << ruled;
  // A folder whose limit counts devices, and the devices it let in.
  SavedShare devices{QStringLiteral("DDDDDDDDDDDDDDDDDDDDDD"), QStringLiteral("/x/Weekend"), 0, true};
  devices.downloadLimit = 2;
  devices.deliveries = 2;
  devices.recipients = {QStringLiteral("Xy3_-AAAAAAAAAAAAAAAAA@192.168.1.31"), QStringLiteral("@fe80::1")};
  shares << devices;
  QVERIFY(store.saveShares(shares));
  QCOMPARE(SettingsStore().loadShares(), shares);
  // A file's entry reads as it did before folders could be shared.
  QSettings ini(SettingsStore::defaultPath(), QSettings::IniFormat);
  QCOMPARE(ini.value(QStringLiteral("shares/BBBBBBBBBBBBBBBBBBBBBB/showHidden")).toString(), QStringLiteral("true"));
  QVERIFY(!ini.contains(QStringLiteral("shares/AAAAAAAAAAAAAAAAAAAAAA/folder")));
  QVERIFY(!ini.contains(QStringLiteral("shares/AAAAAAAAAAAAAAAAAAAAAA/showHidden")));
  for (const char* rule : {"expires", "downloadLimit", "password", "deliveries", "recipients"})
    QVERIFY(!ini.contains(QStringLiteral("shares/AAAAAAAAAAAAAAAAAAAAAA/") + QLatin1String(rule)));
  QCOMPARE(ini.value(QStringLiteral("shares/CCCCCCCCCCCCCCCCCCCCCC/expires")).toString(),
           QStringLiteral("2031-05-06T18:00:00.250Z"));
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
  SettingsStore().saveSettings(test::servingSettings(port));

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
  SettingsStore().saveSettings(test::servingSettings(port));
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
  SettingsStore().saveSettings(test::servingSettings(test::freePort()));
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
  QVERIFY(onDisk().contains("kept.bin"));
  QVERIFY(!onDisk().contains("late.bin"));

  // Room again: the next retry saves everything and the warning goes.
  QVERIFY(test::writeFile(control, {}));
  QVERIFY(waitFor([&] { return w.statusPanel()->problemText().isEmpty(); }, 8000));
  QVERIFY(onDisk().contains("kept.bin"));
  QVERIFY(onDisk().contains("late.bin"));
#endif
}

void TestPersistence::damagedFileKeepsWhatCanBeRead_data() {
  QTest::addColumn<QString>("damage");
  QTest::addColumn<int>("atLeast");  // shares that must come back
  QTest::newRow("cut 20 bytes short") << QStringLiteral("cut") << 2;
  QTest::newRow("a stray [[[ line") << QStringLiteral("stray") << 3;
}

void TestPersistence::damagedFileKeepsWhatCanBeRead() {
  QFETCH(QString, damage);
  QFETCH(int, atLeast);
  QStringList links;  // tokens, really
  {
    MainWindow w{SettingsStore{}};
    QList<QUrl> urls;
    for (int i = 0; i < 3; ++i) {
      const QString f = config_->path() + QStringLiteral("/file%1.bin").arg(i);
      test::writeRandomFile(f, 1000);
      urls << QUrl::fromLocalFile(f);
    }
    QCOMPARE(w.shareFiles(urls), 3);
    for (int i = 0; i < 3; ++i) links << w.sharesModel()->index(i, 0).data(SharesModel::TokenRole).toString();
  }
  QByteArray bytes = onDisk();
  QVERIFY(bytes.contains("[shares]"));
  if (damage == QLatin1String("cut")) {
    bytes.chop(20);
  } else {
    // After the first line of the shares: every line below it would land in
    // a section named "[[".
    const qsizetype at = bytes.indexOf('\n', bytes.indexOf("[shares]\n") + 9) + 1;
    bytes.insert(at, "[[[\n");
  }
  QVERIFY(test::writeFile(SettingsStore::defaultPath(), bytes));

  int restored = 0;
  {
    MainWindow w{SettingsStore{}};
    restored = w.sharesModel()->rowCount();
    QVERIFY2(restored >= atLeast, qPrintable(QString::number(restored)));
    // With their links, in the order they were shared.
    qsizetype last = -1;
    for (int i = 0; i < restored; ++i) {
      const qsizetype at = links.indexOf(w.sharesModel()->index(i, 0).data(SharesModel::TokenRole).toString());
      QVERIFY(at > last);
      last = at;
    }

    // The damaged file, as it was, beside the settings file.
    const QFileInfo settings(SettingsStore::defaultPath());
    const QStringList backups = settings.dir().entryList({settings.fileName() + QStringLiteral(".damaged-*")});
    QCOMPARE(backups.size(), 1);
    const QString backup = settings.dir().filePath(backups.first());
    QCOMPARE(onDisk(backup), bytes);
    QCOMPARE(QFile::permissions(backup) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());

    // The window says what happened, and where the copy is.
    QVERIFY(w.messageBar()->isVisibleTo(&w));
    QCOMPARE(w.messageBar()->level(), MessageBar::Level::Warning);
    const QString text = w.messageBar()->text();
    QVERIFY2(text.contains(QStringLiteral("damaged")), qPrintable(text));
    QVERIFY2(text.contains(QDir::toNativeSeparators(backup)), qPrintable(text));
    // Starting to serve is no reason to take the warning away.
    SettingsStore().saveSettings(test::servingSettings(test::freePort()));
    QVERIFY(w.startServing());
    QVERIFY(w.messageBar()->isVisibleTo(&w));
  }
  // What was restored is saved again, for good; the backup stays.
  QCOMPARE(SettingsStore().loadShares().size(), restored);
}

void TestPersistence::mistypedValuesFallBackToDefaults() {
  QDir().mkpath(QFileInfo(SettingsStore::defaultPath()).absolutePath());
  QVERIFY(test::writeFile(SettingsStore::defaultPath(),
                          "[server]\nport=80a80\nmaxConnections=1O24\nrateLimit=2M\nbind=127.0.0.1\n"
                          "startOnLaunch=false\n"));
  const AppSettings s = SettingsStore().loadSettings();
  QCOMPARE(s.port, AppSettings().port);
  QCOMPARE(s.maxConnections, AppSettings().maxConnections);
  QCOMPARE(s.rateLimit, AppSettings().rateLimit);
  QCOMPARE(s.bind, QStringLiteral("127.0.0.1"));  // what was readable stays
  QCOMPARE(s.startOnLaunch, false);

  MainWindow w{SettingsStore{}};
  QCOMPARE(w.settings().port, std::uint16_t(8080));
  QVERIFY(w.messageBar()->isVisibleTo(&w));
  const QString text = w.messageBar()->text();
  QVERIFY2(text.contains(QStringLiteral("port=80a80")) && text.contains(QStringLiteral("8080")), qPrintable(text));
  QVERIFY2(text.contains(QStringLiteral("maxConnections=1O24")) && text.contains(QStringLiteral("1024")),
           qPrintable(text));
  QVERIFY2(text.contains(QStringLiteral("rateLimit=2M")), qPrintable(text));
}

void TestPersistence::twoWritersKeepEachOthersShares() {
  auto tokens = [](const QList<SavedShare>& shares) {
    QStringList t;
    for (const SavedShare& s : shares) t << s.token;
    return t;
  };
  const SavedShare a{QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA"), QStringLiteral("/x/a"), 0};
  const SavedShare b{QStringLiteral("BBBBBBBBBBBBBBBBBBBBBB"), QStringLiteral("/x/b"), 0};
  SettingsStore first, second;  // two Ferrys, both started on an empty list
  QVERIFY(first.loadShares().isEmpty());
  QVERIFY(second.loadShares().isEmpty());
  QVERIFY(first.saveShares({a}));
  QVERIFY(second.saveShares({b}));
  QCOMPARE(tokens(SettingsStore().loadShares()), QStringList({a.token, b.token}));

  // Each removes and counts only its own.
  SavedShare counted = b;
  counted.downloads = 5;
  QVERIFY(second.saveShares({counted}));
  QVERIFY(first.saveShares({}));
  QCOMPARE(SettingsStore().loadShares(), QList<SavedShare>({counted}));
  QVERIFY(second.saveShares({counted}));
  QCOMPARE(SettingsStore().loadShares(), QList<SavedShare>({counted}));

  // A real second process: the window, sharing a file of its own while this
  // one's list is older than the file.
  if (qEnvironmentVariable("FERRY_BINARY").isEmpty()) QSKIP("FERRY_BINARY is not set (ctest sets it)");
  const QString mine = config_->path() + QStringLiteral("/mine.bin"), theirs = config_->path() + QStringLiteral("/theirs.bin");
  test::writeRandomFile(mine, 100);
  test::writeRandomFile(theirs, 100);
  QProcess other;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("FERRY_SCREENSHOT"), config_->path() + QStringLiteral("/shot.png"));
  env.insert(QStringLiteral("FERRY_SCREENSHOT_DELAY"), QStringLiteral("0.2"));
  other.setProcessEnvironment(env);
  other.start(qEnvironmentVariable("FERRY_BINARY"), {QStringLiteral("--port"), QStringLiteral("0"), theirs});
  QVERIFY(processEnded(other, 30'000));
  QCOMPARE(other.exitCode(), 0);
  QVERIFY(onDisk().contains("theirs.bin"));
  QVERIFY(second.saveShares({counted, {QStringLiteral("CCCCCCCCCCCCCCCCCCCCCC"), mine, 0}}));
  const QByteArray file = onDisk();
  QVERIFY2(file.contains("theirs.bin") && file.contains("mine.bin"), file.constData());
  QCOMPARE(SettingsStore().loadShares().size(), 3);
}

void TestPersistence::unservableAtStartupSaysWhy() {
#ifndef __linux__
  QSKIP("the unreadable file comes from a preloaded library built on Linux");
#else
  // Tests run as root, who can read a file of mode 000: the faulty disk
  // refuses the open with EACCES instead, as chmod 000 does to a user.
  QVERIFY2(::dlsym(RTLD_DEFAULT, "ferry_faulty_disk_loaded"), "run with LD_PRELOAD=libferry_faulty_disk.so (ctest does)");
  const QString good = config_->path() + QStringLiteral("/good.bin");
  const QString locked = config_->path() + QStringLiteral("/locked.bin");
  const QString odd = config_->path() + QStringLiteral("/odd.bin");
  const QByteArray content = test::writeRandomFile(locked, 3000);
  test::writeRandomFile(good, 1000);
  test::writeRandomFile(odd, 1000);
  const quint16 port = test::freePort();
  SettingsStore().saveSettings(test::servingSettings(port));
  {
    MainWindow w{SettingsStore{}};
    QCOMPARE(w.shareFiles({QUrl::fromLocalFile(good), QUrl::fromLocalFile(locked)}), 2);
  }
  {
    // A token that is not one (edited by hand, say).
    SettingsStore store;
    QList<SavedShare> shares = store.loadShares();
    shares << SavedShare{QStringLiteral("not*a*token"), odd, 0};
    QVERIFY(store.saveShares(shares));
  }
  const QString control = config_->path() + QStringLiteral("/fault");
  QVERIFY(test::writeFile(control, "deny"));
  qputenv("FERRY_FAULT_MATCH", QFile::encodeName(locked));
  qputenv("FERRY_FAULT_CONTROL", QFile::encodeName(control));
  auto unset = qScopeGuard([] {
    qunsetenv("FERRY_FAULT_MATCH");
    qunsetenv("FERRY_FAULT_CONTROL");
  });

  MainWindow w{SettingsStore{}};
  w.startIfWanted();
  QVERIFY(w.isServing());
  SharesModel* m = w.sharesModel();
  QCOMPARE(m->rowCount(), 3);
  auto linkText = [m](int row) { return m->index(row, SharesModel::Link).data().toString(); };
  QCOMPARE(linkText(0), m->linkAt(0));
  QVERIFY(m->index(0, 0).data(SharesModel::ProblemRole).toString().isEmpty());
  // Where the link would be, the reason it would not work.
  QVERIFY2(linkText(1).contains(locked) && linkText(1).contains(QStringLiteral("cannot be read")), qPrintable(linkText(1)));
  QCOMPARE(m->index(1, SharesModel::Name).data(Qt::ToolTipRole).toString(), linkText(1));
  QVERIFY2(linkText(2).contains(QStringLiteral("token")) && linkText(2).contains(QStringLiteral("malformed")),
           qPrintable(linkText(2)));
  QVERIFY(!m->index(1, 0).data(SharesModel::MissingRole).toBool());
  int status = 0;
  download(m->linkAt(1), &status);
  QCOMPARE(status, 404);

  // Readable again: the same link serves it, and the row looks normal.
  QVERIFY(test::writeFile(control, {}));
  QVERIFY(waitFor([&] { return m->index(1, 0).data(SharesModel::ProblemRole).toString().isEmpty(); }, 8000));
  QCOMPARE(linkText(1), m->linkAt(1));
  QVERIFY(download(m->linkAt(1)) == content);
#endif
}

QTEST_MAIN(TestPersistence)
#include "tst_persistence.moc"

// A folder saved when its download limit counted complete files (three
// photos taken of a "2 downloads" link: ended) counts devices now, as the
// limit does: at least one device took them, which one was not kept, so
// one place is taken and the other is free.
void TestPersistence::folderCountedInFilesCountsDevices() {
  const quint16 port = test::freePort();
  const QString folder = config_->path() + QStringLiteral("/Weekend");
  QVERIFY(QDir().mkpath(folder));
  const QByteArray photo = test::writeRandomFile(folder + QStringLiteral("/a.jpg"), 4000);
  SettingsStore().saveSettings(test::servingSettings(port));
  SavedShare old{QStringLiteral("EEEEEEEEEEEEEEEEEEEEEE"), folder, 3, true};
  old.downloadLimit = 2;
  old.deliveries = 3;
  QVERIFY(SettingsStore().saveShares({old}));

  MainWindow w{SettingsStore{}};
  w.startIfWanted();
  QVERIFY(w.isServing());
  SharesModel* m = w.sharesModel();
  QCOMPARE(m->rowCount(), 1);
  QCOMPARE(m->index(0, SharesModel::Downloads).data().toString(), QStringLiteral("1 of 2"));
  int status = 0;
  QVERIFY(download(m->linkAt(0) + QStringLiteral("a.jpg"), &status) == photo);
  QCOMPARE(status, 200);
  QVERIFY(waitFor([&] { return m->index(0, SharesModel::Downloads).data().toString() == QStringLiteral("2 of 2"); }, 10000));
}
