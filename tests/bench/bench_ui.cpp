// bench_ui: how responsive the window stays while 1,000 downloads run.
//
// Measures the GUI event loop's latency as a 5 ms precise QTimer sees it:
// each firing's interval minus 5 ms is how late the UI was to react. Runs:
//   idle       the window with nothing going on (the floor)
//   real       1,000 real, rate-limited downloads from raw sockets on a
//              client thread, through the server, the bridge (~10 Hz
//              snapshots), both models and the painted views
//   sorted     the same with the downloads list sorted by speed (the proxy
//              re-sorts on every snapshot)
//   synthetic  1,000-transfer snapshots fed straight to the window's model
//              at 10 Hz (no server: the UI side alone)
// First, how long the window takes to share N files dropped at once and to
// remove them all again (select all, Remove), for N = 1,000 and 4,000.
// Prints markdown tables. Not a ctest: numbers are reported, not asserted.
//
//   bench_ui [seconds per run, default 10]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTimer>

#include "main_window.h"
#include "server_bridge.h"
#include "shares/shares_model.h"
#include "widgets/table_view.h"
#include "transfers/transfers_model.h"

using namespace ferry;
using namespace ferry::ui;

namespace {

constexpr int kTransfers = 1000;

struct Latency {
  double median = 0, p99 = 0, max = 0;
  std::size_t samples = 0;
};

// Runs the event loop for `seconds`, a 5 ms timer recording how late it fires.
Latency measure(double seconds) {
  std::vector<double> late;
  late.reserve(static_cast<std::size_t>(seconds * 250));
  QElapsedTimer clock;
  clock.start();
  qint64 last = clock.nsecsElapsed();
  QTimer t;
  t.setTimerType(Qt::PreciseTimer);
  t.setInterval(5);
  QObject::connect(&t, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    late.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
    last = now;
  });
  t.start();
  QEventLoop loop;
  QTimer::singleShot(static_cast<int>(seconds * 1000), &loop, &QEventLoop::quit);
  loop.exec();
  t.stop();
  std::sort(late.begin(), late.end());
  Latency r;
  r.samples = late.size();
  if (late.empty()) return r;
  r.median = late[late.size() / 2];
  r.p99 = late[std::min(late.size() - 1, late.size() * 99 / 100)];
  r.max = late.back();
  return r;
}

// 1,000 HTTP clients on one thread: connect, ask, then read and discard
// whatever comes, until told to stop.
class Clients {
 public:
  Clients(quint16 port, QByteArray path) : port_(port), request_("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") {}
  ~Clients() { stop(); }
  void start() { thread_ = std::thread([this] { run(); }); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int connected() const { return connected_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  void run() {
    std::vector<pollfd> fds;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Connect in batches, so the listen backlog never overflows.
    for (int i = 0; i < kTransfers && !stop_; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("bench_ui: connect");
        if (fd >= 0) ::close(fd);
        continue;
      }
      ::send(fd, request_.constData(), static_cast<size_t>(request_.size()), MSG_NOSIGNAL);
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      fds.push_back({fd, POLLIN, 0});
      ++connected_;
      if (i % 50 == 49) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::vector<char> buf(64 * 1024);
    while (!stop_) {
      int n = ::poll(fds.data(), fds.size(), 100);
      if (n <= 0) continue;
      for (pollfd& p : fds) {
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = ::recv(p.fd, buf.data(), buf.size(), 0);
        if (got > 0) bytes_ += static_cast<std::uint64_t>(got);
      }
    }
    for (pollfd& p : fds) ::close(p.fd);
  }

  quint16 port_;
  QByteArray request_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connected_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

StatsSnapshot syntheticSnapshot(int tick) {
  static const auto share = std::make_shared<const ferry::Share>(ferry::Share{"tok", "/srv/big file.iso", "big file.iso"});
  StatsSnapshot s;
  s.transfers.reserve(kTransfers);
  for (int i = 1; i <= kTransfers; ++i) {
    TransferInfo t;
    t.id = static_cast<std::uint64_t>(i);
    t.client = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":40000";
    t.share = share;
    t.fileSize = t.bytesTotal = 4'000'000'000ull;
    t.bytesSent = static_cast<std::uint64_t>(tick) * 2000 + static_cast<std::uint64_t>(i) * 17;
    t.rate = 20'000 + (i * 37 + tick * 11) % 5000;
    s.transfers.push_back(std::move(t));
  }
  s.activeTransfers = kTransfers;
  s.uploadRate = 20e6;
  return s;
}

// Shares N files in one drop, then removes them all with the Remove action,
// in a window of its own; prints one table row.
void benchShares(const QString& dir, int n) {
  QList<QUrl> urls;
  for (int i = 0; i < n; ++i) {
    const QString path = QStringLiteral("%1/file %2.txt").arg(dir).arg(i);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write("x");
    urls << QUrl::fromLocalFile(path);
  }
  MainWindow window{SettingsStore{}, LaunchOptions{}};
  window.resize(1100, 760);
  window.show();
  QCoreApplication::processEvents();
  QElapsedTimer t;
  t.start();
  window.shareFiles(urls);
  QCoreApplication::processEvents();
  const double addMs = t.nsecsElapsed() / 1e6;
  window.sharesView()->setFocus();
  window.sharesView()->selectAll();
  t.restart();
  window.action(MainWindow::Action::Remove)->trigger();
  QCoreApplication::processEvents();
  const double removeMs = t.nsecsElapsed() / 1e6;
  std::printf("| %d | %.1f | %.1f | %d |\n", n, addMs, removeMs, window.sharesModel()->rowCount());
  std::fflush(stdout);
  for (const QUrl& u : urls) QFile::remove(u.toLocalFile());
}

void row(const char* name, const Latency& l, const QString& note) {
  std::printf("| %s | %.3f | %.3f | %.2f | %zu | %s |\n", name, l.median, l.p99, l.max, l.samples, qPrintable(note));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // Two sockets per download live in this process (client and server end).
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 2 * kTransfers + 100) {
    std::fprintf(stderr, "bench_ui: need %d file descriptors, have %llu\n", 2 * kTransfers + 100,
                 static_cast<unsigned long long>(rl.rlim_cur));
    return 1;
  }
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QTemporaryDir home;
  qputenv("XDG_CONFIG_HOME", home.path().toUtf8());
  QApplication app(argc, argv);
  const double seconds = argc > 1 ? std::max(1.0, QString::fromLocal8Bit(argv[1]).toDouble()) : 10.0;

  // A big sparse file: every download stays active for the whole run.
  const QString file = home.path() + QStringLiteral("/big file.iso");
  {
    QFile f(file);
    f.open(QIODevice::WriteOnly);
    f.resize(4'000'000'000ll);
  }
  AppSettings settings;
  settings.port = 0;
  settings.linkHost = QStringLiteral("127.0.0.1");
  settings.rateLimit = 20'000'000;  // 20 MB/s shared: ~20 kB/s a download
  settings.startOnLaunch = true;
  settings.keepInTray = false;
  SettingsStore().saveSettings(settings);
  LaunchOptions launch;
  launch.server.bind = "127.0.0.1";
  launch.server.limits.maxConnections = 4 * kTransfers;
  launch.server.limits.maxConnectionsPerIp = 4 * kTransfers;
  launch.maxConnectionsGiven = true;
  launch.bindGiven = true;

  std::printf("Sharing N files in one drop, then removing them all (ms)\n\n");
  std::printf("| Shares | add | remove | left |\n|---:|---:|---:|---:|\n");
  for (int n : {1000, 4000}) benchShares(home.path(), n);
  std::printf("\n");

  MainWindow window{SettingsStore{}, launch};
  window.resize(1100, 760);
  window.show();
  window.startIfWanted();
  window.shareFiles({QUrl::fromLocalFile(file)});
  const QString link = window.sharesModel()->linkAt(0);
  const QByteArray path = QUrl(link).path(QUrl::FullyEncoded).toUtf8();

  std::printf("UI event-loop latency: how late a 5 ms timer fires (ms), %g s per run, %d transfers\n\n", seconds,
              kTransfers);
  std::printf("| Run | median | p99 | max | samples | notes |\n|---|---:|---:|---:|---:|---|\n");
  row("idle", measure(seconds), QStringLiteral("window shown, nothing shared is downloading"));

  {
    Clients clients(window.bridge()->port(), path);
    clients.start();
    QElapsedTimer wait;
    wait.start();
    while (window.transfersModel()->activeCount() < kTransfers && wait.elapsed() < 60000)
      QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    const int active = window.transfersModel()->activeCount();
    int snapshots = 0;
    auto conn = QObject::connect(window.bridge(), &ServerBridge::snapshotArrived, [&] { ++snapshots; });
    const std::uint64_t before = clients.bytes();
    Latency real = measure(seconds);
    row("real", real,
        QStringLiteral("%1 active downloads, %2 snapshots/s delivered, %3 MB/s received")
            .arg(active)
            .arg(snapshots / seconds, 0, 'f', 1)
            .arg((clients.bytes() - before) / seconds / 1e6, 0, 'f', 1));
    snapshots = 0;
    window.transfersView()->sortByColumn(TransfersModel::Speed, Qt::DescendingOrder);
    Latency sorted = measure(seconds);
    row("sorted", sorted,
        QStringLiteral("same, list sorted by speed; %1 snapshots/s").arg(snapshots / seconds, 0, 'f', 1));
    window.transfersView()->sortByColumn(-1, Qt::AscendingOrder);
    window.transfersProxy()->sort(-1);
    QObject::disconnect(conn);
    clients.stop();
    window.stopServing();
    window.transfersModel()->clearEnded();
  }

  {
    int tick = 0;
    QTimer feed;
    feed.setInterval(100);
    QObject::connect(&feed, &QTimer::timeout, [&] {
      const StatsSnapshot s = syntheticSnapshot(++tick);
      window.transfersModel()->applySnapshot(1000, s);
    });
    feed.start();
    Latency syn = measure(seconds);
    row("synthetic", syn, QStringLiteral("%1 snapshots of %2 transfers fed to the model").arg(tick).arg(kTransfers));
  }
  return 0;
}
