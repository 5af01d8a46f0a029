#pragma once

// The ferry command line, parsed without Qt so the headless server starts on
// machines with no display at all.

#include <cstdint>
#include <string>
#include <vector>

#include "server.h"

namespace ferry::app {

struct CommandLine {
  bool help = false;
  bool version = false;
  bool headless = false;
  // Open a window of its own even while Ferry runs, instead of handing the
  // PATHs to the running one.
  bool newInstance = false;
  // Which options were given, whatever their value: for the window, a
  // value given here wins over the saved one, even the default's value.
  bool portGiven = false;
  bool bindGiven = false;
  bool rateGiven = false;
  bool maxConnectionsGiven = false;
  ServerOptions server;
  std::string receiveDir;  // --receive: files sent to this computer go here
  ReceivePolicy receive;   // --ask, --max-file-size
  std::vector<std::string> paths;
};

// Parses argv. On a bad argument returns false and sets `error` to a
// sentence for the user (the caller exits with status 2).
bool parseCommandLine(int argc, char** argv, CommandLine& out, std::string& error);

std::string usage();

}  // namespace ferry::app
