#include "localsend_identity.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "random_token.h"
#include "tls_context.h"
#include "tls_files.h"

#if defined(FERRY_HAVE_TLS)
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

namespace ferry {

namespace {

std::string hexUpper(const unsigned char* bytes, std::size_t n) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string randomFingerprint() {
  unsigned char bytes[32];
  if (secureRandom(bytes, sizeof bytes)) return {};
  return hexUpper(bytes, sizeof bytes);
}

#if defined(FERRY_HAVE_TLS)

namespace {

using tls_files::Cert;
using tls_files::createPrivate;
using tls_files::File;
using tls_files::Key;
using tls_files::opensslReason;

std::optional<std::string> fingerprintOf(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return std::nullopt;
  std::string fp = certificateFingerprint(std::string_view(reinterpret_cast<const char*>(der), len));
  OPENSSL_free(der);
  return fp;
}

std::optional<LocalSendIdentity> load(const std::string& certFile, const std::string& keyFile, std::string* error) {
  File cf(std::fopen(certFile.c_str(), "rb"));
  if (!cf) {
    *error = "cannot read the LocalSend certificate " + certFile + ": " + std::strerror(errno);
    return std::nullopt;
  }
  File kf(std::fopen(keyFile.c_str(), "rb"));
  if (!kf) {
    *error = "cannot read the LocalSend key " + keyFile + ": " + std::strerror(errno);
    return std::nullopt;
  }
  ERR_clear_error();
  Cert cert(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) {
    *error = "the LocalSend certificate " + certFile + " holds no PEM certificate (" + opensslReason() + ")";
    return std::nullopt;
  }
  Key key(PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) {
    *error = "the LocalSend key " + keyFile + " holds no PEM private key (" + opensslReason() + ")";
    return std::nullopt;
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    *error = "the LocalSend key " + keyFile + " does not belong to the certificate " + certFile;
    return std::nullopt;
  }
  auto fp = fingerprintOf(cert.get());
  if (!fp) {
    *error = "cannot encode the LocalSend certificate " + certFile + " (" + opensslReason() + ")";
    return std::nullopt;
  }
  return LocalSendIdentity{certFile, keyFile, *fp};
}

bool create(const std::string& certFile, const std::string& keyFile, std::string_view commonName, std::string* error) {
  ERR_clear_error();
  Key key(EVP_RSA_gen(2048), EVP_PKEY_free);
  Cert cert(X509_new(), X509_free);
  if (!key || !cert) {
    *error = "cannot make a LocalSend key: " + opensslReason();
    return false;
  }
  unsigned char serial[16];
  if (secureRandom(serial, sizeof serial)) {
    *error = "cannot make a LocalSend certificate: no random numbers";
    return false;
  }
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn(commonName.empty() ? std::string_view("Ferry") : commonName.substr(0, 64));
  ok = ok && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                  static_cast<int>(cn.size()), -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), name) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600) != nullptr &&
       X509_time_adj_ex(X509_getm_notAfter(cert.get()), 100 * 365, 0, nullptr) != nullptr &&
       X509_set_pubkey(cert.get(), key.get()) == 1 && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    *error = "cannot make a LocalSend certificate: " + opensslReason();
    return false;
  }
  // Written under temporary names and renamed, key first: a crash leaves
  // either nothing or a whole pair (a key alone is replaced next time).
  const std::string keyTmp = keyFile + ".new", certTmp = certFile + ".new";
  std::remove(keyTmp.c_str());
  std::remove(certTmp.c_str());
  {
    File kf = createPrivate(keyTmp);
    if (!kf) {
      *error = "cannot write the LocalSend key " + keyTmp + ": " + std::strerror(errno);
      return false;
    }
    if (PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        std::fflush(kf.get()) != 0) {
      *error = "cannot write the LocalSend key " + keyTmp;
      std::remove(keyTmp.c_str());
      return false;
    }
    File cf(std::fopen(certTmp.c_str(), "wb"));
    if (!cf || PEM_write_X509(cf.get(), cert.get()) != 1 || std::fflush(cf.get()) != 0) {
      *error = "cannot write the LocalSend certificate " + certTmp;
      std::remove(keyTmp.c_str());
      std::remove(certTmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(keyTmp, keyFile, ec);
  if (!ec) std::filesystem::rename(certTmp, certFile, ec);
  if (ec) {
    *error = "cannot keep the LocalSend identity in " + certFile + ": " + ec.message();
    std::remove(keyTmp.c_str());
    std::remove(certTmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

std::string certificateFingerprint(std::string_view der) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return hexUpper(md, len);
}

std::optional<LocalSendIdentity> LocalSendIdentity::loadOrCreate(const std::string& folder,
                                                                 std::string_view commonName, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (folder.empty()) {
    *error = "no folder to keep the LocalSend identity in";
    return std::nullopt;
  }
  fs::create_directories(folder, ec);
  if (ec) {
    *error = "cannot make the folder " + folder + " for the LocalSend identity: " + ec.message();
    return std::nullopt;
  }
  const std::string certFile = (fs::path(folder) / kCertName).string();
  const std::string keyFile = (fs::path(folder) / kKeyName).string();
  const bool haveCert = fs::exists(certFile, ec), haveKey = fs::exists(keyFile, ec);
  if (haveCert != haveKey && haveCert) {
    *error = "the LocalSend certificate " + certFile + " has no key beside it (" + kKeyName + ")";
    return std::nullopt;
  }
  // A key alone is what an interrupted first run leaves: made again.
  if (!haveCert && !create(certFile, keyFile, commonName, error)) return std::nullopt;
  return load(certFile, keyFile, error);
}

#else  // no OpenSSL in this build

std::string certificateFingerprint(std::string_view) { return {}; }

std::optional<LocalSendIdentity> LocalSendIdentity::loadOrCreate(const std::string&, std::string_view,
                                                                 std::string* error) {
  if (error) *error = TlsContext::kUnavailable;
  return std::nullopt;
}

#endif

}  // namespace ferry
