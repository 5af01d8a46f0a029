// Where a link points inside a shared folder: plain names only, hidden names
// only when the share shows them, and everything else refused before any
// file is touched.

#include <QTest>

#include "folder_path.h"

using ferry::FolderPath;
using ferry::parseFolderPath;

class TestFolderPath : public QObject {
  Q_OBJECT

 private slots:
  void paths_data() {
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("rel");
    QTest::addColumn<bool>("folder");
    const int ok = FolderPath::kOk, bad = FolderPath::kBadRequest, nf = FolderPath::kNotFound,
              slash = FolderPath::kAddSlash;
    QTest::newRow("no name") << QByteArray("") << slash << QByteArray() << false;
    QTest::newRow("slash only") << QByteArray("/") << slash << QByteArray() << false;
    QTest::newRow("name only") << QByteArray("/Photos") << slash << QByteArray() << false;
    QTest::newRow("top") << QByteArray("/Photos/") << ok << QByteArray() << true;
    QTest::newRow("any name") << QByteArray("/whatever/") << ok << QByteArray() << true;
    QTest::newRow("file") << QByteArray("/Photos/a.jpg") << ok << QByteArray("a.jpg") << false;
    QTest::newRow("sub folder") << QByteArray("/Photos/2024/Summer/") << ok << QByteArray("2024/Summer") << true;
    QTest::newRow("decoded") << QByteArray("/P/caf%C3%A9%20%E2%98%95.txt") << ok << QByteArray("caf\xC3\xA9 \xE2\x98\x95.txt")
                             << false;
    QTest::newRow("percent kept") << QByteArray("/P/%252e%252e") << ok << QByteArray("%2e%2e") << false;
    QTest::newRow("dotdot") << QByteArray("/P/..") << bad << QByteArray() << false;
    QTest::newRow("dotdot deep") << QByteArray("/P/a/../../x") << bad << QByteArray() << false;
    QTest::newRow("dot") << QByteArray("/P/./a") << bad << QByteArray() << false;
    QTest::newRow("encoded dotdot") << QByteArray("/P/%2e%2E/x") << bad << QByteArray() << false;
    QTest::newRow("empty part") << QByteArray("/P/a//b") << bad << QByteArray() << false;
    QTest::newRow("two slashes at end") << QByteArray("/P/a//") << bad << QByteArray() << false;
    QTest::newRow("drive") << QByteArray("/P/C:") << bad << QByteArray() << false;
    QTest::newRow("drive path") << QByteArray("/P/c:x") << bad << QByteArray() << false;
    QTest::newRow("colon later ok") << QByteArray("/P/10:30.txt") << ok << QByteArray("10:30.txt") << false;
    QTest::newRow("control") << QByteArray("/P/a%0Db") << bad << QByteArray() << false;
    QTest::newRow("del") << QByteArray("/P/a%7Fb") << bad << QByteArray() << false;
    QTest::newRow("bad escape") << QByteArray("/P/a%zz") << bad << QByteArray() << false;
    QTest::newRow("nul") << QByteArray("/P/a%00") << bad << QByteArray() << false;
    QTest::newRow("long name") << "/P/" + QByteArray(256, 'n') << bad << QByteArray() << false;
    QTest::newRow("longest name") << "/P/" + QByteArray(255, 'n') << ok << QByteArray(255, 'n') << false;
    QTest::newRow("too deep") << "/P/" + QByteArray("d/").repeated(65) << bad << QByteArray() << false;
    QTest::newRow("deep enough") << "/P/" + QByteArray("d/").repeated(64) << ok
                                 << QByteArray("d/").repeated(64).chopped(1) << true;
    QTest::newRow("hidden") << QByteArray("/P/.ssh/id_rsa") << nf << QByteArray() << false;
    QTest::newRow("hidden file") << QByteArray("/P/a/.env") << nf << QByteArray() << false;
    QTest::newRow("thumbs") << QByteArray("/P/THUMBS.DB") << nf << QByteArray() << false;
    QTest::newRow("desktop.ini") << QByteArray("/P/x/Desktop.ini") << nf << QByteArray() << false;
  }

  void paths() {
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QByteArray, rel);
    QFETCH(bool, folder);
    FolderPath p = parseFolderPath(std::string_view(path.constData(), std::size_t(path.size())), false);
    QCOMPARE(int(p.status), status);
    if (status == FolderPath::kOk) {
      QCOMPARE(QByteArray::fromStdString(p.rel), rel);
      QCOMPARE(p.folder, folder);
    }
  }

  void hiddenWhenShown() {
    FolderPath p = parseFolderPath("/P/.config/app.ini", true);
    QCOMPARE(int(p.status), int(FolderPath::kOk));
    QCOMPARE(p.rel, std::string(".config/app.ini"));
    // Shown or not, ".." is never a name.
    QCOMPARE(int(parseFolderPath("/P/../x", true).status), int(FolderPath::kBadRequest));
  }
};

QTEST_APPLESS_MAIN(TestFolderPath)
#include "tst_folder_path.moc"
