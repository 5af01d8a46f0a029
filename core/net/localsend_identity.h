#pragma once

// LocalSendIdentity: who this computer is to LocalSend devices. A
// self-signed RSA-2048 certificate and its key, made once and kept in a
// folder the app names (localsend-cert.pem, localsend-key.pem, the key
// readable by its owner only), so the fingerprint, which LocalSend devices
// remember ("always accept", favourites), survives restarts.
//
// The certificate is what the LocalSend apps make for themselves: RSA-2048,
// SHA-256 signature, a subject with only a common name, no SAN, valid from
// a day before it was made for 100 years (the apps' never expire either:
// nobody renews them). Peers identify it by its fingerprint alone: the
// SHA-256 of its DER, in uppercase hex (64 characters).
//
// Built only with OpenSSL (FERRY_HAVE_TLS); without it loadOrCreate()
// fails with TlsContext's sentence and LocalSend runs over HTTP only, with
// a random fingerprint (new each start: devices cannot remember it).
//
// Any thread; a loaded identity is an immutable value.

#include <optional>
#include <string>
#include <string_view>

namespace ferry {

struct LocalSendIdentity {
  std::string certFile;     // PEM
  std::string keyFile;      // PEM, PKCS#8
  std::string fingerprint;  // uppercase hex SHA-256 of the certificate's DER

  static constexpr const char* kCertName = "localsend-cert.pem";
  static constexpr const char* kKeyName = "localsend-key.pem";

  // Reads the identity kept in `folder`, or makes one there when neither
  // file exists (creating the folder, 0700). A certificate without its key,
  // a key that does not match, or a file that cannot be read is an error
  // (one sentence) and nothing is overwritten. `commonName` names a new
  // certificate only.
  static std::optional<LocalSendIdentity> loadOrCreate(const std::string& folder, std::string_view commonName,
                                                       std::string* error);
};

// The fingerprint of a DER certificate: SHA-256, uppercase hex. Empty
// without OpenSSL.
std::string certificateFingerprint(std::string_view der);

// What a build without OpenSSL announces: 64 random uppercase hex digits
// (LocalSend devices only compare fingerprints for equality).
std::string randomFingerprint();

}  // namespace ferry
