#pragma once

// Helpers for the integration suites: test files, clients nobody here wrote
// (curl as a subprocess, Qt's QNetworkAccessManager), a raw blocking socket
// client for the edge cases, a minimal HTTP/1.1 response reader for it, an
// in-process server fixture, and the real `ferry --headless` process with
// its RSS, descriptor count and CPU time read from /proc.
//
// Header-only; POSIX (the integration suites run on Linux and macOS).

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "request_target.h"
#include "server.h"
#include "testutil/process.h"

namespace ferry::test {

using Clock = std::chrono::steady_clock;

inline qint64 msSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// ---- files ------------------------------------------------------------------

// Deterministic pseudo-random bytes (incompressible, so nothing along the way
// can cheat by compressing).
inline QByteArray randomBytes(qint64 size, quint32 seed = 1) {
  QByteArray b(size, Qt::Uninitialized);
  QRandomGenerator gen(seed);
  auto* words = reinterpret_cast<quint32*>(b.data());
  const qint64 n = size / 4;
  gen.fillRange(words, n);
  for (qint64 i = n * 4; i < size; ++i) b[i] = static_cast<char>(gen.generate());
  return b;
}

inline bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  return f.write(bytes) == bytes.size() && f.flush();
}

// Writes `size` random bytes to `path` in slices (no huge buffer) and
// returns their sha256 (hex).
inline QByteArray writeRandomFile(const QString& path, qint64 size, quint32 seed = 1) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
  QCryptographicHash h(QCryptographicHash::Sha256);
  QRandomGenerator gen(seed);
  const qint64 slice = 1 << 20;
  QByteArray buf(slice, Qt::Uninitialized);
  for (qint64 done = 0; done < size;) {
    qint64 n = std::min(slice, size - done);
    gen.fillRange(reinterpret_cast<quint32*>(buf.data()), static_cast<qsizetype>(slice / 4));
    QByteArrayView v(buf.constData(), n);
    if (f.write(v.data(), n) != n) return {};
    h.addData(v);
    done += n;
  }
  f.close();
  return h.result().toHex();
}

inline QByteArray sha256(const QByteArray& b) {
  return QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex();
}

inline QByteArray sha256File(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash h(QCryptographicHash::Sha256);
  h.addData(&f);
  return h.result().toHex();
}

inline QByteArray readFileBytes(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

// ---- processes ----------------------------------------------------------------

struct ProcessResult {
  bool finished = false;  // started and exited within the timeout
  int exitCode = -1;      // -1: never started, crashed, or killed at the timeout
  QByteArray out;
  QByteArray err;
  qint64 ms = 0;
};

// Runs `program` to completion, killing it after `timeoutMs`. Blocks the
// calling thread; a server under test runs on its own.
inline ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs,
                                const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                                const QString& workDir = {}) {
  ProcessResult r;
  QProcess p;
  p.setProcessEnvironment(env);
  if (!workDir.isEmpty()) p.setWorkingDirectory(workDir);
  QElapsedTimer t;
  t.start();
  p.start(program, args);
  if (!p.waitForStarted(10'000)) return r;
  r.finished = p.waitForFinished(timeoutMs);
  if (!r.finished) {
    p.kill();
    p.waitForFinished(5'000);
  }
  r.ms = t.elapsed();
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

// ---- curl -------------------------------------------------------------------

using CurlResult = ProcessResult;

inline bool haveCurl() { return !QStandardPaths::findExecutable("curl").isEmpty(); }

// Runs curl with `args` (plus -sS, no proxy, a time cap). Blocks the calling
// thread; the server runs on its own.
inline CurlResult runCurl(const QStringList& args, int timeoutMs = 60'000, const QString& workDir = {}) {
  QStringList all = {"-sS", "--noproxy", "*", "--max-time", QString::number(timeoutMs / 1000 + 1)};
  all += args;
  return runProcess("curl", all, timeoutMs + 5'000, QProcessEnvironment::systemEnvironment(), workDir);
}

// Header lines of `curl -D -` style output into a lower-cased map (the last
// response's headers when there were several).
inline QMap<QByteArray, QByteArray> parseHeaderBlock(const QByteArray& block) {
  QMap<QByteArray, QByteArray> h;
  for (const QByteArray& line : block.split('\n')) {
    QByteArray l = line.trimmed();
    if (l.startsWith("HTTP/")) {
      h.clear();
      h[":status"] = l.split(' ').value(1);
      continue;
    }
    int colon = l.indexOf(':');
    if (colon <= 0) continue;
    h[l.left(colon).toLower()] = l.mid(colon + 1).trimmed();
  }
  return h;
}

// ---- QNetworkAccessManager ----------------------------------------------------

struct QnamResult {
  bool finished = false;
  QNetworkReply::NetworkError error = QNetworkReply::NoError;
  int status = 0;
  QByteArray body;
  QMap<QByteArray, QByteArray> headers;  // lower-cased names
};

// One request through a fresh QNAM, waiting in a local event loop.
inline QnamResult qnamGet(const QUrl& url, const QList<QPair<QByteArray, QByteArray>>& headers = {},
                          int timeoutMs = 60'000, const QByteArray& verb = "GET") {
  QnamResult r;
  QNetworkAccessManager nam;
  nam.setProxy(QNetworkProxy::NoProxy);
  QNetworkRequest req(url);
  req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
  for (const auto& [k, v] : headers) req.setRawHeader(k, v);
  QNetworkReply* reply = verb == "GET"    ? nam.get(req)
                         : verb == "HEAD" ? nam.head(req)
                                          : nam.sendCustomRequest(req, verb);
  QEventLoop loop;
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  if (!reply->isFinished()) loop.exec();
  r.finished = reply->isFinished();
  if (!r.finished) reply->abort();
  r.error = reply->error();
  r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  r.body = reply->readAll();
  for (const auto& [k, v] : reply->rawHeaderPairs()) r.headers[k.toLower()] = v;
  reply->deleteLater();
  return r;
}

// ---- raw sockets ----------------------------------------------------------------

// A blocking-with-timeouts TCP client on 127.0.0.1, for what curl and QNAM
// will not send.
class RawClient {
 public:
  RawClient() = default;
  explicit RawClient(std::uint16_t port, int rcvbuf = 0) { connectTo(port, rcvbuf); }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  RawClient(RawClient&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

  bool connectTo(std::uint16_t port, int rcvbuf = 0) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close();
      return false;
    }
    return true;
  }
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  bool send(const QByteArray& bytes) {
    qsizetype done = 0;
    while (done < bytes.size()) {
      auto n = ::send(fd_, bytes.constData() + done, static_cast<size_t>(bytes.size() - done), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += n;
    }
    return true;
  }

  // Waits up to timeoutMs for bytes; appends what one recv() gives. Returns
  // >0 bytes read, 0 on EOF, -1 on timeout, -2 on error (reset).
  int readSome(QByteArray& into, int timeoutMs, int max = 256 * 1024) {
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, timeoutMs);
    if (pr == 0) return -1;
    if (pr < 0) return -2;
    QByteArray buf(max, Qt::Uninitialized);
    auto n = ::recv(fd_, buf.data(), static_cast<size_t>(max), 0);
    if (n < 0) return errno == EAGAIN ? -1 : -2;
    into.append(buf.constData(), n);
    return static_cast<int>(n);
  }

  // Reads until EOF / reset or until nothing came for idleMs; the bytes.
  // `closed` tells whether the server closed (EOF or reset).
  QByteArray readUntilClosed(int idleMs, bool* closed = nullptr, qint64 totalMs = 120'000) {
    QByteArray all;
    auto start = Clock::now();
    if (closed) *closed = false;
    while (msSince(start) < totalMs) {
      int n = readSome(all, idleMs);
      if (n > 0) continue;
      if (n == -1) return all;  // quiet, still open
      if (closed) *closed = true;
      return all;
    }
    return all;
  }

  // Reads until `all` holds at least `want` bytes (or EOF / timeout).
  bool readAtLeast(QByteArray& all, qsizetype want, int timeoutMs) {
    auto start = Clock::now();
    while (all.size() < want) {
      int left = timeoutMs - static_cast<int>(msSince(start));
      if (left <= 0) return false;
      if (readSome(all, left) <= 0) return false;
    }
    return true;
  }

  // True if the peer closed (EOF or reset) within timeoutMs; discards data.
  bool waitClosed(int timeoutMs) {
    auto start = Clock::now();
    QByteArray sink;
    while (msSince(start) < timeoutMs) {
      sink.clear();
      int n = readSome(sink, std::max(1, timeoutMs - static_cast<int>(msSince(start))));
      if (n == 0 || n == -2) return true;
      if (n == -1) return false;
    }
    return false;
  }

  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// One HTTP/1.x response as read from a raw socket.
struct RawResponse {
  bool complete = false;
  int status = 0;
  QByteArray version;  // "HTTP/1.1"
  QByteArray head;
  QMap<QByteArray, QByteArray> headers;  // lower-cased names, last wins
  QList<QPair<QByteArray, QByteArray>> headerList;
  QByteArray body;
  QByteArray header(const QByteArray& name) const { return headers.value(name.toLower()); }
  bool has(const QByteArray& name) const { return headers.contains(name.toLower()); }
  qint64 contentLength() const { return has("content-length") ? header("content-length").toLongLong() : -1; }
};

// Takes one response off the front of `buf`, reading more from `c` as
// needed. A HEAD response, a 304 and a 1xx have no body; otherwise the body
// is Content-Length bytes (every Ferry response has one).
inline RawResponse readResponse(RawClient& c, QByteArray& buf, bool head = false, int timeoutMs = 10'000) {
  RawResponse r;
  auto start = Clock::now();
  auto left = [&] { return std::max(1, timeoutMs - static_cast<int>(msSince(start))); };
  qsizetype end;
  while ((end = buf.indexOf("\r\n\r\n")) < 0) {
    if (msSince(start) >= timeoutMs || c.readSome(buf, left()) <= 0) return r;
  }
  r.head = buf.left(end);
  QList<QByteArray> lines = r.head.split('\n');
  QByteArray statusLine = lines.value(0).trimmed();
  QList<QByteArray> parts = statusLine.split(' ');
  r.version = parts.value(0);
  r.status = parts.value(1).toInt();
  for (int i = 1; i < lines.size(); ++i) {
    QByteArray l = lines[i];
    if (l.endsWith('\r')) l.chop(1);
    int colon = l.indexOf(':');
    if (colon <= 0) continue;
    QByteArray k = l.left(colon), v = l.mid(colon + 1).trimmed();
    r.headerList.append({k, v});
    r.headers[k.toLower()] = v;
  }
  buf.remove(0, end + 4);
  qint64 len = (head || r.status == 304 || r.status / 100 == 1) ? 0 : r.contentLength();
  if (len < 0) len = 0;
  while (buf.size() < len) {
    if (msSince(start) >= timeoutMs || c.readSome(buf, left()) <= 0) {
      r.body = buf;
      buf.clear();
      return r;
    }
  }
  r.body = buf.left(len);
  buf.remove(0, len);
  r.complete = true;
  return r;
}

// Sends one request and reads one response on a fresh connection.
inline RawResponse rawRequest(std::uint16_t port, const QByteArray& request, bool head = false,
                              int timeoutMs = 10'000) {
  RawClient c(port);
  if (!c.ok() || !c.send(request)) return {};
  QByteArray buf;
  return readResponse(c, buf, head, timeoutMs);
}

inline QByteArray hostHeader(std::uint16_t port) { return "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n"; }

// "GET <path> HTTP/1.1" with a Host header and extra header lines.
inline QByteArray getRequest(std::uint16_t port, const QByteArray& path, const QByteArray& extra = {},
                             const QByteArray& method = "GET") {
  return method + " " + path + " HTTP/1.1\r\n" + hostHeader(port) + extra + "\r\n";
}

// ---- the in-process server ------------------------------------------------------

// A ferry::Server on 127.0.0.1, a free port, with the poller of the current
// data row, and a temporary directory for the files it shares.
struct ServerFixture {
  ferry::Server server;
  QTemporaryDir dir;
  ferry::ServerOptions options;

  ServerFixture() {
    options.bind = "127.0.0.1";
    options.port = 0;
  }
  bool start(const std::string& poller) {
    options.poller = poller;
    std::string error;
    bool ok = server.start(options, &error);
    if (!ok) qWarning("server did not start: %s", error.c_str());
    return ok;
  }
  std::uint16_t port() const { return server.port(); }
  QString path(const QString& name) const { return dir.filePath(name); }

  // Shares a file; empty share on failure.
  ferry::Share share(const QString& filePath) {
    std::string error;
    auto s = server.addShare(QFile::encodeName(filePath).toStdString(), &error);
    if (!s) {
      qWarning("cannot share: %s", error.c_str());
      return {};
    }
    return *s;
  }
  QString url(const ferry::Share& s) const { return QString::fromStdString(server.linkFor(s, "127.0.0.1")); }
  // "/TOKEN/NAME", the request-target of a share's link.
  QByteArray target(const ferry::Share& s) const {
    return QByteArray::fromStdString("/" + s.token + "/" + ferry::percentEncodePathSegment(s.name));
  }

  // The transfer in the latest snapshot with this id, if listed.
  std::optional<ferry::TransferInfo> transfer(std::uint64_t id) const {
    auto snap = server.snapshot();
    for (const auto& t : snap->transfers)
      if (t.id == id) return t;
    return std::nullopt;
  }
  // Transfers of one share in the latest snapshot.
  std::vector<ferry::TransferInfo> transfersOf(const ferry::Share& s) const {
    std::vector<ferry::TransferInfo> out;
    auto snap = server.snapshot();
    for (const auto& t : snap->transfers)
      if (t.shareToken() == s.token) out.push_back(t);
    return out;
  }

  // Waits for an active transfer of `s` that has sent at least `bytes`.
  std::optional<ferry::TransferInfo> waitActive(const ferry::Share& s, std::uint64_t bytes, int timeoutMs = 15'000) {
    auto t0 = Clock::now();
    while (msSince(t0) < timeoutMs) {
      for (const auto& t : transfersOf(s))
        if (t.state == ferry::TransferState::kActive && t.bytesSent >= bytes) return t;
      QTest::qWait(20);
    }
    return std::nullopt;
  }

  // Waits until transfer `id` is listed with a state other than active.
  std::optional<ferry::TransferInfo> waitEnded(std::uint64_t id, int timeoutMs = 15'000) {
    auto t0 = Clock::now();
    while (msSince(t0) < timeoutMs) {
      if (auto t = transfer(id); t && t->state != ferry::TransferState::kActive) return t;
      QTest::qWait(20);
    }
    return std::nullopt;
  }
};

// A curl download running in the background.
struct AsyncCurl {
  std::unique_ptr<QProcess> proc = std::make_unique<QProcess>();
  QElapsedTimer timer;
  QString out;

  void start(const QString& url, const QString& outFile, const QStringList& extra = {}) {
    out = outFile;
    QStringList args = {"-sS", "--noproxy", "*", "--max-time", "120", "-o", outFile, "-w", "%{http_code} %{size_download}"};
    args += extra;
    args << url;
    timer.start();
    proc->start("curl", args);
    proc->waitForStarted(10'000);
  }
  bool finished() const { return proc->state() == QProcess::NotRunning; }
  bool wait(int ms) { return finished() || proc->waitForFinished(ms); }
  int exitCode() const { return proc->exitStatus() == QProcess::NormalExit ? proc->exitCode() : -1; }
  QByteArray stdoutText() { return proc->readAllStandardOutput(); }
  qint64 sizeOnDisk() const { return QFileInfo(out).size(); }
};

// ---- the real `ferry --headless` process ------------------------------------------

inline QString ferryBinary() { return qEnvironmentVariable("FERRY_BINARY"); }

// Reads "Key:   123 kB" from /proc/PID/status; -1 if unavailable.
inline qint64 procStatusKb(qint64 pid, const char* key) {
  QFile f(QString("/proc/%1/status").arg(pid));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  const QByteArray k = QByteArray(key) + ":";
  for (const QByteArray& line : f.readAll().split('\n')) {
    if (line.startsWith(k)) {
      QList<QByteArray> parts = line.mid(k.size()).simplified().split(' ');
      return parts.value(0).toLongLong();
    }
  }
  return -1;
}
inline qint64 rssKb(qint64 pid) { return procStatusKb(pid, "VmRSS"); }

inline int fdCount(qint64 pid) {
  QDir d(QString("/proc/%1/fd").arg(pid));
  if (!d.exists()) return -1;
  return static_cast<int>(d.entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System).size());
}

// utime + stime in clock ticks (/proc/PID/stat fields 14 and 15).
inline qint64 cpuTicks(qint64 pid) {
  QFile f(QString("/proc/%1/stat").arg(pid));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  QByteArray s = f.readAll();
  qsizetype close = s.lastIndexOf(')');  // the command name may hold spaces
  if (close < 0) return -1;
  QList<QByteArray> fields = s.mid(close + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14 -> index 11.
  return fields.value(11).toLongLong() + fields.value(12).toLongLong();
}
inline double cpuSeconds(qint64 pid) { return double(cpuTicks(pid)) / double(::sysconf(_SC_CLK_TCK)); }

// The CPU seconds process `pid` uses while this thread waits `ms` (the
// event loop keeps running), and the wall seconds that took.
struct CpuUse {
  double cpu = 0;
  double wall = 0;
};
inline CpuUse cpuUsedOver(qint64 pid, int ms) {
  const double cpu0 = cpuSeconds(pid);
  QElapsedTimer t;
  t.start();
  QTest::qWait(ms);
  return {cpuSeconds(pid) - cpu0, t.elapsed() / 1000.0};
}

// `ferry --headless --bind 127.0.0.1 --port 0 [extra] FILES...`, waited on
// until it printed one link per file. stderr goes to a file, as a script
// would redirect it: a pipe nobody drains would fill up and stall the
// process's logging (see tst_headless::stalledStderr for that case).
class FerryProcess {
 public:
  QProcess proc;
  QStringList urls;
  QByteArray err;  // stderr so far (refreshed by readErr())
  QStringList env;  // extra NAME=VALUE for the process (e.g. FERRY_SENDFILE=0)
  int extraLines = 0;  // stdout lines after the files' links (--receive adds one)

  ~FerryProcess() { stop(); }

  bool start(const QStringList& files, const QStringList& extra = {}, const QString& wrapper = {},
             const QStringList& wrapperArgs = {}, int timeoutMs = 15'000) {
    QStringList args = {"--headless", "--bind", "127.0.0.1", "--port", "0"};
    args += extra;
    args += files;
    if (logDir_.isValid()) proc.setStandardErrorFile(logDir_.filePath("stderr.log"));
    if (!env.isEmpty()) {
      QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
      for (const QString& kv : env) e.insert(kv.section('=', 0, 0), kv.section('=', 1));
      proc.setProcessEnvironment(e);
    }
    if (wrapper.isEmpty()) {
      proc.start(ferryBinary(), args);
    } else {
      QStringList all = wrapperArgs;
      all << ferryBinary();
      all += args;
      proc.start(wrapper, all);
    }
    if (!proc.waitForStarted(10'000)) return false;
    QByteArray out;
    auto start = Clock::now();
    const qsizetype want = files.size() + extraLines;
    while (urls.size() < want && msSince(start) < timeoutMs) {
      if (proc.state() != QProcess::Running) break;
      proc.waitForReadyRead(200);
      out += proc.readAllStandardOutput();
      while (out.contains('\n')) {
        qsizetype nl = out.indexOf('\n');
        urls << QString::fromUtf8(out.left(nl));
        out.remove(0, nl + 1);
      }
    }
    readErr();
    return urls.size() == want;
  }
  qint64 pid() const { return proc.processId(); }
  std::uint16_t port() const { return urls.isEmpty() ? 0 : static_cast<std::uint16_t>(QUrl(urls[0]).port()); }
  // The request-target of the i-th link.
  QByteArray target(int i = 0) const { return QUrl(urls.value(i)).path(QUrl::FullyEncoded).toUtf8(); }
  void readErr() {
    QFile f(logDir_.filePath("stderr.log"));
    if (f.open(QIODevice::ReadOnly)) err = f.readAll();
  }

  // SIGTERM and wait; the exit code, or -1.
  int terminate(int timeoutMs = 5'000) {
    if (proc.state() == QProcess::NotRunning) return proc.exitCode();
    ::kill(static_cast<pid_t>(proc.processId()), SIGTERM);
    if (!proc.waitForFinished(timeoutMs)) return -1;
    readErr();
    return proc.exitStatus() == QProcess::NormalExit ? proc.exitCode() : -1;
  }
  void stop() {
    if (proc.state() == QProcess::NotRunning) return;
    if (terminate() == -1 && proc.state() != QProcess::NotRunning) {
      proc.kill();
      proc.waitForFinished(5'000);
    }
  }

 private:
  QTemporaryDir logDir_;
};

}  // namespace ferry::test
