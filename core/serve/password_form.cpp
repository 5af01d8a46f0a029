#include "password_form.h"

#include "share_gate.h"

namespace ferry {

PasswordForm::PasswordForm(ShareGate& gate, Responder& out, std::shared_ptr<const Share> share, std::string link,
                           bool page)
    : gate_(gate), out_(&out), share_(std::move(share)), link_(std::move(link)), page_(page) {}

std::size_t PasswordForm::room() const {
  // One byte past the cap is taken, so a body longer than it is seen as such.
  return refused_ ? 0 : ShareGate::kMaxForm + 1 - body_.size();
}

void PasswordForm::take(std::string_view bytes) {
  body_.append(bytes);
  if (body_.size() > ShareGate::kMaxForm && out_ && !refused_) {
    refused_ = true;
    out_->respond(413, {}, "A password form is never this large.\n");
  }
}

void PasswordForm::complete() {
  if (refused_ || !out_) return;
  gate_.answerForm(*out_, *share_, body_, link_, page_);
}

void PasswordForm::ended(BodyEnd, std::string_view) { out_ = nullptr; }

}  // namespace ferry
