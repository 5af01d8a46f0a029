#pragma once

// Finds the window module (ferry-gui) next to the executable or where it is
// installed, loads it, and runs the window. Until then the process has
// mapped no Qt library; `ferry --headless` never does.
//
// Main thread, once.

#include "cli.h"

namespace ferry::app {

// The window's exit status; 1 with a message on stderr naming what was
// tried when the module cannot be loaded; 2 with a message suggesting
// --headless when there is no display.
int launchGui(int argc, char** argv, const CommandLine& cmd);

}  // namespace ferry::app
