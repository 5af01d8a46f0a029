#pragma once

// A connected, non-blocking socket pair for loop and poller tests and the
// loop benchmark, with the two things they do to it: write one byte to make
// the other end readable, and drain it again. Core and the OS only (no Qt).

#include "socket.h"

namespace ferry::test {

struct SocketPair {
  NativeSocket fd[2] = {kInvalidSocket, kInvalidSocket};
  SocketPair() { makeSocketPair(fd); }
  ~SocketPair() {
    closeSocket(fd[0]);
    closeSocket(fd[1]);
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  bool ok() const { return fd[0] != kInvalidSocket && fd[1] != kInvalidSocket; }
  void close(int end) {
    closeSocket(fd[end]);
    fd[end] = kInvalidSocket;
  }
};

inline bool writeByte(NativeSocket s) {
  const char b = 'x';
  return ::send(s, &b, 1, kSendNoSignal) == 1;
}

// Reads until the socket would block (or closes); returns the byte count.
inline int drain(NativeSocket s) {
  char buf[512];
  int total = 0;
  for (;;) {
    auto n = ::recv(s, buf, sizeof buf, 0);
    if (n <= 0) return total;
    total += static_cast<int>(n);
  }
}

}  // namespace ferry::test
