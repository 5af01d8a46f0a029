#include "crc_cache.h"

#include "native_path.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>
#include <zlib.h>

namespace ferry {
namespace {

// "FERRYCRC2\n", then one record per line: device inode size mtime-ns
// ctime-ns crc, in hex. Text, so a damaged file is easy to tell and to skip
// line by line. A cache of the first format (no ctime) is not read: its
// entries could name content that was edited in place since.
constexpr char kMagic[] = "FERRYCRC2\n";

}  // namespace

std::size_t CrcCache::KeyHash::operator()(const Key& k) const {
  std::uint64_t h = k.inode * 0x9E3779B97F4A7C15ull;
  h ^= (k.device + 0x632BE59BD9B4E019ull) + (h << 6) + (h >> 2);
  h ^= (k.size * 0xC2B2AE3D27D4EB4Full) + (h << 6) + (h >> 2);
  h ^= k.mtimeNs + (h << 6) + (h >> 2);
  h ^= (k.ctimeNs * 0x9E3779B97F4A7C15ull) + (h << 6) + (h >> 2);
  return static_cast<std::size_t>(h);
}

std::optional<std::uint32_t> CrcCache::find(const FileInfo& file) const {
  std::lock_guard lock(mutex_);
  auto it = crcs_.find(keyOf(file));
  if (it == crcs_.end()) return std::nullopt;
  return it->second;
}

void CrcCache::put(const FileInfo& file, std::uint32_t crc) {
  std::lock_guard lock(mutex_);
  if (crcs_.size() >= kMaxEntries && !crcs_.count(keyOf(file))) return;
  crcs_[keyOf(file)] = crc;
  dirty_ = true;
}

std::optional<std::uint32_t> CrcCache::crcOf(const FileInfo& file,
                                             const std::function<std::optional<std::uint32_t>()>& compute,
                                             DiskProgress* progress) {
  const Key key = keyOf(file);
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (auto it = crcs_.find(key); it != crcs_.end()) return it->second;
      auto other = computing_.find(key);
      if (other == computing_.end()) break;
      // Its result, or its failure (then this thread tries itself). A
      // waiter with a deadline looks in now and then at how the reading
      // goes: a long file read steadily is not a silent disk.
      ++waiting_;
      if (progress && other->second) {
        progress->catchUp(*other->second);
        computed_.wait_for(lock, std::chrono::milliseconds(100));
        if (auto still = computing_.find(key); still != computing_.end() && still->second)
          progress->catchUp(*still->second);
      } else {
        computed_.wait(lock);
      }
      --waiting_;
    }
    computing_.emplace(key, progress);
  }
  // Whatever compute() does, the key is given up, and waiters woken.
  struct Done {
    CrcCache& cache;
    const Key& key;
    std::optional<std::uint32_t> crc;
    ~Done() {
      {
        std::lock_guard lock(cache.mutex_);
        cache.computing_.erase(key);
        if (crc && (cache.crcs_.size() < kMaxEntries || cache.crcs_.count(key))) {
          cache.crcs_[key] = *crc;
          cache.dirty_ = true;
        }
      }
      cache.computed_.notify_all();
    }
  } done{*this, key, std::nullopt};
  done.crc = compute();
  return done.crc;
}

std::size_t CrcCache::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

std::size_t CrcCache::size() const {
  std::lock_guard lock(mutex_);
  return crcs_.size();
}

void CrcCache::setPath(std::string path) {
  std::lock_guard lock(mutex_);
  path_ = std::move(path);
}

void CrcCache::load() {
  std::string path;
  {
    std::lock_guard lock(mutex_);
    path = path_;
  }
  if (path.empty()) return;
  std::FILE* f = openStdioFile(path, "rb");
  if (!f) return;
  char line[128];
  std::vector<std::pair<Key, std::uint32_t>> read;
  if (std::fgets(line, sizeof line, f) && std::string_view(line) == kMagic) {
    while (std::fgets(line, sizeof line, f) && read.size() < kMaxEntries) {
      unsigned long long d, i, s, m, t;
      unsigned c;
      if (std::sscanf(line, "%llx %llx %llx %llx %llx %x", &d, &i, &s, &m, &t, &c) == 6)
        read.push_back({{d, i, s, m, t}, c});
    }
  }
  std::fclose(f);
  std::lock_guard lock(mutex_);
  for (const auto& [k, c] : read) crcs_.emplace(k, c);
}

bool CrcCache::save() {
  std::vector<std::pair<Key, std::uint32_t>> all;
  std::string path;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_ || path_.empty()) return true;
    all.assign(crcs_.begin(), crcs_.end());
    path = path_;
    dirty_ = false;
  }
  const std::string tmp = path + ".new";
  std::FILE* f = openStdioFile(tmp, "wb");
  if (!f) return false;
  bool ok = std::fputs(kMagic, f) >= 0;
  for (const auto& [k, c] : all) {
    if (!ok) break;
    ok = std::fprintf(f, "%llx %llx %llx %llx %llx %x\n", static_cast<unsigned long long>(k.device),
                      static_cast<unsigned long long>(k.inode), static_cast<unsigned long long>(k.size),
                      static_cast<unsigned long long>(k.mtimeNs), static_cast<unsigned long long>(k.ctimeNs), c) > 0;
  }
  ok = std::fclose(f) == 0 && ok;
  // Replaced in one step: a crash mid-write leaves the old cache, never half
  // of a new one.
  if (!ok || replaceFile(tmp, path) != 0) {
    removeFileAt(tmp);
    std::lock_guard lock(mutex_);
    dirty_ = true;
    return false;
  }
  return true;
}

bool computeCrc32(int fd, std::uint64_t size, std::uint32_t& crc, const std::atomic<bool>* stop,
                  DiskProgress* progress) {
  // A block no larger than the file: a folder of 70,000 small files would
  // otherwise map, fault in and unmap 1 MiB for each of them.
  constexpr std::uint64_t kMaxBlock = 1 << 20;
  const std::size_t kBlock = static_cast<std::size_t>(std::clamp<std::uint64_t>(size, 1, kMaxBlock));
  std::unique_ptr<char[]> buf(new char[kBlock]);
  uLong c = crc32(0L, Z_NULL, 0);
  for (std::uint64_t at = 0; at < size;) {
    if (stop && stop->load(std::memory_order_relaxed)) return false;
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, size - at));
    long long n = readAt(fd, buf.get(), want, at);
    if (n <= 0) return false;
    if (progress) progress->mark();
    c = crc32(c, reinterpret_cast<const Bytef*>(buf.get()), static_cast<uInt>(n));
    at += static_cast<std::uint64_t>(n);
  }
  crc = static_cast<std::uint32_t>(c);
  return true;
}

}  // namespace ferry
