#include "http_connection.h"

#include <algorithm>

#include "header_values.h"
#include "host_check.h"
#include "http_server.h"
#include "rate_limiter.h"

namespace ferry {
namespace {

constexpr auto kLingerTimeout = std::chrono::seconds(2);

// Whether a chunked body also carries another transfer coding ("gzip,
// chunked"): stored as it came, it would be saved still compressed. RFC 9112
// §6.1: a server that does not understand a coding answers 501. (A body
// whose last coding is not chunked has no framing at all: llhttp and the
// body decoder refuse it with 400.)
bool foreignTransferCoding(const HttpRequest& req) {
  bool foreign = false;
  std::string_view last;
  for (std::size_t i = 0; i < req.headerCount; ++i) {
    if (!iequals(req.headers[i].name, "transfer-encoding")) continue;
    std::string_view v = req.headers[i].value;
    while (true) {
      const auto comma = v.find(',');
      std::string_view coding = trimOws(v.substr(0, comma));
      if (!coding.empty()) {
        if (!iequals(coding, "chunked")) foreign = true;
        last = coding;
      }
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return foreign && iequals(last, "chunked");
}

}  // namespace

HttpConnection::HttpConnection(HttpServer& server, NativeSocket fd, std::string peer, std::string peerIp)
    : server_(server),
      conn_(server.loop(), fd, server.options().limits.readBufferCeiling(), server.options().tls),
      peer_(std::move(peer)),
      peerIp_(std::move(peerIp)),
      client_(peer_),
      since_(server.loop().now()) {}

HttpConnection::~HttpConnection() {
  if (limiterTicket_) server_.limiter().cancel(limiterTicket_);
  if (body_) endBody(BodyEnd::kCancelled, "the server stopped");
  if (sink_) endSink(BodyEnd::kCancelled, "the server stopped");
}

bool HttpConnection::start() { return !conn_.start(this); }

void HttpConnection::onReadable() {
  if (closed_) return;
  if (state_ == State::kLingering) {
    conn_.consume(conn_.buffered().size());
    if (conn_.eof()) closeNow({}, false);
    return;
  }
  if (state_ == State::kReceiving) return receiveBody();
  if (state_ == State::kWriting) {
    // A pipelined request waits in the buffer; reading pauses when it is
    // full. A client that half-closed still gets its response, unless it
    // is a live stream, which only ever ends that way, or an answer held
    // open for a person, who is not to be asked for nobody.
    if (conn_.eof() && ((body_ && body_->live()) || (sink_ && !answered_ && sink_->heldOpen()))) closeNow({}, false);
    return;
  }
  processInput();
}

void HttpConnection::processInput() {
  while (!closed_ && (state_ == State::kIdle || state_ == State::kReading)) {
    std::string_view in = conn_.buffered();
    if (in.empty()) {
      if (conn_.eof()) closeNow({}, false);
      return;
    }
    if (state_ == State::kIdle) {
      state_ = State::kReading;
      since_ = server_.loop().now();
    }
    std::size_t consumed = 0;
    int status = 0;
    HttpRequest& request = server_.request();
    auto r = server_.parser().parse(in, server_.options().limits, request, consumed, status, scanned_);
    if (r == RequestParser::Result::kIncomplete) {
      if (conn_.eof()) closeNow({}, false);
      return;
    }
    if (r == RequestParser::Result::kError) {
      // The head did not parse, but its method is plain to see: a HEAD
      // gets its error without a body, like any other HEAD.
      headOnly_ = in.substr(0, 5) == "HEAD ";
      conn_.consume(in.size());
      respondHttp(status, true);
      conn_.flush();
      return;
    }
    state_ = State::kWriting;
    since_ = server_.loop().now();
    http10_ = request.versionMinor == 0;
    headOnly_ = request.isHead;
    handle(request, in.substr(0, consumed));  // copies what it needs out of the buffer
    conn_.consume(consumed);
    conn_.flush();
    if (state_ == State::kReceiving) return receiveBody();
  }
}

std::string& HttpConnection::beginHead(int status) {
  // Headers are written straight into the connection's output buffer, which
  // is empty whenever a response begins (one response at a time).
  std::string& head = conn_.output();
  head_ = &head;
  head += "HTTP/1.1 ";
  appendNumber(head, static_cast<std::uint64_t>(status));
  head += ' ';
  head += reasonPhrase(status);
  head += "\r\nServer: Ferry\r\nDate: ";
  head += server_.date();
  head += "\r\n";
  if (server_.options().hsts && conn_.encrypted()) head += "Strict-Transport-Security: max-age=31536000\r\n";
  return head;
}

void HttpConnection::endHead() {
  std::string& head = *head_;
  answered_ = true;
  continueDue_ = false;  // a final answer came first: no 100 after it
  if (state_ == State::kReceiving) {
    // The sink answers before the body's end (a full disk): the rest of the
    // body is not wanted, and is drained after the answer, not parsed.
    decoder_.reset();
    state_ = State::kWriting;
    closeAfterResponse_ = true;
  }
  if (closeAfterResponse_)
    head += "Connection: close\r\n";
  else if (http10_)
    head += "Connection: keep-alive\r\n";
  head += "\r\n";
}

void HttpConnection::respond(int status, std::string_view extraHeaders, std::string_view body) {
  // A request that could not be understood ends the connection: what
  // follows it in the stream cannot be trusted to be a request either.
  if (status == 400) closeAfterResponse_ = true;
  std::string text;
  if (body.empty() && status >= 400) {
    text = std::to_string(status) + " " + std::string(reasonPhrase(status)) + "\n";
    body = text;
  }
  std::string& head = beginHead(status);
  head += extraHeaders;
  // 204 and 304 have no body, and say nothing about one (RFC 9110 8.6).
  if (status != 304 && status != 204) {
    head += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ";
    appendNumber(head, body.size());
    head += "\r\n";
  }
  endHead();
  if (!headOnly_ && status != 304 && status != 204) head += body;
}

void HttpConnection::respondHttp(int status, bool close, std::string_view body, std::string_view extraHeaders) {
  state_ = State::kWriting;
  if (close) closeAfterResponse_ = true;
  respond(status, extraHeaders, body);
}

void HttpConnection::handle(const HttpRequest& req, std::string_view head) {
  closeAfterResponse_ = !req.keepAlive;
  answered_ = false;
  // Two Content-Length headers are how request smuggling starts, even when
  // they agree; no client of ours needs them.
  if (req.count("content-length") > 1) return respondHttp(400, true);

  client_ = peer_;
  if (std::string_view xff = req.header("x-forwarded-for"); !xff.empty() && server_.trustedProxy(peerIp_)) {
    // The proxy appends the address it saw last.
    auto comma = xff.rfind(',');
    client_ = std::string(trimOws(comma == std::string_view::npos ? xff : xff.substr(comma + 1)));
  }

  std::size_t hosts = req.count("host");
  std::string_view host = trimOws(req.header("host"));
  if (hosts > 1 || (hosts == 0 && req.versionMinor >= 1))
    return respondHttp(400, true, "HTTP/1.1 requests need exactly one Host header.\n");
  if (conn_.plainOnTlsPort() && !server_.options().plainToo && !plainPathAllowed(req.target)) {
    // Sent on only to a name we answer for: the Location must not point a
    // client at a host an attacker chose.
    bool trusted = hosts == 1 && checkHost(host, server_.options().hosts) == HostVerdict::kAllowed;
    return redirectToTls(req, trusted ? host : std::string_view());
  }
  if (hosts == 1) {
    HostVerdict verdict = checkHost(host, server_.options().hosts);
    if (verdict == HostVerdict::kMalformed) return respondHttp(400, true, "The Host header is not a host name.\n");
    if (verdict == HostVerdict::kForeign)
      return respondHttp(421, true, "This server does not answer for that host name.\n");
  }
  httpsUrl_.clear();
  if (conn_.plainOnTlsPort() && hosts == 1 && !req.target.empty() && req.target[0] == '/') {
    // The Host was found to be ours above: safe to point a page at.
    httpsUrl_ = "https://";
    httpsUrl_ += host;
    httpsUrl_ += req.target;
  }
  if (req.count("expect") > 0 && (req.count("expect") > 1 || !iequals(trimOws(req.header("expect")), "100-continue")))
    return respondHttp(417, true, "The only expectation understood here is 100-continue.\n");
  if (foreignTransferCoding(req))
    return respondHttp(501, true, "The only transfer coding understood here is chunked.\n");
  if (req.hasBody || req.method == "PUT" || req.method == "POST") return acceptBody(req, head);
  if (!req.isGet && !req.isHead) return respondHttp(405, false, {}, "Allow: GET, HEAD\r\n");

  body_ = server_.handler().handle(req, *this);
  if (body_ && body_->live()) setPeerTimeout(conn_.fd(), BodySource::kLivePeerTimeoutMs);
}

bool HttpConnection::plainPathAllowed(std::string_view target) const {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const std::string& p : server_.options().plainPaths)
    if (path == p) return true;
  return false;
}

void HttpConnection::redirectToTls(const HttpRequest& req, std::string_view host) {
  // Never the request itself: a password or a file sent in the clear has
  // already been seen, but must not be taken as if it were safe. A 302, not
  // a 301: browsers keep a 301 for good, and this port may serve plain HTTP
  // again one day.
  if (host.empty() || req.target.empty() || req.target[0] != '/')
    return respondHttp(400, true,
                       "This port speaks HTTPS only. Open the same address with https:// in front.\n");
  std::string location = "Location: https://";
  location += host;
  location += req.target;
  location += "\r\n";
  respondHttp(302, true, "This port speaks HTTPS only; the same address with https:// follows.\n", location);
}

void HttpConnection::acceptBody(const HttpRequest& req, std::string_view head) {
  // A refusal leaves the body unread: the connection closes after it (a
  // lingering close drains what the client still sends).
  if (req.hasBody) closeAfterResponse_ = true;
  SinkPtr sink = server_.handler().accept(req, *this);
  if (!sink) {
    if (answered_) return;
    if (!req.hasBody) return respondHttp(405, false, {}, "Allow: GET, HEAD\r\n");
    return respondHttp(400, true, "Requests with a body are not accepted.\n");
  }
  closeAfterResponse_ = !req.keepAlive;
  sink_ = std::move(sink);
  decoder_ = std::make_unique<BodyDecoder>(head);
  // The client waits for this before it sends the body (curl does, for a
  // second): only once the request was checked, and the sink is ready for
  // it (a sink may wait for the user's answer first).
  continueDue_ = req.versionMinor >= 1 && req.count("expect") == 1 && !decoder_->done();
  sendContinueIfReady();
  state_ = State::kReceiving;
  since_ = server_.loop().now();
}

void HttpConnection::receiveBody() {
  while (!closed_ && state_ == State::kReceiving) {
    if (decoder_->done()) {
      decoder_.reset();
      state_ = State::kWriting;
      since_ = server_.loop().now();
      sink_->complete();
      if (answered_) conn_.flush();  // answered at once
      return;
    }
    std::size_t room = sink_->room();
    if (room == 0) {
      // The sink resumes us; but one waiting for a person's answer is not
      // to be answered for nobody: a client that hung up ends it now.
      if (conn_.eof() && sink_->heldOpen()) closeNow("the client hung up while it waited to be accepted", false);
      return;
    }
    std::string_view in = conn_.buffered();
    if (in.empty()) {
      if (conn_.eof()) closeNow("the client hung up before the end of the file", false);
      return;
    }
    std::size_t consumed = 0;
    auto r = decoder_->feed(in.substr(0, std::min(in.size(), room)), *sink_, consumed);
    conn_.consume(consumed);
    since_ = server_.loop().now();
    if (r == BodyDecoder::Result::kError) {
      endSink(BodyEnd::kFailed, "the request body was malformed");
      decoder_.reset();
      conn_.consume(conn_.buffered().size());
      respondHttp(400, true, "The request body is malformed.\n");
      conn_.flush();
      return;
    }
  }
}

void HttpConnection::sendContinueIfReady() {
  if (!continueDue_ || !sink_ || !sink_->ready()) return;
  continueDue_ = false;
  conn_.queue("HTTP/1.1 100 Continue\r\n\r\n");
}

void HttpConnection::endSink(BodyEnd how, std::string_view reason) {
  SinkPtr sink = std::move(sink_);
  sink->ended(how, reason);
}

void HttpConnection::resume() {
  if (closed_) return;
  if (state_ == State::kReceiving) {
    since_ = server_.loop().now();  // waiting for the sink is not the client's stall
    if (continueDue_ && sink_->ready()) {
      sendContinueIfReady();
      conn_.flush();
    }
    return receiveBody();
  }
  if (state_ != State::kWriting) return;
  conn_.flush();  // sends what the body wrote, then onDrained() asks it again
}

void HttpConnection::abort(std::string_view reason, bool failed) { closeNow(reason, failed); }

void HttpConnection::pump() {
  if (closed_ || !body_ || pieceQueued_ || limiterTicket_) return;
  BodyPiece piece;
  switch (body_->next(piece)) {
    case BodySource::Next::kWait:
      return;
    case BodySource::Next::kEnd:
      endBody(BodyEnd::kComplete, {});
      if (conn_.queuedBytes() == 0) finishResponse();
      return;
    case BodySource::Next::kPiece:
      break;
  }
  const std::uint64_t length = piece.fd >= 0 ? piece.length : piece.bytes.size();
  std::uint64_t grant = server_.limiter().take(std::min(length, kBodyChunk));
  if (grant == 0) {
    // Out of bandwidth: wait for the limiter's refill instead of polling.
    limiterTicket_ = server_.limiter().enqueue([this] {
      limiterTicket_ = 0;
      pump();
      conn_.flush();
    });
    return;
  }
  if (piece.fd >= 0)
    conn_.queueFile(piece.fd, piece.offset, grant);
  else
    conn_.queueView(piece.bytes.substr(0, static_cast<std::size_t>(grant)));
  pieceQueued_ = true;
}

void HttpConnection::onSent(std::uint64_t n) {
  if (body_ && pieceQueued_) body_->sent(n);
}

void HttpConnection::onDrained() {
  if (closed_ || state_ != State::kWriting) return;
  if (pieceQueued_) {
    pieceQueued_ = false;
    if (conn_.fileEnded()) return closeNow("the file shrank during the download", true);
    if (conn_.fileUncached() && body_) body_->regionNotCached();
  }
  if (body_) return pump();
  if (sink_ && !answered_) return;  // the sink answers once its file is on disk
  finishResponse();
}

void HttpConnection::endBody(BodyEnd how, std::string_view reason) {
  BodyPtr body = std::move(body_);
  pieceQueued_ = false;
  body->ended(how, reason);
}

void HttpConnection::finishResponse() {
  if (sink_) endSink(BodyEnd::kComplete, {});
  if (closeAfterResponse_) {
    // Half-close and drain what the client still sends, so our response is
    // not destroyed by a reset (a close with unread data sends RST).
    conn_.shutdownWrite();
    state_ = State::kLingering;
    since_ = server_.loop().now();
    conn_.consume(conn_.buffered().size());
    if (conn_.eof()) closeNow({}, false);
    return;
  }
  state_ = State::kIdle;
  since_ = server_.loop().now();
  processInput();
}

void HttpConnection::onError(std::error_code ec) {
  closeNow("the client closed the connection (" + ec.message() + ")", false);
}

void HttpConnection::onFileError(std::error_code ec) { closeNow("cannot read the file: " + ec.message(), true); }

void HttpConnection::onBroken(std::error_code cause) {
  closeNow("the server failed while serving it (" + cause.message() + ")", true);
}

void HttpConnection::cancel(const std::string& reason) { closeNow(reason, false); }

void HttpConnection::closeNow(std::string_view why, bool failed) {
  if (closed_) return;
  closed_ = true;
  if (limiterTicket_) {
    server_.limiter().cancel(limiterTicket_);
    limiterTicket_ = 0;
  }
  if (body_)
    endBody(failed ? BodyEnd::kFailed : BodyEnd::kCancelled, why.empty() ? "the client closed the connection" : why);
  if (sink_)
    endSink(failed ? BodyEnd::kFailed : BodyEnd::kCancelled, why.empty() ? "the client closed the connection" : why);
  conn_.halt();
  server_.release(this);
}

void HttpConnection::checkTimeouts(std::chrono::steady_clock::time_point now) {
  if (closed_) return;
  const HttpLimits& limits = server_.options().limits;
  switch (state_) {
    case State::kIdle:
      // A TLS handshake is the first part of a request's head: a client
      // stalling in it is given what a slow head is given.
      if (conn_.handshaking() ? now - since_ > limits.headerTimeout : now - since_ > limits.idleTimeout)
        closeNow({}, false);
      break;
    case State::kReading:
      if (now - since_ > limits.headerTimeout) {
        conn_.consume(conn_.buffered().size());
        respondHttp(408, true);
        conn_.flush();
      }
      break;
    case State::kReceiving:
      if (sink_->room() > 0 && now - since_ > limits.bodyStallTimeout) {
        endSink(BodyEnd::kFailed, "the client stopped sending (no bytes for " +
                                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                         limits.bodyStallTimeout).count()) + " s)");
        decoder_.reset();
        conn_.consume(conn_.buffered().size());
        respondHttp(408, true);
        conn_.flush();
      }
      break;
    case State::kWriting:
      if (conn_.queuedBytes() > 0 && now - std::max(since_, conn_.lastWriteProgress()) > limits.writeStallTimeout)
        closeNow("the client stopped reading (no progress for " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limits.writeStallTimeout).count()) +
                     " s)",
                 true);
      break;
    case State::kLingering:
      if (now - since_ > kLingerTimeout) closeNow({}, false);
      break;
  }
}

}  // namespace ferry
