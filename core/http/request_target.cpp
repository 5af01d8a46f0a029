#include "request_target.h"

namespace ferry {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool percentDecode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexValue(in[i + 1]);
      int lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return false;
      out.push_back(d);
      i += 2;
    } else {
      if (c == '\0') return false;
      out.push_back(c);
    }
  }
  return true;
}

bool looksLikeToken(std::string_view token) {
  if (token.size() < 16 || token.size() > 64) return false;
  for (char c : token)
    if (!isTokenChar(c)) return false;
  return true;
}

RequestTarget parseRequestTarget(std::string_view target) {
  RequestTarget r;
  // origin-form only; absolute-form ("http://...") and "*" are refused.
  if (target.empty() || target.front() != '/') return r;
  std::string_view query;
  if (auto q = target.find_first_of("?#"); q != std::string_view::npos) {
    if (target[q] == '?') query = target.substr(q + 1, target.find('#', q) - q - 1);
    target = target.substr(0, q);
  }
  for (std::size_t i = 0; i < target.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(target[i]);
    if (c < 0x20 || c == 0x7f || c == '\\') return r;
    if (c == '%') {
      int hi = i + 1 < target.size() ? hexValue(target[i + 1]) : -1;
      int lo = i + 2 < target.size() ? hexValue(target[i + 2]) : -1;
      if (hi < 0 || lo < 0) return r;
      int d = hi * 16 + lo;
      // An encoded NUL, slash or backslash has no business in a link: a
      // name holds none, and a path inside a folder is split on raw '/'.
      if (d == 0 || d == '/' || d == '\\') return r;
    }
  }
  std::string_view rest = target.substr(1);
  std::string_view token = rest.substr(0, rest.find('/'));
  r.status = RequestTarget::kNotFound;
  if (!looksLikeToken(token)) return r;
  r.status = RequestTarget::kOk;
  r.token = token;
  r.path = rest.substr(token.size());
  r.query = query;
  return r;
}

bool findQueryParam(std::string_view query, std::string_view key, std::string_view& value) {
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(pair.size() < query.size() ? pair.size() + 1 : query.size());
    std::string_view name = pair.substr(0, pair.find('='));
    if (name == key) {
      value = name.size() < pair.size() ? pair.substr(name.size() + 1) : std::string_view();
      return true;
    }
  }
  return false;
}

std::string_view queryOf(std::string_view target) {
  target = target.substr(0, target.find('#'));
  const auto q = target.find('?');
  return q == std::string_view::npos || q + 1 == target.size() ? std::string_view() : target.substr(q);
}

std::string percentEncodePathSegment(std::string_view name) {
  std::string out;
  out.reserve(name.size() * 3);
  appendPercentEncoded(out, name);
  return out;
}

void appendPercentEncoded(std::string& out, std::string_view name) {
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
}

}  // namespace ferry
