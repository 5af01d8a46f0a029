#include "media_kind.h"

#include "mime_types.h"

namespace ferry {
namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

MediaKind mediaKindOf(std::string_view fileName) {
  const std::string_view type = mimeTypeForName(fileName);
  if (type == "image/heic" || type == "image/heif" || type == "image/tiff") return MediaKind::kPictureByView;
  // SVG is a document that can run script, not a picture to show here.
  if (startsWith(type, "image/")) return startsWith(type, "image/svg") ? MediaKind::kOther : MediaKind::kPicture;
  if (startsWith(type, "video/")) return MediaKind::kClip;
  if (startsWith(type, "audio/")) return MediaKind::kSound;
  if (type == "application/pdf" || startsWith(type, "text/plain") || startsWith(type, "text/csv") ||
      startsWith(type, "text/markdown"))
    return MediaKind::kDocument;
  return MediaKind::kOther;
}

std::string_view mediaKindWord(MediaKind kind) {
  switch (kind) {
    case MediaKind::kPicture:
    case MediaKind::kPictureByView:
      return "Photo";
    case MediaKind::kClip:
      return "Video";
    case MediaKind::kSound:
      return "Audio";
    case MediaKind::kDocument:
      return "Document";
    case MediaKind::kOther:
      break;
  }
  return "File";
}

std::string_view mediaKindAttribute(MediaKind kind) {
  switch (kind) {
    case MediaKind::kPicture:
      return "image";
    case MediaKind::kPictureByView:
      return "view";
    case MediaKind::kClip:
      return "video";
    case MediaKind::kSound:
      return "audio";
    case MediaKind::kDocument:
      return "doc";
    case MediaKind::kOther:
      break;
  }
  return "file";
}

}  // namespace ferry
