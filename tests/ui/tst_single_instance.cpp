// One Ferry per session: the message a second launch sends (every
// truncation, every malformed form), and the lock and local socket over
// which it arrives — in the running one's hands before the sender is told
// so, after a crash that left the lock and the socket behind, and with a
// running one that does not answer. And macOS's way: files handed over as
// QFileOpenEvent, kept until the window takes them.

#include <atomic>
#include <cstring>
#include <thread>

#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QProcess>
#include <QTest>
#include <QUuid>
#include <QtEndian>

#ifndef _WIN32
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include <QFileOpenEvent>

#include "desktop/file_open_filter.h"
#include "desktop/instance_message.h"
#include "desktop/single_instance.h"
#include "ui/ui_test_support.h"
#include "testutil/process.h"

using namespace ferry::ui;
using Status = instance::Decoded::Status;

namespace {

QByteArray encoded(const QStringList& paths) {
  QByteArray out;
  QString error;
  if (!instance::encode(paths, out, error)) qFatal("encode: %s", qPrintable(error));
  return out;
}

QByteArray u32(quint32 v) {
  QByteArray b(4, 0);
  qToBigEndian(v, b.data());
  return b;
}

// Runs start() on a thread of its own, as another process would, while
// this thread's event loop serves the primary.
struct Launch {
  std::atomic<int> role{-1};
  QString error;
  std::thread thread;

  Launch(const QString& key, const QStringList& paths, int timeoutMs = 10'000) {
    thread = std::thread([this, key, paths, timeoutMs] {
      SingleInstance other(key);
      const SingleInstance::Role r = other.start(paths, timeoutMs);
      error = other.error();
      role = int(r);
    });
  }
  ~Launch() { thread.join(); }
  bool done() const { return role.load() >= 0; }
};

}  // namespace

class TestSingleInstance : public QObject {
  Q_OBJECT

  std::unique_ptr<ferry::test::IsolatedConfig> config_;
  QString key_;

 private slots:
  void init() {
    config_ = std::make_unique<ferry::test::IsolatedConfig>();
    key_ = QUuid::createUuid().toString(QUuid::Id128).left(16);
  }
  void cleanup() { config_.reset(); }

  void roundTripAndEveryTruncation() {
    const QStringList paths = {"/home/ana/holiday photos/ça va.mp4", "/tmp/a", "/srv/ファイル.txt"};
    const QByteArray m = encoded(paths);
    for (qsizetype n = 0; n < m.size(); ++n)
      QVERIFY2(instance::decode(QByteArrayView(m.constData(), n)).status == Status::Incomplete, qPrintable(QString::number(n)));
    const instance::Decoded d = instance::decode(m + "trailing");
    QCOMPARE(d.status, Status::Complete);
    QCOMPARE(d.paths, paths);
    QCOMPARE(d.consumed, m.size());
    // No paths: "show the window".
    const instance::Decoded empty = instance::decode(encoded({}));
    QCOMPARE(empty.status, Status::Complete);
    QVERIFY(empty.paths.isEmpty());
  }

  void malformedMessagesAreRefused() {
    auto badWith = [](const QByteArray& bytes, const char* words) {
      const instance::Decoded d = instance::decode(bytes);
      return d.status == Status::Bad && d.error.contains(QLatin1String(words));
    };
    QVERIFY(badWith(QByteArray(1, 2), "version 2"));
    QVERIFY(badWith("\x01" + u32(instance::kMaxPayload + 1), "over the limit"));
    QVERIFY(badWith("\x01" + u32(6) + u32(9) + "ab", "past the end"));
    QVERIFY(badWith("\x01" + u32(2) + "ab", "cut off"));
    QVERIFY(badWith("\x01" + u32(7) + u32(3) + "/\xff\xfe", "UTF-8"));
    QVERIFY(badWith("\x01" + u32(9) + u32(5) + "a.txt", "absolute"));
    QVERIFY(badWith("\x01" + u32(4) + u32(0), "absolute"));

    QByteArray out;
    QString error;
    QVERIFY(!instance::encode({"relative/file.txt"}, out, error));
    QVERIFY(error.contains("relative/file.txt"));
    QVERIFY(!instance::encode(QStringList(3000, "/" + QString(400, 'x')), out, error));
    QVERIFY(error.contains("too many"));
  }

  void secondLaunchHandsItsFilesToTheFirst() {
    SingleInstance first(key_);
    QCOMPARE(first.start({"/srv/first.txt"}), SingleInstance::Role::Primary);
    QList<QStringList> got;
    first.setHandler([&](const QStringList& p) { got << p; });
    Launch second(key_, {"/srv/second.txt", "/srv/third.txt"});
    QTRY_VERIFY(second.done());
    QCOMPARE(second.role.load(), int(SingleInstance::Role::Forwarded));
    QCOMPARE(got, QList<QStringList>({{"/srv/second.txt", "/srv/third.txt"}}));
  }

  void launchesDuringStartUpWaitForTheWindow() {
    SingleInstance first(key_);
    QCOMPARE(first.start({}), SingleInstance::Role::Primary);
    // Twenty at once, as Explorer starts them for a selection, before the
    // window is there to take them.
    std::vector<std::unique_ptr<Launch>> burst;
    for (int i = 0; i < 20; ++i) burst.push_back(std::make_unique<Launch>(key_, QStringList{QString("/srv/%1").arg(i)}));
    QTest::qWait(300);
    for (const auto& l : burst) QVERIFY(!l->done());  // not acknowledged before the window has them
    QStringList got;
    first.setHandler([&](const QStringList& p) { got << p; });
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(burst.begin(), burst.end(), [](const auto& l) { return l->done(); }), 10000);
    for (const auto& l : burst) QCOMPARE(l->role.load(), int(SingleInstance::Role::Forwarded));
    got.sort();
    QStringList expected;
    for (int i = 0; i < 20; ++i) expected << QString("/srv/%1").arg(i);
    expected.sort();
    QCOMPARE(got, expected);
  }

  void aCrashedPrimaryLeavesNothingInTheWay() {
#ifdef _WIN32
    QSKIP("Unix socket files");
#else
    SingleInstance probe(key_);
    // The lock of a process that is gone: written by QLockFile, then given
    // the PID of a process that has exited.
    qint64 deadPid = 0;
    {
      QProcess p;
      p.start("true", {});
      QVERIFY(p.waitForStarted());
      deadPid = p.processId();
      QVERIFY(processEnded(p));
    }
    QByteArray content;
    {
      QLockFile lf(probe.lockPath());
      QVERIFY(lf.tryLock(0));
      QFile f(probe.lockPath());
      QVERIFY(f.open(QIODevice::ReadOnly));
      content = f.readAll();
      lf.unlock();
    }
    content = QByteArray::number(deadPid) + content.mid(content.indexOf('\n'));
    QVERIFY(ferry::test::writeFile(probe.lockPath(), content));
    // And its socket file, nobody listening on it.
    const QByteArray path = QFile::encodeName(probe.serverName());
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    QVERIFY(QFile::exists(probe.serverName()));

    QCOMPARE(probe.start({}), SingleInstance::Role::Primary);
    QStringList got;
    probe.setHandler([&](const QStringList& p) { got << p; });
    Launch next(key_, {"/srv/after-crash.txt"});
    QTRY_VERIFY(next.done());
    QCOMPARE(next.role.load(), int(SingleInstance::Role::Forwarded));
    QCOMPARE(got, QStringList({"/srv/after-crash.txt"}));
#endif
  }

  void aPrimaryThatDoesNotAnswerIsSaidSo() {
    SingleInstance probe(key_);
    QLockFile held(probe.lockPath());
    QVERIFY(held.tryLock(0));
    QLocalServer mute;  // accepts, never answers
    QLocalServer::removeServer(probe.serverName());
    QVERIFY(mute.listen(probe.serverName()));
    Launch late(key_, {"/srv/x"}, 1500);
    QTRY_VERIFY_WITH_TIMEOUT(late.done(), 10000);
    QCOMPARE(late.role.load(), int(SingleInstance::Role::Failed));
    QVERIFY2(late.error.contains("did not answer") && late.error.contains(QString::number(QCoreApplication::applicationPid())),
             qPrintable(late.error));
  }

  void aBadMessageIsRefusedAndThePrimaryGoesOn() {
    SingleInstance first(key_);
    QCOMPARE(first.start({}), SingleInstance::Role::Primary);
    QStringList got;
    first.setHandler([&](const QStringList& p) { got << p; });
    QLocalSocket s;
    s.connectToServer(first.serverName());
    QVERIFY(s.waitForConnected(2000));
    s.write("\x01" + u32(9) + u32(5) + "a.txt");
    QTRY_VERIFY(s.bytesAvailable() > 0 || s.state() == QLocalSocket::UnconnectedState);
    QCOMPARE(s.read(1), QByteArray(1, instance::kRefused));
    QVERIFY(got.isEmpty());
    Launch good(key_, {"/srv/ok"});
    QTRY_VERIFY(good.done());
    QCOMPARE(got, QStringList({"/srv/ok"}));
  }

  void filesOpenedByTheDesktopReachTheWindow() {
    FileOpenFilter filter;
    QCoreApplication::instance()->installEventFilter(&filter);
    QFileOpenEvent early(QStringLiteral("/Users/ana/early.txt"));  // before the window exists
    QCoreApplication::sendEvent(QCoreApplication::instance(), &early);
    QList<QStringList> got;
    filter.setHandler([&](const QStringList& p) { got << p; });
    QCOMPARE(got, QList<QStringList>({{"/Users/ana/early.txt"}}));
    QFileOpenEvent later(QStringLiteral("/Users/ana/later.txt"));
    QCoreApplication::sendEvent(QCoreApplication::instance(), &later);
    QCOMPARE(got.size(), 2);
    QCOMPARE(got[1], QStringList({"/Users/ana/later.txt"}));
    QCoreApplication::instance()->removeEventFilter(&filter);
  }
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_single_instance.moc"
