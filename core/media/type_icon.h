#pragma once

// The picture of a file that has none: a small SVG of a sheet of paper in
// its kind's colour with its extension on it ("MP4", "PDF"), or a folder.
// `?thumb` answers it for anything that is not a picture, could not be
// decoded, or is too large, so a page's every tile can be an <img>.
//
// The label comes from extensionOf() (letters and digits only), so nothing
// from a file name can reach the markup. Pure; any thread.

#include <string>
#include <string_view>

#include "media_kind.h"

namespace ferry {

std::string fileTypeIcon(std::string_view fileName);
std::string folderIcon();

}  // namespace ferry
