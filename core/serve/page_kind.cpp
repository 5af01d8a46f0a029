#include "page_kind.h"

#include "mime_types.h"

namespace ferry {

PageKind pageKindOf(std::string_view fileName) {
  const std::string_view type = mimeTypeForName(fileName);
  if (type == "image/heic" || type == "image/heif" || type == "image/tiff") return PageKind::kPictureByView;
  // SVG is a document that can run script, not a picture to show here.
  if (type.starts_with("image/")) return type.starts_with("image/svg") ? PageKind::kOther : PageKind::kPicture;
  if (type.starts_with("video/")) return PageKind::kClip;
  if (type.starts_with("audio/")) return PageKind::kSound;
  if (type == "application/pdf" || type.starts_with("text/plain") || type.starts_with("text/csv") ||
      type.starts_with("text/markdown"))
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
