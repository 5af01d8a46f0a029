#pragma once

// TlsStream: one connection's TLS session over its non-blocking socket.
// Owns OpenSSL's SSL object (not the socket, which stays the Connection's).
// Every call does what the socket allows now and says what it waits for
// (kWantRead, kWantWrite), which the Connection turns into poller interest,
// as nginx's ngx_ssl_recv/ngx_ssl_write do.
//
// Memory: the SSL object and, only while a record is being read or written,
// a read and a write buffer of one record each (16 KiB plus framing): about
// 40 KiB at most while busy, a few KiB while idle (SSL_MODE_RELEASE_BUFFERS).
//
// Loop thread only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "socket.h"

struct ssl_st;

namespace ferry {

class TlsContext;

class TlsStream final {
 public:
  // The most plaintext one record carries: the unit of writes, so a write
  // that must be retried is always one whole record.
  static constexpr std::size_t kRecord = 16 * 1024;

  enum class Io {
    kDone,       // the call made progress (or the handshake finished)
    kWantRead,   // retry when the socket is readable
    kWantWrite,  // retry when the socket is writable
    kClosed,     // the peer ended the stream (close_notify or EOF)
    kFailed,     // a protocol or socket error: see error()
  };

  // Null when OpenSSL cannot make a session (out of memory).
  static std::unique_ptr<TlsStream> create(const std::shared_ptr<TlsContext>& context, NativeSocket fd);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // The client side, for an outgoing connection: no SNI is sent (peers are
  // IP addresses).
  static std::unique_ptr<TlsStream> createClient(const std::shared_ptr<TlsContext>& context, NativeSocket fd);

  Io handshake();
  // Reads plaintext; `got` is set when kDone.
  Io read(char* buf, std::size_t n, std::size_t& got);
  // Writes at most one record of `buf`; `put` is set when kDone. After
  // kWantRead/kWantWrite the same call must be repeated with at least as
  // many bytes (their contents are no longer looked at: the record is made).
  Io write(const char* buf, std::size_t n, std::size_t& put);
  // The kernel encrypts what this socket sends (kTLS), so sendFile() works.
  bool kernelSends() const;
  // Sends `n` bytes of `fileFd` from `offset` through kTLS (SSL_sendfile).
  Io sendFile(int fileFd, std::uint64_t offset, std::size_t n, std::size_t& put);
  // Decrypted bytes read off the socket but not yet returned by read().
  std::size_t pending() const;
  // Whether OpenSSL holds bytes read off the socket (it reads ahead on a
  // server) that no read() has returned yet: pending() ones, or records not
  // yet decrypted, whole or in part.
  bool buffered() const;
  // The fingerprint (localsend_identity.h) of the certificate the peer
  // presented (the client's on a server, the server's on a client), or ""
  // when it presented none.
  std::string peerFingerprint() const;
  // Sends close_notify, as far as the socket takes it now.
  void close();

  // Why the last call said kFailed: the socket's error, or protocol_error
  // for a peer that does not speak TLS as we do.
  std::error_code error() const { return error_; }

 private:
  TlsStream(std::shared_ptr<TlsContext> context, ssl_st* ssl) : context_(std::move(context)), ssl_(ssl) {}
  // An SSL session on `fd`, in the client or the server role.
  static std::unique_ptr<TlsStream> make(const std::shared_ptr<TlsContext>& context, NativeSocket fd, bool client);
  Io classify(int ret);

  std::shared_ptr<TlsContext> context_;  // kept alive while the session lives
  ssl_st* ssl_;
  std::error_code error_;
};

}  // namespace ferry
