#pragma once

// The entry point of the window module (ferry-gui), which `ferry` loads at
// run time (gui_loader.h). Both are built together from this project, so
// the CommandLine crosses the boundary as it is; kFerryGuiBuild, compiled
// into both, keeps a module of another version, compiler or build type
// from being used.

#include <cstddef>

#include "cli.h"

#define FERRY_GUI_STR2(x) #x
#define FERRY_GUI_STR(x) FERRY_GUI_STR2(x)
#if defined(_MSC_VER)
#define FERRY_GUI_COMPILER "msvc " FERRY_GUI_STR(_MSC_FULL_VER)
#elif defined(__VERSION__)
#define FERRY_GUI_COMPILER __VERSION__
#else
#define FERRY_GUI_COMPILER "unknown"
#endif
#if defined(NDEBUG)
#define FERRY_GUI_NDEBUG "release"
#else
#define FERRY_GUI_NDEBUG "debug"
#endif
#if defined(_GLIBCXX_DEBUG) || defined(_DEBUG)
#define FERRY_GUI_STDLIB_DEBUG " checked-stdlib"
#else
#define FERRY_GUI_STDLIB_DEBUG ""
#endif
// What both sides must agree on (with sizeof(CommandLine)) for a
// CommandLine to mean the same to both.
inline constexpr const char* kFerryGuiBuild =
    "ferry " FERRY_VERSION " (" FERRY_GUI_COMPILER ", " FERRY_GUI_NDEBUG FERRY_GUI_STDLIB_DEBUG ")";

#if defined(_WIN32)
#define FERRY_GUI_API extern "C" __declspec(dllexport)
#else
#define FERRY_GUI_API extern "C" __attribute__((visibility("default")))
#endif

// The module's kFerryGuiBuild; *commandLineSize its sizeof(CommandLine).
FERRY_GUI_API const char* ferry_gui_build(std::size_t* commandLineSize);
// Opens the main window with cmd->paths shared; returns the exit status.
FERRY_GUI_API int ferry_gui_main(int argc, char** argv, const ferry::app::CommandLine* cmd);

using FerryGuiBuildFn = const char* (*)(std::size_t*);
using FerryGuiMainFn = int (*)(int, char**, const ferry::app::CommandLine*);
