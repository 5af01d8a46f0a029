#pragma once

// ZipManifests: the manifests of the zips sent lately, so that the next
// request for the same zip — a download manager's other segments, a resume,
// a second device — need not build a big folder's manifest again (sorting
// 70,000 names, laying out 70,000 headers, hashing them into the ETag,
// looking up 70,000 CRCs), and so that those requests share one manifest in
// memory instead of holding one each.
//
// Kept by the zip's key (link, level, hidden files shown or not, the names
// picked), and used only while the folder is still what it was: before a
// kept manifest is used, every folder in it is listed again and each entry
// compared (name, device, inode, size, mtime and ctime), so a file added,
// removed, renamed or edited in place — even with its mtime put back — is
// seen, and the folder is walked anew. A zip that finds a file changed
// while it is sent drops its manifest. Entries go kKeepFor after their last
// use; at most kMaxManifests and kMaxBytes are kept, the least recently used
// dropped first.
//
// Thread-safe: the work pool finds and keeps manifests, the loop purges.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "folder_io.h"
#include "folder_walk.h"
#include "zip_layout.h"

namespace ferry {

// What a walk found for one zip, frozen: shared by every response sending it.
struct ZipManifest {
  FolderWalk walk;
  ZipLayout layout;
  std::vector<bool> found;        // per picked name: seen by the walk
  std::vector<std::uint32_t> crc;  // per entry, where crcKnown
  std::vector<bool> crcKnown;      // when the manifest was made
  // Each folder the walk listed (relative to the share) and the entries it
  // went on with, sorted by name: what a later look compares.
  struct Folder {
    std::string rel;
    std::vector<FolderEntry> entries;
  };
  std::vector<Folder> folders;

  // Memory it holds, roughly.
  std::size_t bytes() const;
};

class ZipManifests final {
 public:
  static constexpr std::chrono::seconds kKeepFor{30};
  static constexpr std::size_t kMaxManifests = 8;
  static constexpr std::size_t kMaxBytes = 64u << 20;

  // The manifest kept under `key`, if `root` still holds exactly what it
  // was made of (listing its folders: blocks, the work pool only).
  std::shared_ptr<const ZipManifest> find(const std::string& key, const FolderRoot& root, bool showHidden);
  void keep(const std::string& key, std::shared_ptr<const ZipManifest> manifest);
  void drop(const std::string& key);
  // Drops what was not used for kKeepFor; how many are left.
  std::size_t purge();
  std::size_t size() const;

 private:
  struct Kept {
    std::string key;
    std::shared_ptr<const ZipManifest> manifest;
    std::size_t bytes = 0;
    std::chrono::steady_clock::time_point used;
  };
  void purgeLocked(std::chrono::steady_clock::time_point now);

  mutable std::mutex mutex_;
  std::vector<Kept> kept_;  // few: searched in order
};

// True when `root` holds what `manifest` was made of: every folder it
// listed lists the same entries now (the walk's own rules for what a zip
// leaves out). Blocks on the disk.
bool manifestStillTrue(const ZipManifest& manifest, const FolderRoot& root, bool showHidden);

}  // namespace ferry
