// What names a picture and the small formats around it: the query that asks
// for one, cache file names (one name per key, and nothing else parses),
// ETags (a new one for any change of the file), If-None-Match, and cache
// entries (a damaged one is never taken for a picture).

#include <QTest>

#include "picture_key.h"

using ferry::PictureAsk;
using ferry::PictureKey;
using ferry::Rendition;

class TestPictureKey : public QObject {
  Q_OBJECT

 private slots:
  void queryAsksForAPicture() {
    QCOMPARE(ferry::pictureAskOf("thumb"), PictureAsk::kThumb);
    QCOMPARE(ferry::pictureAskOf("thumb=1699999999"), PictureAsk::kThumb);
    QCOMPARE(ferry::pictureAskOf("a=1&view"), PictureAsk::kView);
    QCOMPARE(ferry::pictureAskOf("view&thumb"), PictureAsk::kThumb);
    QCOMPARE(ferry::pictureAskOf(""), PictureAsk::kNone);
    QCOMPARE(ferry::pictureAskOf("zip"), PictureAsk::kNone);
    QCOMPARE(ferry::pictureAskOf("thumbs"), PictureAsk::kNone);
    QCOMPARE(ferry::pictureAskOf("preview"), PictureAsk::kNone);
  }

  void cacheNamesRoundTrip() {
    PictureKey k{0xfe00, 0xa74002, 607392, 0x18ee9eeb8a6c69fbull, 0x18ee9ef5497952fbull, Rendition::kThumb};
    const std::string name = ferry::cacheFileName(k);
    QCOMPARE(QByteArray::fromStdString(name), QByteArray("fe00-a74002-944a0-18ee9eeb8a6c69fb-18ee9ef5497952fb.t"));
    QCOMPARE(ferry::parseCacheFileName(name), std::optional<PictureKey>(k));
    k.rendition = Rendition::kView;
    k.device = 0;
    QCOMPARE(ferry::parseCacheFileName(ferry::cacheFileName(k)), std::optional<PictureKey>(k));
    // The date a file was taken, kept beside its pictures.
    k.rendition = Rendition::kTaken;
    QVERIFY(ferry::cacheFileName(k).ends_with(".d"));
    QCOMPARE(ferry::parseCacheFileName(ferry::cacheFileName(k)), std::optional<PictureKey>(k));
    // Anything cacheFileName() would not write is not a key.
    for (const char* bad : {"", ".t", "1-2-3-4-5", "1-2-3-4-5.x", "1-2-3-4-5.tt", "1-2-3-4.t", "1-2-3-4-5-6.t",
                            "01-2-3-4-5.t", "A-2-3-4-5.t", "1--3-4-5.t", "-1-2-3-4-5.t", "+1-2-3-4-5.t",
                            "1-2-3-4-5.t.tmp3", "10000000000000000-2-3-4-5.t", "1 -2-3-4-5.t"})
      QVERIFY2(!ferry::parseCacheFileName(bad), bad);
  }

  void anyChangeOfTheFileChangesTheEtag() {
    const PictureKey k{1, 2, 3, 4, 5, Rendition::kThumb};
    const std::string e = ferry::pictureEtag(k);
    QVERIFY(e.front() == '"' && e.back() == '"');
    QCOMPARE(ferry::pictureEtag(k), e);  // the same across calls (and runs)
    for (int field = 0; field < 6; ++field) {
      PictureKey o = k;
      switch (field) {
        case 0: o.device = 9; break;
        case 1: o.inode = 9; break;
        case 2: o.size = 9; break;
        case 3: o.mtimeNs = 9; break;
        case 4: o.ctimeNs = 9; break;  // `touch -r` put the mtime back
        case 5: o.rendition = Rendition::kView; break;
      }
      QVERIFY2(ferry::pictureEtag(o) != e, qPrintable(QString::number(field)));
    }
  }

  void ifNoneMatch() {
    QVERIFY(ferry::etagMatches("\"a\"", "\"a\""));
    QVERIFY(ferry::etagMatches("\"x\", W/\"a\"", "\"a\""));
    QVERIFY(ferry::etagMatches("*", "\"a\""));
    QVERIFY(!ferry::etagMatches("\"ab\"", "\"a\""));
    QVERIFY(!ferry::etagMatches("", "\"a\""));
    QVERIFY(!ferry::etagMatches(",,", "\"a\""));
  }

  void cacheEntriesSayWhenTheyAreDamaged() {
    const std::string jpeg = "\xFF\xD8\xFF pretend jpeg bytes";
    const std::string entry = ferry::packCacheEntry(jpeg);
    QCOMPARE(entry.size(), jpeg.size() + ferry::kCacheTrailer);
    QCOMPARE(ferry::unpackCacheEntry(entry), std::optional<std::string_view>(jpeg));
    // "No picture" is an entry too.
    QCOMPARE(ferry::unpackCacheEntry(ferry::packCacheEntry("")), std::optional<std::string_view>(""));
    // Any one byte changed, or cut anywhere: damaged.
    for (std::size_t i = 0; i < entry.size(); ++i) {
      std::string bad = entry;
      bad[i] = static_cast<char>(bad[i] ^ 0x01);
      QVERIFY2(!ferry::unpackCacheEntry(bad), qPrintable(QString::number(i)));
      QVERIFY(!ferry::unpackCacheEntry(std::string_view(entry).substr(0, i)));
    }
  }
};

QTEST_GUILESS_MAIN(TestPictureKey)
#include "tst_picture_key.moc"
