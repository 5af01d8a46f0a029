#include "localsend_names.h"

#include "upload_names.h"

namespace ferry::localsend {

std::string placeFileName(std::string_view fileName, PlacedName& out) {
  out = {};
  std::size_t depth = 0;
  std::size_t from = 0;
  while (true) {
    const std::size_t slash = fileName.find('/', from);
    const std::string_view part = fileName.substr(from, slash == std::string_view::npos ? std::string_view::npos
                                                                                         : slash - from);
    if (std::string why = whyBadUploadName(part); !why.empty()) return why;
    if (slash == std::string_view::npos) {
      out.name = std::string(part);
      return {};
    }
    if (++depth > kMaxDepth) return "The file lies more than " + std::to_string(kMaxDepth) + " folders deep.";
    if (!out.subfolder.empty()) out.subfolder += '/';
    out.subfolder += part;
    from = slash + 1;
  }
}

}  // namespace ferry::localsend
