#include "password_form.h"

#include "share_gate.h"

#include <chrono>

namespace ferry {

PasswordForm::PasswordForm(EventLoop& loop, ShareGate& gate, Responder& out, std::shared_ptr<const Share> share,
                           std::string link, bool page)
    : loop_(loop),
      gate_(gate), out_(&out), share_(std::move(share)), link_(std::move(link)), page_(page) {}

std::size_t PasswordForm::room() const {
  // One byte past the cap is taken, so a body longer than it is seen as such.
  return refused_ ? 0 : ShareGate::kMaxForm + 1 - body_.size();
}

void PasswordForm::take(std::string_view bytes) {
  body_.append(bytes);
  if (body_.size() <= ShareGate::kMaxForm || refused_) return;
  // room() is 0 from here: the connection reads no more and waits for the
  // answer.
  refused_ = true;
  body_.clear();
  refusal_ = loop_.runAfter(std::chrono::milliseconds(0), [this] {
    refusal_ = 0;
    if (!out_) return;
    out_->respond(413, {}, "A password form is never this large.\n");
    out_->resume();
  });
}

void PasswordForm::complete() {
  if (refused_ || !out_) return;
  gate_.answerForm(*out_, *share_, body_, link_, page_);
}

void PasswordForm::ended(BodyEnd, std::string_view) { out_ = nullptr; }

void PasswordForm::release() {
  if (refusal_) loop_.cancel(refusal_);
  delete this;
}

}  // namespace ferry
