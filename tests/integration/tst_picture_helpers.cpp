// Pictures are decoded in ferry-pictures helper processes, not in the
// server: the real `ferry --headless` maps neither libvips nor libav*, its
// helpers hold nothing of the server's but their socket, a decoder that
// crashes costs one picture and the server answers on, a hung decoder is
// killed at the time limit, a helper that ended is replaced, idle helpers
// end by themselves and every one is waited for (no zombies), concurrent
// callers get a helper each, and without the helper pictures are off with
// one line saying where it was looked for. Real media (the album_media
// fixture), curl over real sockets.

#include <QDir>
#include <QFile>
#include <QTest>

#include <atomic>
#include <csignal>
#include <ctime>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "picture.h"
#include "testutil/http_client.h"

using namespace ferry::test;

namespace {

struct Child {
  pid_t pid;
  char state;  // 'Z': ended and not waited for
};

// The ferry-pictures processes whose parent is `parent`, zombies included.
QList<Child> helpersOf(pid_t parent) {
  QList<Child> out;
  for (const QString& d : QDir("/proc").entryList(QDir::Dirs)) {
    bool number = false;
    const pid_t pid = d.toInt(&number);
    if (!number) continue;
    QFile f("/proc/" + d + "/stat");
    if (!f.open(QIODevice::ReadOnly)) continue;
    const QByteArray stat = f.readAll();
    const auto open = stat.indexOf('('), close = stat.lastIndexOf(')');
    if (open < 0 || close < 0) continue;
    const QByteArray comm = stat.mid(open + 1, close - open - 1);
    const QList<QByteArray> rest = stat.mid(close + 2).split(' ');
    if (rest.size() < 2 || rest[1].toInt() != parent || comm != "ferry-pictures") continue;
    out.append({pid, rest[0].isEmpty() ? '?' : rest[0][0]});
  }
  return out;
}

QList<pid_t> pidsOf(const QList<Child>& children) {
  QList<pid_t> out;
  for (const Child& c : children) out.append(c.pid);
  return out;
}

bool anyZombie(const QList<Child>& children) {
  for (const Child& c : children)
    if (c.state == 'Z') return true;
  return false;
}

// Shared libraries mapped into a process whose name contains `part`.
QStringList mapped(qint64 pid, const QString& part) {
  QFile f(QString("/proc/%1/maps").arg(pid));
  QStringList out;
  if (!f.open(QIODevice::ReadOnly)) return {"(unreadable)"};
  for (const QByteArray& line : f.readAll().split('\n'))
    if (line.contains(part.toUtf8())) out.append(QString::fromUtf8(line.mid(line.lastIndexOf(' ') + 1)));
  out.removeDuplicates();
  return out;
}

bool isJpeg(const QByteArray& b) { return b.startsWith("\xFF\xD8\xFF"); }

}  // namespace

class TestPictureHelpers : public QObject {
  Q_OBJECT

  QString media_;
  QTemporaryDir dir_;

  // A thumbnail made in this process, as the media lane makes it.
  bool thumb(const QString& path, ferry::Picture& pic, std::string& why, const ferry::PictureLimits& limits = {}) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ferry::makePicture(fd, ferry::mediaKindOf(QFileInfo(path).fileName().toStdString()),
                                       ferry::Rendition::kThumb, pic, why, limits);
    ::close(fd);
    return ok;
  }
  QByteArray curlGet(const QString& url) {
    const QString body = dir_.filePath("body");
    QFile::remove(body);
    CurlResult c = runCurl({"--fail", "-o", body, url});
    return c.exitCode == 0 ? readFileBytes(body) : QByteArray();
  }

 private slots:
  void initTestCase() {
    if (!haveCurl()) QSKIP("curl is not installed");
    media_ = qEnvironmentVariable("FERRY_TEST_MEDIA");
    if (media_.isEmpty() || !QFile::exists(media_ + "/photo.jpg"))
      QSKIP("no test media (the album_media fixture makes them: ctest -R picture_helpers)");
    if (!ferry::canPicture(ferry::MediaKind::kImage)) QSKIP("this build makes no pictures");
    QVERIFY(dir_.isValid());
    for (const char* f : {"photo.jpg", "photo.heic", "clip.mp4", "rotated.jpg", "other.jpg"})
      QVERIFY(QFile::copy(media_ + "/" + f, dir_.filePath(f)));
    // The same photo, under the name the helpers of this suite crash on.
    QVERIFY(QFile::copy(media_ + "/photo.jpg", dir_.filePath("crash.jpg")));
    qputenv("FERRY_PICTURES_CRASH_ON", "crash.jpg");
  }

  void theServerMapsNoDecoderAndItsHelperHoldsOnlyItsSocket() {
    // A descriptor of this process without close-on-exec, open while its
    // first helper starts: the helper must not have it.
    const int leaky = ::open(QFile::encodeName(dir_.filePath("photo.jpg")).constData(), O_RDONLY);
    QVERIFY(leaky >= 0);
    ferry::Picture pic;
    std::string why;
    QVERIFY2(thumb(dir_.filePath("photo.jpg"), pic, why), why.c_str());
    ::close(leaky);
    QVERIFY(isJpeg(QByteArray::fromStdString(pic.bytes)));
    QCOMPARE(pic.width, 400);
    QCOMPARE(pic.height, 300);
    QVERIFY2(mapped(::getpid(), "libvips").isEmpty(), qPrintable(mapped(::getpid(), "libvips").join(' ')));
    QVERIFY(mapped(::getpid(), "libavcodec").isEmpty());
    const QList<pid_t> helpers = pidsOf(helpersOf(::getpid()));
    QCOMPARE(helpers.size(), 1);
    QVERIFY(!mapped(helpers[0], "libvips").isEmpty());
    // Its descriptors: /dev/null as stdin and stdout, stderr, its socket.
    QStringList fds = QDir(QString("/proc/%1/fd").arg(helpers[0])).entryList(QDir::Files | QDir::System);
    std::sort(fds.begin(), fds.end(), [](const QString& a, const QString& b) { return a.toInt() < b.toInt(); });
    QCOMPARE(fds, QStringList({"0", "1", "2", "3"}));
    QCOMPARE(QFile::symLinkTarget(QString("/proc/%1/fd/0").arg(helpers[0])), QString("/dev/null"));
    QVERIFY(QFileInfo(QString("/proc/%1/fd/3").arg(helpers[0])).symLinkTarget().contains("socket:"));

    // Video and HEIC through the same helper; the dates photos and clips
    // say they were taken.
    QVERIFY2(thumb(dir_.filePath("photo.heic"), pic, why), why.c_str());
    QCOMPARE(pic.width, 400);
    QVERIFY2(thumb(dir_.filePath("clip.mp4"), pic, why), why.c_str());
    QVERIFY(isJpeg(QByteArray::fromStdString(pic.bytes)));
    std::int64_t taken = 0;
    const int clip = ::open(QFile::encodeName(dir_.filePath("clip.mp4")).constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(ferry::pictureTaken(clip, ferry::MediaKind::kVideo, taken));
    ::close(clip);
    QCOMPARE(taken, QDateTime(QDate(2020, 5, 1), QTime(12, 0), Qt::UTC).toSecsSinceEpoch());
    QCOMPARE(pidsOf(helpersOf(::getpid())), helpers);  // one caller at a time: one helper, reused

    // The real server: no decoder mapped, idle or after making thumbnails.
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set");
    FerryProcess f;
    f.env << "XDG_CACHE_HOME=" + dir_.filePath("cache-maps");
    QVERIFY(f.start({dir_.filePath("photo.jpg"), dir_.filePath("clip.mp4")}));
    QVERIFY(isJpeg(curlGet(f.urls[0] + "?thumb")));
    QVERIFY(isJpeg(curlGet(f.urls[1] + "?thumb")));
    for (const char* lib : {"libvips", "libavcodec", "libavformat", "libheif", "libx265"})
      QVERIFY2(mapped(f.pid(), lib).isEmpty(), lib);
    QCOMPARE(helpersOf(static_cast<pid_t>(f.pid())).size(), 1);
  }

  void aHungDecoderIsKilledAtTheTimeLimit() {
    ferry::Picture pic;
    std::string why;
    QVERIFY2(thumb(dir_.filePath("photo.jpg"), pic, why), why.c_str());
    // The idle helper stops answering, as a decoder stuck in a loop would.
    const QList<pid_t> stopped = pidsOf(helpersOf(::getpid()));
    QVERIFY(!stopped.isEmpty());
    for (pid_t p : stopped) QCOMPARE(::kill(p, SIGSTOP), 0);
    ferry::PictureLimits limits;
    limits.timeLimit = std::chrono::milliseconds(1000);
    QElapsedTimer t;
    t.start();
    QVERIFY(!thumb(dir_.filePath("other.jpg"), pic, why, limits));
    const qint64 ms = t.elapsed();
    QCOMPARE(QString::fromStdString(why), QString("it took too long to decode"));
    QVERIFY(pic.bytes.empty());
    // Cut at the limit (plus the margin a fresh helper may need), not the
    // default 15 s.
    QVERIFY2(ms >= 1000 && ms < 10'000, qPrintable(QString::number(ms)));
    // The helper it went to was killed, and the reaper waits for it (the
    // caller did not); any other goes on.
    const auto gone = [&] {
      const QList<pid_t> now = pidsOf(helpersOf(::getpid()));
      int n = 0;
      for (pid_t p : stopped) n += now.contains(p) ? 0 : 1;
      return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(gone(), 1, 5'000);
    const QList<pid_t> left = pidsOf(helpersOf(::getpid()));
    for (pid_t p : stopped)
      if (left.contains(p)) ::kill(p, SIGCONT);
    QVERIFY(!anyZombie(helpersOf(::getpid())));
    // The next picture gets a working helper.
    QVERIFY2(thumb(dir_.filePath("other.jpg"), pic, why), why.c_str());
  }

  void aHelperThatEndedIsReplaced() {
    ferry::Picture pic;
    std::string why;
    QVERIFY2(thumb(dir_.filePath("photo.jpg"), pic, why), why.c_str());
    // Killed while idle, as the system's OOM killer might: whether the
    // next caller or the reaper finds it first, the next picture is made
    // and the dead helper is waited for.
    const QList<pid_t> before = pidsOf(helpersOf(::getpid()));
    for (pid_t p : before) QCOMPARE(::kill(p, SIGKILL), 0);
    const auto ended = [&] {
      for (const Child& c : helpersOf(::getpid()))
        if (before.contains(c.pid) && c.state != 'Z') return false;
      return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(ended(), 10'000);
    QVERIFY2(thumb(dir_.filePath("photo.jpg"), pic, why), why.c_str());
    QTRY_VERIFY_WITH_TIMEOUT(!anyZombie(helpersOf(::getpid())), 10'000);
    for (pid_t p : before) QVERIFY(!pidsOf(helpersOf(::getpid())).contains(p));
  }

  void aLowPriorityCallerHasHelpersOfItsOwn() {
    // The folder scanner's thread runs at nice 19: the helper it starts
    // inherits that, and must never make a page's thumbnails.
    const int base = ::getpriority(PRIO_PROCESS, 0);
    if (base >= 19) QSKIP("this suite already runs at nice 19");
    ferry::Picture pic;
    std::string why;
    QVERIFY2(thumb(dir_.filePath("photo.jpg"), pic, why), why.c_str());
    bool lowOk = false;
    std::thread low([&] {
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
      ferry::Picture p;
      std::string w;
      lowOk = thumb(dir_.filePath("other.jpg"), p, w);
    });
    low.join();
    QVERIFY(lowOk);
    QVERIFY2(thumb(dir_.filePath("rotated.jpg"), pic, why), why.c_str());
    QCOMPARE(pic.width, 267);  // upright: portrait
    // Every helper runs at nice 10 at least (decoding gives way to the
    // server's own work), the scanner's at its 19.
    QList<int> nices;
    for (pid_t p : pidsOf(helpersOf(::getpid()))) nices.append(::getpriority(PRIO_PROCESS, static_cast<id_t>(p)));
    std::sort(nices.begin(), nices.end());
    QCOMPARE(nices, QList<int>({std::max(base, 10), 19}));
  }

  void concurrentCallersGetAHelperEach() {
    constexpr int kCallers = 4, kEach = 3;
    const QStringList files = {"photo.jpg", "rotated.jpg", "other.jpg", "photo.heic"};
    std::atomic<int> made{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < kCallers; ++c)
      callers.emplace_back([&, c] {
        for (int i = 0; i < kEach; ++i) {
          ferry::Picture pic;
          std::string why;
          if (thumb(dir_.filePath(files[(c + i) % files.size()]), pic, why) && isJpeg(QByteArray::fromStdString(pic.bytes)))
            ++made;
        }
      });
    for (std::thread& t : callers) t.join();
    QCOMPARE(made.load(), kCallers * kEach);
    // At most one per caller (the nice 19 one of the test before aside).
    const int base = std::max(::getpriority(PRIO_PROCESS, 0), 10);
    int helpers = 0;
    for (pid_t p : pidsOf(helpersOf(::getpid())))
      if (::getpriority(PRIO_PROCESS, static_cast<id_t>(p)) == base) ++helpers;
    QVERIFY2(helpers >= 1 && helpers <= kCallers, qPrintable(QString::number(helpers)));
  }

  void aDecoderCrashCostsOnePictureNotTheServer() {
    ferry::Picture pic;
    std::string why;
    QVERIFY(!thumb(dir_.filePath("crash.jpg"), pic, why));
    QCOMPARE(QString::fromStdString(why), QString("it could not be decoded"));
    QVERIFY(!anyZombie(helpersOf(::getpid())));
    QVERIFY2(thumb(dir_.filePath("photo.jpg"), pic, why), why.c_str());

    // The real server, sharing a folder with the crashing file: its scan
    // and a page's request both meet the crash; the file gets its icon, the
    // others their pictures, and the server goes on.
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set");
    const QString album = dir_.filePath("album");
    QVERIFY(QDir().mkpath(album));
    for (const char* f : {"crash.jpg", "photo.jpg", "clip.mp4"}) QVERIFY(QFile::copy(dir_.filePath(f), album + "/" + f));
    FerryProcess f;
    f.env << "XDG_CACHE_HOME=" + dir_.filePath("cache-crash") << "FERRY_PICTURES_CRASH_ON=crash.jpg";
    QVERIFY(f.start({album}));
    const QByteArray icon = curlGet(f.urls[0] + "crash.jpg?thumb");
    QVERIFY2(icon.startsWith("<svg"), icon.left(200).constData());
    QVERIFY(isJpeg(curlGet(f.urls[0] + "photo.jpg?thumb")));
    QVERIFY(isJpeg(curlGet(f.urls[0] + "clip.mp4?thumb")));
    QCOMPARE(curlGet(f.urls[0] + "photo.jpg"), readFileBytes(album + "/photo.jpg"));
    QCOMPARE(f.proc.state(), QProcess::Running);
    QVERIFY(!anyZombie(helpersOf(static_cast<pid_t>(f.pid()))));
  }

  void idleHelpersEndAndAreWaitedFor() {
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set");
    FerryProcess f;
    f.env << "XDG_CACHE_HOME=" + dir_.filePath("cache-idle") << "FERRY_PICTURES_IDLE=3";
    QVERIFY(f.start({dir_.filePath("photo.jpg"), dir_.filePath("other.jpg")}));
    QVERIFY(isJpeg(curlGet(f.urls[0] + "?thumb")));
    QVERIFY(!helpersOf(static_cast<pid_t>(f.pid())).isEmpty());
    // Gone, not left as zombies, within a few idle periods.
    QTRY_VERIFY_WITH_TIMEOUT(helpersOf(static_cast<pid_t>(f.pid())).isEmpty(), 20'000);
    // The next picture starts a new one.
    QVERIFY(isJpeg(curlGet(f.urls[1] + "?thumb")));
    QTRY_VERIFY_WITH_TIMEOUT(helpersOf(static_cast<pid_t>(f.pid())).isEmpty(), 20'000);
    QCOMPARE(f.proc.state(), QProcess::Running);
  }

  void withoutTheHelperPicturesAreOffAndSaySo() {
    if (ferryBinary().isEmpty()) QSKIP("FERRY_BINARY is not set");
    const QString missing = dir_.filePath("nowhere/ferry-pictures");
    FerryProcess f;
    f.env << "XDG_CACHE_HOME=" + dir_.filePath("cache-none") << "FERRY_PICTURES_HELPER=" + missing;
    QVERIFY(f.start({dir_.filePath("photo.jpg")}));
    const QByteArray icon = curlGet(f.urls[0] + "?thumb");
    QVERIFY2(icon.startsWith("<svg"), icon.left(200).constData());
    QCOMPARE(curlGet(f.urls[0]), readFileBytes(dir_.filePath("photo.jpg")));
    f.readErr();
    QVERIFY2(f.err.contains(QFile::encodeName(missing)), f.err.constData());
    QCOMPARE(f.err.count(QFile::encodeName(missing)), 1);  // said once
    QVERIFY(helpersOf(static_cast<pid_t>(f.pid())).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestPictureHelpers)
#include "tst_picture_helpers.moc"
