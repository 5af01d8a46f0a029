#pragma once

// BodyDecoder: the body of one request, framed by Content-Length or chunked
// Transfer-Encoding, decoded by llhttp with every lenient flag off. Owns its
// own llhttp state (a chunked body spans many reads, so unlike the head
// parser it cannot be shared by the loop's connections): about a hundred
// bytes, made per upload, not per request.
//
// Loop thread only.

#include <cstddef>
#include <memory>
#include <string_view>

namespace ferry {

class BodySink;

class BodyDecoder final {
 public:
  enum class Result { kMore, kDone, kError };

  // `head`: the request's head, as the RequestParser accepted it. llhttp
  // reads it once more to learn the framing; a body of zero bytes is then
  // already done().
  explicit BodyDecoder(std::string_view head);
  ~BodyDecoder();
  BodyDecoder(const BodyDecoder&) = delete;
  BodyDecoder& operator=(const BodyDecoder&) = delete;

  // Decodes what it can of `in`: body bytes go to sink.take() (never more
  // than in.size() of them), framing is dropped. `consumed`: how much of
  // `in` was used; bytes after the body's end are left for the next request.
  Result feed(std::string_view in, BodySink& sink, std::size_t& consumed);
  bool done() const { return done_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool done_ = false;
};

}  // namespace ferry
