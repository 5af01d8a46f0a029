#include "folder_walk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "folder_listing.h"
#include "folder_path.h"

namespace ferry {
namespace {

struct Walker {
  const FolderRoot& root;
  bool showHidden;
  const FolderVisit& visit;
  const FolderListed& listed;
  FolderWalk result;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ancestors;  // (device, inode) on the way down
  std::size_t entries = 0;
  bool stopped = false;

  // Walks the folder `rel` (relative to the share), shown as `path`.
  void walk(const std::string& rel, const std::string& path, const FileInfo& info, std::size_t depth) {
    if (stopped) return;
    if (depth > FolderWalk::kMaxDepth) {
      result.status = FolderWalk::kTooDeep;
      stopped = true;
      return;
    }
    std::vector<FolderEntry> children;
    int error = 0;
    if (!root.list(rel, children, error)) {
      if (depth == 0) {
        result.status = FolderWalk::kUnreadable;
        result.error = error;
        stopped = true;
      } else {
        ++result.unreadable;
      }
      return;  // a sub-folder that vanished or cannot be read is left out
    }
    if (!count() || !visit(path, info)) return;
    keepWalkable(children, showHidden);
    std::sort(children.begin(), children.end(),
              [](const FolderEntry& a, const FolderEntry& b) { return naturalLess(a.name, b.name); });
    if (listed) listed(rel, children);
    ancestors.emplace_back(info.device, info.inode);
    for (const FolderEntry& e : children) {
      if (stopped) break;
      std::string childRel = rel.empty() ? e.name : rel + "/" + e.name;
      std::string childPath = path + e.name;
      if (e.info.folder) {
        if (std::find(ancestors.begin(), ancestors.end(), std::make_pair(e.info.device, e.info.inode)) !=
            ancestors.end())
          continue;  // a link back up: its contents are already on the way
        ++result.folders;
        walk(childRel, childPath + "/", e.info, depth + 1);
      } else {
        if (!count()) break;
        ++result.files;
        result.bytes += e.info.size;
        if (!visit(childPath, e.info)) stopped = true;
      }
    }
    ancestors.pop_back();
  }

  bool count() {
    if (++entries > FolderWalk::kMaxEntries) {
      result.status = FolderWalk::kTooManyEntries;
      stopped = true;
      return false;
    }
    return true;
  }
};

}  // namespace

void keepWalkable(std::vector<FolderEntry>& entries, bool showHidden) {
  // A name no link could ask for ("a\b", "C:x") is left out, as it is of
  // the listing: in a zip, a Windows extractor could take it for a path.
  std::erase_if(entries, [showHidden](const FolderEntry& e) {
    return !isPlainName(e.name) || (!showHidden && isHiddenName(e.name));
  });
}

FolderWalk walkFolder(const FolderRoot& root, const std::string& rel, const std::string& top, bool showHidden,
                      const FolderVisit& visit, const FolderListed& listed) {
  Walker w{root, showHidden, visit, listed, {}, {}, 0, false};
  OpenedFile self = root.statEntry(rel);
  if (!self.info.folder) {
    w.result.status = FolderWalk::kUnreadable;
    w.result.error = self.error ? self.error : ENOTDIR;
    return w.result;
  }
  w.walk(rel, top + "/", self.info, 0);
  return w.result;
}

std::string describeWalk(const FolderWalk& walk) {
  switch (walk.status) {
    case FolderWalk::kDone:
      return {};
    case FolderWalk::kTooManyEntries:
      return "it holds more than " + std::to_string(FolderWalk::kMaxEntries) +
             " files and folders, more than one download can carry";
    case FolderWalk::kTooDeep:
      return "its folders nest more than " + std::to_string(FolderWalk::kMaxDepth) + " levels deep";
    case FolderWalk::kUnreadable:
      return std::string("it cannot be read: ") + std::strerror(walk.error);
  }
  return {};
}

}  // namespace ferry
