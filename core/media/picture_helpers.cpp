#include "picture_helpers.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ferry::media {
namespace {

using Clock = std::chrono::steady_clock;

// Time a fresh helper needs beyond the decoder's own limit: starting, and
// loading libvips (longer under a sanitizer).
constexpr std::chrono::milliseconds kMargin{3000};
// A helper ends itself after this long without a request.
constexpr int kIdleSeconds = 30;

constexpr char kHelperName[] = "ferry-pictures";

bool executable(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The directory of the running executable, with a trailing slash; "" where
// the system will not say (the built path is tried then).
std::string executableDir() {
#ifdef __linux__
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string path(buf, static_cast<std::size_t>(n));
  const auto cut = path.find_last_of('/');
  return cut == std::string::npos ? std::string() : path.substr(0, cut + 1);
#else
  return {};
#endif
}

std::string findHelper() {
  if (const char* env = std::getenv("FERRY_PICTURES_HELPER"); env && *env) {
    if (executable(env)) return env;
    std::fprintf(stderr, "ferry: pictures are off: FERRY_PICTURES_HELPER names %s, which is not an executable\n", env);
    return {};
  }
  const std::string beside = executableDir() + kHelperName;
  if (executable(beside)) return beside;
  std::string built;
#ifdef FERRY_PICTURES_BUILT_AT
  built = FERRY_PICTURES_BUILT_AT;
  if (executable(built)) return built;
#endif
  std::fprintf(stderr, "ferry: pictures are off: the picture helper is not at %s%s%s (file type icons are shown instead)\n",
               beside.c_str(), built.empty() ? "" : " nor at ", built.c_str());
  return {};
}

// This thread's CPU and I/O priority, as one number: what a helper it
// starts inherits.
long priorityOfThisThread() {
#ifdef __linux__
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const long nice = ::getpriority(PRIO_PROCESS, tid);
  constexpr int kWhoProcess = 1;  // IOPRIO_WHO_PROCESS: a thread, by its id
  const long io = ::syscall(SYS_ioprio_get, kWhoProcess, static_cast<int>(tid));
  return (nice + 20) << 16 | (io < 0 ? 0 : io);
#else
  return ::getpriority(PRIO_PROCESS, 0);
#endif
}

int idleSeconds() {
  // Tests shorten it to watch helpers go.
  if (const char* env = std::getenv("FERRY_PICTURES_IDLE")) {
    const int s = std::atoi(env);
    if (s > 0) return s;
  }
  return kIdleSeconds;
}

// Reads exactly n bytes before the deadline: 1 done, 0 end of stream
// or an error, -1 the deadline passed.
int readAll(int fd, void* buf, std::size_t n, Clock::time_point deadline) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return -1;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return 0;
    if (ready == 0) continue;  // the loop's check says whether time is up
    const ssize_t got = ::read(fd, p, n);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return 0;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return 1;
}

// The request, with the descriptor riding on its bytes. The socket is
// empty (a helper answers everything before it is asked again), so a few
// dozen bytes never block.
bool sendRequest(int sock, const PictureRequest& request, int fd) {
  iovec iov{const_cast<PictureRequest*>(&request), sizeof request};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  for (;;) {
    const ssize_t sent = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    return sent == static_cast<ssize_t>(sizeof request);
  }
}

}  // namespace

PictureHelpers& PictureHelpers::instance() {
  // Never destroyed: pool threads may still be asking while the process
  // exits, and helpers end by themselves when their socket closes.
  static PictureHelpers* helpers = new PictureHelpers;
  return *helpers;
}

PictureHelpers::PictureHelpers() = default;

bool PictureHelpers::available() {
  std::call_once(found_, [this] { path_ = findHelper(); });
  return !path_.empty();
}

bool PictureHelpers::ask(const PictureRequest& request, int fd, std::chrono::milliseconds limit, PictureReply& reply,
                         std::string& bytes, std::string& why) {
  reply = {};
  bytes.clear();
  if (!available()) {
    why = "the picture helper is not installed";
    return false;
  }
  // A helper that ended just as it was taken (idle: its socket ends, and it
  // exited 0 without reading; or killed from outside) is replaced once; one
  // that died of the request costs this picture.
  for (int attempt = 0;; ++attempt) {
    Helper h;
    bool fresh = false;
    if (!take(h, fresh, why)) return false;
    const Exchange e = exchange(h, request, fd, Clock::now() + limit + kMargin, reply, bytes, why);
    if (e == Exchange::kAnswered) {
      giveBack(h);
      return true;
    }
    if (e == Exchange::kTooSlow) {
      abandon(h);
      why = "it took too long to decode";
    } else {
      const int status = end(h);
      const bool tookNothing = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      // SIGKILL comes from outside (the OOM killer, a user), never from a
      // decoder's own crash: such a helper may have been dying as it was
      // taken (its threads still closing its socket), so this picture is
      // not its fault.
      const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
      if ((tookNothing || killed) && !fresh && attempt == 0) continue;
      why = "it could not be decoded";
    }
    reply = {};
    bytes.clear();
    return false;
  }
}

PictureHelpers::Exchange PictureHelpers::exchange(const Helper& h, const PictureRequest& request, int fd,
                                                  Clock::time_point deadline, PictureReply& reply,
                                                  std::string& bytes, std::string& why) {
  if (!sendRequest(h.sock, request, fd)) return Exchange::kEnded;
  int rc = readAll(h.sock, &reply, sizeof reply, deadline);
  if (rc <= 0) return rc < 0 ? Exchange::kTooSlow : Exchange::kEnded;
  if (reply.whyLength > kMaxWhy || reply.bytesLength > kMaxPictureBytes) return Exchange::kEnded;
  why.assign(reply.whyLength, '\0');
  bytes.assign(reply.bytesLength, '\0');
  if ((rc = readAll(h.sock, why.data(), why.size(), deadline)) > 0)
    rc = readAll(h.sock, bytes.data(), bytes.size(), deadline);
  if (rc <= 0) return rc < 0 ? Exchange::kTooSlow : Exchange::kEnded;
  return Exchange::kAnswered;
}

bool PictureHelpers::take(Helper& h, bool& fresh, std::string& why) {
  std::vector<Helper> ended;
  bool found = false;
  {
    std::lock_guard lock(mu_);
    // The most recently used of this thread's priority first: the others
    // may reach their idle end. One that ended (its socket at its end), or
    // that is about to end idle, is not sent anything.
    const auto now = Clock::now();
    const long priority = priorityOfThisThread();
    for (auto it = idle_.end(); !found && it != idle_.begin();) {
      --it;
      char c;
      const bool alive =
          ::recv(it->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      if (!alive || now - it->idleSince >= idleTime_ * 3 / 4) {
        ended.push_back(*it);
        it = idle_.erase(it);
      } else if (it->priority == priority) {
        h = *it;
        idle_.erase(it);
        found = true;
      }
    }
    if (found || !ended.empty()) wake();  // the reaper stops watching those sockets
  }
  for (const Helper& e : ended) end(e);
  if (found) {
    fresh = false;
    return true;
  }
  fresh = true;
  return spawn(h, why);
}

bool PictureHelpers::spawn(Helper& h, std::string& why) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    why = "the picture helper could not start";
    return false;
  }
  // The child's end must not be fd 3 itself: dup2(3, 3) would keep its
  // close-on-exec flag on some C libraries.
  if (sv[1] <= kHelperSocketFd) {
    const int moved = ::fcntl(sv[1], F_DUPFD_CLOEXEC, kHelperSocketFd + 1);
    ::close(sv[1]);
    if (moved < 0) {
      ::close(sv[0]);
      why = "the picture helper could not start";
      return false;
    }
    sv[1] = moved;
  }
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&files);
  posix_spawnattr_init(&attr);
  // Its socket as fd 3, no stdin or stdout, stderr kept (where a sanitizer
  // reports). Every other descriptor is close-on-exec already; closefrom
  // makes sure of those opened without it by any thread.
  posix_spawn_file_actions_adddup2(&files, sv[1], kHelperSocketFd);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&files, kHelperSocketFd + 1);
#endif
  // Default signal handling and no blocked signals, whatever the thread
  // that starts it had (the server ignores SIGPIPE, blocks SIGTERM...).
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int idleS = idleSeconds();
  const std::string idle = std::to_string(idleS);
  char* argv[] = {const_cast<char*>(path_.c_str()), const_cast<char*>("--idle"), const_cast<char*>(idle.c_str()),
                  nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, path_.c_str(), &files, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    why = "the picture helper could not start";
    return false;
  }
  h = {pid, sv[0], priorityOfThisThread(), {}};
  std::lock_guard lock(mu_);
  idleTime_ = std::chrono::seconds(idleS);
  live_.push_back(pid);
  startReaper();
  return true;
}

void PictureHelpers::giveBack(Helper h) {
  h.idleSince = Clock::now();
  std::lock_guard lock(mu_);
  idle_.push_back(h);
  wake();
}

int PictureHelpers::end(Helper h) {
  // Killed whatever state it is in (a hang, a crash half done, already
  // exited: a process already exiting keeps its own status); waited for,
  // so it leaves no zombie and its pid is not reused while we hold it.
  ::kill(h.pid, SIGKILL);
  ::close(h.sock);
  int status = 0;
  while (::waitpid(h.pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mu_);
  live_.erase(std::remove(live_.begin(), live_.end(), h.pid), live_.end());
  wake();  // the reaper returns once none is left
  return status;
}

void PictureHelpers::abandon(Helper h) {
  ::kill(h.pid, SIGKILL);
  ::close(h.sock);
  std::lock_guard lock(mu_);
  dying_.push_back(h.pid);
  startReaper();  // (running already, unless its poll() failed)
  wake();         // it looks for this one's end from now on
}

void PictureHelpers::startReaper() {
  if (reaperRunning_) return;
  if (wakeRead_ < 0) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return;  // helpers are then reaped when next used or killed
    wakeRead_ = p[0];
    wakeWrite_ = p[1];
  }
  if (reaper_.joinable()) reaper_.join();  // it returned when the last helper went
  reaperRunning_ = true;
  reaper_ = std::thread([this] { reap(); });
}

void PictureHelpers::wake() {
  if (wakeWrite_ < 0) return;
  const char c = 1;
  [[maybe_unused]] const ssize_t n = ::write(wakeWrite_, &c, 1);  // full: a wake is pending already
}

// Watches the idle helpers' sockets: an idle helper writes nothing, so its
// socket turning readable means it ended (idle, or killed by someone). It
// is then waited for. Returns when no helper runs; started again with the
// next one.
void PictureHelpers::reap() {
  std::vector<pollfd> fds;
  int dyingWaitMs = 20;  // a killed process usually goes at once; a stuck one is looked at less often
  for (;;) {
    int timeoutMs = -1;
    {
      std::lock_guard lock(mu_);
      // Killed ones are waited for without blocking: a process in an
      // uninterruptible read dies when the read returns, maybe much later.
      for (auto it = dying_.begin(); it != dying_.end();) {
        int status = 0;
        const pid_t r = ::waitpid(*it, &status, WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR)) {
          ++it;
          continue;
        }
        live_.erase(std::remove(live_.begin(), live_.end(), *it), live_.end());
        it = dying_.erase(it);
      }
      if (live_.empty()) {
        reaperRunning_ = false;
        return;
      }
      if (dying_.empty()) {
        dyingWaitMs = 20;
      } else {
        timeoutMs = dyingWaitMs;
        dyingWaitMs = std::min(dyingWaitMs * 2, 1000);
      }
      fds.assign(1, pollfd{wakeRead_, POLLIN, 0});
      for (const Helper& h : idle_) fds.push_back(pollfd{h.sock, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), timeoutMs) < 0 && errno != EINTR && errno != ENOMEM) {
      std::lock_guard lock(mu_);
      reaperRunning_ = false;  // started again with the next helper
      return;
    }
    char drain[64];
    while (::read(wakeRead_, drain, sizeof drain) > 0) {
    }
    std::vector<Helper> ended;
    {
      std::lock_guard lock(mu_);
      // Checked again under the lock: a socket polled may have been taken
      // and given back meanwhile; only one that is at its end now counts.
      for (auto it = idle_.begin(); it != idle_.end();) {
        char c;
        const ssize_t n = ::recv(it->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          ++it;
          continue;
        }
        ended.push_back(*it);
        it = idle_.erase(it);
      }
    }
    for (const Helper& h : ended) end(h);
  }
}

}  // namespace ferry::media
