// A share's Properties in the window: the rules set there (expiry, download
// limit, password) reach the server, show in the list ("in 2 h", "1 of 3", a
// padlock, greyed once ended) and survive a restart with the count of
// complete deliveries; bad values are refused with a sentence; Rotate Link…
// ends the old link at once. Downloads are real ones, by curl.

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include "shares/expiry_text.h"
#include "main_window.h"
#include "server_bridge.h"
#include "settings/settings_dialog.h"
#include "settings/settings_store.h"
#include "shares/share_properties_dialog.h"
#include "shares/shares_model.h"
#include "widgets/qr_code_widget.h"
#include "widgets/table_view.h"
#include "ui/ui_test_support.h"

using namespace ferry;
using namespace ferry::ui;
using ferry::test::waitFor;

namespace {

// curl's status for a GET of `url`, the body going to `body` when given.
int curlStatus(const QString& url, QByteArray* body = nullptr) {
  QProcess p;
  p.start(QStringLiteral("curl"), {"-s", "-o", body ? "-" : "/dev/null", "-w", "\n%{http_code}", url});
  if (!p.waitForFinished(15000)) return -1;
  QByteArray out = p.readAllStandardOutput();
  const qsizetype nl = out.lastIndexOf('\n');
  if (body) *body = out.left(nl);
  return out.mid(nl + 1).toInt();
}

template <typename T>
T* child(QWidget* dialog, const char* name) {
  T* w = dialog->findChild<T*>(QString::fromLatin1(name));
  if (!w) qFatal("the dialog has no %s", name);
  return w;
}

// Saves a grab of `w` when FERRY_SCREENSHOT_DIR names a folder.
void screenshot(QWidget* w, const char* name) {
  const QString dir = qEnvironmentVariable("FERRY_SCREENSHOT_DIR");
  if (dir.isEmpty()) return;
  QDir().mkpath(dir);
  w->grab().save(dir + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
}

}  // namespace

class TestShareProperties : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void init();
  void cleanup();
  void dialogSetsRulesThatReachTheServer();
  void badValuesAreRefusedWithASentence();
  void doubleClickOpensProperties();
  void newLinksEndAfterADayByDefault();
  void propertiesSpeakPlainlyAndStartAtTheTop();
  void aFolderSaysItsLimitCountsDevices();
  void rotateEndsTheOldLink();
  void theLinkWithCopyAndItsCodeAndOneExpiryControl();
  void rulesAndDeliveriesSurviveARestart();
  void endedLinksAreGreyedWithTheReason();

 private:
  // A window serving one shared file, selected.
  void openWindow();
  QString token() const { return w_->sharesModel()->entry(0).token; }
  QVariant cell(int column, int role = Qt::DisplayRole) const {
    return w_->sharesModel()->index(0, column).data(role);
  }

  std::unique_ptr<test::IsolatedConfig> config_;
  std::unique_ptr<MainWindow> w_;
  QString file_;
  QByteArray content_;
};

void TestShareProperties::initTestCase() {
  if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
    QSKIP("needs curl (scripts/setup.sh installs it)");
}

void TestShareProperties::init() {
  QCoreApplication::setApplicationName(QStringLiteral("ferry"));
  config_ = std::make_unique<test::IsolatedConfig>();
  file_ = config_->path() + QStringLiteral("/contract.pdf");
  content_ = test::writeRandomFile(file_, 300'000);
  SettingsStore().saveSettings(test::servingSettings(test::freePort()));
}

void TestShareProperties::cleanup() {
  w_.reset();
  config_.reset();
}

void TestShareProperties::openWindow() {
  w_ = std::make_unique<MainWindow>(SettingsStore{});
  w_->startIfWanted();
  QVERIFY(w_->isServing());
  if (w_->sharesModel()->rowCount() == 0) QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(file_)}), 1);
  w_->show();
  QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
  w_->sharesView()->setCurrentIndex(w_->sharesProxy()->index(0, 0));
}

void TestShareProperties::dialogSetsRulesThatReachTheServer() {
  openWindow();
  QString password;
  auto asked = test::answerNextDialog([&](QWidget* d) {
    child<QLineEdit>(d, "expiryText")->setText(QStringLiteral("in 2 hours"));
    QVERIFY(child<QLabel>(d, "expiryResult")->text().contains(QStringLiteral("(in 2 hours)")));
    child<QCheckBox>(d, "limited")->setChecked(true);
    child<QSpinBox>(d, "limit")->setValue(3);
    child<QPushButton>(d, "generate")->click();
    password = child<QLineEdit>(d, "password")->text();
    screenshot(d, "properties");
    static_cast<QDialog*>(d)->accept();
  });
  const QDateTime before = QDateTime::currentDateTime();
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(asked->startsWith(QStringLiteral("Properties of contract.pdf")));
  // Readable: syllables and a number, and never the same twice.
  QVERIFY2(QRegularExpression(QStringLiteral("^([a-z]{4}-){3}[0-9]{2}$")).match(password).hasMatch(), qPrintable(password));
  QVERIFY(password != readablePassword());

  const auto share = w_->bridge()->share(token());
  QVERIFY(share);
  QCOMPARE(share->rules.downloadLimit, 3u);
  QCOMPARE(QString::fromStdString(share->rules.password), password);
  QVERIFY(share->rules.expires);
  const QDateTime expires = toQDateTime(*share->rules.expires);
  QVERIFY(expires >= before.addSecs(7200) && expires <= QDateTime::currentDateTime().addSecs(7200));

  QCOMPARE(cell(SharesModel::Expires).toString(), QStringLiteral("in 2 h"));
  QCOMPARE(cell(SharesModel::Downloads).toString(), QStringLiteral("0 of 3"));
  QVERIFY(cell(SharesModel::Link, SharesModel::PasswordRole).toBool());
  QVERIFY(!cell(SharesModel::Expires, Qt::DecorationRole).value<QIcon>().isNull());
  QVERIFY(cell(SharesModel::Expires, Qt::ToolTipRole).toString().startsWith(QStringLiteral("The link stops working today")) ||
          cell(SharesModel::Expires, Qt::ToolTipRole).toString().startsWith(QStringLiteral("The link stops working tomorrow")));
  screenshot(w_.get(), "main_window");

  // Removed again: a plain link.
  asked = test::answerNextDialog([&](QWidget* d) {
    auto* expiry = child<QComboBox>(d, "expiry");
    QVERIFY(expiry->itemText(0).startsWith(QStringLiteral("As set: ")));
    expiry->setCurrentIndex(expiry->findText(QStringLiteral("Never")));
    child<QCheckBox>(d, "limited")->setChecked(false);
    child<QPushButton>(d, "removePassword")->click();
    static_cast<QDialog*>(d)->accept();
  });
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(!asked->isEmpty());
  QVERIFY(!w_->bridge()->share(token())->rules.any());
  QCOMPARE(cell(SharesModel::Expires).toString(), QStringLiteral("never"));
  QCOMPARE(cell(SharesModel::Downloads).toString(), QStringLiteral("0"));
  QVERIFY(!cell(SharesModel::Link, SharesModel::PasswordRole).toBool());
}

void TestShareProperties::badValuesAreRefusedWithASentence() {
  openWindow();
  struct Case {
    const char* expiry;
    const char* password;
    const char* says;
  };
  for (const Case& c : {Case{"whenever", "", "does not understand"}, Case{"2020-01-01 10:00", "", "already passed"},
                        Case{"", "ab", "at least 4 characters"}, Case{"", " spaced ", "begin or end with a space"}}) {
    bool stayed = false;
    QString problem;
    auto asked = test::answerNextDialog([&](QWidget* d) {
      auto* dialog = static_cast<QDialog*>(d);
      if (*c.expiry) child<QLineEdit>(d, "expiryText")->setText(QString::fromLatin1(c.expiry));
      child<QLineEdit>(d, "password")->setText(QString::fromLatin1(c.password));
      dialog->accept();
      stayed = dialog->isVisible();
      problem = child<QLabel>(d, "problem")->text();
      dialog->reject();
    });
    w_->action(MainWindow::Action::Properties)->trigger();
    QVERIFY(!asked->isEmpty());
    QVERIFY2(stayed, c.says);
    QVERIFY2(problem.contains(QString::fromLatin1(c.says)), qPrintable(problem));
    QVERIFY(problem.endsWith(QLatin1Char('.')));
    QVERIFY(!w_->bridge()->share(token())->rules.any());
  }
}

void TestShareProperties::doubleClickOpensProperties() {
  openWindow();
  auto asked = test::answerNextDialog([](QWidget* d) { static_cast<QDialog*>(d)->reject(); });
  TableView* view = w_->sharesView();
  const QRect r = view->visualRect(w_->sharesProxy()->index(0, SharesModel::Name));
  // A double click is a press, a release, then the second press.
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, r.center());
  QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, r.center());
  QVERIFY(waitFor([&] { return !asked->isEmpty(); }, 3000));
  QCOMPARE(*asked, QStringLiteral("Properties of contract.pdf"));
}

void TestShareProperties::newLinksEndAfterADayByDefault() {
  QCOMPARE(AppSettings{}.newLinkExpirySeconds, std::uint32_t(24 * 3600));
  // A share saved while new links never ended keeps no end.
  openWindow();
  QVERIFY(!w_->sharesModel()->entry(0).rules.expires);
  w_.reset();
  AppSettings s = test::servingSettings(test::freePort());
  s.newLinkExpirySeconds = AppSettings{}.newLinkExpirySeconds;  // the default
  SettingsStore().saveSettings(s);
  openWindow();
  QCOMPARE(w_->sharesModel()->rowCount(), 1);
  QVERIFY(!w_->sharesModel()->entry(0).rules.expires);
  QCOMPARE(cell(SharesModel::Expires).toString(), QStringLiteral("never"));

  // A new one ends a day from now, in the list and at the server.
  const QString fresh = config_->path() + QStringLiteral("/photo.jpg");
  test::writeRandomFile(fresh, 1000);
  const auto before = std::chrono::system_clock::now();
  QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(fresh)}), 1);
  const int row = w_->sharesModel()->rowOfPath(QFileInfo(fresh).absoluteFilePath());
  QVERIFY(row >= 0);
  const auto expires = w_->sharesModel()->entry(row).rules.expires;
  QVERIFY(expires);
  QVERIFY(*expires >= before + std::chrono::hours(24) - std::chrono::seconds(1));
  QVERIFY(*expires <= std::chrono::system_clock::now() + std::chrono::hours(24));
  const auto served = w_->bridge()->share(w_->sharesModel()->entry(row).token);
  QVERIFY(served && served->rules.expires == expires);
  QVERIFY2(w_->sharesModel()->index(row, SharesModel::Expires).data().toString().startsWith(QStringLiteral("in ")),
           qPrintable(w_->sharesModel()->index(row, SharesModel::Expires).data().toString()));
  QCOMPARE(curlStatus(w_->sharesModel()->linkAt(row)), 200);  // and works until then

  // Settings: one choice among never, an hour, a day, a week.
  auto asked = test::answerNextDialog([](QWidget* d) {
    auto* dialog = qobject_cast<SettingsDialog*>(d);
    QVERIFY(dialog);
    QComboBox* c = dialog->newLinkExpiry();
    QCOMPARE(c->currentText(), QStringLiteral("After 1 day"));
    QStringList choices;
    for (int i = 0; i < c->count(); ++i) choices << c->itemText(i);
    QCOMPARE(choices, (QStringList{"Never (until removed)", "After 1 hour", "After 1 day", "After 1 week"}));
    c->setCurrentIndex(c->findData(3600u));
    dialog->accept();
  });
  w_->action(MainWindow::Action::Settings)->trigger();
  QCOMPARE(*asked, QStringLiteral("Ferry Settings"));
  QCOMPARE(SettingsStore().loadSettings().newLinkExpirySeconds, std::uint32_t(3600));
  const QString third = config_->path() + QStringLiteral("/third.txt");
  test::writeRandomFile(third, 10);
  QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(third)}), 1);
  const auto hour = w_->sharesModel()->entry(w_->sharesModel()->rowOfPath(QFileInfo(third).absoluteFilePath())).rules.expires;
  QVERIFY(hour && *hour <= std::chrono::system_clock::now() + std::chrono::hours(1));
  // The first share is still as it was saved.
  QVERIFY(!w_->sharesModel()->entry(w_->sharesModel()->rowOfPath(QFileInfo(file_).absoluteFilePath())).rules.expires);
}

void TestShareProperties::propertiesSpeakPlainlyAndStartAtTheTop() {
  openWindow();
  QString focused, one, three;
  auto asked = test::answerNextDialog([&](QWidget* d) {
    focused = QApplication::focusWidget() ? QApplication::focusWidget()->objectName() : QString();
    auto* limit = child<QSpinBox>(d, "limit");
    limit->setValue(1);
    one = limit->text();
    limit->setValue(3);
    three = limit->text();
    static_cast<QDialog*>(d)->reject();
  });
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(!asked->isEmpty());
  QCOMPARE(focused, QStringLiteral("expiry"));  // not Rotate Link…
  QCOMPARE(one, QStringLiteral("1 complete download"));
  QCOMPARE(three, QStringLiteral("3 complete downloads"));
}

void TestShareProperties::aFolderSaysItsLimitCountsDevices() {
  const QString folder = config_->path() + QStringLiteral("/Weekend");
  QVERIFY(QDir().mkpath(folder));
  test::writeRandomFile(folder + QStringLiteral("/a.jpg"), 1000);
  w_ = std::make_unique<MainWindow>(SettingsStore{});
  w_->startIfWanted();
  QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(folder)}), 1);
  openWindow();
  QString one, three, note;
  auto asked = test::answerNextDialog([&](QWidget* d) {
    auto* limit = child<QSpinBox>(d, "limit");
    child<QCheckBox>(d, "limited")->setChecked(true);
    limit->setValue(1);
    one = limit->text();
    limit->setValue(3);
    three = limit->text();
    note = child<QLabel>(d, "limitNote")->text();
    static_cast<QDialog*>(d)->reject();
  });
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(!asked->isEmpty());
  QCOMPARE(one, QStringLiteral("1 device"));
  QCOMPARE(three, QStringLiteral("3 devices"));
  QVERIFY2(note.startsWith(QStringLiteral("A folder's limit counts devices: each may open, view and download anything "
                                          "in it, the zip too")),
           qPrintable(note));
}

void TestShareProperties::theLinkWithCopyAndItsCodeAndOneExpiryControl() {
  openWindow();
  const QString link = w_->sharesModel()->linkAt(0);
  QString code, copied;
  int lineEdits = 0;
  bool codeShown = false;
  auto asked = test::answerNextDialog([&](QWidget* d) {
    auto* qr = child<QrCodeWidget>(d, "code");
    code = qr->text();
    codeShown = qr->isVisible() && qr->modules() > 0;
    QApplication::clipboard()->clear();
    child<QPushButton>(d, "copyLink")->click();
    copied = QApplication::clipboard()->text();
    // The expiry is one control: the text typed into it is the expiry.
    auto* expiry = child<QComboBox>(d, "expiry");
    QVERIFY(expiry->isEditable());
    QCOMPARE(child<QLineEdit>(d, "expiryText")->parentWidget(), expiry);
    for (QLineEdit* e : d->findChildren<QLineEdit*>())  // a spin box's own field aside
      lineEdits += e->parentWidget() != expiry && !qobject_cast<QAbstractSpinBox*>(e->parentWidget());
    child<QLineEdit>(d, "expiryText")->setText(QStringLiteral("in 3 hours"));
    static_cast<QDialog*>(d)->accept();
  });
  const QDateTime before = QDateTime::currentDateTime();
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(!asked->isEmpty());
  QCOMPARE(code, link);
  QVERIFY(codeShown);
  QCOMPARE(copied, link);
  QCOMPARE(lineEdits, 1);  // the password's
  const auto share = w_->bridge()->share(w_->sharesModel()->index(0, 0).data(SharesModel::TokenRole).toString());
  QVERIFY(share && share->rules.expires);
  const QDateTime ends = toQDateTime(*share->rules.expires);
  QVERIFY(ends >= before.addSecs(3 * 3600 - 5) && ends <= QDateTime::currentDateTime().addSecs(3 * 3600 + 5));
}

void TestShareProperties::rotateEndsTheOldLink() {
  openWindow();
  // A second share after it: the rotated one keeps its place in the list.
  const QString second = config_->path() + QStringLiteral("/second.bin");
  test::writeRandomFile(second, 1000);
  QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(second)}), 1);
  w_->sharesView()->setCurrentIndex(w_->sharesProxy()->index(0, 0));
  w_->sharesView()->selectionModel()->select(w_->sharesProxy()->index(0, 0),
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  const QString oldLink = w_->sharesModel()->linkAt(0);
  QCOMPARE(curlStatus(oldLink), 200);
  QString confirm, shown;
  auto asked = test::answerNextDialog([&](QWidget* d) {
    auto inner = test::answerNextDialog([&](QWidget* box) {
      confirm = static_cast<QMessageBox*>(box)->text();
      static_cast<QMessageBox*>(box)->button(QMessageBox::Yes)->click();
    });
    child<QPushButton>(d, "rotate")->click();  // blocks in the question until answered
    shown = child<QLabel>(d, "link")->text();
    static_cast<QDialog*>(d)->reject();  // rotating needs no OK
  });
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(!asked->isEmpty());
  QVERIFY2(confirm.contains(QStringLiteral("The old link stops working at once")), qPrintable(confirm));
  const QString newLink = w_->sharesModel()->linkAt(0);
  QVERIFY(newLink != oldLink);
  QCOMPARE(shown, newLink.toHtmlEscaped());
  QCOMPARE(curlStatus(oldLink), 404);
  QByteArray body;
  QCOMPARE(curlStatus(newLink, &body), 200);
  QVERIFY(body == content_);
  // Saved at once: a restart keeps the new link, not the old, in its place.
  QCOMPARE(QSettings(SettingsStore::defaultPath(), QSettings::IniFormat)
               .value(QStringLiteral("shares/%1/path").arg(token()))
               .toString(),
           file_);
  w_.reset();
  openWindow();
  QCOMPARE(w_->sharesModel()->rowCount(), 2);
  QCOMPARE(w_->sharesModel()->linkAt(0), newLink);
  QCOMPARE(w_->sharesModel()->entry(1).path, second);
  QCOMPARE(curlStatus(oldLink), 404);
}

void TestShareProperties::rulesAndDeliveriesSurviveARestart() {
  openWindow();
  ShareRules set;
  auto asked = test::answerNextDialog([&](QWidget* d) {
    child<QComboBox>(d, "expiry")->setCurrentIndex(child<QComboBox>(d, "expiry")->findText(QStringLiteral("In 7 days")));
    child<QCheckBox>(d, "limited")->setChecked(true);
    child<QSpinBox>(d, "limit")->setValue(3);
    static_cast<QDialog*>(d)->accept();
  });
  w_->action(MainWindow::Action::Properties)->trigger();
  QVERIFY(!asked->isEmpty());
  set = w_->bridge()->share(token())->rules;
  QCOMPARE(set.downloadLimit, 3u);

  const QString link = w_->sharesModel()->linkAt(0);
  QByteArray body;
  QCOMPARE(curlStatus(link, &body), 200);
  QVERIFY(body == content_);
  QVERIFY(waitFor([&] { return cell(SharesModel::Downloads).toString() == QStringLiteral("1 of 3"); }, 5000));
  w_.reset();  // Ferry quits

  openWindow();
  QCOMPARE(w_->sharesModel()->rowCount(), 1);
  QCOMPARE(w_->sharesModel()->linkAt(0), link);
  QCOMPARE(cell(SharesModel::Downloads).toString(), QStringLiteral("1 of 3"));
  const auto share = w_->bridge()->share(token());
  QVERIFY(share);
  QCOMPARE(share->deliveries, 1u);
  // Saved to the millisecond, restored as set.
  QVERIFY(share->rules.expires);
  QCOMPARE(toQDateTime(*share->rules.expires), toQDateTime(*set.expires));
  QCOMPARE(share->rules.downloadLimit, 3u);
  QCOMPARE(cell(SharesModel::Expires).toString(), QStringLiteral("in 7 d"));
  // And counting goes on from there.
  QCOMPARE(curlStatus(link), 200);
  QVERIFY(waitFor([&] { return cell(SharesModel::Downloads).toString() == QStringLiteral("2 of 3"); }, 5000));
}

void TestShareProperties::endedLinksAreGreyedWithTheReason() {
  // An expiry that has passed, and a limit used up, as a restart finds them.
  const QString second = config_->path() + QStringLiteral("/second.bin");
  test::writeRandomFile(second, 1000);
  openWindow();
  QCOMPARE(w_->shareFiles({QUrl::fromLocalFile(second)}), 1);
  w_.reset();
  QSettings ini(SettingsStore::defaultPath(), QSettings::IniFormat);
  ini.beginGroup(QStringLiteral("shares"));
  QStringList tokens = ini.childGroups();
  QCOMPARE(tokens.size(), 2);
  QString first = ini.value(tokens[0] + QStringLiteral("/path")).toString() == file_ ? tokens[0] : tokens[1];
  QString other = first == tokens[0] ? tokens[1] : tokens[0];
  const QDateTime past = QDateTime::currentDateTime().addSecs(-120);
  ini.setValue(first + QStringLiteral("/expires"), past.toUTC().toString(Qt::ISODateWithMs));
  ini.setValue(other + QStringLiteral("/downloadLimit"), 2);
  ini.setValue(other + QStringLiteral("/deliveries"), 2);
  ini.sync();

  openWindow();
  SharesModel* m = w_->sharesModel();
  const int a = m->rowOf(first), b = m->rowOf(other);
  const QString expired = m->index(a, 0).data(SharesModel::EndedRole).toString();
  const QString time = clockTime(past.time());
  if (past.date() == QDate::currentDate()) QCOMPARE(expired, QStringLiteral("This link expired at %1").arg(time));
  else QVERIFY(expired.startsWith(QStringLiteral("This link expired on")));
  QCOMPARE(m->index(a, SharesModel::Expires).data().toString(), QStringLiteral("ended"));
  QCOMPARE(m->index(b, 0).data(SharesModel::EndedRole).toString(), QStringLiteral("This link was used 2 times"));
  QCOMPARE(m->index(b, SharesModel::Downloads).data().toString(), QStringLiteral("2 of 2"));
  const QBrush grey = QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
  for (int row : {a, b}) {
    QCOMPARE(m->index(row, SharesModel::Name).data(Qt::ForegroundRole).value<QBrush>(), grey);
    QVERIFY(m->index(row, SharesModel::Link).data(Qt::ToolTipRole).toString().startsWith(
        m->index(row, 0).data(SharesModel::EndedRole).toString() + QLatin1Char('.')));
  }
  // The server has the same rules: restored before the first request.
  QCOMPARE(w_->bridge()->share(other)->deliveries, 2u);
  QCOMPARE(w_->bridge()->share(other)->rules.downloadLimit, 2u);
  QVERIFY(toQDateTime(*w_->bridge()->share(first)->rules.expires) <= QDateTime::currentDateTime());
  screenshot(w_.get(), "main_window_ended");
}

QTEST_MAIN(TestShareProperties)
#include "tst_share_properties.moc"
