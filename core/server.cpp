#include "server.h"

#include <algorithm>
#include <filesystem>

#include "event_loop.h"
#include "http_server.h"
#include "json_text.h"
#include "net_address.h"
#include "rate_limiter.h"
#include "request_target.h"
#include "router.h"
#include "socket.h"
#include "work_pool.h"

namespace ferry {

// Everything that lives on the worker thread, in construction order.
struct Server::Running {
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<TransferStats> stats;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<WorkPool> pool;
  std::unique_ptr<Router> router;
  std::unique_ptr<HttpServer> http;
  std::thread thread;
  std::uint16_t port = 0;
  std::string bind;
  bool secure = false;

  // The order stop() uses too: connections first, then the pool (its last
  // jobs' done() hand their responses back to the router), then the rest.
  ~Running() {
    http.reset();
    pool.reset();
    router.reset();
  }
};

Server::Server() : snapshot_(std::make_shared<StatsSnapshot>()) {
  initSockets();
  ignoreSigpipe();
}

Server::~Server() {
  stop();
  crcs_.save();
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
  r->pool = std::make_unique<WorkPool>(*r->loop);
  r->router = std::make_unique<Router>(*r->loop, shares_, receive_, *r->stats, *r->pool, crcs_, pictures_);
  r->router->setCachePolicy(CachePolicy{options.publicCacheSeconds});
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
    // Checked here, before the port is taken: a certificate that cannot
    // serve is a sentence, never a server that half works.
    ho.tls = TlsContext::load(options.tlsCert, options.tlsKey, error);
    if (!ho.tls) return false;
    ho.hsts = options.hsts;
  }
  r->secure = ho.tls != nullptr;
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
  EventLoop* loop = r->loop.get();
  // The loop object was set up on this thread; from here on it belongs to
  // the worker.
  r->thread = std::thread([loop] { loop->run(); });
  std::lock_guard lock(mutex_);
  // A name set while this was starting missed both the options and post().
  if (mdnsName_ != ho.hosts.mdnsName)
    loop->post([http = r->http.get(), name = mdnsName_] { http->setMdnsName(name); });
  running_ = std::move(r);
  return true;
}

void Server::stop() {
  std::lock_guard life(lifecycle_);
  std::unique_ptr<Running> r;
  {
    std::lock_guard lock(mutex_);
    r = std::move(running_);
  }
  if (!r) return;
  HttpServer* http = r->http.get();
  TransferStats* stats = r->stats.get();
  Router* router = r->router.get();
  EventLoop* loop = r->loop.get();
  // Close every connection on the loop thread, publish the last word, then
  // end run(): post() and stop() both go through the waker, so this is prompt
  // even when the loop sleeps with no timers.
  loop->post([http, stats, router, loop] {
    http->shutdown();
    router->nearby().devices().clear();  // every device leaves, and is told so
    stats->publishNow();
    loop->stop();
  });
  r->thread.join();
  // The loop has stopped: tear down on this thread (see ~Running).
  r.reset();
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
  post([token](Running& r) { r.router->cancelShare(token, "the file was unshared"); });
  return true;
}

std::vector<Share> Server::shares() const { return shares_.list(); }

bool Server::setRules(const std::string& token, const ShareRules& rules) { return shares_.setRules(token, rules); }

bool Server::setDeliveries(const std::string& token, std::uint32_t count) {
  return shares_.setDeliveries(token, count);
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

std::string Server::linkFor(const Share& share, const std::string& host) const {
  std::uint16_t p = port();
  // A folder's link is its listing, with the '/' its page's links build on.
  return scheme() + "://" + hostForUrl(host, p) + "/" + share.token + "/" + percentEncodePathSegment(share.name) +
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
    post([](Running& r) { r.router->stopReceiving("the receive folder changed"); });
  return *folder;
}

void Server::stopReceiving() {
  if (!receive_.clear()) return;
  post([](Running& r) { r.router->stopReceiving("receiving was turned off"); });
}

std::optional<ReceiveFolder> Server::receiveFolder() const {
  auto folder = receive_.current();
  if (!folder) return std::nullopt;
  return *folder;
}

std::string Server::receiveLink(const std::string& host) const {
  auto folder = receive_.current();
  if (!folder) return {};
  return scheme() + "://" + hostForUrl(host, port()) + "/" + folder->token + "/";
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

std::vector<NearbyDevice> Server::nearbyDevices() const {
  std::lock_guard lock(mutex_);
  return nearby_;
}

namespace {

bool deviceHere(const std::vector<NearbyDevice>& devices, std::uint64_t id) {
  return std::any_of(devices.begin(), devices.end(), [id](const NearbyDevice& d) { return d.id == id; });
}

}  // namespace

bool Server::sendToDevice(std::uint64_t device, const std::vector<std::string>& paths, std::string* error,
                          std::chrono::seconds lifetime) {
  if (!deviceHere(nearbyDevices(), device)) {
    if (error) *error = "No device " + std::to_string(device) + " has this computer's page open.";
    return false;
  }
  if (paths.empty()) {
    if (error) *error = "Name at least one file to send.";
    return false;
  }
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
  std::vector<std::string> cards;
  for (const Share& s : made) {
    std::string json = "{\"name\":";
    appendJsonString(json, s.name);
    std::error_code ec;
    const auto size = s.folder ? 0 : std::filesystem::file_size(s.path, ec);
    json += ",\"size\":" + std::to_string(ec ? 0 : size) + ",\"folder\":" + (s.folder ? "true" : "false");
    json += ",\"link\":";
    appendJsonString(json, "/" + s.token + "/" + percentEncodePathSegment(s.name) + (s.folder ? "/" : ""));
    json += '}';
    cards.push_back(std::move(json));
  }
  std::vector<std::string> tokens;
  for (const Share& s : made) tokens.push_back(s.token);
  post([this, device, cards = std::move(cards), tokens = std::move(tokens)](Running& r) {
    bool sent = true;
    for (const std::string& card : cards) sent = sent && r.router->nearby().send(device, "file", card);
    // The device left meanwhile: its links go with it.
    if (!sent)
      for (const std::string& t : tokens) removeShare(t);
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
  std::string json = "{\"text\":";
  appendJsonString(json, text);
  json += '}';
  post([device, json = std::move(json)](Running& r) { r.router->nearby().send(device, "text", json); });
  return true;
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
  post([name](Running& r) { r.http->setMdnsName(name); });
}

void Server::cancelTransfer(std::uint64_t id) {
  post([id](Running& r) { r.router->cancelTransfer(id, "cancelled by the user"); });
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
