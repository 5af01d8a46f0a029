// Receive's admission before the first byte, over real sockets with curl
// and the page's handshake: the per-file size cap (413), asking the user
// about a new device (no 100 Continue, nothing written until the answer;
// accept, accept always, decline, no answer, Receive off, too many asking, a
// device that hangs up while asked), and the free space a declared size needs
// (507) on a small tmpfs.

#include <QTest>

#include <mutex>


#include "receive_asks.h"
#include "testutil/http_client.h"
#include "testutil/small_tmpfs.h"
#include "upload.h"
#include "upload_handler.h"

using namespace ferry::test;
using namespace std::chrono_literals;

namespace {

// What the ask listener heard, on the loop thread, read by the test's.
struct AskLog {
  std::mutex mutex;
  std::vector<std::pair<ferry::ReceiveAsk, ferry::ReceiveAskState>> events;

  void add(const ferry::ReceiveAsk& a, ferry::ReceiveAskState s) {
    std::lock_guard lock(mutex);
    events.emplace_back(a, s);
  }
  std::vector<std::pair<ferry::ReceiveAsk, ferry::ReceiveAskState>> all() {
    std::lock_guard lock(mutex);
    return events;
  }
  int count(ferry::ReceiveAskState s) {
    int n = 0;
    for (const auto& e : all()) n += e.second == s;
    return n;
  }
  // The latest ask that opened, waiting up to `ms` for one.
  std::optional<ferry::ReceiveAsk> waitOpen(int opened, int ms = 10'000) {
    auto t0 = Clock::now();
    while (msSince(t0) < ms) {
      std::vector<ferry::ReceiveAsk> open;
      for (const auto& e : all())
        if (e.second == ferry::ReceiveAskState::kOpen) open.push_back(e.first);
      if (static_cast<int>(open.size()) >= opened) return open[static_cast<std::size_t>(opened - 1)];
      QTest::qWait(10);
    }
    return std::nullopt;
  }
};

// A curl -T running in the background that waits for 100 Continue as long
// as it takes (curl's own default is to send the body after one second).
struct BackgroundPut {
  QProcess proc;
  QByteArray err;
  void start(const QString& file, const QString& url) {
    proc.start("curl", {"-sS", "-v", "--noproxy", "*", "-A", "curl/8.5.0", "--expect100-timeout", "60", "-H",
                        "Expect: 100-continue", "-T", file, "-w", "\n%{http_code}", url});
    proc.waitForStarted(10'000);
  }
  QByteArray stderrSoFar() {
    err += proc.readAllStandardError();
    return err;
  }
  bool running() const { return proc.state() != QProcess::NotRunning; }
  // The status, and the body before it.
  int finish(QByteArray* body = nullptr) {
    if (!proc.waitForFinished(30'000)) return -1;
    stderrSoFar();
    QByteArray out = proc.readAllStandardOutput();
    if (body) *body = out.left(out.lastIndexOf('\n'));
    return out.mid(out.lastIndexOf('\n') + 1).toInt();
  }
};

}  // namespace

class TestReceiveAsk : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  std::unique_ptr<ServerFixture> fx_;
  std::unique_ptr<QTemporaryDir> inbox_;
  std::unique_ptr<AskLog> log_;
  QString link_;
  QByteArray base_;  // "/<token>/"

  QString inbox(const QString& name = {}) const { return name.isEmpty() ? inbox_->path() : inbox_->filePath(name); }
  QStringList entries(const QString& dir) const {
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
  }
  QStringList entries() const { return entries(inbox()); }
  std::uint16_t port() const { return fx_->port(); }
  QByteArray head(const QByteArray& method, const QByteArray& target, const QByteArray& extra = {}) const {
    return method + " " + target + " HTTP/1.1\r\n" + hostHeader(port()) + extra + "\r\n";
  }
  QByteArray handshakeHead(const QByteArray& name, quint64 size, const QByteArray& extra = {}) const {
    return head("POST", base_ + "?name=" + name + "&size=" + QByteArray::number(size), extra);
  }
  void setPolicy(bool ask, std::uint64_t cap, std::chrono::milliseconds timeout = 60s) {
    ferry::ReceivePolicy p;
    p.askNewDevices = ask;
    p.maxFileSize = cap;
    p.askTimeout = timeout;
    fx_->server.setReceivePolicy(p);
  }
  bool receiveInto(const QString& dir) {
    std::string error;
    auto folder = fx_->server.setReceiveFolder(QFile::encodeName(dir).toStdString(), &error);
    if (!folder) qWarning("cannot receive: %s", error.c_str());
    if (!folder) return false;
    link_ = QString::fromStdString(fx_->server.receiveLink("127.0.0.1"));
    base_ = QByteArray::fromStdString("/" + folder->token + "/");
    return true;
  }
  CurlResult put(const QString& file, const QString& url, const QStringList& extra = {}) {
    QStringList args = {"-T", file, "-w", "\n%{http_code}"};
    args += extra;
    args << url;
    return runCurl(args);
  }
  static int status(const CurlResult& c) { return c.out.mid(c.out.lastIndexOf('\n') + 1).toInt(); }
  static QByteArray text(const CurlResult& c) { return c.out.left(c.out.lastIndexOf('\n')); }

  // Starts a curl upload of a new file and waits for the ask it opens
  // (the `opened`-th one); the upload has had a moment to misbehave by then.
  std::optional<ferry::ReceiveAsk> startAsked(BackgroundPut& curl, const QString& name, qint64 size, int opened,
                                              QByteArray* sum = nullptr) {
    const QString src = files_.filePath(name);
    QByteArray s = writeRandomFile(src, size, static_cast<quint32>(size));
    if (sum) *sum = s;
    curl.start(src, link_);
    return log_->waitOpen(opened);
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY(files_.isValid());
  }

  void init() {
    inbox_ = std::make_unique<QTemporaryDir>();
    log_ = std::make_unique<AskLog>();
    fx_ = std::make_unique<ServerFixture>();
    AskLog* log = log_.get();
    fx_->server.setReceiveAskListener([log](const ferry::ReceiveAsk& a, ferry::ReceiveAskState s) { log->add(a, s); });
    QVERIFY(fx_->start(""));
    QVERIFY(receiveInto(inbox()));
  }
  void cleanup() {
    fx_.reset();
    log_.reset();
    inbox_.reset();
  }

  // ---- the size cap ------------------------------------------------------------

  void capRefusesADeclaredLength() {
    const std::uint64_t cap = 1 << 20;
    setPolicy(false, cap);
    const QString src = files_.filePath("video.mp4");
    writeRandomFile(src, cap + 1, 3);
    CurlResult c = put(src, link_, {"-v", "-H", "Expect: 100-continue"});
    QCOMPARE(status(c), 413);
    QCOMPARE(text(c).toStdString(), ferry::tooLargeSentence(cap));
    QVERIFY2(!c.err.contains("100 Continue"), c.err.constData());  // refused before the body
    QCOMPARE(entries(), QStringList());
    // One at the cap is welcome.
    const QString fits = files_.filePath("fits.bin");
    const QByteArray sum = writeRandomFile(fits, cap, 4);
    QCOMPARE(status(put(fits, link_)), 201);
    QCOMPARE(sha256File(inbox("fits.bin")), sum);
  }

  void capRefusesAChunkedBodyGrowingPastIt() {
    const std::uint64_t cap = 1 << 20;
    setPolicy(false, cap);
    const QString src = files_.filePath("endless.log");
    writeRandomFile(src, 3 * cap, 5);
    CurlResult c = runCurl({"-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + src, "-w",
                            "\n%{http_code}", link_ + "endless.log"});
    QCOMPARE(status(c), 413);
    QCOMPARE(text(c).toStdString(), ferry::tooLargeSentence(cap));
    QTRY_COMPARE(entries(), QStringList());  // the part file is gone too
    // The window's row says why.
    QTRY_VERIFY([&] {
      for (const auto& t : fx_->server.snapshot()->transfers)
        if (t.direction == ferry::TransferDirection::kUpload && t.state == ferry::TransferState::kFailed &&
            t.fileName() == "endless.log")
          return true;
      return false;
    }());
  }

  void capRefusesThePageHandshake() {
    const std::uint64_t cap = 2'500'000;
    setPolicy(false, cap);
    RawResponse r = rawRequest(port(), handshakeHead("big.mov", cap + 1));
    QCOMPARE(r.status, 413);
    QCOMPARE(r.body.toStdString(), ferry::tooLargeSentence(cap));
    r = rawRequest(port(), handshakeHead("ok.mov", cap));
    QCOMPARE(r.status, 201);
    QCOMPARE(entries(), QStringList());
  }

  // ---- asking about a new device -------------------------------------------------

  void aNewDeviceWaitsForTheAnswer() {
    setPolicy(true, 0);
    BackgroundPut curl;
    QByteArray sum;
    auto ask = startAsked(curl, "photo.jpg", 2'100'000, 1, &sum);
    QVERIFY(ask);
    QCOMPARE(QString::fromStdString(ask->label), QString("curl 8.5"));  // its User-Agent, as the window names clients
    QCOMPARE(QString::fromStdString(ask->address), QString("127.0.0.1"));
    QCOMPARE(QString::fromStdString(ask->firstName), QString("photo.jpg"));
    QVERIFY(ask->sizeKnown);
    QCOMPARE(ask->firstSize, std::uint64_t(2'100'000));
    QCOMPARE(ask->more, 0u);
    // Asked, not answered: curl waits for its 100 Continue, nothing is written.
    QTest::qWait(1'500);
    QVERIFY(curl.running());
    QVERIFY2(!curl.stderrSoFar().contains("100 Continue"), curl.err.constData());
    QCOMPARE(entries(), QStringList());
    fx_->server.answerReceiveAsk(ask->id, ferry::ReceiveAnswer::kAccept);
    QByteArray body;
    QCOMPARE(curl.finish(&body), 201);
    QVERIFY2(curl.err.contains("< HTTP/1.1 100 Continue"), curl.err.constData());
    QCOMPARE(body, QByteArray("Saved as photo.jpg\n"));
    QCOMPARE(sha256File(inbox("photo.jpg")), sum);
    QCOMPARE(entries(), QStringList{"photo.jpg"});
    QTRY_COMPARE(log_->count(ferry::ReceiveAskState::kAccepted), 1);
  }

  void thePageSaysWhoAndHowMany() {
    setPolicy(true, 0);
    const QByteArray ua =
        "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1\r\n";
    RawClient c(port());
    QVERIFY(c.send(head("POST", base_ + "?name=IMG_0001.HEIC&size=2100000&more=2",
                        ua + "X-Ferry-Device: kZ3v9Qx2pL7mN4rT8wYb\r\n")));
    auto ask = log_->waitOpen(1);
    QVERIFY(ask);
    QCOMPARE(QString::fromStdString(ask->label), QString("Safari on iPhone"));
    QCOMPARE(QString::fromStdString(ask->firstName), QString("IMG_0001.HEIC"));
    QCOMPARE(ask->firstSize, std::uint64_t(2'100'000));
    QCOMPARE(ask->more, 2u);
    QCOMPARE(QString::fromStdString(ask->device), QString("page:kZ3v9Qx2pL7mN4rT8wYb"));
    // The handshake gets no answer until the user's.
    QByteArray buf;
    QCOMPARE(c.readSome(buf, 800), -1);
    fx_->server.answerReceiveAsk(ask->id, ferry::ReceiveAnswer::kAccept);
    RawResponse r = readResponse(c, buf);
    QCOMPARE(r.status, 201);
    QVERIFY(r.body.contains("\"id\":"));
    // The same page's next file is not asked about.
    RawResponse next =
        rawRequest(port(), handshakeHead("IMG_0002.HEIC", 10, ua + "X-Ferry-Device: kZ3v9Qx2pL7mN4rT8wYb\r\n"));
    QCOMPARE(next.status, 201);
    QCOMPARE(log_->count(ferry::ReceiveAskState::kOpen), 1);
  }

  void acceptAlwaysIsNotAskedAgain() {
    setPolicy(true, 0);
    BackgroundPut first;
    auto ask = startAsked(first, "one.txt", 1000, 1);
    QVERIFY(ask);
    fx_->server.answerReceiveAsk(ask->id, ferry::ReceiveAnswer::kAcceptAlways);
    QCOMPARE(first.finish(), 201);
    QTRY_COMPARE(log_->count(ferry::ReceiveAskState::kAcceptedAlways), 1);
    // The listener heard the key to remember; the next upload just lands.
    QCOMPARE(QString::fromStdString(log_->all().back().first.device), QString("address:127.0.0.1"));
    const QString src = files_.filePath("two.txt");
    QVERIFY(writeFile(src, "two\n"));
    CurlResult c = put(src, link_);
    QCOMPARE(status(c), 201);
    QCOMPARE(readFileBytes(inbox("two.txt")), QByteArray("two\n"));
    QCOMPARE(log_->count(ferry::ReceiveAskState::kOpen), 1);
  }

  void aRestoredDeviceIsNotAsked() {
    setPolicy(true, 0);
    fx_->server.acceptReceiveDevice("address:127.0.0.1");
    const QString src = files_.filePath("known.txt");
    QVERIFY(writeFile(src, "known\n"));
    QCOMPARE(status(put(src, link_)), 201);
    QCOMPARE(log_->all().size(), std::size_t(0));
  }

  void declineIs403() {
    setPolicy(true, 0);
    BackgroundPut curl;
    auto ask = startAsked(curl, "unwanted.zip", 3'000'000, 1);
    QVERIFY(ask);
    fx_->server.answerReceiveAsk(ask->id, ferry::ReceiveAnswer::kDecline);
    QByteArray body;
    QCOMPARE(curl.finish(&body), 403);
    QCOMPARE(body, QByteArray("This computer declined the files.\n"));
    QVERIFY(!curl.err.contains("100 Continue"));
    QCOMPARE(entries(), QStringList());
    QTRY_COMPARE(log_->count(ferry::ReceiveAskState::kDeclined), 1);
    // Declined once is not declined for ever: the next upload asks again.
    BackgroundPut again;
    QVERIFY(startAsked(again, "unwanted2.zip", 10, 2));
    fx_->server.answerReceiveAsk(log_->waitOpen(2)->id, ferry::ReceiveAnswer::kDecline);
    QCOMPARE(again.finish(), 403);
  }

  void unansweredIsDeclinedInTime() {
    setPolicy(true, 0, 700ms);
    BackgroundPut curl;
    QElapsedTimer t;
    t.start();
    QVERIFY(startAsked(curl, "ignored.txt", 5000, 1));
    QByteArray body;
    QCOMPARE(curl.finish(&body), 403);
    QVERIFY(t.elapsed() >= 700);
    QCOMPARE(body, QByteArray("No one accepted the files on this computer in time: they were declined.\n"));
    QCOMPARE(entries(), QStringList());
    QTRY_COMPARE(log_->count(ferry::ReceiveAskState::kTimedOut), 1);
  }

  void receiveOffWhileWaitingIs404() {
    setPolicy(true, 0);
    BackgroundPut curl;
    QVERIFY(startAsked(curl, "late.txt", 5000, 1));
    RawClient page(port());
    QVERIFY(page.send(handshakeHead("late2.txt", 10, "X-Ferry-Device: aaaaaaaaaaaaaaaaaaaaaaaa\r\n")));
    QVERIFY(log_->waitOpen(2));
    fx_->server.stopReceiving();
    QByteArray body;
    QCOMPARE(curl.finish(&body), 404);
    QCOMPARE(body, QByteArray("Receiving was turned off on this computer.\n"));
    QByteArray buf;
    RawResponse r = readResponse(page, buf);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("Receiving was turned off on this computer.\n"));
    QCOMPARE(entries(), QStringList());
    QTRY_COMPARE(log_->count(ferry::ReceiveAskState::kWithdrawn), 2);
  }

  void tooManyWaitingIs503() {
    setPolicy(true, 0);
    std::vector<std::unique_ptr<RawClient>> waiting;
    for (std::size_t i = 0; i < ferry::ReceiveAsks::kMaxOpen; ++i) {
      auto c = std::make_unique<RawClient>(port());
      const QByteArray id = QByteArray("device-number-") + QByteArray::number(qulonglong(i)).rightJustified(6, '0');
      QVERIFY(c->send(handshakeHead("f.txt", 10, "X-Ferry-Device: " + id + "\r\n")));
      waiting.push_back(std::move(c));
      QVERIFY(log_->waitOpen(static_cast<int>(i + 1)));
    }
    // One device more is turned away at once, curl as well as a page.
    const QString src = files_.filePath("one more.txt");
    QVERIFY(writeFile(src, "x"));
    CurlResult c = put(src, link_);
    QCOMPARE(status(c), 503);
    QCOMPARE(text(c),
             QByteArray("Too many devices are waiting to be accepted by this computer: try again in a minute.\n"));
    // A device already waiting joins its ask instead.
    RawClient same(port());
    QVERIFY(same.send(handshakeHead("g.txt", 10, "X-Ferry-Device: device-number-000000\r\n")));
    QByteArray buf;
    QCOMPARE(same.readSome(buf, 500), -1);
    fx_->server.answerReceiveAsk(log_->waitOpen(1)->id, ferry::ReceiveAnswer::kAccept);
    QCOMPARE(readResponse(same, buf).status, 201);
    buf.clear();
    QCOMPARE(readResponse(*waiting[0], buf).status, 201);
    QCOMPARE(static_cast<std::size_t>(log_->count(ferry::ReceiveAskState::kOpen)), ferry::ReceiveAsks::kMaxOpen);
    QCOMPARE(entries(), QStringList());
  }

  void aDeviceThatHangsUpTakesItsAskWithIt() {
    // Each device hangs up while it is asked about: its ask ends withdrawn
    // (it leaves the window) and frees its place, so more of them than may
    // wait at once leave room for the next device.
    setPolicy(true, 0);
    const QString src = files_.filePath("left.txt");
    QVERIFY(writeFile(src, "hello\n"));
    const int rounds = static_cast<int>(ferry::ReceiveAsks::kMaxOpen) + 2;
    for (int i = 0; i < rounds; ++i) {
      const QByteArray device = "gone-device-" + QByteArray::number(i).rightJustified(8, '0');
      std::optional<ferry::ReceiveAsk> ask;
      if (i % 3 == 2) {
        // The page's handshake, from a browser that went away.
        RawClient page(port());
        QVERIFY(page.send(handshakeHead("left.txt", 6, "X-Ferry-Device: " + device + "\r\n")));
        ask = log_->waitOpen(i + 1);
        QVERIFY(ask);
      } else {
        QProcess curl;
        curl.start("curl", {"-sS", "--noproxy", "*", "--expect100-timeout", "60", "-H", "Expect: 100-continue", "-H",
                            "X-Ferry-Device: " + QString::fromUtf8(device), "-T", src, link_});
        QVERIFY(curl.waitForStarted(10'000));
        ask = log_->waitOpen(i + 1);
        QVERIFY(ask);
        curl.kill();
        QVERIFY(processEnded(curl, 10'000));
      }
      QTRY_COMPARE_WITH_TIMEOUT(log_->count(ferry::ReceiveAskState::kWithdrawn), i + 1, 10'000);
      const auto last = log_->all().back();
      QCOMPARE(last.first.id, ask->id);
      QCOMPARE(int(last.second), int(ferry::ReceiveAskState::kWithdrawn));
    }
    // A new device is still asked about (not 503), and gets in once accepted.
    BackgroundPut curl;
    auto ask = startAsked(curl, "after.txt", 100, rounds + 1);
    QVERIFY(ask);
    QCOMPARE(QString::fromStdString(ask->firstName), QString("after.txt"));
    fx_->server.answerReceiveAsk(ask->id, ferry::ReceiveAnswer::kAccept);
    QCOMPARE(curl.finish(), 201);
    QCOMPARE(entries(), QStringList{"after.txt"});  // the dropped uploads left nothing
  }

  // ---- free space ----------------------------------------------------------------

  void aDeclaredSizeBeyondTheFreeSpaceIs507() {
    SmallTmpfs mountPoint(8);
    if (!mountPoint.mounted()) QSKIP(mountPoint.why());
    QVERIFY(receiveInto(mountPoint.path()));
    const qint64 disk = 8 << 20;
    // curl: refused before the body, so no 100 Continue and no part file.
    const QString src = files_.filePath("bigger than the disk.bin");
    writeRandomFile(src, disk + 1, 12);
    CurlResult c = put(src, link_, {"-v", "-H", "Expect: 100-continue"});
    QCOMPARE(status(c), 507);
    QCOMPARE(text(c), QByteArray("There is not enough free space on this computer for this file.\n"));
    QVERIFY2(!c.err.contains("100 Continue"), c.err.constData());
    QCOMPARE(entries(mountPoint.path()), QStringList());
    // The page's handshake, before any byte.
    RawResponse r = rawRequest(port(), handshakeHead("big.mov", disk + 1));
    QCOMPARE(r.status, 507);
    // Uploads in flight hold the room they will need: two of 3/8 of the disk
    // fit; a third, while they are still coming, does not.
    const qint64 third = disk * 3 / 8;
    const qint64 first = 2 * qint64(ferry::Upload::kBuffer);  // enough for a write, so a part file exists
    std::vector<std::unique_ptr<RawClient>> inFlight;
    for (int i = 0; i < 2; ++i) {
      auto up = std::make_unique<RawClient>(port());
      QVERIFY(up->send(head("PUT", base_ + "part" + QByteArray::number(i) + ".bin",
                            "Content-Length: " + QByteArray::number(third) + "\r\n") +
                       QByteArray(first, 'p')));
      inFlight.push_back(std::move(up));
    }
    QTRY_COMPARE(entries(mountPoint.path()).size(), 2);  // their part files
    r = rawRequest(port(), head("PUT", base_ + "third.bin", "Content-Length: " + QByteArray::number(third) + "\r\n"));
    QCOMPARE(r.status, 507);
    QCOMPARE(entries(mountPoint.path()).size(), 2);
    // Both finish and land whole.
    for (auto& up : inFlight) QVERIFY(up->send(QByteArray(third - first, 'q')));
    for (auto& up : inFlight) {
      QByteArray buf;
      QCOMPARE(readResponse(*up, buf).status, 201);
    }
    QCOMPARE(entries(mountPoint.path()), (QStringList{"part0.bin", "part1.bin"}));
    QCOMPARE(QFileInfo(mountPoint.filePath("part0.bin")).size(), third);
  }
};

QTEST_GUILESS_MAIN(TestReceiveAsk)
#include "tst_receive_ask.moc"
