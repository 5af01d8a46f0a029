#include "ocsp_staple.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <utility>

#include "work_pool.h"

#if defined(FERRY_HAVE_TLS)
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_files.h"
#endif

namespace ferry {

// The question on a pool thread, the answer back on the loop. Owns itself:
// freed in done(), which the pool always calls (WorkPool::Job).
class OcspStaple::Job final : public WorkPool::Job {
 public:
  Job(std::shared_ptr<OcspStaple> staple, std::function<void(const std::string&, bool)> say)
      : staple_(std::move(staple)), say_(std::move(say)) {}
  void run() override { answer_ = staple_->fetch(); }
  void done(bool ran) override {
    if (ran) {
      bool failed = false;
      const std::string sentence = staple_->accept(std::move(answer_), std::chrono::steady_clock::now(), &failed);
      if (!sentence.empty() && say_) say_(sentence, failed);
    }
    staple_->asking_ = false;
    delete this;
  }

 private:
  std::shared_ptr<OcspStaple> staple_;
  std::function<void(const std::string&, bool)> say_;
  Answer answer_;
};

// A responder that hangs holds a pool thread for kTimeout: at most half the
// threads run these at once, as jobs of one disk do (a device number no
// disk has).
constexpr std::uint64_t kOcspResponderLane = ~std::uint64_t{0};

void OcspStaple::refreshIfDue(WorkPool& pool, std::chrono::steady_clock::time_point now,
                              std::function<void(const std::string&, bool)> say) {
  if (asking_ || now < nextAsk_) return;
  asking_ = true;
  // The job keeps the staple alive while the context it served may already
  // have been replaced (a renewed certificate).
  pool.submit(*new Job(shared_from_this(), std::move(say)), WorkPool::Lane::kDisk, kOcspResponderLane);
}

std::string OcspStaple::accept(Answer answer, std::chrono::steady_clock::time_point now, bool* failed) {
  using namespace std::chrono;
  *failed = false;
  if (answer.der.empty()) {
    // The answer stapled before still serves until it goes stale; ask
    // again well before that.
    const auto left = duration_cast<seconds>(staleAt_ - system_clock::now());
    nextAsk_ = now + std::clamp(left / 2, seconds(5), seconds(kRetry));
    const std::string reason = answer.revoked ? "the OCSP responder at " + url_ + " says this certificate is revoked"
                                              : "no OCSP answer to staple from " + url_ + ": " + answer.error;
    if (answer.revoked) staple_.clear();
    saidGood_ = false;
    if (reason == lastFailure_) return {};
    lastFailure_ = reason;
    *failed = true;
    return reason;
  }
  lastFailure_.clear();
  staple_ = std::move(answer.der);
  if (answer.validFor.count() < 0) {
    staleAt_ = system_clock::time_point::max();
    nextAsk_ = now + kLongest;
  } else {
    staleAt_ = system_clock::now() + answer.validFor;
    nextAsk_ = now + std::clamp(answer.validFor / 2, seconds(5), seconds(kLongest));
  }
  if (saidGood_) return {};
  saidGood_ = true;
  return "the OCSP responder at " + url_ + " says this certificate is good; its answer is stapled to every handshake";
}

bool OcspStaple::stapling() const { return !staple_.empty() && std::chrono::system_clock::now() < staleAt_; }

#if defined(FERRY_HAVE_TLS)

namespace {

// The first http:// OCSP responder in the certificate's AIA, or "".
std::string ocspResponderOf(X509* cert) {
  std::string url;
  STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert);
  for (int i = 0; urls && i < sk_OPENSSL_STRING_num(urls); ++i) {
    const char* u = sk_OPENSSL_STRING_value(urls, i);
    if (url.empty() && std::strncmp(u, "http://", 7) == 0) url = u;
  }
  X509_email_free(urls);
  return url;
}

}  // namespace

std::shared_ptr<OcspStaple> OcspStaple::attach(ssl_ctx_st* ctx) {
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  if (!leaf) return nullptr;
  const std::string url = ocspResponderOf(leaf);
  if (url.empty()) return nullptr;
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  X509* issuer = nullptr;
  for (int i = 0; chain && i < sk_X509_num(chain) && !issuer; ++i)
    if (X509_check_issued(sk_X509_value(chain, i), leaf) == X509_V_OK) issuer = sk_X509_value(chain, i);
  ERR_clear_error();
  if (!issuer) return nullptr;
  std::shared_ptr<OcspStaple> s(new OcspStaple);
  X509_up_ref(leaf);
  X509_up_ref(issuer);
  s->leaf_ = leaf;
  s->issuer_ = issuer;
  s->url_ = url;
  SSL_CTX_set_tlsext_status_cb(ctx, onStatusRequest);
  SSL_CTX_set_tlsext_status_arg(ctx, s.get());
  return s;
}

OcspStaple::~OcspStaple() {
  X509_free(leaf_);
  X509_free(issuer_);
}

int OcspStaple::onStatusRequest(SSL* ssl, void* arg) {
  const auto* s = static_cast<const OcspStaple*>(arg);
  if (!s->stapling()) return SSL_TLSEXT_ERR_NOACK;
  // OpenSSL frees the copy with the connection.
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(s->staple_.size()));
  if (!copy) return SSL_TLSEXT_ERR_NOACK;
  std::memcpy(copy, s->staple_.data(), s->staple_.size());
  if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, static_cast<long>(s->staple_.size())) != 1) {
    OPENSSL_free(copy);
    return SSL_TLSEXT_ERR_NOACK;
  }
  return SSL_TLSEXT_ERR_OK;
}

OcspStaple::Answer OcspStaple::fetch() const {
  Answer a;
  ERR_clear_error();
  char *host = nullptr, *port = nullptr, *path = nullptr;
  int tls = 0;
  OCSP_CERTID* id = nullptr;
  OCSP_REQUEST* request = nullptr;
  BIO *body = nullptr, *reply = nullptr;
  OCSP_RESPONSE* response = nullptr;
  OCSP_BASICRESP* basic = nullptr;
  X509_STORE* store = nullptr;
  STACK_OF(X509)* signers = nullptr;
  int status = -1, reason = 0;
  ASN1_GENERALIZEDTIME *revokedAt = nullptr, *thisUpdate = nullptr, *nextUpdate = nullptr;
  unsigned char* der = nullptr;
  int derLength = 0;
  int days = 0, seconds = 0;

  if (OSSL_HTTP_parse_url(url_.c_str(), &tls, nullptr, &host, &port, nullptr, &path, nullptr, nullptr) != 1) {
    a.error = "the responder's address cannot be read";
    goto done;
  }
  id = OCSP_cert_to_id(nullptr, leaf_, issuer_);
  request = OCSP_REQUEST_new();
  // No nonce: the answer is shared by every client it is stapled for, and
  // responders that cache their answers ignore nonces anyway (nginx sends
  // none either).
  if (!id || !request || !OCSP_request_add0_id(request, OCSP_CERTID_dup(id))) {
    a.error = "the question cannot be made (" + tls_files::opensslReason() + ")";
    goto done;
  }
  body = ASN1_item_i2d_mem_bio(ASN1_ITEM_rptr(OCSP_REQUEST), reinterpret_cast<const ASN1_VALUE*>(request));
  if (body)
    reply = OSSL_HTTP_transfer(nullptr, host, port, path, tls, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 0,
                               nullptr, "application/ocsp-request", body, "application/ocsp-response", 1, kMaxAnswer,
                               static_cast<int>(kTimeout.count()), 0);
  if (!reply) {
    a.error = "the responder did not answer (" + tls_files::opensslReason() + ")";
    goto done;
  }
  response = d2i_OCSP_RESPONSE_bio(reply, nullptr);
  if (!response) {
    a.error = "its answer is not an OCSP response";
    goto done;
  }
  if (OCSP_response_status(response) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    a.error = std::string("it answered \"") + OCSP_response_status_str(OCSP_response_status(response)) + "\"";
    goto done;
  }
  basic = OCSP_response_get1_basic(response);
  // Signed by the issuer itself, or by a responder certificate the issuer
  // signed for OCSP: the issuer is the only trust needed (partial chain).
  store = X509_STORE_new();
  signers = sk_X509_new_null();
  if (!basic || !store || !signers || !X509_STORE_add_cert(store, issuer_) ||
      !X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) || !sk_X509_push(signers, issuer_) ||
      OCSP_basic_verify(basic, signers, store, 0) <= 0) {
    a.error = "its answer is not signed by the certificate's issuer (" + tls_files::opensslReason() + ")";
    goto done;
  }
  if (!OCSP_resp_find_status(basic, id, &status, &reason, &revokedAt, &thisUpdate, &nextUpdate)) {
    a.error = "its answer does not speak of this certificate";
    goto done;
  }
  // Five minutes of leeway for clocks that differ.
  if (!OCSP_check_validity(thisUpdate, nextUpdate, 300, -1)) {
    a.error = "its answer is out of date";
    goto done;
  }
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    a.revoked = true;
    a.error = "the certificate is revoked";
    goto done;
  }
  if (status != V_OCSP_CERTSTATUS_GOOD) {
    a.error = "it does not know this certificate";
    goto done;
  }
  if (nextUpdate && ASN1_TIME_diff(&days, &seconds, nullptr, nextUpdate))
    a.validFor = std::chrono::seconds(std::max(0L, static_cast<long>(days) * 86400 + seconds));
  derLength = i2d_OCSP_RESPONSE(response, &der);
  if (derLength <= 0) {
    a.error = "its answer cannot be kept (" + tls_files::opensslReason() + ")";
    goto done;
  }
  a.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(derLength));

done:
  OPENSSL_free(der);
  sk_X509_free(signers);  // holds no reference of its own
  X509_STORE_free(store);
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(response);
  BIO_free(reply);
  BIO_free(body);
  OCSP_REQUEST_free(request);
  OCSP_CERTID_free(id);
  OPENSSL_free(host);
  OPENSSL_free(port);
  OPENSSL_free(path);
  ERR_clear_error();
  return a;
}

#else  // no OpenSSL in this build

std::shared_ptr<OcspStaple> OcspStaple::attach(ssl_ctx_st*) { return nullptr; }
OcspStaple::~OcspStaple() = default;
int OcspStaple::onStatusRequest(ssl_st*, void*) { return 0; }
OcspStaple::Answer OcspStaple::fetch() const { return {}; }

#endif

}  // namespace ferry
