#pragma once

// The seam between HTTP and what answers a request. http/ declares it;
// serve/ implements RequestHandler (a router and one handler per kind of
// answer), and HttpConnection implements Responder. HTTP code therefore
// never learns what a share, a file or a folder is (h2o's handlers, its
// lib/http1.c).
//
// Loop thread only.

#include <cstdint>
#include <string>
#include <string_view>

#include "body_sink.h"
#include "body_source.h"
#include "http_request.h"

namespace ferry {

// What a handler answers through: the connection of one request.
class Responder {
 public:
  // Who asked: the peer "ip:port", or the address a trusted proxy forwarded.
  virtual const std::string& client() const = 0;
  // A HEAD request: heads only (respond() leaves out its body by itself).
  virtual bool headOnly() const = 0;
  // The request came over TLS: a cookie set in answer may be Secure.
  virtual bool secure() const = 0;
  // Plain HTTP answered on a port that speaks HTTPS too (--http-too): the
  // same request's https:// URL (its Host one this server answers for), for
  // a page to offer; "" otherwise.
  virtual const std::string& httpsUrl() const {
    static const std::string kNone;
    return kNone;
  }
  // Over TLS, the fingerprint of the certificate the client presented
  // (SHA-256 of its DER, uppercase hex); "" when none.
  virtual std::string peerFingerprint() const { return {}; }
  // A complete short answer: status, extra header lines (each ending in
  // CRLF) and a text body (a default sentence for errors when empty).
  virtual void respond(int status, std::string_view extraHeaders = {}, std::string_view body = {}) = 0;
  // Begins a head: status line, Server and Date are written. Append header
  // lines (Content-Length included), then endHead().
  virtual std::string& beginHead(int status) = 0;
  virtual void endHead() = 0;
  // A body that answered kWait has something now; or a sink that was full
  // has room again, or has answered.
  virtual void resume() = 0;
  // Ends the connection at once (the body's ended() hears `reason`).
  virtual void abort(std::string_view reason, bool failed) = 0;

 protected:
  ~Responder() = default;
};

class RequestHandler {
 public:
  // Answers one request that passed HTTP's own checks: at once through
  // `out`, or by returning a body that the connection pulls from (it may
  // write its head later, from a job's completion). `req` is valid only
  // during this call.
  virtual BodyPtr handle(const HttpRequest& req, Responder& out) = 0;
  // A request that carries a body (a PUT or POST, or any request with a
  // Content-Length or Transfer-Encoding): return a sink that takes the body
  // and answers once it has it; or answer through `out` now (a refusal, or
  // a request whose empty body needs no sink) and return null. Null without
  // an answer refuses the body as HTTP does for every other request (400).
  // `Expect: 100-continue` is answered only once a sink was returned.
  virtual SinkPtr accept(const HttpRequest& req, Responder& out) {
    (void)req;
    (void)out;
    return nullptr;
  }
  // The number of open connections changed.
  virtual void connectionsChanged(std::size_t open) = 0;

 protected:
  ~RequestHandler() = default;
};

}  // namespace ferry
