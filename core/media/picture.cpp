#include "picture.h"

#include "decoders.h"

namespace ferry {

int renditionSide(Rendition r) { return r == Rendition::kThumb ? 400 : 2048; }

bool canPicture(MediaKind kind) {
#if FERRY_HAVE_VIPS
  if (kind == MediaKind::kImage) return media::startVips();
#if FERRY_HAVE_AV
  if (kind == MediaKind::kVideo) return media::startVips();
#endif
#endif
  (void)kind;
  return false;
}

std::string pictureLibraries() {
  std::string s;
#if FERRY_HAVE_VIPS
  s = "libvips " + media::vipsVersion();
#if FERRY_HAVE_AV
  s += ", " + media::avVersion();
#endif
#endif
  return s;
}

bool pictureTaken(int fd, MediaKind kind, std::int64_t& taken) {
#if FERRY_HAVE_VIPS
  if (kind == MediaKind::kImage && canPicture(kind)) return media::imageTaken(fd, taken);
#endif
#if FERRY_HAVE_AV
  if (kind == MediaKind::kVideo) return media::videoTaken(fd, taken);
#endif
  (void)fd;
  (void)kind;
  (void)taken;
  return false;
}

bool makePicture(int fd, MediaKind kind, Rendition r, Picture& out, std::string& why, const PictureLimits& limits) {
  out = {};
  if (!canPicture(kind)) {
    why = "this build makes no pictures of such files";
    return false;
  }
#if FERRY_HAVE_VIPS
  const int side = renditionSide(r);
  if (kind == MediaKind::kImage) return media::imagePicture(fd, side, limits, out, why);
#if FERRY_HAVE_AV
  if (kind == MediaKind::kVideo) return media::videoPicture(fd, side, limits, out, why);
#endif
#endif
  (void)fd, (void)r, (void)limits;
  why = "this build makes no pictures of such files";
  return false;
}

}  // namespace ferry
