#pragma once

// makePicture(): a small upright picture of an image or a video file —
// a thumbnail (400 px on the long side) or a rendition a browser can show
// (a JPEG of at most 2048 px, for HEIC and TIFF) — as JPEG bytes.
//
// Images go through libvips' vips_thumbnail (shrink-on-load: JPEG DCT
// scaling, HEIF's embedded or scaled decode; EXIF orientation applied;
// aspect kept, nothing cropped); videos through libavformat/libavcodec (the
// keyframe before a third of the duration), then the same encoder. Both are
// optional at build time: picturesBuiltIn() says which this build has.
//
// Files are hostile input, so they are decoded in ferry-pictures, a helper
// process (picture_helpers.h) that is handed the open descriptor: this
// process never loads libvips or libav*. There, libvips' loaders not fit
// for untrusted files are blocked, and only the loaders and demuxers of the
// formats listed in media_kind.h are accepted whatever the bytes claim; a
// pixel limit and a time limit bound each file; libvips' operation cache is
// off and its threads per picture are bounded. A decoder that crashes ends
// its helper, one that hangs is killed at the time limit: the file returns
// false with a reason ("it could not be decoded", "it took too long to
// decode"), never a crash of the server or a stuck job.
//
// Blocks (CPU and disk): call it from the work pool's media lane or a
// background thread. Thread-safe; each concurrent caller has a helper of
// its own.

#include <chrono>
#include <cstdint>
#include <string>

#include "media_kind.h"

namespace ferry {

// kTaken is no picture: when the file was taken, kept beside its pictures
// under the same key (PictureCache::putTaken).
enum class Rendition : unsigned char { kThumb, kView, kTaken };

struct PictureLimits {
  std::uint64_t maxPixels = 200'000'000;  // of the decoded original
  std::chrono::milliseconds timeLimit{15'000};
};

struct Picture {
  std::string bytes;  // a JPEG
  int width = 0;
  int height = 0;
};

// The long side of a rendition, in pixels.
int renditionSide(Rendition r);

// Whether this build makes pictures of this kind of file (images need
// libvips; videos libvips and libav*) and its helper is installed.
bool canPicture(MediaKind kind);
// "libvips 8.14, libavcodec 59.37" or "" when the build has no decoders.
std::string pictureLibraries();

// The picture of the file open read-only at `fd` (its offset is left
// alone). False with `why` (a sentence's end: "it could not be decoded")
// when there is none.
bool makePicture(int fd, MediaKind kind, Rendition r, Picture& out, std::string& why, const PictureLimits& limits = {});

// When an image says it was taken (EXIF DateTimeOriginal), in seconds since
// the epoch, its wall-clock time read in this computer's zone (EXIF gives no
// zone), or a video (its container's creation_time, which is UTC); false
// when it does not say or this build reads no such files. Reads the header
// only, never the pixels.
bool pictureTaken(int fd, MediaKind kind, std::int64_t& taken);

}  // namespace ferry
