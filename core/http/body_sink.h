#pragma once

// BodySink: where a request body goes (an upload to disk). The
// HttpConnection hands it the body as llhttp delivers it, de-chunked, never
// more at once than room() says; while the sink has no room the connection
// stops reading the socket (TCP pushes back on the client), and the sink
// calls Responder::resume() once it has room again. Memory per upload is
// therefore the sink's own buffer, whatever the size of the body.
//
// The sink answers the request through its Responder: after complete()
// (usually once its last write is on disk), or earlier, to refuse the rest
// (a full disk): the connection then stops reading the body and closes
// after the answer.
//
// Owned by the HttpConnection from the moment a handler returns it until the
// response ends; then release() gives it back to whoever made it. Loop
// thread only.

#include <cstddef>
#include <memory>
#include <string_view>

#include "body_source.h"

namespace ferry {

class BodySink {
 public:
  // How many more body bytes take() accepts now; 0: full, reading pauses
  // until the sink calls Responder::resume().
  virtual std::size_t room() const = 0;
  // False while the sink is not yet willing to have the body at all (the
  // user has not answered, the disk is being checked): room() is 0 and no
  // `100 Continue` goes out until it turns true and calls
  // Responder::resume(), or answers instead.
  virtual bool ready() const { return true; }
  // The next bytes of the body (at most room()).
  virtual void take(std::string_view bytes) = 0;
  // Every byte of the body has been taken: answer now or later.
  virtual void complete() = 0;
  // The request is over, answered or cut short (`reason` says why: the
  // client hung up, the body was malformed, the server stopped). The sink
  // must not use its Responder from here on.
  virtual void ended(BodyEnd how, std::string_view reason) = 0;
  // Back to its maker: deleted, or kept until a job of its own in the work
  // pool has returned.
  virtual void release() = 0;
  // True while its answer waits for a person (an offer the user is asked
  // about): a client that hangs up meanwhile ends the request at once
  // (ended(kCancelled)), where one that half-closed after its body would
  // otherwise still be answered.
  virtual bool heldOpen() const { return false; }

 protected:
  ~BodySink() = default;
};

struct SinkRelease {
  void operator()(BodySink* s) const { s->release(); }
};
using SinkPtr = std::unique_ptr<BodySink, SinkRelease>;

}  // namespace ferry
