#pragma once

// PictureCache: the pictures made of shared files, kept on disk in one
// folder ("pictures" in Ferry's cache folder) so a recipient's second look,
// and the next run's, costs a file read instead of a decode. One file per
// picture, named by its key (picture_key.h): an edited or replaced file has
// a new key, so a stale picture is never found. Each file ends in a trailer
// with its CRC: a damaged one is removed and made again, never served.
//
// Bounded: past the size cap, the least recently used files go. The order
// of use lives in memory and in the files' modification times (bumped on
// each hit), so it survives a restart. Another Ferry process sharing the
// folder may remove a file this one still lists: a miss, made again.
//
// Owns the folder's index, not the pictures being served. Thread-safe: the
// work pool and the folder scanner use it at once.

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "picture_key.h"

namespace ferry {

class PictureCache final {
 public:
  static constexpr std::uint64_t kDefaultCapacity = 512ull << 20;
  // A cache file larger than this is not one of ours: never read whole.
  static constexpr std::uint64_t kMaxEntry = 16ull << 20;

  enum class Found { kMiss, kPicture, kNoPicture };

  // The folder (created if missing; "" = keep nothing) and its cap. Reads
  // the folder's listing into the index and trims it to the cap.
  void setDirectory(std::string dir);
  void setCapacity(std::uint64_t bytes);
  bool enabled() const;

  // kPicture with the JPEG in `jpeg`; kNoPicture for a file known to have
  // none; kMiss when not cached or the cached file was damaged (removed).
  // Blocks on the disk.
  Found find(const PictureKey& key, std::string& jpeg);
  // Whether a picture (or a "no picture") is cached, without reading it.
  bool has(const PictureKey& key) const;
  // Whether the file is known to have no picture (it failed to decode while
  // unchanged), from the index in memory: no disk.
  bool knownWithout(const PictureKey& key) const;
  // Keeps a picture ("" = the file has none), replacing in one step, then
  // trims the folder to its cap. Blocks on the disk.
  void put(const PictureKey& key, std::string_view jpeg);

  // When each photo or clip was taken, as its EXIF or container says (0: it
  // does not say), by its thumbnail's key: learned by the folder scanner
  // from the header, read by the listing's date order. Kept on disk beside
  // the pictures (an entry of rendition kTaken: the seconds as text, "" for
  // none), so a restart knows at once, and in memory once read (at most
  // kMaxTaken). Blocks on the disk.
  static constexpr std::size_t kMaxTaken = 1000000;
  void putTaken(const PictureKey& key, std::int64_t taken);
  std::optional<std::int64_t> taken(const PictureKey& key) const;

  std::uint64_t bytesUsed() const;
  std::size_t entries() const;

 private:
  struct Entry {
    std::uint64_t size;
    std::list<std::string>::iterator use;  // in uses_, newest first
  };
  void forgetLocked(const std::string& name);
  void trimLocked();
  void touchLocked(const std::string& name, std::uint64_t size);

  mutable std::mutex mutex_;
  std::string dir_;
  std::uint64_t capacity_ = kDefaultCapacity;
  std::uint64_t used_ = 0;
  std::list<std::string> uses_;  // names, most recently used first
  std::unordered_map<std::string, Entry> entries_;
  unsigned tmpSerial_ = 0;
  mutable std::unordered_map<std::string, std::int64_t> taken_;  // by cache file name
};

}  // namespace ferry
