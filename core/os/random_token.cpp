#include "random_token.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#if defined(_WIN32)
#include <windows.h>
#include <bcrypt.h>
#elif defined(__linux__)
#include <sys/random.h>
#else
#include <stdlib.h>  // arc4random_buf
#endif

namespace ferry {

std::error_code secureRandom(void* buf, std::size_t len) noexcept {
#if defined(_WIN32)
  NTSTATUS st = ::BCryptGenRandom(nullptr, static_cast<PUCHAR>(buf), static_cast<ULONG>(len),
                                  BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (st != 0) return std::make_error_code(std::errc::io_error);
#elif defined(__linux__)
  auto* p = static_cast<unsigned char*>(buf);
  while (len > 0) {
    ssize_t n = ::getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {errno, std::system_category()};
    }
    p += n;
    len -= static_cast<std::size_t>(n);
  }
#else
  ::arc4random_buf(buf, len);
#endif
  return {};
}

std::string newShareToken() {
  unsigned char bytes[16];
  if (auto ec = secureRandom(bytes, sizeof bytes)) {
    // A guessable token would expose the user's files: refuse to go on.
    std::fprintf(stderr, "ferry: no secure random source: %s\n", ec.message().c_str());
    std::abort();
  }
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(22);
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  return out;
}

}  // namespace ferry
