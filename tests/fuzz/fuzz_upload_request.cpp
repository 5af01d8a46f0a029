// libFuzzer harness: an upload as HttpConnection and UploadHandler see it —
// the head parsed (in pieces), the body de-chunked by BodyDecoder into a
// sink whose room changes as a disk's would, and the name the target gives
// checked by the receive folder's name rules.
//
// Invariants: the sink never gets more than its room nor more body bytes
// than were fed; a decoded Content-Length body has exactly that length;
// consumed never passes the input; a name that passes is one component, and
// its part file names pass as part files and never as names.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "body_decoder.h"
#include "body_sink.h"
#include "http_request.h"
#include "request_target.h"
#include "upload_names.h"

namespace {

struct CountingSink final : ferry::BodySink {
  std::size_t roomNow = 0;
  std::uint64_t got = 0;
  std::size_t room() const override { return roomNow; }
  void take(std::string_view bytes) override {
    if (bytes.size() > roomNow) __builtin_trap();
    roomNow -= bytes.size();
    got += bytes.size();
  }
  void complete() override {}
  void ended(ferry::BodyEnd, std::string_view) override {}
  void release() override {}
};

void checkName(std::string_view target) {
  ferry::RequestTarget t = ferry::parseRequestTarget(target);
  if (t.status != ferry::RequestTarget::kOk || t.path.size() <= 1) return;
  std::string name;
  if (!ferry::percentDecode(t.path.substr(1), name)) return;
  if (!ferry::whyBadUploadName(name).empty()) return;
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == "." || name == ".." ||
      name.size() > 255 || name.find('\0') != std::string::npos)
    __builtin_trap();
  for (unsigned n : {0u, 1u, 999u}) {
    std::string part = ferry::partFileName(name, n);
    if (part.size() > 255 || !ferry::isPartFileName(part) || ferry::whyBadUploadName(part).empty()) __builtin_trap();
  }
  if (ferry::numberedName(name, 0) != name) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first two bytes pick the piece size and the sink's room.
  const std::size_t piece = 1 + data[0] % 64;
  const std::size_t roomStep = 1 + data[1] % 32;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  ferry::HttpLimits limits;
  limits.maxRequestLine = 512;
  limits.maxHeaderBlock = 2048;
  limits.maxHeaders = 16;
  ferry::RequestParser parser;
  ferry::HttpRequest req;
  std::size_t scanned = 0, consumed = 0;
  int status = 0;
  std::size_t fed = std::min(piece, input.size());
  ferry::RequestParser::Result r;
  while (true) {
    r = parser.parse(input.substr(0, fed), limits, req, consumed, status, scanned);
    if (r != ferry::RequestParser::Result::kIncomplete || fed == input.size()) break;
    fed = std::min(input.size(), fed + piece);
  }
  if (r != ferry::RequestParser::Result::kComplete) return 0;
  if (consumed > input.size()) __builtin_trap();
  checkName(req.target);
  if (!req.hasBody) return 0;

  ferry::BodyDecoder decoder(input.substr(0, consumed));
  CountingSink sink;
  std::string_view body = input.substr(consumed);
  std::uint64_t fedBody = 0;
  std::size_t at = 0;
  while (at < body.size() && !decoder.done()) {
    sink.roomNow = roomStep;  // the disk took the last buffer
    std::string_view in = body.substr(at, std::min({piece, sink.roomNow, body.size() - at}));
    std::size_t used = 0;
    auto res = decoder.feed(in, sink, used);
    if (used > in.size()) __builtin_trap();
    at += used;
    fedBody += used;
    if (res == ferry::BodyDecoder::Result::kError) return 0;  // answered 400; the sink is ended as failed
    if (sink.got > fedBody) __builtin_trap();
    if (res == ferry::BodyDecoder::Result::kMore && used != in.size()) __builtin_trap();
  }
  // A length-framed body that completed has exactly its declared length.
  std::string_view cl = req.header("content-length");
  while (!cl.empty() && (cl.front() == ' ' || cl.front() == '\t')) cl.remove_prefix(1);
  while (!cl.empty() && (cl.back() == ' ' || cl.back() == '\t')) cl.remove_suffix(1);
  if (decoder.done() && req.count("transfer-encoding") == 0 && !cl.empty() && cl.size() < 19 &&
      cl.find_first_not_of("0123456789") == std::string_view::npos && std::stoull(std::string(cl)) != sink.got)
    __builtin_trap();
  return 0;
}
