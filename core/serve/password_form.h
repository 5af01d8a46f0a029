#pragma once

// PasswordForm: the body of a POST of a share's password form (a few dozen
// urlencoded bytes, at most ShareGate::kMaxForm), kept in memory until it
// is complete and then handed to the gate, which answers. A longer body
// (one sent chunked, whose size was not declared) is refused with 413 as
// soon as it passes the cap: from a timer of no delay, since a sink may not
// answer from inside take() (the connection's body decoder is still
// running then).
//
// Made by ShareGate::acceptForm, owned by the connection until released;
// borrows the loop and the gate, which outlive every connection (the Router
// owns the gate).
//
// Loop thread only.

#include <memory>
#include <string>

#include "body_sink.h"
#include "event_loop.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

class ShareGate;

class PasswordForm final : public BodySink {
 public:
  PasswordForm(EventLoop& loop, ShareGate& gate, Responder& out, std::shared_ptr<const Share> share, std::string link, bool page);

  std::size_t room() const override;
  void take(std::string_view bytes) override;
  void complete() override;
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override;

 private:
  EventLoop& loop_;
  ShareGate& gate_;
  Responder* out_;  // null once the request is over
  std::shared_ptr<const Share> share_;
  std::string link_;
  bool page_;
  std::string body_;
  bool refused_ = false;
  EventLoop::TimerId refusal_ = 0;  // the 413, due
};

}  // namespace ferry
