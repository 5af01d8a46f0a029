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
// A certificate whose issuer names an OCSP responder gets its answer
// stapled to each handshake that asks (OcspStaple; the caller asks the
// responder on the work pool, refreshIfDue()).
//
// Built only where OpenSSL was found at configure time (kAvailable); without
// it, load() fails with a sentence saying this build has no TLS.
//
// Session tickets are sealed with keys of Ferry's own (TicketKeys): a new
// one every 12 hours, the one before still opening tickets (renewed when
// used), so a ticket resumes for 12 to 24 hours and a key copied from memory
// opens a day of tickets at most. A context made to replace another (a
// renewed certificate) takes over its keys, so tickets outlive the reload.
//
// load() may run on any thread; once loaded, the context is shared read-only
// by the loop thread's connections (OpenSSL locks its cache itself; the
// ticket keys lock themselves).

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

struct ssl_ctx_st;

namespace ferry {

class OcspStaple;

// The keys that seal and open session tickets: the current one and the one
// before it, each 16 bytes of name, an AES-256 key and an HMAC-SHA256 key,
// from the OS's random source. Rotated lazily: whoever uses them after a
// period has passed moves them on. Any thread.
class TicketKeys final {
 public:
  static constexpr std::chrono::seconds kDefaultRotation{12 * 3600};
  // FERRY_TLS_TICKET_ROTATION (seconds) overrides the period, for tests.
  explicit TicketKeys(std::chrono::seconds rotation = rotationFromEnvironment());

  struct Key {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
  };
  // The key new tickets are sealed with (after rotating when due).
  Key current();
  // The key named `name`, and whether it is the current one; false when
  // neither key has that name (the ticket is too old: a full handshake).
  bool find(const unsigned char name[16], Key& key, bool& isCurrent);

  static std::chrono::seconds rotationFromEnvironment();

 private:
  void rotateIfDue();
  static void fill(Key& key);

  std::mutex mutex_;
  std::chrono::seconds rotation_;
  std::chrono::steady_clock::time_point made_;
  Key current_{};
  Key previous_{};
  bool hasPrevious_ = false;
};

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
  // `tickets`: the keys of the context this one replaces; none = new keys.
  static std::shared_ptr<TlsContext> load(const std::string& certFile, const std::string& keyFile,
                                          std::string* error, std::shared_ptr<TicketKeys> tickets = {});

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
  // The ticket keys (null on the client side).
  const std::shared_ptr<TicketKeys>& ticketKeys() const { return tickets_; }
  // The OCSP answer stapled for this certificate; null when its issuer
  // names no responder (and on the client side).
  const std::shared_ptr<OcspStaple>& ocsp() const { return ocsp_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
  std::string notAfter_;
  std::shared_ptr<TicketKeys> tickets_;
  std::shared_ptr<OcspStaple> ocsp_;
};

}  // namespace ferry
