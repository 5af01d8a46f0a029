#include "server.h"

#include <algorithm>
#include <filesystem>
#include <future>

#include "certificate_source.h"
#include "event_loop.h"
#include "http_server.h"
#include "json_text.h"
#include "localsend_identity.h"
#include "net_address.h"
#include "ocsp_staple.h"
#include "rate_limiter.h"
#include "request_target.h"
#include "router.h"
#include "socket.h"
#include "work_pool.h"

#if defined(FERRY_HAVE_LOCALSEND)
#include "localsend_discovery.h"
#include "localsend_handler.h"
#include "localsend_identity.h"
#include "localsend_items.h"
#include "localsend_sender.h"
#include "tls_context.h"
#endif

namespace ferry {

// Everything that lives on the worker thread, in construction order.
struct Server::Running {
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<TransferStats> stats;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<WorkPool> pool;
  std::unique_ptr<Router> router;
  std::unique_ptr<HttpServer> http;
#if defined(FERRY_HAVE_LOCALSEND)
  std::unique_ptr<LocalSendHandler> localsend;  // uses the router's uploads
  std::unique_ptr<HttpServer> localsendHttp;
  // Ferry as a LocalSend peer: the devices it finds, what it sends them.
  std::unique_ptr<localsend::Discovery> lsDiscovery;
  std::unique_ptr<localsend::Sender> lsSender;
  // LocalSend turned off while serving: its listener and handler are kept
  // until the server stops, since an upload's last disk write may still end
  // into the handler after its connection has gone.
  std::vector<std::unique_ptr<HttpServer>> lsRetiredHttp;
  std::vector<std::unique_ptr<LocalSendHandler>> lsRetired;
#endif
  std::thread thread;
  std::uint16_t port = 0;
  std::string bind;
  std::chrono::milliseconds stopDeadline{0};  // ServerOptions::stopDeadline
  bool secure = false;
  bool plainHttpToo = false;
  std::unique_ptr<CertificateSource> certificates;  // with TLS
  LocalCaStatus localCa;

  // The order stop() uses too: connections first, then the pool (its last
  // jobs' done() hand their responses back to the router), then the rest.
  ~Running() {
#if defined(FERRY_HAVE_LOCALSEND)
    lsSender.reset();
    lsDiscovery.reset();
#endif
    http.reset();
#if defined(FERRY_HAVE_LOCALSEND)
    localsendHttp.reset();
    lsRetiredHttp.clear();
#endif
    const std::size_t strays = WorkPool::jobsLeftBehind();
    pool.reset();
    if (WorkPool::jobsLeftBehind() > strays) {
      // A thread is still stuck in a disk call (a hung mount): when it
      // returns, its job goes on into the handlers (a zip's walk looks in
      // the folder handler's caches). Kept, never freed, like the job.
      (void)router.release();
#if defined(FERRY_HAVE_LOCALSEND)
      (void)localsend.release();
      for (auto& h : lsRetired) (void)h.release();
#endif
      return;
    }
#if defined(FERRY_HAVE_LOCALSEND)
    localsend.reset();
    lsRetired.clear();
#endif
    router.reset();
  }
};

namespace {

// Receive went off or moved: uploads end, the browser's and LocalSend's.
template <class R>
void stopReceivingOn(R& r, std::string_view reason) {
  r.router->stopReceiving(reason);
#if defined(FERRY_HAVE_LOCALSEND)
  if (r.localsend) r.localsend->stopReceiving(reason);
#endif
}

}  // namespace

Server::Server() : snapshot_(std::make_shared<StatsSnapshot>()) {
  initSockets();
  ignoreSigpipe();
}

Server::~Server() {
  stop();
  crcs_.save();
  // A job left stuck in a disk call may still look up CRCs when it returns.
  if (WorkPool::jobsLeftBehind() > 0) (void)crcsKept_.release();
}

bool Server::start(const ServerOptions& options, std::string* error) {
  std::lock_guard life(lifecycle_);
  if (running()) return true;
  auto r = std::make_unique<Running>();
  r->loop = EventLoop::create(options.poller, error);
  if (!r->loop) return false;
  r->stats = std::make_unique<TransferStats>(*r->loop, [this](auto snap) { publish(std::move(snap)); });
  r->stats->setDeliveredListener([this](std::string_view token, std::uint32_t n) { shares_.noteDelivered(token, n); });
  r->stats->setDeliveryIdle(options.deliveryIdle);
  r->limiter = std::make_unique<RateLimiter>(*r->loop);
  {
    std::lock_guard lock(mutex_);
    rate_ = options.rateLimit ? options.rateLimit : rate_;
    r->limiter->setRate(rate_);
  }
  r->pool = std::make_unique<WorkPool>(*r->loop, WorkPool::kDefaultThreads, 0, options.stopDeadline);
  r->stopDeadline = options.stopDeadline;
  r->router = std::make_unique<Router>(*r->loop, shares_, receive_, *r->stats, *r->pool, crcs_, pictures_);
  r->router->setCachePolicy(CachePolicy{options.publicCacheSeconds});
  r->router->setDiskDeadline(options.diskDeadline);
  r->router->setFolderScanner(scanner_);
  r->router->setSharerName(options.sharerName.empty() ? localHostName() : options.sharerName);
  r->router->receiveAsks().setListener([this](const ReceiveAsk& ask, ReceiveAskState state) {
    ReceiveAskListener l;
    {
      std::lock_guard lock(mutex_);
      l = askListener_;
    }
    if (l) l(ask, state);
  });
  r->router->nearby().devices().setListener([this](const NearbyDevice& d, bool here) {
    NearbyListener l;
    {
      std::lock_guard lock(mutex_);
      std::erase_if(nearby_, [&](const NearbyDevice& n) { return n.id == d.id; });
      if (here) nearby_.push_back(d);
      l = nearbyListener_;
    }
    if (l) l(d, here);
  });
  r->router->uploads().setUnfinishedListener([this](std::vector<UnfinishedUpload> list) {
    std::function<void()> l;
    {
      std::lock_guard lock(mutex_);
      unfinished_ = std::move(list);
      l = unfinishedListener_;
    }
    if (l) l();
  });
  bool takesText = false;
  {
    std::lock_guard lock(mutex_);
    takesText = static_cast<bool>(nearbyTextListener_);
  }
  if (takesText)
    r->router->nearby().setTextListener([this](const NearbyDevice& from, const std::string& text) {
      std::function<void(const NearbyDevice&, const std::string&)> l;
      {
        std::lock_guard lock(mutex_);
        l = nearbyTextListener_;
      }
      if (l) l(from, text);
    });
  HttpServerOptions ho;
  if (!options.tlsCert.empty() || !options.tlsKey.empty()) {
    if (options.tlsCert.empty() || options.tlsKey.empty()) {
      if (error) *error = "HTTPS needs both a certificate file and its key file";
      return false;
    }
    if (options.localCa) {
      if (error) *error = "HTTPS takes either your certificate or Ferry's own CA, not both";
      return false;
    }
    // Checked here, before the port is taken: a certificate that cannot
    // serve is a sentence, never a server that half works.
    r->certificates = CertificateSource::fromFiles(options.tlsCert, options.tlsKey, error);
    if (!r->certificates) return false;
    ho.hsts = options.hsts;
  } else if (options.localCa) {
    std::vector<std::string> names;
    {
      std::lock_guard lock(mutex_);
      if (!mdnsName_.empty()) names.push_back(mdnsName_);
    }
    std::string why;
    r->certificates = CertificateSource::fromLocalCa(options.localCaDir, localHostName(), names, &why);
    if (!r->certificates) {
      if (error) *error = "HTTPS with Ferry's own CA cannot start: " + why;
      return false;
    }
    const LocalCa& ca = *r->certificates->localCa();
    r->localCa = LocalCaStatus{true, ca.caName, ca.fingerprint, ca.caCertFile, CaPage::kPage,
                               r->certificates->names()};
    r->router->setCaPage(std::make_shared<const CaPage>(ca));
    ho.plainPaths = CaPage::paths();
    ho.hsts = options.hsts;
  }
  if (r->certificates) ho.tls = r->certificates->context();
  r->secure = ho.tls != nullptr;
  ho.plainToo = r->secure && options.plainHttpToo;
  r->plainHttpToo = ho.plainToo;
  r->http = std::make_unique<HttpServer>(*r->loop, *r->router, *r->limiter);
  ho.bind = options.bind;
  ho.port = options.port;
  ho.limits = options.limits;
  ho.hosts.allowAny = options.allowAnyHost;
  ho.hosts.names = options.allowedHosts;
  {
    std::lock_guard lock(mutex_);
    ho.hosts.mdnsName = mdnsName_;
  }
  ho.trustedProxies = options.trustedProxies;
  // After a burst, memory goes back once its finished transfers have left
  // the statistics.
  ho.releaseDelay = TransferStats::kRetainFinished + std::chrono::seconds(1);
  if (auto ec = r->http->listen(ho, error)) return false;
  r->port = r->http->port();
  r->bind = options.bind;
  r->http->start();
  if (r->certificates) {
    // A renewed certificate, or addresses that moved: new connections get
    // the new one, open ones keep theirs.
    auto check = [this, running = r.get()] {
      CertificateSource::Change change = running->certificates->refresh(running->loop->now());
      if (change.context) {
        running->http->setTls(change.context);
        std::lock_guard lock(mutex_);
        running->localCa.names = running->certificates->names();
      }
      auto say = [this](const std::string& sentence, bool failed) {
        std::function<void(const std::string&, bool)> l;
        {
          std::lock_guard lock(mutex_);
          l = certificateListener_;
        }
        if (l) l(sentence, failed);
      };
      // The certificate's OCSP answer, asked for on the pool (it may hang).
      if (const auto& ocsp = running->certificates->context()->ocsp())
        ocsp->refreshIfDue(*running->pool, running->loop->now(), say);
      if (!change.message.empty()) say(change.message, change.failed);
    };
    r->loop->runEvery(CertificateSource::kCheckEvery, check);
    // The OCSP answer is asked for at once, not at the first check.
    r->loop->post(check);
  }
  LocalSendStatus ls;
  if (options.localsend) ls = startLocalSend(*r, options, ho);
  EventLoop* loop = r->loop.get();
  // Page uploads an earlier run left unfinished resume where they stopped.
  loop->post([router = r->router.get()] { router->uploads().restoreUnfinished(); });
  // The loop object was set up on this thread; from here on it belongs to
  // the worker.
  r->thread = std::thread([loop] { loop->run(); });
  std::lock_guard lock(mutex_);
  localsend_ = std::move(ls);
  // A name set while this was starting missed both the options and post().
  if (mdnsName_ != ho.hosts.mdnsName)
    loop->post([http = r->http.get(), name = mdnsName_] { http->setMdnsName(name); });
  running_ = std::move(r);
  return true;
}


#if defined(FERRY_HAVE_LOCALSEND)
void Server::startLocalSendPeer(Running& r, const localsend::DeviceInfo& self, const LocalSendIdentity* identity) {
  // Ferry's identity as its client certificate (LocalSend 1.18 wants one);
  // with encryption off there is none, and https devices that require one
  // refuse what is sent.
  std::string why;
  std::shared_ptr<TlsContext> client;
  if (TlsContext::kAvailable)
    client = identity ? TlsContext::client(identity->certFile, identity->keyFile, &why) : TlsContext::client({}, {}, &why);
  r.lsDiscovery = std::make_unique<localsend::Discovery>(*r.loop, *r.pool, r.router->nearby().devices(), client);
  r.lsSender = std::make_unique<localsend::Sender>(*r.loop, *r.pool, *r.stats, client, self);
  localsend::Discovery* discovery = r.lsDiscovery.get();
  localsend::Sender* sender = r.lsSender.get();
  r.lsSender->setUnreachable([discovery](std::uint64_t device) { discovery->suspect(device); });
  r.lsSender->setPinListener([this](std::uint64_t session, std::uint64_t device, const std::string& name, bool wrong) {
    LocalSendPinListener l;
    {
      std::lock_guard lock(mutex_);
      l = pinListener_;
    }
    if (l) return l(session, device, name, wrong);
    // Nothing here asks for PINs: the send ends with a reason instead of
    // waiting for an answer that never comes.
    post([session](Running& r) {
      if (r.lsSender) r.lsSender->pin(session, "");
    });
  });
  // Registers our listener receives list their device; a cancel from a
  // device we are sending to ends that send. Hooks set from outside still
  // hear them.
  LocalSendHandler::RegisterHook registered;
  LocalSendHandler::CancelHook cancelled;
  {
    std::lock_guard lock(mutex_);
    registered = lsRegister_;
    cancelled = lsCancel_;
  }
  r.localsend->setRegisterHook([discovery = &r.lsDiscovery, registered](const localsend::DeviceInfo& d,
                                                                         const std::string& address) {
    if (*discovery) (*discovery)->heard(d, address);
    if (registered) registered(d, address);
  });
  // A session a device sends in, ended here: the device is told, as the
  // apps' receivers tell theirs.
  // (The sender goes first when Ferry stops: the hook finds it gone then.)
  r.localsend->setEndedHook([senderOf = &r.lsSender](const localsend::DeviceInfo& d, const std::string& address,
                                                      const std::string& sessionId) {
    if (*senderOf) (*senderOf)->tellSenderCancelled(d, address, sessionId);
  });
  r.localsend->setCancelHook([sender, cancelled](std::string_view sessionId, const std::string& address) {
    if (sender->peerCancelled(std::string(sessionId), address)) return true;
    return cancelled ? cancelled(sessionId, address) : false;
  });
  // Without discovery (no interface can multicast, the UDP port is held
  // without sharing) Ferry still serves, and says why no device is found.
  // The UDP port is always 53317: the apps announce and listen there only,
  // whatever port their own server has (the announcement carries that).
  if (!r.lsDiscovery->start(self, localsend::kDefaultPort, &why)) {
    r.lsDiscovery.reset();
    r.lsSender->setUnreachable({});
  } else {
    why.clear();
  }
  std::lock_guard lock(mutex_);
  lsDiscoveryError_ = why;
}
#endif

void Server::stop() {
  std::lock_guard life(lifecycle_);
  std::unique_ptr<Running> r;
  {
    std::lock_guard lock(mutex_);
    r = std::move(running_);
  }
  if (!r) return;
  {
    std::lock_guard lock(mutex_);
    localsend_ = {};
  }
  HttpServer* http = r->http.get();
  TransferStats* stats = r->stats.get();
  Router* router = r->router.get();
  EventLoop* loop = r->loop.get();
  // Close every connection on the loop thread, publish the last word, then
  // end run(): post() and stop() both go through the waker, so this is prompt
  // even when the loop sleeps with no timers.
#if defined(FERRY_HAVE_LOCALSEND)
  HttpServer* lsHttp = r->localsendHttp.get();
#else
  HttpServer* lsHttp = nullptr;
#endif
  Running* running = r.get();
  loop->post([http, lsHttp, stats, router, loop, running] {
#if defined(FERRY_HAVE_LOCALSEND)
    // Sends in flight end as cancelled, in the last snapshot.
    running->lsSender.reset();
    running->lsDiscovery.reset();
#endif
    http->shutdown();
    if (lsHttp) lsHttp->shutdown();
    router->nearby().devices().clear();  // every device leaves, and is told so
    // Files whose bytes all arrived get their names first: a LocalSend
    // sender may have been told they are saved while they waited for the
    // disk in a group.
    router->uploads().drain(running->stopDeadline, [stats, loop] {
      stats->publishNow();
      loop->stop();
    });
  });
  r->thread.join();
  // The loop has stopped: tear down on this thread (see ~Running).
  r.reset();
  // What waited to resume is forgotten with the run.
  std::function<void()> told;
  {
    std::lock_guard lock(mutex_);
    if (!unfinished_.empty()) told = unfinishedListener_;
    unfinished_.clear();
  }
  if (told) told();
}

bool Server::running() const {
  std::lock_guard lock(mutex_);
  return running_ != nullptr;
}

std::uint16_t Server::port() const {
  std::lock_guard lock(mutex_);
  return running_ ? running_->port : 0;
}

bool Server::secure() const {
  std::lock_guard lock(mutex_);
  return running_ && running_->secure;
}

std::string Server::scheme() const { return secure() ? "https" : "http"; }

bool Server::plainHttpToo() const {
  std::lock_guard lock(mutex_);
  return running_ && running_->secure && running_->plainHttpToo;
}

LocalCaStatus Server::localCa() const {
  std::lock_guard lock(mutex_);
  return running_ ? running_->localCa : LocalCaStatus{};
}

void Server::setCertificateListener(std::function<void(const std::string& sentence, bool failed)> listener) {
  std::lock_guard lock(mutex_);
  certificateListener_ = std::move(listener);
}

std::string Server::bindAddress() const {
  std::lock_guard lock(mutex_);
  return running_ ? running_->bind : std::string();
}

std::string Server::pollerName() const {
  std::lock_guard lock(mutex_);
  return running_ ? std::string(running_->loop->pollerName()) : std::string();
}

void Server::post(std::function<void(Running&)> fn) {
  std::lock_guard lock(mutex_);
  if (!running_) return;
  Running* r = running_.get();
  r->loop->post([r, fn = std::move(fn)] { fn(*r); });
}

std::optional<Share> Server::addShare(const std::string& path, std::string* error, std::string token) {
  std::optional<Share> s = shares_.add(path, error, std::move(token));
  if (s && s->folder) scanner_.scan(shares_.find(s->token));
  return s;
}

bool Server::removeShare(const std::string& token) {
  if (!shares_.remove(token)) return false;
  scanner_.forget(token);
  post([token](Running& r) {
    r.router->cancelShare(token, "the file was unshared");
    r.router->nearby().takeBack(token);
  });
  return true;
}

std::vector<Share> Server::shares() const { return shares_.list(); }

bool Server::setRules(const std::string& token, const ShareRules& rules) { return shares_.setRules(token, rules); }

bool Server::setDeliveries(const std::string& token, std::uint32_t count) {
  return shares_.setDeliveries(token, count);
}

std::vector<Recipient> Server::recipients(const std::string& token) const { return shares_.recipients(token); }

bool Server::setRecipients(const std::string& token, const std::vector<Recipient>& recipients) {
  return shares_.setRecipients(token, recipients);
}

std::optional<Share> Server::rotateShare(const std::string& token) {
  std::optional<Share> s = shares_.rotate(token);
  if (!s) return s;
  scanner_.forget(token);
  if (s->folder) scanner_.scan(shares_.find(s->token));
  post([token](Running& r) { r.router->cancelShare(token, "the link was replaced"); });
  return s;
}

std::optional<Share> Server::share(const std::string& token) const {
  auto s = shares_.find(token);
  if (!s) return std::nullopt;
  return *s;
}

std::string Server::linkScheme(std::string_view asked) const {
  // Plain links only where the port answers them.
  return asked == "http" && (!secure() || plainHttpToo()) ? std::string(asked) : scheme();
}

std::string Server::linkFor(const Share& share, const std::string& host, std::string_view scheme) const {
  std::uint16_t p = port();
  // A folder's link is its listing, with the '/' its page's links build on.
  return linkScheme(scheme) + "://" + hostForUrl(host, p) + "/" + share.token + "/" + percentEncodePathSegment(share.name) +
         (share.folder ? "/" : "");
}

std::string Server::zipLinkFor(const Share& share, const std::string& host) const {
  return linkFor(share, host) + (share.folder ? "?zip" : "");
}

bool Server::setShowHidden(const std::string& token, bool show) {
  if (!shares_.setShowHidden(token, show)) return false;
  scanner_.scan(shares_.find(token));  // what the folder holds just changed
  return true;
}

std::optional<FolderSummary> Server::folderSummary(const std::string& token) const { return scanner_.summary(token); }

void Server::setFolderListener(std::function<void(const std::string& token)> listener) {
  scanner_.setListener(std::move(listener));
}

void Server::waitForFolderScans() { scanner_.waitIdle(); }

void Server::setCacheDirectory(const std::string& dir) {
  crcs_.setPath(dir.empty() ? std::string() : dir + "/crc32-cache");
  crcs_.load();
  pictures_.setDirectory(dir.empty() ? std::string() : dir + "/pictures");
}

void Server::setPictureCacheCapacity(std::uint64_t bytes) { pictures_.setCapacity(bytes); }

std::optional<ReceiveFolder> Server::setReceiveFolder(const std::string& dir, std::string* error, std::string token) {
  auto before = receive_.current();
  auto folder = receive_.set(dir, error, std::move(token));
  if (!folder) return std::nullopt;
  if (before && (before->token != folder->token || before->dir != folder->dir))
    post([](Running& r) { stopReceivingOn(r, "the receive folder changed"); });
  if (!before || before->token != folder->token || before->dir != folder->dir)
    post([](Running& r) { r.router->uploads().restoreUnfinished(); });
  return *folder;
}

void Server::stopReceiving() {
  if (!receive_.clear()) return;
  post([](Running& r) { stopReceivingOn(r, "receiving was turned off"); });
}

std::optional<ReceiveFolder> Server::receiveFolder() const {
  auto folder = receive_.current();
  if (!folder) return std::nullopt;
  return *folder;
}

std::string Server::receiveLink(const std::string& host, std::string_view scheme) const {
  auto folder = receive_.current();
  if (!folder) return {};
  return linkScheme(scheme) + "://" + hostForUrl(host, port()) + "/" + folder->token + "/";
}

void Server::setReceivePolicy(const ReceivePolicy& policy) { receive_.setPolicy(policy); }

ReceivePolicy Server::receivePolicy() const { return receive_.policy(); }

void Server::setReceiveAskListener(ReceiveAskListener listener) {
  std::lock_guard lock(mutex_);
  askListener_ = std::move(listener);
}

void Server::answerReceiveAsk(std::uint64_t id, ReceiveAnswer answer) {
  post([id, answer](Running& r) { r.router->receiveAsks().answer(id, answer); });
}

void Server::acceptReceiveDevice(const std::string& key) { receive_.acceptDevice(key); }

void Server::setNearbyListener(NearbyListener listener) {
  std::lock_guard lock(mutex_);
  nearbyListener_ = std::move(listener);
}

void Server::setNearbyTextListener(std::function<void(const NearbyDevice&, const std::string&)> listener) {
  std::lock_guard lock(mutex_);
  nearbyTextListener_ = std::move(listener);
}

std::vector<UnfinishedUpload> Server::unfinishedUploads() const {
  std::lock_guard lock(mutex_);
  return unfinished_;
}

void Server::setUnfinishedUploadsListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  unfinishedListener_ = std::move(listener);
}

void Server::discardUnfinishedUpload(const std::string& id) {
  post([id](Running& r) { r.router->uploads().discard(id); });
}

std::vector<NearbyDevice> Server::nearbyDevices() const {
  std::lock_guard lock(mutex_);
  return nearby_;
}

namespace {

bool deviceHere(const std::vector<NearbyDevice>& devices, std::uint64_t id) {
  return std::any_of(devices.begin(), devices.end(), [id](const NearbyDevice& d) { return d.id == id; });
}

std::optional<NearbyDevice> localSendDevice(const std::vector<NearbyDevice>& devices, std::uint64_t id) {
  for (const NearbyDevice& d : devices)
    if (d.id == id && d.kind == "localsend") return d;
  return std::nullopt;
}

#if defined(FERRY_HAVE_LOCALSEND)
localsend::Sender::Target targetOf(const NearbyDevice& d) {
  localsend::Sender::Target t;
  t.device = d.id;
  t.address = d.address;
  t.info.alias = d.name;
  t.info.fingerprint = d.fingerprint;
  t.info.port = d.port;
  t.info.protocol = d.protocol == "http" ? localsend::Protocol::kHttp : localsend::Protocol::kHttps;
  return t;
}
#endif

}  // namespace

bool Server::sendToDevice(std::uint64_t device, const std::vector<std::string>& paths, std::string* error,
                          std::vector<std::string>* links, std::chrono::seconds lifetime) {
  if (links) links->clear();
  if (!deviceHere(nearbyDevices(), device)) {
    if (error) *error = "No device " + std::to_string(device) + " has this computer's page open.";
    return false;
  }
  if (paths.empty()) {
    if (error) *error = "Name at least one file to send.";
    return false;
  }
#if defined(FERRY_HAVE_LOCALSEND)
  if (auto ls = localSendDevice(nearbyDevices(), device)) {
    auto items = localsend::itemsFor(paths, error);  // walks folders here, off the loop
    if (!items) return false;
    post([target = targetOf(*ls), items = std::move(*items)](Running& r) mutable {
      if (r.lsSender) r.lsSender->send(target, std::move(items));
    });
    return true;
  }
#endif
  ShareRules rules;
  rules.expires = ShareRules::Clock::now() + lifetime;
  std::vector<Share> made;
  for (const std::string& path : paths) {
    auto s = shares_.add(path, error);
    if (!s) {
      for (const Share& m : made) removeShare(m.token);
      return false;
    }
    shares_.setRules(s->token, rules);
    if (s->folder) scanner_.scan(shares_.find(s->token));
    made.push_back(*s);
  }
  std::vector<NearbyHandler::Card> cards;
  for (const Share& s : made) {
    NearbyHandler::Card card{s.token, "/" + s.token + "/" + percentEncodePathSegment(s.name) + (s.folder ? "/" : ""), {}};
    card.json = "{\"name\":";
    appendJsonString(card.json, s.name);
    std::error_code ec;
    const auto size = s.folder ? 0 : std::filesystem::file_size(s.path, ec);
    card.json += ",\"size\":" + std::to_string(ec ? 0 : size) + ",\"folder\":" + (s.folder ? "true" : "false");
    card.json += ",\"link\":";
    appendJsonString(card.json, card.link);
    card.json += '}';
    cards.push_back(std::move(card));
  }
  if (links)
    for (const Share& s : made) links->push_back(s.token);
  post([this, device, cards = std::move(cards)](Running& r) {
    bool sent = true;
    for (const NearbyHandler::Card& card : cards) sent = sent && r.router->nearby().sendFile(device, card);
    // The device left meanwhile: its links go with it.
    if (!sent)
      for (const NearbyHandler::Card& card : cards) removeShare(card.token);
  });
  return true;
}

bool Server::sendText(std::uint64_t device, const std::string& text, std::string* error) {
  if (!deviceHere(nearbyDevices(), device)) {
    if (error) *error = "No device " + std::to_string(device) + " has this computer's page open.";
    return false;
  }
  if (text.empty() || text.size() > NearbyHandler::kMaxText) {
    if (error) *error = text.empty() ? "There is no text to send." : "Text up to 64 KB can be sent at once: this is longer.";
    return false;
  }
#if defined(FERRY_HAVE_LOCALSEND)
  if (auto ls = localSendDevice(nearbyDevices(), device)) {
    post([target = targetOf(*ls), item = localsend::textItem(text)](Running& r) {
      if (r.lsSender) r.lsSender->send(target, {item});
    });
    return true;
  }
#endif
  std::string json = "{\"text\":";
  appendJsonString(json, text);
  json += '}';
  post([device, json = std::move(json)](Running& r) { r.router->nearby().send(device, "text", json); });
  return true;
}

void Server::setLocalSendPinListener(LocalSendPinListener listener) {
  std::lock_guard lock(mutex_);
  pinListener_ = std::move(listener);
}

void Server::answerLocalSendPin(std::uint64_t session, const std::string& pin) {
#if defined(FERRY_HAVE_LOCALSEND)
  post([session, pin](Running& r) {
    if (r.lsSender) r.lsSender->pin(session, pin);
  });
#else
  (void)session;
  (void)pin;
#endif
}

std::string Server::localSendDiscoveryError() const {
  std::lock_guard lock(mutex_);
  return lsDiscoveryError_;
}

void Server::refreshNearby() {
#if defined(FERRY_HAVE_LOCALSEND)
  post([](Running& r) {
    if (r.lsDiscovery) r.lsDiscovery->announce();
  });
#endif
}

LocalSendStatus Server::setLocalSend(const ServerOptions& options) {
  // Held so that stop() cannot end the loop before the job below has run.
  std::lock_guard life(lifecycle_);
  std::promise<LocalSendStatus> done;
  std::future<LocalSendStatus> result = done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (!running_) return {};
    Running* r = running_.get();
    r->loop->post([this, r, &options, &done] {
      stopLocalSend(*r);
      LocalSendStatus status;
      if (options.localsend) {
        HttpServerOptions main;
        main.limits = options.limits;
        status = startLocalSend(*r, options, main);
      }
      done.set_value(std::move(status));
    });
  }
  LocalSendStatus status = result.get();
  std::lock_guard lock(mutex_);
  localsend_ = status;
  if (!status.on) lsDiscoveryError_.clear();
  return status;
}

void Server::stopLocalSend(Running& r) {
#if defined(FERRY_HAVE_LOCALSEND)
  // Sends in flight end as cancelled; the devices found leave the list.
  r.lsSender.reset();
  r.lsDiscovery.reset();
  if (r.localsend) r.localsend->stopReceiving("LocalSend was turned off");
  if (r.localsendHttp) {
    r.localsendHttp->shutdown();
    r.lsRetiredHttp.push_back(std::move(r.localsendHttp));
  }
  if (r.localsend) r.lsRetired.push_back(std::move(r.localsend));
#else
  (void)r;
#endif
}

void Server::setSharerName(const std::string& name) {
  post([name = name.empty() ? localHostName() : name](Running& r) { r.router->setSharerName(name); });
}

LocalSendStatus Server::localSend() const {
  std::lock_guard lock(mutex_);
  return localsend_;
}

#if defined(FERRY_HAVE_LOCALSEND)
void Server::setLocalSendRegisterHook(LocalSendRegisterHook hook) {
  std::lock_guard lock(mutex_);
  lsRegister_ = std::move(hook);
}

void Server::setLocalSendCancelHook(LocalSendCancelHook hook) {
  std::lock_guard lock(mutex_);
  lsCancel_ = std::move(hook);
}
#endif

LocalSendStatus Server::startLocalSend(Running& r, const ServerOptions& options, const HttpServerOptions& main) {
  LocalSendStatus status;
#if !defined(FERRY_HAVE_LOCALSEND)
  (void)r;
  (void)options;
  (void)main;
  status.error = "LocalSend is not available in this build of Ferry (it was built without nlohmann-json)";
  return status;
#else
  namespace ls = localsend;
  ls::DeviceInfo self;
  self.alias = options.sharerName.empty() ? localHostName() : options.sharerName;
  self.version = std::string(ls::kProtocolVersion);
  self.deviceModel = "Ferry";
  self.deviceType = ls::DeviceType::kDesktop;
  self.port = options.localsendPort;
  HttpServerOptions ho;
  ho.bind = options.bind;
  ho.port = options.localsendPort;
  ho.limits = main.limits;
  // Devices reach this port by address only, never through a proxy.
  ho.hosts.allowAny = true;
  // The identity is kept with encryption off too: the apps announce their
  // certificate's fingerprint either way, so devices that remember this
  // computer by it ("always accept", favourites) still know it after a
  // restart, and https devices are sent to with it as a client certificate.
  std::optional<LocalSendIdentity> identity =
      LocalSendIdentity::loadOrCreate(options.localsendIdentityDir, self.alias, &status.error);
  if (!options.localsendHttp) {
    if (identity) ho.tls = TlsContext::load(identity->certFile, identity->keyFile, &status.error);
    if (!ho.tls) {
      status.error = "LocalSend is off: " + status.error;
      return status;
    }
    ho.tls->requestClientCertificates();
    self.fingerprint = identity->fingerprint;
    self.protocol = ls::Protocol::kHttps;
  } else {
    // Without one (a build without TLS) a random fingerprint, new each start.
    self.fingerprint = identity ? identity->fingerprint : randomFingerprint();
    self.protocol = ls::Protocol::kHttp;
    status.error.clear();
  }
  auto handler = std::make_unique<LocalSendHandler>(*r.loop, receive_, r.router->uploads(), self, options.localsendPin);
  {
    std::lock_guard lock(mutex_);
    handler->setRegisterHook(lsRegister_);
    handler->setCancelHook(lsCancel_);
    if (nearbyTextListener_)
      handler->setTextListener([this](const ls::DeviceInfo& from, const std::string& address, const std::string& text) {
        std::function<void(const NearbyDevice&, const std::string&)> l;
        {
          std::lock_guard lock(mutex_);
          l = nearbyTextListener_;
        }
        NearbyDevice device;
        device.kind = "localsend";
        device.name = from.alias;
        device.address = address;
        if (l) l(device, text);
      });
  }
  auto http = std::make_unique<HttpServer>(*r.loop, *handler, *r.limiter);
  std::string why;
  if (http->listen(ho, &why)) {
    status.error = "LocalSend is off: " + why +
                   (options.localsendPort == ls::kDefaultPort
                        ? " (is the LocalSend app running on this computer? It keeps working; choose another port for "
                          "Ferry's LocalSend)"
                        : "");
    return status;
  }
  self.port = http->port();
  http->start();
  r.localsend = std::move(handler);
  r.localsendHttp = std::move(http);
  startLocalSendPeer(r, self, identity ? &*identity : nullptr);
  status.on = true;
  status.alias = self.alias;
  status.fingerprint = self.fingerprint;
  status.port = self.port;
  status.protocol = std::string(ls::toString(self.protocol));
  return status;
#endif
}

void Server::setRateLimit(std::uint64_t bytesPerSecond) {
  {
    std::lock_guard lock(mutex_);
    rate_ = bytesPerSecond;
  }
  post([bytesPerSecond](Running& r) { r.limiter->setRate(bytesPerSecond); });
}

void Server::setMdnsName(const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    mdnsName_ = name;
  }
  post([name](Running& r) {
    r.http->setMdnsName(name);
    // Ferry's CA: the name goes into the next certificate.
    if (r.certificates && r.certificates->localCa())
      r.certificates->setDnsNames(name.empty() ? std::vector<std::string>{} : std::vector<std::string>{name});
  });
}

void Server::cancelTransfer(std::uint64_t id) {
  post([id](Running& r) {
#if defined(FERRY_HAVE_LOCALSEND)
    if (r.lsSender && r.lsSender->cancelTransfer(id)) return;  // a file sent to a LocalSend device
    if (r.localsend && r.localsend->cancelTransfer(id)) return;  // a file a LocalSend device sends
#endif
    r.router->cancelTransfer(id, "cancelled by the user");
  });
}

std::shared_ptr<const StatsSnapshot> Server::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void Server::setSnapshotListener(SnapshotListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void Server::publish(std::shared_ptr<const StatsSnapshot> snap) {
  SnapshotListener l;
  {
    std::lock_guard lock(mutex_);
    snapshot_ = snap;
    l = listener_;
  }
  if (l) l(std::move(snap));
}

}  // namespace ferry
