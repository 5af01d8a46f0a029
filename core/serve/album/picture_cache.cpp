#include "picture_cache.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace ferry {
namespace {

// Reads a whole file of at most `limit` bytes; false when it is missing,
// larger, or unreadable.
bool readWhole(const fs::path& path, std::string& out, std::uint64_t limit) {
  std::FILE* f = std::fopen(path.string().c_str(), "rb");
  if (!f) return false;
  out.clear();
  char buf[64 * 1024];
  bool ok = true;
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.append(buf, n);
    if (out.size() > limit) ok = false;
    if (n < sizeof buf || !ok) break;
  }
  ok = ok && !std::ferror(f);
  std::fclose(f);
  return ok;
}

}  // namespace

void PictureCache::setDirectory(std::string dir) {
  struct Seen {
    std::string name;
    std::uint64_t size;
    fs::file_time_type time;
  };
  std::vector<Seen> seen;
  std::error_code ec;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::error_code e2;
      if (!it->is_regular_file(e2)) continue;
      if (!parseCacheFileName(name)) {
        // A temporary file a crash left behind; anything else is not ours.
        if (name.find(".tmp") != std::string::npos) fs::remove(it->path(), e2);
        continue;
      }
      seen.push_back({name, it->file_size(e2), it->last_write_time(e2)});
    }
  }
  // Oldest first, so that inserting at the front leaves the newest there.
  std::sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) { return a.time < b.time; });
  std::lock_guard lock(mutex_);
  dir_ = std::move(dir);
  entries_.clear();
  uses_.clear();
  used_ = 0;
  for (const Seen& s : seen) touchLocked(s.name, s.size);
  trimLocked();
}

void PictureCache::setCapacity(std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  capacity_ = bytes;
  trimLocked();
}

bool PictureCache::enabled() const {
  std::lock_guard lock(mutex_);
  return !dir_.empty();
}

std::uint64_t PictureCache::bytesUsed() const {
  std::lock_guard lock(mutex_);
  return used_;
}

std::size_t PictureCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

namespace {

PictureKey takenKey(PictureKey key) {
  key.rendition = Rendition::kTaken;
  return key;
}

}  // namespace

void PictureCache::putTaken(const PictureKey& key, std::int64_t taken) {
  {
    std::lock_guard lock(mutex_);
    if (taken_.size() < kMaxTaken) taken_[cacheFileName(key)] = taken;
  }
  put(takenKey(key), taken > 0 ? std::to_string(taken) : std::string());
}

std::optional<std::int64_t> PictureCache::taken(const PictureKey& key) const {
  const std::string name = cacheFileName(key), kept = cacheFileName(takenKey(key));
  fs::path file;
  {
    std::lock_guard lock(mutex_);
    if (auto it = taken_.find(name); it != taken_.end()) return it->second;
    if (dir_.empty() || !entries_.count(kept)) return std::nullopt;
    file = fs::path(dir_) / kept;
  }
  // Read without counting as a use: a listing's look at its dates does not
  // keep pictures nobody looks at. A damaged entry is as good as none: the
  // scanner reads the header again and replaces it.
  std::string entry;
  if (!readWhole(file, entry, 64)) return std::nullopt;
  const std::optional<std::string_view> text = unpackCacheEntry(entry);
  if (!text) return std::nullopt;
  std::int64_t taken = 0;
  if (!text->empty()) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), taken);
    if (ec != std::errc() || end != text->data() + text->size() || taken <= 0) return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  if (taken_.size() < kMaxTaken) taken_[name] = taken;
  return taken;
}

bool PictureCache::has(const PictureKey& key) const {
  std::lock_guard lock(mutex_);
  return entries_.count(cacheFileName(key)) != 0;
}

bool PictureCache::knownWithout(const PictureKey& key) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(cacheFileName(key));
  // An entry of the trailer alone says "no picture" (packCacheEntry("")).
  return it != entries_.end() && it->second.size == kCacheTrailer;
}

void PictureCache::touchLocked(const std::string& name, std::uint64_t size) {
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    used_ -= it->second.size;
    uses_.erase(it->second.use);
    entries_.erase(it);
  }
  uses_.push_front(name);
  entries_.emplace(name, Entry{size, uses_.begin()});
  used_ += size;
}

void PictureCache::forgetLocked(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  used_ -= it->second.size;
  uses_.erase(it->second.use);
  entries_.erase(it);
}

void PictureCache::trimLocked() {
  // Least recently used first. Removing under the lock: a few unlink()s,
  // and a find() of the same name must not see it half gone.
  while (used_ > capacity_ && !uses_.empty()) {
    const std::string name = uses_.back();
    std::error_code ec;
    fs::remove(fs::path(dir_) / name, ec);
    forgetLocked(name);
  }
}

PictureCache::Found PictureCache::find(const PictureKey& key, std::string& jpeg) {
  const std::string name = cacheFileName(key);
  fs::path path;
  {
    std::lock_guard lock(mutex_);
    if (dir_.empty() || !entries_.count(name)) return Found::kMiss;
    path = fs::path(dir_) / name;
  }
  std::string entry;
  const bool read = readWhole(path, entry, kMaxEntry);
  std::optional<std::string_view> inside;
  if (read) inside = unpackCacheEntry(entry);
  std::lock_guard lock(mutex_);
  if (!inside) {
    // Gone (another process trimmed it) or damaged: made again.
    std::error_code ec;
    if (read) fs::remove(path, ec);
    forgetLocked(name);
    return Found::kMiss;
  }
  touchLocked(name, entry.size());
  std::error_code ec;
  fs::last_write_time(path, fs::file_time_type::clock::now(), ec);  // the order, for the next run
  if (inside->empty()) return Found::kNoPicture;
  jpeg.assign(inside->data(), inside->size());
  return Found::kPicture;
}

void PictureCache::put(const PictureKey& key, std::string_view jpeg) {
  const std::string name = cacheFileName(key);
  fs::path dir, tmp;
  {
    std::lock_guard lock(mutex_);
    if (dir_.empty()) return;
    dir = dir_;
    tmp = dir / (name + ".tmp" + std::to_string(++tmpSerial_));
  }
  const std::string entry = packCacheEntry(jpeg);
  std::FILE* f = std::fopen(tmp.string().c_str(), "wb");
  if (!f) return;  // a full or read-only disk: pictures are made each time
  bool ok = std::fwrite(entry.data(), 1, entry.size(), f) == entry.size();
  ok = std::fclose(f) == 0 && ok;
  std::error_code ec;
  // Renamed into place: a reader sees the old file or the whole new one.
  if (ok) fs::rename(tmp, dir / name, ec);
  if (!ok || ec) {
    fs::remove(tmp, ec);
    return;
  }
  std::lock_guard lock(mutex_);
  if (dir_ != dir.string()) return;  // the folder changed meanwhile
  touchLocked(name, entry.size());
  trimLocked();
}

}  // namespace ferry
