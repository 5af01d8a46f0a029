// libFuzzer harness: the request parser driven exactly as HttpConnection
// drives it — bytes arrive in pieces, parse() is called after each piece on
// everything buffered, a complete request is consumed and parsing resumes
// on what follows (pipelining).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the piece size, so the fuzzer explores splits too.
  std::size_t piece = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  ferry::HttpLimits limits;
  limits.maxRequestLine = 256;  // small limits reach the limit paths sooner
  limits.maxHeaderBlock = 1024;
  limits.maxHeaders = 16;
  ferry::RequestParser parser;
  ferry::HttpRequest req;
  std::string buffer;
  std::size_t scanned = 0;  // the connection's progress, as HttpConnection keeps it
  std::size_t fed = 0;
  while (fed < input.size()) {
    std::size_t n = std::min(piece, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
    while (!buffer.empty()) {
      std::size_t consumed = 0;
      int status = 0;
      auto r = parser.parse(buffer, limits, req, consumed, status, scanned);
      if (r == ferry::RequestParser::Result::kIncomplete) break;
      if (r == ferry::RequestParser::Result::kError) {
        if (status != 400 && status != 414 && status != 431 && status != 505) __builtin_trap();
        return 0;  // the connection would answer and close
      }
      // Every view must lie inside the buffer.
      auto inside = [&](std::string_view v) {
        return v.empty() || (v.data() >= buffer.data() && v.data() + v.size() <= buffer.data() + buffer.size());
      };
      if (consumed == 0 || consumed > buffer.size() || !inside(req.target)) __builtin_trap();
      for (std::size_t i = 0; i < req.headerCount; ++i)
        if (!inside(req.headers[i].name) || !inside(req.headers[i].value)) __builtin_trap();
      if (req.headerCount > limits.maxHeaders) __builtin_trap();
      (void)req.header("host");
      (void)req.header("range");
      if (req.hasBody) return 0;  // answered 400 and closed
      buffer.erase(0, consumed);
    }
  }
  return 0;
}
