#pragma once

// OcspStaple: what the certificate's own OCSP responder last said about it,
// handed to every client that asks during the handshake (the status_request
// extension: "OCSP stapling"). A browser then learns that the certificate
// has not been revoked without asking the CA itself, which is slow and tells
// the CA which sites it visits.
//
// Only for a certificate whose Authority Information Access names an http://
// OCSP responder and whose issuer is in the chain file (a public CA's
// certificate as Let's Encrypt or an in-house CA hands it out); Ferry's own
// CA names none and has nothing to staple.
//
// Owns references to the certificate and its issuer and the last good
// answer (DER). Only a verified answer saying "good" is stapled, until its
// nextUpdate; it is asked for again halfway there (at most an hour later, as
// nginx does), after a failure within five minutes, and an answer that went
// stale is dropped rather than sent. A certificate the responder calls
// revoked gets no staple (clients asking the CA find out themselves).
//
// fetch() blocks (an HTTP POST to the responder, at most kTimeout, through
// the proxy in http_proxy/no_proxy when set) and runs on the work pool;
// everything else, the handshake's callback included, on the loop thread.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

struct ssl_ctx_st;
struct ssl_st;
struct x509_st;

namespace ferry {

class WorkPool;

class OcspStaple final : public std::enable_shared_from_this<OcspStaple> {
 public:
  static constexpr std::chrono::seconds kTimeout{10};
  static constexpr std::chrono::seconds kRetry{300};
  static constexpr std::chrono::seconds kLongest{3600};
  // The largest answer taken (a response names one certificate: a few KiB).
  static constexpr std::size_t kMaxAnswer = 64 * 1024;

  // The staple for the certificate `ctx` serves, with the handshake's
  // status callback installed; null when there is nothing to staple (no
  // responder named, no issuer in the chain, a build without TLS).
  static std::shared_ptr<OcspStaple> attach(ssl_ctx_st* ctx);
  ~OcspStaple();
  OcspStaple(const OcspStaple&) = delete;
  OcspStaple& operator=(const OcspStaple&) = delete;

  const std::string& url() const { return url_; }
  // Whether a good answer is being stapled now.
  bool stapling() const;

  // Asks the responder when due (at once the first time): the question goes
  // to `pool`, and the answer comes back to this staple on the loop thread.
  // `say` gets a sentence when there is one for the user (the first answer,
  // a failure whose reason changed, a revoked certificate), and whether it
  // is a failure. Loop thread.
  void refreshIfDue(WorkPool& pool, std::chrono::steady_clock::time_point now,
                    std::function<void(const std::string&, bool)> say);

  struct Answer {
    std::string der;       // the whole OCSPResponse, when good
    std::string error;     // why there is none
    bool revoked = false;  // the responder said so
    std::chrono::seconds validFor{-1};  // until nextUpdate; -1 = none given
  };
  // Asks the responder and checks its answer (signed by the issuer or by a
  // responder the issuer named, about this certificate, current). Blocks;
  // any thread.
  Answer fetch() const;

 private:
  OcspStaple() = default;
  // Takes an answer (loop thread); the sentence for the user, if any.
  std::string accept(Answer answer, std::chrono::steady_clock::time_point now, bool* failed);
  static int onStatusRequest(ssl_st* ssl, void* arg);

  class Job;

  x509_st* leaf_ = nullptr;
  x509_st* issuer_ = nullptr;
  std::string url_;
  std::string staple_;
  std::chrono::system_clock::time_point staleAt_{};
  std::chrono::steady_clock::time_point nextAsk_{};
  bool asking_ = false;
  bool saidGood_ = false;
  std::string lastFailure_;
};

}  // namespace ferry
