#pragma once

// HttpClient: one outgoing HTTP/1.1 request and its response, on the loop.
// What Ferry uses to speak to other devices' servers (LocalSend's register,
// prepare-upload, upload and cancel).
//
// Owns its socket, the bytes it has yet to send, the response it is reading
// (llhttp in response mode) and its timers. The request body is either held
// in memory or streamed from a file: the next chunk is read only when the
// socket has taken the previous one, reads that would wait for the disk go
// to the work pool (as downloads do), so a client holds at most one chunk of
// a file whatever its size. One request per connection ("Connection:
// close"): the devices it speaks to answer a handful of requests per
// transfer.
//
// Over https the client offers ALPN http/1.1, sends no SNI (peers are IP
// addresses), may present a client certificate (the context's) and pins the
// peer's certificate: the SHA-256 of its DER must be the fingerprint the
// peer announced, whoever signed it.
//
// Loop thread only. done() is called exactly once unless abort() or the
// destructor comes first; the owner may destroy the client inside done().

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "event_loop.h"
#include "socket.h"
#include "work_pool.h"

namespace ferry {

class TlsContext;
class TlsStream;

class HttpClient final {
 public:
  struct Request {
    std::string method = "GET";
    std::string address;  // an IPv4 or IPv6 literal
    std::uint16_t port = 0;
    std::string target = "/";  // "/api/localsend/v2/info?x=1", already encoded
    std::string contentType;   // sent with a body
    std::string body;          // in memory...
    std::string file;          // ...or the bytes of this file, which must be fileSize long
    std::uint64_t fileSize = 0;
    // https when set: a client context (TlsContext::client()).
    std::shared_ptr<TlsContext> tls;
    std::string pinnedFingerprint;  // https: SHA-256 of the peer's DER certificate, hex; "" = any
    std::chrono::milliseconds connectTimeout{3000};
    // No byte moved either way for this long ends the request. A
    // prepare-upload waits for a person to decide: its owner sets more.
    std::chrono::milliseconds idleTimeout{30000};
    // The whole request, from start() to the answer's last byte, when not
    // zero: a peer that trickles bytes keeps the idle timer from firing.
    std::chrono::milliseconds deadline{0};
    std::size_t maxResponseBody = 1 << 20;
  };

  struct Response {
    int status = 0;     // 0: no response (see error)
    std::string body;
    std::string error;  // a sentence when status is 0
  };

  using Done = std::function<void(Response)>;
  // The body bytes the socket has taken so far.
  using Progress = std::function<void(std::uint64_t bodySent)>;

  static constexpr std::size_t kChunk = 256 * 1024;

  HttpClient(EventLoop& loop, WorkPool& pool);
  ~HttpClient();  // aborts what is in flight, calling nothing
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts the request; the answer (or the reason there is none) comes to
  // done() later, never from inside start().
  void start(Request request, Done done, Progress progress = {});
  // Ends what is in flight; done() is not called.
  void abort();
  bool busy() const { return fd_ != kInvalidSocket || starting_; }

 private:
  class FileRead;
  struct Parser;

  void connectNow();
  void onEvents(std::uint8_t events);
  void onConnected();
  void handshake();
  void pump();           // writes what can be written, reads what has come
  bool writeSome();      // false when it failed (fail() was called)
  bool readSome();       // false when finished or failed
  bool needChunk();  // false when it failed (fail() was called: this may be gone)
  void chunkRead(FileRead& job, bool ran);
  void updateInterest();
  void touch() { lastActivity_ = loop_.now(); }
  void armIdle();
  void finish(Response r);
  void fail(const std::string& why);
  void closeSocket();
  long sendRaw(const char* p, std::size_t n, std::error_code& ec, bool& wantRead);
  long recvRaw(char* p, std::size_t n, std::error_code& ec, bool& wantWrite);

  EventLoop& loop_;
  WorkPool& pool_;
  Request req_;
  Done done_;
  Progress progress_;
  NativeSocket fd_ = kInvalidSocket;
  std::unique_ptr<TlsStream> tls_;
  std::unique_ptr<Parser> parser_;
  bool starting_ = false;
  bool connected_ = false;
  bool handshaken_ = false;
  bool writeClosed_ = false;  // everything sent, or the peer stopped taking it
  int fileFd_ = -1;
  std::uint64_t fileOffset_ = 0;  // file bytes read into out_ so far
  std::uint64_t bodySent_ = 0;
  std::uint64_t bodyTotal_ = 0;
  std::uint64_t headBytes_ = 0;   // of the bytes sent, the head's
  std::uint64_t sentTotal_ = 0;
  std::string out_;               // bytes to send, from outPos_
  std::size_t outPos_ = 0;
  FileRead* reading_ = nullptr;   // a chunk being read in the pool
  std::string sendError_;
  EventLoop::TimerId timer_ = 0;
  EventLoop::TimerId startTimer_ = 0;
  EventLoop::TimerId deadlineTimer_ = 0;
  EventLoop::Clock::time_point lastActivity_;
};

}  // namespace ferry
