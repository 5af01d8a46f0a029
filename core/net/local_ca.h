#pragma once

// LocalCa: Ferry's own certificate authority, for HTTPS on a LAN where no
// public CA can vouch for an address. Made once and kept in a folder the app
// names (local-ca-cert.pem, local-ca-key.pem readable by its owner only): a
// device that installed it once trusts every certificate it signs from then
// on, so it must outlive restarts and address changes.
//
// The CA: ECDSA P-256, valid 10 years, a name constraint (critical) that
// limits it to private and loopback addresses (10/8, 172.16/12,
// 192.168/16, 169.254/16, 127/8, fc00::/7, fe80::/10, ::1) and to `.local`
// and `localhost` names: a device that trusts it trusts nothing it could
// sign for a public site, where the client honours name constraints (the
// browsers of today and the phones' own TLS do).
//
// The server's certificate ("leaf"): ECDSA P-256, made anew by issue() for
// the addresses and the `.local` name links use, valid 14 days; its key
// never leaves the folder. Addresses outside the constraint are left out of
// it (a client would refuse the whole certificate for them).
//
// Built only with OpenSSL (FERRY_HAVE_TLS); without it prepare() fails with
// TlsContext's sentence. Any thread; values are immutable.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ferry {

struct LocalCa {
  std::string folder;
  std::string caCertFile;  // the CA alone, PEM
  // SHA-256 of the CA's DER in uppercase hex pairs separated by colons, as
  // phones show it ("AB:CD:…", 95 characters).
  std::string fingerprint;
  std::string caDer;        // the CA certificate, DER (what a phone installs)
  std::string caDerBase64;  // the same, base64 (for the iOS profile)
  std::string caName;       // its subject's common name

  static constexpr const char* kCaCertName = "local-ca-cert.pem";
  static constexpr const char* kCaKeyName = "local-ca-key.pem";
  static constexpr const char* kLeafCertName = "local-server-cert.pem";
  static constexpr const char* kLeafKeyName = "local-server-key.pem";
  static constexpr std::chrono::hours kLeafLifetime{14 * 24};

  // Reads the CA kept in `folder`, or makes one there when neither of its
  // files exists (creating the folder, 0700). A certificate without its
  // key, a key that is not the certificate's, or a file that cannot be read
  // is one sentence naming it, and nothing is overwritten. `hostName` names
  // a new CA only ("Ferry on <hostName>").
  static std::optional<LocalCa> prepare(const std::string& folder, const std::string& hostName, std::string* error);

  // Issued server certificates, for TlsContext::load().
  struct Leaf {
    std::string certFile;  // the server's certificate, then the CA
    std::string keyFile;
    std::vector<std::string> names;  // what it is valid for: IPs and DNS names
  };
  // Makes a new server certificate for `ips` and `dnsNames` (each kept only
  // where the name constraint allows it; "localhost" and 127.0.0.1 always),
  // signed by this CA, written to the folder (the key 0600) replacing the
  // last one.
  std::optional<Leaf> issue(const std::vector<std::string>& ips, const std::vector<std::string>& dnsNames,
                            std::string* error) const;
};

// Whether the CA's name constraint allows this IP address (text).
bool localCaAllowsIp(const std::string& ip);

}  // namespace ferry
