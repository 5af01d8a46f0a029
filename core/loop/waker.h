#pragma once

// Waker: lets any thread interrupt the loop thread's blocking wait().
//
// eventfd on Linux, a pipe on other POSIX systems, a loopback socket pair on
// Windows. The loop registers readFd() for READ interest: that is the whole
// point, and the bug Tornado once shipped was registering it for WRITE, so
// wakes never arrived. Repeated wakes coalesce into one readable event: an
// atomic flag skips the syscall when a wake is already pending, and EAGAIN on
// the write means the kernel buffer already says "woken".
//
// wake() is thread-safe; drain() is for the loop thread.

#include <atomic>
#include <system_error>

#include "socket.h"

namespace ferry {

class Waker final {
 public:
  Waker();
  ~Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;

  // Set when construction failed; the loop refuses to run without a waker.
  std::error_code error() const { return error_; }

  NativeSocket readFd() const { return read_; }

  // Thread-safe. Cheap when a wake is already pending.
  void wake() noexcept;

  // Loop thread: consume the pending wake so the fd stops being readable.
  void drain() noexcept;

 private:
  NativeSocket read_ = kInvalidSocket;
  NativeSocket write_ = kInvalidSocket;  // == read_ for eventfd
  std::atomic<bool> pending_{false};
  std::error_code error_;
};

}  // namespace ferry
