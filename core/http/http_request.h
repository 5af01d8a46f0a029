#pragma once

// HttpRequest and RequestParser: one HTTP/1.x request head, parsed by llhttp.
//
// The parser waits until the whole head (request line and headers, through
// the empty line) is buffered, enforces the size limits while it waits, then
// hands the head to llhttp in one call. Every string_view in HttpRequest
// points into the caller's buffer; nothing is copied.
//
// One RequestParser per loop serves all its connections; loop thread only.

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "http_limits.h"

namespace ferry {

struct HttpHeader {
  std::string_view name;
  std::string_view value;
};

struct HttpRequest {
  static constexpr std::size_t kMaxHeaders = 128;

  std::string_view method;
  bool isGet = false;
  bool isHead = false;
  std::string_view target;
  int versionMajor = 1;
  int versionMinor = 1;
  bool keepAlive = true;
  bool hasBody = false;  // Content-Length > 0 or any Transfer-Encoding
  std::array<HttpHeader, kMaxHeaders> headers;
  std::size_t headerCount = 0;

  // The first header with this name (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
  // Number of headers with this name.
  std::size_t count(std::string_view name) const;
};

class RequestParser final {
 public:
  enum class Result { kIncomplete, kComplete, kError };

  RequestParser();
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses the request at the start of `input`. kComplete fills `out` and
  // sets `consumed`; kError sets `status` (400, 414, 431 or 505).
  // kIncomplete means "wait for more bytes": call again with the same bytes
  // plus more. `scanned` is the caller's per-connection progress (start at
  // 0; the parser keeps it), so one parser can serve every connection of a
  // loop: it holds no state between calls.
  Result parse(std::string_view input, const HttpLimits& limits, HttpRequest& out, std::size_t& consumed,
               int& status, std::size_t& scanned);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace ferry
