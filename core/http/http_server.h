#pragma once

// Layer http/: HTTP/1.1 and nothing behind it — the parser, HttpConnection,
// HttpServer, limits, dates, ranges, targets, the Host policy. What answers
// a request comes from above, through responder.h and body_source.h.
// Uses net/ and below.
//
// HttpServer: HTTP on one loop. Owns the Listener and every HttpConnection;
// borrows the RequestHandler that answers requests and the RateLimiter.
// Enforces the connection caps, sweeps deadlines twice a second, destroys
// connections at the end of the loop iteration that closed them, and gives
// memory back to the OS once a burst of connections has gone.
//
// Loop thread only (listen() may run before the loop starts).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "event_loop.h"
#include "host_check.h"
#include "http_date.h"
#include "http_request.h"
#include "http_limits.h"
#include "listener.h"
#include "responder.h"
#include "tls_context.h"

namespace ferry {

class HttpConnection;
class RateLimiter;

struct HttpServerOptions {
  std::string bind;  // "" = every interface
  std::uint16_t port = 8080;
  HttpLimits limits;
  HostPolicy hosts;
  std::vector<std::string> trustedProxies;  // peers whose X-Forwarded-For we believe
  // Set: the port speaks TLS with this certificate (a client speaking plain
  // HTTP to it is sent to the https URL).
  std::shared_ptr<TlsContext> tls;
  // With tls: answers carry Strict-Transport-Security, so browsers come back
  // over https only. Off unless asked: a LAN address must not get stuck on
  // https once the certificate is gone.
  bool hsts = false;
  // With tls: paths (exact, before any '?') answered over plain HTTP too
  // instead of the redirect: the page that installs Ferry's CA, which a
  // device must reach before it can trust https.
  std::vector<std::string> plainPaths;
  // With tls: plain HTTP is answered as on a port without TLS (every path,
  // no redirect), for devices that do not trust the certificate.
  bool plainToo = false;
  // How long after a burst of connections memory is given back: long enough
  // for what the handler keeps of finished requests to have gone.
  std::chrono::milliseconds releaseDelay{6000};
};

class HttpServer final {
 public:
  HttpServer(EventLoop& loop, RequestHandler& handler, RateLimiter& limiter);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::error_code listen(const HttpServerOptions& options, std::string* message);
  void start();
  // Closes the listener and every connection (transfers end as cancelled).
  void shutdown();

  std::uint16_t port() const { return listener_.port(); }

  // For HttpConnection.
  EventLoop& loop() { return loop_; }
  RequestHandler& handler() { return handler_; }
  RateLimiter& limiter() { return limiter_; }
  const HttpServerOptions& options() const { return options_; }
  // The name the mDNS responder publishes now, answered from the next request on.
  void setMdnsName(std::string name) { options_.hosts.mdnsName = std::move(name); }
  // A renewed certificate: connections accepted from now on use it, those
  // open keep theirs.
  void setTls(std::shared_ptr<TlsContext> tls) { options_.tls = std::move(tls); }
  std::string_view date() { return dates_.now(); }
  // Shared by every connection: a request head is parsed and answered in
  // one go, so one parser and one parsed request per loop suffice (and an
  // idle connection costs no parser memory).
  RequestParser& parser() { return parser_; }
  HttpRequest& request() { return request_; }
  bool trustedProxy(const std::string& ip) const;
  void release(HttpConnection* c);

 private:
  void accept(NativeSocket fd, const sockaddr* peer);
  void sweep();
  void reject(NativeSocket fd);
  void collect();
  void noteConnectionCount();
  void releaseBurstMemory();

  EventLoop& loop_;
  RequestHandler& handler_;
  RateLimiter& limiter_;
  HttpServerOptions options_;
  Listener listener_;
  DateCache dates_;
  RequestParser parser_;
  HttpRequest request_;
  std::unordered_map<HttpConnection*, std::unique_ptr<HttpConnection>> connections_;
  std::unordered_map<std::string, std::size_t> perIp_;
  std::vector<std::unique_ptr<HttpConnection>> dead_;
  bool collectPosted_ = false;
  EventLoop::TimerId sweeper_ = 0;
  std::size_t peakConnections_ = 0;  // since memory was last given back
  EventLoop::TimerId releaser_ = 0;
};

}  // namespace ferry
