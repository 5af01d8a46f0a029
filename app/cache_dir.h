#pragma once

// Where Ferry keeps what it may rebuild (the CRC-32s of zipped files): the
// same folder the window uses (Qt's QStandardPaths::CacheLocation for the
// app "ferry"), found without Qt so that headless Ferry, which loads no Qt,
// shares it.

#include <string>

namespace ferry::app {

// $XDG_CACHE_HOME/ferry or ~/.cache/ferry; ~/Library/Caches/ferry on macOS;
// %LOCALAPPDATA%\ferry\cache on Windows. Empty when none can be named.
std::string userCacheDirectory();

// Where Ferry keeps what it cannot rebuild without cost to the user (its own
// certificate authority, which devices have installed): the window's
// QStandardPaths::AppLocalDataLocation. $XDG_DATA_HOME/ferry or
// ~/.local/share/ferry; ~/Library/Application Support/ferry on macOS;
// %LOCALAPPDATA%\ferry on Windows. Empty when none can be named.
std::string userDataDirectory();

}  // namespace ferry::app
