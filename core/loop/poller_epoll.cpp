// epoll(7) backend, Linux. Level-triggered: a handler that does not drain its
// socket is told again on the next wait(), which keeps handlers simple.

#include "poller.h"

#include <array>
#include <cerrno>
#include <sys/epoll.h>
#include <unistd.h>

namespace ferry {
namespace {

std::uint32_t toEpoll(std::uint8_t interest) {
  std::uint32_t ev = 0;
  if (interest & kReadable) ev |= EPOLLIN | EPOLLRDHUP;
  if (interest & kWritable) ev |= EPOLLOUT;
  return ev;
}

class EpollPoller final : public Poller {
 public:
  explicit EpollPoller(int epfd) : epfd_(epfd) {}
  ~EpollPoller() override { ::close(epfd_); }

  std::error_code add(NativeSocket fd, std::uint8_t interest) override {
    return ctl(EPOLL_CTL_ADD, fd, interest);
  }

  std::error_code modify(NativeSocket fd, std::uint8_t interest) override {
    return ctl(EPOLL_CTL_MOD, fd, interest);
  }

  void remove(NativeSocket fd) override {
    // EBADF/ENOENT when the caller closed fd first: the kernel already
    // dropped it from the interest list, which is what we wanted.
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  }

  std::error_code wait(std::vector<PollEvent>& out, int timeoutMs) override {
    int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeoutMs);
    if (n < 0) {
      if (errno == EINTR) return {};
      return {errno, std::system_category()};
    }
    for (int i = 0; i < n; ++i) {
      std::uint32_t e = events_[i].events;
      std::uint8_t r = 0;
      if (e & (EPOLLIN | EPOLLRDHUP | EPOLLPRI)) r |= kReadable;
      if (e & EPOLLOUT) r |= kWritable;
      // The kernel adds these to every registration, events == 0 included.
      if (e & (EPOLLERR | EPOLLHUP)) r |= kReadable | kWritable | kHangup;
      out.push_back({events_[i].data.fd, r});
    }
    return {};
  }

  std::string_view name() const override { return "epoll"; }

 private:
  std::error_code ctl(int op, int fd, std::uint8_t interest) {
    epoll_event ev{};
    ev.events = toEpoll(interest);
    ev.data.fd = fd;
    if (::epoll_ctl(epfd_, op, fd, &ev) != 0) return {errno, std::system_category()};
    return {};
  }

  int epfd_;
  // A fixed batch, as nginx's 512: level-triggered epoll keeps what did not
  // fit on its ready list and rotates it, so no fd starves, and the buffer
  // does not grow with a burst of connections.
  std::array<epoll_event, 512> events_;
};

}  // namespace

std::unique_ptr<Poller> createEpollPoller(std::error_code& ec) {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    ec = {errno, std::system_category()};
    return nullptr;
  }
  return std::make_unique<EpollPoller>(fd);
}

}  // namespace ferry
