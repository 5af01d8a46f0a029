// libFuzzer harness: the Range header parser. Whatever the header says, a
// single range lies inside the file, so a response never promises more
// bytes than the file has.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "byte_range.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  std::uint64_t fileSize;
  std::memcpy(&fileSize, data, 8);
  fileSize %= (1ull << 40);
  std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
  ferry::RangeResult r = ferry::parseRange(header, fileSize);
  if (r.kind == ferry::RangeResult::kSingle) {
    if (r.range.first > r.range.last || r.range.last >= fileSize) __builtin_trap();
    if (r.range.length() > fileSize) __builtin_trap();
  }
  return 0;
}
