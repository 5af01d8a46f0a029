#pragma once

// What a page can do with a file, by its Content-Type: show it as a
// picture (directly, or through its "?view" rendition when browsers cannot
// decode the original: HEIC, TIFF), play it as a clip or as sound, open it
// in the browser (PDF, plain text), or only download it.
//
// Any thread (pure).

#include <string_view>

namespace ferry {

enum class PageKind { kPicture, kPictureByView, kClip, kSound, kDocument, kOther };

PageKind pageKindOf(std::string_view fileName);

// The word a page shows for it: "picture", "video"...; the attribute value
// the listing's script reads ("image", "view", "video", "audio", "doc", "file").
std::string_view pageKindWord(PageKind kind);
std::string_view pageKindAttribute(PageKind kind);

// Pictures and clips: what makes a folder an album.
inline bool hasThumbnailWorthShowing(PageKind k) {
  return k == PageKind::kPicture || k == PageKind::kPictureByView || k == PageKind::kClip;
}

}  // namespace ferry
