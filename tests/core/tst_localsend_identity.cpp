// Ferry's LocalSend identity: made once (a key only its owner may read),
// the same fingerprint after a reload, and that fingerprint equal to what
// the openssl command computes from the certificate's DER. Broken files are
// reported and left alone.

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

#include "localsend_identity.h"

class TestLocalSendIdentity final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
#if !defined(FERRY_HAVE_TLS)
    QSKIP("this build has no OpenSSL");
#endif
  }

  void madeOnceKeptAfter() {
    QTemporaryDir dir;
    const std::string folder = dir.filePath("ls").toStdString();
    std::string error;
    auto first = ferry::LocalSendIdentity::loadOrCreate(folder, "Anna's laptop", &error);
    QVERIFY2(first, error.c_str());
    QCOMPARE(first->fingerprint.size(), std::size_t(64));
    for (char c : first->fingerprint) QVERIFY((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
    namespace fs = std::filesystem;
    const auto perms = fs::status(first->keyFile).permissions();
    QVERIFY((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);

    auto again = ferry::LocalSendIdentity::loadOrCreate(folder, "another name", &error);
    QVERIFY2(again, error.c_str());
    QCOMPARE(again->fingerprint, first->fingerprint);

    // What openssl says: SHA-256 of the DER, RSA 2048, the common name.
    QProcess der;
    der.start("openssl", {"x509", "-in", QString::fromStdString(first->certFile), "-noout", "-fingerprint",
                          "-sha256", "-subject", "-text"});
    QVERIFY(der.waitForFinished(10000));
    const QString out = QString::fromUtf8(der.readAllStandardOutput());
    QString hex = out.section("Fingerprint=", 1).section('\n', 0, 0).remove(':').trimmed();
    QCOMPARE(hex.toStdString(), first->fingerprint);
    QVERIFY2(out.contains("CN = Anna's laptop") || out.contains("CN=Anna's laptop"), qPrintable(out));
    QVERIFY(out.contains("Public-Key: (2048 bit)"));
  }

  void brokenFilesAreReportedNotReplaced() {
    QTemporaryDir dir;
    const std::string folder = dir.path().toStdString();
    std::string error;
    auto id = ferry::LocalSendIdentity::loadOrCreate(folder, "x", &error);
    QVERIFY(id);
    { std::ofstream(id->keyFile, std::ios::trunc) << "not a key"; }
    QVERIFY(!ferry::LocalSendIdentity::loadOrCreate(folder, "x", &error));
    QVERIFY2(error.find("holds no PEM private key") != std::string::npos, error.c_str());
    std::ifstream still(id->keyFile);
    std::string text((std::istreambuf_iterator<char>(still)), {});
    QCOMPARE(text, std::string("not a key"));

    std::filesystem::remove(id->keyFile);
    QVERIFY(!ferry::LocalSendIdentity::loadOrCreate(folder, "x", &error));
    QVERIFY2(error.find("has no key beside it") != std::string::npos, error.c_str());
  }

  void keyOfAnotherCertificate() {
    QTemporaryDir a, b;
    std::string error;
    auto ia = ferry::LocalSendIdentity::loadOrCreate(a.path().toStdString(), "a", &error);
    auto ib = ferry::LocalSendIdentity::loadOrCreate(b.path().toStdString(), "b", &error);
    QVERIFY(ia && ib && ia->fingerprint != ib->fingerprint);
    std::filesystem::copy_file(ib->keyFile, ia->keyFile, std::filesystem::copy_options::overwrite_existing);
    QVERIFY(!ferry::LocalSendIdentity::loadOrCreate(a.path().toStdString(), "a", &error));
    QVERIFY2(error.find("does not belong") != std::string::npos, error.c_str());
  }

  void randomFingerprints() {
    const std::string a = ferry::randomFingerprint(), b = ferry::randomFingerprint();
    QCOMPARE(a.size(), std::size_t(64));
    QVERIFY(a != b);
  }
};

QTEST_APPLESS_MAIN(TestLocalSendIdentity)
#include "tst_localsend_identity.moc"
