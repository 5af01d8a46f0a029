// Disks that misbehave under a running download: a read error, a slow disk,
// a file that becomes unreadable, a file that grows. Each download ends
// cleanly, with no byte past what its headers promised, and the transfer's
// state says what happened (the window shows that state).
//
// The errors come from tests/faults/faulty_disk.c, preloaded into this
// process (ctest sets LD_PRELOAD): files under a "faulty-disk" directory
// fail on command, so the real server code meets a real errno.

#include <QFileInfo>
#include <QStandardPaths>
#include <QTest>

#include <dlfcn.h>
#include <sys/stat.h>

#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;
using ferry::TransferState;

class TestDiskFaults : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString disk_;     // files here fail on command
  QString control_;  // what they suffer: "", "eio", "slow <ms>", "deny", "nosendfile"
  std::unique_ptr<ServerFixture> fx_;

  // `suffix` of a shared folder asked for while its disk sleeps 2.5 s with
  // a 500 ms deadline: a 503 with Retry-After, and 200 once the disk answers.
  void asleepFolderIs503ThenAnswers(const QString& name, const QByteArray& suffix, const char* what) {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.diskDeadline = std::chrono::milliseconds(500);
    QVERIFY(fx_->start(currentPoller()));
    const QString folder = disk_ + "/" + name;
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeFile(folder + "/inside.txt", "inside"));
    auto s = fx_->share(folder);
    fx_->server.waitForFolderScans();
    QVERIFY(setFault("slow 2500"));
    const unsigned long before = stalls();
    const QByteArray request = "GET " + fx_->target(s) + suffix + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    QElapsedTimer t;
    t.start();
    RawResponse r = rawRequest(fx_->port(), request);
    qInfo("%s answered in %lld ms while the folder's open waited", what, t.elapsed());
    QVERIFY(stalls() > before);  // its open did wait for the disk
    QCOMPARE(r.status, 503);
    QVERIFY(r.headers.contains("retry-after"));
    QVERIFY2(r.body.contains("not answering"), r.body.constData());
    QVERIFY(t.elapsed() < 2'000);
    // The disk answers again: so does the folder.
    QVERIFY(setFault({}));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          RawResponse again = rawRequest(fx_->port(), request);
          return again.status == 200 && again.body.contains("inside.txt");
        }(),
        10'000);
  }

  bool startServer(std::uint64_t rate = 0) {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.rateLimit = rate;
    return fx_->start(currentPoller());
  }
  bool setFault(const QByteArray& fault) { return writeFile(control_, fault); }
  // How many calls have begun waiting for the "slow" disk (faulty_disk.c
  // counts them): grown past a value taken before a request, it says that a
  // server thread is held up by that disk now.
  static unsigned long stalls() {
    static auto* count = static_cast<unsigned long*>(::dlsym(RTLD_DEFAULT, "ferry_faulty_disk_stalls"));
    return count ? __atomic_load_n(count, __ATOMIC_SEQ_CST) : 0;
  }
  // The pace of a download that must still be reading the disk seconds
  // after it started, for a fault to meet: 16 MB last 4 s. Set on the
  // server, never as the client's own rate (curl --limit-rate): curl
  // throttles its reads, not TCP, and loopback socket buffers grow to tens
  // of MB (tcp_rmem's maximum is 32 MiB on some kernels), so the server may
  // hand the whole file to the kernel, and end the transfer, before the
  // first snapshot shows it active.
  static constexpr std::uint64_t kPace = 4'000'000;
  QString out(const QString& name) const { return dir_.filePath(name); }
  static quint64 deviceOf(const QString& path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? quint64(st.st_dev) : 0;
  }

 private slots:
  void initTestCase_data() { addPollerRows(); }

  void initTestCase() {
    QVERIFY(dir_.isValid());
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY2(::dlsym(RTLD_DEFAULT, "ferry_faulty_disk_loaded"), "run with LD_PRELOAD=libferry_faulty_disk.so (ctest does)");
    QVERIFY(::dlsym(RTLD_DEFAULT, "ferry_faulty_disk_stalls"));
    disk_ = dir_.filePath("faulty-disk");
    control_ = dir_.filePath("fault");
    QVERIFY(QDir().mkpath(disk_));
    // Set before any server thread exists; curl inherits them, harmlessly
    // (its output files are outside the faulty directory).
    qputenv("FERRY_FAULT_MATCH", "/faulty-disk/");
    qputenv("FERRY_FAULT_CONTROL", QFile::encodeName(control_));
  }

  void init() { QVERIFY(setFault({})); }
  void cleanup() {
    fx_.reset();
    setFault({});
    // A stopped server may leave a thread asleep in a slow disk call (stop
    // waits for it only so long): the next test starts once it has woken.
    static auto* sleeping = static_cast<unsigned long*>(::dlsym(RTLD_DEFAULT, "ferry_faulty_disk_sleeping"));
    QVERIFY(sleeping);
    QTRY_COMPARE_WITH_TIMEOUT(__atomic_load_n(sleeping, __ATOMIC_SEQ_CST), 0ul, 15'000);
  }

  void readErrorMidDownload() {
    QVERIFY(startServer(2'000'000));
    QString victim = disk_ + "/failing.bin";
    QByteArray bytes = randomBytes(8'000'000, 21);
    QVERIFY(writeFile(victim, bytes));
    QString steadyPath = dir_.filePath("steady.bin");
    QByteArray steadySha = writeRandomFile(steadyPath, 3'000'000, 22);
    auto v = fx_->share(victim);
    auto steady = fx_->share(steadyPath);
    AsyncCurl a, b;
    a.start(fx_->url(v), out("failing.out"));
    b.start(fx_->url(steady), out("steady.out"));
    auto active = fx_->waitActive(v, 500'000);
    QVERIFY(active);

    QVERIFY(setFault("eio"));
    QVERIFY(a.wait(20'000));
    qInfo("download over a failing disk: curl exit %d, %lld bytes", a.exitCode(), a.sizeOnDisk());
    QCOMPARE(a.exitCode(), 18);  // fewer bytes than Content-Length promised
    QByteArray got = readFileBytes(out("failing.out"));
    QVERIFY(got.size() < bytes.size());
    QVERIFY(bytes.startsWith(got));  // what did arrive is the file's own bytes
    auto ended = fx_->waitEnded(active->id);
    QVERIFY(ended);
    QCOMPARE(ferry::toString(ended->state), ferry::toString(TransferState::kFailed));
    qInfo("reason: %s", ended->reason.c_str());
    QVERIFY2(QByteArray::fromStdString(ended->reason).contains("Input/output error"), ended->reason.c_str());

    // The file on the healthy disk was unaffected.
    QVERIFY(b.wait(30'000));
    QCOMPARE(b.exitCode(), 0);
    QCOMPARE(sha256File(out("steady.out")), steadySha);

    // While the disk fails, a new request fails early: a small body is read
    // before the headers go out, so it gets a 500 rather than a short 200.
    QString small = disk_ + "/small.txt";
    QVERIFY(setFault({}));
    QVERIFY(writeFile(small, "small but unlucky\n"));
    auto s = fx_->share(small);
    QVERIFY(setFault("eio"));
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("500"));

    // The disk recovers: the same links work again.
    QVERIFY(setFault({}));
    CurlResult again = runCurl({"-o", out("failing.again"), "-w", "%{http_code}", fx_->url(v)});
    QCOMPARE(again.out, QByteArray("200"));
    QCOMPARE(readFileBytes(out("failing.again")), bytes);
  }

  void slowDisk() {
    QVERIFY(startServer());
    QString slow = disk_ + "/slow.bin";
    QByteArray sha = writeRandomFile(slow, 8'000'000, 23);
    QString fastPath = dir_.filePath("fast.txt");
    QVERIFY(writeFile(fastPath, "quick\n"));
    auto s = fx_->share(slow);
    auto fast = fx_->share(fastPath);
    // Every read of the slow file takes 40 ms: a spun-down or network disk.
    QVERIFY(setFault("slow 40"));
    AsyncCurl a;
    a.start(fx_->url(s), out("slow.out"));
    QVERIFY(fx_->waitActive(s, 1));
    // One loop thread: while it waits for the disk nobody else is served,
    // but only for one read at a time, never for the whole file.
    QElapsedTimer t;
    t.start();
    CurlResult probe = runCurl({fx_->url(fast)});
    qInfo("probe during slow reads: %lld ms", t.elapsed());
    QCOMPARE(probe.out, QByteArray("quick\n"));
    QVERIFY(a.wait(60'000));
    qInfo("8 MB from a disk with 40 ms reads: %lld ms", a.timer.elapsed());
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(sha256File(out("slow.out")), sha);
    // The last block leaves as curl reads it: the snapshot catches up.
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(s).empty() && fx_->transfersOf(s).back().state == TransferState::kDone,
                             5'000);
  }

  // A disk that stalls for seconds (a USB stick waking up, a network mount
  // gone quiet) holds up the downloads of its own files and nothing else:
  // its opens and reads wait in the work pool, not on the loop. Checked for
  // the open of a file and for the reads of one already streaming.
  void stalledDiskHoldsUpOnlyItsOwnFiles() {
    QVERIFY(startServer());
    QString stalledPath = disk_ + "/stalled.bin";
    // Paced at kPace, it keeps the server reading the disk for seconds.
    QByteArray sha = writeRandomFile(stalledPath, 16'000'000, 29);
    QString otherPath = dir_.filePath("other.bin");
    QByteArray otherSha = writeRandomFile(otherPath, 32'000'000, 31);
    QString smallPath = dir_.filePath("small.txt");
    QByteArray small = randomBytes(4096, 37);
    QVERIFY(writeFile(smallPath, small));
    auto stalled = fx_->share(stalledPath);
    auto other = fx_->share(otherPath);
    auto tiny = fx_->share(smallPath);

    auto whileStalled = [&](const char* phase, AsyncCurl& a) {
      // A 4 KiB GET of a third share answers at once...
      RawClient c(fx_->port());
      QVERIFY(c.ok());
      QElapsedTimer t;
      t.start();
      QVERIFY(c.send("GET " + fx_->target(tiny) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      QByteArray buf;
      RawResponse r = readResponse(c, buf);
      const qint64 probeMs = t.elapsed();
      qInfo("%s: 4 KiB GET answered in %lld ms", phase, probeMs);
      QVERIFY(r.complete);
      QCOMPARE(r.body, small);
      // Well inside the 3 s stall: it did not wait for the disk, whatever
      // a busy machine's scheduling adds.
      QVERIFY2(probeMs < 1'000, phase);
      // ...and another file downloads whole, while the stalled one waits.
      t.restart();
      CurlResult o = runCurl({"-o", out("other.out"), fx_->url(other)});
      qInfo("%s: 32 MB of another file in %lld ms", phase, t.elapsed());
      QCOMPARE(o.exitCode, 0);
      QCOMPARE(sha256File(out("other.out")), otherSha);
      QVERIFY2(!a.finished(), phase);
    };

    // 1. Its open stalls: the link was just clicked.
    QVERIFY(setFault("slow 3000"));
    AsyncCurl opening;
    unsigned long before = stalls();
    opening.start(fx_->url(stalled), out("stalled.1"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);  // the request is in, its open waits for the disk
    whileStalled("open stalled", opening);
    QVERIFY(setFault({}));
    QVERIFY(opening.wait(60'000));
    QCOMPARE(opening.exitCode(), 0);
    QCOMPARE(sha256File(out("stalled.1")), sha);

    // 2. Its reads stall in the middle of the download. The server paces
    // it until then (see kPace); the probe and the other file are not.
    fx_->server.setRateLimit(kPace);
    AsyncCurl reading;
    reading.start(fx_->url(stalled), out("stalled.2"));
    if (!fx_->waitActive(stalled, 500'000)) {
      for (const auto& t : fx_->transfersOf(stalled))
        qWarning("transfer %llu: %s, %llu bytes, %s", static_cast<unsigned long long>(t.id),
                 ferry::toString(t.state), static_cast<unsigned long long>(t.bytesSent), t.reason.c_str());
      reading.wait(1'000);
      QFAIL(qPrintable("the download did not get going: curl " + QString::number(reading.exitCode()) + " " +
                       QString::fromUtf8(reading.proc->readAll())));
    }
    before = stalls();
    QVERIFY(setFault("slow 3000"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);  // what the socket holds drains; the next read waits
    fx_->server.setRateLimit(0);
    whileStalled("reads stalled", reading);
    QVERIFY(setFault({}));
    QVERIFY(reading.wait(60'000));
    QCOMPARE(reading.exitCode(), 0);
    QCOMPARE(sha256File(out("stalled.2")), sha);
  }

  // Unsharing or stopping while a file's open waits for the disk: the
  // download ends at once, and what the pool's job holds is freed when it
  // returns (the sanitizer runs check that nothing leaks or is used after).
  void endedWhileTheDiskStalls() {
    QVERIFY(startServer());
    QString path = disk_ + "/stuck.bin";
    writeRandomFile(path, 4'000'000, 43);
    auto s = fx_->share(path);
    QVERIFY(setFault("slow 1500"));
    AsyncCurl unshared;
    unsigned long before = stalls();
    unshared.start(fx_->url(s), out("stuck.1"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);  // its open waits in the pool
    QVERIFY(fx_->server.removeShare(s.token));
    // Served, it would take 1.5 s per 256 KiB block: ended, it is quick.
    QVERIFY(unshared.wait(5'000));
    QVERIFY(unshared.exitCode() != 0);

    auto again = fx_->share(path);
    AsyncCurl stopped;
    before = stalls();
    stopped.start(fx_->url(again), out("stuck.2"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);
    QElapsedTimer t;
    t.start();
    fx_.reset();  // waits for the job in the pool, then frees it
    qInfo("stopped in %lld ms while an open waited for the disk", t.elapsed());
    QVERIFY(stopped.wait(5'000));
    QVERIFY(stopped.exitCode() != 0);
  }

  // A download waits for the disk at most its deadline (30 s; half a second
  // here): a file whose open does not come back is a 503 with Retry-After,
  // and one whose next block does not, mid-body, a cut connection and a
  // failed transfer that says why.
  void aDiskThatDoesNotAnswerIs503() {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.diskDeadline = std::chrono::milliseconds(500);
    QVERIFY(fx_->start(currentPoller()));
    QString path = disk_ + "/asleep.bin";
    writeRandomFile(path, 100'000, 81);
    auto s = fx_->share(path);
    QVERIFY(setFault("slow 4000"));
    QElapsedTimer t;
    t.start();
    RawResponse r = rawRequest(fx_->port(), "GET " + fx_->target(s) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    qInfo("answered in %lld ms while the open waited", t.elapsed());
    QCOMPARE(r.status, 503);
    QVERIFY(r.headers.contains("retry-after"));
    QVERIFY2(r.body.contains("not answering"), r.body.constData());
    QVERIFY(t.elapsed() < 3'000);
  }

  void aDiskThatStopsMidDownloadCutsIt() {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.diskDeadline = std::chrono::milliseconds(500);
    fx_->options.rateLimit = kPace;  // still streaming when the disk stops (see kPace)
    QVERIFY(fx_->start(currentPoller()));
    QString path = disk_ + "/stops.bin";
    writeRandomFile(path, 16'000'000, 83);
    auto s = fx_->share(path);
    AsyncCurl reading;
    reading.start(fx_->url(s), out("stops.out"));
    QVERIFY(fx_->waitActive(s, 500'000));
    const unsigned long before = stalls();
    QVERIFY(setFault("slow 4000"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);  // a block's read waits for the disk
    QVERIFY(reading.wait(3'000));  // cut at the deadline, not served on at 4 s a block
    QVERIFY(reading.exitCode() != 0);
    QVERIFY(reading.sizeOnDisk() < 16'000'000);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const auto& t : fx_->transfersOf(s))
            if (t.state == TransferState::kFailed && t.reason.find("disk did not answer") != std::string::npos)
              return true;
          return false;
        }(),
        5'000);
  }

  // A shared folder's listing waits for the disk no longer than a file's
  // open does: a 503 with Retry-After at the deadline.
  void aFolderWhoseDiskDoesNotAnswerIs503() { asleepFolderIs503ThenAnswers("asleep-folder", "/", "listing"); }

  // A folder's zip waits for a disk that has stopped answering no longer
  // than the disk deadline either: its walk's first open does not come
  // back, so a 503 with Retry-After, and a zip again once the disk answers.
  void aZipWhoseDiskDoesNotAnswerIs503() { asleepFolderIs503ThenAnswers("asleep-zip", "/?zip", "zip"); }

  // The deadline counts from the disk's last answer, not from the request:
  // a zip whose walk and CRCs take several deadlines on a slow disk that
  // keeps answering (every open and read 120 ms; the deadline 500 ms) is
  // sent whole.
  void aSlowDiskThatKeepsAnsweringGetsItsZipWhole() {
    if (QStandardPaths::findExecutable("unzip").isEmpty()) QSKIP("unzip is not installed");
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.diskDeadline = std::chrono::milliseconds(500);
    QVERIFY(fx_->start(currentPoller()));
    const QString folder = disk_ + "/slow-zip";
    for (int i = 0; i < 4; ++i) {
      QVERIFY(QDir().mkpath(folder + QString("/d%1").arg(i)));
      QVERIFY(writeFile(folder + QString("/d%1/f.txt").arg(i), "first"));
    }
    auto s = fx_->share(folder);
    fx_->server.waitForFolderScans();
    // New content after the scan: the zip computes these CRCs itself.
    for (int i = 0; i < 4; ++i) QVERIFY(writeFile(folder + QString("/d%1/f.txt").arg(i), "second " + QByteArray::number(i)));
    QVERIFY(setFault("slow 120"));
    const unsigned long before = stalls();
    QElapsedTimer t;
    t.start();
    CurlResult c = runCurl({"-o", out("slow-zip.zip"), "-w", "%{http_code}",
                            QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1"))});
    qInfo("zip of a slow disk in %lld ms, %lu stalled calls", t.elapsed(), stalls() - before);
    QCOMPARE(c.out, QByteArray("200"));
    QVERIFY2(stalls() - before >= 9, "the disk was not slow for this zip");  // > 1 s of waits: past the deadline
    QVERIFY(setFault({}));
    ProcessResult test = runProcess("unzip", {"-t", out("slow-zip.zip")}, 30'000);
    QVERIFY2(test.exitCode == 0, test.out.constData());
    ProcessResult shown = runProcess("unzip", {"-p", out("slow-zip.zip"), "slow-zip/d3/f.txt"}, 30'000);
    QCOMPARE(shown.out, QByteArray("second 3"));
  }

  // Mid-zip, a disk that stops answering cuts the connection at the
  // deadline, and the transfer says why.
  void aZipWhoseDiskStopsMidStreamIsCut() {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.diskDeadline = std::chrono::milliseconds(500);
    fx_->options.rateLimit = kPace;  // still streaming when the disk stops (see kPace)
    QVERIFY(fx_->start(currentPoller()));
    const QString folder = disk_ + "/stops-zip";
    QVERIFY(QDir().mkpath(folder));
    writeRandomFile(folder + "/big.bin", 16'000'000, 85);
    auto s = fx_->share(folder);
    fx_->server.waitForFolderScans();
    AsyncCurl reading;
    reading.start(QString::fromStdString(fx_->server.zipLinkFor(s, "127.0.0.1")), out("stops-zip.zip"));
    QVERIFY(fx_->waitActive(s, 500'000));
    const unsigned long before = stalls();
    QVERIFY(setFault("slow 4000"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);  // a block's read waits for the disk
    QVERIFY(reading.wait(3'000));  // cut at the deadline, not served on at 4 s a block
    QVERIFY(reading.exitCode() != 0);
    QVERIFY(reading.sizeOnDisk() < 16'000'000);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const auto& t : fx_->transfersOf(s))
            if (t.state == TransferState::kFailed && t.reason.find("disk did not answer") != std::string::npos)
              return true;
          return false;
        }(),
        5'000);
  }

  // A disk that hangs (a dead network mount) takes at most half the work
  // pool: four downloads stuck in its opens hold two threads, and a folder
  // on another disk is listed (a job in the pool too) at once meanwhile.
  void aHungDiskTakesAtMostHalfThePool() {
    QTemporaryDir elsewhere("/dev/shm/ferry-other-XXXXXX");
    if (!elsewhere.isValid() || deviceOf(elsewhere.path()) == deviceOf(disk_))
      QSKIP("no second file system (/dev/shm) to list from");
    QVERIFY(writeFile(elsewhere.filePath("note.txt"), "on another disk"));
    QVERIFY(startServer());
    QList<ferry::Share> hung;
    for (int i = 0; i < 4; ++i) {
      const QString path = disk_ + "/hung" + QString::number(i) + ".bin";
      writeRandomFile(path, 100'000, 60 + i);
      hung << fx_->share(path);
    }
    auto folder = fx_->share(elsewhere.path());
    QVERIFY(setFault("slow 4000"));
    const unsigned long before = stalls();
    std::vector<std::unique_ptr<AsyncCurl>> stuck;
    for (int i = 0; i < 4; ++i) {
      stuck.push_back(std::make_unique<AsyncCurl>());
      stuck.back()->start(fx_->url(hung[i]), out("hung" + QString::number(i)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(stalls() >= before + 2, 10'000);  // two opens wait for the disk
    QElapsedTimer t;
    t.start();
    RawResponse listing = rawRequest(fx_->port(), "GET " + fx_->target(folder) + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    qInfo("listing on another disk answered in %lld ms", t.elapsed());
    QCOMPARE(listing.status, 200);
    QVERIFY(listing.body.contains("note.txt"));
    QVERIFY2(t.elapsed() < 2'000, "the listing waited for the hung disk's opens");
    // The other two downloads still wait their turn: the disk has its half.
    QCOMPARE(stalls() - before, 2ul);
    QVERIFY(setFault({}));
    for (auto& c : stuck) {
      QVERIFY(c->wait(30'000));
      QCOMPARE(c->exitCode(), 0);
    }
  }

  // Stopping while an open is stuck on the disk for longer than the stop
  // deadline: stop() returns at the deadline, the stuck thread left to
  // finish alone (the sanitizer runs check that its return touches nothing
  // freed).
  void stopHasADeadline() {
    fx_ = std::make_unique<ServerFixture>();
    fx_->options.stopDeadline = std::chrono::milliseconds(300);
    QVERIFY(fx_->start(currentPoller()));
    QString path = disk_ + "/hung-at-stop.bin";
    writeRandomFile(path, 100'000, 71);
    auto s = fx_->share(path);
    QVERIFY(setFault("slow 3000"));
    AsyncCurl stopped;
    const unsigned long before = stalls();
    stopped.start(fx_->url(s), out("hung-at-stop"));
    QTRY_VERIFY_WITH_TIMEOUT(stalls() > before, 10'000);  // its open waits in the pool
    QElapsedTimer t;
    t.start();
    fx_->server.stop();
    qInfo("stopped in %lld ms while an open was stuck for 3 s", t.elapsed());
    QVERIFY2(t.elapsed() < 1'500, "stop() waited for the stuck open");
    QVERIFY(stopped.wait(5'000));
    QVERIFY(stopped.exitCode() != 0);
    // The server starts again while the old thread is still stuck.
    QVERIFY(setFault({}));
    QVERIFY(fx_->start(currentPoller()));
    QVERIFY(writeFile(out("after.txt"), "served"));
    auto after = fx_->share(out("after.txt"));
    RawResponse r = rawRequest(fx_->port(), "GET " + fx_->target(after) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("served"));
  }

  // A file system without sendfile() (some FUSE and network mounts): the
  // download is copied instead, whole, rather than failing.
  void noSendfile() {
    QVERIFY(startServer());
    QString path = disk_ + "/fuse.bin";
    QByteArray sha = writeRandomFile(path, 3'000'000, 41);
    auto s = fx_->share(path);
    QVERIFY(setFault("nosendfile"));
    CurlResult c = runCurl({"-o", out("fuse.out"), "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("200"));
    QCOMPARE(sha256File(out("fuse.out")), sha);
    QTRY_VERIFY_WITH_TIMEOUT(!fx_->transfersOf(s).empty() && fx_->transfersOf(s).back().state == TransferState::kDone,
                             5'000);
  }

  void unreadableMidDownload() {
    QVERIFY(startServer(2'000'000));
    QString path = disk_ + "/locked.bin";
    QByteArray sha = writeRandomFile(path, 3'000'000, 24);
    auto s = fx_->share(path);
    AsyncCurl a;
    a.start(fx_->url(s), out("locked.out"));
    auto active = fx_->waitActive(s, 200'000);
    QVERIFY(active);
    // What chmod 000 does: the open file stays readable (POSIX), so the
    // running download completes; a new one cannot open it.
    QVERIFY(setFault("deny"));
    QVERIFY(a.wait(30'000));
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(sha256File(out("locked.out")), sha);

    CurlResult head = runCurl({"-I", "-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(head.out, QByteArray("403"));
    CurlResult c = runCurl({"-w", "\n%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("This file cannot be read right now.\n\n403"));
    // The person sharing it sees why: one failed attempt (the HEAD is not one).
    std::vector<ferry::TransferInfo> failed;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          failed.clear();
          for (const auto& t : fx_->transfersOf(s))
            if (t.state == TransferState::kFailed) failed.push_back(t);
          return failed.size() == 1;
        }(),
        5'000);
    qInfo("reason: %s", failed[0].reason.c_str());
    QVERIFY2(QByteArray::fromStdString(failed[0].reason).contains("Permission denied"), failed[0].reason.c_str());

    // Readable again: served again.
    QVERIFY(setFault({}));
    CurlResult ok = runCurl({"-o", "/dev/null", "-w", "%{http_code} %{size_download}", fx_->url(s)});
    QCOMPARE(ok.out, QByteArray("200 3000000"));
  }

  void goneIsAFailedAttempt() {
    QVERIFY(startServer());
    QString path = dir_.filePath("soon-gone.txt");
    QVERIFY(writeFile(path, "here today\n"));
    auto s = fx_->share(path);
    QVERIFY(QFile::remove(path));
    CurlResult c = runCurl({"-o", "/dev/null", "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("404"));
    std::optional<ferry::TransferInfo> t;
    QTRY_VERIFY_WITH_TIMEOUT((t = [&]() -> std::optional<ferry::TransferInfo> {
                               auto all = fx_->transfersOf(s);
                               if (all.empty()) return std::nullopt;
                               return all.back();
                             }()),
                             5'000);
    QCOMPARE(ferry::toString(t->state), ferry::toString(TransferState::kFailed));
    QVERIFY2(QByteArray::fromStdString(t->reason).contains("No such file or directory"), t->reason.c_str());
  }

  void grownMidDownload() {
    QVERIFY(startServer(2'000'000));
    QString path = dir_.filePath("growing.log");
    QByteArray first = randomBytes(3'000'000, 25);
    QVERIFY(writeFile(path, first));
    auto s = fx_->share(path);
    AsyncCurl a;
    a.start(fx_->url(s), out("growing.out"));
    auto active = fx_->waitActive(s, 200'000);
    QVERIFY(active);
    // Another program appends while we serve: this response promised the
    // size at its start and sends exactly that, no byte more.
    QByteArray more = randomBytes(1'000'000, 26);
    {
      QFile f(path);
      QVERIFY(f.open(QIODevice::Append));
      QCOMPARE(f.write(more), qint64(more.size()));
    }
    QVERIFY(a.wait(30'000));
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(readFileBytes(out("growing.out")), first);
    auto ended = fx_->waitEnded(active->id);
    QVERIFY(ended);
    QCOMPARE(ferry::toString(ended->state), ferry::toString(TransferState::kDone));
    QCOMPARE(ended->bytesSent, std::uint64_t(first.size()));
    // The next download gets the file as it is now.
    CurlResult c = runCurl({"-o", out("grown.out"), "-w", "%{http_code}", fx_->url(s)});
    QCOMPARE(c.out, QByteArray("200"));
    QCOMPARE(readFileBytes(out("grown.out")), first + more);
  }
};

QTEST_GUILESS_MAIN(TestDiskFaults)
#include "tst_disk_faults.moc"
