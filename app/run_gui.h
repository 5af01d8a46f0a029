#pragma once

// The entry point of the window module (ferry-gui), which `ferry` loads at
// run time (gui_loader.h). Both are built together from this project, so
// the CommandLine crosses the boundary as it is; the version check keeps a
// stray module of another build from being used.

#include "cli.h"

#if defined(_WIN32)
#define FERRY_GUI_API extern "C" __declspec(dllexport)
#else
#define FERRY_GUI_API extern "C" __attribute__((visibility("default")))
#endif

// The FERRY_VERSION the module was built as.
FERRY_GUI_API const char* ferry_gui_version();
// Opens the main window with cmd->paths shared; returns the exit status.
FERRY_GUI_API int ferry_gui_main(int argc, char** argv, const ferry::app::CommandLine* cmd);

using FerryGuiVersionFn = const char* (*)();
using FerryGuiMainFn = int (*)(int, char**, const ferry::app::CommandLine*);
