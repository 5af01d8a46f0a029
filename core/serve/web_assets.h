#pragma once

// The files of resources/web (pages, their style sheet and scripts), built
// into the binary by cmake/EmbedFiles.cmake: a recipient's browser gets
// them from memory, and editing a page is editing a file.
//
// Any thread (the bytes are constant).

#include <string_view>

namespace ferry {

// The bytes of resources/web/<name>; empty when there is no such file.
std::string_view webAsset(std::string_view name);

}  // namespace ferry
