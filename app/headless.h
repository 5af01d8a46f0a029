#pragma once

#include "cli.h"

namespace ferry::app {

// Serves cmd.paths without a window until SIGINT/SIGTERM, each with the
// run's rules. Prints one link per path on stdout; transfer starts and ends
// and delivery outcomes on stderr (as JSON lines with cmd.json). Returns the exit
// status (0 after a clean stop, 2 for bad paths or a busy port).
int runHeadless(const CommandLine& cmd);

// The host to put in links: the bound address when it is a specific one,
// else the machine's primary LAN address, else loopback.
std::string defaultLinkHost(const std::string& bind);

}  // namespace ferry::app
