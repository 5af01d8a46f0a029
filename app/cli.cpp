#include "cli.h"

#include <charconv>
#include <cstdlib>

#include "poller.h"

namespace ferry::app {
namespace {

bool parseUnsigned(const std::string& s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && out <= max;
}

// "500000", "500k", "2M", "1.5M" (bytes per second, powers of 1000 as
// network rates are usually given).
bool parseRate(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return false;
  std::string suffix(end);
  double mult = 1;
  if (suffix.empty() || suffix == "B") mult = 1;
  else if (suffix == "k" || suffix == "K" || suffix == "kB" || suffix == "KB") mult = 1e3;
  else if (suffix == "M" || suffix == "MB") mult = 1e6;
  else if (suffix == "G" || suffix == "GB") mult = 1e9;
  else return false;
  out = static_cast<std::uint64_t>(v * mult);
  return true;
}

}  // namespace

std::string usage() {
  std::string pollers;
  for (const auto& p : availablePollers()) pollers += (pollers.empty() ? "" : ", ") + p;
  return "Usage: ferry [options] [PATH...]\n"
         "Share files and folders with people nearby: each PATH gets an unguessable link\n"
         "(a folder's link lists it; add ?zip to a folder's link to get it as one .zip).\n"
         "\n"
         "Options:\n"
         "  --headless            serve without a window; print one link per PATH on stdout\n"
         "  --new-instance        open a window of its own, even while Ferry runs\n"
         "                        (otherwise PATHs go to the running Ferry's window)\n"
         "  --port N              listen on port N (default 8080; 0 picks a free port)\n"
         "  --bind ADDR           listen on this IP address only (default: all interfaces)\n"
         "  --poller NAME         event loop backend: " + pollers + "\n"
         "                        (also FERRY_POLLER=NAME)\n"
         "  --rate-limit RATE     total upload limit in bytes/s (e.g. 500k, 2M; 0 = none)\n"
         "  --max-connections N   refuse clients beyond N open connections (default 1024)\n"
         "  --max-connections-per-ip N\n"
         "                        refuse one address's clients beyond N (default 256;\n"
         "                        0 = no cap; trusted proxies are never capped)\n"
         "  --receive DIR         receive files into DIR: a link where a browser (or curl -T)\n"
         "                        sends files to this computer; headless, printed after the others\n"
         "  --ask                 with --receive: ask before accepting files from a new device;\n"
         "                        each ask is a line on stderr, answered on stdin with\n"
         "                        'accept N', 'always N' or 'decline N'\n"
         "  --max-file-size SIZE  with --receive: refuse files larger than SIZE (e.g. 700M, 2G)\n"
         "  --allow-host NAME     also answer requests for host NAME (repeatable)\n"
         "  --trusted-proxy IP    believe X-Forwarded-For from this proxy (repeatable)\n"
         "  -h, --help            show this help\n"
         "  --version             show the version\n";
}

bool parseCommandLine(int argc, char** argv, CommandLine& out, std::string& error) {
  bool onlyPaths = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (onlyPaths || arg.empty() || arg[0] != '-' || arg == "-") {
      out.paths.push_back(arg);
      continue;
    }
    if (arg == "--") {
      onlyPaths = true;
      continue;
    }
    std::string value;
    bool hasInline = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasInline = true;
    }
    auto needValue = [&](std::string& v) {
      if (hasInline) {
        v = value;
        return true;
      }
      if (i + 1 >= argc) {
        error = "option " + arg + " needs a value";
        return false;
      }
      v = argv[++i];
      return true;
    };
    std::string v;
    std::uint64_t n = 0;
    if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (arg == "--version") {
      out.version = true;
    } else if (arg == "--headless") {
      out.headless = true;
    } else if (arg == "--new-instance") {
      out.newInstance = true;
    } else if (arg == "--port") {
      if (!needValue(v)) return false;
      if (!parseUnsigned(v, 65535, n)) {
        error = "--port needs a number from 0 to 65535, not '" + v + "'";
        return false;
      }
      out.server.port = static_cast<std::uint16_t>(n);
      out.portGiven = true;
    } else if (arg == "--bind") {
      if (!needValue(v)) return false;
      out.server.bind = v;
      out.bindGiven = true;
    } else if (arg == "--poller") {
      if (!needValue(v)) return false;
      bool known = false;
      for (const auto& p : availablePollers()) known = known || p == v;
      if (!known) {
        std::string list;
        for (const auto& p : availablePollers()) list += (list.empty() ? "" : ", ") + p;
        error = "unknown poller '" + v + "'; available on this system: " + list;
        return false;
      }
      out.server.poller = v;
    } else if (arg == "--rate-limit") {
      if (!needValue(v)) return false;
      if (!parseRate(v, n)) {
        error = "--rate-limit needs bytes per second, like 500000, 500k or 2M, not '" + v + "'";
        return false;
      }
      out.server.rateLimit = n;
      out.rateGiven = true;
    } else if (arg == "--max-connections") {
      if (!needValue(v)) return false;
      if (!parseUnsigned(v, 1000000, n) || n == 0) {
        error = "--max-connections needs a positive number, not '" + v + "'";
        return false;
      }
      out.server.limits.maxConnections = static_cast<std::size_t>(n);
      out.maxConnectionsGiven = true;
    } else if (arg == "--max-connections-per-ip") {
      if (!needValue(v)) return false;
      if (!parseUnsigned(v, 1000000, n)) {
        error = "--max-connections-per-ip needs a number (0: no cap), not '" + v + "'";
        return false;
      }
      out.server.limits.maxConnectionsPerIp = static_cast<std::size_t>(n);
    } else if (arg == "--receive") {
      if (!needValue(v)) return false;
      out.receiveDir = v;
    } else if (arg == "--ask") {
      out.receive.askNewDevices = true;
    } else if (arg == "--max-file-size") {
      if (!needValue(v)) return false;
      if (!parseRate(v, n) || n == 0) {
        error = "--max-file-size needs a size in bytes, like 700M or 2G, not '" + v + "'";
        return false;
      }
      out.receive.maxFileSize = n;
    } else if (arg == "--allow-host") {
      if (!needValue(v)) return false;
      out.server.allowedHosts.push_back(v);
    } else if (arg == "--trusted-proxy") {
      if (!needValue(v)) return false;
      out.server.trustedProxies.push_back(v);
    } else {
      error = "unknown option '" + arg + "' (see ferry --help)";
      return false;
    }
  }
  if (out.receiveDir.empty() && (out.receive.askNewDevices || out.receive.maxFileSize)) {
    error = std::string(out.receive.askNewDevices ? "--ask" : "--max-file-size") +
            " is about receiving files: add --receive DIR";
    return false;
  }
  return true;
}

}  // namespace ferry::app
