#pragma once

// ServerBridge: the one object in ui/ that talks to core. Owns the
// ferry::Server (and so the worker thread) and moves its statistics to the
// GUI thread: the loop thread hands over each snapshot, the bridge keeps only
// the latest and queues at most one delivery to the GUI thread at a time, so
// the UI's work per second is bounded however busy the server is. News from
// the folder scanner's thread reaches the GUI thread the same way: one
// queued delivery for however many folders changed meanwhile. Receive's
// asks come one queued delivery each: at most ReceiveAsks::kMaxOpen are
// open at once, so they cannot flood the GUI thread. Nearby devices arriving
// and leaving, and the text their pages send, come one queued delivery each
// too (the core caps streams per device and per address, and a page's text
// is one request each), and so do LocalSend devices' requests for a PIN (one
// per send, asked again only once answered).
// is one request each). A change of the unfinished uploads is one queued
// delivery for however many changes came meanwhile; the list itself is read
// from the core when it arrives.
//
// Every public method is for the GUI thread. Each start() begins a new
// "run": transfer ids restart in the core, so ids are qualified by run.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include "server.h"

namespace ferry::ui {

class ServerBridge final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ServerBridge)

 public:
  struct StartResult {
    bool ok = false;
    QString error;          // a sentence for people
    bool portBusy = false;  // another program holds the port
  };

  explicit ServerBridge(QObject* parent = nullptr);
  ~ServerBridge() override;  // stops the server

  StartResult start(const ServerOptions& options);
  // Prompt: the core wakes its loop, closes every connection and joins the
  // worker. The last snapshot of the run is delivered before this returns.
  void stop();
  bool isRunning() const;
  std::uint16_t port() const;  // while running, else 0
  bool secure() const;  // serving HTTPS (links are https://)
  // Serving HTTPS with plain HTTP answered on the same port too.
  bool plainHttpToo() const;
  // Where the port answers both: the window's links (the receive link's
  // too) use http://. Set before start; kept across runs.
  void setPlainLinks(bool plain) { plainLinks_ = plain; }
  // The links the window shows start with https://.
  bool linksSecure() const { return secure() && !(plainLinks_ && plainHttpToo()); }
  // Ferry's own CA while serving with it (its fingerprint, its page).
  LocalCaStatus localCa() const;
  QString pollerName() const;
  std::uint64_t run() const { return run_; }

  std::optional<Share> addShare(const QString& path, QString* error, const QString& token = {});
  bool removeShare(const QString& token);
  bool hasShare(const QString& token) const;
  std::optional<Share> share(const QString& token) const;
  // A share's rules (expiry, download limit, password): the next request
  // obeys them. False if the token is unknown.
  bool setRules(const QString& token, const ShareRules& rules);
  // The complete deliveries a download limit counts, as saved with the share.
  bool setDeliveries(const QString& token, std::uint32_t count);
  std::vector<Recipient> recipients(const QString& token) const;
  bool setRecipients(const QString& token, const std::vector<Recipient>& recipients);
  // A new token: the old link ends at once, as on unsharing.
  std::optional<Share> rotateShare(const QString& token);
  // Folder shares: whether hidden entries are listed and zipped (the folder
  // is counted again), and what the folder holds as counted so far.
  bool setShowHidden(const QString& token, bool show);
  std::optional<FolderSummary> folderSummary(const QString& token) const;
  // Where CRC-32s of zipped files persist between runs; "" = this run only.
  void setCacheDirectory(const QString& dir);
  void setRateLimit(std::uint64_t bytesPerSecond);
  // The name the mDNS responder publishes ("" = none): answered as a Host.
  void setMdnsName(const QString& name);
  // Receive: files sent to this computer go into `dir` (see Server).
  std::optional<ReceiveFolder> setReceiveFolder(const QString& dir, QString* error, const QString& token = {});
  void stopReceiving();
  // "http://HOST:PORT/TOKEN/" while Receive is on and serving, else ""
  // (its scheme that of the window's links).
  QString receiveLink(const QString& host) const;
  // What Receive accepts; the next upload obeys it.
  void setReceivePolicy(const ReceivePolicy& policy);
  ReceivePolicy receivePolicy() const;
  // The user's answer to an ask (receiveAskChanged with kOpen).
  void answerReceiveAsk(std::uint64_t id, ReceiveAnswer answer);
  // A device accepted for good in an earlier run: not asked about again.
  void acceptReceiveDevice(const QString& key);
  // Nearby devices (browsers with this computer's page open, and any other
  // kind the core lists) here now, as the core last said.
  std::vector<NearbyDevice> nearbyDevices() const;
  // Files or folders to one nearby device only (private links that end
  // after a day, or when removeShare() takes one back); false with a
  // sentence when it cannot (nothing sent then). `links` gets the links'
  // tokens, one per path (none for a LocalSend device).
  bool sendToDevice(std::uint64_t device, const QStringList& paths, QString* error, QStringList* links = nullptr);
  // Text (a note, a link) to one nearby device, at most 64 KB.
  bool sendText(std::uint64_t device, const QString& text, QString* error);
  // LocalSend on or off while serving, as the options say (see
  // Server::setLocalSend); what devices see now, or why it is off.
  LocalSendStatus setLocalSend(const ServerOptions& options);
  LocalSendStatus localSend() const;
  // Who shares, as pages say it ("" = this computer's name).
  void setSharerName(const QString& name);
  // The PIN a LocalSend device asked for (localSendPinAsked); "" gives up.
  void answerLocalSendPin(std::uint64_t session, const QString& pin);
  // Uploads from this computer's page that stopped part-way and wait for
  // their sender, as the core last said (empty while stopped).
  std::vector<UnfinishedUpload> unfinishedUploads() const;
  // Forgets one and removes its part file (unfinishedUploadsChanged follows).
  void discardUnfinishedUpload(const QString& id);
  // Ends a download of the current run; ids of earlier runs are ignored.
  void cancelTransfer(std::uint64_t run, std::uint64_t id);

  // The latest snapshot delivered to the GUI thread (never null).
  std::shared_ptr<const StatsSnapshot> latest() const { return latest_; }

  // A port that was free a moment ago on `bind`, for the "port busy" offer.
  static std::uint16_t findFreePort(const QString& bind);

 signals:
  void snapshotArrived(quint64 run, std::shared_ptr<const ferry::StatsSnapshot> snapshot);
  void runningChanged(bool running);
  // What a shared folder holds changed (folderSummary() says what it is now).
  void folderSummaryChanged(const QString& token);
  // A device asks to send files (kOpen), or its ask ended (any other state).
  void receiveAskChanged(const ferry::ReceiveAsk& ask, ferry::ReceiveAskState state);
  // A nearby device arrived (here; again when its name changed) or left.
  void nearbyChanged(const ferry::NearbyDevice& device, bool here);
  // A nearby device's page sent this computer text.
  void nearbyTextArrived(const ferry::NearbyDevice& from, const QString& text);
  // A LocalSend device this computer sends to wants a PIN (again, `wrong`,
  // after one it refused); answered with answerLocalSendPin().
  void localSendPinAsked(quint64 session, quint64 device, const QString& name, bool wrong);
  // The unfinished uploads changed: unfinishedUploads() says what they are now.
  void unfinishedUploadsChanged();

 private:
  void onLoopSnapshot(std::uint64_t run, std::shared_ptr<const StatsSnapshot> snap);  // loop thread
  void deliver();                                                                    // GUI thread
  void onFolderChanged(const std::string& token);  // scanner thread
  void deliverFolders();                           // GUI thread

  std::unique_ptr<Server> server_;
  std::uint64_t run_ = 0;
  std::shared_ptr<const StatsSnapshot> latest_;

  // Handed over from the loop thread.
  std::mutex mutex_;
  std::uint64_t pendingRun_ = 0;
  std::shared_ptr<const StatsSnapshot> pending_;
  std::atomic<bool> queued_{false};
  std::atomic<bool> unfinishedQueued_{false};

  // Handed over from the scanner's thread; guarded by mutex_.
  QSet<QString> changedFolders_;

  bool plainLinks_ = false;  // GUI thread
};

}  // namespace ferry::ui
