#pragma once

// BodySource: where a response body comes from. The HttpConnection pulls it
// one piece at a time, and asks for the next piece only once the socket has
// taken the last, so a connection holds at most one piece whatever the size
// of the body (nginx's buffer chains, pulled rather than pushed).
//
// A piece is a region of an open file (sent with sendfile() or pread()
// chunks; the source keeps the descriptor open) or bytes the source made (a
// generated header, a page, a block read from a slow disk), which the source
// keeps unchanged until the piece has gone. A source that has nothing yet
// answers kWait and calls Responder::resume() when it has.
//
// Owned by the HttpConnection from the moment a handler returns it until the
// response ends; then release() gives it back to whoever made it. Loop thread
// only.

#include <cstdint>
#include <memory>
#include <string_view>

namespace ferry {

struct BodyPiece {
  std::string_view bytes;  // made by the source, or:
  int fd = -1;             // a region of this file
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // of the region (bytes: bytes.size())
};

// How a response ended, for the source's bookkeeping.
enum class BodyEnd { kComplete, kCancelled, kFailed };

class BodySource {
 public:
  enum class Next { kPiece, kWait, kEnd };

  // What comes next. The connection may send less than the whole piece (a
  // rate limit); sent() says how much went, and next() is then asked again
  // for the rest.
  virtual Next next(BodyPiece& piece) = 0;
  // `n` more bytes of the current piece have left for the client.
  virtual void sent(std::uint64_t n) = 0;
  // The file region of the last piece stopped early: its next bytes are
  // not in the page cache, and the loop does not wait for a disk. Read them
  // another way (the work pool) before offering a region again.
  virtual void regionNotCached() = 0;
  // The response is over, whole or cut short (`reason` says why). The source
  // must not use its Responder from here on.
  virtual void ended(BodyEnd how, std::string_view reason) = 0;
  // Back to its maker: deleted, recycled, or kept until a job of its own in
  // the work pool has returned.
  virtual void release() = 0;
  // A live stream (Server-Sent Events) that has no end of its own: the
  // client's hang-up ends it at once (a download's half-close does not),
  // and a peer that stops acknowledging its bytes is given up on within
  // kLivePeerTimeoutMs. It waits (kWait) for as long as it likes without
  // counting as a stalled write.
  virtual bool live() const { return false; }
  static constexpr int kLivePeerTimeoutMs = 25'000;

 protected:
  ~BodySource() = default;
};

struct BodyRelease {
  void operator()(BodySource* b) const { b->release(); }
};
using BodyPtr = std::unique_ptr<BodySource, BodyRelease>;

}  // namespace ferry
