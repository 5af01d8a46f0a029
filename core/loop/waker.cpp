#include "waker.h"

#include <cerrno>
#include <cstdint>

#if defined(__linux__)
#include <sys/eventfd.h>
#include <unistd.h>
#elif !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace ferry {

Waker::Waker() {
#if defined(__linux__)
  read_ = write_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (read_ < 0) error_ = lastSocketError();
#elif defined(_WIN32)
  NativeSocket pair[2];
  error_ = makeSocketPair(pair);
  read_ = pair[0];
  write_ = pair[1];
#else
  int fds[2];
  if (::pipe(fds) != 0) {
    error_ = lastSocketError();
  } else {
    read_ = fds[0];
    write_ = fds[1];
    if (auto ec = setNonBlocking(read_)) error_ = ec;
    if (auto ec = setNonBlocking(write_)) error_ = ec;
  }
#endif
}

Waker::~Waker() {
  if (write_ != read_) closeSocket(write_);
  closeSocket(read_);
}

void Waker::wake() noexcept {
  // Only the first wake since the last drain() pays for a syscall.
  if (pending_.exchange(true, std::memory_order_acq_rel)) return;
#if defined(__linux__)
  std::uint64_t one = 1;
  // EAGAIN: the counter is saturated, i.e. already woken.
  [[maybe_unused]] auto n = ::write(write_, &one, sizeof one);
#elif defined(_WIN32)
  char b = 1;
  ::send(write_, &b, 1, 0);  // WSAEWOULDBLOCK: already woken
#else
  char b = 1;
  [[maybe_unused]] auto n = ::write(write_, &b, 1);  // EAGAIN: already woken
#endif
}

void Waker::drain() noexcept {
  // Read first, clear the flag second. A wake() that lands in between sees
  // pending_ still set and skips its write — harmless, because the caller
  // queued its work before waking and the loop runs that queue after this
  // call. The other order could eat a write and leave pending_ stuck at true,
  // after which no wake would ever be written again.
#if defined(__linux__)
  std::uint64_t v;
  [[maybe_unused]] auto n = ::read(read_, &v, sizeof v);
#elif defined(_WIN32)
  char buf[64];
  while (::recv(read_, buf, sizeof buf, 0) > 0) {
  }
#else
  char buf[64];
  while (::read(read_, buf, sizeof buf) > 0) {
  }
#endif
  // exchange, not store: an acquire-release read-modify-write joins the
  // release sequence of every wake() that saw the flag still set, so this
  // thread sees what those wakers published (a stop flag, a posted function)
  // even on weakly ordered CPUs.
  pending_.exchange(false, std::memory_order_acq_rel);
}

}  // namespace ferry
