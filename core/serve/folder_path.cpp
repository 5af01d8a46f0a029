#include "folder_path.h"

#include <cctype>

#include "request_target.h"

namespace ferry {
namespace {

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

bool isHiddenName(std::string_view name) {
  if (!name.empty() && name.front() == '.') return true;  // .DS_Store, .git, .Trash-1000...
  return equalsNoCase(name, "Thumbs.db") || equalsNoCase(name, "desktop.ini") ||
         equalsNoCase(name, "ehthumbs.db") || equalsNoCase(name, "$RECYCLE.BIN");
}

bool isPlainName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > kMaxNameBytes) return false;
  for (char ch : name) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  // "C:" and "C:x": a drive on Windows, where a recipient may save it.
  if (name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return true;
}

FolderPath parseFolderPath(std::string_view path, bool showHidden) {
  FolderPath r;
  if (path.size() > kMaxPathBytes) return r;
  // "/token" and "/token/": the folder's own link is "/token/<name>/".
  if (path.empty() || path == "/") {
    r.status = FolderPath::kAddSlash;
    return r;
  }
  path.remove_prefix(1);
  // The folder's name: for people, like a file's.
  std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    r.status = FolderPath::kAddSlash;
    return r;
  }
  path.remove_prefix(slash + 1);
  r.folder = path.empty() || path.back() == '/';
  if (r.folder && !path.empty()) path.remove_suffix(1);
  std::string name;
  std::size_t depth = 0;
  bool hidden = false;
  while (!path.empty()) {
    std::size_t end = path.find('/');
    std::string_view segment = path.substr(0, end);
    if (!percentDecode(segment, name) || !isPlainName(name) || ++depth > kMaxDepth) return r;
    if (!showHidden && isHiddenName(name)) hidden = true;
    if (!r.rel.empty()) r.rel += '/';
    r.rel += name;
    if (end == std::string_view::npos) break;
    path.remove_prefix(end + 1);
    if (path.empty()) return r;  // "a//" or a trailing slash already taken
  }
  r.status = hidden ? FolderPath::kNotFound : FolderPath::kOk;
  return r;
}

}  // namespace ferry
