#pragma once

// FolderRoot: a shared folder, opened once per request so that everything
// below it is reached from that descriptor and nothing outside it ever is.
// Paths given to it are relative ("sub/dir/file"), made of plain names a
// caller has already checked (no "..", ".", empty parts, or backslashes);
// the containment does not depend on that check, though:
//
// - Linux 5.6+: openat2() with RESOLVE_BENEATH. Symlinks that stay inside
//   the folder are followed; ones that leave it, dangle or loop fail, and
//   the kernel decides that at open time, so a path swapped for a link
//   between a check and the open cannot escape.
// - Elsewhere: a walk from the root, one openat(O_NOFOLLOW) per name, so no
//   symlink is followed at all (Windows: names joined; symlinks and
//   junctions are left out of listings). FERRY_OPENAT2=0 forces the walk.
//
// Only regular files and folders are kept open; FIFOs, devices and sockets
// are opened O_NONBLOCK (never waiting) and closed at once as "not regular".
//
// May wait for the disk: call it from the work pool, except the *Cached
// variants. One thread at a time per FolderRoot.

#include <cstdint>
#include <string>
#include <vector>

#include "disk_progress.h"
#include "file_io.h"

namespace ferry {

struct FolderEntry {
  std::string name;
  FileInfo info;  // of the symlink's target for a link that stays inside
};

class FolderRoot final {
 public:
  FolderRoot() = default;
  ~FolderRoot();
  FolderRoot(const FolderRoot&) = delete;
  FolderRoot& operator=(const FolderRoot&) = delete;

  // Opens the shared folder itself: `path` as it was resolved when it was
  // shared, with no symlink followed anywhere on it, and only if it is still
  // the folder `id` names (openPinnedFolder()). A folder swapped for a link
  // after sharing is not there (ENOENT). False with errno-style `error`.
  bool open(const std::string& path, const FileId& id, int& error);
  // Opens the folder the user is choosing, following symlinks on its path
  // (what is being shared is decided by this open).
  bool openAsChosen(const std::string& path, int& error);
  bool isOpen() const;
  void close();

  // A regular file below the root ("" is never a file).
  OpenedFile openFile(const std::string& rel) const;
  OpenedFile openFileCached(const std::string& rel, bool& wouldBlock) const;
  // openFileCached() below a root opened elsewhere: `rootFd`, a shared
  // folder opened with openPinnedFolderPath() (PinnedFolders lends them).
  static OpenedFile openFileCachedBelow(int rootFd, const std::string& rel, bool& wouldBlock);
  // What `rel` is, without opening it for reading ("" is the root itself):
  // info.regular or info.folder, else notRegular / error.
  OpenedFile statEntry(const std::string& rel) const;

  // The entries of the folder `rel`, unsorted, "." and ".." left out, and
  // every entry that is neither a regular file nor a folder (after
  // following a link that stays inside) left out as well. False with
  // `error` when the folder itself cannot be read. Stops after `max`.
  bool list(const std::string& rel, std::vector<FolderEntry>& out, int& error,
            std::size_t max = static_cast<std::size_t>(-1)) const;

  // Marked after each answer from the disk (an open, each entry listed):
  // long work on this root says it is still getting somewhere. Null: none.
  void setProgress(DiskProgress* progress) { progress_ = progress; }

 private:
  // Keeps the open folder `fd` as the root.
  bool adopt(int fd, const std::string& path, int& error);

  std::string path_;
  int fd_ = -1;
  bool beneath_ = false;  // openat2(RESOLVE_BENEATH) works here
  DiskProgress* progress_ = nullptr;
};

}  // namespace ferry
