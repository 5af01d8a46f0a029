#pragma once

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") formatting and parsing, and a
// per-second cache of the current Date header value.

#include <ctime>
#include <string>
#include <string_view>

namespace ferry {

// Formats a UTC time as an IMF-fixdate (29 characters).
std::string formatHttpDate(std::time_t t);
// The same into `out` (at least 30 bytes, NUL-terminated); returns a view of
// the 29 characters. Allocates nothing.
std::string_view formatHttpDate(std::time_t t, char* out);

// Parses an IMF-fixdate (the only form we send). Returns -1 when malformed.
std::time_t parseHttpDate(std::string_view s);

// The current time as an IMF-fixdate, reformatted at most once per second.
// Loop thread only (one instance per loop).
class DateCache final {
 public:
  std::string_view now();

 private:
  std::time_t second_ = 0;
  std::string value_;
};

}  // namespace ferry
