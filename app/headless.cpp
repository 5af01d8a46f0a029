#include "headless.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <thread>
#include <utility>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <mutex>

#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#else
#include <atomic>
#include <chrono>
#include <io.h>
#include <thread>
#endif

#include "cache_dir.h"
#include "lan_ranking.h"
#include "log_lines.h"
#include "net_address.h"
#include "server.h"

namespace ferry::app {
namespace {

// Frees a line buffer that a burst grew far beyond what it now holds (size:
// what was last written from it). A busy log keeps its buffer: regrowing it
// every time would cost allocations.
void dropIfOversized(std::string& lines) {
  constexpr std::size_t kKeep = 16 << 10;
  if (lines.capacity() > kKeep && lines.size() < lines.capacity() / 8) std::string().swap(lines);
}

// Writes stderr lines on a thread of its own. The loop thread must never
// block on stderr: when whoever reads it stops (a full pipe), the lines queue
// up to a bound, then are counted and dropped, and serving goes on.
class StderrWriter {
 public:
  static constexpr std::size_t kMaxPending = 1 << 20;

  explicit StderrWriter(LogLines lines) : state_(std::make_shared<State>(lines)) {
    // Detached, holding its state: a write blocked forever on a stalled pipe
    // must not keep the process from exiting.
    std::thread([st = state_] { run(*st); }).detach();
  }
  ~StderrWriter() {
    // Give queued lines a moment to leave, then go regardless.
    std::unique_lock lock(state_->mutex);
    state_->done = true;
    state_->cv.notify_all();
    state_->drained.wait_for(lock, std::chrono::milliseconds(500),
                             [this] { return state_->pending.empty() && !state_->writing; });
  }

  void write(std::string_view text) {
    std::lock_guard lock(state_->mutex);
    if (state_->pending.size() + text.size() > kMaxPending) {
      ++state_->dropped;
      return;
    }
    state_->pending.append(text);
    state_->cv.notify_one();
  }

 private:
  struct State {
    explicit State(LogLines l) : lines(l) {}
    const LogLines lines;
    std::mutex mutex;
    std::condition_variable cv, drained;
    std::string pending;
    std::uint64_t dropped = 0;
    bool writing = false;
    bool done = false;
  };

  static void run(State& st) {
    std::string batch;
    std::unique_lock lock(st.mutex);
    while (true) {
      st.cv.wait(lock, [&] { return !st.pending.empty() || st.done; });
      if (st.pending.empty()) break;
      batch.swap(st.pending);
      std::uint64_t dropped = std::exchange(st.dropped, 0);
      st.writing = true;
      lock.unlock();
      if (dropped) {
        std::string line;
        st.lines.dropped(line, dropped);
        std::fwrite(line.data(), 1, line.size(), stderr);
      }
      std::fwrite(batch.data(), 1, batch.size(), stderr);
      std::fflush(stderr);
      dropIfOversized(batch);
      batch.clear();
      lock.lock();
      st.writing = false;
      st.drained.notify_all();
    }
    st.drained.notify_all();
  }

  std::shared_ptr<State> state_;
};

// Turns the stream of snapshots into one stderr line per transfer start and
// end, and one per delivery outcome (a client that got the whole file,
// stopped short or was cancelled, however many requests that took). Runs on
// the loop thread, once per snapshot (about 10 Hz): the lines of one
// snapshot leave in a single write, and the bookkeeping reuses its vectors,
// so a busy server pays little for its log.
class TransferLog {
 public:
  explicit TransferLog(LogLines lines) : lines_(lines), writer_(lines) {}

  void onSnapshot(std::shared_ptr<const StatsSnapshot> s) {
    std::lock_guard lock(mutex_);
    out_.clear();
    next_.clear();
    for (const TransferInfo& t : s->transfers) {
      // Both lists are sorted by id: find what we knew of this one.
      auto it = std::lower_bound(seen_.begin(), seen_.end(), t.id,
                                 [](const Seen& a, std::uint64_t id) { return a.id < id; });
      bool known = it != seen_.end() && it->id == t.id;
      TransferState before = known ? it->state : TransferState::kActive;
      const DeliveryInfo* d = t.delivery ? deliveryIn(*s, t.delivery) : nullptr;
      if (!known) lines_.transferStarted(out_, t, d);
      if (t.state != TransferState::kActive && before == TransferState::kActive) lines_.transferEnded(out_, t, d);
      next_.push_back({t.id, t.state});
    }
    seen_.swap(next_);
    // Deliveries, by id too: a line when one leaves "in progress" (or is
    // first seen already ended). An ended one stays in a few snapshots;
    // it is told once.
    nextDeliveries_.clear();
    for (const DeliveryInfo& d : s->deliveries) {
      auto it = std::lower_bound(seenDeliveries_.begin(), seenDeliveries_.end(), d.id,
                                 [](const SeenDelivery& a, std::uint64_t id) { return a.id < id; });
      const bool known = it != seenDeliveries_.end() && it->id == d.id;
      const DeliveryOutcome before = known ? it->outcome : DeliveryOutcome::kInProgress;
      if (d.outcome != DeliveryOutcome::kInProgress && before == DeliveryOutcome::kInProgress)
        lines_.deliveryEnded(out_, d);
      nextDeliveries_.push_back({d.id, d.outcome});
    }
    seenDeliveries_.swap(nextDeliveries_);
    if (!out_.empty()) writer_.write(out_);
    // Drop what a burst grew these to once it has gone.
    dropIfOversized(out_);
    if (next_.capacity() > 8 * seen_.size() + 256) {
      seen_.shrink_to_fit();
      std::vector<Seen>().swap(next_);
    }
    if (nextDeliveries_.capacity() > 8 * seenDeliveries_.size() + 256) {
      seenDeliveries_.shrink_to_fit();
      std::vector<SeenDelivery>().swap(nextDeliveries_);
    }
    last_ = std::move(s);
  }

  // One live line while stderr is a terminal.
  void progressLine() {
    std::lock_guard lock(mutex_);
    if (!last_ || (last_->activeTransfers == 0 && !shown_)) return;
    char line[256];
    std::snprintf(line, sizeof line, "\r\033[K%zu active, %s/s, %s sent", last_->activeTransfers,
                  humanBytes(last_->uploadRate).c_str(), humanBytes(static_cast<double>(last_->totalBytesSent)).c_str());
    writer_.write(line);
    shown_ = last_->activeTransfers > 0;
    if (!shown_) writer_.write("\r\033[K");
  }

  void say(std::string_view text) { writer_.write(text); }

 private:
  struct Seen {
    std::uint64_t id;
    TransferState state;
  };
  struct SeenDelivery {
    std::uint64_t id;
    DeliveryOutcome outcome;
  };
  // The delivery `id` in a snapshot (sorted by id), or null.
  static const DeliveryInfo* deliveryIn(const StatsSnapshot& s, std::uint64_t id) {
    auto it = std::lower_bound(s.deliveries.begin(), s.deliveries.end(), id,
                               [](const DeliveryInfo& d, std::uint64_t want) { return d.id < want; });
    return it != s.deliveries.end() && it->id == id ? &*it : nullptr;
  }

  const LogLines lines_;
  std::mutex mutex_;
  StderrWriter writer_;
  std::vector<Seen> seen_, next_;  // sorted by id, like the snapshot
  std::vector<SeenDelivery> seenDeliveries_, nextDeliveries_;
  std::string out_;
  std::shared_ptr<const StatsSnapshot> last_;
  bool shown_ = false;
};

#ifdef _WIN32
std::atomic<bool> gStop{false};
void onSignal(int) { gStop = true; }
#endif

#ifndef _WIN32
// Commands typed (or piped) on stdin one a line: answers to asks ("accept
// 3", "always 3", "decline 3"), what goes to a nearby device ("send 2
// FILE...", "text 2 TEXT"; a path with spaces in double quotes) and taking
// a file sent to a page back ("take-back 4", its `sent` id), the PIN a
// LocalSend device asks for ("pin 5 123456") and cancelling a transfer
// ("cancel 12": a file sent to a LocalSend device cancels its whole send). Read
// without blocking from the main thread's wait, so a stdin that never
// speaks costs nothing and stops nothing.
class AskAnswers {
 public:
  AskAnswers(Server& server, const LogLines& lines, std::string host)
      : server_(server), lines_(lines), host_(std::move(host)) {}
  // Takes what stdin has now; false once it has ended.
  bool poll(TransferLog& log) {
    char buf[512];
    while (true) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      pending_.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
        answer(pending_.substr(0, nl), log);
        pending_.erase(0, nl + 1);
      }
      // Not a line of ours (the longest is 'text ID' and 64 KiB of text).
      if (pending_.size() > 80 * 1024) pending_.clear();
    }
  }

 private:
  void answer(std::string line, TransferLog& log) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto space = line.find(' ');
    std::uint64_t id = 0;
    const std::string word = line.substr(0, space);
    const std::string number = space == std::string::npos ? std::string() : line.substr(space + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), id);
    const bool numberOk = ec == std::errc() && end == number.data() + number.size() && id > 0;
    if (word == "send" || word == "text") return toDevice(word, number, log);
    if (word == "pin") return pin(number, log);
    if (word == "take-back") {
      if (!numberOk) return say(log, "take a file sent to a device back with 'take-back ID' (its sent \"id\")");
      return takeBack(id, log);
    }
    if (word == "cancel") {
      if (!numberOk) return say(log, "cancel a transfer with 'cancel ID' (its transfer-started \"id\")");
      return server_.cancelTransfer(id);
    }
    ReceiveAnswer a;
    if (word == "accept") a = ReceiveAnswer::kAccept;
    else if (word == "always") a = ReceiveAnswer::kAcceptAlways;
    else if (word == "decline") a = ReceiveAnswer::kDecline;
    else if (line.empty()) return;
    else
      return say(log, "answer an ask with 'accept N', 'always N' or 'decline N', send to a device with 'send ID "
                      "FILE...' or 'text ID TEXT', take a file sent back with 'take-back ID', give a PIN with 'pin N "
                      "PIN', or cancel a transfer with 'cancel ID', not '" + line + "'");
    if (!numberOk) return say(log, "'" + line + "' needs the number of the ask");
    server_.answerReceiveAsk(id, a);
  }

  // "send 2 a.pdf \"my photo.jpg\"", "text 2 see you at 6": `rest` is all
  // after the word.
  void toDevice(const std::string& word, const std::string& rest, TransferLog& log) {
    const auto space = rest.find(' ');
    const std::string number = rest.substr(0, space);
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), id);
    const std::string args = space == std::string::npos ? std::string() : rest.substr(space + 1);
    if (ec != std::errc() || end != number.data() + number.size() || id == 0 || args.empty())
      return say(log, word == "send" ? "send to a device with 'send ID FILE...'" : "send text with 'text ID TEXT'");
    std::string error;
    if (word == "text") {
      if (!server_.sendText(id, args, &error)) say(log, error);
      return;
    }
    std::vector<std::string> paths;
    std::string path;
    bool quoted = false, any = false;
    for (char c : args) {
      if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (c == ' ' && !quoted) {
        if (any) paths.push_back(std::exchange(path, {}));
        any = false;
      } else {
        path += c;
        any = true;
      }
    }
    if (any) paths.push_back(path);
    std::vector<std::string> links;
    if (!server_.sendToDevice(id, paths, &error, &links)) return say(log, error);
    NearbyDevice to;
    for (const NearbyDevice& d : server_.nearbyDevices())
      if (d.id == id) to = d;
    to.id = id;
    std::string out;
    for (const std::string& token : links) {
      const std::optional<Share> share = server_.share(token);
      if (!share) continue;  // the device left at once, and its links with it
      sent_.push_back(Sent{token, id, share->name, false});
      lines_.sent(out, sent_.size(), to, share->name, server_.linkFor(*share, host_));
    }
    log.say(out);
  }

  // "take-back 4": the link of the fourth file sent ends, and its card on
  // the page says it was taken back.
  void takeBack(std::uint64_t n, TransferLog& log) {
    if (n > sent_.size()) return say(log, "nothing was sent as " + std::to_string(n) + ": 'take-back ID' takes the "
                                           "sent \"id\"");
    Sent& s = sent_[n - 1];
    if (s.takenBack) return say(log, s.name + " was taken back already");
    s.takenBack = true;
    if (!server_.removeShare(s.token)) return say(log, "the link of " + s.name + " has ended already");
    std::string out;
    lines_.takenBack(out, n, s.device, s.name);
    log.say(out);
  }

  // "pin 3 123456": the PIN a LocalSend device asked for; "pin 3" gives up.
  void pin(const std::string& rest, TransferLog& log) {
    const auto space = rest.find(' ');
    const std::string number = rest.substr(0, space);
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), id);
    if (ec != std::errc() || end != number.data() + number.size() || id == 0)
      return say(log, "give a PIN with 'pin N PIN'");
    server_.answerLocalSendPin(id, space == std::string::npos ? std::string() : rest.substr(space + 1));
  }

  void say(TransferLog& log, const std::string& sentence) {
    std::string out;
    lines_.error(out, sentence);
    log.say(out);
  }

  // A file sent to a page: `sent` ids are 1 + its place here.
  struct Sent {
    std::string token;
    std::uint64_t device;
    std::string name;
    bool takenBack;
  };

  Server& server_;
  const LogLines& lines_;
  const std::string host_;
  std::vector<Sent> sent_;
  std::string pending_;
};
#endif

}  // namespace

std::string defaultLinkHost(const std::string& bind) {
  if (!bind.empty() && bind != "0.0.0.0" && bind != "::" && bind != "[::]" && bind != "*") return bind;
  std::string lan = primaryLanAddress();
  return lan.empty() ? "127.0.0.1" : lan;
}

int runHeadless(const CommandLine& cmd) {
  const LogLines lines(cmd.json);
  // Before serving, a refusal goes straight to stderr (nothing else writes
  // there yet) and ends the run.
  auto refuse = [&lines](std::string_view sentence) {
    std::string line;
    lines.error(line, sentence);
    std::fputs(line.c_str(), stderr);
    return 2;
  };
  if (cmd.paths.empty() && cmd.receiveDir.empty() && !cmd.server.localsend)
    return refuse("nothing to share: name at least one file (ferry --headless FILE...), a folder to receive "
                  "into (--receive DIR), or be a LocalSend device (--localsend)");
  Server server;
  std::vector<Share> shares;
  // The window's cache folder: CRC-32s a headless run computed make the
  // window's zips start at once, and the other way round.
  if (const std::string cache = userCacheDirectory(); !cache.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cache, ec);
    if (!ec) server.setCacheDirectory(cache);  // else they last this run
  }
  // Every link of the run gets the same rules; an expiry counts from now.
  ShareRules rules = cmd.rules;
  if (cmd.expiresAfter.count() > 0) rules.expires = ShareRules::Clock::now() + cmd.expiresAfter;
  for (const auto& path : cmd.paths) {
    std::string error;
    auto share = server.addShare(path, &error);
    if (!share) return refuse(error);  // "Cannot share PATH: why."
    if (rules.any()) {
      server.setRules(share->token, rules);
      share->rules = rules;
    }
    shares.push_back(*share);
  }
  if (!cmd.receiveDir.empty()) {
    std::string error;
    if (!server.setReceiveFolder(cmd.receiveDir, &error)) return refuse(error);  // "Cannot receive files into DIR: why."
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

  TransferLog log(lines);
  server.setSnapshotListener([&log](std::shared_ptr<const StatsSnapshot> s) { log.onSnapshot(std::move(s)); });
  server.setReceivePolicy(cmd.receive);
  server.setReceiveAskListener([&log, &lines](const ReceiveAsk& a, ReceiveAskState state) {
    std::string out;
    lines.ask(out, a, state);
    log.say(out);
  });
  server.setNearbyListener([&log, &lines](const NearbyDevice& d, bool here) {
    std::string out;
    lines.device(out, d, here);
    log.say(out);
  });
  server.setNearbyTextListener([&log, &lines](const NearbyDevice& from, const std::string& text) {
    std::string out;
    lines.text(out, from, text);
    log.say(out);
  });
  server.setLocalSendPinListener([&log, &lines](std::uint64_t session, std::uint64_t device, const std::string& name,
                                                bool wrong) {
    std::string out;
    lines.pin(out, session, device, name, wrong);
    log.say(out);
  });
  std::string error;
  ServerOptions options = cmd.server;
  // LocalSend's certificate lives beside the window's cache: its
  // fingerprint is who this computer is to the devices that know it.
  if (options.localsend && options.localsendIdentityDir.empty())
    options.localsendIdentityDir = userCacheDirectory() + "/localsend";
  // Ferry's CA is data, not cache: devices have installed it.
  if (options.localCa && options.localCaDir.empty() && !userDataDirectory().empty())
    options.localCaDir = userDataDirectory() + "/https";
  server.setCertificateListener([&log, &lines](const std::string& sentence, bool failed) {
    std::string out;
    lines.certificate(out, sentence, failed);
    log.say(out);
  });
  if (!server.start(options, &error)) return refuse(error);
  std::string host = defaultLinkHost(cmd.server.bind);
  for (const Share& s : shares) std::printf("%s\n", server.linkFor(s, host).c_str());
  if (!cmd.receiveDir.empty()) std::printf("%s\n", server.receiveLink(host).c_str());
  std::fflush(stdout);
  std::size_t folders = 0;
  for (const Share& s : shares) folders += s.folder ? 1 : 0;
  std::string hello;
  lines.serving(hello, shares.size() - folders, folders, server.port(), server.pollerName());
  if (!shares.empty()) lines.rules(hello, rules, shares.size() - folders, folders);
  if (auto folder = server.receiveFolder()) lines.receiving(hello, folder->dir);
  if (const LocalCaStatus ca = server.localCa(); ca.on)
    lines.localCa(hello, ca, "http://" + hostForUrl(host, server.port()) + ca.pagePath);
  if (server.plainHttpToo()) {
    // stdout keeps one https link a line for scripts; the plain ones are
    // for whoever hands a link to a device without the certificate.
    for (const Share& s : shares) lines.plainLink(hello, server.linkFor(s, host, "http"));
    if (!cmd.receiveDir.empty()) lines.plainLink(hello, server.receiveLink(host, "http"));
  }
  if (cmd.server.localsend) {
    const LocalSendStatus ls = server.localSend();
    if (ls.on)
      lines.localsend(hello, ls);
    else
      lines.error(hello, ls.error);
  }
  if (const std::string why = server.localSendDiscoveryError(); !why.empty())
    lines.error(hello, "LocalSend devices cannot be found: " + why);
  log.say(hello);

#ifndef _WIN32
  // The live line is for a person at a terminal; JSON lines are for scripts.
  const bool tty = ::isatty(STDERR_FILENO) && !cmd.json;
  AskAnswers answers(server, lines, host);
  // Non-blocking while Ferry runs; given back as it was, since a terminal's
  // flags are its shell's too.
  const int stdinFlags = ::fcntl(STDIN_FILENO, F_GETFL);
  // Commands come while Receive or LocalSend is on: answers to asks, what
  // goes to the nearby devices (their pages, LocalSend devices), PINs.
  bool listening = (!cmd.receiveDir.empty() || cmd.server.localsend) && stdinFlags >= 0 &&
                   ::fcntl(STDIN_FILENO, F_SETFL, stdinFlags | O_NONBLOCK) == 0;
  const bool restoreStdin = listening;
  while (true) {
    // A command is read the moment it arrives; stop signals are taken
    // within a quarter of a second either way.
    if (listening) {
      pollfd in{STDIN_FILENO, POLLIN, 0};
      ::poll(&in, 1, 250);
    }
    timespec timeout{0, listening ? 0 : 250 * 1000 * 1000};
    int sig = sigtimedwait(&stopSignals, nullptr, &timeout);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (listening) listening = answers.poll(log);
    if (tty) log.progressLine();
  }
  if (restoreStdin) ::fcntl(STDIN_FILENO, F_SETFL, stdinFlags);
#else
  const bool tty = ::_isatty(_fileno(stderr)) && !cmd.json;
  while (!gStop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (tty) log.progressLine();
  }
#endif
  if (tty) log.say("\r\033[K");
  server.stop();
  std::string bye;
  lines.stopped(bye);
  log.say(bye);
  return 0;
}

}  // namespace ferry::app
