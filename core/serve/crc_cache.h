#pragma once

// CrcCache: the CRC-32 of every file a zip has needed, keyed by what names
// that exact content on this machine — device, inode, size, modification
// and status change time (ctime: an edit in place that keeps the mtime still
// changes it) — so a zip can start at once when its files were seen before (this
// run or an earlier one: the cache is saved to a file). A file that changes
// gets a new key; stale entries are simply never asked for again.
//
// A file's CRC is computed once at a time: a thread that asks for one that
// another is computing (the folder scanner warming the cache while a zip of
// the same folder starts) waits for that result instead of reading the
// file a second time, and hears meanwhile how that reading gets on (its
// DiskProgress), so a deadline on a silent disk does not take the wait for
// silence.
//
// Thread-safe: the work pool fills it while the loop reads it and a
// background thread warms it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "disk_progress.h"
#include "file_io.h"

namespace ferry {

class CrcCache final {
 public:
  // Entries kept at most: 24 bytes each, so about 24 MB when full.
  static constexpr std::size_t kMaxEntries = 1000000;

  std::optional<std::uint32_t> find(const FileInfo& file) const;
  void put(const FileInfo& file, std::uint32_t crc);
  std::size_t size() const;
  // The CRC of `file` (as a walk saw it): from the cache, or from
  // `compute` (which reads it; nullopt when it cannot, or it changed), then
  // kept. Blocks: the work pool or a background thread. `progress`, when
  // given, is what compute() marks as it reads; a wait for another
  // thread's computing of the same file takes on that thread's marks.
  std::optional<std::uint32_t> crcOf(const FileInfo& file, const std::function<std::optional<std::uint32_t>()>& compute,
                                     DiskProgress* progress = nullptr);
  // Threads waiting now for a CRC another one is computing.
  std::size_t waiting() const;

  // The file the cache lives in between runs ("" keeps it in memory only).
  // load() reads it (a missing or damaged file is an empty cache); save()
  // writes it whole, atomically, if anything was added since.
  void setPath(std::string path);
  void load();
  bool save();

 private:
  struct Key {
    std::uint64_t device, inode, size, mtimeNs, ctimeNs;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  static Key keyOf(const FileInfo& f) { return {f.device, f.inode, f.size, f.mtimeNs, f.ctimeNs}; }

  mutable std::mutex mutex_;
  std::unordered_map<Key, std::uint32_t, KeyHash> crcs_;
  // CRCs being computed now, and how the thread at each is getting on.
  std::unordered_map<Key, const DiskProgress*, KeyHash> computing_;
  std::condition_variable computed_;            // one of those is done
  std::size_t waiting_ = 0;
  std::string path_;
  bool dirty_ = false;
};

// The CRC-32 (zlib's) of the first `size` bytes of `fd`, read in 1 MiB
// blocks. False when the file cannot be read or is shorter than `size`, or
// when `stop` turns true meanwhile. `progress` is marked after each block.
// Blocks: the work pool or a background thread.
bool computeCrc32(int fd, std::uint64_t size, std::uint32_t& crc, const std::atomic<bool>* stop = nullptr,
                  DiskProgress* progress = nullptr);

}  // namespace ferry
