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
  bool regular = false;
};

// Opens a file read-only (close-on-exec, binary). `path` is UTF-8. -1 on error.
int openForReading(const std::string& path);
bool statFile(int fd, FileInfo& out);
// Reads up to n bytes at offset; returns bytes read, 0 at end of file, -1 on
// error (errno set).
long long readAt(int fd, char* buf, std::size_t n, std::uint64_t offset);
void closeFile(int fd);

}  // namespace ferry
