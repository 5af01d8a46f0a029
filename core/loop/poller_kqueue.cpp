// kqueue(2) backend, macOS and the BSDs. Read and write interest are two
// separate filters; modify() adds or deletes each as needed.

#include "poller.h"

#include "memory_release.h"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>
#include <unordered_map>

namespace ferry {
namespace {

class KqueuePoller final : public Poller {
 public:
  explicit KqueuePoller(int kq) : kq_(kq) {}
  ~KqueuePoller() override { ::close(kq_); }

  std::error_code add(NativeSocket fd, std::uint8_t interest) override {
    interest_[fd] = kNone;
    return apply(fd, interest);
  }

  std::error_code modify(NativeSocket fd, std::uint8_t interest) override {
    return apply(fd, interest);
  }

  void remove(NativeSocket fd) override {
    auto it = interest_.find(fd);
    if (it == interest_.end()) return;
    // ENOENT/EBADF after the caller closed fd: kqueue already dropped the
    // filters, so the errors are expected and ignored.
    struct kevent changes[2];
    int n = 0;
    if (it->second & kReadable) EV_SET(&changes[n++], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
    if (it->second & kWritable) EV_SET(&changes[n++], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
    for (int i = 0; i < n; ++i) ::kevent(kq_, &changes[i], 1, nullptr, 0, nullptr);
    interest_.erase(it);
    // Once a burst has gone, give back the buckets it grew to (amortised:
    // only when three quarters are empty).
    if (interest_.bucket_count() > 1024 && interest_.size() < interest_.bucket_count() / 4) shrinkToFit(interest_);
  }

  std::error_code wait(std::vector<PollEvent>& out, int timeoutMs) override {
    timespec ts{};
    timespec* tsp = nullptr;
    if (timeoutMs >= 0) {
      ts.tv_sec = timeoutMs / 1000;
      ts.tv_nsec = static_cast<long>(timeoutMs % 1000) * 1000000L;
      tsp = &ts;
    }
    int n = ::kevent(kq_, nullptr, 0, events_.data(), static_cast<int>(events_.size()), tsp);
    if (n < 0) {
      if (errno == EINTR) return {};
      return {errno, std::system_category()};
    }
    // One fd may come back twice (read and write filters); each becomes its
    // own event, and the loop calls the handler for each, which is harmless
    // and keeps this O(n).
    for (int i = 0; i < n; ++i) {
      const struct kevent& ev = events_[i];
      auto fd = static_cast<NativeSocket>(ev.ident);
      std::uint8_t r = 0;
      if (ev.filter == EVFILT_READ) r |= kReadable;
      if (ev.filter == EVFILT_WRITE) r |= kWritable;
      // EV_EOF on the read filter is only the peer's FIN (a half-close, after
      // which a response may still go out); on the write filter, or with
      // EV_ERROR, nothing can be sent any more. kqueue has no filter for an
      // fd watched with kNone, so it never reports a hang-up for one: the
      // next read or write after interest returns finds it instead.
      if (ev.flags & (EV_EOF | EV_ERROR)) r |= kReadable | kWritable;
      if ((ev.flags & EV_ERROR) || ((ev.flags & EV_EOF) && ev.filter == EVFILT_WRITE)) r |= kHangup;
      out.push_back({fd, r});
    }
    return {};
  }

  std::string_view name() const override { return "kqueue"; }

 private:
  std::error_code apply(NativeSocket fd, std::uint8_t want) {
    std::uint8_t& have = interest_[fd];
    struct kevent changes[2];
    int n = 0;
    if ((want & kReadable) != (have & kReadable))
      EV_SET(&changes[n++], fd, EVFILT_READ, (want & kReadable) ? EV_ADD : EV_DELETE, 0, 0, nullptr);
    if ((want & kWritable) != (have & kWritable))
      EV_SET(&changes[n++], fd, EVFILT_WRITE, (want & kWritable) ? EV_ADD : EV_DELETE, 0, 0, nullptr);
    if (n > 0 && ::kevent(kq_, changes, n, nullptr, 0, nullptr) != 0)
      return {errno, std::system_category()};
    have = want;
    return {};
  }

  int kq_;
  std::unordered_map<NativeSocket, std::uint8_t> interest_;
  // A fixed batch: kqueue keeps what did not fit for the next call.
  std::array<struct kevent, 512> events_;
};

}  // namespace

std::unique_ptr<Poller> createKqueuePoller(std::error_code& ec) {
  int kq = ::kqueue();
  if (kq < 0) {
    ec = {errno, std::system_category()};
    return nullptr;
  }
  ::fcntl(kq, F_SETFD, FD_CLOEXEC);
  return std::make_unique<KqueuePoller>(kq);
}

}  // namespace ferry
