// ferry: parses the command line, then runs the window (a module loaded only
// then) or, with --headless, the server alone.

#include <cstdio>

#ifndef _WIN32
#include <climits>
#include <sys/resource.h>
#else
#include <windows.h>
#include <shellapi.h>
#endif

#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "headless.h"
#include "gui_loader.h"
#include "log_lines.h"

namespace {

// A download holds two descriptors (its socket and its file), so the usual
// soft limit of 1024 would stop Ferry near 500 downloads, half its own
// connection cap. Raise the soft limit to the hard one, as nginx's
// worker_rlimit_nofile and Go's runtime do; the hard limit is the
// administrator's word and stays.
void raiseOpenFileLimit() {
#ifndef _WIN32
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
#ifdef OPEN_MAX
  if (rl.rlim_cur > OPEN_MAX) rl.rlim_cur = OPEN_MAX;  // macOS refuses more than this
#endif
  ::setrlimit(RLIMIT_NOFILE, &rl);
#endif
}

// Whether --json is among the options, whatever else is wrong with them: a
// script reading JSON lines gets its refusal as one too.
bool asksForJson(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

#ifdef _WIN32
// Windows hands main() its arguments in the ANSI code page, where a name
// like "Grüße ✓.txt" loses characters; the UTF-16 command line keeps them
// all. Everything after this speaks UTF-8, as core does with paths.
std::vector<std::string> utf8Arguments() {
  std::vector<std::string> out;
  int n = 0;
  wchar_t** wide = ::CommandLineToArgvW(::GetCommandLineW(), &n);
  if (!wide) return out;
  for (int i = 0; i < n; ++i) {
    int len = ::WideCharToMultiByte(CP_UTF8, 0, wide[i], -1, nullptr, 0, nullptr, nullptr);
    std::string arg(static_cast<std::size_t>(len > 0 ? len - 1 : 0), '\0');
    if (len > 1) ::WideCharToMultiByte(CP_UTF8, 0, wide[i], -1, arg.data(), len, nullptr, nullptr);
    out.push_back(std::move(arg));
  }
  ::LocalFree(wide);
  return out;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef _WIN32
  // Lives until exit: the window module keeps argv.
  static std::vector<std::string> args = utf8Arguments();
  static std::vector<char*> pointers;
  if (!args.empty()) {
    for (std::string& a : args) pointers.push_back(a.data());
    pointers.push_back(nullptr);
    argc = static_cast<int>(args.size());
    argv = pointers.data();
  }
#endif
  ferry::app::CommandLine cmd;
  std::string error;
  if (!ferry::app::parseCommandLine(argc, argv, cmd, error)) {
    std::string line;
    ferry::app::LogLines(asksForJson(argc, argv)).error(line, error);
    std::fputs(line.c_str(), stderr);
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
  raiseOpenFileLimit();
  if (cmd.headless) return ferry::app::runHeadless(cmd);
  return ferry::app::launchGui(argc, argv, cmd);
}
