#pragma once

// Helpers shared by the UI tests: an isolated config directory, files with
// known content, free ports, waiting on conditions and answering the next
// modal dialog. Header only.

#include <functional>
#include <memory>

#include <QApplication>
#include <QByteArray>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QString>
#include <QTcpServer>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QTest>

#include "settings/settings_store.h"

namespace ferry::test {

// Points XDG_CONFIG_HOME, XDG_DATA_HOME and HOME at a fresh temporary
// directory, so the app's QSettings file (QStandardPaths::AppConfigLocation)
// and its delivery history (AppDataLocation) are the test's own.
class IsolatedConfig {
 public:
  IsolatedConfig() {
    qputenv("XDG_CONFIG_HOME", QByteArray(dir_.path().toUtf8() + "/config"));
    qputenv("XDG_DATA_HOME", QByteArray(dir_.path().toUtf8() + "/data"));
    qputenv("HOME", dir_.path().toUtf8());
  }
  QString path() const { return dir_.path(); }

 private:
  QTemporaryDir dir_;
};

inline bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// A file of `size` random bytes; returns its contents.
inline QByteArray writeRandomFile(const QString& path, qint64 size) {
  QByteArray data(size, Qt::Uninitialized);
  auto* gen = QRandomGenerator::global();
  for (qint64 i = 0; i < size; ++i) data[i] = static_cast<char>(gen->generate() & 0xff);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(data) != size) qFatal("cannot write %s", qPrintable(path));
  return data;
}

// Settings for a window that serves at once on `port`, with links on
// 127.0.0.1 and no tray (a test's window closes for good). New links never
// end here: the suites about rules set their own (tst_share_properties
// tests the default of a day).
inline ui::AppSettings servingSettings(quint16 port) {
  ui::AppSettings s;
  s.newLinkExpirySeconds = 0;
  s.port = port;
  s.linkHost = QStringLiteral("127.0.0.1");
  s.startOnLaunch = true;
  s.keepInTray = false;
  return s;
}

inline quint16 freePort() {
  QTcpServer probe;
  if (!probe.listen(QHostAddress::LocalHost, 0)) return 0;
  return probe.serverPort();
}

// Runs the event loop until cond() holds or the time is up.
inline bool waitFor(const std::function<bool()>& cond, int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  while (!cond()) {
    if (deadline.hasExpired()) return false;
    QTest::qWait(10);
  }
  return true;
}

// Answers the next modal dialog once it shows (QMessageBox::question and
// QDialog::exec block until then). The returned text is what it asked (a
// message box's text, else the window title); empty while none came.
inline std::shared_ptr<QString> answerNextDialog(std::function<void(QWidget*)> answer) {
  auto asked = std::make_shared<QString>();
  auto* timer = new QTimer;
  auto ticks = std::make_shared<int>(0);
  QObject::connect(timer, &QTimer::timeout, [timer, answer, asked, ticks] {
    QWidget* w = QApplication::activeModalWidget();
    if (!w) {
      if (++*ticks > 250) timer->deleteLater();  // 5 s: none is coming
      return;
    }
    timer->stop();
    timer->deleteLater();
    auto* box = qobject_cast<QMessageBox*>(w);
    *asked = box ? box->text() : w->windowTitle();
    answer(w);
  });
  timer->start(20);
  return asked;
}

}  // namespace ferry::test
