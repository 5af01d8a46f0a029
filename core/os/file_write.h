#pragma once

// The file operations that receiving a file needs: a part file nobody else
// can have made or redirected, writes at an offset, fsync, and a commit that
// never replaces an existing file. Paths are UTF-8. Every call may block on a
// slow disk: call them from the work pool. Errors come back as errno values.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "file_io.h"

namespace ferry {

// Creates `path` for writing: O_CREAT | O_EXCL | O_NOFOLLOW, so a file or a
// symlink already there (planted, or another upload's) is never opened. -1
// with errno on failure.
int createExclusive(const std::string& path);
// Opens an existing regular file for writing, never through a symlink.
int openForWriting(const std::string& path);
// Writes all of [buf, buf + n) at `offset`; 0, or the errno (ENOSPC...).
int writeAllAt(int fd, const char* buf, std::size_t n, std::uint64_t offset);
// Cuts the file to `size` bytes.
int truncateFile(int fd, std::uint64_t size);
// fsync(): the bytes are on the disk, not only in the cache. 0 or errno.
int syncFile(int fd);
// The same for a file's bytes and what reading them back needs (its size,
// where they are), not its times: fdatasync() where there is one, which
// saves a metadata write on file systems that keep times apart (XFS,
// btrfs); fsync() elsewhere. 0 or errno.
int syncFileData(int fd);
// Asks the kernel to start writing [offset, offset + length) to the disk
// now, without waiting (Linux: sync_file_range SYNC_FILE_RANGE_WRITE), so
// that the fsync at the end waits for little. Elsewhere, nothing.
void startWriteback(int fd, std::uint64_t offset, std::uint64_t length);
// fsync() on a folder: a new name in it survives a power cut. Best effort.
void syncFolder(const std::string& dir);
// Gives `from` the name `to` unless `to` exists (EEXIST): renameat2 with
// RENAME_NOREPLACE, else link() + unlink() where the file system has no
// such rename; MoveFileEx without REPLACE_EXISTING on Windows. 0 or errno.
int renameNoReplace(const std::string& from, const std::string& to);
// unlink(); 0 or errno.
int removeFile(const std::string& path);

// The receive folder, opened for one step of an upload (creating a part
// file, reopening it, giving it its name, removing it): its path followed
// with no symlink anywhere and only if it is still the folder `id` named
// when Receive was turned on (openPinnedFolder()), then every name reached
// from that descriptor. A receive folder swapped for a link is never written
// into. Windows: the path, names joined. Owns the descriptor; one thread.
class WriteFolder final {
 public:
  WriteFolder() = default;
  ~WriteFolder();
  WriteFolder(const WriteFolder&) = delete;
  WriteFolder& operator=(const WriteFolder&) = delete;

  // 0, or the errno (ENOENT: the folder is not the one chosen any more).
  int open(const std::string& dir, const FileId& id);
  // As createExclusive(), openForWriting(), renameNoReplace(), removeFile()
  // and syncFolder(), for names in this folder.
  int create(const std::string& name);
  int openExisting(const std::string& name);
  int rename(const std::string& from, const std::string& to);
  int remove(const std::string& name);
  void sync();
  // Goes down into `sub` ("a/b", names already checked one by one with
  // whyBadUploadName()), making the folders that are missing when `create`;
  // never through a symlink. 0, or the errno (ENOTDIR: a file is in the way).
  int enter(const std::string& sub, bool create);

  // A small file of Ferry's own in this folder: written whole (O_EXCL: 0,
  // or the errno; EEXIST when the name is taken) and fsynced, or read back
  // (regular files of at most `max` bytes, never through a symlink).
  int writeNew(const std::string& name, std::string_view bytes);
  bool readSmall(const std::string& name, std::string& out, std::size_t max);

  struct Entry {
    std::string name;
    std::uint64_t size = 0;
    std::int64_t modified = 0;  // seconds since 1970
    bool regular = false;
  };
  // The names in this folder (not "." and ".."), none followed. 0 or errno.
  int list(std::vector<Entry>& out);

 private:
  std::string dir_;
  int fd_ = -1;
};

struct DiskSpace {
  std::uint64_t free = 0;   // what an unprivileged writer may still use
  std::uint64_t total = 0;
};
// The space of the file system holding `dir`; false with errno on failure.
bool diskSpace(const std::string& dir, DiskSpace& out);

// Why files cannot be written into `dir`, as the end of a sentence ("it
// does not exist"); empty when it is a folder this process may write to.
std::string whyNotWritableFolder(const std::string& dir);

}  // namespace ferry
