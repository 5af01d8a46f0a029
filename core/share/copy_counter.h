#pragma once

// CopyCounter: how many complete copies of a file have left this computer,
// whoever took them: the least number of times any byte of one version of it
// has been sent, over all clients and requests. This is what a download limit
// counts, so that a download split between two User-Agents or addresses, or
// scattered over many small ranges, cannot take a copy uncounted, while an
// aborted download counts nothing and a restart or a resume counts once.
// (Receipts per client, "delivered to curl 8.5", are DeliveryBook's.)
//
// Owns, per file version, an interval map of send counts (at most kMaxSpans
// spans) and, for at most kMaxFiles versions, the copies counted so far; the
// version used longest ago makes room. A map that would grow past kMaxSpans
// merges the two neighbouring spans whose merge raises the fewest bytes to the
// higher count: the count may then run ahead of the truth by those bytes (a
// client scattering thousands of ranges uses a link up early), never behind
// it, so a limit never lets out more copies than it says.
//
// Loop thread only.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ferry {

// Names one file version's map: its slot, and the use that opened it (a slot
// given to another version since then no longer answers to it).
struct CopyRef {
  std::uint32_t slot = 0;
  std::uint64_t generation = 0;
  explicit operator bool() const { return generation != 0; }
};

class CopyCounter final {
 public:
  static constexpr std::size_t kMaxSpans = 256;
  static constexpr std::size_t kMaxFiles = 1024;

  // The map of `version` of `item` (empty for a file share) of share `token`,
  // `size` bytes long (more than 0), made if it is new.
  CopyRef open(std::string_view token, std::string_view item, std::uint64_t version, std::uint64_t size);
  // Bytes [from, to) were sent once more. Returns how many complete copies
  // that made: 0, or 1 when the bytes sent the fewest times catch up.
  std::uint32_t add(CopyRef ref, std::uint64_t from, std::uint64_t to);

  // The copies and spans of a version (tests, and checks of the bound).
  std::uint32_t copies(CopyRef ref) const;
  std::size_t spans(CopyRef ref) const;

 private:
  // Bytes from `first` up to the next span's first (or the file's end) have
  // been sent `count` times. Neighbours never have the same count.
  struct Span {
    std::uint64_t first;
    std::uint32_t count;
  };
  struct File {
    std::string key;
    std::uint64_t size = 0;
    std::uint64_t generation = 0;  // 0: free
    std::uint64_t lastUse = 0;
    std::uint32_t copies = 0;
    std::vector<Span> spans;
  };

  File* get(CopyRef ref);
  const File* get(CopyRef ref) const;
  // The index of the span starting at `at`, splitting the one around it.
  static std::size_t splitAt(File& f, std::uint64_t at);
  static void mergeEqual(File& f);
  static void shrink(File& f);

  std::vector<File> files_;
  std::unordered_map<std::string, std::uint32_t> byKey_;
  std::uint64_t generation_ = 0, uses_ = 0;
};

}  // namespace ferry
