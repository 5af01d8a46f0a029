#pragma once

// ZipLayout: a folder as one stored zip, as arithmetic. From a frozen list
// of entries (names, sizes, times, modes) it knows the archive's exact length
// before the first byte and where every byte of it comes from, so any range
// can be served by generating the headers it touches and sending the rest
// straight from the files. The layout readers agree on (see the notes in
// docs/ZIP.md):
//
// - stored (method 0), general-purpose flag 0x0800 (UTF-8 names), bit 3
//   clear: the CRC-32 and both sizes are in each local header, no data
//   descriptors;
// - Unix "made by" with the mode in the external attributes, the DOS time
//   in local time (1980-2107) plus the 0x5455 extended timestamp;
// - ZIP64 exactly where needed, with a >= 0xFFFFFFFF threshold: an entry of
//   4 GiB or more gets the 0x0001 extra (first) in its local header; the
//   central directory's 0x0001 extra holds all three fields when the size
//   or the offset needs it; the ZIP64 end records are written when there
//   are 65,535 entries or more or the directory starts or ends past 4 GiB;
// - the first entry is the top folder itself: small, never ZIP64.
//
// Immutable once finish()ed: any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "file_io.h"

namespace ferry {

struct ZipEntry {
  std::uint32_t nameAt = 0;  // in ZipLayout::names()
  std::uint32_t nameLength = 0;
  bool folder = false;
  std::uint32_t mode = 0;    // permission bits
  FileInfo file;             // size, mtime, device/inode: what is zipped
  std::uint64_t offset = 0;  // of the local header in the archive
};

class ZipLayout final {
 public:
  // Entries in archive order; names use '/' and folders end in it.
  void add(std::string_view name, const FileInfo& info);
  // Computes every offset and the total length. Call once, after the last add().
  void finish();

  std::size_t count() const { return entries_.size(); }
  const ZipEntry& entry(std::size_t i) const { return entries_[i]; }
  std::string_view name(std::size_t i) const {
    return std::string_view(names_).substr(entries_[i].nameAt, entries_[i].nameLength);
  }
  std::uint64_t total() const { return total_; }
  std::uint64_t centralOffset() const { return centralOffset_; }
  std::uint64_t centralSize() const { return centralSize_; }
  std::uint64_t endOffset() const { return centralOffset_ + centralSize_; }
  bool zip64End() const { return zip64End_; }
  // Where entry i's data starts, and the size of its headers.
  std::uint64_t dataOffset(std::size_t i) const { return entries_[i].offset + localHeaderSize(i); }
  std::size_t localHeaderSize(std::size_t i) const;
  std::size_t centralHeaderSize(std::size_t i) const;
  std::size_t endSize() const { return (zip64End_ ? 56 + 20 : 0) + 22; }
  // The entry whose local header or data holds archive offset `at` (which
  // must be before centralOffset()).
  std::size_t entryAt(std::uint64_t at) const;
  // A strong validator: the same folder contents give the same tag.
  const std::string& etag() const { return etag_; }

  // Appends the bytes of one structure. CRCs are given: a file's is known
  // only once it has been read (the central directory needs them all).
  void appendLocalHeader(std::size_t i, std::uint32_t crc, std::string& out) const;
  void appendCentralHeader(std::size_t i, std::uint32_t crc, std::string& out) const;
  void appendEnd(std::string& out) const;

  // Bytes this layout holds per entry beyond its name: what a manifest of
  // 100,000 files costs.
  static constexpr std::size_t kBytesPerEntry = sizeof(ZipEntry);

 private:
  bool zip64Local(std::size_t i) const { return entries_[i].file.size >= 0xFFFFFFFFull; }
  bool zip64Central(std::size_t i) const { return zip64Local(i) || entries_[i].offset >= 0xFFFFFFFFull; }

  std::string names_;
  std::vector<ZipEntry> entries_;
  std::uint64_t centralOffset_ = 0;
  std::uint64_t centralSize_ = 0;
  std::uint64_t total_ = 0;
  bool zip64End_ = false;
  std::string etag_;
};

}  // namespace ferry
