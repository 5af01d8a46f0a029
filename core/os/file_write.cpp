#include "file_write.h"

#include "native_path.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <fcntl.h>
#include <sys/stat.h>

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <dirent.h>
#include <sys/statvfs.h>
#include <unistd.h>
#endif

namespace ferry {

int createExclusive(const std::string& path) {
#ifdef _WIN32
  // No symlinks to fear from CREATE_NEW: it fails on anything already there.
  return openSharedFile(path, true, true);
#else
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
#endif
}

int openForWriting(const std::string& path) {
#ifdef _WIN32
  return openSharedFile(path, true, false);
#else
  int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -1;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    errno = EINVAL;
    return -1;
  }
  return fd;
#endif
}

int writeAllAt(int fd, const char* buf, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
#ifdef _WIN32
    if (::_lseeki64(fd, static_cast<__int64>(offset), SEEK_SET) < 0) return errno;
    int w = ::_write(fd, buf, static_cast<unsigned>(n > 0x40000000 ? 0x40000000 : n));
#else
    ssize_t w = ::pwrite(fd, buf, n, static_cast<off_t>(offset));
#endif
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return ENOSPC;
    buf += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
  return 0;
}

int truncateFile(int fd, std::uint64_t size) {
#ifdef _WIN32
  return ::_chsize_s(fd, static_cast<__int64>(size));
#else
  return ::ftruncate(fd, static_cast<off_t>(size)) == 0 ? 0 : errno;
#endif
}

int syncFile(int fd) {
#ifdef _WIN32
  return ::_commit(fd) == 0 ? 0 : errno;
#else
  return ::fsync(fd) == 0 ? 0 : errno;
#endif
}

int syncFileData(int fd) {
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__)
  return ::fdatasync(fd) == 0 ? 0 : errno;
#else
  return syncFile(fd);
#endif
}

void startWriteback(int fd, std::uint64_t offset, std::uint64_t length) {
#if defined(__linux__)
  ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
#else
  (void)fd;
  (void)offset;
  (void)length;
#endif
}

void syncFolder(const std::string& dir) {
#ifndef _WIN32
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
#else
  (void)dir;  // NTFS journals names itself
#endif
}

int renameNoReplace(const std::string& from, const std::string& to) {
#ifdef _WIN32
  if (::MoveFileExW(nativePath(from).c_str(), nativePath(to).c_str(), MOVEFILE_WRITE_THROUGH)) return 0;
  DWORD e = ::GetLastError();
  return e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS ? EEXIST : EIO;
#else
#if defined(__linux__) && defined(RENAME_NOREPLACE)
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  // Old kernels and some file systems have no RENAME_NOREPLACE: EINVAL.
  if (errno != EINVAL && errno != ENOSYS) return errno;
#endif
  // link() fails on an existing name, atomically; the part name goes after.
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
#endif
}

int removeFile(const std::string& path) {
#ifdef _WIN32
  return ::DeleteFileW(nativePath(path).c_str()) ? 0 : errnoFromWin32(::GetLastError());
#else
  return ::unlink(path.c_str()) == 0 ? 0 : errno;
#endif
}

WriteFolder::~WriteFolder() {
#ifndef _WIN32
  if (fd_ >= 0) ::close(fd_);
#endif
}

int WriteFolder::open(const std::string& dir, const FileId& id) {
  dir_ = dir;
#ifdef _WIN32
  (void)id;
  return 0;
#else
  fd_ = openPinnedFolder(dir, id);
  return fd_ < 0 ? errno : 0;
#endif
}

#ifdef _WIN32
int WriteFolder::create(const std::string& name) { return createExclusive(dir_ + "/" + name); }
int WriteFolder::openExisting(const std::string& name) { return openForWriting(dir_ + "/" + name); }
int WriteFolder::rename(const std::string& from, const std::string& to) {
  return renameNoReplace(dir_ + "/" + from, dir_ + "/" + to);
}
int WriteFolder::remove(const std::string& name) { return removeFile(dir_ + "/" + name); }
void WriteFolder::sync() {}
int WriteFolder::enter(const std::string& sub, bool create) {
  // One folder at a time, as openat() with O_NOFOLLOW does elsewhere: a
  // junction or symbolic link (a reparse point) in the path would lead out
  // of the receive folder, wherever it points.
  std::string path = dir_;
  std::size_t from = 0;
  while (from <= sub.size()) {
    std::size_t to = sub.find('/', from);
    if (to == std::string::npos) to = sub.size();
    const std::string name = sub.substr(from, to - from);
    from = to + 1;
    if (name.empty()) continue;
    path += "/" + name;
    std::error_code ec;
    if (create) std::filesystem::create_directory(std::filesystem::u8path(path), ec);
    if (ec) return ec.value() ? ec.value() : EIO;
    const DWORD attributes = ::GetFileAttributesW(nativePath(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return ENOENT;
    if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) return ELOOP;
    if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) return ENOTDIR;
  }
  dir_ = std::move(path);
  return 0;
}
int WriteFolder::writeNew(const std::string& name, std::string_view bytes) {
  int fd = createExclusive(dir_ + "/" + name);
  if (fd < 0) return errno;
  int e = writeAllAt(fd, bytes.data(), bytes.size(), 0);
  if (!e) e = syncFile(fd);
  closeFile(fd);
  if (e) removeFile(dir_ + "/" + name);
  return e;
}
bool WriteFolder::readSmall(const std::string& name, std::string& out, std::size_t max) {
  std::error_code ec;
  const auto path = std::filesystem::u8path(dir_ + "/" + name);
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, ec)) || ec) return false;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max) return false;
  std::FILE* f = ::_wfopen(nativePath(dir_ + "/" + name).c_str(), L"rb");
  if (!f) return false;
  out.resize(static_cast<std::size_t>(size));
  const std::size_t got = std::fread(out.data(), 1, out.size(), f);
  std::fclose(f);
  out.resize(got);
  return got == size;
}
int WriteFolder::list(std::vector<Entry>& out) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(std::filesystem::u8path(dir_), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    Entry e;
    const std::u8string name = it->path().filename().u8string();
    e.name.assign(name.begin(), name.end());
    std::error_code one;
    e.regular = it->is_regular_file(one) && !it->is_symlink(one);
    if (e.regular) e.size = it->file_size(one);
    const auto when = it->last_write_time(one);
    if (!one)
      e.modified = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::file_clock::to_sys(when).time_since_epoch())
                       .count();
    out.push_back(std::move(e));
  }
  return ec ? (ec.value() ? ec.value() : EIO) : 0;
}
#else
int WriteFolder::create(const std::string& name) {
  return ::openat(fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

int WriteFolder::openExisting(const std::string& name) {
  int fd = ::openat(fd_, name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -1;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    errno = EINVAL;
    return -1;
  }
  return fd;
}

int WriteFolder::rename(const std::string& from, const std::string& to) {
#if defined(__linux__) && defined(RENAME_NOREPLACE)
  if (::renameat2(fd_, from.c_str(), fd_, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
#endif
  if (::linkat(fd_, from.c_str(), fd_, to.c_str(), 0) != 0) return errno;
  ::unlinkat(fd_, from.c_str(), 0);
  return 0;
}

int WriteFolder::remove(const std::string& name) { return ::unlinkat(fd_, name.c_str(), 0) == 0 ? 0 : errno; }

void WriteFolder::sync() { ::fsync(fd_); }

int WriteFolder::enter(const std::string& sub, bool create) {
  std::size_t from = 0;
  while (from <= sub.size()) {
    std::size_t to = sub.find('/', from);
    if (to == std::string::npos) to = sub.size();
    const std::string name = sub.substr(from, to - from);
    from = to + 1;
    if (name.empty()) continue;
    if (create && ::mkdirat(fd_, name.c_str(), 0755) != 0 && errno != EEXIST) return errno;
    int next = ::openat(fd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return errno;
    ::close(fd_);
    fd_ = next;
    dir_ += "/" + name;
  }
  return 0;
}

int WriteFolder::writeNew(const std::string& name, std::string_view bytes) {
  int fd = create(name);
  if (fd < 0) return errno;
  int e = writeAllAt(fd, bytes.data(), bytes.size(), 0);
  if (!e) e = syncFile(fd);
  ::close(fd);
  if (e) ::unlinkat(fd_, name.c_str(), 0);
  return e;
}

bool WriteFolder::readSmall(const std::string& name, std::string& out, std::size_t max) {
  int fd = ::openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) <= max;
  if (ok) {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
      ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ok = got == out.size();
  }
  ::close(fd);
  return ok;
}

int WriteFolder::list(std::vector<Entry>& out) {
  // fdopendir() takes the descriptor over: a copy of it, reading from the start.
  int copy = ::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) return errno;
  DIR* d = ::fdopendir(copy);
  if (!d) {
    int e = errno;
    ::close(copy);
    return e;
  }
  while (struct dirent* de = ::readdir(d)) {
    std::string_view n = de->d_name;
    if (n == "." || n == "..") continue;
    Entry e;
    e.name.assign(n);
    struct stat st;
    if (::fstatat(fd_, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      e.regular = S_ISREG(st.st_mode);
      e.size = static_cast<std::uint64_t>(st.st_size);
      e.modified = static_cast<std::int64_t>(st.st_mtime);
    }
    out.push_back(std::move(e));
  }
  ::closedir(d);
  return 0;
}
#endif

bool diskSpace(const std::string& dir, DiskSpace& out) {
#ifdef _WIN32
  ULARGE_INTEGER avail, total;
  if (!::GetDiskFreeSpaceExW(widen(dir).c_str(), &avail, &total, nullptr)) {
    errno = EIO;
    return false;
  }
  out.free = avail.QuadPart;
  out.total = total.QuadPart;
  return true;
#else
  struct statvfs st;
  if (::statvfs(dir.c_str(), &st) != 0) return false;
  out.free = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  out.total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
  return true;
#endif
}

std::string whyNotWritableFolder(const std::string& dir) {
#ifdef _WIN32
  const DWORD attributes = ::GetFileAttributesW(nativePath(dir).c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return "it does not exist";
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) return "it is not a folder";
  return {};
#else
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return errno == ENOENT ? "it does not exist" : "it cannot be opened";
  if (!S_ISDIR(st.st_mode)) return "it is not a folder";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return "this user may not write into it";
  return {};
#endif
}

}  // namespace ferry
