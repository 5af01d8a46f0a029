#include "file_io.h"

#include <cerrno>
#include <fcntl.h>
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
#endif

namespace ferry {

int openForReading(const std::string& path) {
#ifdef _WIN32
  // Windows: the path is UTF-8 here and UTF-16 to the OS; binary mode, or
  // the C runtime would translate line ends and stop at Ctrl+Z.
  int len = ::MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
  if (len <= 0) {
    errno = EINVAL;  // callers read errno to say why
    return -1;
  }
  std::wstring wide(static_cast<std::size_t>(len), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, wide.data(), len);
  return ::_wopen(wide.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT);
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

bool regionCached(int fd, std::uint64_t offset, std::uint64_t length) {
#if defined(__linux__) && defined(RWF_NOWAIT)
  if (length == 0) return true;
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
