#pragma once

// Parsing of the Range request header (RFC 9110 §14), as a pure function.

#include <cstdint>
#include <string_view>

namespace ferry {

struct ByteRange {
  std::uint64_t first = 0;  // inclusive
  std::uint64_t last = 0;   // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

struct RangeResult {
  enum Kind {
    kIgnore,         // no header, not "bytes=", or malformed: serve the whole file (200)
    kSingle,         // one satisfiable range: 206 with `range`
    kMultiple,       // several ranges, at least one satisfiable: whole file (200)
    kUnsatisfiable,  // syntactically valid, nothing inside the file: 416
  } kind = kIgnore;
  ByteRange range;
};

// Resolves `value` against a file of `size` bytes: "a-b", "a-" and "-n";
// an end past EOF is clamped. Several ranges are answered with the whole file,
// which bounds the response to the file's size however the ranges overlap
// (the Apache CVE-2011-3192 lesson). Never allocates.
RangeResult parseRange(std::string_view value, std::uint64_t size);

}  // namespace ferry
