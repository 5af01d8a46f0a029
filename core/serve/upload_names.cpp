#include "upload_names.h"

#include <array>
#include <cstdint>

namespace ferry {
namespace {

constexpr std::string_view kPartSuffix = ".ferry-part";
constexpr std::string_view kRecordSuffix = ".resume";
constexpr std::size_t kMaxName = 255;  // bytes: NAME_MAX on Linux and macOS

bool validUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, surrogates and beyond U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

// C1 controls (U+0080-U+009F: U+009B is a terminal's CSI) and the
// characters that reorder text on screen (bidi embeddings, overrides and
// isolates: "invoice\u202Efdp.exe" shows as "invoiceexe.pdf").
bool deceptiveCharacter(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  if (at(i) == 0xc2 && i + 1 < s.size() && at(i + 1) >= 0x80 && at(i + 1) <= 0x9f) return true;
  if (at(i) == 0xe2 && i + 2 < s.size()) {
    const unsigned b1 = at(i + 1), b2 = at(i + 2);
    if (b1 == 0x80 && (b2 == 0x8e || b2 == 0x8f || (b2 >= 0xaa && b2 <= 0xae))) return true;  // U+200E/F, U+202A-E
    if (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return true;  // U+2066-U+2069
  }
  return false;
}

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0-9, LPT0-9 (and the superscript digits Windows
// also reserves), with or without an extension: Windows opens the device.
bool windowsReserved(std::string_view name) {
  std::string_view stem = name.substr(0, name.find('.'));
  while (!stem.empty() && stem.back() == ' ') stem.remove_suffix(1);
  std::string u;
  for (char c : stem) u.push_back(upper(c));
  static constexpr std::array<std::string_view, 6> kPlain = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
  for (auto r : kPlain)
    if (u == r) return true;
  if (u.size() >= 4 && (u.compare(0, 3, "COM") == 0 || u.compare(0, 3, "LPT") == 0)) {
    std::string_view digit = std::string_view(u).substr(3);
    if (digit.size() == 1 && digit[0] >= '0' && digit[0] <= '9') return true;
    if (digit == "\xc2\xb9" || digit == "\xc2\xb2" || digit == "\xc2\xb3") return true;
  }
  return false;
}

}  // namespace

std::string whyBadUploadName(std::string_view name) {
  if (name.empty()) return "The file has no name.";
  if (name == "." || name == "..") return "A file cannot be called \".\" or \"..\".";
  if (name.size() > kMaxName) return "The file name is longer than 255 bytes.";
  if (!validUtf8(name)) return "The file name is not valid UTF-8.";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\') return "The file name may not contain a slash or a backslash.";
    if (u < 0x20 || u == 0x7f) return "The file name may not contain control characters.";
    if (c == ':') return "The file name may not contain a colon (or name a drive).";
#ifdef _WIN32
    // Windows cannot hold these; elsewhere they are ordinary characters.
    if (c == '<' || c == '>' || c == '"' || c == '|' || c == '?' || c == '*')
      return "The file name may not contain any of < > \" | ? *.";
#endif
  }
  for (std::size_t i = 0; i < name.size(); ++i)
    if (deceptiveCharacter(name, i))
      return "The file name may not contain invisible control or text-direction characters.";
  if (name.back() == '.' || name.back() == ' ') return "The file name may not end with a dot or a space.";
  if (windowsReserved(name)) return "That name is reserved for a device on Windows (CON, NUL, COM1...).";
  if (isPartFileName(name) || isPartRecordName(name)) return "That name is reserved for files still arriving.";
  return {};
}

std::string numberedName(std::string_view name, unsigned n) {
  if (n == 0) return std::string(name);
  std::size_t dot = name.rfind('.');
  if (dot == 0 || dot == std::string_view::npos) dot = name.size();
  const std::string number = " (" + std::to_string(n) + ")";
  // An extension too long to keep beside the number counts as stem.
  if (name.size() - dot + number.size() >= kMaxName) dot = name.size();
  std::string_view stem = name.substr(0, dot);
  const std::string_view ext = name.substr(dot);
  // A legal name of up to 255 bytes must still get a numbered one: the
  // stem gives way, cut where a character starts, never inside one.
  if (stem.size() + number.size() + ext.size() > kMaxName) {
    std::size_t keep = kMaxName - number.size() - ext.size();
    while (keep > 0 && (static_cast<unsigned char>(stem[keep]) & 0xc0) == 0x80) --keep;
    stem = stem.substr(0, keep);
  }
  std::string out(stem);
  out += number;
  out += ext;
  return out;
}

std::string partFileName(std::string_view name, unsigned n) {
  // Room for the dot, the suffix, "-NNN" and the record's suffix within 255
  // bytes; a cut inside a UTF-8 sequence backs off to its start.
  std::size_t keep = std::min(name.size(), kMaxName - 1 - kPartSuffix.size() - 5 - kRecordSuffix.size());
  while (keep > 0 && keep < name.size() && (static_cast<unsigned char>(name[keep]) & 0xc0) == 0x80) --keep;
  std::string out = ".";
  out += name.substr(0, keep);
  out += kPartSuffix;
  if (n > 0) out += "-" + std::to_string(n);
  return out;
}

bool isPartFileName(std::string_view name) {
  if (name.size() < 1 + kPartSuffix.size() || name.front() != '.') return false;
  std::size_t at = name.rfind(kPartSuffix);
  if (at == std::string_view::npos) return false;
  std::string_view rest = name.substr(at + kPartSuffix.size());
  if (rest.empty()) return true;
  if (rest.front() != '-' || rest.size() < 2) return false;
  for (char c : rest.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

std::string partRecordName(std::string_view partName) {
  std::string out(partName);
  out += kRecordSuffix;
  return out;
}

bool isPartRecordName(std::string_view name) {
  return name.size() > kRecordSuffix.size() && name.ends_with(kRecordSuffix) &&
         isPartFileName(name.substr(0, name.size() - kRecordSuffix.size()));
}

}  // namespace ferry
