#include "http_server.h"

#include <algorithm>

#include "http_connection.h"
#include "memory_release.h"
#include "net_address.h"
#include "rate_limiter.h"

#ifndef _WIN32
#include <sys/socket.h>
#endif

namespace ferry {
namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(500);
// A burst worth giving memory back after: this many connections at once...
// ...then down to an eighth of them and staying there for
// HttpServerOptions::releaseDelay.
constexpr std::size_t kBurstConnections = 128;

}  // namespace

HttpServer::HttpServer(EventLoop& loop, RequestHandler& handler, RateLimiter& limiter)
    : loop_(loop), handler_(handler), limiter_(limiter), listener_(loop) {}

HttpServer::~HttpServer() { shutdown(); }

std::error_code HttpServer::listen(const HttpServerOptions& options, std::string* message) {
  options_ = options;
  if (options_.hosts.machineName.empty()) options_.hosts.machineName = localHostName();
  return listener_.open(options_.bind, options_.port, message);
}

void HttpServer::start() {
  listener_.start([this](NativeSocket fd, const sockaddr* peer) { accept(fd, peer); });
}

void HttpServer::shutdown() {
  listener_.close();
  if (sweeper_) {
    loop_.cancel(sweeper_);
    sweeper_ = 0;
  }
  std::vector<HttpConnection*> all;
  all.reserve(connections_.size());
  for (auto& [p, c] : connections_) all.push_back(p);
  for (HttpConnection* c : all) c->cancel("the server stopped");
  dead_.clear();
  connections_.clear();
  perIp_.clear();
  handler_.connectionsChanged(0);
  if (releaser_) {
    loop_.cancel(releaser_);
    releaser_ = 0;
  }
}

bool HttpServer::trustedProxy(const std::string& ip) const {
  return std::find(options_.trustedProxies.begin(), options_.trustedProxies.end(), ip) !=
         options_.trustedProxies.end();
}

void HttpServer::reject(NativeSocket fd) {
  // Over a cap: say so and hang up. Best effort; the socket is fresh, so the
  // short answer fits its send buffer. A TLS client could not read it: it
  // only sees the connection close.
  if (options_.tls) {
    closeSocket(fd);
    return;
  }
  static constexpr std::string_view k503 =
      "HTTP/1.1 503 Service Unavailable\r\nServer: Ferry\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 33\r\nRetry-After: 5\r\nConnection: close\r\n\r\nToo many connections; try again.\n";
  [[maybe_unused]] auto n = ::send(fd, k503.data(), static_cast<int>(k503.size()), kSendNoSignal);
#ifdef _WIN32
  ::shutdown(fd, SD_SEND);
#else
  ::shutdown(fd, SHUT_WR);
#endif
  closeSocket(fd);
}

void HttpServer::accept(NativeSocket fd, const sockaddr* peer) {
  std::string ip = addressToString(peer);
  std::size_t& fromIp = perIp_[ip];
  const std::size_t perIpCap = options_.limits.maxConnectionsPerIp;
  if (connections_.size() >= options_.limits.maxConnections ||
      (perIpCap && fromIp >= perIpCap && !trustedProxy(ip))) {
    if (fromIp == 0) perIp_.erase(ip);
    reject(fd);
    return;
  }
  ++fromIp;
  auto conn = std::make_unique<HttpConnection>(*this, fd, endpointToString(peer), ip);
  HttpConnection* raw = conn.get();
  connections_.emplace(raw, std::move(conn));
  if (!raw->start()) {
    raw->cancel("cannot watch the socket");
    return;
  }
  noteConnectionCount();
  if (!sweeper_) sweeper_ = loop_.runEvery(kSweepInterval, [this] { sweep(); });
}

void HttpServer::release(HttpConnection* c) {
  auto it = connections_.find(c);
  if (it == connections_.end()) return;
  auto ip = perIp_.find(c->peerIp());
  if (ip != perIp_.end() && --ip->second == 0) perIp_.erase(ip);
  // Destroyed after the current callback chain unwinds: the connection may be
  // deep inside its own handler right now.
  dead_.push_back(std::move(it->second));
  connections_.erase(it);
  noteConnectionCount();
  if (!collectPosted_) {
    collectPosted_ = true;
    loop_.post([this] { collect(); });
  }
}

void HttpServer::noteConnectionCount() {
  std::size_t n = connections_.size();
  handler_.connectionsChanged(n);
  peakConnections_ = std::max(peakConnections_, n);
  bool low = n <= peakConnections_ / 8;
  if (releaser_ && !low) {
    // The burst came back (clients arrive in waves): count from its end.
    loop_.cancel(releaser_);
    releaser_ = 0;
  } else if (!releaser_ && low && peakConnections_ >= kBurstConnections) {
    releaser_ = loop_.runAfter(options_.releaseDelay, [this] { releaseBurstMemory(); });
  }
}

void HttpServer::releaseBurstMemory() {
  // Without this, 2,000 clients that came and went would leave the server
  // holding their memory for good (see memory_release.h).
  releaser_ = 0;
  peakConnections_ = connections_.size();
  shrinkToFit(connections_);
  shrinkToFit(perIp_);
  dead_.shrink_to_fit();
  loop_.releaseMemory();  // the loop's tables, then the allocator's free pages
}

void HttpServer::collect() {
  collectPosted_ = false;
  dead_.clear();
}

void HttpServer::sweep() {
  if (connections_.empty()) {
    // Nothing to watch: let an idle server sleep.
    loop_.cancel(sweeper_);
    sweeper_ = 0;
    return;
  }
  auto now = loop_.now();
  std::vector<HttpConnection*> all;
  all.reserve(connections_.size());
  for (auto& [p, c] : connections_) all.push_back(p);
  for (HttpConnection* c : all) c->checkTimeouts(now);
}

}  // namespace ferry
