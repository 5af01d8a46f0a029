// SharesModel: rows, formatting, counters, links, missing files, folders — checked by
// QAbstractItemModelTester through every change, directly and behind the
// sorting proxy the window uses.

#include <QAbstractItemModelTester>
#include <QDir>
#include <QLocale>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include "server_bridge.h"
#include "settings/settings_store.h"
#include "shares/share_manager.h"
#include "shares/shares_model.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;

class TestSharesModel : public QObject {
  Q_OBJECT

 private slots:
  void init() { dir_ = std::make_unique<QTemporaryDir>(); }
  void passesTheModelTester();
  void formatsAndRawValues();
  void countersAreBatchedAndFold();
  void missingFilesAndRefresh();
  void folderRowsSayWhatTheScannerFound();
  void thousandsAddedAndRemovedInOneGo();

 private:
  SharesModel::Entry entry(const QString& token, const QString& name, qint64 size) {
    const QString path = dir_->path() + QLatin1Char('/') + name;
    test::writeRandomFile(path, size);
    SharesModel::Entry e;
    e.token = token;
    e.path = path;
    return e;
  }
  std::unique_ptr<QTemporaryDir> dir_;
};

void TestSharesModel::passesTheModelTester() {
  SharesModel model;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(SharesModel::RawRole);
  proxy.sort(SharesModel::Downloads, Qt::DescendingOrder);
  QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

  QCOMPARE(model.add(entry("tokA", "a.txt", 10)), 0);
  QCOMPARE(model.add(entry("tokB", "b.txt", 2000)), 1);
  QCOMPARE(model.add(entry("tokC", "c.txt", 3)), 2);
  QCOMPARE(model.add(entry("tokB", "b.txt", 2000)), 1);  // a token is listed once
  QCOMPARE(model.rowCount(), 3);
  model.setLinkPrefix(QStringLiteral("http://10.0.0.2:8080/"));
  model.applyCounters({{"tokC", 5, 15}, {"tokA", 1, 10}, {"unknown", 9, 9}});
  QCOMPARE(proxy.index(0, SharesModel::Name).data().toString(), QStringLiteral("c.txt"));
  model.endRun();
  QVERIFY(model.remove(QStringLiteral("tokB")));
  QVERIFY(!model.remove(QStringLiteral("tokB")));
  QCOMPARE(model.rowOf(QStringLiteral("tokC")), 1);
  model.refreshFiles();
  QVERIFY(model.remove(QStringLiteral("tokA")));
  QVERIFY(model.remove(QStringLiteral("tokC")));
  QCOMPARE(model.rowCount(), 0);
}

void TestSharesModel::formatsAndRawValues() {
  SharesModel model;
  model.add(entry("Tok_1", "Holiday Photos ü.zip", 1'500'000));
  QCOMPARE(model.columnCount(), int(SharesModel::ColumnCount));
  QCOMPARE(model.index(0, SharesModel::Name).data().toString(), QStringLiteral("Holiday Photos ü.zip"));
  QCOMPARE(model.index(0, SharesModel::Size).data().toString(), QStringLiteral("1.5 MB"));
  QCOMPARE(model.index(0, SharesModel::Size).data(SharesModel::RawRole).toLongLong(), 1'500'000);
  QCOMPARE(model.index(0, SharesModel::Downloads).data().toString(), QStringLiteral("0"));
  QVERIFY(!model.index(0, SharesModel::Name).data(Qt::DecorationRole).value<QIcon>().isNull());
  // No prefix yet: no link, and the cell says when one appears.
  QVERIFY(model.linkAt(0).isEmpty());
  QVERIFY(!model.index(0, SharesModel::Link).data().toString().isEmpty());
  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  model.setLinkPrefix(QStringLiteral("http://[fe80::1]:8080/"));
  QCOMPARE(changed.count(), 1);
  // The name part is percent-encoded like the core's links.
  QCOMPARE(model.linkAt(0), QStringLiteral("http://[fe80::1]:8080/Tok_1/Holiday%20Photos%20%C3%BC.zip"));
  QCOMPARE(model.index(0, SharesModel::Link).data(SharesModel::LinkRole).toString(), model.linkAt(0));
  // What the table shows is the readable form; what is copied (linkAt,
  // LinkRole) stays encoded.
  QCOMPARE(model.index(0, SharesModel::Link).data().toString(),
           QStringLiteral("http://[fe80::1]:8080/Tok_1/Holiday Photos ü.zip"));
  model.add(entry("Tok_2", "תמונות חג.zip", 10));
  QCOMPARE(model.linkAt(1), QStringLiteral("http://[fe80::1]:8080/Tok_2/%D7%AA%D7%9E%D7%95%D7%A0%D7%95%D7%AA%20%D7%97%D7%92.zip"));
  QCOMPARE(model.index(1, SharesModel::Link).data().toString(), QStringLiteral("http://[fe80::1]:8080/Tok_2/תמונות חג.zip"));
  QVERIFY(model.index(1, SharesModel::Link).data(Qt::ToolTipRole).toString().contains(QStringLiteral("תמונות חג.zip")));
}

void TestSharesModel::countersAreBatchedAndFold() {
  SharesModel model;
  for (int i = 0; i < 50; ++i) model.add(entry(QStringLiteral("t%1").arg(i), QStringLiteral("f%1").arg(i), 1));
  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  std::vector<ShareCounters> counters;
  for (int i = 0; i < 50; i += 7) counters.push_back({"t" + std::to_string(i), 2, 0});
  model.applyCounters(counters);
  QCOMPARE(changed.count(), 1);  // one signal for the whole batch
  const QModelIndex from = changed.first().at(0).value<QModelIndex>();
  const QModelIndex to = changed.first().at(1).value<QModelIndex>();
  QCOMPARE(from.row(), 0);
  QCOMPARE(to.row(), 49);
  // Whole rows: a download limit reached would grey them.
  QCOMPARE(from.column(), 0);
  QCOMPARE(to.column(), int(SharesModel::ColumnCount) - 1);
  // Nothing moved: no signal.
  model.applyCounters(counters);
  QCOMPARE(changed.count(), 1);
  // A server run ends; the next run's counters add to what came before.
  model.endRun();
  model.applyCounters({{"t7", 1, 0}});
  QCOMPARE(model.index(7, SharesModel::Downloads).data().toString(), QStringLiteral("3"));
  QCOMPARE(model.entry(7).downloads(), 3u);
}

void TestSharesModel::missingFilesAndRefresh() {
  SharesModel model;
  SharesModel::Entry e = entry("tok", "gone.txt", 10);
  QFile::remove(e.path);
  e.registered = false;
  model.add(e);
  QVERIFY(model.index(0, 0).data(SharesModel::MissingRole).toBool());
  QCOMPARE(model.index(0, SharesModel::Size).data().toString(), QStringLiteral("missing"));
  QVERIFY(model.index(0, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("no longer")));
  QVERIFY(model.refreshFiles().empty());
  test::writeRandomFile(e.path, 10);
  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  const std::vector<int> back = model.refreshFiles();
  QCOMPARE(back, std::vector<int>{0});  // back on disk, not yet served
  QCOMPARE(changed.count(), 1);
  QVERIFY(!model.index(0, 0).data(SharesModel::MissingRole).toBool());
  model.setRegistered(0, true);
  QVERIFY(model.refreshFiles().empty());
}

void TestSharesModel::folderRowsSayWhatTheScannerFound() {
  SharesModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QVERIFY(QDir(dir_->path()).mkdir(QStringLiteral("Photos")));
  SharesModel::Entry e;
  e.token = QStringLiteral("tokF");
  e.path = dir_->filePath(QStringLiteral("Photos"));
  e.folder = true;
  model.add(e);
  model.add(entry("tokG", "a.txt", 5));
  model.setLinkPrefix(QStringLiteral("http://10.0.0.2:8080/"));
  const QModelIndex size = model.index(0, SharesModel::Size);
  // Until the scanner has counted it.
  QVERIFY(!model.index(0, 0).data(SharesModel::MissingRole).toBool());
  QCOMPARE(size.data().toString(), QStringLiteral("counting…"));
  QCOMPARE(size.data(SharesModel::RawRole).toLongLong(), -1);
  QCOMPARE(model.linkAt(0), QStringLiteral("http://10.0.0.2:8080/tokF/Photos/"));
  QCOMPARE(model.zipLinkAt(0), QStringLiteral("http://10.0.0.2:8080/tokF/Photos/?zip"));
  QCOMPARE(model.index(0, 0).data(SharesModel::ZipLinkRole).toString(), model.zipLinkAt(0));
  QVERIFY(model.zipLinkAt(1).isEmpty());  // a file has none

  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  FolderSummary s;
  s.state = FolderSummary::kDone;
  s.files = 1234;
  s.folders = 5;
  s.bytes = 2'500'000;
  model.setFolderSummary(0, s);
  QCOMPARE(changed.count(), 1);
  QCOMPARE(size.data().toString(), QStringLiteral("2.5 MB · %1 files").arg(QLocale().toString(1234)));
  QCOMPARE(size.data(SharesModel::RawRole).toLongLong(), 2'500'000);
  s.files = 1;
  model.setFolderSummary(0, s);
  QCOMPARE(size.data().toString(), QStringLiteral("2.5 MB · 1 file"));

  // Problems in words, the whole sentence in the tooltip.
  s = {};
  s.state = FolderSummary::kTooLarge;
  s.problem = "it holds more than 250000 files and folders, more than one download can carry";
  model.setFolderSummary(0, s);
  QCOMPARE(size.data().toString(), QStringLiteral("too large for one zip"));
  QVERIFY(size.data(Qt::ToolTipRole).toString().contains(QStringLiteral("more than 250000 files and folders")));
  s.state = FolderSummary::kUnreadable;
  s.problem = "it cannot be read: Permission denied";
  model.setFolderSummary(0, s);
  QCOMPARE(size.data().toString(), QStringLiteral("cannot be read"));
  QVERIFY(size.data(Qt::ToolTipRole).toString().contains(QStringLiteral("Permission denied")));

  // A folder that goes is missing, and one that comes back is served again.
  QVERIFY(QDir(e.path).removeRecursively());
  model.refreshFiles();
  QVERIFY(model.index(0, 0).data(SharesModel::MissingRole).toBool());
  QCOMPARE(size.data().toString(), QStringLiteral("missing"));
  model.setRegistered(0, false);
  QVERIFY(QDir(dir_->path()).mkdir(QStringLiteral("Photos")));
  QCOMPARE(model.refreshFiles(), std::vector<int>{0});
}

void TestSharesModel::thousandsAddedAndRemovedInOneGo() {
  // A drop of 4,000 files, then Remove with all of them selected: one
  // insertion and one removal, not one per row (each of which costs the
  // views a pass over every row), and every row still where it says.
  test::IsolatedConfig config;
  ServerBridge bridge;
  SettingsStore store;
  ShareManager shares(&bridge, &store);
  SharesModel* model = shares.model();
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(model);
  proxy.setSortRole(SharesModel::RawRole);
  proxy.sort(SharesModel::Name);
  QAbstractItemModelTester t1(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
  QSignalSpy removed(model, &QAbstractItemModel::rowsRemoved);

  constexpr int kFiles = 4000;
  QStringList paths;
  for (int i = 0; i < kFiles; ++i) {
    paths << dir_->filePath(QStringLiteral("file %1.txt").arg(i));
    QVERIFY(test::writeFile(paths.last(), "x"));
  }
  const ShareManager::AddResult r = shares.addPaths(paths + QStringList{paths.first()});
  QCOMPARE(r.added.size(), kFiles);
  QCOMPARE(model->rowCount(), kFiles);
  QCOMPARE(proxy.rowCount(), kFiles);
  QCOMPARE(inserted.count(), 1);
  QStringList tokens;
  for (int i = 0; i < kFiles; ++i) {
    const SharesModel::Entry& e = model->entry(r.added[i]);
    QCOMPARE(e.path, paths[i]);
    QCOMPARE(model->rowOf(e.token), r.added[i]);
    QCOMPARE(model->rowOfPath(paths[i]), r.added[i]);
    tokens << e.token;
  }
  QVERIFY(bridge.hasShare(tokens.last()));

  // Every other one of the first hundred: each its own run of rows.
  QStringList scattered;
  for (int i = 0; i < 100; i += 2) scattered << tokens[i];
  shares.remove(scattered);
  QCOMPARE(model->rowCount(), kFiles - 50);
  QCOMPARE(removed.count(), 50);
  for (int i = 0; i < 100; ++i) {
    const int row = model->rowOf(tokens[i]);
    QCOMPARE(row >= 0, i % 2 == 1);
    if (row >= 0) QCOMPARE(model->entry(row).token, tokens[i]);
    QCOMPARE(model->rowOfPath(paths[i]), row);
    QCOMPARE(bridge.hasShare(tokens[i]), i % 2 == 1);
  }
  QCOMPARE(model->entry(model->rowOf(tokens.last())).path, paths.last());

  // The rest, in one go.
  removed.clear();
  shares.remove(tokens);
  QCOMPARE(removed.count(), 1);
  QCOMPARE(model->rowCount(), 0);
  QCOMPARE(proxy.rowCount(), 0);
  QCOMPARE(model->rowOf(tokens[1]), -1);
  QCOMPARE(model->rowOfPath(paths[1]), -1);
  QVERIFY(!bridge.hasShare(tokens.last()));
  QVERIFY(store.loadShares().isEmpty());
}

QTEST_MAIN(TestSharesModel)
#include "tst_shares_model.moc"
