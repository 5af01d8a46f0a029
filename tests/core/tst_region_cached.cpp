// regionCached(): a region counts as cached only when every page of it is,
// so that a sendfile() step whose first and last pages are in memory and
// whose middle is not goes to the work pool instead of stalling the loop.
// The pages' state is checked independently with preadv2(RWF_NOWAIT).

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#if defined(__linux__)
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#endif

#include "file_io.h"

class TestRegionCached : public QObject {
  Q_OBJECT

#if defined(__linux__)
  // Whether the byte at `at` can be read without the disk, asked directly.
  static bool byteCached(int fd, off_t at) {
    char b;
    struct iovec iov {&b, 1};
    return ::preadv2(fd, &iov, 1, at, RWF_NOWAIT) == 1;
  }
#endif

 private slots:
  void aColdMiddlePageIsNotCached() {
#if !defined(__linux__)
    QSKIP("the page cache is asked about on Linux only");
#else
    // On the build's disk, not /tmp (a tmpfs keeps every page in memory).
    QTemporaryDir dir(QDir::currentPath() + "/region-XXXXXX");
    QVERIFY(dir.isValid());
    const off_t page = ::sysconf(_SC_PAGESIZE);
    const off_t size = 64 * page;
    const QByteArray path = QFile::encodeName(dir.filePath("cold.bin"));
    {
      QFile f(dir.filePath("cold.bin"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      QCOMPARE(f.write(QByteArray(size, 'c')), qint64(size));
      QVERIFY(f.flush());
      QCOMPARE(::fsync(f.handle()), 0);
    }
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    // Out of the cache, and no read-ahead: each read brings in its page only.
    QCOMPARE(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    QCOMPARE(::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
    // (A probe that finds its page cold starts reading it: each page is
    // probed once, and only pages that may then come in.)
    if (byteCached(fd, 5 * page)) {
      ::close(fd);
      QSKIP("this file system keeps the file in memory: no page can be cold");
    }
    char buf[64];
    QCOMPARE(::pread(fd, buf, sizeof buf, 0), ssize_t(sizeof buf));
    QCOMPARE(::pread(fd, buf, sizeof buf, size - page), ssize_t(sizeof buf));
    QVERIFY(byteCached(fd, 0));
    QVERIFY(byteCached(fd, size - 1));
    QVERIFY(!byteCached(fd, size / 2));

    // Its two ends are cached, its middle is not: not cached.
    QVERIFY(!ferry::regionCached(fd, 0, size));
    QVERIFY(!ferry::regionCached(fd, 100, size - 200));
    // The cached pages alone, whole or in part, are.
    QVERIFY(ferry::regionCached(fd, 0, page));
    QVERIFY(ferry::regionCached(fd, 10, 100));
    QVERIFY(ferry::regionCached(fd, size - page, page));
    QVERIFY(ferry::regionCached(fd, size - 1, 1));
    QVERIFY(ferry::regionCached(fd, 0, 0));
    // Read whole, all of it is.
    QByteArray all(size, '\0');
    QCOMPARE(::pread(fd, all.data(), all.size(), 0), ssize_t(size));
    QVERIFY(ferry::regionCached(fd, 0, size));
    ::close(fd);
#endif
  }
};

QTEST_GUILESS_MAIN(TestRegionCached)
#include "tst_region_cached.moc"
