#pragma once

// What the server and a ferry-pictures process say to each other over
// their socket (a stream socketpair; both ends are built from the same
// sources, so the structs are sent as they are):
//
//   server → helper  PictureRequest, with the file's descriptor attached
//                    (SCM_RIGHTS) to its bytes
//   helper → server  PictureReply, then `whyLength` bytes of the reason
//                    there is no picture, then `bytesLength` bytes of JPEG
//
// A helper never opens a path: it decodes only the descriptor it is sent.
// It exits with status 0 only when it ends without having taken a request
// (idle, or the socket closed); a helper whose socket ends before its reply
// and that did not exit 0 died decoding (a signal: a crash, its CPU limit).

#include <cstdint>

namespace ferry::media {

// Changes whenever the structs do, so a helper from another build (an
// upgrade while Ferry runs) refuses the request instead of misreading it.
constexpr std::uint32_t kPictureProtocol = 0x46505232;  // "FPR2"

enum class PictureOp : std::uint8_t { kPicture = 1, kTaken = 2 };

struct PictureRequest {
  std::uint32_t protocol = kPictureProtocol;
  PictureOp op = PictureOp::kPicture;
  std::uint8_t kind = 0;  // MediaKind
  std::uint16_t side = 0;  // the rendition's long side, pixels
  std::uint32_t timeLimitMs = 0;
  std::uint64_t maxPixels = 0;
};

struct PictureReply {
  std::uint8_t ok = 0;
  std::int32_t width = 0;
  std::int32_t height = 0;
  std::int64_t taken = 0;  // PictureOp::kTaken: seconds since the epoch
  std::uint32_t whyLength = 0;
  std::uint32_t bytesLength = 0;
};

// Bounds a reader holds a reply to: anything larger is a broken helper.
constexpr std::uint32_t kMaxWhy = 4096;
constexpr std::uint32_t kMaxPictureBytes = 64u << 20;

// The helper's end of the socket, in the helper.
constexpr int kHelperSocketFd = 3;

}  // namespace ferry::media
