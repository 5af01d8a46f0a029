#include "server_bridge.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QTcpServer>

namespace ferry::ui {
namespace {

QHostAddress listenAddress(const QString& bind) {
  if (bind.isEmpty() || bind == QLatin1String("*")) return QHostAddress::Any;
  QHostAddress a(bind);
  return a.isNull() ? QHostAddress(QHostAddress::Any) : a;
}

}  // namespace

ServerBridge::ServerBridge(QObject* parent)
    : QObject(parent), server_(std::make_unique<Server>()), latest_(std::make_shared<StatsSnapshot>()) {
  server_->setFolderListener([this](const std::string& token) { onFolderChanged(token); });
  // On the loop thread: queued to this object, so an ask that ends while
  // the bridge goes away is dropped with it.
  server_->setReceiveAskListener([this](const ReceiveAsk& ask, ReceiveAskState state) {
    QMetaObject::invokeMethod(this, [this, ask, state] { emit receiveAskChanged(ask, state); }, Qt::QueuedConnection);
  });
  // Listening for text is what makes the page show its nearby area (send
  // text, receive what is sent): the window shows both sides.
  server_->setNearbyListener([this](const NearbyDevice& device, bool here) {
    QMetaObject::invokeMethod(this, [this, device, here] { emit nearbyChanged(device, here); }, Qt::QueuedConnection);
  });
  server_->setNearbyTextListener([this](const NearbyDevice& from, const std::string& text) {
    QMetaObject::invokeMethod(
        this, [this, from, text = QString::fromStdString(text)] { emit nearbyTextArrived(from, text); },
        Qt::QueuedConnection);
  });
  server_->setLocalSendPinListener([this](std::uint64_t session, std::uint64_t device, const std::string& name,
                                          bool wrong) {
    QMetaObject::invokeMethod(
        this, [this, session, device, name = QString::fromStdString(name), wrong] {
          emit localSendPinAsked(session, device, name, wrong);
        },
        Qt::QueuedConnection);
  });
  // On the loop thread (or stop()'s): one delivery queued at a time.
  server_->setUnfinishedUploadsListener([this] {
    if (unfinishedQueued_.exchange(true)) return;
    QMetaObject::invokeMethod(
        this,
        [this] {
          unfinishedQueued_ = false;
          emit unfinishedUploadsChanged();
        },
        Qt::QueuedConnection);
  });
}

ServerBridge::~ServerBridge() {
  // Joins the worker: after this no snapshot can arrive, and a delivery
  // already queued dies with this object.
  server_->stop();
}

ServerBridge::StartResult ServerBridge::start(const ServerOptions& options) {
  StartResult result;
  if (server_->running()) {
    result.ok = true;
    return result;
  }
  const std::uint64_t run = run_ + 1;
  server_->setSnapshotListener([this, run](std::shared_ptr<const StatsSnapshot> s) { onLoopSnapshot(run, std::move(s)); });
  std::string error;
  if (!server_->start(options, &error)) {
    result.error = QString::fromStdString(error);
    if (options.port != 0) {
      // Ask the OS rather than parse the message: can we take the port?
      QTcpServer probe;
      result.portBusy = !probe.listen(listenAddress(QString::fromStdString(options.bind)), options.port) &&
                        probe.serverError() == QAbstractSocket::AddressInUseError;
    }
    return result;
  }
  run_ = run;
  latest_ = std::make_shared<StatsSnapshot>();
  result.ok = true;
  emit runningChanged(true);
  return result;
}

void ServerBridge::stop() {
  if (!server_->running()) return;
  server_->stop();
  // The worker has published its last word and is gone: deliver it now, so
  // the models see every transfer's end before they hear of the stop.
  deliver();
  emit runningChanged(false);
}

bool ServerBridge::isRunning() const { return server_->running(); }

std::uint16_t ServerBridge::port() const { return server_->port(); }

bool ServerBridge::secure() const { return server_->secure(); }

bool ServerBridge::plainHttpToo() const { return server_->plainHttpToo(); }

LocalCaStatus ServerBridge::localCa() const { return server_->localCa(); }

QString ServerBridge::pollerName() const { return QString::fromStdString(server_->pollerName()); }

std::optional<Share> ServerBridge::addShare(const QString& path, QString* error, const QString& token) {
  std::string err;
  auto share = server_->addShare(path.toStdString(), &err, token.toStdString());
  if (!share && error) *error = QString::fromStdString(err);
  return share;
}

bool ServerBridge::removeShare(const QString& token) { return server_->removeShare(token.toStdString()); }

bool ServerBridge::hasShare(const QString& token) const { return server_->share(token.toStdString()).has_value(); }

std::optional<Share> ServerBridge::share(const QString& token) const { return server_->share(token.toStdString()); }

bool ServerBridge::setRules(const QString& token, const ShareRules& rules) {
  return server_->setRules(token.toStdString(), rules);
}

bool ServerBridge::setDeliveries(const QString& token, std::uint32_t count) {
  return server_->setDeliveries(token.toStdString(), count);
}

std::vector<Recipient> ServerBridge::recipients(const QString& token) const {
  return server_->recipients(token.toStdString());
}

bool ServerBridge::setRecipients(const QString& token, const std::vector<Recipient>& recipients) {
  return server_->setRecipients(token.toStdString(), recipients);
}

std::optional<Share> ServerBridge::rotateShare(const QString& token) { return server_->rotateShare(token.toStdString()); }

bool ServerBridge::setShowHidden(const QString& token, bool show) {
  return server_->setShowHidden(token.toStdString(), show);
}

std::optional<FolderSummary> ServerBridge::folderSummary(const QString& token) const {
  return server_->folderSummary(token.toStdString());
}

void ServerBridge::setCacheDirectory(const QString& dir) {
  if (!dir.isEmpty()) QDir().mkpath(dir);  // the cache is written into it, not made
  server_->setCacheDirectory(dir.toStdString());
}

void ServerBridge::setRateLimit(std::uint64_t bytesPerSecond) { server_->setRateLimit(bytesPerSecond); }

void ServerBridge::setMdnsName(const QString& name) { server_->setMdnsName(name.toStdString()); }

std::optional<ReceiveFolder> ServerBridge::setReceiveFolder(const QString& dir, QString* error, const QString& token) {
  std::string err;
#ifdef _WIN32
  // core takes UTF-8 paths on Windows and widens them itself; the ANSI code
  // page that encodeName() uses there cannot hold every name.
  const std::string path = dir.toUtf8().toStdString();
#else
  const std::string path = QFile::encodeName(dir).toStdString();
#endif
  auto folder = server_->setReceiveFolder(path, &err, token.toStdString());
  if (!folder && error) *error = QString::fromStdString(err);
  return folder;
}

void ServerBridge::stopReceiving() { server_->stopReceiving(); }

QString ServerBridge::receiveLink(const QString& host) const {
  if (!server_->running()) return {};
  return QString::fromStdString(server_->receiveLink(host.toStdString(), plainLinks_ ? "http" : ""));
}

void ServerBridge::setReceivePolicy(const ReceivePolicy& policy) { server_->setReceivePolicy(policy); }

ReceivePolicy ServerBridge::receivePolicy() const { return server_->receivePolicy(); }

void ServerBridge::answerReceiveAsk(std::uint64_t id, ReceiveAnswer answer) { server_->answerReceiveAsk(id, answer); }

void ServerBridge::acceptReceiveDevice(const QString& key) { server_->acceptReceiveDevice(key.toStdString()); }

std::vector<NearbyDevice> ServerBridge::nearbyDevices() const { return server_->nearbyDevices(); }

LocalSendStatus ServerBridge::setLocalSend(const ServerOptions& options) { return server_->setLocalSend(options); }

LocalSendStatus ServerBridge::localSend() const { return server_->localSend(); }

void ServerBridge::setSharerName(const QString& name) { server_->setSharerName(name.toStdString()); }

void ServerBridge::answerLocalSendPin(std::uint64_t session, const QString& pin) {
  server_->answerLocalSendPin(session, pin.toStdString());
}

bool ServerBridge::sendToDevice(std::uint64_t device, const QStringList& paths, QString* error, QStringList* links) {
  std::vector<std::string> list;
  for (const QString& p : paths) list.push_back(p.toStdString());
  std::string err;
  std::vector<std::string> tokens;
  const bool ok = server_->sendToDevice(device, list, &err, &tokens);
  if (!ok && error) *error = QString::fromStdString(err);
  if (links) {
    links->clear();
    for (const std::string& t : tokens) links->push_back(QString::fromStdString(t));
  }
  return ok;
}

bool ServerBridge::sendText(std::uint64_t device, const QString& text, QString* error) {
  std::string err;
  const bool ok = server_->sendText(device, text.toStdString(), &err);
  if (!ok && error) *error = QString::fromStdString(err);
  return ok;
}

std::vector<UnfinishedUpload> ServerBridge::unfinishedUploads() const { return server_->unfinishedUploads(); }

void ServerBridge::discardUnfinishedUpload(const QString& id) { server_->discardUnfinishedUpload(id.toStdString()); }

void ServerBridge::cancelTransfer(std::uint64_t run, std::uint64_t id) {
  if (run == run_ && server_->running()) server_->cancelTransfer(id);
}

std::uint16_t ServerBridge::findFreePort(const QString& bind) {
  QTcpServer probe;
  if (!probe.listen(listenAddress(bind), 0)) return 0;
  return probe.serverPort();
}

void ServerBridge::onLoopSnapshot(std::uint64_t run, std::shared_ptr<const StatsSnapshot> snap) {
  {
    std::lock_guard lock(mutex_);
    pendingRun_ = run;
    pending_ = std::move(snap);
  }
  // Coalesce: while a delivery is queued, newer snapshots just replace the
  // pending one.
  if (!queued_.exchange(true)) QMetaObject::invokeMethod(this, &ServerBridge::deliver, Qt::QueuedConnection);
}

void ServerBridge::deliver() {
  // Clear the flag before taking the snapshot: one that arrives after the
  // take queues a fresh delivery instead of being stranded.
  queued_.store(false);
  std::uint64_t run;
  std::shared_ptr<const StatsSnapshot> snap;
  {
    std::lock_guard lock(mutex_);
    run = pendingRun_;
    snap = std::move(pending_);
    pending_.reset();
  }
  if (!snap) return;
  if (run == run_) latest_ = snap;
  emit snapshotArrived(run, snap);
}

void ServerBridge::onFolderChanged(const std::string& token) {
  bool first;
  {
    std::lock_guard lock(mutex_);
    first = changedFolders_.isEmpty();
    changedFolders_.insert(QString::fromStdString(token));
  }
  // One delivery queued while the set is not empty; it takes the lot.
  if (first) QMetaObject::invokeMethod(this, &ServerBridge::deliverFolders, Qt::QueuedConnection);
}

void ServerBridge::deliverFolders() {
  QSet<QString> changed;
  {
    std::lock_guard lock(mutex_);
    changed.swap(changedFolders_);
  }
  for (const QString& token : changed) emit folderSummaryChanged(token);
}

}  // namespace ferry::ui
