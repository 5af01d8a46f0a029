#pragma once

// SingleInstance: one Ferry window per user session and settings file. A
// QLockFile decides which process is the primary (a lock left by a crashed
// Ferry is taken over: QLockFile sees its process is gone); the primary
// listens on a QLocalServer, and a later `ferry FILE...` hands its paths
// over (instance_message.h), waits for the acknowledgement and exits. The
// primary queues what arrives until the window takes it (setHandler), so
// a launch during start-up is not lost. Owns the lock, the server and the
// connections being read.
//
// GUI thread only (the thread that created it).

#include <functional>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QStringList>

class QLocalServer;
class QLocalSocket;

namespace ferry::ui {

class SingleInstance final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(SingleInstance)

 public:
  enum class Role {
    Primary,    // this process holds the lock and listens
    Forwarded,  // the running Ferry has the paths: exit 0
    Failed,     // neither: error() says why
  };

  // `key` names the instance: defaultKey() for the real app, a test's own.
  explicit SingleInstance(const QString& key, QObject* parent = nullptr);
  ~SingleInstance() override;

  // Scoped to the user, the login session and the settings file: two Ferrys
  // on one settings file would overwrite each other's shares.
  static QString defaultKey();

  // Becomes the primary, or hands `paths` (absolute) to the one running,
  // retrying until `timeoutMs` while the primary is still starting.
  Role start(const QStringList& paths, int timeoutMs = 10'000);
  QString error() const { return error_; }

  QString lockPath() const { return lock_.fileName(); }
  QString serverName() const { return serverName_; }

  // Primary: where the paths of later launches go. Those that came before
  // are handed over now; each sender gets its acknowledgement once its
  // paths were handed over.
  void setHandler(std::function<void(const QStringList&)> handler);

 private:
  enum class Delivery { NotConnected, Delivered, Refused, NoAnswer };
  Delivery deliver(const QByteArray& message, int timeoutMs);
  bool listen();
  void onNewConnection();
  void onReadyRead(QLocalSocket* socket);
  void finish(QLocalSocket* socket, char answer);

  QLockFile lock_;
  QString serverName_;
  QString error_;
  QLocalServer* server_ = nullptr;
  QHash<QLocalSocket*, QByteArray> reading_;
  std::function<void(const QStringList&)> handler_;
  QList<std::pair<QLocalSocket*, QStringList>> waiting_;  // arrived before a handler
};

}  // namespace ferry::ui
