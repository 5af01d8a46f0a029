// poll(2) backend, and WSAPoll on Windows: the same API under two names, so
// the portable path that Windows takes is exercised on every POSIX machine.
//
// Keeps a dense pollfd array plus an fd -> index map; remove() swaps the last
// entry into the hole so every operation but wait() is O(1).

#include "poller.h"

#include "memory_release.h"

#include <unordered_map>

#ifdef _WIN32
#include <winsock2.h>
#define FERRY_POLL ::WSAPoll
using PollFd = WSAPOLLFD;
#else
#include <cerrno>
#include <poll.h>
#define FERRY_POLL ::poll
using PollFd = pollfd;
#endif

namespace ferry {
namespace {

short toPoll(std::uint8_t interest) {
  short ev = 0;
  if (interest & kReadable) ev |= POLLIN;
  if (interest & kWritable) ev |= POLLOUT;
  return ev;
}

class PollPoller final : public Poller {
 public:
  std::error_code add(NativeSocket fd, std::uint8_t interest) override {
    if (index_.count(fd)) return std::make_error_code(std::errc::file_exists);
    index_[fd] = fds_.size();
    PollFd p{};
    p.fd = fd;
    p.events = toPoll(interest);
    fds_.push_back(p);
    return {};
  }

  std::error_code modify(NativeSocket fd, std::uint8_t interest) override {
    auto it = index_.find(fd);
    if (it == index_.end()) return std::make_error_code(std::errc::no_such_file_or_directory);
    fds_[it->second].events = toPoll(interest);
    return {};
  }

  void remove(NativeSocket fd) override {
    auto it = index_.find(fd);
    if (it == index_.end()) return;
    std::size_t i = it->second;
    index_.erase(it);
    if (i != fds_.size() - 1) {
      fds_[i] = fds_.back();
      index_[fds_[i].fd] = i;
    }
    fds_.pop_back();
    // Once a burst has gone, give back what it grew to. Shrinking only at a
    // quarter keeps add/remove amortised O(1).
    if (fds_.capacity() > 256 && fds_.size() < fds_.capacity() / 4) {
      fds_.shrink_to_fit();
      shrinkToFit(index_);
    }
  }

  std::error_code wait(std::vector<PollEvent>& out, int timeoutMs) override {
#ifdef _WIN32
    // WSAPoll rejects an empty set instead of sleeping.
    if (fds_.empty()) {
      ::Sleep(timeoutMs < 0 ? INFINITE : static_cast<DWORD>(timeoutMs));
      return {};
    }
    int n = FERRY_POLL(fds_.data(), static_cast<ULONG>(fds_.size()), timeoutMs);
    if (n == SOCKET_ERROR) return {::WSAGetLastError(), std::system_category()};
#else
    int n = FERRY_POLL(fds_.data(), static_cast<nfds_t>(fds_.size()), timeoutMs);
    if (n < 0) {
      if (errno == EINTR) return {};
      return {errno, std::system_category()};
    }
#endif
    for (std::size_t i = 0; i < fds_.size() && n > 0; ++i) {
      short re = fds_[i].revents;
      if (re == 0) continue;
      --n;
      std::uint8_t r = 0;
      if (re & (POLLIN | POLLPRI)) r |= kReadable;
      if (re & POLLOUT) r |= kWritable;
      // Reported whatever `events` asked for, 0 included. POLLNVAL: the fd
      // was closed while registered; the handler's own read gets EBADF and
      // removes it.
      if (re & (POLLERR | POLLHUP | POLLNVAL)) r |= kReadable | kWritable | kHangup;
      fds_[i].revents = 0;
      out.push_back({fds_[i].fd, r});
    }
    return {};
  }

#ifdef _WIN32
  std::string_view name() const override { return "wsapoll"; }
#else
  std::string_view name() const override { return "poll"; }
#endif

 private:
  std::vector<PollFd> fds_;
  std::unordered_map<NativeSocket, std::size_t> index_;
};

}  // namespace

std::unique_ptr<Poller> createPollPoller(std::error_code&) {
  return std::make_unique<PollPoller>();
}

}  // namespace ferry
