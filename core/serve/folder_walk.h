#pragma once

// Walks a level of a shared folder and everything below it, in the order a
// zip holds it: a folder, then its entries by name (folders' contents right
// after them), hidden entries left out unless the share shows them. The walk
// stays inside the share (FolderRoot), follows links only where they stay
// inside, and visits a folder reached twice through links only once on any
// one path down, so a link to an ancestor cannot make it endless.
//
// Blocks on the disk: the work pool or a background thread. Bounded: at
// most kMaxEntries entries and kMaxDepth levels, then it stops and says so.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "folder_io.h"

namespace ferry {

struct FolderWalk {
  // Enough for any folder a person hands over in one piece (70,000 photos,
  // a source tree with its build); a zip manifest costs 77 bytes plus the
  // path per entry (ZipLayout::kBytesPerEntry and a CRC), so about 30 MB at
  // this limit with 40-byte paths.
  static constexpr std::size_t kMaxEntries = 250000;
  static constexpr std::size_t kMaxDepth = 64;

  enum Status { kDone, kTooManyEntries, kTooDeep, kUnreadable };
  Status status = kDone;
  int error = 0;           // kUnreadable: why the top folder could not be read
  std::size_t files = 0;
  std::size_t folders = 0;  // below the top
  std::uint64_t bytes = 0;
  std::size_t unreadable = 0;  // sub-folders left out: they could not be listed
};

// Calls `visit(path, info)` for every entry below and including the folder
// `rel` of `root`: path is relative to `rel`'s parent ("Photos/",
// "Photos/2024/", "Photos/2024/IMG_0001.jpg"; folders end in '/'), `top` the
// name to give `rel` itself (the share's name when rel is ""). A visit that
// returns false stops the walk (status stays kDone; the caller knows why).
// `listed`, when given, is told of each folder listed (relative to the
// share) and the entries the walk goes on with there, before they are
// visited.
using FolderVisit = std::function<bool(const std::string& path, const FileInfo& info)>;
using FolderListed = std::function<void(const std::string& rel, const std::vector<FolderEntry>& entries)>;
FolderWalk walkFolder(const FolderRoot& root, const std::string& rel, const std::string& top, bool showHidden,
                      const FolderVisit& visit, const FolderListed& listed = {});

// Leaves out of a folder's entries what a walk leaves out: names no link
// could ask for, and hidden ones unless they are shown.
void keepWalkable(std::vector<FolderEntry>& entries, bool showHidden);

// A sentence for people about a walk that did not finish, or "".
std::string describeWalk(const FolderWalk& walk);

}  // namespace ferry
