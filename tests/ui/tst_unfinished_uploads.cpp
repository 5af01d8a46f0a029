// Uploads from this computer's page that stopped part-way, as the window
// shows them: curl speaks the page's resumable protocol to the window's own
// server (handshake, then the body, cut by killing curl mid-way). The
// Transfers list then has a ↓ row for it with the sender's name, how much
// arrived and "Waiting for sender to resume"; resuming takes the row
// away and saves the file whole; Discard Unfinished Upload deletes the part
// file (the page's next try is told the upload is gone); stopping the server
// takes the rows away, and serving again reads them back. Beside the
// Transfers heading, one line says how many wait, how much arrived and from
// whom, with Delete.

#include <QAction>
#include <QCryptographicHash>
#include <QDir>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTest>

#include "main_window.h"
#include "receive/receive_panel.h"
#include "transfers/transfers_model.h"
#include "transfers/unfinished_line.h"
#include "ui_test_support.h"
#include "widgets/format.h"
#include "widgets/table_view.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

const QString kPhone = QStringLiteral(
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1");

// curl, to its end; its output (with -w's last line: the status).
QByteArray curl(const QStringList& args) {
  QProcess p;
  p.start("curl", QStringList{"-sS", "--noproxy", "*", "-A", kPhone} + args);
  if (!p.waitForFinished(30'000)) return {};
  return p.readAllStandardOutput();
}

int rowOf(const TransfersModel* m, const std::function<bool(const QModelIndex&)>& is) {
  for (int r = 0; r < m->rowCount(); ++r)
    if (is(m->index(r, 0))) return r;
  return -1;
}

int unfinishedRow(const TransfersModel* m) {
  return rowOf(m, [](const QModelIndex& i) { return !i.data(TransfersModel::UnfinishedIdRole).toString().isEmpty(); });
}

}  // namespace

class TestUnfinishedUploads : public QObject {
  Q_OBJECT

  std::unique_ptr<test::IsolatedConfig> config_;
  std::unique_ptr<QTemporaryDir> inbox_;
  std::unique_ptr<MainWindow> w_;
  QString link_;
  QByteArray data_;
  QString id_;

  QStringList entries() const {
    return QDir(inbox_->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
  }
  // "Upload-Offset" of the page's HEAD, -1 when the upload is not known.
  qint64 serverOffset() {
    const QByteArray head = curl({"-I", link_ + "?upload=" + id_});
    if (!head.startsWith("HTTP/1.1 200")) return -1;
    const int at = head.indexOf("Upload-Offset: ");
    return at < 0 ? -1 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).toLongLong();
  }

  // The page's handshake for a 4 MB file, then its body at 100 KB/s, cut
  // once some of it has arrived (the phone slept).
  bool startAndCut() {
    data_ = test::writeRandomFile(config_->path() + "/big.bin", 4'000'000);
    const QByteArray answer = curl({"-X", "POST", link_ + "?name=big.bin&size=4000000"});
    id_ = QJsonDocument::fromJson(answer).object().value("id").toString();
    if (id_.isEmpty()) return false;
    QProcess put;
    put.start("curl", {"-sS", "--noproxy", "*", "-A", kPhone, "--limit-rate", "100K", "-T",
                       config_->path() + "/big.bin", link_ + "?upload=" + id_ + "&offset=0"});
    if (!put.waitForStarted(10'000)) return false;
    const TransfersModel* m = w_->transfersModel();
    const bool some = waitFor(
        [&] {
          const int r = rowOf(m, [](const QModelIndex& i) {
            return i.data(TransfersModel::IncomingRole).toBool() &&
                   i.data(TransfersModel::UnfinishedIdRole).toString().isEmpty() &&
                   i.data(TransfersModel::StateRole).toInt() == int(TransferState::kActive);
          });
          return r >= 0 && m->index(r, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong() > 150'000;
        },
        20'000);
    put.kill();
    put.waitForFinished(5'000);
    return some;
  }

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable("curl").isEmpty()) QSKIP("curl is not installed");
  }
  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    inbox_ = std::make_unique<QTemporaryDir>();
    SettingsStore().saveSettings(test::servingSettings(test::freePort()));
    w_ = std::make_unique<MainWindow>(SettingsStore{});
    w_->startIfWanted();
    QVERIFY(w_->isServing());
    w_->receivePanel()->setFolder(inbox_->path());
    QVERIFY(w_->receivePanel()->setReceiving(true));
    link_ = w_->receivePanel()->link();
    QVERIFY(!link_.isEmpty());
  }
  void cleanup() {
    w_.reset();
    inbox_.reset();
    config_.reset();
  }

  void aStoppedUploadWaitsInTransfersAndResumes() {
    QVERIFY(startAndCut());
    TransfersModel* m = w_->transfersModel();
    QTRY_VERIFY_WITH_TIMEOUT(unfinishedRow(m) >= 0, 10'000);
    const int r = unfinishedRow(m);
    QCOMPARE(m->index(r, 0).data(TransfersModel::UnfinishedIdRole).toString(), id_);
    QCOMPARE(m->index(r, TransfersModel::Direction).data().toString(), QStringLiteral("↓"));
    QCOMPARE(m->index(r, TransfersModel::File).data().toString(), QStringLiteral("big.bin"));
    QVERIFY2(m->index(r, TransfersModel::Client).data().toString().startsWith("Safari on iPhone"),
             qPrintable(m->index(r, TransfersModel::Client).data().toString()));
    QCOMPARE(m->index(r, TransfersModel::State).data().toString(), QStringLiteral("Waiting for sender to resume"));
    // How much arrived: what the server would let the page resume from.
    const qint64 offset = serverOffset();
    QVERIFY(offset > 0 && offset < data_.size());
    QCOMPARE(m->index(r, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong(), quint64(offset));
    QVERIFY(m->index(r, TransfersModel::Transferred).data().toString().contains("4.0 MB"));
    QVERIFY(m->index(r, 0).data(Qt::ToolTipRole).toString().contains("Kept until"));
    // Nothing in flight once the cut request has ended: stopping asks nothing about it.
    QTRY_COMPARE_WITH_TIMEOUT(m->activeCount(), 0, 10'000);
    QCOMPARE(entries().size(), 2);  // its part file and the record beside it

    // The sender comes back: the rest goes on from the offset.
    QVERIFY(test::writeFile(config_->path() + "/rest.bin", data_.mid(offset)));
    const QByteArray out = curl({"-T", config_->path() + "/rest.bin", "-w", "\n%{http_code}",
                                 link_ + "?upload=" + id_ + "&offset=" + QString::number(offset)});
    QVERIFY2(out.endsWith("\n201") || out.endsWith("\n200"), out.constData());
    QTRY_COMPARE_WITH_TIMEOUT(unfinishedRow(m), -1, 10'000);
    QCOMPARE(entries(), QStringList{"big.bin"});
    QFile saved(inbox_->path() + "/big.bin");
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(saved.readAll(), QCryptographicHash::Sha256),
             QCryptographicHash::hash(data_, QCryptographicHash::Sha256));
  }

  void discardDeletesThePartFile() {
    QVERIFY(startAndCut());
    TransfersModel* m = w_->transfersModel();
    QAction* discard = w_->action(MainWindow::Action::DiscardUpload);
    QTRY_VERIFY_WITH_TIMEOUT(unfinishedRow(m) >= 0, 10'000);
    QCOMPARE(entries().size(), 2);  // its part file and the record beside it
    QVERIFY(!discard->isEnabled());  // nothing chosen yet
    TableView* view = w_->transfersView();
    const QModelIndex row = w_->transfersProxy()->mapFromSource(m->index(unfinishedRow(m), 0));
    view->selectionModel()->select(row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(discard->isEnabled());
    QVERIFY(view->actions().contains(discard));  // in the list's context menu
    discard->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(unfinishedRow(m), -1, 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(entries().isEmpty(), 10'000);
    QCOMPARE(serverOffset(), -1);  // the page's next try hears it is gone
  }

  void oneLineSaysHowManyWaitAndDeletesThem() {
    auto* line = w_->findChild<UnfinishedLine*>();
    QVERIFY(line);
    QVERIFY(line->isHidden());
    QVERIFY(startAndCut());
    QTRY_VERIFY_WITH_TIMEOUT(!line->isHidden(), 10'000);
    const qint64 offset = serverOffset();
    QVERIFY(offset > 0);
    QTRY_COMPARE_WITH_TIMEOUT(line->text(),
                              QStringLiteral("1 unfinished upload, %1, from Safari on iPhone").arg(formatBytes(offset)),
                              10'000);
    line->deleteButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(line->isHidden(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(entries().isEmpty(), 10'000);
    QCOMPARE(serverOffset(), -1);  // the page's next try hears it is gone
    QTRY_COMPARE_WITH_TIMEOUT(unfinishedRow(w_->transfersModel()), -1, 10'000);

    // Several, from several senders: one line all the same.
    UnfinishedUpload a{"a", "a.mov", "Safari on iPhone", "192.168.1.20", 5'000'000, 1'000'000, {}, {}};
    UnfinishedUpload b{"b", "b.mov", "", "192.168.1.21", 5'000'000, 2'500'000, {}, {}};
    UnfinishedUpload c{"c", "c.mov", "Chrome on Android", "192.168.1.22", 5'000'000, 500'000, {}, {}};
    QCOMPARE(UnfinishedLine::summary({a, b}), QStringLiteral("2 unfinished uploads, %1, from Safari on iPhone and "
                                                             "192.168.1.21")
                                                  .arg(formatBytes(3'500'000)));
    QCOMPARE(UnfinishedLine::summary({a, b, c}),
             QStringLiteral("3 unfinished uploads, %1, from 3 devices").arg(formatBytes(4'000'000)));
    QCOMPARE(UnfinishedLine::summary({a, a}),
             QStringLiteral("2 unfinished uploads, %1, from Safari on iPhone").arg(formatBytes(2'000'000)));
    QCOMPARE(UnfinishedLine::summary({}), QString());
  }

  void stoppedTheyGoAndServingTheyComeBack() {
    QVERIFY(startAndCut());
    TransfersModel* m = w_->transfersModel();
    QTRY_VERIFY_WITH_TIMEOUT(unfinishedRow(m) >= 0, 10'000);
    const qint64 offset = serverOffset();
    w_->stopServing();
    QTRY_COMPARE_WITH_TIMEOUT(unfinishedRow(m), -1, 10'000);
    // Read back from the receive folder: the page may still resume it.
    QVERIFY(w_->startServing());
    QTRY_VERIFY_WITH_TIMEOUT(unfinishedRow(m) >= 0, 10'000);
    const int r = unfinishedRow(m);
    QCOMPARE(m->index(r, 0).data(TransfersModel::UnfinishedIdRole).toString(), id_);
    QCOMPARE(m->index(r, TransfersModel::Transferred).data(TransfersModel::RawRole).toULongLong(), quint64(offset));
  }
};

QTEST_MAIN(TestUnfinishedUploads)
#include "tst_unfinished_uploads.moc"
