#include "tls_context.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "ocsp_staple.h"
#include "random_token.h"

#if defined(FERRY_HAVE_TLS)
#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#if defined(__linux__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#endif
#endif

namespace ferry {

#if defined(FERRY_HAVE_TLS) && defined(SSL_OP_ENABLE_KTLS)
namespace {

// Whether the kernel can do TLS records (kTLS). On Linux that is its `tls`
// module: without it, OpenSSL asked for kTLS still tries it on every
// connection (four failing setsockopt() calls, and the handshake's last
// flight split into two writes), so it is asked for only where the kernel
// offers it. Elsewhere OpenSSL finds out for itself.
bool kernelOffersTls() {
#if defined(__linux__)
  static const bool offers = [] {
    auto listed = [] {
      std::ifstream in("/proc/sys/net/ipv4/tcp_available_ulp");
      std::string name;
      while (in >> name)
        if (name == "tls") return true;
      return false;
    };
    if (listed()) return true;
#if defined(TCP_ULP)
    // A module that is there but not loaded yet is loaded by the first
    // socket that asks for it (the answer itself, on an unconnected socket,
    // is an error either way).
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      static const char kTls[] = "tls";
      (void)::setsockopt(fd, SOL_TCP, TCP_ULP, kTls, sizeof kTls - 1);
      ::close(fd);
    }
#endif
    return listed();
  }();
  return offers;
#else
  return true;
#endif
}

}  // namespace
#endif

TicketKeys::TicketKeys(std::chrono::seconds rotation)
    : rotation_(rotation.count() > 0 ? rotation : kDefaultRotation), made_(std::chrono::steady_clock::now()) {
  fill(current_);
}

std::chrono::seconds TicketKeys::rotationFromEnvironment() {
  const char* v = std::getenv("FERRY_TLS_TICKET_ROTATION");
  const long seconds = v ? std::strtol(v, nullptr, 10) : 0;
  return seconds > 0 ? std::chrono::seconds(seconds) : kDefaultRotation;
}

void TicketKeys::fill(Key& key) {
  // Without random bytes there is no safe key: a zero name never matches
  // a ticket (find() refuses it), so every client gets a full handshake.
  if (secureRandom(&key, sizeof key)) std::memset(&key, 0, sizeof key);
}

void TicketKeys::rotateIfDue() {
  const auto now = std::chrono::steady_clock::now();
  while (now - made_ >= rotation_) {
    previous_ = current_;
    hasPrevious_ = true;
    fill(current_);
    made_ += rotation_;
    // Idle for two periods or more: both keys have expired.
    if (now - made_ >= rotation_) hasPrevious_ = false;
  }
}

TicketKeys::Key TicketKeys::current() {
  std::lock_guard lock(mutex_);
  rotateIfDue();
  return current_;
}

bool TicketKeys::find(const unsigned char name[16], Key& key, bool& isCurrent) {
  static const unsigned char kZero[16] = {};
  if (std::memcmp(name, kZero, sizeof kZero) == 0) return false;
  std::lock_guard lock(mutex_);
  rotateIfDue();
  if (std::memcmp(name, current_.name, sizeof current_.name) == 0) {
    key = current_;
    isCurrent = true;
    return true;
  }
  if (hasPrevious_ && std::memcmp(name, previous_.name, sizeof previous_.name) == 0) {
    key = previous_;
    isCurrent = false;
    return true;
  }
  return false;
}

#if defined(FERRY_HAVE_TLS)
namespace {

// Mozilla's "intermediate" TLS 1.2 list, ECDHE only (finite-field DHE
// needs parameters of our own and buys nothing a client of today lacks).
constexpr const char* kCiphers12 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kCiphers13 = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
// Sessions kept for resumption by id (tickets need no room here).
constexpr long kSessionCacheSize = 4096;
constexpr long kSessionSeconds = 24 * 3600;

// The newest queued OpenSSL error, as words.
std::string opensslReason() {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return reason ? reason : "unknown error";
}

bool readable(const std::string& path, const char* what, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  int err = errno;
  if (f) {
    // A folder opens on Linux, and fails only to read (EISDIR).
    std::fgetc(f);
    err = std::ferror(f) ? errno : 0;
    std::fclose(f);
  }
  if (!f || err) {
    *error = std::string("cannot read the ") + what + " " + path + ": " + std::strerror(err);
    return false;
  }
  return true;
}

std::string asn1Time(const ASN1_TIME* t) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return "an unreadable date";
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// Picks http/1.1 when the client offers it; a client offering only other
// protocols (h2 alone) is told nothing and may go on with HTTP/1.1 or leave.
int selectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
               void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kHttp11, sizeof kHttp11, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// Seals (enc = 1) or opens a session ticket with Ferry's keys, as
// SSL_CTX_set_tlsext_ticket_key_evp_cb() asks: 1 = done, 2 = opened with
// the previous key (OpenSSL then issues a fresh ticket), 0 = unknown key
// (a full handshake), -1 = failure.
int ticketKey(SSL* ssl, unsigned char name[16], unsigned char iv[EVP_MAX_IV_LENGTH], EVP_CIPHER_CTX* cipher,
              EVP_MAC_CTX* mac, int enc) {
  auto* keys = static_cast<TicketKeys*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (!keys) return -1;
  TicketKeys::Key key;
  bool isCurrent = true;
  if (enc) {
    key = keys->current();
    std::memcpy(name, key.name, sizeof key.name);
    if (secureRandom(iv, 16)) return -1;
  } else if (!keys->find(name, key, isCurrent)) {
    return 0;
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac, sizeof key.hmac),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end(),
  };
  const int ok = enc ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv)
                     : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv);
  OPENSSL_cleanse(&key, sizeof key);
  if (ok != 1 || EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  return isCurrent ? 1 : 2;
}

}  // namespace

std::shared_ptr<TlsContext> TlsContext::load(const std::string& certFile, const std::string& keyFile,
                                             std::string* error, std::shared_ptr<TicketKeys> tickets) {
  std::string ignored;
  if (!error) error = &ignored;
  if (!readable(certFile, "certificate file", error) || !readable(keyFile, "key file", error)) return nullptr;
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (!raw) {
    *error = "cannot set up TLS: " + opensslReason();
    return nullptr;
  }
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw));
  if (SSL_CTX_use_certificate_chain_file(raw, certFile.c_str()) != 1) {
    *error = "the certificate file " + certFile + " holds no usable PEM certificate (" + opensslReason() + ")";
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(raw, keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      *error = "the key in " + keyFile + " does not belong to the certificate in " + certFile;
      return nullptr;
    }
    *error = "the key file " + keyFile + " holds no usable PEM private key (" + opensslReason() + ")";
    return nullptr;
  }
  if (SSL_CTX_check_private_key(raw) != 1) {
    ERR_clear_error();
    *error = "the key in " + keyFile + " does not belong to the certificate in " + certFile;
    return nullptr;
  }
  X509* leaf = SSL_CTX_get0_certificate(raw);
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0) {
    *error = "the certificate in " + certFile + " expired on " + asn1Time(X509_get0_notAfter(leaf));
    return nullptr;
  }
  if (X509_cmp_current_time(X509_get0_notBefore(leaf)) >= 0) {
    *error = "the certificate in " + certFile + " is not valid before " + asn1Time(X509_get0_notBefore(leaf));
    return nullptr;
  }
  ctx->notAfter_ = asn1Time(X509_get0_notAfter(leaf));

  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(raw, TLS1_3_VERSION);
  if (SSL_CTX_set_cipher_list(raw, kCiphers12) != 1 || SSL_CTX_set_ciphersuites(raw, kCiphers13) != 1 ||
      SSL_CTX_set1_groups_list(raw, kGroups) != 1) {
    *error = "cannot set up TLS ciphers: " + opensslReason();
    return nullptr;
  }
  std::uint64_t options = SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                          SSL_OP_IGNORE_UNEXPECTED_EOF;
#if defined(SSL_OP_ENABLE_KTLS)
  // The kernel does the record layer where it can (Linux's `tls` module):
  // file bodies then go out with SSL_sendfile(), never entering user space.
  // Where it cannot, OpenSSL keeps the records itself.
  if (kernelOffersTls()) options |= SSL_OP_ENABLE_KTLS;
#endif
  SSL_CTX_set_options(raw, options);
  // Partial writes: a record at a time, so a slow socket holds at most one
  // record of ours. Moving buffers: a body's bytes are retried from where
  // they are now (the loop's shared buffer, a grown string). Release
  // buffers: an idle connection keeps no record buffers (about 34 KiB).
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(raw, kSessionCacheSize);
  SSL_CTX_set_timeout(raw, kSessionSeconds);
  static const unsigned char kSessionContext[] = "ferry";
  SSL_CTX_set_session_id_context(raw, kSessionContext, sizeof kSessionContext - 1);
  // One ticket per full handshake (a browser reuses it across its sockets),
  // sealed with keys that rotate (TicketKeys).
  SSL_CTX_set_num_tickets(raw, 1);
  ctx->tickets_ = tickets ? std::move(tickets) : std::make_shared<TicketKeys>();
  SSL_CTX_set_app_data(raw, ctx->tickets_.get());
  SSL_CTX_set_tlsext_ticket_key_evp_cb(raw, ticketKey);
  SSL_CTX_set_alpn_select_cb(raw, selectAlpn, nullptr);
  ctx->ocsp_ = OcspStaple::attach(raw);
  return ctx;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

namespace {

// A peer's certificate is self-signed (LocalSend's are): the chain is not
// what decides, the pinned fingerprint is, checked once the handshake is
// done (TlsStream::peerFingerprint()).
int acceptAnyChain(int, X509_STORE_CTX*) { return 1; }

}  // namespace

std::shared_ptr<TlsContext> TlsContext::client(const std::string& certFile, const std::string& keyFile,
                                               std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_client_method());
  if (!raw) {
    *error = "cannot set up TLS: " + opensslReason();
    return nullptr;
  }
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw));
  if (!certFile.empty() || !keyFile.empty()) {
    if (!readable(certFile, "certificate file", error) || !readable(keyFile, "key file", error)) return nullptr;
    if (SSL_CTX_use_certificate_chain_file(raw, certFile.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(raw, keyFile.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(raw) != 1) {
      *error = "the client certificate " + certFile + " or its key " + keyFile + " cannot be used (" + opensslReason() + ")";
      return nullptr;
    }
  }
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(raw, TLS1_3_VERSION);
  SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, acceptAnyChain);
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (SSL_CTX_set_alpn_protos(raw, kHttp11, sizeof kHttp11) != 0) {
    *error = "cannot set up TLS: " + opensslReason();
    return nullptr;
  }
  return ctx;
}

void TlsContext::requestClientCertificates() {
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
}

#else  // no OpenSSL in this build

std::shared_ptr<TlsContext> TlsContext::load(const std::string&, const std::string&, std::string* error,
                                             std::shared_ptr<TicketKeys>) {
  if (error) *error = kUnavailable;
  return nullptr;
}

std::shared_ptr<TlsContext> TlsContext::client(const std::string&, const std::string&, std::string* error) {
  if (error) *error = kUnavailable;
  return nullptr;
}

TlsContext::~TlsContext() = default;
void TlsContext::requestClientCertificates() {}

#endif

}  // namespace ferry
