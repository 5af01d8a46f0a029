#include "zip_selection.h"

#include <algorithm>

#include "request_target.h"

namespace ferry {

ZipSelection parseZipSelection(std::string_view query) {
  ZipSelection s;
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(pair.size() < query.size() ? pair.size() + 1 : query.size());
    if (pair.substr(0, 2) != "f=") continue;
    std::string name;
    if (!percentDecode(pair.substr(2), name) || name.empty() || name == "." || name == ".." ||
        name.find_first_of("/\\") != std::string::npos) {
      s.status = ZipSelection::kBad;
      s.why = "This zip's link names something that cannot be a file in this folder.\n";
      s.names.clear();
      return s;
    }
    s.status = ZipSelection::kSome;
    s.names.push_back(std::move(name));
  }
  std::sort(s.names.begin(), s.names.end());
  s.names.erase(std::unique(s.names.begin(), s.names.end()), s.names.end());
  return s;
}

bool selects(const ZipSelection& s, std::string_view name) {
  if (s.status == ZipSelection::kAll) return true;
  return std::binary_search(s.names.begin(), s.names.end(), name);
}

}  // namespace ferry
