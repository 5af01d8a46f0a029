#pragma once

// Poller: the one seam between the event loop and the OS's readiness API.
//
// One small file per backend (poller_epoll.cpp, poller_kqueue.cpp,
// poller_poll.cpp). A Poller owns its kernel object (the epoll or kqueue
// descriptor) but never the descriptors it watches. It is not thread-safe:
// every call must come from the loop thread.
//
// Events are normalised at the edge: errors and hang-ups are reported as
// readable|writable|kHangup, so the handler's own read() or write() finds the
// cause, and one that is neither reading nor writing still hears of it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "socket.h"

namespace ferry {

enum Interest : std::uint8_t {
  kNone = 0,
  kReadable = 1,
  kWritable = 2,
  // Reported, never asked for: the socket has an error, or no byte can move
  // either way any more (reset, or both directions shut; poll: the fd was
  // closed while registered). epoll and poll report this whatever the
  // interest, kNone included, and keep reporting it while it lasts: so does
  // wait().
  kHangup = 4,
};

struct PollEvent {
  NativeSocket fd;
  std::uint8_t events;  // kReadable | kWritable | kHangup
};

class Poller {
 public:
  virtual ~Poller() = default;

  // Starts watching fd for `interest` (kReadable, kWritable or both; kNone
  // keeps the fd registered and silent until it hangs up).
  virtual std::error_code add(NativeSocket fd, std::uint8_t interest) = 0;
  // Replaces the interest of an fd already added.
  virtual std::error_code modify(NativeSocket fd, std::uint8_t interest) = 0;
  // Stops watching fd. Safe on an fd the caller has already closed.
  virtual void remove(NativeSocket fd) = 0;
  // Blocks up to timeoutMs (-1: forever) and appends ready fds to `out`:
  // all of them, or a batch (epoll: 512 fds; kqueue: 512 events, and an fd
  // watched both ways takes two) with the rest still ready for the next call.
  // EINTR is not an error: it returns with no events.
  virtual std::error_code wait(std::vector<PollEvent>& out, int timeoutMs) = 0;

  virtual std::string_view name() const = 0;
};

// The backends compiled into this build, best first ("epoll", "kqueue",
// "poll"; on Windows "wsapoll").
const std::vector<std::string>& availablePollers();

// The build's best backend, unless FERRY_POLLER names another.
std::string defaultPollerName();

// Creates the named backend (empty name: defaultPollerName()). On an unknown
// or unavailable name returns nullptr and sets `error` to a sentence listing
// the available ones.
std::unique_ptr<Poller> createPoller(std::string_view name, std::string* error = nullptr);

// Per-backend factories; each exists only where its backend is compiled.
std::unique_ptr<Poller> createEpollPoller(std::error_code& ec);
std::unique_ptr<Poller> createKqueuePoller(std::error_code& ec);
std::unique_ptr<Poller> createPollPoller(std::error_code& ec);

}  // namespace ferry
