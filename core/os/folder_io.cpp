#include "folder_io.h"

#include "native_path.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>

#ifdef _WIN32
#include <filesystem>
#include <system_error>
#else
#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__linux__)
#include <linux/openat2.h>
#endif

namespace ferry {
namespace {

#ifdef _WIN32
// Paths are UTF-8 std::string here and UTF-16 to Windows.
// Long ones get Windows' "\\?\" prefix (nativePath).
std::filesystem::path fsPath(const std::string& s) { return std::filesystem::path(nativePath(s)); }
std::string utf8(const std::filesystem::path& p) {
  auto u = p.u8string();
  return std::string(u.begin(), u.end());
}
#endif

#if defined(__linux__) && defined(SYS_openat2) && defined(RESOLVE_BENEATH)
#define FERRY_HAVE_OPENAT2 1
int openat2Beneath(int dirFd, const char* rel, int flags, bool cached) {
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
#ifdef RESOLVE_CACHED
  if (cached) how.resolve |= RESOLVE_CACHED;
#else
  if (cached) {
    errno = EAGAIN;
    return -1;
  }
#endif
  int fd;
  do {
    fd = static_cast<int>(::syscall(SYS_openat2, dirFd, rel, &how, sizeof how));
  } while (fd < 0 && errno == EINTR);
  return fd;
}
#endif

// Turns an open descriptor into the answer: kept if it is what was wanted.
OpenedFile keepIf(int fd, bool wantFile, bool wantFolder) {
  OpenedFile f;
  f.fd = fd;
  if (fd < 0) {
    f.error = errno;
    // A symlink that leaves the folder, dangles or loops is simply not
    // there, like a special file.
    if (f.error == ELOOP || f.error == EXDEV) {
      f.error = 0;
      f.notRegular = true;
    }
    return f;
  }
  if (!statFile(fd, f.info)) {
    f.error = errno;
  } else if ((wantFile && f.info.regular) || (wantFolder && f.info.folder)) {
    return f;
  } else {
    f.notRegular = true;
  }
  closeFile(fd);
  f.fd = -1;
  return f;
}

#ifndef _WIN32
constexpr int kFileFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
constexpr int kFolderFlags = O_RDONLY | O_CLOEXEC | O_DIRECTORY;

// Where openat2 is missing: from the root, one name at a time, following
// no symlink on the way.
int walkNoFollow(int rootFd, const std::string& rel, int lastFlags) {
  int dir = rootFd;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = rel.find('/', start);
    std::string name = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    bool last = slash == std::string::npos;
    int fd = ::openat(dir, name.c_str(), (last ? lastFlags : kFolderFlags) | O_NOFOLLOW);
    int err = errno;
    if (dir != rootFd) ::close(dir);
    if (fd < 0 || last) {
      errno = err;
      return fd;
    }
    dir = fd;
    start = slash + 1;
  }
}
#endif

}  // namespace

FolderRoot::~FolderRoot() { close(); }

bool FolderRoot::isOpen() const {
#ifdef _WIN32
  return !path_.empty();
#else
  return fd_ >= 0;
#endif
}

void FolderRoot::close() {
#ifndef _WIN32
  if (fd_ >= 0) ::close(fd_);
#endif
  fd_ = -1;
  path_.clear();
}

bool FolderRoot::openAsChosen(const std::string& path, int& error) {
  close();
#ifdef _WIN32
  return open(path, {}, error);
#else
  return adopt(::open(path.c_str(), kFolderFlags), path, error);
#endif
}

bool FolderRoot::open(const std::string& path, const FileId& id, int& error) {
  close();
#ifdef _WIN32
  (void)id;
  std::error_code ec;
  if (!std::filesystem::is_directory(fsPath(path), ec)) {
    error = ec ? ec.value() : ENOTDIR;
    return false;
  }
  path_ = path;
  return true;
#else
  return adopt(openPinnedFolder(path, id), path, error);
#endif
}

bool FolderRoot::adopt(int fd, const std::string& path, int& error) {
#ifdef _WIN32
  (void)fd;
  (void)path;
  error = ENOSYS;
  return false;
#else
  fd_ = fd;
  if (fd_ < 0) {
    error = errno;
    return false;
  }
  path_ = path;
  beneath_ = false;
#ifdef FERRY_HAVE_OPENAT2
  if (openat2Allowed()) {
    int probe = openat2Beneath(fd_, ".", O_PATH | O_CLOEXEC, false);
    beneath_ = probe >= 0;
    if (probe >= 0) ::close(probe);
  }
#endif
  return true;
#endif
}

OpenedFile FolderRoot::openFile(const std::string& rel) const {
  if (rel.empty()) return keepIf(-1, true, false);
#ifdef _WIN32
  OpenedFile f = openRegularFile(path_ + "/" + rel);
#else
#ifdef FERRY_HAVE_OPENAT2
  OpenedFile f = beneath_ ? keepIf(openat2Beneath(fd_, rel.c_str(), kFileFlags, false), true, false)
                          : keepIf(walkNoFollow(fd_, rel, kFileFlags), true, false);
#else
  OpenedFile f = keepIf(walkNoFollow(fd_, rel, kFileFlags), true, false);
#endif
#endif
  if (progress_) progress_->mark();
  return f;
}

OpenedFile FolderRoot::openFileCached(const std::string& rel, bool& wouldBlock) const {
  if (!beneath_) {
    wouldBlock = true;
    return {};
  }
  return openFileCachedBelow(fd_, rel, wouldBlock);
}

OpenedFile FolderRoot::openFileCachedBelow(int rootFd, const std::string& rel, bool& wouldBlock) {
  wouldBlock = false;
#if defined(FERRY_HAVE_OPENAT2) && defined(RESOLVE_CACHED)
  if (openat2Allowed() && !rel.empty()) {
    int fd = openat2Beneath(rootFd, rel.c_str(), kFileFlags, true);
    if (fd < 0 && (errno == EAGAIN || errno == E2BIG || errno == EINVAL)) {
      wouldBlock = true;
      return {};
    }
    return keepIf(fd, true, false);
  }
#endif
  (void)rootFd;
  (void)rel;
  wouldBlock = true;
  return {};
}

OpenedFile FolderRoot::statEntry(const std::string& rel) const {
#ifdef _WIN32
  OpenedFile f;
  std::error_code ec;
  auto p = fsPath(rel.empty() ? path_ : path_ + "/" + rel);
  auto st = std::filesystem::symlink_status(p, ec);
  if (ec) {
    f.error = ENOENT;
    return f;
  }
  if (std::filesystem::is_directory(st)) {
    f.info.folder = true;
    fileIdentity(utf8(p), f.info.device, f.info.inode);
    return f;
  }
  if (!std::filesystem::is_regular_file(st)) {
    f.notRegular = true;
    return f;
  }
  OpenedFile file = openRegularFile(utf8(p));
  closeFile(file.fd);
  file.fd = -1;
  return file;
#else
  const char* r = rel.empty() ? "." : rel.c_str();
  int fd;
#ifdef FERRY_HAVE_OPENAT2
  if (beneath_) {
    fd = openat2Beneath(fd_, r, O_PATH | O_CLOEXEC, false);
  } else
#endif
  {
    fd = rel.empty() ? ::openat(fd_, ".", O_PATH | O_CLOEXEC) : walkNoFollow(fd_, rel, O_PATH | O_CLOEXEC);
  }
  OpenedFile f = keepIf(fd, true, true);
  closeFile(f.fd);  // an O_PATH descriptor reads nothing; the info is what counts
  f.fd = -1;
  if (progress_) progress_->mark();
  return f;
#endif
}

bool FolderRoot::list(const std::string& rel, std::vector<FolderEntry>& out, int& error, std::size_t max) const {
  out.clear();
#ifdef _WIN32
  std::error_code ec;
  auto dir = fsPath(rel.empty() ? path_ : path_ + "/" + rel);
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) {
    error = ENOENT;
    return false;
  }
  for (; it != end && out.size() < max; it.increment(ec)) {
    if (ec) break;
    std::error_code sec;
    auto st = it->symlink_status(sec);
    if (sec || std::filesystem::is_symlink(st)) continue;
    FolderEntry e;
    e.name = utf8(it->path().filename());
    if (std::filesystem::is_directory(st)) {
      e.info.folder = true;
      e.info.mode = 0755;
      // Its identity, so that a walk can tell a folder from its ancestors.
      fileIdentity(utf8(it->path()), e.info.device, e.info.inode);
    } else if (std::filesystem::is_regular_file(st)) {
      OpenedFile f = openRegularFile(utf8(it->path()));
      if (f.fd < 0) continue;
      e.info = f.info;
      closeFile(f.fd);
    } else {
      continue;
    }
    out.push_back(std::move(e));
    if (progress_) progress_->mark();
  }
  return true;
#else
  int dfd;
#ifdef FERRY_HAVE_OPENAT2
  if (beneath_)
    dfd = openat2Beneath(fd_, rel.empty() ? "." : rel.c_str(), kFolderFlags, false);
  else
#endif
    dfd = rel.empty() ? ::openat(fd_, ".", kFolderFlags) : walkNoFollow(fd_, rel, kFolderFlags);
  if (dfd < 0) {
    error = errno;
    return false;
  }
  if (progress_) progress_->mark();
  DIR* d = ::fdopendir(dfd);
  if (!d) {
    error = errno;
    ::close(dfd);
    return false;
  }
  std::string childRel;
  while (out.size() < max) {
    dirent* de = ::readdir(d);
    if (!de) break;
    const char* name = de->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    struct stat st {};
    if (::fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    FolderEntry e;
    e.name = name;
    if (S_ISLNK(st.st_mode)) {
      // A link counts as what it points to, if that stays inside.
      childRel = rel.empty() ? e.name : rel + "/" + e.name;
      OpenedFile target = statEntry(childRel);
      if (target.error || target.notRegular) continue;
      e.info = target.info;
    } else if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
      e.info.size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
      e.info.mtime = st.st_mtime;
#if defined(__APPLE__)
      e.info.mtimeNs = static_cast<std::uint64_t>(st.st_mtimespec.tv_sec) * 1000000000ull + st.st_mtimespec.tv_nsec;
      e.info.ctimeNs = static_cast<std::uint64_t>(st.st_ctimespec.tv_sec) * 1000000000ull + st.st_ctimespec.tv_nsec;
#else
      e.info.mtimeNs = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec;
      e.info.ctimeNs = static_cast<std::uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + st.st_ctim.tv_nsec;
#endif
      e.info.inode = static_cast<std::uint64_t>(st.st_ino);
      e.info.device = static_cast<std::uint64_t>(st.st_dev);
      e.info.mode = static_cast<std::uint32_t>(st.st_mode & 07777);
      e.info.regular = S_ISREG(st.st_mode);
      e.info.folder = S_ISDIR(st.st_mode);
    } else {
      continue;  // FIFOs, devices, sockets: never listed, never opened
    }
    out.push_back(std::move(e));
    if (progress_) progress_->mark();
  }
  ::closedir(d);
  return true;
#endif
}

}  // namespace ferry
