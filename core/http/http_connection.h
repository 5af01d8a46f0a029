#pragma once

// HttpConnection: HTTP/1.1 on one Connection. Owns the Connection, the
// parse progress of the request being read, and the response in flight: its
// body source, if any, until the response ends. Does not own the handler,
// the parser or the rate limiter, which belong to the HttpServer; knows
// nothing of what answers (see responder.h).
//
// Requests are answered one at a time, in order: a pipelined request waits in
// the read buffer until the previous response has fully left. A body is
// pulled one piece at a time, the next only after the socket took the last.
// A request body goes to the handler's sink, never more than it has room
// for: while it is full the socket is not read.
//
// Loop thread only.

#include <chrono>
#include <cstdint>
#include <string>

#include "body_decoder.h"
#include "body_sink.h"
#include "body_source.h"
#include "connection.h"
#include "responder.h"

namespace ferry {

class HttpServer;

class HttpConnection final : public ConnectionHandler, public Responder {
 public:
  // The most of a body queued on the Connection at once: the unit of
  // fairness between transfers and of rate-limit grants. nginx's
  // sendfile_max_chunk, and what one flush() sends with sendfile(): one
  // sendfile() call per piece where the socket keeps up. It holds no memory
  // (see Connection::queueFile).
  static constexpr std::uint64_t kBodyChunk = Connection::kFlushBytes;

  HttpConnection(HttpServer& server, NativeSocket fd, std::string peer, std::string peerIp);
  ~HttpConnection() override;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool start();

  // Ends the response in flight (if any) as cancelled and closes.
  void cancel(const std::string& reason);
  // Closes if a deadline has passed (header, idle, write stall).
  void checkTimeouts(std::chrono::steady_clock::time_point now);

  const std::string& peerIp() const { return peerIp_; }
  bool closed() const { return closed_; }

  // Responder
  const std::string& client() const override { return client_; }
  bool headOnly() const override { return headOnly_; }
  bool secure() const override { return conn_.encrypted(); }
  std::string peerFingerprint() const override { return conn_.peerFingerprint(); }
  const std::string& httpsUrl() const override { return httpsUrl_; }
  void respond(int status, std::string_view extraHeaders = {}, std::string_view body = {}) override;
  std::string& beginHead(int status) override;
  void endHead() override;
  void resume() override;
  void abort(std::string_view reason, bool failed) override;

 private:
  // kReceiving: a request body is arriving for the sink.
  enum class State { kIdle, kReading, kReceiving, kWriting, kLingering };

  void onReadable() override;
  void onDrained() override;
  void onSent(std::uint64_t n) override;
  void onError(std::error_code ec) override;
  void onFileError(std::error_code ec) override;
  void onBroken(std::error_code cause) override;

  void processInput();
  void handle(const HttpRequest& req, std::string_view head);
  void acceptBody(const HttpRequest& req, std::string_view head);
  // Plain HTTP on the TLS port: where the request should have gone.
  void redirectToTls(const HttpRequest& req, std::string_view host);
  // A path served over plain HTTP on a TLS port too (HttpServerOptions::plainPaths).
  bool plainPathAllowed(std::string_view target) const;
  void receiveBody();
  // Writes `100 Continue` when the client waits for one and the sink is ready.
  void sendContinueIfReady();
  void endSink(BodyEnd how, std::string_view reason);
  // A complete answer from HTTP's own checks; `close` ends the connection
  // after it.
  void respondHttp(int status, bool close, std::string_view body = {}, std::string_view extraHeaders = {});
  void pump();
  void endBody(BodyEnd how, std::string_view reason);
  void finishResponse();
  void closeNow(std::string_view why, bool failed);

  HttpServer& server_;
  Connection conn_;
  std::size_t scanned_ = 0;  // RequestParser's progress through the buffered head
  bool http10_ = false;      // the current request is HTTP/1.0
  bool headOnly_ = false;    // the current request is HEAD
  std::string peer_;
  std::string peerIp_;
  std::string client_;  // peer, or X-Forwarded-For from a trusted proxy
  std::string httpsUrl_;  // the current request's over https (plain HTTP on a TLS port only)
  State state_ = State::kIdle;
  bool closed_ = false;
  bool closeAfterResponse_ = false;
  std::chrono::steady_clock::time_point since_;  // entered the current state
  std::string* head_ = nullptr;  // the head being written (the Connection's output buffer)

  BodyPtr body_;
  SinkPtr sink_;  // the request body's, until its response has left
  std::unique_ptr<BodyDecoder> decoder_;  // while the body arrives
  bool answered_ = false;  // the current request's head has been written
  bool continueDue_ = false;  // the client expects 100 Continue; not sent yet
  bool pieceQueued_ = false;  // a piece of body_ is on the Connection, not yet drained
  std::uint64_t limiterTicket_ = 0;
};

}  // namespace ferry
