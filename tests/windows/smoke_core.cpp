// Core smoke test for the Windows path, run under Wine on Linux (and natively
// on Windows): the WSAPoll backend, the loopback socket-pair waker, and a
// real HTTP download over loopback, checked byte for byte.
//
// Plain C++ (no Qt, no test framework): prints one line per check and exits
// non-zero on the first failure.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <winsock2.h>
#include <ws2tcpip.h>

#include "event_loop.h"
#include "poller.h"
#include "server.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

// One HTTP exchange over a fresh Winsock connection; returns the raw response.
std::string fetch(unsigned short port, const std::string& request) {
  SOCKET s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::closesocket(s);
    return {};
  }
  ::send(s, request.data(), static_cast<int>(request.size()), 0);
  std::string out;
  char buf[65536];
  int n;
  while ((n = ::recv(s, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::closesocket(s);
  return out;
}

}  // namespace

int main() {
  using namespace std::chrono;
  std::string pollers;
  for (const auto& p : ferry::availablePollers()) pollers += p + " ";
  std::printf("pollers: %s\n", pollers.c_str());
  check(ferry::availablePollers().front() == "wsapoll", "the default poller is WSAPoll");

  // The waker: stop() from another thread ends a loop blocked with nothing
  // to do, and post() runs on the loop.
  {
    std::string error;
    auto loop = ferry::EventLoop::create("wsapoll", &error);
    check(loop != nullptr, "event loop on wsapoll " + error);
    if (!loop) return 1;
    std::atomic<bool> ran{false};
    std::thread t([&] { loop->run(); });
    std::this_thread::sleep_for(milliseconds(100));
    auto t0 = steady_clock::now();
    loop->post([&] { ran = true; });
    while (!ran && steady_clock::now() - t0 < seconds(5)) std::this_thread::yield();
    auto postUs = duration_cast<microseconds>(steady_clock::now() - t0).count();
    check(ran, "post() from another thread wakes the loop (" + std::to_string(postUs) + " us)");
    t0 = steady_clock::now();
    loop->stop();
    t.join();
    auto stopUs = duration_cast<microseconds>(steady_clock::now() - t0).count();
    check(stopUs < 2'000'000, "stop() ends an idle loop (" + std::to_string(stopUs) + " us)");
  }

  // A real download.
  auto dir = std::filesystem::temp_directory_path() / "ferry-smoke";
  std::filesystem::create_directories(dir);
  auto file = dir / "report 2026.bin";
  std::string content;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) content.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  std::ofstream(file, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));

  ferry::Server server;
  std::string error;
  auto share = server.addShare(file.string(), &error);
  check(share.has_value(), "share a file " + error);
  if (!share) return 1;
  ferry::ServerOptions options;
  options.bind = "127.0.0.1";
  options.port = 0;
  options.poller = "wsapoll";
  check(server.start(options, &error), "server starts " + error);
  unsigned short port = server.port();
  std::string path = "/" + share->token + "/report%202026.bin";

  std::string r = fetch(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  auto body = r.find("\r\n\r\n");
  check(r.rfind("HTTP/1.1 200", 0) == 0, "GET answers 200");
  check(body != std::string::npos && r.substr(body + 4) == content,
        "the body is the file, byte for byte (" + std::to_string(content.size()) + " bytes)");

  r = fetch(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=1000-1999\r\nConnection: close\r\n\r\n");
  body = r.find("\r\n\r\n");
  check(r.rfind("HTTP/1.1 206", 0) == 0 && body != std::string::npos && r.substr(body + 4) == content.substr(1000, 1000),
        "a range answers 206 with exactly those bytes");

  r = fetch(port, "GET /AAAAAAAAAAAAAAAAAAAAAA/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  check(r.rfind("HTTP/1.1 404", 0) == 0, "an unknown token answers 404");

  auto t0 = steady_clock::now();
  server.stop();
  auto stopMs = duration_cast<milliseconds>(steady_clock::now() - t0).count();
  check(!server.running() && stopMs < 2000, "the server stops through the waker (" + std::to_string(stopMs) + " ms)");
  check(fetch(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").empty(), "a stopped server refuses connections");

  std::filesystem::remove_all(dir);
  std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
  return failures ? 1 : 0;
}
