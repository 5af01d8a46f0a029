#include "media_kind.h"

#include <array>
#include <cctype>

namespace ferry {
namespace {

bool equalsLower(std::string_view ext, std::string_view lower) {
  if (ext.size() != lower.size()) return false;
  for (std::size_t i = 0; i < ext.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(ext[i])) != lower[i]) return false;
  return true;
}

template <std::size_t N>
bool oneOf(std::string_view ext, const std::array<std::string_view, N>& list) {
  for (std::string_view e : list)
    if (equalsLower(ext, e)) return true;
  return false;
}

// The part after the last '.', when the name has one that is not its first
// character (".bashrc" has no extension).
std::string_view rawExtension(std::string_view name) {
  const std::size_t slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

constexpr std::array<std::string_view, 13> kImages = {"jpg", "jpeg", "jpe", "jfif", "png",  "webp", "gif",
                                                      "tif", "tiff", "heic", "heif", "hif", "avif"};
constexpr std::array<std::string_view, 5> kVideos = {"mp4", "mov", "m4v", "webm", "mkv"};
constexpr std::array<std::string_view, 9> kAudio = {"mp3", "m4a", "aac", "flac", "wav", "ogg", "oga", "opus", "wma"};
constexpr std::array<std::string_view, 9> kText = {"txt", "md", "csv", "log", "json", "xml", "srt", "vtt", "ini"};
constexpr std::array<std::string_view, 10> kArchives = {"zip", "7z", "rar", "tar", "gz", "tgz", "xz", "bz2", "zst",
                                                        "iso"};
constexpr std::array<std::string_view, 10> kDocuments = {"doc", "docx", "odt", "rtf", "xls", "xlsx",
                                                         "ods", "ppt",  "pptx", "odp"};
constexpr std::array<std::string_view, 5> kNotInBrowsers = {"heic", "heif", "hif", "tif", "tiff"};

}  // namespace

MediaKind mediaKindOf(std::string_view fileName) {
  const std::string_view ext = rawExtension(fileName);
  if (ext.empty()) return MediaKind::kOther;
  if (oneOf(ext, kImages)) return MediaKind::kImage;
  if (oneOf(ext, kVideos)) return MediaKind::kVideo;
  if (oneOf(ext, kAudio)) return MediaKind::kAudio;
  if (equalsLower(ext, "pdf")) return MediaKind::kPdf;
  if (oneOf(ext, kText)) return MediaKind::kText;
  if (oneOf(ext, kArchives)) return MediaKind::kArchive;
  if (oneOf(ext, kDocuments)) return MediaKind::kDocument;
  return MediaKind::kOther;
}

bool needsViewRendition(std::string_view fileName) { return oneOf(rawExtension(fileName), kNotInBrowsers); }

std::string_view extensionOf(std::string_view fileName) {
  const std::string_view ext = rawExtension(fileName);
  if (ext.empty() || ext.size() > 4) return {};
  for (char c : ext)
    if (!std::isalnum(static_cast<unsigned char>(c))) return {};
  return ext;
}

}  // namespace ferry
