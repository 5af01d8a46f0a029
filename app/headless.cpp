#include "headless.h"

#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>

#ifndef _WIN32
#include <pthread.h>
#include <unistd.h>
#else
#include <atomic>
#include <chrono>
#include <io.h>
#include <thread>
#endif

#include "net_address.h"
#include "server.h"

namespace ferry::app {
namespace {

std::string humanBytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

// Turns the stream of snapshots into one stderr line per transfer start and
// end. Runs on the loop thread.
class TransferLog {
 public:
  void onSnapshot(const StatsSnapshot& s) {
    std::lock_guard lock(mutex_);
    for (const TransferInfo& t : s.transfers) {
      auto [it, isNew] = seen_.try_emplace(t.id, TransferState::kActive);
      if (isNew) {
        std::fprintf(stderr, "ferry: %s started %s (%s from byte %" PRIu64 ")\n", t.client.c_str(),
                     t.fileName.c_str(), humanBytes(static_cast<double>(t.bytesTotal)).c_str(), t.rangeFirst);
      }
      if (t.state != TransferState::kActive && it->second == TransferState::kActive) {
        double secs = std::chrono::duration<double>(t.finished - t.started).count();
        double rate = secs > 0 ? static_cast<double>(t.bytesSent) / secs : 0;
        std::fprintf(stderr, "ferry: %s %s %s: %" PRIu64 " of %" PRIu64 " bytes in %.1f s (%s/s)%s%s\n",
                     t.client.c_str(), toString(t.state), t.fileName.c_str(), t.bytesSent, t.bytesTotal, secs,
                     humanBytes(rate).c_str(), t.reason.empty() ? "" : ": ", t.reason.c_str());
      }
      it->second = t.state;
    }
    // Forget transfers the snapshot no longer lists.
    for (auto it = seen_.begin(); it != seen_.end();) {
      bool present = false;
      for (const TransferInfo& t : s.transfers) present = present || t.id == it->first;
      it = present ? std::next(it) : seen_.erase(it);
    }
    last_ = s;
  }

  // One live line while stderr is a terminal.
  void progressLine() {
    std::lock_guard lock(mutex_);
    if (last_.activeTransfers == 0 && !shown_) return;
    std::fprintf(stderr, "\r\033[K%zu active, %s/s, %s sent", last_.activeTransfers,
                 humanBytes(last_.uploadRate).c_str(), humanBytes(static_cast<double>(last_.totalBytesSent)).c_str());
    std::fflush(stderr);
    shown_ = last_.activeTransfers > 0;
    if (!shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, TransferState> seen_;
  StatsSnapshot last_;
  bool shown_ = false;
};

#ifdef _WIN32
std::atomic<bool> gStop{false};
void onSignal(int) { gStop = true; }
#endif

}  // namespace

std::string defaultLinkHost(const std::string& bind) {
  if (!bind.empty() && bind != "0.0.0.0" && bind != "::" && bind != "[::]" && bind != "*") return bind;
  std::string lan = primaryLanAddress();
  return lan.empty() ? "127.0.0.1" : lan;
}

int runHeadless(const CommandLine& cmd) {
  if (cmd.paths.empty()) {
    std::fprintf(stderr, "ferry: nothing to share: name at least one file (ferry --headless FILE...)\n");
    return 2;
  }
  Server server;
  std::vector<Share> shares;
  for (const auto& path : cmd.paths) {
    std::string error;
    auto share = server.addShare(path, &error);
    if (!share) {
      std::fprintf(stderr, "ferry: cannot share %s\n", error.c_str());
      return 2;
    }
    shares.push_back(*share);
  }

#ifndef _WIN32
  // Block the stop signals in every thread (the worker inherits this mask)
  // and take them synchronously below: a signal handler may not call into
  // the server, but this thread may.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
#else
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
#endif

  TransferLog log;
  server.setSnapshotListener([&log](std::shared_ptr<const StatsSnapshot> s) { log.onSnapshot(*s); });
  std::string error;
  if (!server.start(cmd.server, &error)) {
    std::fprintf(stderr, "ferry: %s\n", error.c_str());
    return 2;
  }
  std::string host = defaultLinkHost(cmd.server.bind);
  for (const Share& s : shares) std::printf("%s\n", server.linkFor(s, host).c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "ferry: serving %zu file%s on port %u (%s); Ctrl+C stops\n", shares.size(),
               shares.size() == 1 ? "" : "s", server.port(), server.pollerName().c_str());

#ifndef _WIN32
  const bool tty = ::isatty(STDERR_FILENO);
  while (true) {
    timespec timeout{0, 250 * 1000 * 1000};
    int sig = sigtimedwait(&stopSignals, nullptr, &timeout);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (tty) log.progressLine();
  }
#else
  const bool tty = ::_isatty(_fileno(stderr));
  while (!gStop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (tty) log.progressLine();
  }
#endif
  if (tty) std::fprintf(stderr, "\r\033[K");
  server.stop();
  std::fprintf(stderr, "ferry: stopped\n");
  return 0;
}

}  // namespace ferry::app
