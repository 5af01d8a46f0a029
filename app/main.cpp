// ferry: parses the command line, then runs the window (a module loaded only
// then) or, with --headless, the server alone.

#include <cstdio>

#include "cli.h"
#include "headless.h"
#include "gui_loader.h"

int main(int argc, char** argv) {
  ferry::app::CommandLine cmd;
  std::string error;
  if (!ferry::app::parseCommandLine(argc, argv, cmd, error)) {
    std::fprintf(stderr, "ferry: %s\n", error.c_str());
    return 2;
  }
  if (cmd.help) {
    std::fputs(ferry::app::usage().c_str(), stdout);
    return 0;
  }
  if (cmd.version) {
    std::printf("ferry %s\n", FERRY_VERSION);
    return 0;
  }
  if (cmd.headless) return ferry::app::runHeadless(cmd);
  return ferry::app::launchGui(argc, argv, cmd);
}
