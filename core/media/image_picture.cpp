// Images through libvips: vips_thumbnail_source on the open descriptor, so
// the bytes decoded are those of the file the share resolved (no path is
// opened again), with shrink-on-load and EXIF orientation applied.

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <string_view>

#include <vips/vips.h>

#include "decoders.h"

namespace ferry::media {
namespace {

using Clock = std::chrono::steady_clock;

// Loaders for the formats media_kind.h names, by libvips' class name.
// Anything else (SVG, PDF, ImageMagick, FITS, matrix files...) is refused
// even when its bytes sit in a file called .jpg.
bool acceptedLoader(const char* name) {
  if (!name) return false;
  static constexpr std::array<std::string_view, 6> kAccepted = {
      "VipsForeignLoadJpegSource", "VipsForeignLoadPngSource",  "VipsForeignLoadWebpSource",
      "VipsForeignLoadNsgifSource", "VipsForeignLoadTiffSource", "VipsForeignLoadHeifSource"};
  for (std::string_view a : kAccepted)
    if (a == name) return true;
  return false;
}

// libvips reports a damaged file through GLib's log too; the caller's
// false already says so.
void quiet(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

// "eval" runs as tiles are computed: past the deadline, the pipeline is
// killed and the save fails.
void onEval(VipsImage* image, VipsProgress*, void* deadline) {
  if (Clock::now() > *static_cast<Clock::time_point*>(deadline)) vips_image_set_kill(image, TRUE);
}

struct Unref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <typename T>
using Ref = std::unique_ptr<T, Unref>;

bool fail(std::string& why, const char* sentence) {
  why = sentence;
  vips_error_clear();
  return false;
}

// The JPEG of `img`, under a deadline.
bool save(VipsImage* img, int quality, Clock::time_point deadline, Picture& out, std::string& why) {
  vips_image_set_progress(img, TRUE);
  g_signal_connect(img, "eval", G_CALLBACK(onEval), &deadline);
  void* buf = nullptr;
  std::size_t len = 0;
  const int rc = vips_jpegsave_buffer(img, &buf, &len, "Q", quality, "strip", TRUE, "optimize_coding", TRUE,
                                      nullptr);
  g_signal_handlers_disconnect_by_data(img, &deadline);
  if (rc != 0 || !buf) {
    g_free(buf);
    return fail(why, Clock::now() > deadline ? "it took too long to decode" : "it could not be decoded");
  }
  out.bytes.assign(static_cast<const char*>(buf), len);
  out.width = vips_image_get_width(img);
  out.height = vips_image_get_height(img);
  g_free(buf);
  return true;
}

// Transparent parts on white, as a page shows them (JPEG has no alpha).
VipsImage* flattened(VipsImage* img) {
  if (!vips_image_hasalpha(img)) return nullptr;
  VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
  VipsImage* flat = nullptr;
  if (vips_flatten(img, &flat, "background", white, nullptr) != 0) flat = nullptr;
  vips_area_unref(VIPS_AREA(white));
  return flat;
}

}  // namespace

bool startVips() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    if (VIPS_INIT("ferry") != 0) return;
    vips_block_untrusted_set(TRUE);
    // Every file is decoded once: the operation cache would only hold
    // descriptors and pixels.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    // One worker per picture: the work pool already runs a few at once.
    vips_concurrency_set(1);
    g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE), quiet, nullptr);
    ok = true;
  });
  return ok;
}

std::string vipsVersion() { return vips_version_string(); }

bool imagePicture(int fd, int side, const PictureLimits& limits, Picture& out, std::string& why) {
  const Clock::time_point deadline = Clock::now() + limits.timeLimit;
  // The source dups the descriptor and rewinds it before each use.
  Ref<VipsSource> source(vips_source_new_from_descriptor(fd));
  if (!source) return fail(why, "it could not be read");
  if (!acceptedLoader(vips_foreign_find_load_source(source.get())))
    return fail(why, "it is not an image in a format Ferry decodes");
  {
    // The header alone says how large the decoded image would be.
    Ref<VipsImage> probe(vips_image_new_from_source(source.get(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
    if (!probe) return fail(why, "it could not be decoded");
    const auto pixels = static_cast<std::uint64_t>(vips_image_get_width(probe.get())) *
                        static_cast<std::uint64_t>(vips_image_get_height(probe.get()));
    if (pixels > limits.maxPixels) return fail(why, "it has too many pixels");
  }
  VipsImage* raw = nullptr;
  // Truncated or damaged files fail rather than show grey halves; mere
  // warnings (extra bytes some cameras write) are let through.
  if (vips_thumbnail_source(source.get(), &raw, side, "height", side, "size", VIPS_SIZE_DOWN, "fail_on",
                            VIPS_FAIL_ON_ERROR, nullptr) != 0)
    return fail(why, "it could not be decoded");
  Ref<VipsImage> thumb(raw);
  Ref<VipsImage> flat(flattened(thumb.get()));
  VipsImage* img = flat ? flat.get() : thumb.get();
  return save(img, side > 1000 ? 85 : 78, deadline, out, why);
}

bool imageTaken(int fd, std::int64_t& taken) {
  Ref<VipsSource> source(vips_source_new_from_descriptor(fd));
  if (!source || !acceptedLoader(vips_foreign_find_load_source(source.get()))) {
    vips_error_clear();
    return false;
  }
  // A header load: libvips parses the EXIF block into fields, no pixels.
  Ref<VipsImage> probe(vips_image_new_from_source(source.get(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  const char* text = nullptr;
  if (!probe || vips_image_get_typeof(probe.get(), "exif-ifd2-DateTimeOriginal") == 0 ||
      vips_image_get_string(probe.get(), "exif-ifd2-DateTimeOriginal", &text) != 0 || !text) {
    vips_error_clear();
    return false;
  }
  // "2024:07:14 10:31:02 (2024:07:14 10:31:02, ASCII, 20 components, 20 bytes)"
  std::tm tm{};
  if (std::sscanf(text, "%4d:%2d:%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6 ||
      tm.tm_year < 1900 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
    return false;  // "0000:00:00 00:00:00": a camera that did not know
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  const std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return false;
  taken = static_cast<std::int64_t>(t);
  return true;
}

bool encodeRgb(const unsigned char* rgb, int width, int height, int rotate, int quality, Picture& out,
               std::string& why) {
  if (!startVips()) return fail(why, "libvips did not start");
  Ref<VipsImage> img(vips_image_new_from_memory(rgb, static_cast<std::size_t>(width) * height * 3, width, height, 3,
                                                VIPS_FORMAT_UCHAR));
  if (!img) return fail(why, "it could not be encoded");
  Ref<VipsImage> turned;
  if (rotate == 90 || rotate == 180 || rotate == 270) {
    VipsImage* t = nullptr;
    const VipsAngle angle = rotate == 90 ? VIPS_ANGLE_D90 : rotate == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
    if (vips_rot(img.get(), &t, angle, nullptr) != 0) return fail(why, "it could not be encoded");
    turned.reset(t);
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  return save(turned ? turned.get() : img.get(), quality, deadline, out, why);
}

}  // namespace ferry::media
