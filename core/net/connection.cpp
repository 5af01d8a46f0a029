#include "connection.h"

#include "file_io.h"
#include "tls_context.h"
#include "tls_stream.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cerrno>
#include <cstdlib>
#include <memory>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#include <unistd.h>
#endif
#if defined(__linux__)
#include <sys/sendfile.h>
#endif

namespace ferry {

bool Connection::useSendfile() {
  static const bool on = [] {
    const char* env = std::getenv("FERRY_SENDFILE");
    return kHasSendfile && !(env && std::string_view(env) == "0");
  }();
  return on;
}

namespace {

// Read granularity: one read() takes at most this much, so one busy client
// cannot hog an iteration.
constexpr std::size_t kReadChunk = 16 * 1024;
// Buffers at most this large are kept when they empty; larger ones are freed.
constexpr std::size_t kKeepCapacity = 4 * 1024;

// One large output buffer per loop thread, passed from response to
// response. A small file goes out with its headers in one buffer larger
// than kKeepCapacity; instead of freeing that buffer after every response
// (and growing a new one, allocation by allocation, for the next), the
// connection that sent it hands it on. A connection holds it only while its
// response is unsent, so memory stays one buffer however many connections
// there are.
thread_local std::string spareOutput;
constexpr std::size_t kSpareCapacity = 64 * 1024;  // larger ones are freed

// What one read() takes, and what a file region is copied through where
// sendfile() cannot carry it: one buffer each per loop thread.
char* readScratch() {
  thread_local std::unique_ptr<char[]> scratch(new char[kReadChunk]);
  return scratch.get();
}
char* fileScratch() {
  thread_local std::unique_ptr<char[]> scratch(new char[Connection::kFileChunk]);
  return scratch.get();
}

// The first byte of every TLS connection: a handshake record.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

#if defined(__linux__)
// Said once per process: a file system without sendfile() usually holds
// every file of a share, and one line explains the slower path for all.
void noteNoSendfile(int err) {
  static std::atomic<bool> said{false};
  if (!said.exchange(true))
    std::fprintf(stderr, "ferry: sendfile() does not work for a file being served (%s); copying it instead\n",
                 std::strerror(err));
}
#endif

}  // namespace

Connection::Connection(EventLoop& loop, NativeSocket fd, std::size_t maxReadBuffer, std::shared_ptr<TlsContext> tls)
    : loop_(loop), fd_(fd), maxRead_(maxReadBuffer), tlsContext_(std::move(tls)) {
  if (tlsContext_) tlsState_ = TlsState::kSniffing;
}

Connection::~Connection() {
  releaseOutput();
  if (loop_.watching(fd_)) loop_.unwatch(fd_);
  closeSocket(fd_);
}

std::error_code Connection::start(ConnectionHandler* handler) {
  handler_ = handler;
  interest_ = kReadable;
  return loop_.watch(
      fd_, interest_, [this](std::uint8_t ev) { onEvents(ev); },
      [this](std::error_code cause) { onAbandoned(cause); });
}

void Connection::onEvents(std::uint8_t events) {
  if (handshaking()) {
    if (events & (kReadable | kWritable))
      advanceTls();
    else if (!failed_)
      onHangup();
    return;
  }
  if (tlsCross_ && (events & (kReadable | kWritable)) && !failed_) {
    // TLS needed the other direction: retry both, whichever it was.
    tlsCross_ = false;
    if (queuedBytes() > 0) flush();  // (an empty flush() would report a drain)
    if (!failed_) readSome();
    if (!failed_) updateInterest();
    return;
  }
  if ((events & kWritable) && !failed_) flush();
  if ((events & kReadable) && !failed_) readSome();
  if (events == kHangup && !failed_) onHangup();
}

void Connection::onHangup() {
  // Reset, or shut both ways, while neither reading (the read side at EOF or
  // full) nor writing (the owner waits, e.g. for the rate limiter): no recv()
  // or send() is coming to find out, and the poller reports the hang-up
  // again at every wait() until someone does. No byte can move any more.
  std::error_code ec = pendingSocketError(fd_);
  fail(ec ? ec : std::make_error_code(std::errc::connection_reset));
}

void Connection::onAbandoned(std::error_code cause) {
  // A callback of ours threw, possibly halfway through flush().
  failed_ = true;
  flushing_ = false;
  handler_->onBroken(cause);
}

void Connection::advanceTls() {
  if (failed_) return;
  if (tlsState_ == TlsState::kSniffing) {
    unsigned char first = 0;
#ifdef _WIN32
    int n = ::recv(fd_, reinterpret_cast<char*>(&first), 1, MSG_PEEK);
#else
    ssize_t n = ::recv(fd_, &first, 1, MSG_PEEK);
#endif
    if (n < 0) {
      auto ec = lastSocketError();
      if (!wouldBlock(ec) && ec != std::errc::interrupted) fail(ec);
      return;
    }
    // A first byte with its high bit set is an SSL 2.0-style ClientHello
    // (a two-byte length): no HTTP request starts so. OpenSSL answers it as
    // nginx does (an alert), instead of it waiting for an HTTP head until
    // the deadline (scanners try it first).
    if (n == 0 || (first != kTlsHandshakeRecord && first < 0x80)) {
      // Plain HTTP (or nothing at all): no TLS on this connection. Its
      // owner answers what it asks, plainly, with where to go instead.
      tlsState_ = TlsState::kPlain;
      tlsContext_.reset();
      updateInterest();
      readSome();
      return;
    }
    tls_ = TlsStream::create(tlsContext_, fd_);
    tlsContext_.reset();
    if (!tls_) return fail(std::make_error_code(std::errc::not_enough_memory));
    tlsState_ = TlsState::kHandshaking;
  }
  switch (tls_->handshake()) {
    case TlsStream::Io::kDone:
      tlsState_ = TlsState::kOn;
      kernelTls_ = tls_->kernelSends();
      updateInterest();
      // The client's request may have come with its last handshake flight.
      readSome();
      return;
    case TlsStream::Io::kWantRead:
      handshakeWants_ = kReadable;
      updateInterest();
      return;
    case TlsStream::Io::kWantWrite:
      handshakeWants_ = kWritable;
      updateInterest();
      return;
    case TlsStream::Io::kClosed:
      return fail(std::make_error_code(std::errc::connection_reset));
    case TlsStream::Io::kFailed:
      return fail(tls_->error());
  }
}

void Connection::appendInput(const char* p, std::size_t n) {
  if (inStart_ > 0 && inStart_ == in_.size()) {
    in_.clear();
    inStart_ = 0;
  } else if (inStart_ > 0 && in_.size() + n > maxRead_) {
    in_.erase(0, inStart_);
    inStart_ = 0;
  }
  in_.append(p, n);
}

void Connection::readTls() {
  // OpenSSL reads ahead (one read() takes what the socket has, several
  // records at once) and decrypts a record whole: what of a record does not
  // fit is kept by OpenSSL, where no poller sees it. So take a record's
  // plaintext whole, even past maxRead (by less than one record), and take
  // the records it holds until none is left or the input has no room; what
  // it still holds then is asked for once there is room (tlsHeld_).
  char* scratch = readScratch();
  auto roomLeft = [this] {
    const std::size_t held = in_.size() - inStart_;
    return held >= maxRead_ ? std::size_t{0} : std::min(kReadChunk, maxRead_ - held);
  };
  std::size_t room = roomLeft();
  bool got = false;
  tlsHeld_ = false;
  for (;;) {
    if (room == 0) {
      tlsHeld_ = tls_->buffered();
      break;
    }
    std::size_t n = 0;
    auto io = tls_->read(scratch, room, n);
    if (io == TlsStream::Io::kDone) {
      appendInput(scratch, n);
      got = true;
      // Nothing held: stop without a read() that would only say EAGAIN
      // (more on the socket is reported by the poller).
      const std::size_t rest = tls_->pending();
      room = rest > 0 ? std::min(kReadChunk, rest) : tls_->buffered() ? roomLeft() : 0;
      continue;
    }
    if (io == TlsStream::Io::kWantRead) break;
    if (io == TlsStream::Io::kWantWrite) {
      tlsCross_ = true;
      break;
    }
    if (io == TlsStream::Io::kClosed) {
      eof_ = true;
      break;
    }
    failed_ = true;
    handler_->onError(tls_->error());
    return;
  }
  updateInterest();
  if (got || eof_) handler_->onReadable();
}

void Connection::readSome() {
  if (eof_ || readBufferFull()) {
    updateInterest();
    return;
  }
  if (tls_) return readTls();
  // Receive into one buffer shared by the loop thread, then keep only what
  // arrived: a connection's own buffer is as small as its pending request,
  // not as large as a read could be.
  char* scratch = readScratch();
  std::size_t room = std::min(kReadChunk, maxRead_ - (in_.size() - inStart_));
#ifdef _WIN32
  int n = ::recv(fd_, scratch, static_cast<int>(room), 0);
#else
  ssize_t n = ::recv(fd_, scratch, room, 0);
#endif
  if (n > 0) {
    appendInput(scratch, static_cast<std::size_t>(n));
    handler_->onReadable();
    return;
  }
  if (n == 0) {
    eof_ = true;
    updateInterest();
    handler_->onReadable();
    return;
  }
  auto ec = lastSocketError();
  if (wouldBlock(ec) || ec == std::errc::interrupted) return;
  failed_ = true;
  handler_->onError(ec);
}

void Connection::consume(std::size_t n) {
  inStart_ += std::min(n, in_.size() - inStart_);
  if (inStart_ == in_.size()) {
    // Keep a small buffer for the next request (no allocation per request);
    // give a large one back, so 10,000 idle keep-alive clients cost little.
    if (in_.capacity() > kKeepCapacity)
      std::string().swap(in_);
    else
      in_.clear();
    inStart_ = 0;
  }
  updateInterest();
}

void Connection::queue(std::string_view bytes) {
  if (outStart_ == out_.size()) {
    out_.clear();
    outStart_ = 0;
  }
  out_.append(bytes);
}

std::string& Connection::output() {
  out_.clear();
  outStart_ = 0;
  if (spareOutput.capacity() > out_.capacity()) {
    out_.swap(spareOutput);
    out_.clear();
  }
  return out_;
}

void Connection::releaseOutput() {
  out_.clear();
  outStart_ = 0;
  if (out_.capacity() <= kKeepCapacity) return;
  if (out_.capacity() > spareOutput.capacity() && out_.capacity() <= kSpareCapacity) out_.swap(spareOutput);
  if (out_.capacity() > kKeepCapacity) std::string().swap(out_);
  out_.clear();
}

void Connection::queueView(std::string_view bytes) {
  view_ = bytes;
  fileShort_ = false;
  fileUncached_ = false;
}

void Connection::endUncached() {
  fileLeft_ = 0;
  fileUncached_ = true;
}

long long Connection::readFileChunk() {
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(fileLeft_, kFileChunk));
  const long long got = readCachedAt(fileFd_, fileScratch(), want, fileOffset_);
  if (got >= 0) return got;
  if (errno == EAGAIN)
    endUncached();
  else
    failFile(errno);
  return -1;
}

void Connection::queueFile(int fileFd, std::uint64_t offset, std::uint64_t length) {
  if (fileFd != fileFd_) noSendfileFd_ = -1;
  fileFd_ = fileFd;
  fileOffset_ = offset;
  fileLeft_ = length;
  fileShort_ = false;
  fileUncached_ = false;
}

void Connection::shutdownWrite() {
  if (tls_ && tlsState_ == TlsState::kOn) tls_->close();
#ifdef _WIN32
  ::shutdown(fd_, SD_SEND);
#else
  ::shutdown(fd_, SHUT_WR);
#endif
}

void Connection::fail(std::error_code ec) {
  failed_ = true;
  flushing_ = false;
  handler_->onError(ec);
}

Connection::SendStep Connection::afterSendError() {
  auto ec = lastSocketError();
  if (wouldBlock(ec)) return SendStep::kBlocked;
  if (ec == std::errc::interrupted) return SendStep::kRetry;
  fail(ec);
  return SendStep::kFailed;
}

void Connection::failFile(int err) {
  failed_ = true;
  flushing_ = false;
  handler_->onFileError(std::error_code(err, std::system_category()));
}

std::size_t Connection::sendSome(const char* p, std::size_t n, int flags, SendStep& step) {
  if (tls_) {
    std::size_t put = 0;
    switch (tls_->write(p, n, put)) {
      case TlsStream::Io::kDone:
        return put;
      case TlsStream::Io::kWantWrite:
        step = SendStep::kBlocked;
        return 0;
      case TlsStream::Io::kWantRead:
        tlsCross_ = true;
        step = SendStep::kBlocked;
        return 0;
      case TlsStream::Io::kClosed:
        fail(std::make_error_code(std::errc::connection_reset));
        step = SendStep::kFailed;
        return 0;
      case TlsStream::Io::kFailed:
        fail(tls_->error());
        step = SendStep::kFailed;
        return 0;
    }
  }
#ifdef _WIN32
  int sent = ::send(fd_, p, static_cast<int>(std::min<std::size_t>(n, 1 << 30)), flags);
#else
  ssize_t sent = ::send(fd_, p, n, flags);
#endif
  if (sent > 0) return static_cast<std::size_t>(sent);
  step = afterSendError();
  return 0;
}

void Connection::halt() {
  failed_ = true;
  if (loop_.watching(fd_)) loop_.unwatch(fd_);
}

void Connection::flush() {
  // onDrained() may queue more; the loop below sends it. Calls from inside
  // onDrained() return at once instead of recursing once per chunk.
  if (flushing_ || failed_ || handshaking()) return;
  flushing_ = true;
  // A client that keeps up would otherwise be fed its whole file in one
  // call while every other connection (and every timer) waits: after a
  // budget of bytes or time, yield back to the loop, which (level-triggered)
  // reports the socket writable again next round. The time bound is for
  // slow disks, where a few reads can take long.
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t sent = 0;
  bool yielded = false;
  while (!failed_) {
    bool blocked = false;
    while (outStart_ < out_.size()) {
      int flags = kSendNoSignal;
#if defined(MSG_MORE)
      // The file follows: let the kernel put headers and body in one segment.
      if (fileLeft_ > 0) flags |= MSG_MORE;
#endif
      SendStep step = SendStep::kRetry;
      std::size_t n = sendSome(out_.data() + outStart_, out_.size() - outStart_, flags, step);
      if (n > 0) {
        outStart_ += n;
        lastWrite_ = loop_.now();
        continue;
      }
      if (step == SendStep::kRetry) continue;
      if (step == SendStep::kFailed) return;
      blocked = true;
      break;
    }
    if (outStart_ == out_.size()) releaseOutput();
    while (!blocked && !view_.empty()) {
      SendStep step = SendStep::kRetry;
      std::size_t n = sendSome(view_.data(), view_.size(), kSendNoSignal, step);
      if (n > 0) {
        view_.remove_prefix(n);
        lastWrite_ = loop_.now();
        handler_->onSent(static_cast<std::uint64_t>(n));
        if (failed_) return;
        continue;
      }
      if (step == SendStep::kRetry) continue;
      if (step == SendStep::kFailed) return;
      blocked = true;
    }
    bool sendfileOn = useSendfile() && fileFd_ != noSendfileFd_ && (!tls_ || kernelTls_);
    std::uint64_t budget = sendfileOn ? kFlushBytes : tls_ ? kTlsFlushBytes : kCopyFlushBytes;
    // TLS without kTLS: the part of the chunk read into the loop's buffer
    // not yet sealed into records (see below).
    const char* chunkAt = nullptr;
    std::size_t chunkLeft = 0;
    while (!blocked && fileLeft_ > 0) {
      if (sent >= budget || (sent > 0 && std::chrono::steady_clock::now() - start >= kFlushTime)) {
        yielded = true;
        break;
      }
      if (tls_) {
        // TLS: the kernel encrypts (kTLS, SSL_sendfile) where it can;
        // otherwise one record at a time is read into the loop's buffer and
        // sealed by OpenSSL, which holds it until the socket takes it.
        SendStep step = SendStep::kRetry;
        std::size_t n = 0;
        bool eof = false;
        if (sendfileOn) {
          std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(fileLeft_, budget - sent));
          if (!regionCached(fileFd_, fileOffset_, want)) {
            endUncached();
            break;
          }
          switch (tls_->sendFile(fileFd_, fileOffset_, want, n)) {
            case TlsStream::Io::kDone:
              eof = n == 0;
              break;
            case TlsStream::Io::kWantRead:
            case TlsStream::Io::kWantWrite:
              step = SendStep::kBlocked;
              break;
            case TlsStream::Io::kClosed:
            case TlsStream::Io::kFailed: {
              char probe;
              if (readAt(fileFd_, &probe, 1, fileOffset_) < 0) return failFile(errno);
              return fail(tls_->error() ? tls_->error() : std::make_error_code(std::errc::connection_reset));
            }
          }
        } else {
          // One read of a chunk (four records) into the loop's buffer, then
          // its records one by one: a read per chunk rather than per record.
          // What is read stays valid only within this call (the buffer is
          // shared with the loop's other connections).
          std::size_t len = tlsFilePending_;
          const char* from = fileScratch();  // a retry's record is sealed already (see below)
          if (len == 0) {
            if (chunkLeft == 0) {
              const long long got = readFileChunk();
              if (got < 0) {
                if (failed_) return;
                break;
              }
              eof = got == 0;
              chunkAt = fileScratch();
              chunkLeft = static_cast<std::size_t>(got);
            }
            from = chunkAt;
            len = std::min(chunkLeft, TlsStream::kRecord);
          }
          // A retry passes the same length: the record was sealed from
          // these bytes on the first try, so the buffer (shared, perhaps
          // reused since) is not read again.
          if (!eof) n = sendSome(from, len, kSendNoSignal, step);
          tlsFilePending_ = n > 0 || eof ? 0 : len;
          if (n > 0 && chunkLeft > 0) {
            chunkAt += n;
            chunkLeft -= n;
          } else {
            chunkLeft = 0;  // blocked: what is left is read again next time
          }
        }
        if (n > 0) {
          sent += n;
          fileOffset_ += n;
          fileLeft_ -= n;
          lastWrite_ = loop_.now();
          handler_->onSent(n);
          if (failed_) return;
          continue;
        }
        if (eof) {
          fileShort_ = true;
          fileLeft_ = 0;
          break;
        }
        if (step == SendStep::kFailed) return;
        if (step == SendStep::kRetry) continue;
        blocked = true;
        break;
      }
      long long n;
      bool eof = false;
      // The loop never waits for a disk: where the bytes due next are not
      // in the page cache, the region ends here, and its owner has them
      // read in the work pool (see BodySource).
#if defined(__linux__)
      if (sendfileOn) {
        off_t off = static_cast<off_t>(fileOffset_);
        // Never past what is left of this call's budget.
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(fileLeft_, budget - sent));
        if (!regionCached(fileFd_, fileOffset_, want)) {
          endUncached();
          break;
        }
        n = ::sendfile(fd_, fileFd_, &off, want);
        eof = n == 0;
      } else
#endif
      {
        // No sendfile: read a chunk into the loop's one shared buffer and
        // send from there. Whatever the socket does not take is simply read
        // again next time (from the page cache), so a connection never holds
        // file bytes of its own, however slowly its client reads.
        const long long got = readFileChunk();
        if (got < 0) {
          if (failed_) return;
          break;
        }
        const char* scratch = fileScratch();
        eof = got == 0;
#ifdef _WIN32
        n = eof ? 0 : ::send(fd_, scratch, static_cast<int>(got), kSendNoSignal);
#else
        n = eof ? 0 : ::send(fd_, scratch, static_cast<std::size_t>(got), kSendNoSignal);
#endif
      }
      if (n > 0) {
        sent += static_cast<std::uint64_t>(n);
        fileOffset_ += static_cast<std::uint64_t>(n);
        fileLeft_ -= static_cast<std::uint64_t>(n);
        lastWrite_ = loop_.now();
        handler_->onSent(static_cast<std::uint64_t>(n));
        if (failed_) return;
        continue;
      }
      if (eof) {
        // EOF before the promised length: the file shrank under us.
        fileShort_ = true;
        fileLeft_ = 0;
        break;
      }
#if defined(__linux__)
      if (sendfileOn) {
        // sendfile() fails alike for the socket and the file. The file's
        // fault when the byte it was about to send cannot be read either
        // (a read error further in makes sendfile() return what it sent
        // before it; the next call starts at the bad byte).
        int err = errno;
        char probe;
        if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR && readAt(fileFd_, &probe, 1, fileOffset_) < 0)
          return failFile(errno);
        if (err == EINVAL || err == ENOSYS || err == EOPNOTSUPP) {
          // The file reads, but its file system has no sendfile() (some
          // FUSE and network mounts): copy this file instead.
          noSendfileFd_ = fileFd_;
          noteNoSendfile(err);
          sendfileOn = false;
          budget = kCopyFlushBytes;
          continue;
        }
        errno = err;
      }
#endif
      SendStep step = afterSendError();
      if (step == SendStep::kRetry) continue;
      if (step == SendStep::kFailed) return;
      blocked = true;
      break;
    }
    if (blocked || yielded) break;
    // Empty: let the owner queue the next chunk, and go round again if it did.
    wantWrite_ = false;
    handler_->onDrained();
    if (failed_ || queuedBytes() == 0) break;
  }
  flushing_ = false;
  wantWrite_ = queuedBytes() > 0;
  updateInterest();
}

void Connection::updateInterest() {
  if (failed_ || !loop_.watching(fd_)) return;
  std::uint8_t want = kNone;
  if (tlsState_ == TlsState::kSniffing)
    want = kReadable;
  else if (tlsState_ == TlsState::kHandshaking)
    want = handshakeWants_;
  if (handshaking()) {
    if (want != interest_) {
      interest_ = want;
      loop_.setInterest(fd_, want);
    }
    return;
  }
  if (!eof_ && !readBufferFull()) want |= kReadable;
  if (wantWrite_) want |= kWritable;
  // Records OpenSSL holds, and room for them now: a writable socket is
  // reported at once, and the crossed path reads them.
  if (tlsHeld_ && !eof_ && !readBufferFull()) tlsCross_ = true;
  if (tlsCross_) want |= kReadable | kWritable;
  if (want != interest_) {
    interest_ = want;
    loop_.setInterest(fd_, want);
  }
}

std::string Connection::peerFingerprint() const { return tls_ && encrypted() ? tls_->peerFingerprint() : std::string(); }

}  // namespace ferry
