#include "mime_types.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ferry {
namespace {

struct Entry {
  std::string_view ext;
  std::string_view type;
};

// Sorted by extension for binary search. Text types carry a charset so
// browsers that display them do not guess.
constexpr std::array kTable{
    Entry{"7z", "application/x-7z-compressed"},
    Entry{"aac", "audio/aac"},
    Entry{"apk", "application/vnd.android.package-archive"},
    Entry{"avi", "video/x-msvideo"},
    Entry{"avif", "image/avif"},
    Entry{"bmp", "image/bmp"},
    Entry{"bz2", "application/x-bzip2"},
    Entry{"c", "text/plain; charset=utf-8"},
    Entry{"cpp", "text/plain; charset=utf-8"},
    Entry{"css", "text/css; charset=utf-8"},
    Entry{"csv", "text/csv; charset=utf-8"},
    Entry{"deb", "application/vnd.debian.binary-package"},
    Entry{"dmg", "application/x-apple-diskimage"},
    Entry{"doc", "application/msword"},
    Entry{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    Entry{"epub", "application/epub+zip"},
    Entry{"exe", "application/vnd.microsoft.portable-executable"},
    Entry{"flac", "audio/flac"},
    Entry{"gif", "image/gif"},
    Entry{"gz", "application/gzip"},
    Entry{"h", "text/plain; charset=utf-8"},
    Entry{"heic", "image/heic"},
    Entry{"heif", "image/heif"},
    Entry{"htm", "text/html; charset=utf-8"},
    Entry{"html", "text/html; charset=utf-8"},
    Entry{"ico", "image/vnd.microsoft.icon"},
    Entry{"iso", "application/x-iso9660-image"},
    Entry{"jpeg", "image/jpeg"},
    Entry{"jpg", "image/jpeg"},
    Entry{"js", "text/javascript; charset=utf-8"},
    Entry{"json", "application/json"},
    Entry{"m4a", "audio/mp4"},
    Entry{"m4v", "video/mp4"},
    Entry{"md", "text/markdown; charset=utf-8"},
    Entry{"mkv", "video/x-matroska"},
    Entry{"mov", "video/quicktime"},
    Entry{"mp3", "audio/mpeg"},
    Entry{"mp4", "video/mp4"},
    Entry{"odp", "application/vnd.oasis.opendocument.presentation"},
    Entry{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    Entry{"odt", "application/vnd.oasis.opendocument.text"},
    Entry{"ogg", "audio/ogg"},
    Entry{"opus", "audio/opus"},
    Entry{"pdf", "application/pdf"},
    Entry{"png", "image/png"},
    Entry{"ppt", "application/vnd.ms-powerpoint"},
    Entry{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    Entry{"rar", "application/vnd.rar"},
    Entry{"rtf", "application/rtf"},
    Entry{"svg", "image/svg+xml"},
    Entry{"tar", "application/x-tar"},
    Entry{"tgz", "application/gzip"},
    Entry{"tif", "image/tiff"},
    Entry{"tiff", "image/tiff"},
    Entry{"txt", "text/plain; charset=utf-8"},
    Entry{"wav", "audio/wav"},
    Entry{"webm", "video/webm"},
    Entry{"webp", "image/webp"},
    Entry{"xls", "application/vnd.ms-excel"},
    Entry{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    Entry{"xml", "application/xml"},
    Entry{"xz", "application/x-xz"},
    Entry{"zip", "application/zip"},
    Entry{"zst", "application/zstd"},
};

static_assert(std::is_sorted(kTable.begin(), kTable.end(),
                             [](const Entry& a, const Entry& b) { return a.ext < b.ext; }));

}  // namespace

std::string_view mimeTypeForName(std::string_view name) {
  constexpr std::string_view kDefault = "application/octet-stream";
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || name.size() - dot - 1 > 8) return kDefault;
  char lower[9] = {};
  std::size_t n = name.size() - dot - 1;
  for (std::size_t i = 0; i < n; ++i)
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[dot + 1 + i])));
  std::string_view ext(lower, n);
  auto it = std::lower_bound(kTable.begin(), kTable.end(), ext,
                             [](const Entry& e, std::string_view x) { return e.ext < x; });
  if (it != kTable.end() && it->ext == ext) return it->type;
  return kDefault;
}

}  // namespace ferry
