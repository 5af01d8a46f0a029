// Memory stays flat while a big file arrives: the real `ferry --headless
// --receive` process, a 1 GiB upload from curl, resident memory sampled
// throughout (/proc/PID/status). An upload holds two 256 KiB buffers
// whatever the file's size, so growth stays under 2 MB. (The 10 GiB run
// and the comparison with nginx are in scripts/bench.sh: too long for a
// test on a shared two-core machine.)

#include <QTest>

#include <atomic>
#include <thread>

#include "testutil/http_client.h"

using namespace ferry::test;

class TestReceiveMemory : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set");
    if (!haveCurl()) QSKIP("curl is not installed");
  }

  void oneGibibyteUploadKeepsMemoryFlat() {
    QTemporaryDir inbox;
    FerryProcess f;
    f.extraLines = 1;
    QVERIFY2(f.start({}, {"--receive", inbox.path()}), f.err.constData());
    const QString link = f.urls[0];
    // Warm up: the first upload allocates what every upload reuses.
    QTemporaryDir src;
    const QString small = src.filePath("warm.bin");
    writeRandomFile(small, 4 * 1024 * 1024, 1);
    QCOMPARE(runCurl({"-T", small, link}).exitCode, 0);
    QTest::qWait(300);
    const qint64 before = rssKb(f.pid());
    QVERIFY(before > 0);

    std::atomic<bool> stop{false};
    std::atomic<qint64> peak{before};
    std::thread sampler([&] {
      while (!stop) {
        qint64 kb = rssKb(f.pid());
        if (kb > peak) peak = kb;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    const qint64 size = 1ll << 30;
    ProcessResult r = runProcess("sh", {"-c", QString("head -c %1 /dev/zero | curl -sS --noproxy '*' -T - '%2big.bin'")
                                                  .arg(size)
                                                  .arg(link)},
                                 240'000);
    stop = true;
    sampler.join();
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out, QByteArray("Saved as big.bin\n"));
    QCOMPARE(QFileInfo(inbox.filePath("big.bin")).size(), size);
    const qint64 growth = peak - before;
    qInfo("1 GiB upload: RSS %lld kB before, peak %lld kB (growth %lld kB)", before, peak.load(), growth);
    QVERIFY2(growth < 2048, qPrintable(QString("grew by %1 kB").arg(growth)));
  }
};

QTEST_GUILESS_MAIN(TestReceiveMemory)
#include "tst_receive_memory.moc"
