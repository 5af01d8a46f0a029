#include "desktop/single_instance.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#ifdef Q_OS_WIN
#ifndef NOMINMAX
#define NOMINMAX  // std::min and std::max below, not windows.h's macros
#endif
#include <windows.h>
#endif

#include "desktop/instance_message.h"
#include "settings/settings_store.h"

namespace ferry::ui {
namespace {

// A sender that connects and then says nothing is dropped after this.
constexpr int kReadTimeoutMs = 5000;

// The user's runtime directory (XDG_RUNTIME_DIR, or the private one Qt
// makes in /tmp without it), asked once: Qt warns each time it is unset.
QString runtimeDir() {
  static const QString dir = [] {
#ifdef Q_OS_WIN
    // The user's own %TEMP%: Qt's runtime location there is the profile
    // folder itself, where a lock file would sit in plain sight.
    QString d = QDir::tempPath();
#else
    QString d = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (d.isEmpty()) d = QDir::tempPath();
#endif
    QDir().mkpath(d);
    return d;
  }();
  return dir;
}

}  // namespace

QString SingleInstance::defaultKey() {
  const QByteArray scope = SettingsStore::defaultPath().toUtf8() + '\n' + qgetenv("XDG_SESSION_ID") + '\n' +
                           qgetenv("USER") + qgetenv("USERNAME");
  return QString::fromLatin1(QCryptographicHash::hash(scope, QCryptographicHash::Sha256).toHex().left(16));
}

SingleInstance::SingleInstance(const QString& key, QObject* parent)
    : QObject(parent), lock_(runtimeDir() + QStringLiteral("/ferry-%1.lock").arg(key)) {
  // Never stale by age: only a lock whose process is gone is taken over.
  lock_.setStaleLockTime(0);
#ifdef Q_OS_WIN
  serverName_ = QStringLiteral("ferry-%1").arg(key);  // a named pipe, not a path
#else
  // A full path keeps the socket beside the lock, in the user's own
  // runtime directory (mode 0700), not in a shared /tmp.
  serverName_ = runtimeDir() + QStringLiteral("/ferry-%1.socket").arg(key);
#endif
}

SingleInstance::~SingleInstance() {
  if (server_) server_->close();
}

SingleInstance::Role SingleInstance::start(const QStringList& paths, int timeoutMs) {
  QByteArray message;
  QString why;
  if (!instance::encode(paths, message, why)) {
    error_ = why;
    return Role::Failed;
  }
  QDeadlineTimer deadline(timeoutMs);
#ifdef Q_OS_WIN
  // Windows lets only the foreground process raise a window: this launch
  // (started by Explorer, in front) lends that right to the running Ferry.
  ::AllowSetForegroundWindow(ASFW_ANY);
#endif
  for (;;) {
    if (lock_.tryLock(0)) return listen() ? Role::Primary : Role::Failed;
    if (lock_.error() != QLockFile::LockFailedError) {
      error_ = tr("cannot create %1 (%2)")
                   .arg(lock_.fileName(),
                        lock_.error() == QLockFile::PermissionError ? tr("permission denied") : tr("unknown error"));
      return Role::Failed;
    }
    // Someone holds the lock: hand the paths over once it listens.
    const int slice = int(std::min<qint64>(deadline.remainingTime(), 1000));
    switch (deliver(message, std::max(slice, 1))) {
      case Delivery::Delivered: return Role::Forwarded;
      case Delivery::Refused:
        error_ = tr("the running Ferry refused the files");
        return Role::Failed;
      case Delivery::NoAnswer:
      case Delivery::NotConnected: break;
    }
    if (deadline.hasExpired()) {
      qint64 pid = 0;
      QString host, app;
      lock_.getLockInfo(&pid, &host, &app);
      error_ = tr("another Ferry (process %1) is running but did not answer within %2 s").arg(pid).arg(timeoutMs / 1000);
      return Role::Failed;
    }
    QThread::msleep(50);  // the primary has the lock and is about to listen
  }
}

SingleInstance::Delivery SingleInstance::deliver(const QByteArray& message, int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  QLocalSocket socket;
  socket.connectToServer(serverName_);
  if (!socket.waitForConnected(int(deadline.remainingTime()))) return Delivery::NotConnected;
  socket.write(message);
  while (socket.bytesToWrite() > 0)
    if (!socket.waitForBytesWritten(int(std::max<qint64>(deadline.remainingTime(), 1)))) return Delivery::NoAnswer;
  while (socket.bytesAvailable() < 1)
    if (!socket.waitForReadyRead(int(std::max<qint64>(deadline.remainingTime(), 1)))) return Delivery::NoAnswer;
  char answer = 0;
  socket.getChar(&answer);
  return answer == instance::kAck ? Delivery::Delivered : Delivery::Refused;
}

bool SingleInstance::listen() {
  server_ = new QLocalServer(this);
  server_->setSocketOptions(QLocalServer::UserAccessOption);
  // Holding the lock, any socket by this name is a crashed primary's.
  QLocalServer::removeServer(serverName_);
  if (!server_->listen(serverName_)) {
    error_ = tr("cannot listen on %1: %2").arg(serverName_, server_->errorString());
    return false;
  }
  connect(server_, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
  return true;
}

void SingleInstance::setHandler(std::function<void(const QStringList&)> handler) {
  handler_ = std::move(handler);
  const auto waiting = std::exchange(waiting_, {});
  for (const auto& [socket, paths] : waiting) {
    handler_(paths);
    finish(socket, instance::kAck);
  }
}

void SingleInstance::onNewConnection() {
  while (QLocalSocket* s = server_->nextPendingConnection()) {
    reading_.insert(s, {});
    connect(s, &QLocalSocket::readyRead, this, [this, s] { onReadyRead(s); });
    connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
    connect(s, &QObject::destroyed, this, [this, s] {
      reading_.remove(s);
      waiting_.removeIf([s](const auto& w) { return w.first == s; });
    });
    QTimer::singleShot(kReadTimeoutMs, s, [this, s] {
      if (reading_.contains(s)) finish(s, instance::kRefused);
    });
    if (s->bytesAvailable() > 0) onReadyRead(s);
  }
}

void SingleInstance::onReadyRead(QLocalSocket* socket) {
  auto it = reading_.find(socket);
  if (it == reading_.end()) return;
  it->append(socket->readAll());
  const instance::Decoded d = instance::decode(*it);
  if (d.status == instance::Decoded::Status::Incomplete) return;
  reading_.erase(it);
  if (d.status == instance::Decoded::Status::Bad) {
    qWarning("ferry: a message from another launch was refused: %s", qPrintable(d.error));
    finish(socket, instance::kRefused);
    return;
  }
  if (!handler_) {
    waiting_.push_back({socket, d.paths});
    return;
  }
  handler_(d.paths);
  finish(socket, instance::kAck);
}

void SingleInstance::finish(QLocalSocket* socket, char answer) {
  reading_.remove(socket);
  socket->write(&answer, 1);
  socket->flush();
  socket->disconnectFromServer();
}

}  // namespace ferry::ui
