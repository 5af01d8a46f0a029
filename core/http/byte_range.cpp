#include "byte_range.h"

#include <limits>

namespace ferry {
namespace {

void skipSpaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// Parses 1*DIGIT; false on no digits or overflow.
bool parseNumber(std::string_view& s, std::uint64_t& out) {
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    unsigned d = static_cast<unsigned>(s[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  out = v;
  return true;
}

bool iequalsPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

RangeResult parseRange(std::string_view value, std::uint64_t size) {
  RangeResult result;
  skipSpaces(value);
  if (!iequalsPrefix(value, "bytes=")) return result;
  value.remove_prefix(6);

  int specs = 0;
  int satisfiable = 0;
  ByteRange first;
  while (true) {
    skipSpaces(value);
    if (value.empty()) break;
    if (value.front() == ',') {  // empty list elements are allowed
      value.remove_prefix(1);
      continue;
    }
    ByteRange r;
    bool ok = false;
    if (value.front() == '-') {  // suffix: last n bytes
      value.remove_prefix(1);
      std::uint64_t n;
      if (!parseNumber(value, n)) return {};
      ++specs;
      if (n > 0 && size > 0) {
        r.first = n >= size ? 0 : size - n;
        r.last = size - 1;
        ok = true;
      }
    } else {
      std::uint64_t a;
      if (!parseNumber(value, a)) return {};
      skipSpaces(value);
      if (value.empty() || value.front() != '-') return {};
      value.remove_prefix(1);
      skipSpaces(value);
      std::uint64_t b = std::numeric_limits<std::uint64_t>::max();
      if (!value.empty() && value.front() >= '0' && value.front() <= '9') {
        if (!parseNumber(value, b)) return {};
        if (b < a) return {};  // invalid spec: the whole header is ignored
      }
      ++specs;
      if (a < size) {
        r.first = a;
        r.last = b >= size ? size - 1 : b;
        ok = true;
      }
    }
    if (ok) {
      if (satisfiable == 0) first = r;
      ++satisfiable;
    }
    skipSpaces(value);
    if (value.empty()) break;
    if (value.front() != ',') return {};
    value.remove_prefix(1);
  }
  if (specs == 0) return {};
  if (satisfiable == 0) return {RangeResult::kUnsatisfiable, {}};
  if (specs == 1) return {RangeResult::kSingle, first};
  return {RangeResult::kMultiple, {}};
}

}  // namespace ferry
