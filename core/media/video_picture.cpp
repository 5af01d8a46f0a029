// Videos through libavformat/libavcodec/libswscale: the keyframe at or
// before a third of the duration (past a black opening title, and a seek
// lands on keyframes only), scaled to the picture's size with the display
// aspect and rotation the container states, then encoded by libvips.
//
// The file is read through the open descriptor with pread (no path is
// opened again); only the MP4/QuickTime and Matroska/WebM demuxers and the
// usual camera and web codecs are allowed, and an interrupt callback ends
// any read past the deadline.

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include "decoders.h"

namespace ferry::media {
namespace {

using Clock = std::chrono::steady_clock;

// Packets read at most while looking for one decodable frame.
constexpr int kMaxPackets = 1500;
constexpr int kIoBuffer = 64 * 1024;

struct Input {
  int fd;
  std::int64_t size;
  std::int64_t pos = 0;
  Clock::time_point deadline;
};

int readPacket(void* opaque, std::uint8_t* buf, int n) {
  auto* in = static_cast<Input*>(opaque);
  if (in->pos >= in->size) return AVERROR_EOF;
  const ssize_t got = ::pread(in->fd, buf, static_cast<std::size_t>(n), in->pos);
  if (got < 0) return AVERROR(errno);
  if (got == 0) return AVERROR_EOF;
  in->pos += got;
  return static_cast<int>(got);
}

std::int64_t seekTo(void* opaque, std::int64_t offset, int whence) {
  auto* in = static_cast<Input*>(opaque);
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return in->size;
  std::int64_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? in->pos + offset : in->size + offset;
  if (to < 0) return AVERROR(EINVAL);
  in->pos = to;
  return to;
}

int pastDeadline(void* opaque) { return Clock::now() > static_cast<Input*>(opaque)->deadline ? 1 : 0; }

// Clockwise degrees to turn the decoded frame upright (phones record
// portrait video as landscape frames plus a display matrix).
int rotationOf(const AVStream* st) {
  const auto* matrix = reinterpret_cast<const std::int32_t*>(
      av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr));
  if (!matrix) return 0;
  const double ccw = av_display_rotation_get(matrix);
  if (std::isnan(ccw)) return 0;
  int cw = static_cast<int>(std::lround(-ccw)) % 360;
  if (cw < 0) cw += 360;
  return (cw + 45) / 90 * 90 % 360;
}

struct Demuxer {
  AVIOContext* io = nullptr;
  AVFormatContext* fmt = nullptr;
  AVCodecContext* codec = nullptr;
  AVPacket* packet = nullptr;
  AVFrame* frame = nullptr;
  SwsContext* sws = nullptr;
  ~Demuxer() {
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&codec);
    avformat_close_input(&fmt);
    if (io) av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

bool fail(std::string& why, const char* sentence) {
  why = sentence;
  return false;
}

}  // namespace

std::string avVersion() {
  char v[64];
  const unsigned c = avcodec_version();
  std::snprintf(v, sizeof v, "libavcodec %u.%u", c >> 16, (c >> 8) & 0xff);
  return v;
}

namespace {

// Opens the container of the file `in` reads, with only the allowed
// demuxers and codecs, under its deadline.
bool openInput(Demuxer& d, Input& in, std::string& why) {
  av_log_set_level(AV_LOG_QUIET);  // a damaged file is reported by our false
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
  if (!buffer) return fail(why, "out of memory");
  d.io = avio_alloc_context(buffer, kIoBuffer, 0, &in, readPacket, nullptr, seekTo);
  if (!d.io) {
    av_free(buffer);
    return fail(why, "out of memory");
  }
  d.fmt = avformat_alloc_context();
  if (!d.fmt) return fail(why, "out of memory");
  d.fmt->pb = d.io;
  d.fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  d.fmt->interrupt_callback = {pastDeadline, &in};
  d.fmt->format_whitelist = av_strdup("mov,mp4,m4a,3gp,3g2,mj2,matroska,webm");
  d.fmt->codec_whitelist = av_strdup("h264,hevc,vp8,vp9,av1,mpeg4,mjpeg,prores");
  if (avformat_open_input(&d.fmt, nullptr, nullptr, nullptr) < 0) {
    d.fmt = nullptr;  // freed by the failed open
    return fail(why, "it is not a video Ferry can read");
  }
  return true;
}

// "2024-07-14T10:31:02.000000Z" (what cameras, phones and ffmpeg write), UTC.
bool parseCreationTime(const char* text, std::int64_t& taken) {
  std::tm tm{};
  if (!text || std::sscanf(text, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                           &tm.tm_min, &tm.tm_sec) != 6)
    return false;
  // 1904 or 1970: a QuickTime or MP4 "zero", a camera that did not know.
  if (tm.tm_year <= 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31) return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
#ifdef _WIN32
  const std::time_t t = _mkgmtime(&tm);
#else
  const std::time_t t = timegm(&tm);
#endif
  if (t == static_cast<std::time_t>(-1)) return false;
  taken = static_cast<std::int64_t>(t);
  return true;
}

}  // namespace

bool videoTaken(int fd, std::int64_t& taken) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size == 0) return false;
  // The header only: a few seconds are plenty.
  Input in{fd, static_cast<std::int64_t>(st.st_size), 0, Clock::now() + std::chrono::seconds(5)};
  Demuxer d;
  std::string why;
  if (!openInput(d, in, why)) return false;
  // The container's, else its first stream's that has one.
  if (const AVDictionaryEntry* e = av_dict_get(d.fmt->metadata, "creation_time", nullptr, 0))
    return parseCreationTime(e->value, taken);
  for (unsigned i = 0; i < d.fmt->nb_streams; ++i)
    if (const AVDictionaryEntry* e = av_dict_get(d.fmt->streams[i]->metadata, "creation_time", nullptr, 0))
      return parseCreationTime(e->value, taken);
  return false;
}

bool videoPicture(int fd, int side, const PictureLimits& limits, Picture& out, std::string& why) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(why, "it could not be read");
  if (st.st_size == 0) return fail(why, "it is empty");
  Input in{fd, static_cast<std::int64_t>(st.st_size), 0, Clock::now() + limits.timeLimit};
  Demuxer d;
  if (!openInput(d, in, why)) return false;
  if (avformat_find_stream_info(d.fmt, nullptr) < 0) return fail(why, "it could not be decoded");
  const AVCodec* decoder = nullptr;
  const int index = av_find_best_stream(d.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (index < 0 || !decoder) return fail(why, "it holds no video Ferry can decode");
  AVStream* stream = d.fmt->streams[index];
  const AVCodecParameters* par = stream->codecpar;
  if (par->width <= 0 || par->height <= 0 ||
      static_cast<std::uint64_t>(par->width) * static_cast<std::uint64_t>(par->height) > limits.maxPixels)
    return fail(why, "its frames are too large");
  d.codec = avcodec_alloc_context3(decoder);
  if (!d.codec || avcodec_parameters_to_context(d.codec, par) < 0) return fail(why, "it could not be decoded");
  d.codec->thread_count = 1;  // the pool runs pictures side by side already
  if (avcodec_open2(d.codec, decoder, nullptr) < 0) return fail(why, "it could not be decoded");

  // The keyframe at or before a third of the way in; a file whose length
  // is unknown, or that cannot seek, is decoded from its start.
  if (d.fmt->duration > 0)
    av_seek_frame(d.fmt, -1, d.fmt->start_time == AV_NOPTS_VALUE ? d.fmt->duration / 3
                                                                 : d.fmt->start_time + d.fmt->duration / 3,
                  AVSEEK_FLAG_BACKWARD);
  d.packet = av_packet_alloc();
  d.frame = av_frame_alloc();
  if (!d.packet || !d.frame) return fail(why, "out of memory");
  bool got = false;
  bool flushing = false;
  for (int n = 0; !got && n < kMaxPackets && Clock::now() < in.deadline; ++n) {
    if (!flushing) {
      const int rc = av_read_frame(d.fmt, d.packet);
      if (rc < 0) {
        flushing = true;
        avcodec_send_packet(d.codec, nullptr);
      } else {
        if (d.packet->stream_index == index) avcodec_send_packet(d.codec, d.packet);
        av_packet_unref(d.packet);
      }
    }
    const int rc = avcodec_receive_frame(d.codec, d.frame);
    if (rc == 0) got = true;
    else if (rc == AVERROR_EOF || (flushing && rc != AVERROR(EAGAIN))) break;
  }
  if (!got) return fail(why, Clock::now() >= in.deadline ? "it took too long to decode" : "it could not be decoded");
  const int w = d.frame->width, h = d.frame->height;
  if (w <= 0 || h <= 0 || d.frame->format < 0) return fail(why, "it could not be decoded");

  // The display size: stored size stretched by the sample aspect ratio.
  AVRational sar = d.frame->sample_aspect_ratio.num > 0 ? d.frame->sample_aspect_ratio : stream->sample_aspect_ratio;
  double dw = w, dh = h;
  if (sar.num > 0 && sar.den > 0) dw = w * static_cast<double>(sar.num) / sar.den;
  const double scale = std::min(1.0, side / std::max(dw, dh));
  const int ow = std::max(1, static_cast<int>(std::lround(dw * scale)));
  const int oh = std::max(1, static_cast<int>(std::lround(dh * scale)));
  d.sws = sws_getContext(w, h, static_cast<AVPixelFormat>(d.frame->format), ow, oh, AV_PIX_FMT_RGB24, SWS_BICUBIC,
                         nullptr, nullptr, nullptr);
  if (!d.sws) return fail(why, "its pixel format is not supported");
  std::vector<unsigned char> rgb(static_cast<std::size_t>(ow) * oh * 3);
  std::uint8_t* dst[4] = {rgb.data(), nullptr, nullptr, nullptr};
  int dstStride[4] = {ow * 3, 0, 0, 0};
  if (sws_scale(d.sws, d.frame->data, d.frame->linesize, 0, h, dst, dstStride) != oh)
    return fail(why, "it could not be decoded");
  return encodeRgb(rgb.data(), ow, oh, rotationOf(stream), side > 1000 ? 85 : 78, out, why);
}

}  // namespace ferry::media
