#pragma once

// EventStream: one page's Server-Sent Events stream (text/event-stream, in
// HTTP/1.1 chunks). The response body of `GET <receive link>?events`: it
// never ends on its own; the handler writes events and heartbeats into it,
// and it hands them to the connection as the socket takes them. What the
// socket has not taken yet stays here, up to kMaxPending bytes: a page that
// stops reading beyond that is cut off (it reconnects and catches up from
// its device's queue).
//
// Owned by its HttpConnection (a BodySource); tells the NearbyHandler it is
// gone from ended(). Loop thread only.

#include <cstdint>
#include <string>
#include <string_view>

#include "body_source.h"
#include "responder.h"

namespace ferry {

class NearbyHandler;

class EventStream final : public BodySource {
 public:
  static constexpr std::size_t kMaxPending = 2 << 20;

  EventStream(NearbyHandler& owner, Responder& out, std::uint64_t streamId);

  // Appends one event (or a comment) as it goes on the wire, "…\n\n" ended.
  // May end the stream at once (the page stopped reading, the socket
  // failed): the stream may be gone when this returns, so nothing may use it
  // afterwards; the handler finds it by id again.
  void write(std::string_view frame);
  // Ends the stream and its connection now (the same caution applies).
  void end(std::string_view reason);

  Next next(BodyPiece& piece) override;
  void sent(std::uint64_t n) override;
  void regionNotCached() override {}
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override { delete this; }
  bool live() const override { return true; }

 private:
  NearbyHandler& owner_;
  Responder* out_;  // null once ended
  std::uint64_t id_;
  std::string pending_;   // chunks not yet handed out
  std::string inFlight_;  // the piece the connection is sending
  std::size_t sentOf_ = 0;
  bool waiting_ = false;  // next() answered kWait: resume() when there is more
};

}  // namespace ferry
