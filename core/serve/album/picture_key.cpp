#include "picture_key.h"

#include <charconv>
#include <cstdio>
#include <zlib.h>

#include "request_target.h"

namespace ferry {
namespace {

// Bumped when the pictures change (size, quality): old entries and ETags
// then name nothing.
constexpr char kVersion = '1';

void putLe32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint32_t getLe32(std::string_view s) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
  return v;
}

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

PictureAsk pictureAskOf(std::string_view query) {
  std::string_view value;
  if (findQueryParam(query, "thumb", value)) return PictureAsk::kThumb;
  if (findQueryParam(query, "view", value)) return PictureAsk::kView;
  return PictureAsk::kNone;
}

namespace {

char letterOf(Rendition r) { return r == Rendition::kThumb ? 't' : r == Rendition::kView ? 'v' : 'd'; }

}  // namespace

PictureKey pictureKeyOf(const FileInfo& f, Rendition r) {
  return {f.device, f.inode, f.size, f.mtimeNs, f.ctimeNs, r};
}

std::string cacheFileName(const PictureKey& k) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof buf, "%llx-%llx-%llx-%llx-%llx.%c", static_cast<unsigned long long>(k.device),
                              static_cast<unsigned long long>(k.inode), static_cast<unsigned long long>(k.size),
                              static_cast<unsigned long long>(k.mtimeNs), static_cast<unsigned long long>(k.ctimeNs),
                              letterOf(k.rendition));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<PictureKey> parseCacheFileName(std::string_view name) {
  PictureKey k;
  std::uint64_t* fields[5] = {&k.device, &k.inode, &k.size, &k.mtimeNs, &k.ctimeNs};
  const char* p = name.data();
  const char* end = name.data() + name.size();
  for (int i = 0; i < 5; ++i) {
    // Lower-case hex, no sign, no leading zeros but "0": exactly what
    // cacheFileName() writes, so one key has one name.
    if (p == end || *p == '-' || *p == '+' || (*p == '0' && p + 1 < end && p[1] != '-' && p[1] != '.')) return std::nullopt;
    for (const char* q = p; q < end && *q != '-' && *q != '.'; ++q)
      if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))) return std::nullopt;
    auto [next, ec] = std::from_chars(p, end, *fields[i], 16);
    if (ec != std::errc() || next == p || next == end) return std::nullopt;
    if (*next != (i < 4 ? '-' : '.')) return std::nullopt;
    p = next + 1;
  }
  if (end - p != 1) return std::nullopt;
  if (*p == 't') k.rendition = Rendition::kThumb;
  else if (*p == 'v') k.rendition = Rendition::kView;
  else if (*p == 'd') k.rendition = Rendition::kTaken;
  else return std::nullopt;
  return k;
}

std::string pictureEtag(const PictureKey& k) {
  // Hashed: the recipient needs a validator, not this machine's inode
  // numbers. 64 bits over a few versions of one file do not collide.
  const std::string name = cacheFileName(k);
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "\"p%c%c-%016llx\"", kVersion, letterOf(k.rendition),
                              static_cast<unsigned long long>(fnv1a(name)));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string bytesEtag(std::string_view bytes) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "\"i%c-%016llx\"", kVersion, static_cast<unsigned long long>(fnv1a(bytes)));
  return std::string(buf, static_cast<std::size_t>(n));
}

bool etagMatches(std::string_view ifNoneMatch, std::string_view etag) {
  // RFC 9110 §13.1.2: weak comparison for If-None-Match.
  while (!ifNoneMatch.empty()) {
    const std::size_t comma = ifNoneMatch.find(',');
    std::string_view one = trimSpaces(ifNoneMatch.substr(0, comma));
    if (one == "*") return true;
    if (one.substr(0, 2) == "W/") one.remove_prefix(2);
    if (!one.empty() && one == etag) return true;
    if (comma == std::string_view::npos) break;
    ifNoneMatch.remove_prefix(comma + 1);
  }
  return false;
}

std::string packCacheEntry(std::string_view jpeg) {
  std::string e;
  e.reserve(jpeg.size() + kCacheTrailer);
  e.append(jpeg);
  e += "FPC1";
  e += static_cast<char>(kVersion);
  e.append(3, '\0');
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(jpeg.data()), static_cast<uInt>(jpeg.size()));
  putLe32(e, static_cast<std::uint32_t>(crc));
  putLe32(e, static_cast<std::uint32_t>(jpeg.size()));
  return e;
}

std::optional<std::string_view> unpackCacheEntry(std::string_view entry) {
  if (entry.size() < kCacheTrailer) return std::nullopt;
  const std::string_view body = entry.substr(0, entry.size() - kCacheTrailer);
  const std::string_view trailer = entry.substr(body.size());
  if (trailer.substr(0, 4) != "FPC1" || trailer[4] != kVersion || trailer[5] || trailer[6] || trailer[7])
    return std::nullopt;
  if (getLe32(trailer.substr(12)) != body.size()) return std::nullopt;
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  if (getLe32(trailer.substr(8)) != static_cast<std::uint32_t>(crc)) return std::nullopt;
  return body;
}

}  // namespace ferry
