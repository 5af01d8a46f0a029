#include "cache_dir.h"

#include <cstdlib>

namespace ferry::app {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string userCacheDirectory() {
#if defined(_WIN32)
  const std::string local = env("LOCALAPPDATA");
  return local.empty() ? std::string() : local + "\\ferry\\cache";
#elif defined(__APPLE__)
  const std::string home = env("HOME");
  return home.empty() ? std::string() : home + "/Library/Caches/ferry";
#else
  // XDG: a relative XDG_CACHE_HOME is invalid and ignored (Qt does the same).
  if (const std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty() && xdg.front() == '/') return xdg + "/ferry";
  const std::string home = env("HOME");
  return home.empty() ? std::string() : home + "/.cache/ferry";
#endif
}

}  // namespace ferry::app
