#pragma once

// Server: the facade over core, and the only API app/ and ui/ use.
//
// Owns the worker thread and, while running, everything on it: the event
// loop, the HTTP server, the transfer statistics and the rate limiter. Owns
// the ShareRegistry for its whole life, so shares survive Stop and Start,
// and so do the CRC and picture caches and the scanner that counts shared
// folders.
//
// Thread-safe: every public method may be called from any thread. Calls that
// change the running server are posted to the loop thread; stop() wakes the
// loop through its waker and joins the thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "crc_cache.h"
#include "folder_scanner.h"
#include "picture_cache.h"
#include "http_limits.h"
#include "nearby_devices.h"
#include "receive_asks.h"
#include "receive_target.h"
#include "share_registry.h"
#include "transfer_stats.h"
#include "unfinished_upload.h"
#if defined(FERRY_HAVE_LOCALSEND)
#include "localsend_messages.h"
#endif

namespace ferry {

struct ServerOptions {
  std::string bind;  // "" = every interface
  std::uint16_t port = 8080;  // 0 = any free port
  std::string poller;  // "" = the build's best (or FERRY_POLLER)
  std::uint64_t rateLimit = 0;  // bytes/s for all transfers together; 0 = unlimited
  HttpLimits limits;
  std::vector<std::string> allowedHosts;  // extra Host names to answer
  bool allowAnyHost = false;
  std::vector<std::string> trustedProxies;
  // Seconds shared caches (nginx, a CDN) may keep plain token links
  // ("public, max-age=N"); 0 = "no-cache", so unsharing ends a link
  // everywhere at once. Shares with rules are always "private, no-store".
  std::uint32_t publicCacheSeconds = 0;
  // Who shares, as pages say it ("Shared by Anna's laptop"); "" = this
  // computer's host name.
  std::string sharerName;
  // A delivery with no request for this long ends as stopped ("stopped at 45%").
  std::chrono::steady_clock::duration deliveryIdle = DeliveryBook::kDefaultIdle;
  // How long stop() waits for work stuck on a disk (an open on a dead
  // network mount) before leaving it to finish alone; and, before that, for
  // received files to get their names.
  std::chrono::milliseconds stopDeadline = std::chrono::milliseconds(2000);
  // How long a download waits for the disk (its file's open, a block's
  // read): then a 503 if its head has not gone out, else the connection is
  // cut and the transfer fails with the reason.
  std::chrono::milliseconds diskDeadline = std::chrono::milliseconds(30'000);
  // HTTPS with the user's certificate: a PEM chain and its PEM key (both or
  // neither). Links then start with https://, and plain HTTP sent to the
  // port is redirected there.
  std::string tlsCert;
  std::string tlsKey;
  bool hsts = false;  // with TLS: Strict-Transport-Security on every answer
  // HTTPS with Ferry's own CA instead (not with tlsCert): the CA is made
  // once in `localCaDir` and a server certificate issued for this machine's
  // addresses and .local name. /ferry-ca (the page that installs the CA on
  // a device) answers over plain HTTP too; other plain HTTP is redirected.
  bool localCa = false;
  std::string localCaDir;
  // With either HTTPS: plain HTTP on the same port is answered too, not
  // redirected (for devices that do not trust the certificate). Each
  // connection's first byte says which it speaks.
  bool plainHttpToo = false;
  // LocalSend: this computer is a LocalSend device that phones and
  // computers with the LocalSend app can send to (files go to the receive
  // folder, as asked by the receive policy). Its own port, https with a
  // certificate of Ferry's own kept in `localsendIdentityDir` unless
  // `localsendHttp` ("encryption off"); a PIN when not empty. A port that
  // cannot be had leaves LocalSend off with a sentence (localSend().error),
  // and the rest of Ferry serving.
  bool localsend = false;
  std::uint16_t localsendPort = 53317;
  bool localsendHttp = false;
  std::string localsendPin;
  std::string localsendIdentityDir;
};

struct HttpServerOptions;
struct LocalSendIdentity;

// HTTPS with Ferry's own CA, while the server runs with it.
struct LocalCaStatus {
  bool on = false;
  std::string name;         // "Ferry on mypc"
  std::string fingerprint;  // SHA-256 of the CA, "AB:CD:…"
  std::string caFile;       // the CA certificate (PEM)
  std::string pagePath;     // "/ferry-ca": the install page, on this port, over http:// too
  std::vector<std::string> names;  // what the server's certificate is valid for now
};

// What LocalSend devices see of this computer while it is one.
struct LocalSendStatus {
  bool on = false;
  std::string alias;
  std::string fingerprint;
  std::uint16_t port = 0;
  std::string protocol;  // "https" or "http"
  std::string error;     // why it is off although asked for
};

class Server final {
 public:
  using SnapshotListener = std::function<void(std::shared_ptr<const StatsSnapshot>)>;

  Server();
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds at once on the calling thread (so a busy port is reported here, in
  // a sentence for people), then serves on a new worker thread.
  bool start(const ServerOptions& options, std::string* error);
  // Prompt even when the loop sleeps: closes the listener and every
  // connection, then joins the worker thread. No-op when stopped.
  void stop();
  bool running() const;
  std::uint16_t port() const;  // the bound port while running, else 0
  std::string bindAddress() const;
  std::string pollerName() const;
  // The port speaks TLS (links are https://) while running.
  bool secure() const;
  // "https" while secure(), else "http".
  std::string scheme() const;
  // Secure, and plain HTTP is answered on the port too (plainHttpToo).
  bool plainHttpToo() const;
  // Ferry's own CA, while serving with it (ServerOptions::localCa).
  LocalCaStatus localCa() const;
  // Hears each change of the certificate while serving (a reload of the
  // user's files, a new certificate for new addresses) and each failure to
  // change it (the one before keeps serving), as a sentence; on the loop
  // thread, must not block. Set before start().
  void setCertificateListener(std::function<void(const std::string& sentence, bool failed)> listener);

  // Shares (usable whether or not the server runs).
  std::optional<Share> addShare(const std::string& path, std::string* error, std::string token = {});
  // Unshares: the link 404s at once and its downloads in flight end; a
  // link sent to a nearby device's page is taken back (its card says so).
  bool removeShare(const std::string& token);
  std::vector<Share> shares() const;
  // A share's rules (expiry, download limit, password): the next request
  // obeys them; transfers in flight finish. False if the token is unknown.
  bool setRules(const std::string& token, const ShareRules& rules);
  // Restores the complete deliveries a download limit counts (saved with the
  // share). False if the token is unknown.
  bool setDeliveries(const std::string& token, std::uint32_t count);
  // A folder with a download limit: the devices it is for so far, to keep
  // with the share, and their restoring (with setDeliveries()).
  std::vector<Recipient> recipients(const std::string& token) const;
  bool setRecipients(const std::string& token, const std::vector<Recipient>& recipients);
  // A new token for the share; the old link 404s at once and its downloads
  // in flight end, as on unsharing.
  std::optional<Share> rotateShare(const std::string& token);
  std::optional<Share> share(const std::string& token) const;
  // "http(s)://HOST:PORT/TOKEN/NAME" for a share, with the given link host; a
  // folder's ends in '/' (its listing).
  // `scheme` "http" asks for the plain link where plainHttpToo(); "" = scheme().
  std::string linkFor(const Share& share, const std::string& host, std::string_view scheme = {}) const;
  // A folder's whole contents as one .zip: its link with "?zip".
  std::string zipLinkFor(const Share& share, const std::string& host) const;

  // Folder shares: whether hidden entries are listed and zipped, and what
  // the folder holds (counted in the background after addShare(): kCounting
  // until then). The listener hears a token whose summary changed, on a
  // background thread.
  bool setShowHidden(const std::string& token, bool show);
  std::optional<FolderSummary> folderSummary(const std::string& token) const;
  void setFolderListener(std::function<void(const std::string& token)> listener);
  // Blocks until every queued folder has been counted, its CRCs cached and
  // (with a cache folder) the thumbnails of its photos and videos made.
  void waitForFolderScans();
  // Where the CRC-32s of zipped files and the thumbnails of shared media
  // are kept between runs (a folder this user owns); loads what is there.
  // Without it CRCs last one run and pictures are made on each request.
  void setCacheDirectory(const std::string& dir);
  // The most the thumbnails may take on disk (least recently used go first).
  void setPictureCacheCapacity(std::uint64_t bytes);

  // Receive: files sent to the receive link (a browser on the receive page,
  // or curl -T) go into `dir`. Usable whether or not the server runs. An
  // empty token draws a new link; a saved one keeps the old link working.
  // Fails with cannotReceive()'s sentence when `dir` is not a folder this
  // process may write to. A new folder or token ends uploads to the old.
  std::optional<ReceiveFolder> setReceiveFolder(const std::string& dir, std::string* error, std::string token = {});
  // Receive off: the link 404s at once, its uploads in flight end, and the
  // part files kept for resuming are removed.
  void stopReceiving();
  std::optional<ReceiveFolder> receiveFolder() const;
  // "http://HOST:PORT/TOKEN/" while Receive is on, else ""; `scheme` as
  // for linkFor().
  std::string receiveLink(const std::string& host, std::string_view scheme = {}) const;
  // What Receive accepts (asking about new devices, a size cap): the next
  // upload obeys it.
  void setReceivePolicy(const ReceivePolicy& policy);
  ReceivePolicy receivePolicy() const;
  // While Receive asks about new devices, the listener hears each ask open
  // and end (answered, unanswered within the policy's askTimeout, or
  // withdrawn), on the loop thread; it must not block. Set before start().
  void setReceiveAskListener(ReceiveAskListener listener);
  // The user's answer to an open ask; the device's uploads go on or get 403.
  void answerReceiveAsk(std::uint64_t id, ReceiveAnswer answer);
  // A device never asked about again (one accepted "always", restored).
  void acceptReceiveDevice(const std::string& key);

  // Uploads from this computer's page that stopped part-way and wait for
  // their sender to resume (each with a part file in the receive folder),
  // oldest first; empty while stopped. The listener hears the list change,
  // on the loop thread (or the thread calling stop()); it must not block.
  // Set before start(). Discarding one removes its part file; the page is
  // told it is gone when it tries to resume.
  std::vector<UnfinishedUpload> unfinishedUploads() const;
  void setUnfinishedUploadsListener(std::function<void()> listener);
  void discardUnfinishedUpload(const std::string& id);

  // Nearby devices: browsers with this computer's page (the receive link's)
  // open. The listener hears each arrive and leave, the text listener what
  // a device's page sends; both on the loop thread, must not block. Set
  // before start(). Without a text listener the page shows no nearby area
  // (nothing here would show its text or send it anything).
  void setNearbyListener(NearbyListener listener);
  void setNearbyTextListener(std::function<void(const NearbyDevice& from, const std::string& text)> listener);
  std::vector<NearbyDevice> nearbyDevices() const;
  // Sends files or folders to one nearby device, and to no other: each
  // gets a private link (a share of its own, ending after `lifetime`), and
  // the device's page a card with its name, size and link. `links` gets
  // the links' tokens, one per path in order (none for a LocalSend device,
  // which gets the files themselves): removeShare() on one takes it back,
  // and the page then shows its card as taken back. False with a sentence
  // when the device is not here or a path cannot be shared (then nothing
  // is sent).
  bool sendToDevice(std::uint64_t device, const std::vector<std::string>& paths, std::string* error,
                    std::vector<std::string>* links = nullptr,
                    std::chrono::seconds lifetime = std::chrono::hours(24));
  // Text (a link, a note) to one nearby device's page, at most 64 KiB.
  bool sendText(std::uint64_t device, const std::string& text, std::string* error);
  // A LocalSend device (kind "localsend") gets what sendToDevice() and
  // sendText() send as LocalSend sends it: an offer its user accepts, then
  // the files (folders keep their paths), shown in Transfers in the sent
  // direction under the device's name; text as a text message. When the
  // device wants a PIN, the PIN listener hears the session (on the loop
  // thread; set before start()), answered with answerLocalSendPin() (an
  // empty PIN gives up).
  using LocalSendPinListener =
      std::function<void(std::uint64_t session, std::uint64_t device, const std::string& name, bool wrong)>;
  void setLocalSendPinListener(LocalSendPinListener listener);
  void answerLocalSendPin(std::uint64_t session, const std::string& pin);
  // Announces this computer to LocalSend devices again (the user refreshed
  // the device list); those that hear it answer and are listed.
  void refreshNearby();
  // Why LocalSend devices cannot be found while LocalSend is on (no
  // interface can multicast, the UDP port is taken), or "".
  std::string localSendDiscoveryError() const;

  // Turns LocalSend on or off while serving, as `options` says (localsend,
  // its port, http, PIN and identity folder, sharerName as its alias), and
  // leaves Ferry's own port and its transfers alone: off ends LocalSend's
  // sessions and sends, closes its listener and its discovery, and its
  // devices leave the list; on (again) binds its port anew. Waits for the
  // loop to do it, so a busy port is in the answer (error). While stopped it
  // does nothing: the next start() takes the options.
  LocalSendStatus setLocalSend(const ServerOptions& options);
  // Who shares, as pages say it from the next request on ("" = this
  // computer's host name); LocalSend's alias changes with setLocalSend().
  void setSharerName(const std::string& name);

  // LocalSend (ServerOptions::localsend). The hooks are for whoever keeps
  // the list of LocalSend devices and sends to them; both run on the loop
  // thread, must not block, and are set before start().
  LocalSendStatus localSend() const;
#if defined(FERRY_HAVE_LOCALSEND)
  using LocalSendRegisterHook =
      std::function<void(const localsend::DeviceInfo& device, const std::string& address)>;
  using LocalSendCancelHook = std::function<bool(std::string_view sessionId, const std::string& address)>;
  void setLocalSendRegisterHook(LocalSendRegisterHook hook);
  void setLocalSendCancelHook(LocalSendCancelHook hook);
#endif

  void setRateLimit(std::uint64_t bytesPerSecond);
  // The name the mDNS responder publishes for this machine ("mypc.local";
  // "" = none): requests for it are answered, now and after the next start.
  void setMdnsName(const std::string& name);
  void cancelTransfer(std::uint64_t id);

  // The latest published snapshot (never null).
  std::shared_ptr<const StatsSnapshot> snapshot() const;
  // Called on the loop thread with every published snapshot (~10 Hz while
  // something changes). Set before start(); must not block.
  void setSnapshotListener(SnapshotListener listener);

 private:
  // The scheme a link asked for with `asked` gets ("" = scheme()).
  std::string linkScheme(std::string_view asked) const;
  struct Running;
  void publish(std::shared_ptr<const StatsSnapshot> snap);
  void post(std::function<void(Running&)> fn);
  LocalSendStatus startLocalSend(Running& r, const ServerOptions& options, const HttpServerOptions& main);
  // LocalSend off on a running loop (loop thread).
  void stopLocalSend(Running& r);
#if defined(FERRY_HAVE_LOCALSEND)
  // Ferry as a LocalSend peer beside the listener startLocalSend() made:
  // discovery (multicast on LocalSend's UDP port, 53317 whatever port the
  // listener has), the sender, the listener's hooks. On a Running that is
  // set up but not yet running its loop.
  void startLocalSendPeer(Running& r, const localsend::DeviceInfo& self, const LocalSendIdentity* identity);
#endif

  ShareRegistry shares_;
  ReceiveTarget receive_;
  // Held by pointer so that ~Server can leave it allocated when a pool job
  // that may still reach it was left stuck in a disk call.
  std::unique_ptr<CrcCache> crcsKept_ = std::make_unique<CrcCache>();
  CrcCache& crcs_ = *crcsKept_;
  PictureCache pictures_;
  FolderScanner scanner_{crcs_, pictures_};
  mutable std::mutex mutex_;  // guards running_, snapshot_, the listeners, nearby_, unfinished_, rate_, mdnsName_
  std::unique_ptr<Running> running_;
  std::shared_ptr<const StatsSnapshot> snapshot_;
  SnapshotListener listener_;
  ReceiveAskListener askListener_;
  NearbyListener nearbyListener_;
  LocalSendPinListener pinListener_;
  std::function<void(const std::string&, bool)> certificateListener_;
  std::string lsDiscoveryError_;
  std::function<void(const NearbyDevice&, const std::string&)> nearbyTextListener_;
  std::vector<NearbyDevice> nearby_;  // here now, as the loop last said
  std::vector<UnfinishedUpload> unfinished_;  // as the loop last said
  std::function<void()> unfinishedListener_;
  std::uint64_t rate_ = 0;
  LocalSendStatus localsend_;
#if defined(FERRY_HAVE_LOCALSEND)
  LocalSendRegisterHook lsRegister_;
  LocalSendCancelHook lsCancel_;
#endif
  std::string mdnsName_;
  std::mutex lifecycle_;  // serialises start() and stop()
};

}  // namespace ferry
