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

}  // namespace ferry::app
