#pragma once

// CertificateSource: where an https port's certificate comes from, and
// what keeps it current while the port serves. Either the user's PEM files
// (--tls-cert/--tls-key), loaded again when either file changes (a renewed
// Let's Encrypt certificate: new size, time or inode, symlinks followed), or
// Ferry's own CA (LocalCa), whose server certificate is issued again when
// this machine's addresses change or it has lived half its life.
//
// A refresh makes a new TlsContext with the old one's ticket keys; the
// caller hands it to the listener for new connections, while connections
// already open keep the context they started with (nothing is dropped, and
// tickets issued before still resume). A refresh that fails (a key written
// after its certificate, a file half copied) keeps the old context and says
// why; it is tried again at the next check, and said again only when the
// reason changes.
//
// Loop thread only (after make*(), which may run on any thread).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "local_ca.h"
#include "tls_context.h"

namespace ferry {

class CertificateSource final {
 public:
  // How often refresh() is worth calling: a stat of two files.
  static constexpr std::chrono::seconds kCheckEvery{2};
  // How often the addresses are looked at again with Ferry's CA;
  // FERRY_TLS_ADDRESS_CHECK (seconds) overrides it, for tests.
  static constexpr std::chrono::seconds kAddressesEvery{30};

  static std::unique_ptr<CertificateSource> fromFiles(const std::string& certFile, const std::string& keyFile,
                                                      std::string* error);
  // Ferry's CA kept in `folder`, with a server certificate for this
  // machine's addresses and the `.local` names given (and `hostName`.local).
  static std::unique_ptr<CertificateSource> fromLocalCa(const std::string& folder, const std::string& hostName,
                                                        std::vector<std::string> dnsNames, std::string* error);

  std::shared_ptr<TlsContext> context() const { return context_; }
  // With Ferry's CA: the CA (its fingerprint, its DER for the install page).
  const LocalCa* localCa() const { return ca_ ? &*ca_ : nullptr; }
  // What the current certificate is valid for (Ferry's CA only).
  const std::vector<std::string>& names() const { return names_; }
  // A .local name to add from now on (the mDNS name changed).
  void setDnsNames(std::vector<std::string> names);

  struct Change {
    std::shared_ptr<TlsContext> context;  // set: serve this from now on
    std::string message;                  // set: a sentence for the user (a reload, or why it failed)
    bool failed = false;
  };
  // Looks for a change; `now` from the loop's clock.
  Change refresh(std::chrono::steady_clock::time_point now);

 private:
  struct Stamp {
    std::uint64_t size = 0, inode = 0, device = 0;
    std::int64_t mtimeNs = 0;
    bool operator==(const Stamp&) const = default;
  };
  static std::optional<Stamp> stampOf(const std::string& path);
  Change reloadFiles();
  Change reissue(std::chrono::steady_clock::time_point now);
  std::vector<std::string> currentIps() const;

  std::shared_ptr<TlsContext> context_;
  // The user's files.
  std::string certFile_, keyFile_;
  std::optional<Stamp> certStamp_, keyStamp_;
  // Ferry's CA.
  std::optional<LocalCa> ca_;
  std::string hostName_;
  std::vector<std::string> dnsNames_;
  std::vector<std::string> ips_;    // the addresses the certificate was issued for
  std::vector<std::string> names_;  // what it is valid for
  std::chrono::steady_clock::time_point issued_{}, lookedAt_{};
  std::chrono::seconds addressesEvery_ = kAddressesEvery;
  bool namesChanged_ = false;
  std::string lastFailure_;
};

}  // namespace ferry
