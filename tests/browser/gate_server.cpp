// A Ferry server whose shares have rules, for the browser tests of the
// gate's pages (tests/browser/test_gate.py): the Server facade as the app
// drives it, with rules set before the first request.
//
//   gate_server --bind 127.0.0.1 --port 0 [--password-file F] [--expired]
//               [--downloads N] PATH...
//
// Prints one link per PATH on stdout, then serves until SIGTERM or SIGINT.
// --expired sets an expiry one minute in the past. POSIX only, as the
// browser tests are.

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "server.h"

int main(int argc, char** argv) {
  ferry::ServerOptions options;
  options.bind = "127.0.0.1";
  options.port = 0;
  ferry::ShareRules rules;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "gate_server: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--headless") continue;
    if (a == "--bind") options.bind = value();
    else if (a == "--port") options.port = static_cast<std::uint16_t>(std::stoi(value()));
    else if (a == "--downloads") rules.downloadLimit = static_cast<std::uint32_t>(std::stoul(value()));
    else if (a == "--expired") rules.expires = std::chrono::system_clock::now() - std::chrono::minutes(1);
    else if (a == "--password-file") {
      std::ifstream f(value());
      std::getline(f, rules.password);
    } else paths.push_back(a);
  }

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  ferry::Server server;
  std::vector<ferry::Share> shares;
  for (const std::string& p : paths) {
    std::string error;
    auto s = server.addShare(p, &error);
    if (!s) {
      std::fprintf(stderr, "gate_server: %s\n", error.c_str());
      return 2;
    }
    server.setRules(s->token, rules);
    shares.push_back(*s);
  }
  std::string error;
  if (!server.start(options, &error)) {
    std::fprintf(stderr, "gate_server: %s\n", error.c_str());
    return 2;
  }
  for (const ferry::Share& s : shares) std::printf("%s\n", server.linkFor(s, options.bind).c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server.stop();
  return 0;
}
