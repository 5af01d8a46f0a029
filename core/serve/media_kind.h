#pragma once

// What a page can do with a file, by its Content-Type: show it as a
// picture (directly, or through its "?view" rendition when browsers cannot
// decode the original: HEIC, TIFF), play it as a clip or as sound, open it
// in the browser (PDF, plain text), or only download it.
//
// Any thread (pure).

#include <string_view>

namespace ferry {

enum class MediaKind { kPicture, kPictureByView, kClip, kSound, kDocument, kOther };

MediaKind mediaKindOf(std::string_view fileName);

// The word a page shows for it: "picture", "video"...; the attribute value
// the listing's script reads ("image", "view", "video", "audio", "doc", "file").
std::string_view mediaKindWord(MediaKind kind);
std::string_view mediaKindAttribute(MediaKind kind);

// Pictures and clips: what makes a folder an album.
inline bool hasThumbnailWorthShowing(MediaKind k) {
  return k == MediaKind::kPicture || k == MediaKind::kPictureByView || k == MediaKind::kClip;
}

}  // namespace ferry
