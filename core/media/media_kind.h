#pragma once

// Layer media/: pictures of shared files — thumbnails, renditions a browser
// can show, and the icon of a file that has no picture. Uses os/ only; the
// decoders (libvips, FFmpeg's libav*) are optional at build time.
//
// MediaKind: what a file is, as far as pictures go, told by its name's
// extension (as the MIME types of downloads are): the same answer on every
// platform, and no byte of a file is read to decide whether to decode it.
//
// Pure functions; any thread.

#include <string_view>

namespace ferry {

enum class MediaKind : unsigned char {
  kImage,     // decoded by libvips: JPEG, PNG, WebP, GIF, TIFF, HEIC/HEIF, AVIF
  kVideo,     // one frame through libavformat/libavcodec: MP4, MOV, M4V, WebM, MKV
  kAudio,
  kPdf,
  kText,
  kArchive,
  kDocument,  // office files
  kOther,
};

MediaKind mediaKindOf(std::string_view fileName);

// An image browsers do not show by themselves (HEIC/HEIF, TIFF): its
// `?view` is a JPEG rendition; other images are shown as they are.
bool needsViewRendition(std::string_view fileName);

// The extension for an icon's label ("jpg", "MP4", as written): letters and
// digits only, at most four; "" when there is none.
std::string_view extensionOf(std::string_view fileName);

}  // namespace ferry
