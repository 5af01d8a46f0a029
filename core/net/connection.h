#pragma once

// Layer net/: byte streams on the loop — Listener, Connection and the
// RateLimiter that paces them. May use work/, loop/ and os/; knows no protocol.
//
// Connection: one accepted TCP socket and its byte streams. Owns the
// descriptor, a bounded read buffer, and a write queue of bytes followed by at
// most one file region. Knows nothing of HTTP.
//
// With a TlsContext, the socket carries TLS: the Connection sniffs the first
// byte (a TLS handshake starts with 0x16), runs the handshake, and from then
// on reads and writes plaintext through a TlsStream, mapping its wants onto
// the poller. The handler sees the same bytes, drains and errors either way;
// it hears nothing until the handshake is over. A client that speaks plain
// HTTP to the port instead is handed through unencrypted, marked
// plainOnTlsPort(), for its owner to send it where it should go.
//
// Writes are pulled, not pushed: the owner queues one chunk, and is told
// (onDrained) when the socket has taken all of it; only then does it queue
// the next. A connection therefore never holds more than one chunk of a file.
//
// Loop thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "event_loop.h"
#include "socket.h"

namespace ferry {

class TlsContext;
class TlsStream;

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // New bytes are in the read buffer (or the peer closed its side: eof()).
  virtual void onReadable() = 0;
  // Everything queued has been written; queue more or stay quiet.
  virtual void onDrained() = 0;
  // `n` more bytes of the queued view or file region have been written
  // (for progress; called once per send, so at most once per chunk).
  virtual void onSent(std::uint64_t n) = 0;
  // A read or write on the socket failed; the connection is unusable. The
  // handler closes it.
  virtual void onError(std::error_code ec) = 0;
  // Reading the queued file failed (a disk error, a file system gone away):
  // the response cannot be completed. The handler closes the connection.
  virtual void onFileError(std::error_code ec) = 0;
  // One of the callbacks above threw (out of memory, most likely) and the
  // loop stopped watching the socket. The handler closes the connection.
  virtual void onBroken(std::error_code cause) = 0;
};

class Connection final {
 public:
  // Whether this platform has sendfile() for queueFile() (Linux). Elsewhere,
  // or with FERRY_SENDFILE=0 (which the tests use to cover that path here),
  // file regions go out in kFileChunk pread()s through one buffer per loop.
#if defined(__linux__)
  static constexpr bool kHasSendfile = true;
#else
  static constexpr bool kHasSendfile = false;
#endif
  static constexpr std::size_t kFileChunk = 64 * 1024;
  // What one flush() sends of files before it lets the loop serve the rest
  // (nginx's sendfile_max_chunk is 2 MiB by default). Copying through the
  // loop's buffer costs the loop thread far more per byte than sendfile, so
  // that path yields sooner: with 64 busy downloads, 2 MiB each kept a
  // newcomer's request waiting 150 ms.
  static constexpr std::uint64_t kFlushBytes = 2 * 1024 * 1024;
  static constexpr std::uint64_t kCopyFlushBytes = 64 * 1024;
  // TLS in user space: chunks of four records. A yield costs a round of the
  // loop (a wait for events), which at 64 KiB was one system call in five of
  // a download; sealing 256 KiB takes a fraction of a millisecond.
  static constexpr std::uint64_t kTlsFlushBytes = 4 * kFileChunk;
  static constexpr std::chrono::milliseconds kFlushTime{5};
  static bool useSendfile();

  Connection(EventLoop& loop, NativeSocket fd, std::size_t maxReadBuffer, std::shared_ptr<TlsContext> tls = {});
  ~Connection();  // unwatches and closes the socket
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::error_code start(ConnectionHandler* handler);

  // --- TLS ----------------------------------------------------------------
  // Still sniffing or in the handshake (no byte has reached the handler).
  bool handshaking() const { return tlsState_ == TlsState::kSniffing || tlsState_ == TlsState::kHandshaking; }
  // The handshake is done: what flows is encrypted.
  bool encrypted() const { return tlsState_ == TlsState::kOn; }
  // The client certificate's fingerprint (TlsStream::peerFingerprint), or "".
  std::string peerFingerprint() const;
  // A TLS port, but the client's first byte was not a TLS handshake.
  bool plainOnTlsPort() const { return tlsState_ == TlsState::kPlain; }
  // File regions go out through kTLS (SSL_sendfile), encrypted by the kernel.
  bool kernelTls() const { return kernelTls_; }

  // --- reading ------------------------------------------------------------
  // The unconsumed bytes received so far (at most maxReadBuffer).
  std::string_view buffered() const { return std::string_view(in_).substr(inStart_); }
  void consume(std::size_t n);
  bool eof() const { return eof_; }
  bool readBufferFull() const { return in_.size() - inStart_ >= maxRead_; }

  // --- writing ------------------------------------------------------------
  void queue(std::string_view bytes);
  // The output buffer itself, for writing a response head in place (and a
  // small body after it). Only while nothing is queued (it is cleared here).
  std::string& output();
  // Queues bytes that stay the caller's, unchanged until onDrained(), after
  // the queued bytes: a body's own buffer goes out without a copy.
  void queueView(std::string_view bytes);
  // Queues `length` bytes of `fileFd` from `offset`, after the queued bytes.
  // The descriptor stays owned by the caller. No file bytes are copied into
  // the connection: sendfile() or a shared pread() buffer carries them.
  // Where the next bytes are not in the page cache (a stalled disk), the
  // region ends early and the queue drains as if it were complete: the
  // owner, who counts what onSent() reported, asks for the rest its own way.
  void queueFile(int fileFd, std::uint64_t offset, std::uint64_t length);
  std::size_t queuedBytes() const {
    return out_.size() - outStart_ + view_.size() + static_cast<std::size_t>(fileLeft_);
  }
  // Writes what the socket takes now; arms write interest for the rest and
  // calls onDrained() whenever the queue empties.
  void flush();
  // Sends a FIN (used before closing after an error response).
  void shutdownWrite();
  // Stops all I/O and callbacks at once; the descriptor is closed when the
  // Connection is destroyed. Safe from inside any handler callback.
  void halt();

  // When the socket last accepted bytes (for the write-stall timeout).
  std::chrono::steady_clock::time_point lastWriteProgress() const { return lastWrite_; }
  // A file region ended early because the file shrank.
  bool fileEnded() const { return fileShort_; }
  // A file region ended early because its next bytes are not cached.
  bool fileUncached() const { return fileUncached_; }

  NativeSocket fd() const { return fd_; }

 private:
  enum class SendStep { kRetry, kBlocked, kFailed };
  enum class TlsState : std::uint8_t { kNone, kSniffing, kHandshaking, kOn, kPlain };
  // Sends from `p`, through TLS when on: the bytes taken, or 0 and why not.
  std::size_t sendSome(const char* p, std::size_t n, int flags, SendStep& step);
  // Sniffs the first byte, then drives the handshake as far as it goes.
  void advanceTls();
  void readTls();
  void appendInput(const char* p, std::size_t n);
  // After a send that returned no bytes: would-block, EINTR, or a real error
  // (then reported through onError()).
  SendStep afterSendError();
  void fail(std::error_code ec);
  void failFile(int err);
  void endUncached();
  // The next kFileChunk of the file region (at most what is left) read into
  // the loop's shared buffer (fileScratch()): the bytes read, 0 at the file's
  // end, or -1 when they are not in the page cache (the region ends here:
  // endUncached()) or the read failed (failFile(): the connection failed).
  long long readFileChunk();
  // Empties the sent output buffer; a large one goes back to the loop's spare.
  void releaseOutput();
  void onEvents(std::uint8_t events);
  void onHangup();
  void onAbandoned(std::error_code cause);
  void readSome();
  void updateInterest();

  EventLoop& loop_;
  NativeSocket fd_;
  ConnectionHandler* handler_ = nullptr;
  std::size_t maxRead_;
  std::string in_;
  std::size_t inStart_ = 0;
  bool eof_ = false;

  std::string out_;
  std::size_t outStart_ = 0;
  std::string_view view_;  // after out_, before the file region
  int fileFd_ = -1;
  std::uint64_t fileOffset_ = 0;
  std::uint64_t fileLeft_ = 0;
  bool fileShort_ = false;
  bool fileUncached_ = false;
  // sendfile() refused this file (a file system without it): copy instead.
  int noSendfileFd_ = -1;
  bool wantWrite_ = false;
  bool flushing_ = false;
  bool failed_ = false;
  std::uint8_t interest_ = kNone;

  std::shared_ptr<TlsContext> tlsContext_;  // until the handshake starts
  std::unique_ptr<TlsStream> tls_;
  TlsState tlsState_ = TlsState::kNone;
  std::uint8_t handshakeWants_ = kReadable;
  // A read wants the socket writable, or a write wants it readable (TLS
  // messages inside the stream): watch both and retry both.
  bool tlsCross_ = false;
  // OpenSSL read ahead and may hold whole records that the input buffer had
  // no room for: no poller reports them, so once there is room they are
  // asked for as if TLS had crossed (updateInterest()).
  bool tlsHeld_ = false;
  bool kernelTls_ = false;
  // A file record that TLS took but the socket did not (then it is retried
  // with the same length; the record is made, its bytes are not read again).
  std::size_t tlsFilePending_ = 0;
  std::chrono::steady_clock::time_point lastWrite_ = std::chrono::steady_clock::now();
};

}  // namespace ferry
