// Core smoke test for the Windows path, run under Wine on Linux (and natively
// on Windows): the WSAPoll backend, the loopback socket-pair waker, a real
// HTTP download over loopback, checked byte for byte, and the file layer's
// Windows side: paths turned into "\\?\" form, a file deeper than MAX_PATH
// written, read and served, and files opened so that Explorer can still
// rename or delete them.
//
// Plain C++ (no Qt, no test framework): prints one line per check and exits
// non-zero on the first failure.

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include "event_loop.h"
#include "native_path.h"
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

std::string readAll(int fd) {
  std::string out;
  char buf[65536];
  int n;
  while ((n = ::_read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

// The file layer's Windows side, without the server: nativePath's forms, a
// file past MAX_PATH, and the share modes a file is opened with. Returns the
// long file's UTF-8 path (empty if it could not be made), for the server to
// share.
std::string checkPaths(const std::string& temp, const std::string& content) {
  check(ferry::nativePath("C:\\short\\a.txt") == L"C:\\short\\a.txt", "a short path is only widened");
  const std::string deep(250, 'd');
  check(ferry::nativePath("C:/" + deep + "/x/../y/./z.txt") == L"\\\\?\\C:\\" + std::wstring(250, L'd') + L"\\y\\z.txt",
        "a long drive path gets \\\\?\\, backslashes, and its . and .. resolved");
  check(ferry::nativePath("\\\\server\\share\\" + deep + "\\f") ==
            L"\\\\?\\UNC\\server\\share\\" + std::wstring(250, L'd') + L"\\f",
        "a long UNC path gets \\\\?\\UNC\\");
  check(ferry::nativePath("\\\\?\\C:\\" + deep + "\\..\\f") == L"\\\\?\\C:\\" + std::wstring(250, L'd') + L"\\..\\f",
        "a path already in \\\\?\\ form is left as it is");

  // A folder chain and a non-ASCII name past MAX_PATH (Wine has no such
  // limit: here this proves the \\?\ form opens, not that it is needed).
  std::string path = temp;
  for (int i = 0; i < 4; ++i) {
    path += "\\" + std::string(70, static_cast<char>('a' + i));
    ::CreateDirectoryW(ferry::nativePath(path).c_str(), nullptr);
  }
  path += "\\Grüße ✓.bin";
  int fd = ferry::openSharedFile(path, true, true);
  check(path.size() > MAX_PATH && fd >= 0, "a new file " + std::to_string(path.size()) + " bytes deep opens for writing");
  if (fd < 0) return {};
  check(::_write(fd, content.data(), static_cast<unsigned>(content.size())) == static_cast<int>(content.size()),
        "the long-path file takes its bytes");
  ::_close(fd);
  check(ferry::openSharedFile(path, true, true) < 0 && errno == EEXIST, "creating it again says EEXIST");
  fd = ferry::openSharedFile(path, false, false);
  check(fd >= 0 && readAll(fd) == content, "the long-path file reads back byte for byte");
  if (fd >= 0) ::_close(fd);

  // Share modes: a file Ferry has open (being sent, or received) can still
  // be renamed and deleted, as Explorer would; the open descriptor still
  // reads the bytes. The C runtime's default share mode refuses the rename,
  // which shows the check can tell the two apart.
  const std::string held = temp + "\\held.bin";
  const std::string moved = temp + "\\held, renamed.bin";
  fd = ferry::openSharedFile(held, true, true);
  if (fd >= 0) {
    ::_write(fd, content.data(), static_cast<unsigned>(content.size()));
    ::_close(fd);
  }
  fd = ferry::openSharedFile(held, false, false);
  const bool renamed = fd >= 0 && ::MoveFileExW(ferry::nativePath(held).c_str(), ferry::nativePath(moved).c_str(), 0);
  check(renamed, "a file open for sending can be renamed meanwhile");
  check(renamed && ::DeleteFileW(ferry::nativePath(moved).c_str()), "and deleted meanwhile");
  check(fd >= 0 && readAll(fd) == content, "the open file still reads every byte");
  if (fd >= 0) ::_close(fd);
  fd = ferry::openSharedFile(held, true, true);
  if (fd >= 0) ::_close(fd);
  const int plain = ::_wopen(ferry::nativePath(held).c_str(), _O_RDONLY | _O_BINARY);
  const bool plainRenamed = ::MoveFileExW(ferry::nativePath(held).c_str(), ferry::nativePath(moved).c_str(), 0);
  check(plain >= 0 && !plainRenamed, "(the C runtime's own _wopen does refuse that rename)");
  if (plain >= 0) ::_close(plain);
  return path;
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
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);  // a run stopped halfway
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

  // The file layer, and a share past MAX_PATH served over HTTP.
  const std::string longFile = checkPaths(dir.string(), content.substr(0, 100000));
  if (!longFile.empty()) {
    ferry::Server deep;
    auto longShare = deep.addShare(longFile, &error);
    check(longShare.has_value(), "share the long-path file " + error);
    const bool started = longShare && deep.start(options, &error);
    check(started, "a second server starts for it " + error);
    if (started) {
      r = fetch(deep.port(), "GET /" + longShare->token + "/Gr%C3%BC%C3%9Fe%20%E2%9C%93.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n");
      body = r.find("\r\n\r\n");
      check(r.rfind("HTTP/1.1 200", 0) == 0 && body != std::string::npos && r.substr(body + 4) == content.substr(0, 100000),
            "the long-path file downloads byte for byte");
      deep.stop();
    }
    // Taken apart with the W calls too: std::filesystem may stop at MAX_PATH.
    std::string gone = longFile;
    ::DeleteFileW(ferry::nativePath(gone).c_str());
    for (int i = 0; i < 4; ++i) {
      gone.resize(gone.rfind('\\'));
      ::RemoveDirectoryW(ferry::nativePath(gone).c_str());
    }
  }

  std::filesystem::remove_all(dir, ignored);
  std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
  return failures ? 1 : 0;
}
