#pragma once

// PinnedFolders: open descriptors of shared folders (a folder share's root,
// a shared file's folder), each opened by its path with no symlink followed
// and checked against the share's pin (openPinnedFolder()), then lent to the
// requests that open a file below it for up to kRecheck. Without it every
// request would open, fstat and close its folder again; with it a folder
// costs that once a second, however many requests it serves.
//
// What a descriptor reaches is always the folder that was shared (its
// device and inode were checked when it was opened). A folder moved away,
// or replaced by a symlink or by another folder, under the same path is
// still the one shared until its entry is due; from then on it is looked up
// by path again, fails its pin and is served no more: within kRecheck of
// the change. An entry not checked for kRecheck is closed, by a timer when
// no request comes, so a folder no longer shared is not held open (nor its
// disk kept from being unmounted) for longer than that.
//
// Bounded: at most kMaxFolders entries; a new folder beyond that replaces
// the entry checked longest ago.
//
// Only where the kernel can open a path without waiting for the disk
// (Linux 5.12+, openat2 with RESOLVE_CACHED): elsewhere lend() says
// `wouldBlock`, and the caller opens by path in the work pool as before.
//
// Loop thread only. A lent descriptor stays the cache's: use it before
// returning to the loop, never close it.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event_loop.h"
#include "file_io.h"

namespace ferry {

class PinnedFolders final {
 public:
  static constexpr auto kRecheck = std::chrono::seconds(1);
  static constexpr std::size_t kMaxFolders = 32;

  explicit PinnedFolders(EventLoop& loop) : loop_(loop) {}
  ~PinnedFolders();
  PinnedFolders(const PinnedFolders&) = delete;
  PinnedFolders& operator=(const PinnedFolders&) = delete;

  // The folder `path` (absolute, as resolved when it was shared) if it is
  // still `pin`: a descriptor checked less than kRecheck ago, or one opened
  // and checked now, only from what the kernel has cached. -1 with `error`
  // (ENOENT: the folder is not there, or is another one now), or with
  // `wouldBlock` when only the disk can tell (open it in the work pool).
  int lend(std::string_view path, const FileId& pin, int& error, bool& wouldBlock);

  std::size_t size() const { return entries_.size(); }
  // Closes every descriptor.
  void clear();

 private:
  struct Entry {
    std::string path;
    FileId pin;
    int fd = -1;
    EventLoop::Clock::time_point checked;
  };
  // Closes the entries due for a check; arms the timer for the next one.
  void sweep();
  void armSweep();
  void drop(std::size_t i);

  EventLoop& loop_;
  std::vector<Entry> entries_;
  EventLoop::TimerId sweep_ = 0;
};

}  // namespace ferry
