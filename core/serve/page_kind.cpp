#include "page_kind.h"

#include "mime_types.h"

namespace ferry {
namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

PageKind pageKindOf(std::string_view fileName) {
  const std::string_view type = mimeTypeForName(fileName);
  if (type == "image/heic" || type == "image/heif" || type == "image/tiff") return PageKind::kPictureByView;
  // SVG is a document that can run script, not a picture to show here.
  if (startsWith(type, "image/")) return startsWith(type, "image/svg") ? PageKind::kOther : PageKind::kPicture;
  if (startsWith(type, "video/")) return PageKind::kClip;
  if (startsWith(type, "audio/")) return PageKind::kSound;
  if (type == "application/pdf" || startsWith(type, "text/plain") || startsWith(type, "text/csv") ||
      startsWith(type, "text/markdown"))
    return PageKind::kDocument;
  return PageKind::kOther;
}

std::string_view pageKindWord(PageKind kind) {
  switch (kind) {
    case PageKind::kPicture:
    case PageKind::kPictureByView:
      return "Photo";
    case PageKind::kClip:
      return "Video";
    case PageKind::kSound:
      return "Audio";
    case PageKind::kDocument:
      return "Document";
    case PageKind::kOther:
      break;
  }
  return "File";
}

std::string_view pageKindAttribute(PageKind kind) {
  switch (kind) {
    case PageKind::kPicture:
      return "image";
    case PageKind::kPictureByView:
      return "view";
    case PageKind::kClip:
      return "video";
    case PageKind::kSound:
      return "audio";
    case PageKind::kDocument:
      return "doc";
    case PageKind::kOther:
      break;
  }
  return "file";
}

}  // namespace ferry
