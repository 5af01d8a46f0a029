#include "event_stream.h"

#include "nearby_handler.h"

namespace ferry {

EventStream::EventStream(NearbyHandler& owner, Responder& out, std::uint64_t streamId)
    : owner_(owner), out_(&out), id_(streamId) {}

void EventStream::write(std::string_view frame) {
  if (!out_ || frame.empty()) return;
  // One HTTP/1.1 chunk per frame: its size in hex, the bytes, CRLF.
  static constexpr char kHex[] = "0123456789abcdef";
  char size[16];
  int n = 0;
  for (std::size_t v = frame.size(); v; v >>= 4) size[n++] = kHex[v & 15];
  while (n) pending_ += size[--n];
  pending_ += "\r\n";
  pending_ += frame;
  pending_ += "\r\n";
  Responder* out = out_;
  if (pending_.size() > kMaxPending) return out->abort("the page stopped reading its events", false);
  if (!waiting_) return;
  waiting_ = false;
  out->resume();  // may end (and delete) this stream: nothing after it
}

void EventStream::end(std::string_view reason) {
  if (Responder* out = out_) out->abort(reason, false);
}

BodySource::Next EventStream::next(BodyPiece& piece) {
  if (sentOf_ == inFlight_.size()) {
    if (pending_.empty()) {
      waiting_ = true;
      return Next::kWait;
    }
    inFlight_.swap(pending_);
    pending_.clear();
    sentOf_ = 0;
    // A burst's buffer is not kept for the quiet hours after it.
    if (pending_.capacity() > 64 * 1024) std::string().swap(pending_);
  }
  piece.bytes = std::string_view(inFlight_).substr(sentOf_);
  return Next::kPiece;
}

void EventStream::sent(std::uint64_t n) { sentOf_ += static_cast<std::size_t>(n); }

void EventStream::ended(BodyEnd, std::string_view) {
  out_ = nullptr;
  owner_.closed(id_);
}

}  // namespace ferry
