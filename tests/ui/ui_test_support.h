#pragma once

// Helpers shared by the UI tests: an isolated config directory, files with
// known content, free ports and waiting on conditions. Header only.

#include <functional>

#include <QByteArray>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QString>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace ferry::test {

// Points XDG_CONFIG_HOME and HOME at a fresh temporary directory, so the
// app's QSettings file (QStandardPaths::AppConfigLocation) is the test's own.
class IsolatedConfig {
 public:
  IsolatedConfig() {
    qputenv("XDG_CONFIG_HOME", QByteArray(dir_.path().toUtf8() + "/config"));
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

}  // namespace ferry::test
