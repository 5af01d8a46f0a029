#include "body_decoder.h"

#include <llhttp.h>

#include "body_sink.h"

namespace ferry {

struct BodyDecoder::Impl {
  llhttp_t parser;
  llhttp_settings_t settings;
  BodySink* sink = nullptr;
  bool complete = false;

  static Impl* self(llhttp_t* p) { return static_cast<Impl*>(p->data); }

  Impl() {
    llhttp_settings_init(&settings);
    settings.on_body = [](llhttp_t* p, const char* at, std::size_t len) {
      Impl* s = self(p);
      if (s->sink) s->sink->take(std::string_view(at, len));
      return 0;
    };
    settings.on_message_complete = [](llhttp_t* p) -> int {
      self(p)->complete = true;
      return static_cast<int>(HPE_PAUSED);  // what follows is the next request
    };
    llhttp_init(&parser, HTTP_REQUEST, &settings);
    parser.data = this;
  }
};

BodyDecoder::BodyDecoder(std::string_view head) : impl_(std::make_unique<Impl>()) {
  // The head parsed once already, so this cannot fail; a body of zero
  // bytes completes right here.
  llhttp_execute(&impl_->parser, head.data(), head.size());
  done_ = impl_->complete;
}

BodyDecoder::~BodyDecoder() = default;

BodyDecoder::Result BodyDecoder::feed(std::string_view in, BodySink& sink, std::size_t& consumed) {
  consumed = 0;
  if (done_) return Result::kDone;
  if (in.empty()) return Result::kMore;
  Impl& s = *impl_;
  s.sink = &sink;
  llhttp_errno_t err = llhttp_execute(&s.parser, in.data(), in.size());
  s.sink = nullptr;
  if (err == HPE_OK) {
    consumed = in.size();
    return Result::kMore;
  }
  if (err == HPE_PAUSED && s.complete) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&s.parser) - in.data());
    done_ = true;
    return Result::kDone;
  }
  return Result::kError;
}

}  // namespace ferry
