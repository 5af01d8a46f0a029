// HTTPS in the window: the certificate and key set in Settings make the
// server speak TLS and the links start with https:// (a download over
// QNetworkAccessManager trusting the test's CA proves it); a key that is not
// the certificate's is one message in the window, and nothing serves.
// Settings keeps both files across runs. The certificates are made here
// with `openssl`. With "Use Ferry's own certificate" instead, the window
// serves https with Ferry's CA from the data folder: its certificate,
// fetched over plain HTTP from the same port, has the fingerprint Settings
// shows, and a client trusting it alone downloads the file.

#include <QCheckBox>
#include <QCryptographicHash>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>

#include "main_window.h"
#include "server_bridge.h"
#include "settings/settings_dialog.h"
#include "shares/shares_model.h"
#include "tls_context.h"
#include "ui/drop_files.h"
#include "ui/ui_test_support.h"
#include "widgets/message_bar.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::dropFiles;
using ferry::test::waitFor;

class TestHttpsSettings : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void cleanup();
  void certificateInSettingsServesHttps();
  void mismatchedKeyIsAMessage();
  void settingsKeepTheFiles();
  void ownCaServesHttps();
  void settingsKeepOwnCa();

 private:
  bool openssl(const QStringList& args);
  std::unique_ptr<MainWindow> makeWindow(const AppSettings& s);

  std::unique_ptr<test::IsolatedConfig> config_;
  QString dir_;
};

bool TestHttpsSettings::openssl(const QStringList& args) {
  QProcess p;
  p.setWorkingDirectory(dir_);
  p.start(QStringLiteral("openssl"), args);
  return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

void TestHttpsSettings::init() {
  if (!TlsContext::kAvailable) QSKIP("this build has no TLS");
  config_ = std::make_unique<test::IsolatedConfig>();
  dir_ = config_->path();
  const QStringList ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"};
  QVERIFY(openssl(QStringList{"req", "-x509"} + ec +
                  QStringList{"-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Ferry test CA"}));
  QVERIFY(test::writeFile(dir_ + "/leaf.ext", "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"));
  QVERIFY(openssl(QStringList{"req"} + ec + QStringList{"-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1"}));
  QVERIFY(openssl({"x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                   "leaf.crt", "-days", "1", "-extfile", "leaf.ext"}));
  QVERIFY(openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key"}));
}

void TestHttpsSettings::cleanup() { config_.reset(); }

std::unique_ptr<MainWindow> TestHttpsSettings::makeWindow(const AppSettings& s) {
  SettingsStore store;
  store.saveSettings(s);
  auto w = std::make_unique<MainWindow>(SettingsStore{});
  w->show();
  return w;
}

void TestHttpsSettings::certificateInSettingsServesHttps() {
  AppSettings s = test::servingSettings(test::freePort());
  s.linkHost = QStringLiteral("127.0.0.1");
  s.tlsCert = dir_ + "/leaf.crt";
  s.tlsKey = dir_ + "/leaf.key";
  auto w = makeWindow(s);
  QVERIFY(w->startServing());
  QVERIFY(w->bridge()->secure());
  const QString file = dir_ + "/notes.txt";
  const QByteArray content = test::writeRandomFile(file, 300 * 1000);
  dropFiles(w.get(), {file});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  const QString link = w->sharesModel()->linkAt(0);
  QVERIFY2(link.startsWith(QStringLiteral("https://127.0.0.1:%1/").arg(w->bridge()->port())), qPrintable(link));

  if (!QSslSocket::supportsSsl()) QSKIP("Qt Network has no TLS backend here: the link was checked, not fetched");
  QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
  tls.setCaCertificates(QSslCertificate::fromPath(dir_ + "/ca.crt"));
  QNetworkRequest request{QUrl(link)};
  request.setSslConfiguration(tls);
  QNetworkAccessManager nam;
  QNetworkReply* reply = nam.get(request);
  QVERIFY(waitFor([&] { return reply->isFinished(); }, 20000));
  QCOMPARE(reply->error(), QNetworkReply::NoError);
  QCOMPARE(reply->readAll(), content);
  reply->deleteLater();
}

void TestHttpsSettings::mismatchedKeyIsAMessage() {
  AppSettings s = test::servingSettings(test::freePort());
  s.tlsCert = dir_ + "/leaf.crt";
  s.tlsKey = dir_ + "/other.key";
  auto w = makeWindow(s);
  QVERIFY(!w->startServing());
  QVERIFY(!w->isServing());
  QVERIFY(w->messageBar()->isVisible());
  QVERIFY2(w->messageBar()->text().contains(QStringLiteral("does not belong to the certificate")),
           qPrintable(w->messageBar()->text()));
}

void TestHttpsSettings::settingsKeepTheFiles() {
  AppSettings s;
  s.tlsCert = dir_ + "/leaf.crt";
  s.tlsKey = dir_ + "/leaf.key";
  SettingsDialog dialog(s, false);
  auto* key = dialog.findChild<QLineEdit*>(QStringLiteral("tlsKey"));
  QVERIFY(key);
  QCOMPARE(key->text(), s.tlsKey);
  QCOMPARE(dialog.settings().tlsCert, s.tlsCert);
  key->setText(QStringLiteral("  %1  ").arg(dir_ + "/other.key"));
  QCOMPARE(dialog.settings().tlsKey, dir_ + "/other.key");

  SettingsStore store;
  QVERIFY(store.saveSettings(dialog.settings()));
  QCOMPARE(SettingsStore{}.loadSettings().tlsKey, dir_ + "/other.key");
  QCOMPARE(SettingsStore{}.loadSettings().tlsCert, s.tlsCert);
}

void TestHttpsSettings::ownCaServesHttps() {
  AppSettings s = test::servingSettings(test::freePort());
  s.linkHost = QStringLiteral("127.0.0.1");
  s.httpsOwnCa = true;
  auto w = makeWindow(s);
  QVERIFY(w->startServing());
  QVERIFY(w->bridge()->secure());
  const LocalCaStatus ca = w->bridge()->localCa();
  QVERIFY(ca.on);
  // Kept in this user's data folder (the isolated one here).
  QVERIFY2(QString::fromStdString(ca.caFile).startsWith(dir_ + "/data/"), ca.caFile.c_str());
  const QString file = dir_ + "/notes.txt";
  const QByteArray content = test::writeRandomFile(file, 200 * 1000);
  dropFiles(w.get(), {file});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  const QString link = w->sharesModel()->linkAt(0);
  QVERIFY2(link.startsWith(QStringLiteral("https://127.0.0.1:%1/").arg(w->bridge()->port())), qPrintable(link));

  // The CA as a device gets it: over plain HTTP, from the same port.
  QNetworkAccessManager nam;
  QNetworkReply* crt =
      nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/ferry-ca.crt").arg(w->bridge()->port()))));
  QVERIFY(waitFor([&] { return crt->isFinished(); }, 20000));
  QCOMPARE(crt->error(), QNetworkReply::NoError);
  const QByteArray der = crt->readAll();
  crt->deleteLater();
  const QString fingerprint =
      QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex(':').toUpper());
  QCOMPARE(fingerprint, QString::fromStdString(ca.fingerprint));

  SettingsDialog dialog(s, false);
  dialog.showLocalCa(QStringLiteral("http://127.0.0.1/ferry-ca"), fingerprint);
  auto* shown = dialog.findChild<QLabel*>(QStringLiteral("caFingerprint"));
  QVERIFY(shown && shown->text().contains(fingerprint));

  if (!QSslSocket::supportsSsl()) QSKIP("Qt Network has no TLS backend here: the CA was checked, not used");
  QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
  tls.setCaCertificates({QSslCertificate(der, QSsl::Der)});
  QNetworkRequest request{QUrl(link)};
  request.setSslConfiguration(tls);
  QNetworkReply* reply = nam.get(request);
  QVERIFY(waitFor([&] { return reply->isFinished(); }, 20000));
  QCOMPARE(reply->error(), QNetworkReply::NoError);
  QCOMPARE(reply->readAll(), content);
  reply->deleteLater();
}

void TestHttpsSettings::settingsKeepOwnCa() {
  AppSettings s;
  s.tlsCert = dir_ + "/leaf.crt";
  s.tlsKey = dir_ + "/leaf.key";
  SettingsDialog dialog(s, false);
  auto* own = dialog.findChild<QCheckBox*>(QStringLiteral("httpsOwnCa"));
  auto* cert = dialog.findChild<QLineEdit*>(QStringLiteral("tlsCert"));
  QVERIFY(own && cert);
  QVERIFY(!own->isChecked());
  QVERIFY(cert->isEnabled());
  own->setChecked(true);
  QVERIFY(!cert->isEnabled());  // one or the other
  QVERIFY(dialog.settings().httpsOwnCa);
  SettingsStore store;
  QVERIFY(store.saveSettings(dialog.settings()));
  QVERIFY(SettingsStore{}.loadSettings().httpsOwnCa);
}

QTEST_MAIN(TestHttpsSettings)
#include "tst_https_settings.moc"
