#include "socket.h"

#include <algorithm>

#ifdef _WIN32
#include <ws2tcpip.h>
#include <mutex>
#else
#include <csignal>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ferry {

void closeSocket(NativeSocket s) noexcept {
  if (s == kInvalidSocket) return;
#ifdef _WIN32
  ::closesocket(s);
#else
  ::close(s);
#endif
}

std::error_code setNonBlocking(NativeSocket s) noexcept {
#ifdef _WIN32
  u_long on = 1;
  if (::ioctlsocket(s, FIONBIO, &on) != 0) return lastSocketError();
#else
  int flags = ::fcntl(s, F_GETFL, 0);
  if (flags < 0 || ::fcntl(s, F_SETFL, flags | O_NONBLOCK) < 0) return lastSocketError();
  int fdflags = ::fcntl(s, F_GETFD, 0);
  if (fdflags < 0 || ::fcntl(s, F_SETFD, fdflags | FD_CLOEXEC) < 0) return lastSocketError();
#endif
  return {};
}

std::error_code setPeerTimeout(NativeSocket s, int ms) noexcept {
  int on = 1;
  if (::setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, reinterpret_cast<const char*>(&on), sizeof on) != 0)
    return lastSocketError();
#if defined(__linux__) && defined(TCP_USER_TIMEOUT)
  int idle = std::max(1, ms / 2000);  // seconds of silence before the first probe
  int interval = std::max(1, ms / 4000);
  ::setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  unsigned int timeout = static_cast<unsigned int>(ms);
  if (::setsockopt(s, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof timeout) != 0) return lastSocketError();
#else
  (void)ms;
#endif
  return {};
}

std::error_code lastSocketError() noexcept {
#ifdef _WIN32
  return {::WSAGetLastError(), std::system_category()};
#else
  return {errno, std::system_category()};
#endif
}

bool wouldBlock(const std::error_code& ec) noexcept {
#ifdef _WIN32
  return ec.value() == WSAEWOULDBLOCK;
#else
  return ec.value() == EAGAIN || ec.value() == EWOULDBLOCK;
#endif
}

std::error_code pendingSocketError(NativeSocket s) noexcept {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) != 0) return lastSocketError();
  return {err, std::system_category()};
}

void ignoreSigpipe() noexcept {
#ifndef _WIN32
  struct sigaction sa {};
  sa.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &sa, nullptr);
#endif
}

void initSockets() noexcept {
#ifdef _WIN32
  static std::once_flag once;
  std::call_once(once, [] {
    WSADATA data;
    ::WSAStartup(MAKEWORD(2, 2), &data);
  });
#endif
}

std::error_code makeSocketPair(NativeSocket out[2]) noexcept {
  out[0] = out[1] = kInvalidSocket;
#ifdef _WIN32
  initSockets();
  // Windows has no socketpair(): connect to a listener on 127.0.0.1:0 and keep
  // both ends. The listener is closed at once; nothing else can race for the
  // ephemeral port before connect() because accept() checks the peer below.
  NativeSocket listener = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (listener == kInvalidSocket) return lastSocketError();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof(addr);
  std::error_code ec;
  NativeSocket a = kInvalidSocket, b = kInvalidSocket;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::listen(listener, 1) != 0) {
    ec = lastSocketError();
  } else {
    a = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (a == kInvalidSocket || ::connect(a, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ec = lastSocketError();
    } else {
      sockaddr_in local{}, peer{};
      int llen = sizeof(local), plen = sizeof(peer);
      ::getsockname(a, reinterpret_cast<sockaddr*>(&local), &llen);
      b = ::accept(listener, reinterpret_cast<sockaddr*>(&peer), &plen);
      if (b == kInvalidSocket) {
        ec = lastSocketError();
      } else if (peer.sin_port != local.sin_port || peer.sin_addr.s_addr != local.sin_addr.s_addr) {
        ec = std::make_error_code(std::errc::connection_refused);
      }
    }
  }
  ::closesocket(listener);
  if (!ec) ec = setNonBlocking(a);
  if (!ec) ec = setNonBlocking(b);
  if (ec) {
    closeSocket(a);
    closeSocket(b);
    return ec;
  }
  out[0] = a;
  out[1] = b;
  return {};
#else
  int fds[2];
#ifdef SOCK_CLOEXEC
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    return lastSocketError();
#else
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return lastSocketError();
  for (int fd : fds) {
    if (auto ec = setNonBlocking(fd)) {
      ::close(fds[0]);
      ::close(fds[1]);
      return ec;
    }
  }
#endif
  out[0] = fds[0];
  out[1] = fds[1];
  return {};
#endif
}

}  // namespace ferry
