// The picture cache on disk: a picture put is found (across a restart too,
// and so are dates taken),
// "no picture" is remembered, a damaged or vanished file is a miss (and
// the damaged one is removed), the folder stays under its cap by removing
// the least recently used first, and leftovers of a crash are cleaned.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "picture_cache.h"

using ferry::PictureCache;
using ferry::PictureKey;
using ferry::Rendition;

namespace {

PictureKey keyOf(std::uint64_t inode, Rendition r = Rendition::kThumb) { return {1, inode, 100, 5, 6, r}; }
std::string pictureOf(std::size_t size, char fill) { return std::string(size, fill); }

}  // namespace

class TestPictureCache : public QObject {
  Q_OBJECT

 private slots:
  void putFindAndRestart() {
    QTemporaryDir dir;
    PictureCache c;
    QVERIFY(!c.enabled());
    std::string got;
    c.put(keyOf(1), "x");  // no folder: nothing kept, nothing fails
    QCOMPARE(c.find(keyOf(1), got), PictureCache::Found::kMiss);
    c.setDirectory(dir.filePath("pictures").toStdString());
    QVERIFY(c.enabled());
    c.put(keyOf(1), pictureOf(1000, 'a'));
    c.put(keyOf(2), "");  // a file with no picture
    QCOMPARE(c.find(keyOf(1), got), PictureCache::Found::kPicture);
    QCOMPARE(got, pictureOf(1000, 'a'));
    QCOMPARE(c.find(keyOf(2), got), PictureCache::Found::kNoPicture);
    QCOMPARE(c.find(keyOf(1, Rendition::kView), got), PictureCache::Found::kMiss);
    QVERIFY(c.has(keyOf(1)) && !c.has(keyOf(3)));
    // Known to have none (a cover passes it over): only the "no picture".
    QVERIFY(c.knownWithout(keyOf(2)) && !c.knownWithout(keyOf(1)) && !c.knownWithout(keyOf(3)));

    PictureCache next;  // the next run
    next.setDirectory(dir.filePath("pictures").toStdString());
    QCOMPARE(next.entries(), std::size_t(2));
    QVERIFY(next.knownWithout(keyOf(2)) && !next.knownWithout(keyOf(1)));
    QCOMPARE(next.find(keyOf(1), got), PictureCache::Found::kPicture);
    QCOMPARE(got, pictureOf(1000, 'a'));
  }

  // When a photo was taken is kept beside its pictures: the next run knows
  // it at once, "says nothing" included; an edited file (a new key) does not.
  void datesTakenSurviveARestart() {
    QTemporaryDir dir;
    const QString folder = dir.filePath("pictures");
    PictureCache c;
    c.setDirectory(folder.toStdString());
    QVERIFY(!c.taken(keyOf(1)));
    c.putTaken(keyOf(1), 1563100262);
    c.putTaken(keyOf(2), 0);
    QCOMPARE(c.taken(keyOf(1)), std::optional<std::int64_t>(1563100262));
    QVERIFY(QFile::exists(folder + "/" + QString::fromStdString(ferry::cacheFileName(keyOf(1, Rendition::kTaken)))));

    PictureCache next;
    next.setDirectory(folder.toStdString());
    QCOMPARE(next.taken(keyOf(1)), std::optional<std::int64_t>(1563100262));
    QCOMPARE(next.taken(keyOf(2)), std::optional<std::int64_t>(0));
    PictureKey edited = keyOf(1);
    edited.mtimeNs += 1;
    QVERIFY(!next.taken(edited));
    // Not a picture: a thumbnail of the same key is still to be made.
    std::string got;
    QCOMPARE(next.find(keyOf(1), got), PictureCache::Found::kMiss);

    // A damaged date is none (read again by the scanner), never a wrong one.
    const QString kept = folder + "/" + QString::fromStdString(ferry::cacheFileName(keyOf(1, Rendition::kTaken)));
    QFile f(kept);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(0));
    QVERIFY(f.write("2") == 1);
    f.close();
    PictureCache third;
    third.setDirectory(folder.toStdString());
    QVERIFY(!third.taken(keyOf(1)));
  }

  void damagedOrVanishedIsAMiss() {
    QTemporaryDir dir;
    const QString folder = dir.filePath("pictures");
    PictureCache c;
    c.setDirectory(folder.toStdString());
    c.put(keyOf(1), pictureOf(500, 'a'));
    c.put(keyOf(2), pictureOf(500, 'b'));
    const QString one = folder + "/" + QString::fromStdString(ferry::cacheFileName(keyOf(1)));
    QFile f(one);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(100);
    f.write("Z");
    f.close();
    QVERIFY(QFile::remove(folder + "/" + QString::fromStdString(ferry::cacheFileName(keyOf(2)))));
    std::string got;
    QCOMPARE(c.find(keyOf(1), got), PictureCache::Found::kMiss);
    QVERIFY(!QFile::exists(one));  // removed, to be made again
    QCOMPARE(c.find(keyOf(2), got), PictureCache::Found::kMiss);
    QCOMPARE(c.entries(), std::size_t(0));
    QCOMPARE(c.bytesUsed(), std::uint64_t(0));
  }

  void leastRecentlyUsedGoFirst() {
    QTemporaryDir dir;
    PictureCache c;
    c.setDirectory(dir.filePath("pictures").toStdString());
    const std::uint64_t entry = 1000 + ferry::kCacheTrailer;
    c.setCapacity(3 * entry);
    std::string got;
    c.put(keyOf(1), pictureOf(1000, '1'));
    c.put(keyOf(2), pictureOf(1000, '2'));
    c.put(keyOf(3), pictureOf(1000, '3'));
    QCOMPARE(c.find(keyOf(1), got), PictureCache::Found::kPicture);  // 1 is now the newest
    c.put(keyOf(4), pictureOf(1000, '4'));                           // over the cap: 2 goes
    QCOMPARE(c.bytesUsed(), 3 * entry);
    QCOMPARE(c.find(keyOf(2), got), PictureCache::Found::kMiss);
    for (int k : {1, 3, 4}) QCOMPARE(c.find(keyOf(k), got), PictureCache::Found::kPicture);
    QCOMPARE(QDir(dir.filePath("pictures")).entryList(QDir::Files).size(), 3);
    c.setCapacity(entry);  // a smaller cap trims at once, oldest first
    QCOMPARE(c.entries(), std::size_t(1));
    QCOMPARE(c.find(keyOf(4), got), PictureCache::Found::kPicture);
  }

  void leftoversAreCleanedAndStrangersLeftAlone() {
    QTemporaryDir dir;
    const QString folder = dir.filePath("pictures");
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile(folder + "/1-2-3-4-5.t.tmp7").open(QIODevice::WriteOnly));
    QVERIFY(QFile(folder + "/README").open(QIODevice::WriteOnly));
    PictureCache c;
    c.setDirectory(folder.toStdString());
    QCOMPARE(c.entries(), std::size_t(0));
    QVERIFY(!QFile::exists(folder + "/1-2-3-4-5.t.tmp7"));
    QVERIFY(QFile::exists(folder + "/README"));
  }
};

QTEST_GUILESS_MAIN(TestPictureCache)
#include "tst_picture_cache.moc"
