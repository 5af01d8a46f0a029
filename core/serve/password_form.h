#pragma once

// PasswordForm: the body of a POST of a share's password form (a few dozen
// urlencoded bytes, at most ShareGate::kMaxForm), kept in memory until it
// is complete and then handed to the gate, which answers. A longer body
// (one sent chunked, whose size was not declared) is refused with 413 as
// soon as it passes the cap.
//
// Made by ShareGate::acceptForm, owned by the connection until released;
// borrows the gate, which outlives every connection (the Router owns it).
//
// Loop thread only.

#include <memory>
#include <string>

#include "body_sink.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

class ShareGate;

class PasswordForm final : public BodySink {
 public:
  PasswordForm(ShareGate& gate, Responder& out, std::shared_ptr<const Share> share, std::string link, bool page);

  std::size_t room() const override;
  void take(std::string_view bytes) override;
  void complete() override;
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override { delete this; }

 private:
  ShareGate& gate_;
  Responder* out_;  // null once the request is over
  std::shared_ptr<const Share> share_;
  std::string link_;
  bool page_;
  std::string body_;
  bool refused_ = false;
};

}  // namespace ferry
