// Nearby devices as the window runs them, against the window's own server,
// with curl standing in for a phone's page: its event stream (GET
// <receive link>?events, as the page's EventSource opens it) makes it a
// device in the Nearby list, named and with its address; closing it takes
// it off within the grace. What the window sends — Send Text…, Ctrl+V,
// files dropped on the device, Send To ▸ on a share — arrives on that
// stream, and the file's link downloads the same bytes; text the page
// posts shows in the window with Copy and Open Link, and HTML-looking text
// stays text. The page is told the window takes its text ("live"), so it
// shows its nearby area. Nearby is in view with everything else out (a
// share, Transfers, the graph) and in a small window, its heading and rows
// whole. A device of another kind is listed by its kind.
// A pasted picture is kept while a share in the list uses it, and removed
// at quit or start once nothing does.

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDropEvent>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>

#include "main_window.h"
#include "nearby/device_list_view.h"
#include "nearby/nearby_controller.h"
#include "nearby/nearby_model.h"
#include "nearby/nearby_panel.h"
#include "nearby/pasted_pictures.h"
#include "nearby/received_texts.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "shares/shares_model.h"
#include "transfers/delivery_history.h"
#include "transfers/history_dialog.h"
#include "widgets/bandwidth_graph.h"
#include "widgets/message_bar.h"
#include "widgets/table_view.h"
#include "ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

constexpr char kIPhone[] =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1";

// A phone's page as the server sees it: one event stream, read by curl.
struct Phone {
  QProcess proc;
  QByteArray out;
  void open(const QString& link) {
    proc.start("curl", {"-sS", "-N", "-i", "--noproxy", "*", "-A", kIPhone, "-H", "Accept: text/event-stream",
                        link + "?events"});
    proc.waitForStarted(10'000);
  }
  QByteArray read() {
    out += proc.readAllStandardOutput();
    return out;
  }
  // The data of the first event of `type` whose data contains `needle`.
  QByteArray event(const QByteArray& type, const QByteArray& needle) {
    const QByteArray all = read();
    qsizetype at = 0;
    const QByteArray head = "event: " + type + "\n";
    while ((at = all.indexOf(head, at)) >= 0) {
      const qsizetype data = all.indexOf("data: ", at);
      const qsizetype end = all.indexOf('\n', data);
      if (data < 0 || end < 0) return {};
      const QByteArray d = all.mid(data + 6, end - data - 6);
      if (d.contains(needle)) return d;
      at = end;
    }
    return {};
  }
  QByteArray waitEvent(const QByteArray& type, const QByteArray& needle) {
    QByteArray d;
    waitFor([&] { return !(d = event(type, needle)).isEmpty(); }, 10'000);
    return d;
  }
  QString cookie() {
    const QRegularExpressionMatch m = QRegularExpression("ferry_device=([^;\r\n]+)").match(QString::fromLatin1(read()));
    return m.hasMatch() ? m.captured(1) : QString();
  }
  void close() {
    proc.kill();
    proc.waitForFinished(5'000);
  }
  ~Phone() { close(); }
};

// curl, run to its end: stdout, or "" when it failed.
QByteArray curl(const QStringList& args) {
  QProcess p;
  p.start("curl", QStringList{"-sS", "--noproxy", "*"} + args);
  if (!p.waitForFinished(20'000) || p.exitCode() != 0) return {};
  return p.readAllStandardOutput();
}

}  // namespace

class TestNearbyWindow : public QObject {
  Q_OBJECT

  std::unique_ptr<test::IsolatedConfig> config_;
  std::unique_ptr<QTemporaryDir> inbox_;
  std::unique_ptr<MainWindow> w_;
  std::unique_ptr<Phone> phone_;

  // The only device here, once the phone's page is open (0 until then).
  std::uint64_t device() const {
    const auto here = w_->nearbyModel()->here();
    return here.size() == 1 ? here.front().id : 0;
  }
  QString file(const QString& name, const QByteArray& bytes) {
    const QString path = config_->path() + "/" + name;
    test::writeFile(path, bytes);
    return path;
  }
  // The bytes behind a "file" event's link.
  QByteArray download(const QByteArray& card) {
    const QRegularExpressionMatch m = QRegularExpression("\"link\":\"([^\"]+)\"").match(QString::fromUtf8(card));
    if (!m.hasMatch()) return {};
    return curl({"http://127.0.0.1:" + QString::number(w_->bridge()->port()) + m.captured(1)});
  }

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable("curl").isEmpty()) QSKIP("curl is not installed");
  }
  void init() {
    config_ = std::make_unique<test::IsolatedConfig>();
    inbox_ = std::make_unique<QTemporaryDir>();
    AppSettings s = test::servingSettings(test::freePort());
    s.bind = QStringLiteral("127.0.0.1");
    SettingsStore().saveSettings(s);
    w_ = std::make_unique<MainWindow>(SettingsStore{});
    w_->show();
    w_->startIfWanted();
    QVERIFY(w_->isServing());
    w_->receivePanel()->setFolder(inbox_->path());
    QVERIFY(w_->receivePanel()->setReceiving(true));
    phone_ = std::make_unique<Phone>();
    phone_->open(w_->receivePanel()->link());
    QVERIFY2(waitFor([&] { return device() != 0; }, 10'000), phone_->read().constData());
  }
  void cleanup() {
    phone_.reset();
    w_.reset();
    inbox_.reset();
    config_.reset();
  }

  void aPageIsADeviceInTheList() {
    NearbyModel* m = w_->nearbyModel();
    QCOMPARE(m->rowCount(), 1);
    const QModelIndex row = m->index(0);
    QCOMPARE(row.data(NearbyModel::NameRole).toString(), QStringLiteral("Safari on iPhone"));
    QCOMPARE(row.data(NearbyModel::KindRole).toString(), QStringLiteral("Browser"));
    QCOMPARE(row.data(NearbyModel::AddressRole).toString(), QStringLiteral("127.0.0.1"));
    QVERIFY(row.data(Qt::DisplayRole).toString().contains("Browser · 127.0.0.1"));
    QVERIFY(!row.data(Qt::DecorationRole).value<QIcon>().isNull());
    // The page learns that this window takes its text: it shows its nearby area.
    QVERIFY(!phone_->waitEvent("hello", "\"live\":true").isEmpty());
    // With one device here, the buttons act on it.
    QVERIFY(w_->nearbyPanel()->sendTextButton()->isEnabled());
    QVERIFY(w_->nearbyPanel()->sendFilesButton()->isEnabled());
  }

  void sendTextReachesOnlyThatPage() {
    auto asked = test::answerNextDialog([](QWidget* d) {
      auto* dialog = qobject_cast<QInputDialog*>(d);
      QVERIFY(dialog);
      dialog->setTextValue(QStringLiteral("see you at 6 <b>sharp</b>"));
      dialog->accept();
    });
    w_->nearbyPanel()->sendTextButton()->click();
    QCOMPARE(*asked, QStringLiteral("Send Text to Safari on iPhone"));
    // As JSON, with <, > and & escaped: the page shows it as text.
    QVERIFY(!phone_->waitEvent("text", "see you at 6 \\u003cb\\u003esharp\\u003c/b\\u003e").isEmpty());
    QVERIFY(w_->messageBar()->text().startsWith("Text sent to Safari on iPhone"));
    // In the history, sent (↑) to the device by its name.
    const auto& records = w_->history()->records();
    QVERIFY(!records.empty());
    QCOMPARE(records.back().outcome, DeliveryHistory::kSent);
    QCOMPARE(records.back().file, QStringLiteral("Text: see you at 6 <b>sharp</b>"));
    QCOMPARE(records.back().client, QStringLiteral("Safari on iPhone (127.0.0.1)"));
    QCOMPARE(w_->history()->index(0, DeliveryHistory::Outcome).data().toString(), QStringLiteral("↑ Text sent"));
  }

  void ctrlVSendsTheClipboardsText() {
    QApplication::clipboard()->setText(QStringLiteral("https://example.org/menu"));
    w_->activateWindow();
    QTest::keyClick(w_.get(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(!phone_->waitEvent("text", "https://example.org/menu").isEmpty());
  }

  void ctrlVSendsFilesToTheSelectedDeviceOrSharesThem() {
    const QByteArray bytes = "pasted file contents\n";
    auto* mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(file("pasted.txt", bytes))});
    QApplication::clipboard()->setMimeData(mime);
    // No device selected: pasting files shares them, like a drop.
    QTest::keyClick(w_.get(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(waitFor([&] { return w_->sharesModel()->rowCount() == 1; }, 5'000));
    QVERIFY(phone_->event("file", "pasted.txt").isEmpty());
    // A device selected: they go to it.
    w_->nearbyPanel()->selectDevice(device());
    QTest::keyClick(w_.get(), Qt::Key_V, Qt::ControlModifier);
    const QByteArray card = phone_->waitEvent("file", "pasted.txt");
    QVERIFY(!card.isEmpty());
    QCOMPARE(download(card), bytes);
  }

  void filesDroppedOnTheDeviceArrive() {
    const QByteArray bytes = QByteArray(100'000, 'x') + "end";
    const QString path = file("holiday.bin", bytes);
    const QByteArray notes = "where we stayed\n";
    DeviceListView* view = w_->nearbyPanel()->devices();
    const QPoint at = view->visualRect(w_->nearbyModel()->index(0)).center();
    QVERIFY(view->deviceAt(at) == device());
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path), QUrl::fromLocalFile(file("notes.txt", notes))});
    // Beside the device: refused, nothing is sent.
    QDragMoveEvent beside(QPoint(at.x(), view->viewport()->height() - 2), Qt::CopyAction, &mime, Qt::LeftButton,
                          Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &beside);
    QVERIFY(!beside.isAccepted());
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QDragMoveEvent move(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    QVERIFY(move.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &drop);
    QVERIFY(drop.isAccepted());
    const QByteArray card = phone_->waitEvent("file", "holiday.bin");
    QVERIFY(!card.isEmpty());
    QCOMPARE(download(card), bytes);
    const QByteArray second = phone_->waitEvent("file", "notes.txt");
    QVERIFY(!second.isEmpty());
    QCOMPARE(download(second), notes);
    // Counted as a person would write it.
    QCOMPARE(w_->messageBar()->text(),
             QStringLiteral("Sent 2 files to Safari on iPhone: they show on its page with a Download button."));
  }

  void sendToOnAShare() {
    const QByteArray bytes = "a shared report\n";
    QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(file("report.txt", bytes))}), 1);
    w_->sharesView()->selectRow(0);
    QAction* sendTo = w_->nearby()->sendToAction();
    QVERIFY(w_->sharesView()->actions().contains(sendTo));
    emit sendTo->menu()->aboutToShow();
    QCOMPARE(sendTo->menu()->actions().size(), 1);
    QCOMPARE(sendTo->menu()->actions()[0]->text(), QStringLiteral("Safari on iPhone"));
    sendTo->menu()->actions()[0]->trigger();
    const QByteArray card = phone_->waitEvent("file", "report.txt");
    QVERIFY(!card.isEmpty());
    QCOMPARE(download(card), bytes);
    // The send is in the history under the device's name, and so is the
    // phone's download of it once it has ended.
    const auto& records = w_->history()->records();
    auto sent = std::find_if(records.begin(), records.end(), [](const DeliveryHistory::Record& r) {
      return r.outcome == DeliveryHistory::kSent && r.file == "report.txt";
    });
    QVERIFY(sent != records.end());
    QCOMPARE(sent->client, QStringLiteral("Safari on iPhone (127.0.0.1)"));
    QCOMPARE(sent->text, QStringLiteral("Sent to its page"));
  }

  void takeBackFromTheMessageAndFromTheHistory() {
    QVERIFY(w_->nearby()->sendFiles(device(), {file("plan.pdf", "the plan\n")}));
    const QByteArray card = phone_->waitEvent("file", "/plan.pdf");
    QVERIFY(!card.isEmpty());
    QCOMPARE(download(card), QByteArray("the plan\n"));
    // The phone's download ends up in the history as a record of its own
    // (once the delivery is over): wait for it, so that Take Back must find
    // the send's record behind it.
    QVERIFY(waitFor(
        [&] {
          const auto& records = w_->history()->records();
          return std::any_of(records.begin(), records.end(), [](const DeliveryHistory::Record& r) {
            return r.file == "plan.pdf" && r.outcome == QStringLiteral("delivered");
          });
        },
        20'000));
    // Take Back in the message that said it went: the link ends, the page is told.
    const QList<QToolButton*> buttons = w_->messageBar()->buttons();
    QCOMPARE(buttons.size(), 1);
    QCOMPARE(buttons[0]->text(), QStringLiteral("Take Back"));
    buttons[0]->click();
    const QRegularExpressionMatch link = QRegularExpression("\"link\":\"([^\"]+)\"").match(QString::fromUtf8(card));
    QVERIFY(!phone_->waitEvent("removed", link.captured(1).toUtf8()).isEmpty());
    QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}",
                   "http://127.0.0.1:" + QString::number(w_->bridge()->port()) + link.captured(1)}),
             QByteArray("404"));
    QCOMPARE(w_->messageBar()->text(),
             QStringLiteral("Took back plan.pdf: its link no longer works, and the page shows it as taken back."));
    // The send's own record says so (the phone's download has a record of
    // its own, added when that delivery ends, before or after this).
    const auto& records = w_->history()->records();
    auto sent = std::find_if(records.begin(), records.end(), [](const DeliveryHistory::Record& r) {
      return r.outcome == DeliveryHistory::kSent && r.file == "plan.pdf";
    });
    QVERIFY(sent != records.end());
    QCOMPARE(sent->text, QStringLiteral("Taken back"));
    QVERIFY(sent->link.isEmpty());

    // Two more; one of them taken back from its row in the history.
    QVERIFY(w_->nearby()->sendFiles(device(), {file("a.txt", "a\n"), file("b.txt", "b\n")}));
    QCOMPARE(w_->messageBar()->text(),
             QStringLiteral("Sent 2 files to Safari on iPhone: they show on its page with a Download button."));
    const QByteArray cardA = phone_->waitEvent("file", "/a.txt");
    const QByteArray cardB = phone_->waitEvent("file", "/b.txt");
    QVERIFY(!cardA.isEmpty() && !cardB.isEmpty());
    HistoryDialog* dialog = w_->showHistory();
    QTableView* view = dialog->view();
    auto rowOf = [&](const QString& name) {
      for (int r = 0; r < w_->history()->rowCount(); ++r)
        if (w_->history()->index(r, DeliveryHistory::File).data().toString() == name) return r;
      return -1;
    };
    // A row that was taken back, or that was not a file sent, offers nothing.
    view->setCurrentIndex(w_->history()->index(rowOf("plan.pdf"), 0));
    QVERIFY(!dialog->takeBackButton()->isEnabled());
    view->setCurrentIndex(w_->history()->index(rowOf("a.txt"), 0));
    QVERIFY(dialog->takeBackButton()->isEnabled());
    dialog->takeBackButton()->click();
    const QRegularExpression linkOf("\"link\":\"([^\"]+)\"");
    QVERIFY(!phone_->waitEvent("removed", linkOf.match(QString::fromUtf8(cardA)).captured(1).toUtf8()).isEmpty());
    QCOMPARE(w_->history()->index(rowOf("a.txt"), DeliveryHistory::Outcome).data().toString(),
             QStringLiteral("↑ Taken back"));
    QVERIFY(!dialog->takeBackButton()->isEnabled());
    // The other file of that send is still there, on the page and by its link.
    QCOMPARE(download(cardB), QByteArray("b\n"));
    QVERIFY(phone_->event("removed", linkOf.match(QString::fromUtf8(cardB)).captured(1).toUtf8()).isEmpty());
    dialog->close();
  }

  void textFromThePageShowsWithCopyAndOpenLink() {
    // The device is listed once the server has the stream; curl may not
    // have handed over the answer's headers yet.
    QString cookie;
    QVERIFY(waitFor([&] { return !(cookie = phone_->cookie()).isEmpty(); }, 10'000));
    const QString text = QStringLiteral("<img src=x onerror=alert(1)> the menu: https://example.org/menu.");
    const QByteArray status = curl({"-o", "/dev/null", "-w", "%{http_code}", "-b", "ferry_device=" + cookie,
                                    "-H", "Content-Type: text/plain; charset=utf-8", "--data-binary", text,
                                    w_->receivePanel()->link() + "?text"});
    QCOMPARE(status, QByteArray("200"));
    ReceivedTexts* texts = w_->receivedTexts();
    QVERIFY(waitFor([&] { return texts->rowCount() == 1; }, 5'000));
    QVERIFY(w_->nearbyPanel()->texts()->isVisible());
    const QModelIndex row = texts->index(0);
    QCOMPARE(row.data(ReceivedTexts::TextRole).toString(), text);
    QCOMPARE(row.data(ReceivedTexts::FromRole).toString(), QStringLiteral("Safari on iPhone"));
    QVERIFY(row.data(Qt::DisplayRole).toString().contains("<img src=x"));  // text, never markup
    QCOMPARE(row.data(ReceivedTexts::LinkRole).toUrl(), QUrl("https://example.org/menu"));
    QVERIFY(w_->nearbyPanel()->openLinkButton()->isEnabled());
    w_->nearbyPanel()->copyButton()->click();
    QCOMPARE(QApplication::clipboard()->text(), text);
    // Kept in the history, as a file received is.
    const auto& records = w_->history()->records();
    QVERIFY(!records.empty());
    QCOMPARE(records.back().outcome, DeliveryHistory::kReceived);
    QVERIFY(records.back().file.startsWith("Text: <img src=x"));
    QCOMPARE(records.back().client, QStringLiteral("Safari on iPhone (127.0.0.1)"));
  }

  void nearbyIsInViewWithEverythingElseOut() {
    // The window as it first opens (1040 × 760), Receive on, a share, a
    // download done (so Transfers and the graph are out) and a text from
    // the phone: the message says it is under Nearby, and there it is.
    QCOMPARE(w_->size(), QSize(1040, 760));
    QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(file("report.txt", QByteArray(64 * 1024, 'r')))}), 1);
    w_->sharesView()->selectRow(0);
    QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", w_->sharesModel()->linkAt(0)}), QByteArray("200"));
    QTRY_VERIFY(w_->transfersView()->isVisible());
    QTRY_VERIFY(w_->graph()->isVisible());
    QString cookie;
    QVERIFY(waitFor([&] { return !(cookie = phone_->cookie()).isEmpty(); }, 10'000));
    QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", "-b", "ferry_device=" + cookie, "-H",
                   "Content-Type: text/plain; charset=utf-8", "--data-binary", "the gate code is 4711",
                   w_->receivePanel()->link() + "?text"}),
             QByteArray("200"));
    QVERIFY(waitFor([&] { return w_->receivedTexts()->rowCount() == 1; }, 5'000));
    QVERIFY(w_->messageBar()->text().contains("under Nearby"));
    NearbyPanel* panel = w_->nearbyPanel();
    auto shown = [](QWidget* widget) { return widget->isVisible() ? widget->visibleRegion().boundingRect().height() : 0; };
    // The heading whole, the device's row and the text's row in view.
    QTRY_COMPARE(panel->heading()->visibleRegion().boundingRect(), panel->heading()->rect());
    QTRY_VERIFY2(shown(panel->devices()) >= panel->devices()->sizeHintForRow(0) + 4,
                 qPrintable(QString::number(shown(panel->devices()))));
    QTRY_VERIFY2(shown(panel->texts()) >= panel->texts()->sizeHintForRow(0) + 2,
                 qPrintable(QString::number(shown(panel->texts()))));
    QVERIFY(shown(panel->copyButton()) == panel->copyButton()->height());
    QVERIFY(w_->transfersView()->isVisible());
    QVERIFY(w_->graph()->isVisible());

    // 760 × 532: the shares list keeps its rows, Nearby its heading, and
    // the share's code its label whole.
    w_->resize(760, 532);
    QTRY_COMPARE(w_->size(), QSize(760, 532));
    const int row = w_->sharesView()->verticalHeader()->defaultSectionSize();
    QTRY_VERIFY(w_->sharesView()->viewport()->height() >= 4 * row);
    // The text that came last stays in view; the heading and the device
    // are a scroll away.
    QTRY_VERIFY2(shown(panel->texts()) >= panel->texts()->sizeHintForRow(0),
                 qPrintable(QString::number(shown(panel->texts()))));
    auto* area = w_->findChild<QScrollArea*>(QStringLiteral("nearbyScroll"));
    QVERIFY(area);
    area->verticalScrollBar()->setValue(0);
    QTRY_COMPARE(panel->heading()->visibleRegion().boundingRect(), panel->heading()->rect());
    QVERIFY2(shown(panel->devices()) >= panel->devices()->sizeHintForRow(0), qPrintable(QString::number(shown(panel->devices()))));
    auto* direction = w_->findChild<QLabel*>(QStringLiteral("qrDirection"));
    QVERIFY(direction && direction->isVisible());
    QVERIFY2(direction->contentsRect().width() >= direction->fontMetrics().horizontalAdvance(direction->text()),
             qPrintable(QStringLiteral("%1 < %2").arg(direction->contentsRect().width()).arg(direction->fontMetrics().horizontalAdvance(direction->text()))));
    QCOMPARE(direction->visibleRegion().boundingRect(), direction->rect());
    // There the texts are under the devices, and Nearby scrolls to a new one.
    QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", "-b", "ferry_device=" + cookie, "-H",
                   "Content-Type: text/plain; charset=utf-8", "--data-binary", "and the door code 0815",
                   w_->receivePanel()->link() + "?text"}),
             QByteArray("200"));
    QVERIFY(waitFor([&] { return w_->receivedTexts()->rowCount() == 2; }, 5'000));
    QTRY_VERIFY2(shown(panel->texts()) >= panel->texts()->sizeHintForRow(0),
                 qPrintable(QString::number(shown(panel->texts()))));
  }

  void aClosedPageLeavesTheList() {
    const std::uint64_t id = device();
    phone_->close();
    // Gone after NearbyDevices::kGrace (10 s): greyed as "left", not choosable.
    QVERIFY(waitFor([&] { return w_->nearbyModel()->hereCount() == 0; }, 20'000));
    QCOMPARE(w_->nearbyModel()->rowCount(), 1);
    const QModelIndex row = w_->nearbyModel()->index(0);
    QVERIFY(!row.data(NearbyModel::HereRole).toBool());
    QVERIFY(row.data(Qt::DisplayRole).toString().contains("left"));
    QCOMPARE(row.flags() & Qt::ItemIsSelectable, Qt::ItemFlags());
    QVERIFY(!w_->nearbyPanel()->sendTextButton()->isEnabled());
    QVERIFY(!w_->nearby()->sendToAction()->isEnabled());
    QString error;
    QVERIFY(!w_->bridge()->sendText(id, "anyone?", &error));
    QVERIFY(!error.isEmpty());
  }

  void anotherKindIsListedByItsKind() {
    NearbyModel m;
    NearbyDevice d;
    d.id = 9;
    d.kind = "localsend";
    d.name = "Pixel 8";
    d.address = "192.168.1.40";
    m.apply(d, true);
    QCOMPARE(m.index(0).data(NearbyModel::KindRole).toString(), QStringLiteral("LocalSend"));
    QCOMPARE(m.index(0).data(Qt::DisplayRole).toString(), QStringLiteral("Pixel 8\nLocalSend · 192.168.1.40"));
    d.kind = "something-new";
    d.id = 10;
    m.apply(d, true);
    QCOMPARE(m.index(1).data(NearbyModel::KindRole).toString(), QStringLiteral("something-new"));
    QCOMPARE(m.hereCount(), 2);
  }

  void pastedPicturesGoOnceNothingSharesThem() {
    QImage picture(40, 30, QImage::Format_RGB32);
    picture.fill(Qt::darkCyan);
    auto paste = [&] {
      auto* mime = new QMimeData;
      mime->setImageData(picture);
      QApplication::clipboard()->setMimeData(mime);
      QTest::keyClick(w_.get(), Qt::Key_V, Qt::ControlModifier);
    };
    const QDir pasted(PastedPictures::folder());
    auto files = [&] { return pasted.entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot); };
    // No device chosen: the picture is shared like a drop.
    paste();
    QVERIFY(waitFor([&] { return w_->sharesModel()->rowCount() == 1; }, 5'000));
    const QString shared = w_->sharesModel()->index(0, 0).data(SharesModel::PathRole).toString();
    QVERIFY2(shared.startsWith(pasted.absolutePath() + "/Pasted picture "), qPrintable(shared));
    // A device chosen: it goes to that device's page (a file of its own).
    w_->nearbyPanel()->selectDevice(device());
    paste();
    QVERIFY(!phone_->waitEvent("file", "Pasted picture").isEmpty());
    QCOMPARE(files().size(), 2);
    // At quit the one sent goes with its link; the one in the list stays.
    phone_.reset();
    w_.reset();
    QCOMPARE(files(), QStringList{QFileInfo(shared).fileName()});
    // At start, a picture nothing shares (left by a crash) goes; the
    // restored share keeps its own.
    QVERIFY(test::writeFile(pasted.filePath("Pasted picture 2020-01-01 10.00.00.png"), "left behind"));
    w_ = std::make_unique<MainWindow>(SettingsStore{});
    QCOMPARE(w_->sharesModel()->rowCount(), 1);
    QCOMPARE(files(), QStringList{QFileInfo(shared).fileName()});
  }
};

QTEST_MAIN(TestNearbyWindow)
#include "tst_nearby_window.moc"
