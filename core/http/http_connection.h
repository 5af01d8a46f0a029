#pragma once

// HttpConnection: HTTP/1.1 on one Connection. Owns the Connection, the
// request parser, and the response in flight (its headers, the open file and
// how much of it is left); does not own the shares, the stats or the rate
// limiter, which belong to the HttpServer.
//
// Requests are answered one at a time, in order: a pipelined request waits in
// the read buffer until the previous response has fully left. A response body
// is pulled from the file one chunk at a time, only after the socket took the
// previous chunk.
//
// Loop thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "connection.h"
#include "http_request.h"
#include "transfer_stats.h"

namespace ferry {

class HttpServer;
struct Share;

class HttpConnection final : public ConnectionHandler {
 public:
  // A body is queued on the Connection one region at a time, the next only
  // once the socket took the last: the unit of fairness between transfers
  // and of progress reports. It holds no memory (see Connection::queueFile).
  static constexpr std::uint64_t kBodyChunk = 256 * 1024;
  // Bodies up to this size are read with the headers and sent in one go.
  static constexpr std::uint64_t kInlineBody = 16 * 1024;

  HttpConnection(HttpServer& server, NativeSocket fd, std::string peer, std::string peerIp);
  ~HttpConnection() override;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool start();

  // Ends the response in flight (if any) as cancelled and closes.
  void cancel(const std::string& reason);
  // Closes if a deadline has passed (header, idle, write stall).
  void checkTimeouts(std::chrono::steady_clock::time_point now);

  std::uint64_t transferId() const { return transfer_.id; }
  // The share being served, or null between responses.
  const Share* share() const { return share_.get(); }
  const std::string& peerIp() const { return peerIp_; }
  bool closed() const { return closed_; }

 private:
  enum class State { kIdle, kReading, kWriting, kLingering };

  void onReadable() override;
  void onDrained() override;
  void onError(std::error_code ec) override;
  void onFileError(std::error_code ec) override;
  void onBroken(std::error_code cause) override;

  void processInput();
  void handle(const HttpRequest& req);
  void serveFile(const HttpRequest& req, std::shared_ptr<const Share> share);
  // Answers a request whose share's file cannot be opened (errno `err`, or
  // 0 when it is no longer a regular file), and records why.
  void refuseUnreadable(const HttpRequest& req, const std::shared_ptr<const Share>& share, int err);
  void respondSimple(int status, bool close, std::string_view extraHeaders = {},
                     std::string_view body = {}, bool headOnly = false);
  std::string& beginHeaders(int status);
  void pumpBody();
  void finishResponse();
  void closeNow(const std::string& why, bool failed);
  void releaseFile();

  HttpServer& server_;
  Connection conn_;
  std::size_t scanned_ = 0;  // RequestParser's progress through the buffered head
  bool http10_ = false;      // the current request is HTTP/1.0
  std::string peer_;
  std::string peerIp_;
  std::string client_;  // peer, or X-Forwarded-For from a trusted proxy
  State state_ = State::kIdle;
  bool closed_ = false;
  bool closeAfterResponse_ = false;
  std::chrono::steady_clock::time_point since_;  // entered the current state

  int fileFd_ = -1;
  std::uint64_t offset_ = 0;
  std::uint64_t bodyLeft_ = 0;
  std::uint64_t inFlight_ = 0;  // body bytes queued, not yet drained
  TransferHandle transfer_;
  std::shared_ptr<const Share> share_;
  std::uint64_t limiterTicket_ = 0;
};

}  // namespace ferry
