#include "desktop/termination_signals.h"

#ifndef _WIN32
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <QSocketNotifier>

namespace ferry::ui {

#ifndef _WIN32
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};
int writeEnd = -1;  // for the handler: only async-signal-safe calls there

void onSignal(int sig) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(sig);
  // Non-blocking: a full pipe means a wake-up is already on its way.
  [[maybe_unused]] ssize_t n = ::write(writeEnd, &byte, 1);
  errno = saved;
}

}  // namespace

TerminationSignals::TerminationSignals(QObject* parent) : QObject(parent) {
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_) != 0) {
    qWarning("ferry: cannot watch for SIGTERM: %s", strerror(errno));
    return;
  }
  for (int fd : fds_) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  writeEnd = fds_[0];
  notifier_ = new QSocketNotifier(fds_[1], QSocketNotifier::Read, this);
  connect(notifier_, &QSocketNotifier::activated, this, &TerminationSignals::onReadable);
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : kSignals) ::sigaction(sig, &sa, nullptr);
}

TerminationSignals::~TerminationSignals() {
  if (fds_[0] < 0) return;
  for (int sig : kSignals) std::signal(sig, SIG_DFL);
  writeEnd = -1;
  delete notifier_;
  ::close(fds_[0]);
  ::close(fds_[1]);
}

void TerminationSignals::onReadable() {
  unsigned char byte = 0;
  while (::read(fds_[1], &byte, 1) == 1) emit received(byte);
}

#else

TerminationSignals::TerminationSignals(QObject* parent) : QObject(parent) {}
TerminationSignals::~TerminationSignals() = default;
void TerminationSignals::onReadable() {}

#endif

}  // namespace ferry::ui
