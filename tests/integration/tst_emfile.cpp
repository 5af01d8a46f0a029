// Out of file descriptors: `ferry --headless` under a low `ulimit -n`
// (prlimit --nofile=64), with more clients than descriptors. The download
// already running must complete, the process must not spin while it cannot
// accept (CPU time from /proc/PID/stat stays low), and once clients leave
// it serves new requests again.

#include <QElapsedTimer>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>
#include <QTest>

#include "pollers.h"
#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

constexpr int kNoFile = 64;

qint64 maxOpenFiles(qint64 pid) {
  QFile f(QString("/proc/%1/limits").arg(pid));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  for (const QByteArray& line : f.readAll().split('\n'))
    if (line.startsWith("Max open files")) return line.mid(15).simplified().split(' ').value(1).toLongLong();
  return -1;
}

}  // namespace

class TestEmfile : public QObject {
  Q_OBJECT

  QTemporaryDir files_;
  QString file_, small_;
  QByteArray sha_;

 private slots:
  void initTestCase_data() { addPollerRows(); }

  void initTestCase() {
    if (ferryBinary().isEmpty() || !QFileInfo(ferryBinary()).isExecutable())
      QSKIP("FERRY_BINARY is not set (the ferry executable is not built)");
    if (QStandardPaths::findExecutable("prlimit").isEmpty()) QSKIP("prlimit (util-linux) is not installed");
    if (!haveCurl()) QSKIP("curl is not installed");
    QVERIFY(files_.isValid());
    file_ = files_.filePath("six.bin");
    sha_ = writeRandomFile(file_, 6'000'000, 64);
    small_ = files_.filePath("small.txt");
    QVERIFY(writeFile(small_, "still here\n"));
  }

  void outOfDescriptors() {
    FerryProcess f;
    QVERIFY2(f.start({file_, small_},
                     {"--poller", QString::fromStdString(currentPoller()), "--rate-limit", "2M"}, "prlimit",
                     {QString("--nofile=%1:%1").arg(kNoFile), "--"}),
             f.err.constData());
    const qint64 pid = f.pid();
    QCOMPARE(maxOpenFiles(pid), qint64(kNoFile));
    const int baseFds = fdCount(pid);

    // A download that takes ~3 s (6 MB at 2 MB/s).
    QProcess curl;
    QString out = files_.filePath("six.out");
    curl.start("curl", {"-sS", "--noproxy", "*", "--max-time", "60", "-o", out, f.urls[0]});
    QVERIFY(curl.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(fdCount(pid) >= baseFds + 2, 10'000);  // its socket and its file

    // Far more clients than descriptors: the kernel completes the
    // connections; ferry accepts until EMFILE and the rest wait in the backlog.
    std::vector<std::unique_ptr<RawClient>> flood;
    for (int i = 0; i < 3 * kNoFile; ++i) {
      flood.push_back(std::make_unique<RawClient>(f.port()));
      QVERIFY(flood.back()->ok());
    }
    QTRY_VERIFY_WITH_TIMEOUT(fdCount(pid) >= kNoFile - 2, 10'000);

    // At the cap: no busy loop. Measure CPU time over two seconds.
    const CpuUse use = cpuUsedOver(pid, 2'000);
    qInfo("at the descriptor cap (%d fds open of %d): %.2f s of CPU in %.2f s", fdCount(pid), kNoFile, use.cpu,
          use.wall);
    QVERIFY2(use.cpu < 0.5 * use.wall, qPrintable(QString("%1 s CPU in %2 s").arg(use.cpu).arg(use.wall)));

    // The download that was running completes, byte for byte.
    QVERIFY(processEnded(curl, 30'000));
    QCOMPARE(curl.exitCode(), 0);
    QCOMPARE(sha256File(out), sha_);

    // A newcomer waits in the backlog while the flood holds everything: its
    // connect() has returned (the kernel completed it) and its request is
    // sent before the flood leaves...
    RawClient late(f.port());
    QVERIFY(late.ok());
    QVERIFY(late.send(
        getRequest(f.port(), QUrl(f.urls[1]).path(QUrl::FullyEncoded).toUtf8(), "Connection: close\r\n")));
    // ...and is served once the flood leaves.
    flood.clear();
    QByteArray buf;
    RawResponse r = readResponse(late, buf, false, 30'000);
    QVERIFY(r.complete);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("still here\n"));
    QTRY_VERIFY_WITH_TIMEOUT(fdCount(pid) <= baseFds, 10'000);
    CurlResult again = runCurl({"-w", " %{http_code}", f.urls[1]});
    QCOMPARE(again.out, QByteArray("still here\n 200"));
    QVERIFY(f.proc.state() == QProcess::Running);
    QCOMPARE(f.terminate(), 0);
  }

  // A soft limit below the hard one is raised at start: a download takes two
  // descriptors, and 1024 would halve what the connection cap allows.
  void softLimitRaisedToHard() {
    FerryProcess f;
    QVERIFY2(f.start({small_}, {"--poller", QString::fromStdString(currentPoller())}, "prlimit",
                     {QString("--nofile=%1:%2").arg(kNoFile).arg(4 * kNoFile), "--"}),
             f.err.constData());
    QCOMPARE(maxOpenFiles(f.pid()), qint64(4 * kNoFile));
    QCOMPARE(f.terminate(), 0);
  }

  void idleAtCapDoesNotSpin() {
    // Nothing to serve at all, only a full descriptor table: the process
    // should sleep.
    FerryProcess f;
    QVERIFY(f.start({small_}, {"--poller", QString::fromStdString(currentPoller())}, "prlimit",
                    {QString("--nofile=%1:%1").arg(kNoFile), "--"}));
    const qint64 pid = f.pid();
    std::vector<std::unique_ptr<RawClient>> flood;
    for (int i = 0; i < 2 * kNoFile; ++i) flood.push_back(std::make_unique<RawClient>(f.port()));
    QTRY_VERIFY_WITH_TIMEOUT(fdCount(pid) >= kNoFile - 2, 10'000);
    const CpuUse use = cpuUsedOver(pid, 2'000);
    qInfo("idle at the cap: %.2f s of CPU in %.2f s", use.cpu, use.wall);
    QVERIFY(use.cpu < 0.5);
    flood.clear();
    CurlResult c = runCurl({"-w", " %{http_code}", f.urls[0]});
    QCOMPARE(c.out, QByteArray("still here\n 200"));
  }
};

QTEST_GUILESS_MAIN(TestEmfile)
#include "tst_emfile.moc"
