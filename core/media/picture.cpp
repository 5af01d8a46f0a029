#include "picture.h"

#if FERRY_HAVE_VIPS
#include "picture_helpers.h"
#endif

namespace ferry {

// The decoders run in ferry-pictures (picture_helpers.h): this process
// links neither libvips nor libav*, and only asks.

int renditionSide(Rendition r) { return r == Rendition::kThumb ? 400 : 2048; }

bool canPicture(MediaKind kind) {
#if FERRY_HAVE_VIPS
  if (kind == MediaKind::kImage) return media::PictureHelpers::instance().available();
#if FERRY_HAVE_AV
  if (kind == MediaKind::kVideo) return media::PictureHelpers::instance().available();
#endif
#endif
  (void)kind;
  return false;
}

std::string pictureLibraries() {
#ifdef FERRY_PICTURE_LIBRARIES
  if (canPicture(MediaKind::kImage)) return FERRY_PICTURE_LIBRARIES;
#endif
  return {};
}

bool pictureTaken(int fd, MediaKind kind, std::int64_t& taken) {
#if FERRY_HAVE_VIPS
  if (!canPicture(kind)) return false;
  media::PictureRequest request;
  request.op = media::PictureOp::kTaken;
  request.kind = static_cast<std::uint8_t>(kind);
  request.timeLimitMs = 5'000;  // a header read
  media::PictureReply reply;
  std::string bytes, why;
  if (!media::PictureHelpers::instance().ask(request, fd, std::chrono::milliseconds(request.timeLimitMs), reply,
                                             bytes, why) ||
      !reply.ok)
    return false;
  taken = reply.taken;
  return true;
#else
  (void)fd;
  (void)kind;
  (void)taken;
  return false;
#endif
}

bool makePicture(int fd, MediaKind kind, Rendition r, Picture& out, std::string& why, const PictureLimits& limits) {
  out = {};
  if (!canPicture(kind)) {
    why = "this build makes no pictures of such files";
    return false;
  }
#if FERRY_HAVE_VIPS
  media::PictureRequest request;
  request.op = media::PictureOp::kPicture;
  request.kind = static_cast<std::uint8_t>(kind);
  request.side = static_cast<std::uint16_t>(renditionSide(r));
  request.timeLimitMs = static_cast<std::uint32_t>(limits.timeLimit.count());
  request.maxPixels = limits.maxPixels;
  media::PictureReply reply;
  if (!media::PictureHelpers::instance().ask(request, fd, limits.timeLimit, reply, out.bytes, why)) return false;
  if (!reply.ok) {
    out = {};
    return false;
  }
  out.width = reply.width;
  out.height = reply.height;
  return true;
#else
  (void)fd, (void)r, (void)limits;
  why = "this build makes no pictures of such files";
  return false;
#endif
}

}  // namespace ferry
