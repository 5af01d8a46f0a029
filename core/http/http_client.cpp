#include "http_client.h"

#include <llhttp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "file_io.h"
#include "net_address.h"
#include "tls_context.h"
#include "tls_stream.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>
#endif

namespace ferry {

// The response as llhttp delivers it: the status, the body up to the
// request's cap, and whether the message ended.
struct HttpClient::Parser {
  llhttp_t parser;
  llhttp_settings_t settings;
  std::string body;
  std::size_t maxBody = 0;
  bool complete = false;
  bool tooBig = false;

  explicit Parser(std::size_t cap) : maxBody(cap) {
    llhttp_settings_init(&settings);
    settings.on_body = [](llhttp_t* p, const char* at, std::size_t len) {
      auto* self = static_cast<Parser*>(p->data);
      if (self->body.size() + len > self->maxBody) {
        self->tooBig = true;
        return -1;
      }
      self->body.append(at, len);
      return 0;
    };
    settings.on_message_complete = [](llhttp_t* p) {
      static_cast<Parser*>(p->data)->complete = true;
      return static_cast<int>(HPE_PAUSED);
    };
    llhttp_init(&parser, HTTP_RESPONSE, &settings);
    parser.data = this;
  }
};

// One chunk of the request's file (or the open itself, first), read on a
// pool thread. Owned by the client while it lives; when the client goes
// first, the job frees itself and closes the file when done.
class HttpClient::FileRead final : public WorkPool::Job {
 public:
  HttpClient* owner = nullptr;
  bool opening = false;
  std::string path;
  int fd = -1;
  std::uint64_t offset = 0;
  std::size_t want = 0;
  std::string buf;
  long long got = 0;
  int error = 0;
  bool regular = true;
  std::uint64_t size = 0;

  void run() override {
    if (opening) {
      OpenedFile f = openRegularFile(path);
      fd = f.fd;
      error = f.error;
      regular = !f.notRegular;
      size = f.info.size;
      return;
    }
    buf.resize(want);
    got = readAt(fd, buf.data(), want, offset);
    error = got < 0 ? errno : 0;
  }
  void done(bool ran) override {
    if (owner) return owner->chunkRead(*this, ran);
    if (fd >= 0) closeFile(fd);
    delete this;
  }
};

HttpClient::HttpClient(EventLoop& loop, WorkPool& pool) : loop_(loop), pool_(pool) {}

HttpClient::~HttpClient() { abort(); }

void HttpClient::abort() {
  if (startTimer_) loop_.cancel(startTimer_);
  startTimer_ = 0;
  if (deadlineTimer_) loop_.cancel(deadlineTimer_);
  deadlineTimer_ = 0;
  starting_ = false;
  closeSocket();
  if (reading_) {
    // The job finishes on its own and closes the file it holds.
    reading_->owner = nullptr;
    if (fileFd_ >= 0 && !reading_->opening) reading_->fd = fileFd_;
    else if (fileFd_ >= 0) closeFile(fileFd_);
    reading_ = nullptr;
  } else if (fileFd_ >= 0) {
    closeFile(fileFd_);
  }
  fileFd_ = -1;
  done_ = nullptr;
  progress_ = nullptr;
}

void HttpClient::closeSocket() {
  if (timer_) loop_.cancel(timer_);
  timer_ = 0;
  tls_.reset();
  if (fd_ != kInvalidSocket) {
    if (loop_.watching(fd_)) loop_.unwatch(fd_);
    ferry::closeSocket(fd_);
    fd_ = kInvalidSocket;
  }
}

void HttpClient::start(Request request, Done done, Progress progress) {
  abort();
  req_ = std::move(request);
  done_ = std::move(done);
  progress_ = std::move(progress);
  parser_ = std::make_unique<Parser>(req_.maxResponseBody);
  connected_ = handshaken_ = writeClosed_ = false;
  fileOffset_ = bodySent_ = headBytes_ = sentTotal_ = 0;
  outPos_ = 0;
  sendError_.clear();
  const bool fromFile = !req_.file.empty();
  bodyTotal_ = fromFile ? req_.fileSize : req_.body.size();
  out_ = req_.method + " " + req_.target + " HTTP/1.1\r\nHost: " + hostForUrl(req_.address, req_.port) +
         "\r\nUser-Agent: Ferry\r\nAccept: application/json\r\nConnection: close\r\n";
  if (!req_.contentType.empty()) out_ += "Content-Type: " + req_.contentType + "\r\n";
  if (bodyTotal_ > 0 || req_.method == "POST" || req_.method == "PUT")
    out_ += "Content-Length: " + std::to_string(bodyTotal_) + "\r\n";
  out_ += "\r\n";
  headBytes_ = out_.size();
  if (!fromFile) out_ += req_.body;
  // Everything, failures included, is reported from the loop, never from
  // inside start(): the caller may not be ready to be told yet.
  starting_ = true;
  startTimer_ = loop_.runAfter(std::chrono::milliseconds(0), [this] {
    startTimer_ = 0;
    starting_ = false;
    connectNow();
  });
  if (req_.deadline.count() > 0)
    deadlineTimer_ = loop_.runAfter(req_.deadline, [this] {
      deadlineTimer_ = 0;
      fail(hostForUrl(req_.address, req_.port) + " did not answer in time");
    });
}

void HttpClient::connectNow() {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, req_.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(req_.port);
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, req_.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(req_.port);
    len = sizeof(sockaddr_in6);
  } else {
    return fail("'" + req_.address + "' is not an IP address");
  }
#if !defined(FERRY_HAVE_TLS)
  if (req_.tls) return fail(TlsContext::kUnavailable);
#endif
  fd_ = ::socket(ss.ss_family, SOCK_STREAM, IPPROTO_TCP);
  if (fd_ == kInvalidSocket) return fail("cannot make a socket: " + lastSocketError().message());
  if (auto ec = setNonBlocking(fd_)) return fail("cannot make a socket: " + ec.message());
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
#if defined(SO_NOSIGPIPE)
  ::setsockopt(fd_, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    std::error_code ec = lastSocketError();
#ifdef _WIN32
    const bool inProgress = ec.value() == WSAEWOULDBLOCK;
#else
    const bool inProgress = ec.value() == EINPROGRESS;
#endif
    if (!inProgress) return fail("cannot connect to " + hostForUrl(req_.address, req_.port) + ": " + ec.message());
  }
  if (auto ec = loop_.watch(fd_, kWritable, [this](std::uint8_t ev) { onEvents(ev); }))
    return fail("cannot watch a socket: " + ec.message());
  touch();
  timer_ = loop_.runAfter(req_.connectTimeout, [this] {
    timer_ = 0;
    if (!connected_) fail(hostForUrl(req_.address, req_.port) + " did not answer (no connection)");
  });
}

void HttpClient::onEvents(std::uint8_t events) {
  if (!connected_) {
    std::error_code ec = pendingSocketError(fd_);
    if (ec || (events & kHangup))
      return fail("cannot connect to " + hostForUrl(req_.address, req_.port) + ": " +
                  (ec ? ec.message() : std::string("the connection was refused")));
    return onConnected();
  }
  if (!handshaken_) return handshake();
  pump();
}

void HttpClient::onConnected() {
  connected_ = true;
  if (timer_) loop_.cancel(timer_);
  timer_ = 0;
  touch();
  armIdle();
#if defined(FERRY_HAVE_TLS)
  if (req_.tls) {
    tls_ = TlsStream::createClient(req_.tls, fd_);
    if (!tls_) return fail("cannot start TLS (out of memory)");
    return handshake();
  }
#endif
  handshaken_ = true;
  if (!req_.file.empty() && !needChunk()) return;
  pump();
}

void HttpClient::handshake() {
#if defined(FERRY_HAVE_TLS)
  switch (tls_->handshake()) {
    case TlsStream::Io::kDone:
      break;
    case TlsStream::Io::kWantRead:
      touch();
      loop_.setInterest(fd_, kReadable);
      return;
    case TlsStream::Io::kWantWrite:
      touch();
      loop_.setInterest(fd_, kWritable);
      return;
    default:
      return fail("the TLS handshake with " + hostForUrl(req_.address, req_.port) + " failed");
  }
  if (!req_.pinnedFingerprint.empty()) {
    std::string seen = tls_->peerFingerprint();
    std::string want = req_.pinnedFingerprint;
    std::transform(want.begin(), want.end(), want.begin(), [](unsigned char c) { return std::toupper(c); });
    if (seen != want)
      return fail(hostForUrl(req_.address, req_.port) + " showed a certificate other than the one it announced");
  }
  handshaken_ = true;
  touch();
  if (!req_.file.empty() && !needChunk()) return;
  pump();
#endif
}

long HttpClient::sendRaw(const char* p, std::size_t n, std::error_code& ec, bool& wantRead) {
  wantRead = false;
#if defined(FERRY_HAVE_TLS)
  if (tls_) {
    std::size_t put = 0;
    switch (tls_->write(p, std::min(n, TlsStream::kRecord), put)) {
      case TlsStream::Io::kDone: return static_cast<long>(put);
      case TlsStream::Io::kWantRead: wantRead = true; return 0;
      case TlsStream::Io::kWantWrite: return 0;
      case TlsStream::Io::kClosed: ec = std::make_error_code(std::errc::connection_reset); return -1;
      default: ec = tls_->error(); return -1;
    }
  }
#endif
  long r = ::send(fd_, p, static_cast<int>(std::min<std::size_t>(n, 1 << 20)), kSendNoSignal);
  if (r >= 0) return r;
  ec = lastSocketError();
  if (wouldBlock(ec)) {
    ec.clear();
    return 0;
  }
  return -1;
}

long HttpClient::recvRaw(char* p, std::size_t n, std::error_code& ec, bool& wantWrite) {
  wantWrite = false;
#if defined(FERRY_HAVE_TLS)
  if (tls_) {
    std::size_t got = 0;
    switch (tls_->read(p, n, got)) {
      case TlsStream::Io::kDone: return static_cast<long>(got);
      case TlsStream::Io::kWantRead: ec = std::make_error_code(std::errc::operation_would_block); return -1;
      case TlsStream::Io::kWantWrite: wantWrite = true; ec = std::make_error_code(std::errc::operation_would_block); return -1;
      case TlsStream::Io::kClosed: return 0;
      default: ec = tls_->error(); return -1;
    }
  }
#endif
  long r = ::recv(fd_, p, static_cast<int>(n), 0);
  if (r >= 0) return r;
  ec = lastSocketError();
  if (wouldBlock(ec)) ec = std::make_error_code(std::errc::operation_would_block);
  return -1;
}

void HttpClient::pump() {
  if (!writeClosed_ && !writeSome()) return;
  if (!readSome()) return;
  updateInterest();
}

bool HttpClient::writeSome() {
  while (outPos_ < out_.size()) {
    std::error_code ec;
    bool wantRead = false;
    long n = sendRaw(out_.data() + outPos_, out_.size() - outPos_, ec, wantRead);
    if (n < 0) {
      // The peer stopped taking the body: it may have answered already
      // (a 403 for a bad token); the response, if any, says why.
      sendError_ = ec.message();
      writeClosed_ = true;
      return true;
    }
    if (n == 0) return true;
    touch();
    outPos_ += static_cast<std::size_t>(n);
    sentTotal_ += static_cast<std::uint64_t>(n);
    const std::uint64_t body = sentTotal_ > headBytes_ ? sentTotal_ - headBytes_ : 0;
    if (body != bodySent_) {
      bodySent_ = body;
      if (progress_) progress_(bodySent_);
      if (!done_) return false;  // aborted from inside progress
    }
  }
  out_.clear();
  outPos_ = 0;
  if (req_.file.empty() || fileOffset_ >= bodyTotal_) {
    if (bodySent_ >= bodyTotal_) writeClosed_ = true;
    return true;
  }
  return needChunk();
}

bool HttpClient::readSome() {
  char buf[16 * 1024];
  while (true) {
    std::error_code ec;
    bool wantWrite = false;
    long n = recvRaw(buf, sizeof buf, ec, wantWrite);
    if (n < 0) {
      if (ec == std::errc::operation_would_block) return true;
      fail("the connection to " + hostForUrl(req_.address, req_.port) + " broke: " + ec.message());
      return false;
    }
    touch();
    llhttp_errno_t err;
    if (n == 0) {
      err = llhttp_finish(&parser_->parser);
    } else {
      err = llhttp_execute(&parser_->parser, buf, static_cast<std::size_t>(n));
    }
    if (parser_->complete) {
      Response r;
      r.status = parser_->parser.status_code;
      r.body = std::move(parser_->body);
      finish(std::move(r));
      return false;
    }
    if (err != HPE_OK || n == 0) {
      if (parser_->tooBig)
        fail(hostForUrl(req_.address, req_.port) + " answered with more than we read");
      else if (n == 0 && !sendError_.empty())
        fail("the connection to " + hostForUrl(req_.address, req_.port) + " broke: " + sendError_);
      else if (n == 0)
        fail(hostForUrl(req_.address, req_.port) + " closed the connection without an answer");
      else
        fail(hostForUrl(req_.address, req_.port) + " answered with something that is not HTTP");
      return false;
    }
  }
}

bool HttpClient::needChunk() {
  if (reading_ || outPos_ < out_.size() || fileOffset_ >= bodyTotal_ || !handshaken_) return true;
  if (fileFd_ >= 0) {
    // From the page cache on the loop, as downloads do; from the disk in the pool.
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bodyTotal_ - fileOffset_));
    out_.resize(want);
    long long got = readCachedAt(fileFd_, out_.data(), want, fileOffset_);
    if (got > 0) {
      out_.resize(static_cast<std::size_t>(got));
      fileOffset_ += static_cast<std::uint64_t>(got);
      outPos_ = 0;
      return true;
    }
    out_.clear();
    if (got == 0) {
      fail(req_.file + " became shorter while it was being sent");
      return false;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      fail("cannot read " + req_.file + ": " + std::strerror(errno));
      return false;
    }
  }
  auto* job = new FileRead;
  job->owner = this;
  job->opening = fileFd_ < 0;
  job->path = req_.file;
  job->fd = fileFd_;
  job->offset = fileOffset_;
  job->want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bodyTotal_ - fileOffset_));
  reading_ = job;
  pool_.submit(*job);
  return true;
}

void HttpClient::chunkRead(FileRead& job, bool ran) {
  std::unique_ptr<FileRead> owned(&job);
  reading_ = nullptr;
  if (!ran) return fail("Ferry is stopping");
  if (job.opening) {
    if (job.fd < 0 || !job.regular)
      return fail("cannot read " + req_.file + ": " +
                  (job.regular ? std::string(std::strerror(job.error)) : std::string("it is not a regular file")));
    fileFd_ = job.fd;
    job.fd = -1;
    if (job.size != bodyTotal_) return fail(req_.file + " changed size since it was chosen");
    if (!needChunk()) return;
    return pump();
  }
  job.fd = -1;  // the client's
  if (job.got < 0) return fail("cannot read " + req_.file + ": " + std::strerror(job.error));
  if (job.got == 0) return fail(req_.file + " became shorter while it was being sent");
  job.buf.resize(static_cast<std::size_t>(job.got));
  out_ = std::move(job.buf);
  outPos_ = 0;
  fileOffset_ += static_cast<std::uint64_t>(job.got);
  pump();
}

void HttpClient::updateInterest() {
  if (fd_ == kInvalidSocket) return;
  std::uint8_t interest = kReadable;
  if (!writeClosed_ && outPos_ < out_.size()) interest |= kWritable;
  loop_.setInterest(fd_, interest);
}

void HttpClient::armIdle() {
  if (timer_) loop_.cancel(timer_);
  const auto due = lastActivity_ + req_.idleTimeout;
  timer_ = loop_.runAfter(due > loop_.now() ? due - loop_.now() : EventLoop::Clock::duration::zero(), [this] {
    timer_ = 0;
    if (loop_.now() - lastActivity_ >= req_.idleTimeout)
      return fail(hostForUrl(req_.address, req_.port) + " stopped answering");
    armIdle();
  });
}

void HttpClient::finish(Response r) {
  Done done = std::move(done_);
  abort();  // the socket, the file and a read in flight
  if (done) done(std::move(r));  // may destroy this
}

void HttpClient::fail(const std::string& why) {
  Response r;
  r.error = why;
  finish(std::move(r));
}

}  // namespace ferry
