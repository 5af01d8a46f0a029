#pragma once

// Windows only: the connected networks' category (INetworkListManager) and
// whether the firewall has Ferry's rule (INetFwPolicy2), through COM. Plain
// types, no Qt, so the file compiles (and is checked) with mingw-w64 alone.
// The thread that calls it must allow COM (Qt's GUI thread does).

namespace ferry::ui {

struct WindowsNetworkFacts {
  int publicProfile = -1;  // 1: a connected network is Public; 0: none is; -1: unknown
  int ruleExists = -1;     // 1: a firewall rule named "Ferry" exists; 0: none; -1: unknown
};

WindowsNetworkFacts queryWindowsNetwork();

}  // namespace ferry::ui
