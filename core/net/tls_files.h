#pragma once
// OpenSSL objects owned by unique_ptr, OpenSSL's last error in words, and a
// new file only its owner may read: what the code that keeps keys and
// certificates on disk (Ferry's own CA, the LocalSend identity) shares.
// Plain functions, for any thread.
#if defined(FERRY_HAVE_TLS)

#include <cstdio>
#include <memory>
#include <string>

#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#endif

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace ferry::tls_files {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

inline std::string opensslReason() {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return reason ? reason : "unknown error";
}

// Opens `path` for writing, new, readable by its owner only (a key's mode
// must never be wider, not even for a moment).
inline File createPrivate(const std::string& path) {
#if defined(_WIN32)
  // The folder lies in the user's profile, whose ACL already keeps others out.
  return File(std::fopen(path.c_str(), "wbx"));
#else
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return File(nullptr);
  std::FILE* f = ::fdopen(fd, "wb");
  if (!f) ::close(fd);
  return File(f);
#endif
}

}  // namespace ferry::tls_files

#endif
