#pragma once

#include <chrono>
#include <cstddef>

namespace ferry {

// Every per-connection bound of the HTTP server, in one place. The defaults
// are the product's contract (DESIGN.md); all are configurable.
struct HttpLimits {
  std::size_t maxRequestLine = 8 * 1024;   // longer: 414
  std::size_t maxHeaderBlock = 32 * 1024;  // longer: 431
  std::size_t maxHeaders = 100;            // more: 431
  std::chrono::milliseconds headerTimeout{10'000};  // first byte to end of headers: 408
  std::chrono::milliseconds idleTimeout{15'000};    // keep-alive between requests
  std::chrono::milliseconds writeStallTimeout{60'000};  // no write progress: close
  // An upload whose body stops arriving (while the server could take it): 408.
  std::chrono::milliseconds bodyStallTimeout{60'000};
  std::size_t maxConnections = 1024;  // beyond: 503 + close
  // Beyond: 503 + close. 0: no cap. Trusted proxies have none: every
  // client behind them shares their address.
  std::size_t maxConnectionsPerIp = 256;

  // The read buffer's ceiling: a full request head plus room for a few small
  // pipelined requests. Reading pauses when it is full.
  std::size_t readBufferCeiling() const { return maxRequestLine + maxHeaderBlock + 8 * 1024; }
};

}  // namespace ferry
