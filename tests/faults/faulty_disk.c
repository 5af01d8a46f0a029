// A disk that misbehaves on command, preloaded into a test process
// (LD_PRELOAD) so the real server code meets the errors a failing disk
// gives: reads that fail with EIO, reads that take long, opens refused
// with EACCES (what chmod 000 does to anyone but root), writes refused
// with ENOSPC.
//
// Only files whose path contains $FERRY_FAULT_MATCH are affected. What
// they suffer is read, on every call, from the file $FERRY_FAULT_CONTROL,
// so a test can change it in the middle of a download:
//   (empty)    nothing: the calls go through
//   eio        read(), pread() and sendfile() fail with EIO
//   slow <ms>  each of those calls, and open(), sleeps <ms> first, then goes
//              through; preadv2() with RWF_NOWAIT fails with EAGAIN, as the
//              kernel says of blocks a stalled disk has not delivered yet
//   nosendfile sendfile() fails with EINVAL (a file system without it)
//   slowsync <ms>  fsync() and fdatasync() sleep <ms> first (a disk slow
//              to flush), then go through; nothing else is slowed
// openat2() through syscall() (the server's open-if-cached, and a shared
// folder's open) meets the same faults as open(): refused when "deny"; when
// "slow", EAGAIN (needs the disk) if asked not to wait, else it sleeps.
// Asked whether pages are cached (cachestat() through syscall(), mincore()
// on a mapping of an affected file), a "slow" disk has none cached.
//   deny       open() fails with EACCES
//   enospc     write() fails with ENOSPC
//
// Linux only (glibc symbol names); the suites using it run on Linux.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>

// Lets a suite check that it really runs with the shim preloaded.
int ferry_faulty_disk_loaded = 1;

// How many calls have begun waiting for a "slow" disk since the process
// started: a suite waits for it to grow to know that a server thread really
// is held up by the disk, rather than sleeping and hoping it is.
_Atomic unsigned long ferry_faulty_disk_stalls;
// How many calls are waiting for a "slow" disk right now.
_Atomic unsigned long ferry_faulty_disk_sleeping;

// The file each affected descriptor was opened on, as device and inode
// (inode 0: not affected). Checked again before each call: a descriptor
// closed some way that bypasses close() below (inside libc, say) and reused
// for a socket must not inherit the fault.
enum { kMaxFd = 65536 };
static _Atomic unsigned long long markedIno[kMaxFd];
static _Atomic unsigned long long markedDev[kMaxFd];

enum Fault { kNone, kEio, kSlow, kDeny, kEnospc, kNoSendfile, kSlowSync };

static int matches(const char* path) {
  const char* m = getenv("FERRY_FAULT_MATCH");
  return path && m && *m && strstr(path, m) != NULL;
}

// The whole path of `path` opened relative to the folder `dir` (the server
// opens a shared file below a descriptor of its folder), so that matching
// sees the folder's name too. Read with a raw system call, like the rest.
static const char* fullPath(int dir, const char* path, char* buf, size_t n) {
  if (!path || path[0] == '/' || dir == AT_FDCWD) return path;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", dir);
  long len = syscall(SYS_readlinkat, AT_FDCWD, link, buf, n - 2);
  if (len <= 0) return path;
  buf[len] = '\0';
  if ((size_t)len + 1 + strlen(path) + 1 > n) return path;
  buf[len] = '/';
  strcpy(buf + len + 1, path);
  return buf;
}

// The current fault, read with raw system calls so that reading the
// control file never comes back through the functions below.
static enum Fault currentFault(long* ms) {
  const char* control = getenv("FERRY_FAULT_CONTROL");
  if (!control) return kNone;
  int fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kNone;
  char buf[64] = {0};
  long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return kNone;
  if (strncmp(buf, "eio", 3) == 0) return kEio;
  if (strncmp(buf, "deny", 4) == 0) return kDeny;
  if (strncmp(buf, "enospc", 6) == 0) return kEnospc;
  if (strncmp(buf, "nosendfile", 10) == 0) return kNoSendfile;
  if (strncmp(buf, "slowsync", 8) == 0) {
    *ms = strtol(buf + 8, NULL, 10);
    return kSlowSync;
  }
  if (strncmp(buf, "slow", 4) == 0) {
    *ms = strtol(buf + 4, NULL, 10);
    return kSlow;
  }
  return kNone;
}

static int fileOf(int fd, unsigned long long* dev, unsigned long long* ino) {
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) != 0) return 0;
  *dev = (unsigned long long)st.st_dev;
  *ino = (unsigned long long)st.st_ino;
  return 1;
}

static int isMarked(int fd) {
  if (fd < 0 || fd >= kMaxFd) return 0;
  unsigned long long ino = atomic_load(&markedIno[fd]), dev = atomic_load(&markedDev[fd]), d, i;
  return ino != 0 && fileOf(fd, &d, &i) && d == dev && i == ino;
}

static void mark(int fd, const char* path) {
  if (fd < 0 || fd >= kMaxFd) return;
  unsigned long long dev = 0, ino = 0;
  if (!matches(path) || !fileOf(fd, &dev, &ino)) ino = 0;
  atomic_store(&markedDev[fd], dev);
  atomic_store(&markedIno[fd], ino);
}

static void sleepMs(long ms) {
  atomic_fetch_add(&ferry_faulty_disk_stalls, 1);
  atomic_fetch_add(&ferry_faulty_disk_sleeping, 1);
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
  atomic_fetch_sub(&ferry_faulty_disk_sleeping, 1);
}

// 0: go ahead; -1: fail with errno set.
static int beforeRead(int fd) {
  if (!isMarked(fd)) return 0;
  long ms = 0;
  switch (currentFault(&ms)) {
    case kEio:
      errno = EIO;
      return -1;
    case kSlow:
      sleepMs(ms);
      return 0;
    default:
      return 0;
  }
}

static int refuseOpen(const char* path) {
  long ms = 0;
  if (!matches(path)) return 0;
  switch (currentFault(&ms)) {
    case kDeny:
      errno = EACCES;
      return 1;
    case kSlow:
      sleepMs(ms);
      return 0;
    default:
      return 0;
  }
}

// real_<name>(): the next definition of <name> (a sanitizer's interceptor,
// or libc's), looked up once. memcpy: dlsym() returns an object pointer.
#define NEXT(name)                                                          \
  static __typeof__(&name) real_##name(void) {                              \
    static _Atomic(__typeof__(&name)) next;                                 \
    __typeof__(&name) p = atomic_load(&next);                               \
    if (!p) {                                                               \
      void* sym = dlsym(RTLD_NEXT, #name);                                  \
      memcpy(&p, &sym, sizeof p);                                           \
      atomic_store(&next, p);                                               \
    }                                                                       \
    return p;                                                               \
  }
NEXT(open)
NEXT(open64)
NEXT(openat)
NEXT(openat64)
NEXT(close)
NEXT(read)
NEXT(pread)
NEXT(pread64)
NEXT(preadv2)
NEXT(preadv64v2)
NEXT(sendfile)
NEXT(sendfile64)
NEXT(write)
NEXT(fsync)
NEXT(fdatasync)
NEXT(syscall)
NEXT(mmap)
NEXT(munmap)
NEXT(mincore)
#define REAL(name) real_##name()

static mode_t modeArg(int flags, va_list ap) {
  return ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? (mode_t)va_arg(ap, int) : 0;
}

#define DEFINE_OPEN(name)                                  \
  int name(const char* path, int flags, ...) {             \
    va_list ap;                                            \
    va_start(ap, flags);                                   \
    mode_t mode = modeArg(flags, ap);                      \
    va_end(ap);                                            \
    if (refuseOpen(path)) return -1;                       \
    int fd = REAL(name)(path, flags, mode);                \
    mark(fd, path);                                        \
    return fd;                                             \
  }
DEFINE_OPEN(open)
DEFINE_OPEN(open64)

#define DEFINE_OPENAT(name)                                \
  int name(int dir, const char* path, int flags, ...) {    \
    va_list ap;                                            \
    va_start(ap, flags);                                   \
    mode_t mode = modeArg(flags, ap);                      \
    va_end(ap);                                            \
    char buf[4096];                                        \
    const char* whole = fullPath(dir, path, buf, sizeof buf); \
    if (refuseOpen(whole)) return -1;                      \
    int fd = REAL(name)(dir, path, flags, mode);           \
    mark(fd, whole);                                       \
    return fd;                                             \
  }
DEFINE_OPENAT(openat)
DEFINE_OPENAT(openat64)

int close(int fd) {
  if (fd >= 0 && fd < kMaxFd) atomic_store(&markedIno[fd], 0);
  return REAL(close)(fd);
}

ssize_t read(int fd, void* buf, size_t n) {
  if (beforeRead(fd) < 0) return -1;
  return REAL(read)(fd, buf, n);
}

ssize_t pread(int fd, void* buf, size_t n, off_t off) {
  if (beforeRead(fd) < 0) return -1;
  return REAL(pread)(fd, buf, n, off);
}

ssize_t pread64(int fd, void* buf, size_t n, off64_t off) {
  if (beforeRead(fd) < 0) return -1;
  return REAL(pread64)(fd, buf, n, off);
}

// preadv2(): a read that may be told not to wait (RWF_NOWAIT). On a slow
// disk nothing is ever cached yet: it would have to wait, so EAGAIN.
static int beforeReadv2(int fd, int flags) {
  if (!(flags & RWF_NOWAIT)) return beforeRead(fd);
  // A read told not to wait never sleeps: the fault is read once, so that
  // one switched to "slow" meanwhile cannot make it wait anyway.
  long ms = 0;
  if (!isMarked(fd)) return 0;
  switch (currentFault(&ms)) {
    case kSlow:
      errno = EAGAIN;
      return -1;
    case kEio:
      errno = EIO;
      return -1;
    default:
      return 0;
  }
}

ssize_t preadv2(int fd, const struct iovec* iov, int n, off_t off, int flags) {
  if (beforeReadv2(fd, flags) < 0) return -1;
  return REAL(preadv2)(fd, iov, n, off, flags);
}

ssize_t preadv64v2(int fd, const struct iovec* iov, int n, off64_t off, int flags) {
  if (beforeReadv2(fd, flags) < 0) return -1;
  return REAL(preadv64v2)(fd, iov, n, off, flags);
}

static int beforeSendfile(int in) {
  long ms = 0;
  if (isMarked(in) && currentFault(&ms) == kNoSendfile) {
    errno = EINVAL;
    return -1;
  }
  return beforeRead(in);
}

ssize_t sendfile(int out, int in, off_t* off, size_t n) {
  if (beforeSendfile(in) < 0) return -1;
  return REAL(sendfile)(out, in, off, n);
}

ssize_t sendfile64(int out, int in, off64_t* off, size_t n) {
  if (beforeSendfile(in) < 0) return -1;
  return REAL(sendfile64)(out, in, off, n);
}

ssize_t write(int fd, const void* buf, size_t n) {
  long ms = 0;
  if (isMarked(fd) && currentFault(&ms) == kEnospc) {
    errno = ENOSPC;
    return -1;
  }
  return REAL(write)(fd, buf, n);
}

static void beforeSync(int fd) {
  long ms = 0;
  if (isMarked(fd) && currentFault(&ms) == kSlowSync) sleepMs(ms);
}

int fsync(int fd) {
  beforeSync(fd);
  return REAL(fsync)(fd);
}

int fdatasync(int fd) {
  beforeSync(fd);
  return REAL(fdatasync)(fd);
}

// Mappings of affected files, so that mincore() on them can say "not
// cached" on a slow disk: a few at a time is all a server makes (one per
// check, unmapped at once).
enum { kMaxMaps = 64 };
static _Atomic(uintptr_t) mapStart[kMaxMaps];
static _Atomic(size_t) mapLength[kMaxMaps];

void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  void* p = REAL(mmap)(addr, len, prot, flags, fd, off);
  if (p != MAP_FAILED && isMarked(fd))
    for (int i = 0; i < kMaxMaps; ++i) {
      uintptr_t none = 0;
      if (atomic_compare_exchange_strong(&mapStart[i], &none, (uintptr_t)p)) {
        atomic_store(&mapLength[i], len);
        break;
      }
    }
  return p;
}

int munmap(void* addr, size_t len) {
  for (int i = 0; i < kMaxMaps; ++i) {
    uintptr_t at = (uintptr_t)addr;
    if (atomic_load(&mapStart[i]) == at) {
      atomic_store(&mapLength[i], 0);
      atomic_store(&mapStart[i], 0);
    }
  }
  return REAL(munmap)(addr, len);
}

int mincore(void* addr, size_t len, unsigned char* vec) {
  int r = REAL(mincore)(addr, len, vec);
  long ms = 0;
  if (r != 0) return r;
  for (int i = 0; i < kMaxMaps; ++i) {
    uintptr_t start = atomic_load(&mapStart[i]);
    size_t n = atomic_load(&mapLength[i]);
    if (start && (uintptr_t)addr >= start && (uintptr_t)addr < start + n) {
      const size_t page = (size_t)sysconf(_SC_PAGESIZE);
      if (currentFault(&ms) == kSlow) memset(vec, 0, (len + page - 1) / page);
      break;
    }
  }
  return r;
}

// syscall(): only openat2 and cachestat are looked at; every other call goes through with
// its six argument registers as they came.
long syscall(long n, ...) {
  va_list ap;
  va_start(ap, n);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(ap, long);
  va_end(ap);
  if (n == SYS_openat2) {
    char buf[4096];
    const char* path = fullPath((int)a[0], (const char*)a[1], buf, sizeof buf);
    const struct open_how* how = (const struct open_how*)a[2];
    long ms = 0;
    if (matches(path)) {
      enum Fault f = currentFault(&ms);
      if (f == kDeny) {
        errno = EACCES;
        return -1;
      }
      if (f == kSlow && (how->resolve & RESOLVE_CACHED)) {
        errno = EAGAIN;
        return -1;
      }
      if (f == kSlow) sleepMs(ms);
    }
    long fd = REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    mark((int)fd, path);
    return fd;
  }
  if (n == 451) {  // cachestat(fd, range, stat, flags)
    long r = REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    long ms = 0;
    if (r == 0 && isMarked((int)a[0]) && currentFault(&ms) == kSlow) ((unsigned long long*)a[2])[0] = 0;  // nr_cache
    return r;
  }
  return REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
