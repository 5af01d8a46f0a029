// The window's Receive switch: on gives a link and its QR code, a phone's
// upload (QNetworkAccessManager's PUT here) lands in the folder and shows in
// the transfers list as received; off ends the link at once; a folder that
// cannot be used says why.

#include <QCheckBox>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTest>

#include "main_window.h"
#include "widgets/qr_code_widget.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "transfers/transfers_model.h"
#include "ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

int put(const QString& url, const QByteArray& body, QByteArray* reply = nullptr) {
  QNetworkAccessManager nam;
  nam.setProxy(QNetworkProxy::NoProxy);
  QNetworkReply* r = nam.put(QNetworkRequest(QUrl(url)), body);
  if (!waitFor([&] { return r->isFinished(); }, 20'000)) return -1;
  if (reply) *reply = r->readAll();
  const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  r->deleteLater();
  return status;
}

}  // namespace

class TestReceivePanel : public QObject {
  Q_OBJECT

 private slots:
  void defaultFolderIsDownloadsFerry() {
    QVERIFY(ReceivePanel::defaultFolder().endsWith(QStringLiteral("/Ferry")));
  }

  void onGivesALinkThatReceives() {
    ServerBridge bridge;
    ServerOptions o;
    o.bind = "127.0.0.1";
    o.port = 0;
    QVERIFY(bridge.start(o).ok);
    QTemporaryDir inbox;
    ReceivePanel panel(&bridge);
    panel.setFolder(inbox.path());
    QVERIFY(panel.link().isEmpty());
    QVERIFY(panel.code()->isHidden());

    panel.toggle()->setChecked(true);
    QVERIFY(panel.receiving());
    const QString link = panel.link();
    QVERIFY2(link.startsWith("http://127.0.0.1:") && link.endsWith('/'), qPrintable(link));
    QVERIFY(!panel.code()->isHidden());

    // The model the window shows, fed by the bridge.
    TransfersModel transfers;
    connect(&bridge, &ServerBridge::snapshotArrived, &transfers,
            [&](quint64 run, std::shared_ptr<const StatsSnapshot> s) { transfers.applySnapshot(run, *s); });
    QByteArray answer;
    QCOMPARE(put(link + "from phone.jpg", "jpeg bytes", &answer), 201);
    QCOMPARE(answer, QByteArray("Saved as from phone.jpg\n"));
    QFile f(inbox.filePath("from phone.jpg"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("jpeg bytes"));
    QVERIFY(waitFor([&] {
      for (int r = 0; r < transfers.rowCount(); ++r)
        if (transfers.index(r, TransfersModel::State).data().toString().startsWith(QStringLiteral("Received")))
          return transfers.index(r, TransfersModel::File).data().toString() == QStringLiteral("from phone.jpg");
      return false;
    }, 10'000));

    panel.toggle()->setChecked(false);
    QVERIFY(panel.link().isEmpty());
    QCOMPARE(put(link + "late.jpg", "x"), 404);
    QVERIFY(!QFile::exists(inbox.filePath("late.jpg")));
  }

  void aFolderThatCannotBeUsedSaysWhy() {
    ServerBridge bridge;
    ReceivePanel panel(&bridge);
    QString said;
    connect(&panel, &ReceivePanel::problem, this, [&](const QString& s) { said = s; });
    QTemporaryDir tmp;
    const QString missing = tmp.filePath("not there");
    panel.setFolder(missing);
    panel.toggle()->setChecked(true);
    QVERIFY(!panel.receiving());
    QVERIFY(!panel.toggle()->isChecked());
    QVERIFY2(said.contains(missing) && said.contains("does not exist"), qPrintable(said));
  }

  void theWindowHasThePanel() {
    ferry::test::IsolatedConfig config;
    MainWindow w(SettingsStore{});
    QVERIFY(w.receivePanel());
    QVERIFY(!w.receivePanel()->receiving());  // off by default: the link is the key
  }
};

QTEST_MAIN(TestReceivePanel)
#include "tst_receive_panel.moc"
