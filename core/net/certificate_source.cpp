#include "certificate_source.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#if !defined(_WIN32)
#include <sys/stat.h>
#endif

#include "lan_ranking.h"

namespace ferry {

std::unique_ptr<CertificateSource> CertificateSource::fromFiles(const std::string& certFile, const std::string& keyFile,
                                                                std::string* error) {
  std::unique_ptr<CertificateSource> s(new CertificateSource);
  s->certFile_ = certFile;
  s->keyFile_ = keyFile;
  // Stamped before loading: a file replaced while it loads is loaded again.
  s->certStamp_ = stampOf(certFile);
  s->keyStamp_ = stampOf(keyFile);
  s->context_ = TlsContext::load(certFile, keyFile, error);
  if (!s->context_) return nullptr;
  return s;
}

std::unique_ptr<CertificateSource> CertificateSource::fromLocalCa(const std::string& folder, const std::string& hostName,
                                                                  std::vector<std::string> dnsNames, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  std::unique_ptr<CertificateSource> s(new CertificateSource);
  s->ca_ = LocalCa::prepare(folder, hostName, error);
  if (!s->ca_) return nullptr;
  s->hostName_ = hostName;
  s->dnsNames_ = std::move(dnsNames);
  if (const char* v = std::getenv("FERRY_TLS_ADDRESS_CHECK"); v && std::strtol(v, nullptr, 10) > 0)
    s->addressesEvery_ = std::chrono::seconds(std::strtol(v, nullptr, 10));
  Change c = s->reissue(std::chrono::steady_clock::now());
  if (!c.context) {
    *error = c.message;
    return nullptr;
  }
  s->lastFailure_.clear();
  return s;
}

void CertificateSource::setDnsNames(std::vector<std::string> names) {
  if (names == dnsNames_) return;
  dnsNames_ = std::move(names);
  namesChanged_ = true;  // a new certificate at the next refresh
}

std::optional<CertificateSource::Stamp> CertificateSource::stampOf(const std::string& path) {
#if defined(_WIN32)
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  const auto time = std::filesystem::last_write_time(path, ec);
  if (ec) return std::nullopt;
  Stamp s;
  s.size = size;
  s.mtimeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  return s;
#else
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  Stamp s;
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  s.device = static_cast<std::uint64_t>(st.st_dev);
#if defined(__APPLE__)
  s.mtimeNs = static_cast<std::int64_t>(st.st_mtimespec.tv_sec) * 1000000000 + st.st_mtimespec.tv_nsec;
#else
  s.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
#endif
  return s;
#endif
}

CertificateSource::Change CertificateSource::refresh(std::chrono::steady_clock::time_point now) {
  if (ca_) {
    // Half its life gone, or addresses that may have moved: a new one.
    const bool old = now - issued_ >= LocalCa::kLeafLifetime / 2;
    if (!old && !namesChanged_ && now - lookedAt_ < addressesEvery_) return {};
    lookedAt_ = now;
    if (!old && !namesChanged_ && currentIps() == ips_) return {};
    namesChanged_ = false;
    return reissue(now);
  }
  auto cert = stampOf(certFile_), key = stampOf(keyFile_);
  if (cert == certStamp_ && key == keyStamp_) return {};
  Change c = reloadFiles();
  // A failure is tried again at the next check (the other file may still
  // be on its way); a success is not repeated.
  if (c.context) {
    certStamp_ = cert;
    keyStamp_ = key;
  }
  return c;
}

CertificateSource::Change CertificateSource::reloadFiles() {
  Change c;
  std::string error;
  auto fresh = TlsContext::load(certFile_, keyFile_, &error, context_->ticketKeys());
  if (!fresh) {
    if (error == lastFailure_) return c;  // said once already
    lastFailure_ = error;
    c.failed = true;
    c.message = "the changed certificate was not loaded, the one before still serves: " + error;
    return c;
  }
  lastFailure_.clear();
  context_ = fresh;
  c.context = std::move(fresh);
  c.message = "the certificate was loaded again from " + certFile_ + " (valid until " + context_->notAfter() + ")";
  return c;
}

std::vector<std::string> CertificateSource::currentIps() const {
  std::vector<std::string> ips;
  for (const LanAddress& a : rankLanAddresses(listInterfaces())) ips.push_back(a.host);
  std::sort(ips.begin(), ips.end());
  return ips;
}

CertificateSource::Change CertificateSource::reissue(std::chrono::steady_clock::time_point now) {
  Change c;
  std::vector<std::string> ips = currentIps();
  std::vector<std::string> names = dnsNames_;
  if (!hostName_.empty()) names.push_back(hostName_ + ".local");
  std::string error;
  auto leaf = ca_->issue(ips, names, &error);
  std::shared_ptr<TlsContext> fresh;
  if (leaf) fresh = TlsContext::load(leaf->certFile, leaf->keyFile, &error, context_ ? context_->ticketKeys() : nullptr);
  issued_ = lookedAt_ = now;
  if (!fresh) {
    if (error == lastFailure_) return c;
    lastFailure_ = error;
    c.failed = true;
    c.message = context_ ? "a new certificate for this computer's addresses could not be made, the one before still "
                           "serves: " + error
                         : error;
    return c;
  }
  lastFailure_.clear();
  const bool first = !context_;
  ips_ = std::move(ips);
  names_ = leaf->names;
  context_ = fresh;
  c.context = std::move(fresh);
  if (!first) {
    std::string list;
    for (const auto& n : names_) list += (list.empty() ? "" : ", ") + n;
    c.message = "a new certificate from Ferry's CA serves " + list;
  }
  return c;
}

}  // namespace ferry
