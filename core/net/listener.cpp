#include "listener.h"

#include <cerrno>
#include <cstring>

#include "net_address.h"

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>
#endif

namespace ferry {

Listener::~Listener() { close(); }

std::error_code Listener::open(const std::string& bind, std::uint16_t port, std::string* message) {
  initSockets();
  sockaddr_storage ss{};
  socklen_t len = 0;
  bool any = bind.empty() || bind == "*";
  int family = AF_INET6;
  if (any) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    a6->sin6_family = AF_INET6;
    a6->sin6_addr = in6addr_any;
    a6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string host = bind;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) {
      if (message) *message = "'" + bind + "' is not an IP address to listen on";
      return std::make_error_code(std::errc::invalid_argument);
    }
    std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
    len = static_cast<socklen_t>(res->ai_addrlen);
    family = res->ai_family;
    ::freeaddrinfo(res);
    if (family == AF_INET) reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(port);
    else reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(port);
  }

  NativeSocket fd = ::socket(family, SOCK_STREAM, IPPROTO_TCP);
  if (fd == kInvalidSocket && any) {
    // No IPv6 on this machine: fall back to IPv4 for "every interface".
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    std::memset(&ss, 0, sizeof ss);
    a4->sin_family = AF_INET;
    a4->sin_addr.s_addr = htonl(INADDR_ANY);
    a4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
    family = AF_INET;
    fd = ::socket(family, SOCK_STREAM, IPPROTO_TCP);
  }
  if (fd == kInvalidSocket) {
    auto ec = lastSocketError();
    if (message) *message = "cannot create a socket: " + ec.message();
    return ec;
  }
  int on = 1, off = 0;
#ifndef _WIN32
  // Lets a restarted Ferry bind at once while old connections sit in
  // TIME_WAIT. (On Windows SO_REUSEADDR means port stealing; its default
  // already behaves like POSIX's SO_REUSEADDR.)
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
#endif
  if (family == AF_INET6 && any)
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&off), sizeof off);
  (void)on;

  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    auto ec = lastSocketError();
    std::string where = any ? "all interfaces" : bind;
    if (message) {
      if (ec == std::errc::address_in_use)
        *message = "port " + std::to_string(port) + " is already in use on " + where +
                   " (another program, or another Ferry, is listening there); choose another port";
      else if (ec == std::errc::permission_denied)
        *message = "not allowed to listen on port " + std::to_string(port) +
                   " (ports below 1024 need administrator rights); choose a port above 1024";
      else if (ec == std::errc::address_not_available)
        *message = "this machine has no address " + bind;
      else
        *message = "cannot listen on " + where + " port " + std::to_string(port) + ": " + ec.message();
    }
    closeSocket(fd);
    return ec;
  }
  if (::listen(fd, SOMAXCONN) != 0 || setNonBlocking(fd)) {
    auto ec = lastSocketError();
    if (message) *message = "cannot listen: " + ec.message();
    closeSocket(fd);
    return ec;
  }
  sockaddr_storage actual{};
  socklen_t alen = sizeof actual;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&actual), &alen);
  port_ = portOf(reinterpret_cast<sockaddr*>(&actual));
  fd_ = fd;
  return {};
}

void Listener::start(OnAccept onAccept) {
  onAccept_ = std::move(onAccept);
  arm();
}

void Listener::arm() {
  loop_.watch(
      fd_, kReadable, [this](std::uint8_t) { acceptReady(); },
      [this](std::error_code) {
        // The accept callback threw (out of memory, most likely) and the loop
        // dropped our watch: accept again after a pause, as when out of
        // descriptors, rather than never again.
        if (backoff_) loop_.cancel(backoff_);
        backoff_ = loop_.runAfter(kEmfileBackoff, [this] {
          backoff_ = 0;
          if (fd_ != kInvalidSocket) arm();
        });
      });
}

void Listener::close() {
  if (backoff_) {
    loop_.cancel(backoff_);
    backoff_ = 0;
  }
  if (fd_ == kInvalidSocket) return;
  loop_.unwatch(fd_);
  closeSocket(fd_);
  fd_ = kInvalidSocket;
}

void Listener::acceptReady() {
  // One connection per wake-up, as nginx does by default (multi_accept
  // off): the listener is watched level-triggered, so the next wait reports
  // it again at once while more are queued, and a lone client (the usual
  // case) costs no accept() that can only fail with EAGAIN. Failed accepts
  // of clients already gone do not count.
  for (int i = 0; i < 256; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
#if defined(__linux__)
    NativeSocket c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    NativeSocket c = ::accept(fd_, reinterpret_cast<sockaddr*>(&peer), &len);
    if (c != kInvalidSocket) setNonBlocking(c);
#endif
    if (c == kInvalidSocket) {
      auto ec = lastSocketError();
      if (wouldBlock(ec)) return;
#ifndef _WIN32
      if (ec.value() == EMFILE || ec.value() == ENFILE || ec.value() == ENOBUFS || ec.value() == ENOMEM) {
        // Out of descriptors: the pending connection stays in the backlog and
        // the listener stays readable, so watching it now would spin. Pause
        // accepting; existing transfers continue and free descriptors.
        loop_.setInterest(fd_, kNone);
        backoff_ = loop_.runAfter(kEmfileBackoff, [this] {
          backoff_ = 0;
          if (fd_ != kInvalidSocket) loop_.setInterest(fd_, kReadable);
        });
        return;
      }
#endif
      // ECONNABORTED, EINTR, EPROTO...: that client is gone; keep accepting.
      continue;
    }
#ifdef SO_NOSIGPIPE
    int one = 1;
    ::setsockopt(c, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    int nodelay = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&nodelay), sizeof nodelay);
    onAccept_(c, reinterpret_cast<sockaddr*>(&peer));
    return;
  }
}

}  // namespace ferry
