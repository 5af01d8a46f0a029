// The zip layout as arithmetic: offsets and the total add up, ZIP64 appears
// exactly where the format needs it (>= 0xFFFFFFFF sizes and offsets, 65,535
// entries) and nowhere else, the first entry is small, and the bytes of each
// header are what readers parse.

#include <QTest>

#include <cstring>

#include "zip_layout.h"

using ferry::FileInfo;
using ferry::ZipLayout;

namespace {

FileInfo file(std::uint64_t size, std::uint32_t mode = 0644) {
  FileInfo f;
  f.size = size;
  f.mtime = 1700000000;  // 2023-11-14
  f.mtimeNs = 1700000000ull * 1000000000ull;
  f.mode = mode;
  f.regular = true;
  return f;
}

std::uint32_t le32(const std::string& s, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
std::uint16_t le16(const std::string& s, std::size_t at) {
  std::uint16_t v;
  std::memcpy(&v, s.data() + at, 2);
  return v;
}

}  // namespace

class TestZipLayout : public QObject {
  Q_OBJECT

 private slots:
  void lengthsAddUp() {
    ZipLayout z;
    z.add("Trip/", file(0, 0755));
    z.add("Trip/a.txt", file(19));
    z.add("Trip/b/", file(0, 0755));
    z.add("Trip/b/c.bin", file(3'000'001));
    z.finish();
    std::uint64_t at = 0;
    for (std::size_t i = 0; i < z.count(); ++i) {
      QCOMPARE(z.entry(i).offset, at);
      std::string h;
      z.appendLocalHeader(i, 0x12345678, h);
      QCOMPARE(h.size(), z.localHeaderSize(i));
      at += h.size() + z.entry(i).file.size;
    }
    QCOMPARE(z.centralOffset(), at);
    std::string cd;
    for (std::size_t i = 0; i < z.count(); ++i) z.appendCentralHeader(i, 0, cd);
    QCOMPARE(cd.size(), z.centralSize());
    std::string end;
    z.appendEnd(end);
    QCOMPARE(end.size(), std::size_t(22));
    QVERIFY(!z.zip64End());
    QCOMPARE(z.total(), at + cd.size() + end.size());
    // Every offset finds its entry.
    QCOMPARE(z.entryAt(0), std::size_t(0));
    QCOMPARE(z.entryAt(z.dataOffset(3) + 100), std::size_t(3));
    QCOMPARE(z.entryAt(z.entry(2).offset), std::size_t(2));
    QCOMPARE(z.entryAt(z.entry(2).offset - 1), std::size_t(1));
  }

  void headerFieldsAreWhatReadersParse() {
    ZipLayout z;
    z.add("Trip/", file(0, 0755));
    z.add("Trip/\xC3\xA9t\xC3\xA9.txt", file(19, 0640));
    z.finish();
    std::string h;
    z.appendLocalHeader(1, 0xCAFEBABE, h);
    QCOMPARE(le32(h, 0), 0x04034b50u);
    QCOMPARE(le16(h, 4), std::uint16_t(20));       // version needed
    QCOMPARE(le16(h, 6), std::uint16_t(0x0800));   // UTF-8 names, no data descriptor
    QCOMPARE(le16(h, 8), std::uint16_t(0));        // stored
    QCOMPARE(le32(h, 14), 0xCAFEBABEu);            // the CRC, ahead of the data
    QCOMPARE(le32(h, 18), 19u);
    QCOMPARE(le32(h, 22), 19u);
    QCOMPARE(h.substr(30, le16(h, 26)), std::string("Trip/\xC3\xA9t\xC3\xA9.txt"));
    std::string c;
    z.appendCentralHeader(1, 0xCAFEBABE, c);
    QCOMPARE(le32(c, 0), 0x02014b50u);
    QCOMPARE(le16(c, 4) >> 8, 3);                   // made by Unix
    QCOMPARE(le32(c, 38) >> 16, 0100640u);          // a regular file, mode 0640
    QCOMPARE(le32(c, 42), std::uint32_t(z.entry(1).offset));
    std::string d;
    z.appendCentralHeader(0, 0, d);
    QCOMPARE(le32(d, 38), (040755u << 16) | 0x10);  // a folder, for Unix and for DOS
  }

  void zip64ExactlyAtTheThreshold() {
    ZipLayout z;
    z.add("Big/", file(0, 0755));
    z.add("Big/under", file(0xFFFFFFFEull));
    z.add("Big/exactly", file(0xFFFFFFFFull));  // >= 0xFFFFFFFF needs ZIP64
    z.add("Big/after", file(5));                // its offset is past 4 GiB
    z.finish();
    QCOMPARE(z.localHeaderSize(0), std::size_t(30 + 4 + 9));  // the first entry: small, never ZIP64
    QCOMPARE(z.localHeaderSize(1), std::size_t(30 + 9 + 9));
    QCOMPARE(z.localHeaderSize(2), std::size_t(30 + 11 + 20 + 9));
    QCOMPARE(z.localHeaderSize(3), std::size_t(30 + 9 + 9));  // a small file: sizes fit
    QCOMPARE(z.centralHeaderSize(1), std::size_t(46 + 9 + 9));
    QCOMPARE(z.centralHeaderSize(2), std::size_t(46 + 11 + 28 + 9));
    QCOMPARE(z.centralHeaderSize(3), std::size_t(46 + 9 + 28 + 9));  // its offset needs ZIP64
    std::string h;
    z.appendLocalHeader(2, 0, h);
    QCOMPARE(le32(h, 18), 0xFFFFFFFFu);
    QCOMPARE(le16(h, 30 + 11), std::uint16_t(0x0001));  // the ZIP64 extra comes first
    QCOMPARE(le16(h, 30 + 11 + 2), std::uint16_t(16));
    std::string c;
    z.appendCentralHeader(3, 0, c);
    QCOMPARE(le32(c, 42), 0xFFFFFFFFu);
    QCOMPARE(le16(c, 46 + 9 + 2), std::uint16_t(24));  // all three fields
    // The directory starts past 4 GiB: the ZIP64 end records.
    QVERIFY(z.zip64End());
    QCOMPARE(z.endSize(), std::size_t(56 + 20 + 22));
    std::string e;
    z.appendEnd(e);
    QCOMPARE(le32(e, 0), 0x06064b50u);
    QCOMPARE(le32(e, 56), 0x07064b50u);
    QCOMPARE(le32(e, 76), 0x06054b50u);
    QCOMPARE(le32(e, 76 + 16), 0xFFFFFFFFu);  // the directory's offset, in the ZIP64 record
  }

  void zip64EndForManyEntries() {
    for (std::size_t n : {std::size_t(0xFFFE), std::size_t(0xFFFF)}) {
      ZipLayout z;
      z.add("Many/", file(0, 0755));
      for (std::size_t i = 1; i < n; ++i) z.add("Many/f" + std::to_string(i), file(1));
      z.finish();
      QCOMPARE(z.zip64End(), n >= 0xFFFF);
      std::string e;
      z.appendEnd(e);
      QCOMPARE(e.size(), z.endSize());
      const std::size_t eocd = e.size() - 22;
      QCOMPARE(le16(e, eocd + 10), std::uint16_t(n >= 0xFFFF ? 0xFFFF : n));
    }
  }

  void etagFollowsTheContents() {
    auto make = [](std::uint64_t size, std::uint64_t mtimeNs) {
      ZipLayout z;
      FileInfo f = file(size);
      f.mtimeNs = mtimeNs;
      z.add("T/", file(0, 0755));
      z.add("T/a", f);
      z.finish();
      return z.etag();
    };
    QCOMPARE(make(5, 1), make(5, 1));
    QVERIFY(make(5, 1) != make(5, 2));
    QVERIFY(make(5, 1) != make(6, 1));
  }
};

QTEST_APPLESS_MAIN(TestZipLayout)
#include "tst_zip_layout.moc"
