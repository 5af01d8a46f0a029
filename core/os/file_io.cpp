#include "file_io.h"

#include "native_path.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#endif
#if defined(__linux__)
#include <linux/openat2.h>
#include <sys/mman.h>
#endif

namespace ferry {

#if defined(__linux__) && defined(SYS_openat2) && defined(RESOLVE_NO_SYMLINKS)
#define FERRY_HAVE_OPENAT2 1
#endif

bool openat2Allowed() {
  static const bool allowed = [] {
    const char* env = std::getenv("FERRY_OPENAT2");
    if (env && std::string_view(env) == "0") return false;
#ifdef FERRY_HAVE_OPENAT2
    // A kernel before 5.6 says ENOSYS; a seccomp sandbox may say EPERM.
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS;
    int fd = static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how));
    if (fd < 0) return false;
    ::close(fd);
    return true;
#else
    return false;
#endif
  }();
  return allowed;
}

FileId fileIdOf(const std::string& path) {
  FileId id;
#ifndef _WIN32
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    id.device = static_cast<std::uint64_t>(st.st_dev);
    id.inode = static_cast<std::uint64_t>(st.st_ino);
  }
#else
  (void)path;
#endif
  return id;
}

#ifndef _WIN32
namespace {

// Folders on the way are only passed through: O_PATH (Linux) or O_SEARCH
// need no read permission, as a path lookup needs none.
#if defined(O_PATH)
constexpr int kPassFlags = O_PATH | O_DIRECTORY | O_CLOEXEC;
#elif defined(O_SEARCH)
constexpr int kPassFlags = O_SEARCH | O_DIRECTORY | O_CLOEXEC;
#else
constexpr int kPassFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
#endif

// Where openat2 is missing: from "/", one name at a time, following no
// symlink on the way (`from`/`path` with `path` relative, or `path` absolute).
int walkNoSymlinks(int from, const std::string& path, int lastFlags) {
  std::size_t start = 0;
  int dir = from;
  if (!path.empty() && path[0] == '/') {
    dir = ::open("/", kPassFlags);
    if (dir < 0) return -1;
  }
  for (;;) {
    while (start < path.size() && path[start] == '/') ++start;
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::size_t next = slash;
    while (next < path.size() && path[next] == '/') ++next;
    const bool last = next >= path.size();
    std::string name = start < slash ? path.substr(start, slash - start) : std::string(".");
    int fd;
    do {
      fd = ::openat(dir, name.c_str(), (last ? lastFlags : kPassFlags) | O_NOFOLLOW);
    } while (fd < 0 && errno == EINTR);
    const int err = errno;
    if (dir != from) ::close(dir);
    if (fd < 0 || last) {
      errno = err;
      return fd;
    }
    dir = fd;
    start = next;
  }
}

// openat2(RESOLVE_NO_SYMLINKS), or the walk; -1 with EAGAIN for `cached`
// when the lookup needs the disk (or only the walk is there).
int openNoSymlinks(int from, const std::string& path, int flags, bool cached) {
#ifdef FERRY_HAVE_OPENAT2
  if (openat2Allowed()) {
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = RESOLVE_NO_SYMLINKS;
    if (cached) {
#ifdef RESOLVE_CACHED
      how.resolve |= RESOLVE_CACHED;
#else
      errno = EAGAIN;
      return -1;
#endif
    }
    int fd;
    do {
      fd = static_cast<int>(::syscall(SYS_openat2, from, path.c_str(), &how, sizeof how));
    } while (fd < 0 && errno == EINTR);
    // E2BIG, EINVAL: a kernel without RESOLVE_CACHED (before 5.12).
    if (fd < 0 && cached && (errno == E2BIG || errno == EINVAL)) errno = EAGAIN;
    return fd;
  }
#endif
  if (cached) {
    errno = EAGAIN;
    return -1;
  }
  return walkNoSymlinks(from, path, flags);
}

int openPinned(const std::string& path, const FileId& id, bool cached, int flags) {
  if (path.empty() || path[0] != '/') {
    errno = ENOENT;
    return -1;
  }
  int fd = openNoSymlinks(AT_FDCWD, path, flags, cached);
  if (fd < 0) {
    // A link on the way (ELOOP; ENOTDIR from O_DIRECTORY on some systems):
    // the folder that was chosen is not there any more.
    if (errno == ELOOP || errno == ENOTDIR || errno == EXDEV) errno = ENOENT;
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  if (id.inode != 0 && (static_cast<std::uint64_t>(st.st_dev) != id.device ||
                        static_cast<std::uint64_t>(st.st_ino) != id.inode)) {
    ::close(fd);
    errno = ENOENT;
    return -1;
  }
  return fd;
}

}  // namespace
#endif

int openPinnedFolder(const std::string& path, const FileId& id, bool cached) {
#ifdef _WIN32
  (void)path;
  (void)id;
  (void)cached;
  errno = ENOSYS;
  return -1;
#else
  return openPinned(path, id, cached, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
#endif
}

int openForReading(const std::string& path) {
#ifdef _WIN32
  // Windows: the path is UTF-8 here and UTF-16 to the OS, the descriptor
  // binary (or the C runtime would translate line ends and stop at Ctrl+Z),
  // the file left renamable and deletable while it is read.
  return openSharedFile(path, false, false);
#else
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
#endif
}

bool statFile(int fd, FileInfo& out) {
#ifdef _WIN32
  struct _stat64 st {};
  if (::_fstat64(fd, &st) != 0) return false;
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime = static_cast<std::time_t>(st.st_mtime);
  out.mtimeNs = static_cast<std::uint64_t>(st.st_mtime) * 1000000000ull;
  out.ctimeNs = static_cast<std::uint64_t>(st.st_ctime) * 1000000000ull;
  out.inode = 0;
  out.device = static_cast<std::uint64_t>(st.st_dev);
  fileIdentity(fd, out.device, out.inode);  // the C runtime's st_ino is always 0
  out.mode = (st.st_mode & _S_IFDIR) ? 0755 : 0644;
  out.regular = (st.st_mode & _S_IFREG) != 0;
  out.folder = (st.st_mode & _S_IFDIR) != 0;
#else
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime = st.st_mtime;
#if defined(__APPLE__)
  out.mtimeNs = static_cast<std::uint64_t>(st.st_mtimespec.tv_sec) * 1000000000ull + st.st_mtimespec.tv_nsec;
  out.ctimeNs = static_cast<std::uint64_t>(st.st_ctimespec.tv_sec) * 1000000000ull + st.st_ctimespec.tv_nsec;
#else
  out.mtimeNs = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec;
  out.ctimeNs = static_cast<std::uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + st.st_ctim.tv_nsec;
#endif
  out.inode = static_cast<std::uint64_t>(st.st_ino);
  out.device = static_cast<std::uint64_t>(st.st_dev);
  out.mode = static_cast<std::uint32_t>(st.st_mode & 07777);
  out.regular = S_ISREG(st.st_mode);
  out.folder = S_ISDIR(st.st_mode);
#endif
  return true;
}

long long readAt(int fd, char* buf, std::size_t n, std::uint64_t offset) {
#ifdef _WIN32
  // No pread(): one loop thread reads each descriptor, so seek+read is safe.
  if (::_lseeki64(fd, static_cast<__int64>(offset), SEEK_SET) < 0) return -1;
  return ::_read(fd, buf, static_cast<unsigned>(n > 0x40000000 ? 0x40000000 : n));
#else
  ssize_t r;
  do {
    r = ::pread(fd, buf, n, static_cast<off_t>(offset));
  } while (r < 0 && errno == EINTR);
  return r;
#endif
}

namespace {

constexpr int kServeFlags =
#ifdef _WIN32
    0;
#else
    O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW;
#endif

// The rest of opening to serve, once open() or openat2() returned `fd`.
OpenedFile checkOpened(int fd) {
  OpenedFile f;
  f.fd = fd;
  if (f.fd < 0) {
    f.error = errno;
#ifdef ELOOP
    // The last component became a symlink: not served, like any special file.
    if (f.error == ELOOP) {
      f.error = 0;
      f.notRegular = true;
    }
#endif
    return f;
  }
  if (!statFile(f.fd, f.info)) {
    f.error = errno;
  } else if (!f.info.regular) {
    f.notRegular = true;
  } else {
    return f;
  }
  closeFile(f.fd);
  f.fd = -1;
  return f;
}

}  // namespace

OpenedFile openRegularFile(const std::string& path) {
#ifdef _WIN32
  return checkOpened(openForReading(path));
#else
  return checkOpened(::open(path.c_str(), kServeFlags));
#endif
}

OpenedFile openRegularFileCached(const std::string& path, bool& wouldBlock) {
#if defined(__linux__) && defined(SYS_openat2) && defined(RESOLVE_CACHED)
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(kServeFlags);
  how.resolve = RESOLVE_CACHED;
  int fd = static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
  // EAGAIN: the lookup needs the disk. ENOSYS, E2BIG, EINVAL: a kernel
  // older than openat2 or RESOLVE_CACHED. Either way: the pool.
  wouldBlock = fd < 0 && (errno == EAGAIN || errno == ENOSYS || errno == E2BIG || errno == EINVAL);
  if (wouldBlock) return {};
  return checkOpened(fd);
#else
  (void)path;
  wouldBlock = true;
  return {};
#endif
}

namespace {

// The folder part and the name of a shared file's absolute path.
void splitPath(const std::string& path, std::string& folder, std::string& name) {
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    folder = ".";
    name = path;
    return;
  }
  folder = slash == 0 ? std::string("/") : path.substr(0, slash);
  name = path.substr(slash + 1);
}

}  // namespace

OpenedFile openSharedFile(const std::string& path, const FileId& folder) {
#ifdef _WIN32
  (void)folder;
  return openRegularFile(path);
#else
  std::string dir, name;
  splitPath(path, dir, name);
  const int dirFd = openPinned(dir, folder, false, kPassFlags);
  if (dirFd < 0) return checkOpened(-1);
  int fd;
  do {
    fd = ::openat(dirFd, name.c_str(), kServeFlags);
  } while (fd < 0 && errno == EINTR);
  const int err = errno;
  ::close(dirFd);
  errno = err;
  return checkOpened(fd);
#endif
}

OpenedFile openSharedFileCached(const std::string& path, const FileId& folder, bool& wouldBlock) {
  wouldBlock = false;
#if defined(FERRY_HAVE_OPENAT2) && defined(RESOLVE_CACHED)
  if (openat2Allowed()) {
    std::string dir, name;
    splitPath(path, dir, name);
    const int dirFd = openPinned(dir, folder, true, kPassFlags);
    int fd = -1;
    if (dirFd >= 0) {
      fd = openNoSymlinks(dirFd, name, kServeFlags & ~O_NOFOLLOW, true);
      const int err = errno;
      ::close(dirFd);
      errno = err;
    }
    wouldBlock = fd < 0 && errno == EAGAIN;
    if (wouldBlock) return {};
    return checkOpened(fd);
  }
#endif
  (void)path;
  (void)folder;
  wouldBlock = true;
  return {};
}

int openPinnedFolderPath(const std::string& path, const FileId& id, bool cached) {
#ifdef _WIN32
  (void)path;
  (void)id;
  (void)cached;
  errno = ENOSYS;
  return -1;
#else
  return openPinned(path, id, cached, kPassFlags);
#endif
}

OpenedFile openSharedFileCachedIn(int dirFd, const char* name, bool& wouldBlock) {
  wouldBlock = false;
#if defined(FERRY_HAVE_OPENAT2) && defined(RESOLVE_CACHED)
  if (openat2Allowed()) {
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(kServeFlags & ~O_NOFOLLOW);
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_CACHED;
    int fd;
    do {
      fd = static_cast<int>(::syscall(SYS_openat2, dirFd, name, &how, sizeof how));
    } while (fd < 0 && errno == EINTR);
    // E2BIG, EINVAL: a kernel without RESOLVE_CACHED (before 5.12).
    wouldBlock = fd < 0 && (errno == EAGAIN || errno == E2BIG || errno == EINVAL);
    if (wouldBlock) return {};
    return checkOpened(fd);
  }
#endif
  (void)dirFd;
  (void)name;
  wouldBlock = true;
  return {};
}

long long readCachedAt(int fd, char* buf, std::size_t n, std::uint64_t offset) {
#if defined(__linux__) && defined(RWF_NOWAIT)
  struct iovec iov {buf, n};
  ssize_t r;
  do {
    r = ::preadv2(fd, &iov, 1, static_cast<off_t>(offset), RWF_NOWAIT);
  } while (r < 0 && errno == EINTR);
  // A kernel or file system that cannot say: read as everywhere else.
  if (r < 0 && errno == EOPNOTSUPP) return readAt(fd, buf, n, offset);
  return r;
#else
  // No way to ask (macOS, Windows): the read stays on the caller's thread,
  // as regionCached() says.
  return readAt(fd, buf, n, offset);
#endif
}

#if defined(__linux__)
namespace {

// cachestat(2), Linux 6.5: how many pages of a range are in the page cache,
// asked of the descriptor itself (no mapping). Its number is 451 on every
// architecture; older headers have neither it nor its structures.
constexpr long kSysCachestat = 451;
struct CachestatRange {
  std::uint64_t off;
  std::uint64_t len;
};
struct Cachestat {
  std::uint64_t nrCache, nrDirty, nrWriteback, nrEvicted, nrRecentlyEvicted;
};

// 1: every page cached, 0: not, -1: cachestat cannot tell (an older kernel,
// a sandbox that refuses it).
int cachedByCachestat(int fd, std::uint64_t first, std::uint64_t pages, long pageSize) {
  static std::atomic<bool> missing{false};
  if (missing.load(std::memory_order_relaxed)) return -1;
  CachestatRange range{first * static_cast<std::uint64_t>(pageSize), pages * static_cast<std::uint64_t>(pageSize)};
  Cachestat cs{};
  if (::syscall(kSysCachestat, fd, &range, &cs, 0) != 0) {
    // EPERM for this file only (newer kernels answer only for files the
    // caller owns or may write); ENOSYS for good.
    if (errno == ENOSYS) missing.store(true, std::memory_order_relaxed);
    return -1;
  }
  return cs.nrCache >= pages ? 1 : 0;
}

// mincore(2) over a read-only mapping of the pages: one byte per page, its
// low bit set when the page is in memory. The mapping touches no page.
int cachedByMincore(int fd, std::uint64_t first, std::uint64_t pages, long pageSize) {
  // For a file the caller neither owns nor may write, mincore() tells only
  // of pages mapped in this process (Linux 5.2+): it cannot answer.
  struct stat st;
  if (::fstat(fd, &st) != 0 || (st.st_uid != ::geteuid() && ::geteuid() != 0)) return -1;
  const std::size_t bytes = static_cast<std::size_t>(pages * static_cast<std::uint64_t>(pageSize));
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(first * pageSize));
  if (map == MAP_FAILED) return -1;
  int result = 1;
  unsigned char vec[256];
  for (std::uint64_t done = 0; done < pages && result == 1;) {
    const std::uint64_t n = std::min<std::uint64_t>(pages - done, sizeof vec);
    char* at = static_cast<char*>(map) + done * static_cast<std::uint64_t>(pageSize);
    if (::mincore(at, static_cast<std::size_t>(n * static_cast<std::uint64_t>(pageSize)), vec) != 0) {
      result = -1;
      break;
    }
    for (std::uint64_t i = 0; i < n; ++i)
      if (!(vec[i] & 1)) {
        result = 0;
        break;
      }
    done += n;
  }
  ::munmap(map, bytes);
  return result;
}

}  // namespace
#endif

bool regionCached(int fd, std::uint64_t offset, std::uint64_t length) {
#if defined(__linux__)
  if (length == 0) return true;
  // Every page of the region, not only its ends: one cold page in the
  // middle of a sendfile() step would stall the loop on the disk.
  static const long pageSize = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t page = static_cast<std::uint64_t>(pageSize);
  const std::uint64_t first = offset / page;
  const std::uint64_t pages = (offset + length + page - 1) / page - first;
  int cached = cachedByCachestat(fd, first, pages, pageSize);
  if (cached < 0) cached = cachedByMincore(fd, first, pages, pageSize);
  if (cached >= 0) return cached == 1;
#endif
#if defined(__linux__) && defined(RWF_NOWAIT)
  // Neither can tell (another user's file, one that cannot be mapped): its
  // first and last byte, read without waiting.
  for (std::uint64_t at : {offset, offset + length - 1}) {
    char byte;
    struct iovec iov {&byte, 1};
    ssize_t n;
    do {
      n = ::preadv2(fd, &iov, 1, static_cast<off_t>(at), RWF_NOWAIT);
    } while (n < 0 && errno == EINTR);
    // EAGAIN: not in the page cache. Other errors (a kernel without
    // RWF_NOWAIT, a disk error) are left to the read itself to report.
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    if (length == 1) break;
  }
  return true;
#else
  (void)fd;
  (void)offset;
  (void)length;
  return true;
#endif
}

void closeFile(int fd) {
  if (fd < 0) return;
#ifdef _WIN32
  ::_close(fd);
#else
  ::close(fd);
#endif
}

}  // namespace ferry
