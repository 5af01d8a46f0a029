#pragma once

#include "cli.h"

namespace ferry::app {

// Opens the main window with cmd.paths shared; returns the exit status.
int runGui(int argc, char** argv, const CommandLine& cmd);

}  // namespace ferry::app
