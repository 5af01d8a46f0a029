// libFuzzer harness: request-target handling and percent coding. Checks the
// properties the server relies on: a token is only ever a token, and
// decoding never yields a NUL.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "request_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ferry::RequestTarget t = ferry::parseRequestTarget(in);
  if (t.status == ferry::RequestTarget::kOk) {
    if (!ferry::looksLikeToken(t.token)) __builtin_trap();
    if (t.token.data() < in.data() || t.token.data() + t.token.size() > in.data() + in.size()) __builtin_trap();
  }
  std::string out;
  if (ferry::percentDecode(in, out)) {
    if (out.find('\0') != std::string::npos) __builtin_trap();
    if (out.size() > in.size()) __builtin_trap();
  }
  // Encoding then decoding gives the input back.
  std::string enc = ferry::percentEncodePathSegment(in);
  std::string back;
  if (in.find('\0') == std::string_view::npos) {
    if (!ferry::percentDecode(enc, back) || back != in) __builtin_trap();
  }
  return 0;
}
