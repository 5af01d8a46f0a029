#pragma once

// SystemChecks: what the OS says about incoming connections — which
// firewall is active and whether it lets Ferry's port in (ufw, firewalld on
// Linux), and on Windows the network's profile and Ferry's firewall rule.
// Asked when the "Can't connect?" panel opens or refreshes; each check is a
// file read or a command capped at a second or two. Virtual so tests (and
// a future platform) can say what they like. Owns nothing.
//
// GUI thread (it blocks briefly; never called per frame).

#include "network/reachability.h"

namespace ferry::ui {

class SystemChecks {
 public:
  virtual ~SystemChecks();
  virtual FirewallState firewall(quint16 port) const;
  virtual WindowsNetwork windowsNetwork() const;
};

}  // namespace ferry::ui
