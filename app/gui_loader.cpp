#include "gui_loader.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "run_gui.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>
#endif
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

namespace ferry::app {
namespace {

#ifdef _WIN32
constexpr char kSep = '\\';
#else
constexpr char kSep = '/';
#endif

// The directory of the running executable (UTF-8), with a trailing
// separator; empty if the platform will not say.
std::string executableDir() {
  std::string path;
#if defined(_WIN32)
  std::wstring wide(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = ::GetModuleFileNameW(nullptr, wide.data(), static_cast<DWORD>(wide.size()));
    if (n == 0) return {};
    if (n < wide.size()) {
      wide.resize(n);
      break;
    }
    wide.resize(wide.size() * 2);
  }
  int len = ::WideCharToMultiByte(CP_UTF8, 0, wide.c_str(), -1, nullptr, 0, nullptr, nullptr);
  path.assign(static_cast<std::size_t>(len > 0 ? len - 1 : 0), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, wide.c_str(), -1, path.data(), len, nullptr, nullptr);
#elif defined(__APPLE__)
  std::uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);
  std::string raw(size, '\0');
  if (_NSGetExecutablePath(raw.data(), &size) != 0) return {};
  char real[PATH_MAX];
  if (!::realpath(raw.c_str(), real)) return {};
  path = real;
#else
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  path.assign(buf, static_cast<std::size_t>(n));
#endif
  auto cut = path.find_last_of(kSep);
  return cut == std::string::npos ? std::string() : path.substr(0, cut + 1);
}

struct Module {
#ifdef _WIN32
  HMODULE handle = nullptr;
#else
  void* handle = nullptr;
#endif
  std::string error;

  bool open(const std::string& path) {
#ifdef _WIN32
    int len = ::MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(len > 0 ? len : 1), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, wide.data(), len);
    // The module's own directory is searched for its Qt DLLs.
    handle = ::LoadLibraryExW(wide.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!handle) error = "error " + std::to_string(::GetLastError());
#else
    handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      error = ::dlerror();
      if (error.rfind(path + ": ", 0) == 0) error.erase(0, path.size() + 2);  // said once is enough
    }
#endif
    return handle != nullptr;
  }

  void close() {
#ifdef _WIN32
    if (handle) ::FreeLibrary(handle);
#else
    if (handle) ::dlclose(handle);
#endif
    handle = nullptr;
  }

  void* symbol(const char* name) const {
#ifdef _WIN32
    return reinterpret_cast<void*>(::GetProcAddress(handle, name));
#else
    return ::dlsym(handle, name);
#endif
  }
};

// True when no window can open for want of a display. Qt would abort
// (exit 134, "Reinstalling the application may fix this problem"); this is
// told before any Qt library is loaded. Only where windows need DISPLAY or
// WAYLAND_DISPLAY, and only when QT_QPA_PLATFORM does not pick a platform
// itself (offscreen, vnc...): run_gui.cpp catches Qt's own failure then.
bool noDisplay() {
#if defined(_WIN32) || defined(__APPLE__)
  return false;
#else
  auto set = [](const char* name) {
    const char* v = std::getenv(name);
    return v && *v;
  };
  return !set("QT_QPA_PLATFORM") && !set("DISPLAY") && !set("WAYLAND_DISPLAY");
#endif
}

}  // namespace

int launchGui(int argc, char** argv, const CommandLine& cmd) {
  if (noDisplay()) {
    std::fprintf(stderr, "ferry: cannot open the window: there is no display (neither DISPLAY nor WAYLAND_DISPLAY "
                         "is set)\n"
                         "ferry: `ferry --headless FILE...` serves files without a window.\n");
    return 2;
  }
  const std::string dir = executableDir();
  if (dir.empty()) {
    // Never a bare name or a relative path: that would load whatever
    // module the library path or the current directory offers.
    std::fprintf(stderr, "ferry: cannot open the window: cannot tell where the ferry executable is\n"
                         "ferry: `ferry --headless FILE...` serves files without a window.\n");
    return 1;
  }
  // Next to the executable (the build tree, Windows, macOS), then where an
  // installed Linux package puts it.
  std::string rel = FERRY_GUI_RELDIR;
  std::vector<std::string> candidates = {dir + FERRY_GUI_MODULE};
  if (!rel.empty() && rel != ".") candidates.push_back(dir + rel + kSep + FERRY_GUI_MODULE);

  std::string tried;
  for (const std::string& path : candidates) {
    Module m;
    if (!m.open(path)) {
      tried += "\n  " + path + ": " + m.error;
      continue;
    }
    auto build = reinterpret_cast<FerryGuiBuildFn>(m.symbol("ferry_gui_build"));
    auto main = reinterpret_cast<FerryGuiMainFn>(m.symbol("ferry_gui_main"));
    std::size_t size = 0;
    if (!build || !main || std::strcmp(build(&size), kFerryGuiBuild) != 0 || size != sizeof(CommandLine)) {
      tried += "\n  " + path + ": not the window module of this build (" + kFerryGuiBuild + ")";
      m.close();
      continue;
    }
    // Never unloaded: Qt's threads and atexit handlers may outlive main().
    return main(argc, argv, &cmd);
  }
  std::fprintf(stderr,
               "ferry: cannot open the window: its module could not be loaded:%s\n"
               "ferry: `ferry --headless FILE...` serves files without a window.\n",
               tried.c_str());
  return 1;
}

}  // namespace ferry::app
