#pragma once

// Where a file a LocalSend device sends lands: its `fileName` may carry
// folders ("Trip/day 1/a.jpg", a folder sent whole), which become folders
// inside the receive folder and nowhere else. Every part must be a name
// whyBadUploadName() accepts: "..", ".", empty parts (a leading "/", "//"),
// backslashes, drive letters and colons, NUL and control characters are
// refused with a sentence, never rewritten. At most kMaxDepth folders.
//
// Pure functions: any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace ferry::localsend {

inline constexpr std::size_t kMaxDepth = 32;

struct PlacedName {
  std::string subfolder;  // "Trip/day 1", or "" for the receive folder itself
  std::string name;       // "a.jpg"
};

// Splits `fileName`; empty sentence on success, else why it is refused.
std::string placeFileName(std::string_view fileName, PlacedName& out);

}  // namespace ferry::localsend
