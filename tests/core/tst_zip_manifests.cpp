// ZipManifests: a zip's manifest kept for the next request for the same zip
// is used only while the folder holds exactly what it was made of. Made by
// the walk a zip makes, on a real folder; each change a person can make —
// a file added, removed, renamed, edited in place with its mtime put back,
// a sub-folder's file edited — makes the kept manifest go, while a look at
// an unchanged folder finds it. At most kMaxManifests are kept, and a
// dropped one is gone.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "folder_io.h"
#include "folder_walk.h"
#include "zip_manifests.h"

using ferry::FolderRoot;
using ferry::ZipManifest;
using ferry::ZipManifests;

namespace {

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

std::string local(const QString& path) { return QFile::encodeName(path).toStdString(); }

}  // namespace

class TestZipManifests : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString folder_;
  FolderRoot root_;

  // A manifest as a zip makes it: the walk's entries laid out, and each
  // folder it listed with its entries sorted by name.
  std::shared_ptr<const ZipManifest> walked() {
    auto m = std::make_shared<ZipManifest>();
    m->walk = ferry::walkFolder(
        root_, "", "top", false,
        [&](const std::string& path, const ferry::FileInfo& info) {
          m->layout.add(path, info);
          return true;
        },
        [&](const std::string& rel, const std::vector<ferry::FolderEntry>& entries) {
          m->folders.push_back({rel, entries});
          std::sort(m->folders.back().entries.begin(), m->folders.back().entries.end(),
                    [](const auto& a, const auto& b) { return a.name < b.name; });
        });
    m->layout.finish();
    return m;
  }

  // Keeps a fresh manifest and says whether a look now finds it, after `change`.
  template <typename Change>
  bool keptAfter(Change change) {
    ZipManifests kept;
    kept.keep("zip", walked());
    change();
    return kept.find("zip", root_, false) != nullptr;
  }

 private slots:
  void init() {
    QVERIFY(dir_.isValid());
    folder_ = dir_.filePath(QString("f%1").arg(QTest::currentTestFunction()));
    QVERIFY(QDir().mkpath(folder_ + "/sub/deeper"));
    QVERIFY(writeFile(folder_ + "/a.txt", "a"));
    QVERIFY(writeFile(folder_ + "/sub/b.txt", "bb"));
    QVERIFY(writeFile(folder_ + "/sub/deeper/c.txt", "ccc"));
    root_.close();
    int error = 0;
    QVERIFY(root_.openAsChosen(local(folder_), error));
  }

  void anUnchangedFolderFindsItsManifest() {
    ZipManifests kept;
    auto m = walked();
    QCOMPARE(m->folders.size(), std::size_t(3));
    kept.keep("zip", m);
    QCOMPARE(kept.find("zip", root_, false), m);
    QCOMPARE(kept.find("zip", root_, false), m);  // and again
    QVERIFY(!kept.find("another zip", root_, false));
  }

  void aFileAddedDeepDown() {
    QVERIFY(!keptAfter([&] { QVERIFY(writeFile(folder_ + "/sub/deeper/new.txt", "new")); }));
  }

  void aFileRemoved() {
    QVERIFY(!keptAfter([&] { QVERIFY(QFile::remove(folder_ + "/sub/b.txt")); }));
  }

  void aFileRenamed() {
    QVERIFY(!keptAfter([&] { QVERIFY(QFile::rename(folder_ + "/a.txt", folder_ + "/z.txt")); }));
  }

  void aFolderAdded() {
    QVERIFY(!keptAfter([&] { QVERIFY(QDir().mkpath(folder_ + "/sub/empty")); }));
  }

  // cp -p onto it, rsync --inplace -t: the same size and mtime, new bytes;
  // the folders' own times do not move, the file's ctime does.
  void anEditInPlaceWithItsMtimePutBack() {
    const QByteArray path = QFile::encodeName(folder_ + "/sub/deeper/c.txt");
    struct stat before {};
    QCOMPARE(::stat(path.constData(), &before), 0);
    QVERIFY(!keptAfter([&] {
      // A ctime tick the edit cannot share with the walk.
      QTRY_VERIFY([&] {
        struct timespec now {};
        ::clock_gettime(CLOCK_REALTIME, &now);
        return now.tv_sec > before.st_ctim.tv_sec || now.tv_nsec > before.st_ctim.tv_nsec + 20'000'000;
      }());
      QFile f(folder_ + "/sub/deeper/c.txt");
      QVERIFY(f.open(QIODevice::ReadWrite));
      QCOMPARE(f.write("xyz"), qint64(3));
      f.close();
      const struct timespec times[2] = {before.st_atim, before.st_mtim};
      QCOMPARE(::utimensat(AT_FDCWD, path.constData(), times, 0), 0);
    }));
  }

  // A zip holds each folder's time too: a hidden file arriving (left out
  // of the zip) still moves its folder's time, and so the manifest goes.
  void aHiddenFileMovesItsFoldersTime() {
    QVERIFY(!keptAfter([&] { QVERIFY(writeFile(folder_ + "/sub/.DS_Store", "x")); }));
  }

  void atMostSoManyAndDroppedOnes() {
    ZipManifests kept;
    auto m = walked();
    for (std::size_t i = 0; i <= ZipManifests::kMaxManifests; ++i) kept.keep("zip " + std::to_string(i), m);
    QCOMPARE(kept.size(), ZipManifests::kMaxManifests);
    QVERIFY(!kept.find("zip 0", root_, false));  // the least recently used went
    QVERIFY(kept.find("zip 1", root_, false));
    kept.drop("zip 1");
    QVERIFY(!kept.find("zip 1", root_, false));
    QCOMPARE(kept.purge(), ZipManifests::kMaxManifests - 1);  // none is 30 s old
  }
};

QTEST_GUILESS_MAIN(TestZipManifests)
#include "tst_zip_manifests.moc"
