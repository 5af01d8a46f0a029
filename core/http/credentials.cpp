#include "credentials.h"

#include "header_values.h"
#include "http_request.h"

namespace ferry {
namespace {

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding, as RFC 7617 sends it.
bool base64Decode(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad) return false;  // data after padding
      v[k] = base64Value(c);
      if (v[k] < 0) return false;
    }
    unsigned n = (unsigned(v[0]) << 18) | (unsigned(v[1]) << 12) | (unsigned(v[2]) << 6) | unsigned(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return true;
}

}  // namespace

bool basicPassword(std::string_view authorization, std::string& password) {
  authorization = trimOws(authorization);
  if (authorization.size() < 6 || !iequals(authorization.substr(0, 6), "basic ")) return false;
  std::string_view encoded = trimOws(authorization.substr(6));
  if (encoded.size() > kMaxBasicCredentials * 4 / 3 + 4) return false;
  std::string decoded;
  if (!base64Decode(encoded, decoded)) return false;
  std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  password = decoded.substr(colon + 1);
  return true;
}

std::string_view cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view pair = trimOws(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || trimOws(pair.substr(0, eq)) != name) continue;
    std::string_view value = trimOws(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return {};
}

std::string schemeCookieName(std::string_view name, bool secure) {
  std::string out = secure ? "__Secure-" : "";
  out += name;
  return out;
}

bool sameSecret(std::string_view given, std::string_view expected) {
  // Every byte of the longer one is looked at, whatever matches: the time
  // tells an attacker the lengths at most.
  const std::size_t n = given.size() > expected.size() ? given.size() : expected.size();
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    unsigned char b = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    diff |= a ^ b;
  }
  // Through a volatile, so the compiler cannot stop at the first difference.
  volatile unsigned result = diff;
  return result == 0;
}

}  // namespace ferry
