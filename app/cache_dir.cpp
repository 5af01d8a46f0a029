#include "cache_dir.h"

#include <cstdlib>

#ifdef _WIN32
#include <windows.h>
#endif

namespace ferry::app {
namespace {

std::string env(const char* name) {
#ifdef _WIN32
  // UTF-8, as core takes paths: getenv() gives the ANSI code page, which
  // cannot hold every user name (C:\Users\Jürgen is fine, Cyrillic is not).
  wchar_t wideName[64] = {};
  for (std::size_t i = 0; name[i] && i + 1 < sizeof wideName / sizeof *wideName; ++i) wideName[i] = static_cast<wchar_t>(name[i]);
  const wchar_t* v = ::_wgetenv(wideName);
  if (!v) return "";
  int len = ::WideCharToMultiByte(CP_UTF8, 0, v, -1, nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(len > 0 ? len - 1 : 0), '\0');
  if (len > 1) ::WideCharToMultiByte(CP_UTF8, 0, v, -1, out.data(), len, nullptr, nullptr);
  return out;
#else
  const char* v = std::getenv(name);
  return v ? v : "";
#endif
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

std::string userDataDirectory() {
#if defined(_WIN32)
  const std::string local = env("LOCALAPPDATA");
  return local.empty() ? std::string() : local + "\\ferry";
#elif defined(__APPLE__)
  const std::string home = env("HOME");
  return home.empty() ? std::string() : home + "/Library/Application Support/ferry";
#else
  if (const std::string xdg = env("XDG_DATA_HOME"); !xdg.empty() && xdg.front() == '/') return xdg + "/ferry";
  const std::string home = env("HOME");
  return home.empty() ? std::string() : home + "/.local/share/ferry";
#endif
}

}  // namespace ferry::app
