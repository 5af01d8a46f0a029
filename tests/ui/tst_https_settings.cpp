// HTTPS in the window: the certificate and key set in Settings make the
// server speak TLS and the links start with https:// (a download over
// QNetworkAccessManager trusting the test's CA proves it); a key that is not
// the certificate's is one message in the window, and nothing serves.
// Settings keeps both files across runs. The certificates are made here
// with `openssl`. With "Use Ferry's own certificate" instead, the window
// serves https with Ferry's CA from the data folder: its certificate,
// fetched over plain HTTP from the same port, has the fingerprint Settings
// shows, and a client trusting it alone downloads the file. With "Answer
// plain HTTP too", the same port answers both and the links and QR code use
// the scheme chosen. The QR panel offers the CA install page's own code
// while serving with Ferry's CA. HTTPS asked for on the command line
// (--https, --tls-cert, --http-too, --hsts) is said in Settings beside the
// setting it overrides for the run.

#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>

#include "main_window.h"
#include "network/ca_page_dialog.h"
#include "server_bridge.h"
#include "settings/run_settings.h"
#include "settings/settings_dialog.h"
#include "shares/shares_model.h"
#include "tls_context.h"
#include "ui/drop_files.h"
#include "ui/ui_test_support.h"
#include "widgets/message_bar.h"
#include "widgets/qr_code_widget.h"
#include "widgets/qr_panel.h"

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
  void bothOnOnePortLinksChoose();
  void qrPanelOffersTheCaPage();
  void settingsKeepHttpToo();
  void commandLineHttpsIsShown();
  void settingsSayWhatTheCommandLineServes();

 private:
  bool openssl(const QStringList& args);
  std::unique_ptr<MainWindow> makeWindow(const AppSettings& s);
  // GET `url` with Qt Network; the status, or -1 on a network error.
  int get(const QString& url, QByteArray* body = nullptr);

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

int TestHttpsSettings::get(const QString& url, QByteArray* body) {
  QNetworkAccessManager nam;
  // A redirect must show as one, not be followed.
  nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
  QNetworkReply* reply = nam.get(QNetworkRequest{QUrl(url)});
  if (!waitFor([&] { return reply->isFinished(); }, 20000)) return -1;
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (body) *body = reply->readAll();
  reply->deleteLater();
  return status ? status : -1;
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

void TestHttpsSettings::bothOnOnePortLinksChoose() {
  AppSettings s = test::servingSettings(test::freePort());
  s.linkHost = QStringLiteral("127.0.0.1");
  s.httpsOwnCa = true;
  s.httpToo = true;
  auto w = makeWindow(s);
  QVERIFY(w->startServing());
  QVERIFY(w->bridge()->secure());
  QVERIFY(w->bridge()->plainHttpToo());
  const std::uint16_t port = w->bridge()->port();
  const QString file = dir_ + "/notes.txt";
  const QByteArray content = test::writeRandomFile(file, 100 * 1000);
  dropFiles(w.get(), {file});
  QCOMPARE(w->sharesModel()->rowCount(), 1);
  const QString https = w->sharesModel()->linkAt(0);
  QVERIFY2(https.startsWith(QStringLiteral("https://127.0.0.1:%1/").arg(port)), qPrintable(https));
  QCOMPARE(w->qrPanel()->code()->text(), https);

  // A device without the CA: the same link over http is the file, not a redirect.
  QString plain = https;
  plain.replace(0, 5, QStringLiteral("http"));
  QByteArray body;
  QCOMPARE(get(plain, &body), 200);
  QCOMPARE(body, content);

  // http:// chosen for the window's links: link and code follow, without a restart.
  s.plainLinks = true;
  w->applySettings(s);
  QCOMPARE(w->bridge()->port(), port);
  QTRY_COMPARE(w->sharesModel()->linkAt(0), plain);
  QTRY_COMPARE(w->qrPanel()->code()->text(), plain);
  QVERIFY(!w->qrPanel()->moreLinks()->text().contains(QStringLiteral("#ca")));  // nothing warns over http

  // Without "plain HTTP too" the choice means nothing: https links, and
  // plain HTTP to them is redirected again.
  s.httpToo = false;
  w->applySettings(s);
  QTRY_VERIFY(w->isServing());
  QVERIFY(!w->bridge()->plainHttpToo());
  QTRY_COMPARE(w->sharesModel()->linkAt(0).left(8), QStringLiteral("https://"));
  plain = w->sharesModel()->linkAt(0);
  plain.replace(0, 5, QStringLiteral("http"));
  QCOMPARE(get(plain), 302);
}

void TestHttpsSettings::qrPanelOffersTheCaPage() {
  AppSettings s = test::servingSettings(test::freePort());
  s.linkHost = QStringLiteral("127.0.0.1");
  auto plainWindow = makeWindow(s);
  QVERIFY(plainWindow->startServing());
  QVERIFY(!plainWindow->qrPanel()->moreLinks()->text().contains(QStringLiteral("#ca")));
  QVERIFY(plainWindow->showCaPage() == nullptr);
  plainWindow.reset();

  s.httpsOwnCa = true;
  auto w = makeWindow(s);
  QVERIFY(w->startServing());
  const QString file = dir_ + "/notes.txt";
  test::writeRandomFile(file, 1000);
  dropFiles(w.get(), {file});
  QLabel* more = w->qrPanel()->moreLinks();
  QVERIFY2(more->text().contains(QStringLiteral("#ca")), qPrintable(more->text()));
  QSignalSpy asked(w->qrPanel(), &QrPanel::caPageRequested);
  emit more->linkActivated(QStringLiteral("#ca"));
  QCOMPARE(asked.count(), 1);
  CaPageDialog* shown = w->findChild<CaPageDialog*>();
  QVERIFY(shown && shown->isVisible());

  // The code is the install page on this port, over plain HTTP, and the
  // page it opens shows the fingerprint the dialog asks to compare.
  const QString page = QStringLiteral("http://127.0.0.1:%1/ferry-ca").arg(w->bridge()->port());
  QCOMPARE(shown->code()->text(), page);
  const QString fingerprint = QString::fromStdString(w->bridge()->localCa().fingerprint);
  QVERIFY(shown->fingerprintText().contains(fingerprint));
  QByteArray html;
  QCOMPARE(get(shown->code()->text(), &html), 200);
  QVERIFY(html.contains(fingerprint.toLatin1()));
}

void TestHttpsSettings::settingsKeepHttpToo() {
  AppSettings s;
  s.httpsOwnCa = true;
  SettingsDialog dialog(s, false);
  auto* both = dialog.findChild<QCheckBox*>(QStringLiteral("httpToo"));
  auto* scheme = dialog.findChild<QComboBox*>(QStringLiteral("linkScheme"));
  QVERIFY(both && scheme);
  QVERIFY(!both->isChecked());
  QVERIFY(!scheme->isEnabled());  // a choice only where both are answered
  both->setChecked(true);
  QVERIFY(scheme->isEnabled());
  scheme->setCurrentIndex(1);
  QVERIFY(dialog.settings().httpToo);
  QVERIFY(dialog.settings().plainLinks);
  SettingsStore store;
  QVERIFY(store.saveSettings(dialog.settings()));
  QVERIFY(SettingsStore{}.loadSettings().httpToo);
  QVERIFY(SettingsStore{}.loadSettings().plainLinks);
}

// --https, --tls-cert/--tls-key and --http-too win over Settings for this
// run: the dialog says so under each of them, as it does for --port, and
// the links' scheme can be chosen where the command line adds plain HTTP.
void TestHttpsSettings::commandLineHttpsIsShown() {
  auto labelsSaying = [](const SettingsDialog& d, const QString& words) {
    int n = 0;
    for (const QLabel* l : d.findChildren<QLabel*>())
      if (l->text().contains(words)) ++n;
    return n;
  };
  LaunchOptions launch;
  launch.server.localCa = true;
  launch.server.plainHttpToo = true;
  SettingsDialog both(AppSettings(), false);
  both.showCommandLine(RunSettings(AppSettings(), launch));
  QCOMPARE(labelsSaying(both, QStringLiteral("Ferry's own certificate, from --https on the command line")), 1);
  QCOMPARE(labelsSaying(both, QStringLiteral("from --http-too on the command line")), 1);
  QCOMPARE(both.commandLineNotes().size(), 2);
  auto* scheme = both.findChild<QComboBox*>(QStringLiteral("linkScheme"));
  QVERIFY(scheme && scheme->isEnabled());  // though the saved setting has no plain HTTP
  QVERIFY(!both.findChild<QCheckBox*>(QStringLiteral("httpToo"))->isChecked());  // the saved value stays as saved

  LaunchOptions files;
  files.server.tlsCert = (dir_ + "/leaf.crt").toStdString();
  files.server.tlsKey = (dir_ + "/leaf.key").toStdString();
  SettingsDialog mine(AppSettings(), false);
  mine.showCommandLine(RunSettings(AppSettings(), files));
  QCOMPARE(labelsSaying(mine, QStringLiteral("This run serves HTTPS with %1, from --tls-cert and --tls-key")
                                  .arg(dir_ + "/leaf.crt")),
           1);
  QCOMPARE(mine.commandLineNotes().size(), 1);
  QVERIFY(!mine.findChild<QComboBox*>(QStringLiteral("linkScheme"))->isEnabled());

  SettingsDialog none(AppSettings(), false);
  none.showCommandLine(RunSettings(AppSettings(), LaunchOptions()));
  QVERIFY(none.commandLineNotes().isEmpty());
}

void TestHttpsSettings::settingsSayWhatTheCommandLineServes() {
  // ferry --https --http-too --port N: the run serves both with Ferry's CA,
  // whatever Settings hold, and Settings say so beside each.
  AppSettings s = test::servingSettings(test::freePort());
  s.linkHost = QStringLiteral("127.0.0.1");
  SettingsStore{}.saveSettings(s);
  LaunchOptions launch;
  launch.server.localCa = true;
  launch.server.plainHttpToo = true;
  launch.server.port = test::freePort();
  launch.portGiven = true;
  MainWindow w(SettingsStore{}, launch);
  w.show();
  QVERIFY(w.startServing());
  QVERIFY(w.bridge()->secure());
  QVERIFY(w.bridge()->plainHttpToo());
  QCOMPARE(w.bridge()->port(), launch.server.port);
  QStringList notes;
  bool ownCaChecked = true;
  test::answerNextDialog([&](QWidget* dialog) {
    auto* d = qobject_cast<SettingsDialog*>(dialog);
    QVERIFY(d);
    notes = d->commandLineNotes();
    ownCaChecked = d->findChild<QCheckBox*>(QStringLiteral("httpsOwnCa"))->isChecked();
    // Each note is on the page, in plain view of its setting.
    for (const QString& n : notes) {
      bool shown = false;
      for (QLabel* l : d->findChildren<QLabel*>()) shown = shown || (l->text() == n && l->isVisibleTo(d));
      QVERIFY2(shown, qPrintable(n));
    }
    d->reject();
  });
  w.action(MainWindow::Action::Settings)->trigger();
  QTRY_VERIFY(!notes.isEmpty());
  QVERIFY(!ownCaChecked);  // the saved setting stays as saved, editable
  QCOMPARE(notes,
           QStringList({QStringLiteral("This run uses %1, from --port on the command line.").arg(launch.server.port),
                        QStringLiteral("This run serves HTTPS with Ferry's own certificate, from --https on the "
                                       "command line."),
                        QStringLiteral("This run answers plain HTTP on its port too, from --http-too on the command "
                                       "line.")}));

  // --tls-cert/--tls-key with --hsts: the certificate named, HSTS said.
  LaunchOptions own;
  own.server.tlsCert = (dir_ + "/leaf.crt").toStdString();
  own.server.tlsKey = (dir_ + "/leaf.key").toStdString();
  own.server.hsts = true;
  SettingsDialog d(s, false);
  d.showCommandLine(RunSettings(s, own));
  QCOMPARE(d.commandLineNotes(),
           QStringList({QStringLiteral("This run serves HTTPS with %1, from --tls-cert and --tls-key on the command "
                                       "line.")
                            .arg(dir_ + "/leaf.crt"),
                        QStringLiteral("This run tells browsers to use https only (HSTS), from --hsts on the command "
                                       "line: plain HTTP is not answered.")}));
}

QTEST_MAIN(TestHttpsSettings)
#include "tst_https_settings.moc"
