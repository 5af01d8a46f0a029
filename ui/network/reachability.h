#pragma once

// Why another device may not reach Ferry, in words: a pure function from
// what is known about this machine (how Ferry listens, the link's address,
// the adapters, the firewall, the Windows network profile) to findings a
// person can act on, each with the exact command when one fixes it. What
// is known comes from system_checks.h, or from a test. Any thread.

#include <optional>

#include <QList>
#include <QString>

#include "network/address_ranking.h"

namespace ferry::ui {

struct FirewallState {
  enum class Kind { None, Ufw, Firewalld, Windows, Unknown };
  enum class Port { Open, Closed, Unknown };
  Kind kind = Kind::None;  // the firewall that is active, if any
  Port port = Port::Unknown;  // whether Ferry's port is let in
};

struct WindowsNetwork {
  std::optional<bool> publicProfile;  // the network's category is Public
  std::optional<bool> ruleExists;     // Ferry's inbound firewall rule
  QString program;                    // ferry.exe's path, for the rule's command
};

struct ReachabilityFacts {
  bool serving = false;
  QString bind;  // "" = every interface
  quint16 port = 0;
  QString linkHost;
  QList<LinkAddress> addresses;  // the machine's, ranked
  FirewallState firewall;
  WindowsNetwork windows;
};

struct Finding {
  enum class Level { Problem, Warning, Ok, Info };
  Level level = Level::Info;
  QString title;    // one line
  QString detail;   // what it means and what to do
  QString command;  // to copy and run, if one fixes it
};

// Problems first, then warnings, then what is fine, then what cannot be
// checked from here (guest Wi-Fi isolation).
QList<Finding> diagnose(const ReachabilityFacts& facts);

}  // namespace ferry::ui
