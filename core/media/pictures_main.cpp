// ferry-pictures: decodes pictures for Ferry in a process of its own, so the
// server never loads libvips or libav* and a decoder that crashes or hangs
// on a hostile file ends this process, not the server.
//
//   ferry-pictures --idle SECONDS     (started by PictureHelpers, never by hand)
//
// Its socket to Ferry is fd 3 (picture_wire.h says what goes over it): one
// request at a time, each with the descriptor of the file to decode; it
// never opens a path. It ends when Ferry closes the socket or after SECONDS
// without a request. Besides the decoders' own limits (picture.h), each
// request runs under a CPU-time limit, and the process under an
// address-space limit, so a decoder that spins or balloons is stopped by
// the kernel even if Ferry's own deadline were late.

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decoders.h"
#include "picture_wire.h"

namespace {

using namespace ferry;
using namespace ferry::media;

constexpr int kSock = kHelperSocketFd;
using Clock = std::chrono::steady_clock;
// How long without a request before freed memory is handed back.
constexpr std::chrono::milliseconds kTrimAfter{1000};
// The lowest nice value a helper runs at.
constexpr int kNice = 10;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Largest address space a decode may use: a 200 MP original decoded whole
// (HEIF has no shrink-on-load) is about 1 GB of pixels, plus libraries.
constexpr rlim_t kAddressSpace = rlim_t{4} << 30;

// Only what Ferry passed: descriptors a thread of the server opened
// without close-on-exec are closed if the spawn left any.
void closeOthers() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  if (::close_range(kSock + 1, ~0U, 0) == 0) return;
#endif
  const long max = ::sysconf(_SC_OPEN_MAX);
  for (long fd = kSock + 1; fd < (max > 0 ? max : 1024); ++fd) ::close(static_cast<int>(fd));
}

void limitProcess() {
  // Decoding gives way to the server and the desktop: a download going on
  // meanwhile keeps its speed, and pictures take whatever CPU is left. A
  // helper started lower (the folder scanner's, at 19) stays there.
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  if (errno == 0 && nice < kNice) ::setpriority(PRIO_PROCESS, 0, kNice);
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);  // a crash leaves no core file in someone's folder
  // The sanitizers reserve terabytes of address space up front.
  if (!kSanitized) {
    rlimit as{kAddressSpace, kAddressSpace};
    ::setrlimit(RLIMIT_AS, &as);
  }
}

// At most `seconds` more CPU time for this request (SIGXCPU ends the
// process past it): the soft limit moves up with each request.
void limitCpu(unsigned seconds) {
  rusage used{};
  if (::getrusage(RUSAGE_SELF, &used) != 0) return;
  rlimit cpu{};
  if (::getrlimit(RLIMIT_CPU, &cpu) != 0) return;
  const rlim_t want = static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec) + seconds + 1;
  cpu.rlim_cur = cpu.rlim_max == RLIM_INFINITY ? want : std::min(want, cpu.rlim_max);
  ::setrlimit(RLIMIT_CPU, &cpu);
}

// Hands freed heap memory back to the system.
void releaseMemory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

// Ends the process as it is: nothing is buffered, and libvips' and GLib's
// process-long allocations need no freeing (nor a leak checker's report).
[[noreturn]] void quit() { ::_exit(0); }

bool writeAll(const void* buf, std::size_t n) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t sent = ::send(kSock, p, n, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    p += sent;
    n -= static_cast<std::size_t>(sent);
  }
  return true;
}

// The next request and its descriptor; false at the end (Ferry closed the
// socket, or sent something that is not a request).
bool readRequest(PictureRequest& request, int& fd) {
  fd = -1;
  auto* p = reinterpret_cast<char*>(&request);
  std::size_t got = 0;
  while (got < sizeof request) {
    iovec iov{p + got, sizeof request - got};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(kSock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int passed;
        std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
        if (fd >= 0) ::close(fd);
        fd = passed;
      }
    got += static_cast<std::size_t>(n);
  }
  if (got == sizeof request && fd >= 0 && request.protocol == kPictureProtocol) return true;
  if (fd >= 0) ::close(fd);
  return false;
}

#ifdef FERRY_PICTURES_TEST_HOOKS
// Test builds only: FERRY_PICTURES_CRASH_ON=NAME makes the decoder crash
// (SIGSEGV) on a file of that name, as a decoder bug on a hostile file
// would, so the suites can show the server survives it.
void crashIfAsked(int fd) {
  const char* name = std::getenv("FERRY_PICTURES_CRASH_ON");
  if (!name || !*name) return;
  char link[4096];
  const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), link, sizeof link - 1);
  if (n <= 0) return;
  const std::string path(link, static_cast<std::size_t>(n));
  if (path.size() > std::strlen(name) && path.compare(path.size() - std::strlen(name), std::string::npos, name) == 0 &&
      path[path.size() - std::strlen(name) - 1] == '/')
    std::raise(SIGSEGV);
}
#endif

void answer(const PictureRequest& request, int fd) {
  PictureReply reply;
  Picture picture;
  std::string why;
  const auto kind = static_cast<MediaKind>(request.kind);
  const PictureLimits limits{request.maxPixels, std::chrono::milliseconds(request.timeLimitMs)};
  limitCpu(request.timeLimitMs / 1000 + 1);
#ifdef FERRY_PICTURES_TEST_HOOKS
  crashIfAsked(fd);
#endif
  bool ok = false;
  if (request.op == PictureOp::kTaken) {
    std::int64_t taken = 0;
    if (kind == MediaKind::kImage) ok = startVips() && imageTaken(fd, taken);
#if FERRY_HAVE_AV
    if (kind == MediaKind::kVideo) ok = videoTaken(fd, taken);
#endif
    reply.taken = taken;
  } else if (!startVips()) {
    why = "libvips did not start";
  } else if (kind == MediaKind::kImage) {
    ok = imagePicture(fd, request.side, limits, picture, why);
#if FERRY_HAVE_AV
  } else if (kind == MediaKind::kVideo) {
    ok = videoPicture(fd, request.side, limits, picture, why);
#endif
  } else {
    why = "this build makes no pictures of such files";
  }
  ::close(fd);
  if (ok && picture.bytes.size() > kMaxPictureBytes) {
    ok = false;
    picture = {};
    why = "its picture is too large";
  }
  reply.ok = ok ? 1 : 0;
  reply.width = picture.width;
  reply.height = picture.height;
  if (why.size() > kMaxWhy) why.resize(kMaxWhy);
  reply.whyLength = ok ? 0 : static_cast<std::uint32_t>(why.size());
  reply.bytesLength = ok ? static_cast<std::uint32_t>(picture.bytes.size()) : 0;
  if (!writeAll(&reply, sizeof reply) || !writeAll(why.data(), reply.whyLength) ||
      !writeAll(picture.bytes.data(), reply.bytesLength))
    quit();  // Ferry gave up on this request (or ended)
}

}  // namespace

int main(int argc, char** argv) {
  int idleSeconds = 30;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--idle") == 0) idleSeconds = std::atoi(argv[i + 1]);
  if (idleSeconds <= 0) idleSeconds = 30;
  if (::fcntl(kSock, F_GETFD) < 0) {
    std::fprintf(stderr, "ferry-pictures: started by Ferry only (no socket at fd %d)\n", kSock);
    return 2;
  }
  closeOthers();
  std::signal(SIGPIPE, SIG_IGN);
  limitProcess();
  const auto idle = std::chrono::seconds(idleSeconds);
  auto lastRequest = Clock::now();
  bool freed = false;  // decoders have run since memory was last given back
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(lastRequest + idle - Clock::now());
    if (left.count() <= 0) quit();  // idle long enough: Ferry starts another when needed
    // A second without a request: what the decoders freed goes back to the
    // system (glibc keeps freed memory in each thread's arena), so a helper
    // waiting for more work holds little beyond its libraries.
    const auto wait = freed ? std::min(left, kTrimAfter) : left;
    pollfd pfd{kSock, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) quit();
    if (ready == 0) {
      if (freed) releaseMemory();
      freed = false;
      continue;
    }
    PictureRequest request;
    int fd = -1;
    if (!readRequest(request, fd)) quit();
    answer(request, fd);
    lastRequest = Clock::now();
    freed = true;
  }
}
