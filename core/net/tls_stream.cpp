#include "tls_stream.h"

#include <cerrno>

#include "localsend_identity.h"
#include "tls_context.h"

#if defined(FERRY_HAVE_TLS)
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#endif

namespace ferry {

#if defined(FERRY_HAVE_TLS)

std::unique_ptr<TlsStream> TlsStream::create(const std::shared_ptr<TlsContext>& context, NativeSocket fd) {
  return make(context, fd, false);
}

std::unique_ptr<TlsStream> TlsStream::createClient(const std::shared_ptr<TlsContext>& context, NativeSocket fd) {
  return make(context, fd, true);
}

std::unique_ptr<TlsStream> TlsStream::make(const std::shared_ptr<TlsContext>& context, NativeSocket fd, bool client) {
  SSL* ssl = SSL_new(context->native());
  if (!ssl) return nullptr;
  // A socket BIO on the descriptor itself: what kTLS needs to take over.
  if (SSL_set_fd(ssl, static_cast<int>(fd)) != 1) {
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  if (client) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
    // Each read takes whatever the socket has (up to one record buffer), so
    // a flight of records, or a request, costs one read() rather than two
    // per record (its header, then its body), as nginx's reads do. The
    // Connection takes what OpenSSL holds (TlsStream::buffered()).
    SSL_set_read_ahead(ssl, 1);
  }
  return std::unique_ptr<TlsStream>(new TlsStream(context, ssl));
}

TlsStream::~TlsStream() {
  // OpenSSL drops from the session cache a session whose connection ends
  // without its close_notify sent (SSL_free, ssl_clear_bad_session): a
  // client that hung up first, or one closed while idle, could then never
  // resume by session ID. A connection that failed has had its session
  // removed already (a fatal alert does that); any other ends as if shut
  // down, as nginx's ngx_ssl_shutdown() does.
  if (SSL_is_init_finished(ssl_)) SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free(ssl_);
}

TlsStream::Io TlsStream::classify(int ret) {
  int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kClosed;
    case SSL_ERROR_SYSCALL: {
      int e = errno;
      ERR_clear_error();
      if (e == 0) return Io::kClosed;  // the socket's EOF, with no TLS error queued
      error_ = std::error_code(e, std::system_category());
      return Io::kFailed;
    }
    default:
      // The peer's bytes are no TLS we accept (an old protocol, a garbled
      // record, no shared cipher): the session is over.
      ERR_clear_error();
      error_ = std::make_error_code(std::errc::protocol_error);
      return Io::kFailed;
  }
}

TlsStream::Io TlsStream::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  return r == 1 ? Io::kDone : classify(r);
}

TlsStream::Io TlsStream::read(char* buf, std::size_t n, std::size_t& got) {
  ERR_clear_error();
  int r = SSL_read_ex(ssl_, buf, n, &got);
  return r == 1 ? Io::kDone : classify(r);
}

TlsStream::Io TlsStream::write(const char* buf, std::size_t n, std::size_t& put) {
  ERR_clear_error();
  int r = SSL_write_ex(ssl_, buf, n < kRecord ? n : kRecord, &put);
  return r == 1 ? Io::kDone : classify(r);
}

bool TlsStream::kernelSends() const {
#if defined(SSL_OP_ENABLE_KTLS) && !defined(OPENSSL_NO_KTLS)
  return BIO_get_ktls_send(SSL_get_wbio(ssl_)) != 0;
#else
  return false;
#endif
}

TlsStream::Io TlsStream::sendFile(int fileFd, std::uint64_t offset, std::size_t n, std::size_t& put) {
#if defined(SSL_OP_ENABLE_KTLS) && !defined(OPENSSL_NO_KTLS)
  ERR_clear_error();
  ossl_ssize_t r = SSL_sendfile(ssl_, fileFd, static_cast<off_t>(offset), n, 0);
  if (r > 0) {
    put = static_cast<std::size_t>(r);
    return Io::kDone;
  }
  if (r == 0) {
    put = 0;
    return Io::kDone;
  }
  return classify(static_cast<int>(r));
#else
  (void)fileFd;
  (void)offset;
  (void)n;
  put = 0;
  error_ = std::make_error_code(std::errc::operation_not_supported);
  return Io::kFailed;
#endif
}

std::size_t TlsStream::pending() const { return static_cast<std::size_t>(SSL_pending(ssl_)); }

bool TlsStream::buffered() const { return SSL_has_pending(ssl_) == 1; }

std::string TlsStream::peerFingerprint() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) return {};
  std::string fp = certificateFingerprint(std::string_view(reinterpret_cast<const char*>(der), len));
  OPENSSL_free(der);
  return fp;
}

void TlsStream::close() {
  // Best effort: a peer that reads no more gets its FIN all the same.
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
  ERR_clear_error();
}

#else  // no OpenSSL: no TlsContext can be loaded, so no stream is ever made

std::unique_ptr<TlsStream> TlsStream::create(const std::shared_ptr<TlsContext>&, NativeSocket) { return nullptr; }
std::unique_ptr<TlsStream> TlsStream::createClient(const std::shared_ptr<TlsContext>&, NativeSocket) { return nullptr; }
TlsStream::~TlsStream() = default;
TlsStream::Io TlsStream::classify(int) { return Io::kFailed; }
TlsStream::Io TlsStream::handshake() { return Io::kFailed; }
TlsStream::Io TlsStream::read(char*, std::size_t, std::size_t&) { return Io::kFailed; }
TlsStream::Io TlsStream::write(const char*, std::size_t, std::size_t&) { return Io::kFailed; }
bool TlsStream::kernelSends() const { return false; }
TlsStream::Io TlsStream::sendFile(int, std::uint64_t, std::size_t, std::size_t&) { return Io::kFailed; }
std::size_t TlsStream::pending() const { return 0; }
bool TlsStream::buffered() const { return false; }
std::string TlsStream::peerFingerprint() const { return {}; }
void TlsStream::close() {}

#endif

}  // namespace ferry
