#pragma once

// Socket addresses as people read them, and the machine's host name
// (lan_ranking.h picks the address links use).

#include <cstdint>
#include <string>
#include <system_error>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#endif

namespace ferry {

// "192.168.1.20" / "fe80::1" (IPv4-mapped IPv6 shown as IPv4).
std::string addressToString(const sockaddr* sa);
// "192.168.1.20:51234" / "[fe80::1]:51234".
std::string endpointToString(const sockaddr* sa);
std::uint16_t portOf(const sockaddr* sa);

// True when `host` is a numeric IPv4 or IPv6 literal (brackets allowed).
bool isIpLiteral(const std::string& host);

// The machine's host name ("" if unknown).
std::string localHostName();

// "host:port" for a URL (brackets around IPv6).
std::string hostForUrl(const std::string& host, std::uint16_t port);

}  // namespace ferry
