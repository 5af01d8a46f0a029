#pragma once

// TlsContext: one side of TLS for one certificate (the server's, or the
// client certificate Ferry presents to other devices). Owns OpenSSL's
// SSL_CTX: the certificate chain and its key, the protocol versions and
// ciphers every connection gets, the session cache and the ticket keys.
//
// What it allows: TLS 1.2 and 1.3 only; for 1.2, ECDHE key exchange with
// AEAD ciphers (Mozilla's "intermediate" list without DHE), in the server's
// order; ALPN "http/1.1"; no renegotiation, no compression. Sessions resume
// from a cache of recent sessions and from tickets.
//
// Built only where OpenSSL was found at configure time (kAvailable); without
// it, load() fails with a sentence saying this build has no TLS.
//
// load() may run on any thread; once loaded, the context is shared read-only
// by the loop thread's connections (OpenSSL locks its cache itself).

#include <memory>
#include <string>

struct ssl_ctx_st;

namespace ferry {

class TlsContext final {
 public:
#if defined(FERRY_HAVE_TLS)
  static constexpr bool kAvailable = true;
#else
  static constexpr bool kAvailable = false;
#endif
  // What a build without TLS says to --tls-cert and its like.
  static constexpr const char* kUnavailable = "TLS is not available in this build of Ferry (it was built without OpenSSL)";

  // Loads a PEM certificate chain (the server's certificate first) and its
  // PEM private key. On failure returns null and one sentence naming the
  // problem: a file that cannot be read, one that holds no certificate or
  // key, a key that does not belong to the certificate, a certificate that
  // has expired or is not valid yet.
  static std::shared_ptr<TlsContext> load(const std::string& certFile, const std::string& keyFile,
                                          std::string* error);

  // The client side (Ferry speaking to another device's https server): TLS
  // 1.2 and 1.3, ALPN http/1.1, presenting the PEM certificate and key as a
  // client certificate when given (both or neither). Any chain is accepted
  // in the handshake: the caller pins the peer's certificate after it
  // (TlsStream::peerFingerprint()).
  static std::shared_ptr<TlsContext> client(const std::string& certFile, const std::string& keyFile,
                                            std::string* error);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Asks each client for a certificate without requiring one, and takes
  // any it shows, self-signed too (LocalSend devices are known by their
  // certificate's fingerprint, not by who signed it; the handshake proves
  // the client holds its key). Call before the context serves.
  void requestClientCertificates();

  ssl_ctx_st* native() const { return ctx_; }
  // The certificate's last day, as "2027-03-01 12:00 UTC".
  const std::string& notAfter() const { return notAfter_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
  std::string notAfter_;
};

}  // namespace ferry
