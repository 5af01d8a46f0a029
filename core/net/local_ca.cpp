#include "local_ca.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#endif

#include "random_token.h"
#include "tls_context.h"
#include "tls_files.h"

#if defined(FERRY_HAVE_TLS)
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

namespace ferry {

namespace {

struct Range {
  int family;
  unsigned char net[16];
  int bits;
};

// What the CA's name constraint permits: private, link-local and loopback
// addresses. Kept here as data so the leaf leaves out what a client would
// refuse, and the constraint is written from the same list.
const std::vector<std::pair<const char*, int>>& permittedRanges() {
  static const std::vector<std::pair<const char*, int>> kRanges = {
      {"10.0.0.0", 8},   {"172.16.0.0", 12}, {"192.168.0.0", 16}, {"169.254.0.0", 16},
      {"127.0.0.0", 8},  {"fc00::", 7},      {"fe80::", 10},      {"::1", 128},
  };
  return kRanges;
}

bool parseIp(const std::string& text, int& family, unsigned char out[16]) {
  std::string ip = text;
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (auto pct = ip.find('%'); pct != std::string::npos) ip.resize(pct);  // fe80::1%eth0
  if (inet_pton(AF_INET, ip.c_str(), out) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), out) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

bool inRange(const unsigned char* addr, const unsigned char* net, int bits) {
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((addr[i] & mask) != (net[i] & mask)) return false;
  }
  return true;
}

}  // namespace

bool localCaAllowsIp(const std::string& ip) {
  int family = 0;
  unsigned char addr[16];
  if (!parseIp(ip, family, addr)) return false;
  for (const auto& [text, bits] : permittedRanges()) {
    int f = 0;
    unsigned char net[16];
    if (parseIp(text, f, net) && f == family && inRange(addr, net, bits)) return true;
  }
  return false;
}

#if defined(FERRY_HAVE_TLS)

namespace {

using tls_files::Cert;
using tls_files::createPrivate;
using tls_files::File;
using tls_files::Key;
using tls_files::opensslReason;

std::string ipMask(int family, int bits) {
  unsigned char mask[16] = {};
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8)
    mask[i] = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
  char text[64] = {};
  inet_ntop(family, mask, text, sizeof text);
  return text;
}

// "permitted;IP:10.0.0.0/255.0.0.0,…,permitted;DNS:local,…": OpenSSL's
// configuration syntax for the nameConstraints extension.
std::string nameConstraints() {
  std::string nc = "critical";
  for (const auto& [net, bits] : permittedRanges()) {
    const bool v6 = std::strchr(net, ':') != nullptr;
    nc += ",permitted;IP:";
    nc += net;
    nc += '/';
    nc += ipMask(v6 ? AF_INET6 : AF_INET, bits);
  }
  nc += ",permitted;DNS:local,permitted;DNS:localhost";
  return nc;
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool randomSerial(X509* cert) {
  unsigned char serial[16];
  if (secureRandom(serial, sizeof serial)) return false;
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok;
}

bool setName(X509_NAME* name, const std::string& cn) {
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                    static_cast<int>(cn.size()), -1, 0) == 1;
}

// Writes `key` (owner only) and `cert` (followed by `chain`, when given)
// under temporary names, then renames them over `keyFile` and `certFile`,
// key first: a crash leaves the old pair, a new key with the old
// certificate (refused as a mismatch, then made again), or the new pair.
bool writePair(const std::string& certFile, const std::string& keyFile, EVP_PKEY* key, X509* cert, X509* chain,
               std::string* error) {
  const std::string keyTmp = keyFile + ".new", certTmp = certFile + ".new";
  std::remove(keyTmp.c_str());
  std::remove(certTmp.c_str());
  {
    File kf = createPrivate(keyTmp);
    if (!kf) {
      *error = "cannot write the key " + keyTmp + ": " + std::strerror(errno);
      return false;
    }
    if (PEM_write_PrivateKey(kf.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 || std::fflush(kf.get()) != 0) {
      *error = "cannot write the key " + keyTmp;
      std::remove(keyTmp.c_str());
      return false;
    }
    File cf(std::fopen(certTmp.c_str(), "wb"));
    if (!cf || PEM_write_X509(cf.get(), cert) != 1 || (chain && PEM_write_X509(cf.get(), chain) != 1) ||
        std::fflush(cf.get()) != 0) {
      *error = "cannot write the certificate " + certTmp;
      std::remove(keyTmp.c_str());
      std::remove(certTmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(keyTmp, keyFile, ec);
  if (!ec) std::filesystem::rename(certTmp, certFile, ec);
  if (ec) {
    *error = "cannot keep the certificate in " + certFile + ": " + ec.message();
    std::remove(keyTmp.c_str());
    std::remove(certTmp.c_str());
    return false;
  }
  return true;
}

bool makeCa(const std::string& certFile, const std::string& keyFile, const std::string& hostName, std::string* error) {
  ERR_clear_error();
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  Cert cert(X509_new(), X509_free);
  if (!key || !cert) {
    *error = "cannot make a key for Ferry's certificate authority: " + opensslReason();
    return false;
  }
  const std::string cn = "Ferry on " + (hostName.empty() ? std::string("this computer") : hostName.substr(0, 48));
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool ok = randomSerial(cert.get()) && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
                  setName(name, cn) && X509_set_issuer_name(cert.get(), name) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
                  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 10 * 365, 0, nullptr) != nullptr &&
                  X509_set_pubkey(cert.get(), key.get()) == 1 &&
                  addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                  addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
                  addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") &&
                  addExtension(cert.get(), cert.get(), NID_name_constraints, nameConstraints()) &&
                  X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    *error = "cannot make Ferry's certificate authority: " + opensslReason();
    return false;
  }
  return writePair(certFile, keyFile, key.get(), cert.get(), nullptr, error);
}

std::string colonHex(const unsigned char* bytes, std::size_t n) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ':';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

struct Loaded {
  Cert cert{nullptr, X509_free};
  Key key{nullptr, EVP_PKEY_free};
};

std::optional<Loaded> loadCa(const std::string& certFile, const std::string& keyFile, std::string* error) {
  File cf(std::fopen(certFile.c_str(), "rb"));
  if (!cf) {
    *error = "cannot read Ferry's CA certificate " + certFile + ": " + std::strerror(errno);
    return std::nullopt;
  }
  File kf(std::fopen(keyFile.c_str(), "rb"));
  if (!kf) {
    *error = "cannot read the key of Ferry's CA " + keyFile + ": " + std::strerror(errno);
    return std::nullopt;
  }
  ERR_clear_error();
  Loaded l;
  l.cert.reset(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr));
  if (!l.cert) {
    *error = "Ferry's CA certificate " + certFile + " holds no PEM certificate (" + opensslReason() + ")";
    return std::nullopt;
  }
  l.key.reset(PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr));
  if (!l.key) {
    *error = "the key of Ferry's CA " + keyFile + " holds no PEM private key (" + opensslReason() + ")";
    return std::nullopt;
  }
  if (X509_check_private_key(l.cert.get(), l.key.get()) != 1) {
    ERR_clear_error();
    *error = "the key " + keyFile + " does not belong to Ferry's CA certificate " + certFile;
    return std::nullopt;
  }
  return l;
}

}  // namespace

std::optional<LocalCa> LocalCa::prepare(const std::string& folder, const std::string& hostName, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (folder.empty()) {
    *error = "no folder to keep Ferry's certificate authority in";
    return std::nullopt;
  }
  fs::create_directories(folder, ec);
  if (ec) {
    *error = "cannot make the folder " + folder + " for Ferry's certificate authority: " + ec.message();
    return std::nullopt;
  }
#if !defined(_WIN32)
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, ec);
#endif
  LocalCa ca;
  ca.folder = folder;
  ca.caCertFile = (fs::path(folder) / kCaCertName).string();
  const std::string keyFile = (fs::path(folder) / kCaKeyName).string();
  const bool haveCert = fs::exists(ca.caCertFile, ec), haveKey = fs::exists(keyFile, ec);
  if (haveCert && !haveKey) {
    *error = "Ferry's CA certificate " + ca.caCertFile + " has no key beside it (" + kCaKeyName + ")";
    return std::nullopt;
  }
  // A key alone is what an interrupted first run leaves: made again.
  if (!haveCert && !makeCa(ca.caCertFile, keyFile, hostName, error)) return std::nullopt;
  auto loaded = loadCa(ca.caCertFile, keyFile, error);
  if (!loaded) return std::nullopt;
  unsigned char* der = nullptr;
  const int len = i2d_X509(loaded->cert.get(), &der);
  if (len <= 0) {
    *error = "cannot encode Ferry's CA certificate " + ca.caCertFile + " (" + opensslReason() + ")";
    return std::nullopt;
  }
  ca.caDer.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdLen = 0;
  EVP_Digest(ca.caDer.data(), ca.caDer.size(), md, &mdLen, EVP_sha256(), nullptr);
  ca.fingerprint = colonHex(md, mdLen);
  ca.caDerBase64.resize(4 * ((ca.caDer.size() + 2) / 3) + 1);
  const int b64 = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(ca.caDerBase64.data()),
                                  reinterpret_cast<const unsigned char*>(ca.caDer.data()), len);
  ca.caDerBase64.resize(static_cast<std::size_t>(b64));
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(loaded->cert.get()), NID_commonName, cn, sizeof cn);
  ca.caName = cn;
  return ca;
}

std::optional<LocalCa::Leaf> LocalCa::issue(const std::vector<std::string>& ips, const std::vector<std::string>& dnsNames,
                                            std::string* error) const {
  std::string ignored;
  if (!error) error = &ignored;
  namespace fs = std::filesystem;
  auto ca = loadCa(caCertFile, (fs::path(folder) / kCaKeyName).string(), error);
  if (!ca) return std::nullopt;
  Leaf leaf;
  leaf.certFile = (fs::path(folder) / kLeafCertName).string();
  leaf.keyFile = (fs::path(folder) / kLeafKeyName).string();
  // What the constraint allows, each once; loopback always, so the
  // computer itself (and a test) can reach its own links.
  auto add = [&leaf](const std::string& name) {
    for (const auto& n : leaf.names)
      if (n == name) return;
    leaf.names.push_back(name);
  };
  std::string san;
  add("127.0.0.1");
  for (const auto& ip : ips) {
    int family = 0;
    unsigned char addr[16];
    if (!parseIp(ip, family, addr) || !localCaAllowsIp(ip)) continue;
    char text[64] = {};
    inet_ntop(family, addr, text, sizeof text);  // canonical, without a zone
    add(text);
  }
  const std::size_t ipCount = leaf.names.size();
  add("localhost");
  for (const auto& name : dnsNames) {
    const bool local = name.size() > 6 && name.compare(name.size() - 6, 6, ".local") == 0;
    if (local && name.find_first_of(" ,:/") == std::string::npos) add(name);
  }
  for (std::size_t i = 0; i < leaf.names.size(); ++i) {
    if (!san.empty()) san += ',';
    san += (i < ipCount ? "IP:" : "DNS:") + leaf.names[i];
  }

  ERR_clear_error();
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  Cert cert(X509_new(), X509_free);
  if (!key || !cert) {
    *error = "cannot make a key for this computer's certificate: " + opensslReason();
    return std::nullopt;
  }
  // The subject names the computer (its .local name), else its loopback
  // address; clients go by the SANs either way.
  const std::string cn = leaf.names.size() > ipCount + 1 ? leaf.names[ipCount + 1] : leaf.names.front();
  const long lifetime = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(kLeafLifetime).count());
  const bool ok = randomSerial(cert.get()) && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
                  setName(X509_get_subject_name(cert.get()), cn) &&
                  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca->cert.get())) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
                  X509_gmtime_adj(X509_getm_notAfter(cert.get()), lifetime) != nullptr &&
                  X509_set_pubkey(cert.get(), key.get()) == 1 &&
                  addExtension(cert.get(), ca->cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
                  addExtension(cert.get(), ca->cert.get(), NID_key_usage, "critical,digitalSignature") &&
                  addExtension(cert.get(), ca->cert.get(), NID_ext_key_usage, "serverAuth") &&
                  addExtension(cert.get(), ca->cert.get(), NID_subject_key_identifier, "hash") &&
                  addExtension(cert.get(), ca->cert.get(), NID_authority_key_identifier, "keyid:always") &&
                  addExtension(cert.get(), ca->cert.get(), NID_subject_alt_name, san) &&
                  X509_sign(cert.get(), ca->key.get(), EVP_sha256()) > 0;
  if (!ok) {
    *error = "cannot make this computer's certificate: " + opensslReason();
    return std::nullopt;
  }
  if (!writePair(leaf.certFile, leaf.keyFile, key.get(), cert.get(), ca->cert.get(), error)) return std::nullopt;
  return leaf;
}

#else  // no OpenSSL in this build

std::optional<LocalCa> LocalCa::prepare(const std::string&, const std::string&, std::string* error) {
  if (error) *error = TlsContext::kUnavailable;
  return std::nullopt;
}

std::optional<LocalCa::Leaf> LocalCa::issue(const std::vector<std::string>&, const std::vector<std::string>&,
                                            std::string* error) const {
  if (error) *error = TlsContext::kUnavailable;
  return std::nullopt;
}

#endif

}  // namespace ferry
