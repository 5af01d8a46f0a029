#pragma once

// Layer os/ (the bottom): what the operating system offers, wrapped once
// for POSIX and Windows — sockets, files, addresses, secure randomness,
// memory release. Uses nothing else of Ferry (nginx's src/os/unix).
//
// The few portable socket primitives core needs: the native handle type,
// close, non-blocking mode, and the last socket error as std::error_code.
// POSIX and Winsock differ in exactly these places; everything above this
// file is written once.

#include <cstdint>
#include <string>
#include <system_error>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

namespace ferry {

#ifdef _WIN32
using NativeSocket = SOCKET;
inline constexpr NativeSocket kInvalidSocket = INVALID_SOCKET;
#else
using NativeSocket = int;
inline constexpr NativeSocket kInvalidSocket = -1;
#endif

// Flags for every send(): a peer that reset the connection must not kill
// the process with SIGPIPE. MSG_NOSIGNAL where it exists; elsewhere
// SO_NOSIGPIPE (macOS) or no signal at all (Windows), so no flag is needed.
#if defined(MSG_NOSIGNAL)
inline constexpr int kSendNoSignal = MSG_NOSIGNAL;
#else
inline constexpr int kSendNoSignal = 0;
#endif

// Closes a socket or (on POSIX) any descriptor. Errors are ignored: there is
// nothing useful to do about a failed close, and retrying on EINTR is wrong
// on Linux (the descriptor is already released).
void closeSocket(NativeSocket s) noexcept;

std::error_code setNonBlocking(NativeSocket s) noexcept;

// Bytes written to `s` that its peer has not acknowledged within `ms` end
// the connection (TCP_USER_TIMEOUT, Linux), with keepalive probes so an
// idle one is checked too: a peer that vanished without a word (a phone
// that left the Wi-Fi) is noticed in about that time, not in the system's
// fifteen minutes. Elsewhere only the keepalive probes; {} or the error.
std::error_code setPeerTimeout(NativeSocket s, int ms) noexcept;

// errno on POSIX, WSAGetLastError() on Windows, as a system_category code.
std::error_code lastSocketError() noexcept;

// True when the error means "try again when the socket is ready".
bool wouldBlock(const std::error_code& ec) noexcept;

// The socket's pending error (SO_ERROR), which this call clears; {} if none.
std::error_code pendingSocketError(NativeSocket s) noexcept;

// Makes the process immune to SIGPIPE from writes to a reset socket. Sends use
// MSG_NOSIGNAL where it exists; this covers the rest (sendfile, macOS).
void ignoreSigpipe() noexcept;

// Initialises Winsock once per process; a no-op elsewhere.
void initSockets() noexcept;

// A connected, non-blocking pair of stream sockets. socketpair() on POSIX;
// on Windows, a loopback TCP connection made through a temporary listener.
std::error_code makeSocketPair(NativeSocket out[2]) noexcept;

}  // namespace ferry
