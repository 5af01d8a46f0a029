#pragma once

// CaPage: what a device needs to trust Ferry's own CA (LocalCa), at fixed
// paths that hold no secret: /ferry-ca (a page with the steps for each kind
// of device and the CA's fingerprint to compare with the one the computer
// shows), /ferry-ca.crt (the CA in DER, for Android and computers) and
// /ferry-ca.mobileconfig (an iOS profile carrying it). Answered over plain
// HTTP too (HttpServerOptions::plainPaths): a device reaches it before it
// trusts https.
//
// Immutable once made; loop thread (serve()).

#include <string>
#include <vector>

#include "local_ca.h"
#include "responder.h"

namespace ferry {

class CaPage final {
 public:
  static constexpr const char* kPage = "/ferry-ca";
  static constexpr const char* kCertificate = "/ferry-ca.crt";
  static constexpr const char* kProfile = "/ferry-ca.mobileconfig";
  static std::vector<std::string> paths() { return {kPage, kCertificate, kProfile}; }

  explicit CaPage(const LocalCa& ca);

  // Answers `req` when it asks for one of the paths (GET or HEAD); false
  // leaves it to the rest of the router.
  bool serve(const HttpRequest& req, Responder& out) const;

 private:
  std::string page_;
  std::string der_;
  std::string profile_;
};

}  // namespace ferry
