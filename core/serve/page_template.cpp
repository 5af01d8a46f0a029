#include "page_template.h"

#include <algorithm>

namespace ferry {

PageTemplate::PageTemplate(std::string_view text) {
  while (!text.empty()) {
    std::size_t open = text.find("{{");
    std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      parts_.push_back({text, false});
      break;
    }
    if (open > 0) parts_.push_back({text.substr(0, open), false});
    parts_.push_back({text.substr(open + 2, close - open - 2), true});
    text.remove_prefix(close + 2);
  }
}

std::vector<std::string_view> PageTemplate::holes() const {
  std::vector<std::string_view> names;
  for (const Part& p : parts_)
    if (p.hole && std::find(names.begin(), names.end(), p.text) == names.end()) names.push_back(p.text);
  return names;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 (overlongs, surrogates
// and code points past U+10FFFF are invalid, as in RFC 3629).
std::size_t utf8Length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;
    if (c == 0xED && b(1) > 0x9F) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

void htmlEscape(std::string_view s, std::string& out) {
  out.reserve(out.size() + s.size());
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&#39;"; ++i; continue;
      default: break;
    }
    std::size_t n = utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (n == 1 && static_cast<unsigned char>(c) < 0x20) {
      out += "\xEF\xBF\xBD";  // control characters are never shown as such
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

}  // namespace ferry
