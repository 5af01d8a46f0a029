#pragma once

// Listener: the listening socket. Owns its descriptor; accepts until EAGAIN
// and hands each new non-blocking socket to a callback. When the process runs
// out of descriptors (EMFILE/ENFILE) it stops accepting for a moment instead
// of spinning on a listener that stays readable, and the open connections go
// on being served; so it does when the accept callback throws.
//
// Loop thread only (construction and bind may happen before the loop runs).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <system_error>

#include "event_loop.h"
#include "socket.h"

#ifndef _WIN32
#include <sys/socket.h>
#endif

namespace ferry {

class Listener final {
 public:
  using OnAccept = std::function<void(NativeSocket fd, const sockaddr* peer)>;
  static constexpr auto kEmfileBackoff = std::chrono::milliseconds(100);

  explicit Listener(EventLoop& loop) : loop_(loop) {}
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens. `bind` is an IP literal, or "" for every interface
  // (IPv6 dual-stack where available, else IPv4). On failure returns the
  // error and sets `message` to a plain sentence ("port 8080 is already in
  // use ...").
  std::error_code open(const std::string& bind, std::uint16_t port, std::string* message);

  // Starts accepting on the loop.
  void start(OnAccept onAccept);
  void close();

  std::uint16_t port() const { return port_; }

 private:
  void arm();
  void acceptReady();

  EventLoop& loop_;
  NativeSocket fd_ = kInvalidSocket;
  std::uint16_t port_ = 0;
  OnAccept onAccept_;
  EventLoop::TimerId backoff_ = 0;
};

}  // namespace ferry
