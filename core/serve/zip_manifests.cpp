#include "zip_manifests.h"

#include <algorithm>
#include <utility>

namespace ferry {
namespace {

bool byName(const FolderEntry& a, const FolderEntry& b) { return a.name < b.name; }

bool sameEntry(const FolderEntry& a, const FolderEntry& b) {
  const FileInfo &x = a.info, &y = b.info;
  return a.name == b.name && x.size == y.size && x.mtimeNs == y.mtimeNs && x.ctimeNs == y.ctimeNs &&
         x.inode == y.inode && x.device == y.device && x.mode == y.mode && x.folder == y.folder &&
         x.regular == y.regular;
}

}  // namespace

std::size_t ZipManifest::bytes() const {
  std::size_t n = layout.count() * (ZipLayout::kBytesPerEntry + sizeof(std::uint32_t) + 1);
  for (std::size_t i = 0; i < layout.count(); ++i) n += layout.entry(i).nameLength;
  for (const Folder& f : folders) {
    n += sizeof(Folder) + f.rel.size();
    for (const FolderEntry& e : f.entries) n += sizeof(FolderEntry) + e.name.size();
  }
  return n;
}

bool manifestStillTrue(const ZipManifest& manifest, const FolderRoot& root, bool showHidden) {
  std::vector<FolderEntry> now;
  for (const ZipManifest::Folder& f : manifest.folders) {
    int error = 0;
    if (!root.list(f.rel, now, error)) return false;
    keepWalkable(now, showHidden);
    if (now.size() != f.entries.size()) return false;
    std::sort(now.begin(), now.end(), byName);
    for (std::size_t i = 0; i < now.size(); ++i)
      if (!sameEntry(now[i], f.entries[i])) return false;
  }
  return true;
}

std::shared_ptr<const ZipManifest> ZipManifests::find(const std::string& key, const FolderRoot& root,
                                                      bool showHidden) {
  std::shared_ptr<const ZipManifest> m;
  {
    std::lock_guard lock(mutex_);
    purgeLocked(std::chrono::steady_clock::now());
    for (const Kept& k : kept_)
      if (k.key == key) m = k.manifest;
  }
  if (!m) return nullptr;
  // Looked at without the lock: the disk may be slow.
  if (!manifestStillTrue(*m, root, showHidden)) {
    std::lock_guard lock(mutex_);
    std::erase_if(kept_, [&](const Kept& k) { return k.manifest == m; });
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  for (Kept& k : kept_)
    if (k.manifest == m) k.used = std::chrono::steady_clock::now();
  return m;
}

void ZipManifests::keep(const std::string& key, std::shared_ptr<const ZipManifest> manifest) {
  const std::size_t bytes = manifest->bytes();
  if (bytes > kMaxBytes) return;
  std::lock_guard lock(mutex_);
  std::erase_if(kept_, [&](const Kept& k) { return k.key == key; });
  std::size_t total = bytes;
  for (const Kept& k : kept_) total += k.bytes;
  // Least recently used out first, until the new one fits.
  while (!kept_.empty() && (kept_.size() >= kMaxManifests || total > kMaxBytes)) {
    auto oldest = std::min_element(kept_.begin(), kept_.end(),
                                   [](const Kept& a, const Kept& b) { return a.used < b.used; });
    total -= oldest->bytes;
    kept_.erase(oldest);
  }
  kept_.push_back({key, std::move(manifest), bytes, std::chrono::steady_clock::now()});
}

void ZipManifests::drop(const std::string& key) {
  std::lock_guard lock(mutex_);
  std::erase_if(kept_, [&](const Kept& k) { return k.key == key; });
}

std::size_t ZipManifests::purge() {
  std::lock_guard lock(mutex_);
  purgeLocked(std::chrono::steady_clock::now());
  return kept_.size();
}

std::size_t ZipManifests::size() const {
  std::lock_guard lock(mutex_);
  return kept_.size();
}

void ZipManifests::purgeLocked(std::chrono::steady_clock::time_point now) {
  std::erase_if(kept_, [&](const Kept& k) { return now - k.used >= kKeepFor; });
}

}  // namespace ferry
