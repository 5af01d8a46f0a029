#pragma once

// The ferry command line, parsed without Qt so the headless server starts on
// machines with no display at all.

#include <chrono>
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
  // Rules every PATH of a headless run gets: --downloads, and the password
  // read from --password-file. The expiry is a duration (--expires), made a
  // moment when the run starts serving.
  ShareRules rules;
  std::chrono::seconds expiresAfter{0};  // 0 = never
  bool json = false;  // --json: stderr is one JSON object per line
  ReceivePolicy receive;   // --ask, --max-file-size
  std::vector<std::string> paths;
};

// Parses argv. On a bad argument returns false and sets `error` to a
// sentence for the user (the caller exits with status 2).
bool parseCommandLine(int argc, char** argv, CommandLine& out, std::string& error);

std::string usage();

// "90s", "45m", "2h", "3d", "1h30m": a positive duration of at most ten
// years, in whole seconds. False for anything else (a bare number included:
// "90" could mean seconds or minutes).
bool parseDuration(const std::string& s, std::chrono::seconds& out);

// The first line of `path`, without its line ending: a password kept out of
// the command line (where every user of the machine can read it). Returns
// false and a sentence for the user when the file cannot be read or its
// first line is empty.
bool readPasswordFile(const std::string& path, std::string& password, std::string& error);

}  // namespace ferry::app
