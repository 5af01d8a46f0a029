#pragma once

// The few file operations the server needs, with 64-bit sizes and offsets
// everywhere and the platform quirks in one place (Windows: binary mode,
// UTF-16 paths, no pread).

#include <cstdint>
#include <ctime>
#include <string>

namespace ferry {

struct FileInfo {
  std::uint64_t size = 0;
  std::uint64_t mtimeNs = 0;  // modification time, ns since the epoch
  std::time_t mtime = 0;      // the same in seconds
  std::uint64_t inode = 0;    // 0 where the platform has none
  std::uint64_t device = 0;   // with inode, names the file on this machine
  // Status change time, ns since the epoch (0 where not read): moves on any
  // write even when `touch -r` puts the old mtime back.
  std::uint64_t ctimeNs = 0;
  std::uint32_t mode = 0;     // permission bits (0644, 0755...)
  bool regular = false;
  bool folder = false;
};

// What a folder was when the user chose it: (device, inode). A folder later
// swapped for a symlink, or for another folder, under the same path is not
// the one chosen. Zero where the platform has no inodes (Windows): nothing
// to compare there.
struct FileId {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
};
// The identity of what `path` names now, following symlinks; zeros when it
// cannot be read.
FileId fileIdOf(const std::string& path);
// Opens the folder `path` (absolute, symlinks already resolved) with no
// symlink followed anywhere on it, and only if it is still `id`: -1 with
// errno ENOENT when a component became a link or the folder is another one
// now. Linux 5.6+: one openat2(RESOLVE_NO_SYMLINKS); elsewhere a walk from
// "/" opening one name at a time with O_NOFOLLOW. `cached`: only if nothing
// needs the disk (openat2 with RESOLVE_CACHED), else -1 with EAGAIN. POSIX
// only (Windows: -1, ENOSYS).
int openPinnedFolder(const std::string& path, const FileId& id, bool cached = false);
// Whether openat2() may be used: false where the kernel has none, or when
// FERRY_OPENAT2=0 is set (the tests then run the walk that other systems use).
bool openat2Allowed();

// Opens a file read-only (close-on-exec, binary). `path` is UTF-8. -1 on error.
int openForReading(const std::string& path);

// Opens a file to serve it: read-only, never blocking on a FIFO or a device
// (O_NONBLOCK), never through a symlink in the last component (O_NOFOLLOW),
// and only if it is a regular file. May still block on a slow disk: call it
// from the work pool.
struct OpenedFile {
  int fd = -1;
  int error = 0;            // errno when it could not be opened
  bool notRegular = false;  // it is there, but a FIFO, a device, a folder or a symlink
  FileInfo info;
};
OpenedFile openRegularFile(const std::string& path);
// The same, only if it needs nothing from the disk: the path's every
// component is in the kernel's cache (Linux 5.12+: openat2 with
// RESOLVE_CACHED). Otherwise `wouldBlock`, and nothing is open: do it in the
// work pool with openRegularFile().
OpenedFile openRegularFileCached(const std::string& path, bool& wouldBlock);
// A shared file: as openRegularFile(), and its folder opened as
// openPinnedFolder() does with `folder`, the identity the file's folder had
// when it was shared. A folder swapped for a link is not followed.
OpenedFile openSharedFile(const std::string& path, const FileId& folder);
OpenedFile openSharedFileCached(const std::string& path, const FileId& folder, bool& wouldBlock);
// A folder opened as openPinnedFolder() opens it, only to open names below
// it (no read permission needed: O_PATH where there is one).
int openPinnedFolderPath(const std::string& path, const FileId& id, bool cached);
// The file `name` (one name, no '/') of the folder `dirFd` as
// openSharedFileCached() opens a shared file: no symlink followed, regular
// files only, `wouldBlock` when that needs the disk (or where the kernel
// cannot say).
OpenedFile openSharedFileCachedIn(int dirFd, const char* name, bool& wouldBlock);
// pread() that does not wait for the disk: -1 with errno EAGAIN where the
// bytes are not in the page cache (Linux: preadv2 with RWF_NOWAIT). Where the
// OS cannot tell, a plain read, like regionCached()'s true.
long long readCachedAt(int fd, char* buf, std::size_t n, std::uint64_t offset);

// Whether [offset, offset + length) can be read without waiting for the disk:
// every page of it in the page cache (Linux: cachestat(), or mincore() on a
// mapping of the range where the kernel has no cachestat). Where the OS
// cannot tell, true: reads there stay on the caller's thread.
bool regionCached(int fd, std::uint64_t offset, std::uint64_t length);
bool statFile(int fd, FileInfo& out);
// Reads up to n bytes at offset; returns bytes read, 0 at end of file, -1 on
// error (errno set).
long long readAt(int fd, char* buf, std::size_t n, std::uint64_t offset);
void closeFile(int fd);

}  // namespace ferry
