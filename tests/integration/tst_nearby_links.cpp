// Files sent to a nearby device's page, and taken back, over real sockets:
// curl holds each page's event stream (GET <receive link>?events, as the
// page's EventSource opens it) and downloads the links. Server::sendToDevice
// hands back one link per file, each the link on that page's card;
// removeShare() on one ends it (404 from then on) and that page, and no
// other, gets a `removed` event naming the link, which a reloaded page
// gets again after the card. A share that was never sent tells no page.

#include <algorithm>

#include <QRegularExpression>
#include <QTest>

#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

// One page's event stream, read by curl as it arrives.
struct Page {
  QProcess proc;
  QByteArray out;

  void open(const QString& receiveLink, const QString& cookie = {}) {
    QStringList args = {"-sS", "-N", "-i", "--noproxy", "*", "-H", "Accept: text/event-stream"};
    if (!cookie.isEmpty()) args << "-H" << "Cookie: ferry_device=" + cookie;
    proc.start("curl", args << receiveLink + "?events");
    proc.waitForStarted(10'000);
  }
  QByteArray read() {
    out += proc.readAllStandardOutput();
    return out;
  }
  // Every event so far as (type, data), in order.
  QList<QPair<QByteArray, QByteArray>> events() {
    QList<QPair<QByteArray, QByteArray>> got;
    static const QRegularExpression frame("event: ([a-z]+)\ndata: ([^\n]*)\n\n");
    auto it = frame.globalMatch(QString::fromUtf8(read()));
    while (it.hasNext()) {
      const auto m = it.next();
      got.append({m.captured(1).toUtf8(), m.captured(2).toUtf8()});
    }
    return got;
  }
  QList<QByteArray> dataOf(const QByteArray& type) {
    QList<QByteArray> data;
    for (const auto& [t, d] : events())
      if (t == type) data.append(d);
    return data;
  }
  QString cookie() {
    const auto m = QRegularExpression("ferry_device=([^;\r\n]+)").match(QString::fromLatin1(read()));
    return m.hasMatch() ? m.captured(1) : QString();
  }
  ~Page() {
    proc.kill();
    proc.waitForFinished(5'000);
  }
};

QByteArray linkOf(const QByteArray& json) {
  const auto m = QRegularExpression("\"link\":\"([^\"]+)\"").match(QString::fromUtf8(json));
  return m.hasMatch() ? m.captured(1).toUtf8() : QByteArray();
}

}  // namespace

class TestNearbyLinks : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  std::unique_ptr<QTemporaryDir> inbox_;
  std::unique_ptr<ServerFixture> fx_;
  QString link_;

  QString base() const { return "http://127.0.0.1:" + QString::number(fx_->port()); }
  // The status of a GET of `target`, and its body.
  QPair<int, QByteArray> get(const QByteArray& target) {
    CurlResult c = runCurl({"-w", "\n%{http_code}", base() + QString::fromUtf8(target)});
    const qsizetype nl = c.out.lastIndexOf('\n');
    return {c.out.mid(nl + 1).toInt(), c.out.left(nl)};
  }
  // The device ids here, once there are `n` of them.
  std::vector<std::uint64_t> devices(std::size_t n) {
    std::vector<std::uint64_t> ids;
    if (!QTest::qWaitFor([&] { return fx_->server.nearbyDevices().size() == n; }, 10'000)) return ids;
    for (const auto& d : fx_->server.nearbyDevices()) ids.push_back(d.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  std::string file(const QString& name, qint64 size, quint32 seed) {
    writeRandomFile(files_.filePath(name), size, seed);
    return QFile::encodeName(files_.filePath(name)).toStdString();
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY(files_.isValid());
  }
  void init() {
    inbox_ = std::make_unique<QTemporaryDir>();
    fx_ = std::make_unique<ServerFixture>();
    QVERIFY(fx_->start(""));
    std::string error;
    QVERIFY2(fx_->server.setReceiveFolder(QFile::encodeName(inbox_->path()).toStdString(), &error), error.c_str());
    link_ = QString::fromStdString(fx_->server.receiveLink("127.0.0.1"));
  }
  void cleanup() {
    fx_.reset();
    inbox_.reset();
  }

  void eachFileSentHasTheLinkOnItsCard() {
    Page page;
    page.open(link_);
    const auto here = devices(1);
    QCOMPARE(here.size(), std::size_t(1));
    const std::string a = file("report.pdf", 300'000, 1), b = file("holiday photo.jpg", 700'001, 2);
    std::string error;
    std::vector<std::string> links = {"left over"};
    QVERIFY2(fx_->server.sendToDevice(here[0], {a, b}, &error, &links), error.c_str());
    QCOMPARE(links.size(), std::size_t(2));
    QTRY_COMPARE_WITH_TIMEOUT(page.dataOf("file").size(), 2, 10'000);
    const QList<QByteArray> cards = page.dataOf("file");
    QCOMPARE(linkOf(cards[0]), QByteArray::fromStdString("/" + links[0] + "/report.pdf"));
    QCOMPARE(linkOf(cards[1]), QByteArray::fromStdString("/" + links[1] + "/holiday%20photo.jpg"));
    for (int i = 0; i < 2; ++i) {
      const auto [status, body] = get(linkOf(cards[i]));
      QCOMPARE(status, 200);
      QCOMPARE(sha256(body), sha256File(QString::fromStdString(i == 0 ? a : b)));
    }

    // Nobody here: nothing is sent and no link is made.
    QVERIFY(!fx_->server.sendToDevice(here[0] + 100, {a}, &error, &links));
    QVERIFY(links.empty());
    QVERIFY(error.find("No device") != std::string::npos);
  }

  void takingBackEndsTheLinkAndTellsThatPageOnly() {
    Page one, two;
    one.open(link_);
    QTRY_VERIFY_WITH_TIMEOUT(!one.cookie().isEmpty(), 10'000);
    two.open(link_);
    const auto here = devices(2);
    QCOMPARE(here.size(), std::size_t(2));
    const std::string a = file("plan.pdf", 100'000, 3);
    std::string error;
    std::vector<std::string> toOne, toTwo;
    QVERIFY2(fx_->server.sendToDevice(here[0], {a}, &error, &toOne), error.c_str());
    QVERIFY2(fx_->server.sendToDevice(here[1], {a}, &error, &toTwo), error.c_str());
    QCOMPARE(toOne.size(), std::size_t(1));
    QVERIFY(toOne != toTwo);  // a link of its own for each device
    // The first page's stream was open before the second's: the lower id.
    Page& first = one;
    Page& second = two;
    QTRY_COMPARE_WITH_TIMEOUT(first.dataOf("file").size(), 1, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(second.dataOf("file").size(), 1, 10'000);
    const QByteArray target = linkOf(first.dataOf("file")[0]);
    QCOMPARE(get(target).first, 200);

    QVERIFY(fx_->server.removeShare(toOne[0]));
    QTRY_COMPARE_WITH_TIMEOUT(first.dataOf("removed").size(), 1, 10'000);
    QCOMPARE(first.dataOf("removed")[0], "{\"link\":\"" + target + "\"}");
    QCOMPARE(get(target).first, 404);
    QCOMPARE(get(linkOf(second.dataOf("file")[0])).first, 200);  // the other device's link still works
    // Whatever goes to the other page after the take-back comes after
    // anything the take-back sent it: a text there, and no `removed`.
    QVERIFY(fx_->server.sendText(here[1], "later", &error));
    QTRY_COMPARE_WITH_TIMEOUT(second.dataOf("text").size(), 1, 10'000);
    QCOMPARE(second.dataOf("removed").size(), 0);
    QVERIFY(!fx_->server.removeShare(toOne[0]));  // once
  }

  void aReloadedPageGetsTheCardThenItsTakingBack() {
    QString cookie;
    std::string token;
    {
      Page page;
      page.open(link_);
      QTRY_VERIFY_WITH_TIMEOUT(!(cookie = page.cookie()).isEmpty(), 10'000);
      const auto here = devices(1);
      std::string error;
      std::vector<std::string> links;
      QVERIFY2(fx_->server.sendToDevice(here[0], {file("notes.txt", 5'000, 4)}, &error, &links), error.c_str());
      QTRY_COMPARE_WITH_TIMEOUT(page.dataOf("file").size(), 1, 10'000);
      token = links.at(0);
      QVERIFY(fx_->server.removeShare(token));
      QTRY_COMPARE_WITH_TIMEOUT(page.dataOf("removed").size(), 1, 10'000);
    }
    // The page reloads (within the grace, so the same device): the card,
    // then the word that it was taken back, in that order.
    Page again;
    again.open(link_, cookie);
    QTRY_COMPARE_WITH_TIMEOUT(again.dataOf("removed").size(), 1, 10'000);
    QList<QByteArray> types;
    for (const auto& [t, d] : again.events())
      if (t != "hello") types.append(t);
    QCOMPARE(types, (QList<QByteArray>{"file", "removed"}));
    QCOMPARE(linkOf(again.dataOf("removed")[0]), linkOf(again.dataOf("file")[0]));
    QVERIFY(linkOf(again.dataOf("file")[0]).startsWith(QByteArray::fromStdString("/" + token + "/")));
  }

  void aShareNeverSentTellsNoPage() {
    Page page;
    page.open(link_);
    const auto here = devices(1);
    const ferry::Share s = fx_->share(QString::fromStdString(file("mine.bin", 1'000, 5)));
    QVERIFY(!s.token.empty());
    QVERIFY(fx_->server.removeShare(s.token));
    std::string error;
    QVERIFY(fx_->server.sendText(here[0], "after", &error));
    QTRY_COMPARE_WITH_TIMEOUT(page.dataOf("text").size(), 1, 10'000);
    QCOMPARE(page.dataOf("removed").size(), 0);
  }
};

QTEST_GUILESS_MAIN(TestNearbyLinks)
#include "tst_nearby_links.moc"
