#pragma once

#include <string_view>

namespace ferry {

// Content-Type for a file name, by extension (case-insensitive).
// Unknown extensions are application/octet-stream.
std::string_view mimeTypeForName(std::string_view fileName);

}  // namespace ferry
