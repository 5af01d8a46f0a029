#pragma once

// VisitorTracker: when another device last reached Ferry, from the stats
// snapshots — the proof that a fix worked ("192.168.1.31 connected 2 s
// ago"). A request from this machine itself (loopback, or one of its own
// addresses) proves nothing about the network and is not counted. Owns the
// last sighting only; fed by the window with each snapshot.
//
// GUI thread only.

#include <chrono>

#include <QSet>
#include <QString>

#include "server.h"

namespace ferry::ui {

class VisitorTracker final {
 public:
  // `own`: this machine's addresses (hosts of the ranking).
  void apply(const StatsSnapshot& snapshot, const QSet<QString>& own);

  bool seen() const { return !client_.isEmpty(); }
  QString client() const { return client_; }  // the address, without the port
  std::chrono::system_clock::time_point when() const { return when_; }

  // "192.168.1.31 connected 2 s ago", or that none has yet.
  QString describe(std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

 private:
  QString client_;
  std::chrono::system_clock::time_point when_{};
};

// "192.168.1.31" of "192.168.1.31:40044", "::1" of "[::1]:40044".
QString clientAddress(const std::string& client);

}  // namespace ferry::ui
