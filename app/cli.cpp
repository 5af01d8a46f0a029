#include "cli.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "native_path.h"
#include "poller.h"
#include "tls_context.h"

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

// Longest a password file's first line may be: a password, not a file
// named by mistake.
constexpr std::size_t kMaxPassword = 1024;

// What --public-cache accepts: up to a year, as far ahead as HTTP/1.1 ever
// let a server promise freshness (RFC 2616 §14.21, Expires).
constexpr std::uint64_t kMaxPublicCache = 365ull * 24 * 3600;

}  // namespace

bool parseDuration(const std::string& s, std::chrono::seconds& out) {
  constexpr std::uint64_t kMax = 3650ull * 24 * 3600;  // ten years
  std::uint64_t total = 0;
  std::size_t i = 0;
  if (s.empty()) return false;
  while (i < s.size()) {
    std::size_t digits = i;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == i || digits == s.size()) return false;  // a unit with no number, or a number with no unit
    std::uint64_t n = 0;
    auto r = std::from_chars(s.data() + i, s.data() + digits, n);
    if (r.ec != std::errc() || n > kMax) return false;
    std::uint64_t unit = 0;
    switch (s[digits]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 24 * 3600; break;
      default: return false;
    }
    total += n * unit;
    if (total > kMax) return false;
    i = digits + 1;
  }
  if (total == 0) return false;
  out = std::chrono::seconds(static_cast<std::chrono::seconds::rep>(total));
  return true;
}

bool readPasswordFile(const std::string& path, std::string& password, std::string& error) {
  std::FILE* f = ferry::openStdioFile(path, "rb");
  if (!f) {
    error = "cannot read the password file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  for (int c; (c = std::fgetc(f)) != EOF && c != '\n';) {
    if (line.size() > kMaxPassword) break;
    line += static_cast<char>(c);
  }
  const bool readError = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (readError) {
    // A folder opens on Linux but fails to read (EISDIR).
    error = "cannot read the password file " + path + ": " + std::strerror(err);
    return false;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();  // written on Windows
  if (line.size() > kMaxPassword) {
    error = "the first line of the password file " + path + " is longer than " + std::to_string(kMaxPassword) +
            " characters; put the password alone on it";
    return false;
  }
  if (line.empty()) {
    error = "the password file " + path + " has an empty first line; put the password on it";
    return false;
  }
  password = std::move(line);
  return true;
}

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
         "                        'accept N' (the files that ask named), 'always N' (the\n"
         "                        device from now on) or 'decline N'\n"
         "  --max-file-size SIZE  with --receive: refuse files larger than SIZE (e.g. 700M, 2G)\n"
         "  --allow-host NAME     also answer requests for host NAME (repeatable)\n"
         "  --trusted-proxy IP    believe X-Forwarded-For from this proxy (repeatable)\n"
         "  --name NAME           who shares, as the pages say it (\"Shared by NAME\");\n"
         "                        default: this computer's name\n"
         "  --public-cache SECONDS\n"
         "                        let shared caches (nginx, a CDN) keep plain links this long\n"
         "                        (default 0: every reuse asks Ferry, so unsharing ends a link\n"
         "                        at once); links with a rule are never cached\n"
         "  --tls-cert FILE       serve HTTPS with this PEM certificate (its chain after it);\n"
         "                        links start with https:// and plain HTTP is sent there\n"
         "  --tls-key FILE        the certificate's PEM private key (needed with --tls-cert)\n"
         "  --https               serve HTTPS with Ferry's own certificate authority, made once and kept\n"
         "                        in Ferry's data folder; a device trusts it once from the page\n"
         "                        http://ADDRESS:PORT/ferry-ca (printed at start), which also gives its\n"
         "                        fingerprint\n"
         "  --hsts                with --tls-cert or --https: browsers that visited use https only, for a year\n"
         "  --http-too            with --tls-cert or --https: plain HTTP on the same port is answered too,\n"
         "                        not sent to https (devices that do not trust the certificate); the\n"
         "                        http:// links are printed beside the https:// ones\n"
         "  --localsend           be a LocalSend device: the LocalSend app sends into the --receive\n"
         "                        folder (asked about as --ask says); https with Ferry's own certificate;\n"
         "                        LocalSend devices nearby are found (multicast) and can be sent to\n"
         "  --localsend-port N    LocalSend's TCP port (default 53317); discovery stays on UDP 53317,\n"
         "                        where the apps announce themselves\n"
         "  --localsend-http      LocalSend with encryption off (plain HTTP)\n"
         "  --localsend-pin PIN   LocalSend senders must give this PIN\n"
         "  --json                headless: stderr is one JSON object per line, for scripts\n"
         "  -h, --help            show this help\n"
         "  --version             show the version\n"
         "\n"
         "Rules for every PATH of a --headless run (links with none stay open until Ferry stops):\n"
         "  --expires DURATION    the links end after DURATION (90s, 45m, 2h, 3d, 1h30m)\n"
         "  --downloads N         the links end after N complete downloads each\n"
         "                        (resumes and a download manager's segments count once);\n"
         "                        a folder's link is for N devices instead, each of which\n"
         "                        may take anything in it, the zip too, for the link's life\n"
         "  --password-file FILE  the links ask for the password on FILE's first line\n"
         "                        (a page in a browser, or curl -u :PASSWORD)\n";
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
    } else if (arg == "--name") {
      if (!needValue(v)) return false;
      if (v.empty() || v.size() > 100) {
        error = "--name needs a name of 1 to 100 characters, as pages say \"Shared by NAME\"";
        return false;
      }
      out.server.sharerName = v;
    } else if (arg == "--public-cache") {
      if (!needValue(v)) return false;
      if (!parseUnsigned(v, kMaxPublicCache, n)) {
        error = "--public-cache needs a number of seconds from 0 to " + std::to_string(kMaxPublicCache) +
                " (a year), not '" + v + "'";
        return false;
      }
      out.server.publicCacheSeconds = static_cast<std::uint32_t>(n);
    } else if (arg == "--expires") {
      if (!needValue(v)) return false;
      if (!parseDuration(v, out.expiresAfter)) {
        error = "--expires needs a duration like 90s, 45m, 2h, 3d or 1h30m (at most 3650d), not '" + v + "'";
        return false;
      }
    } else if (arg == "--downloads") {
      if (!needValue(v)) return false;
      if (!parseUnsigned(v, 1000000, n) || n == 0) {
        error = "--downloads needs a number of complete downloads from 1 to 1000000, not '" + v + "'";
        return false;
      }
      out.rules.downloadLimit = static_cast<std::uint32_t>(n);
    } else if (arg == "--password-file") {
      if (!needValue(v)) return false;
      if (!readPasswordFile(v, out.rules.password, error)) return false;
    } else if (arg == "--password") {
      error = "there is no --password option: a password on the command line can be read by every user of this "
              "computer; put it on the first line of a file and give --password-file FILE";
      return false;
    } else if (arg == "--tls-cert" || arg == "--tls-key") {
      if (!needValue(v)) return false;
      if (!TlsContext::kAvailable) {
        error = std::string(TlsContext::kUnavailable) + ": " + arg + " cannot be used";
        return false;
      }
      (arg == "--tls-cert" ? out.server.tlsCert : out.server.tlsKey) = v;
    } else if (arg == "--https") {
      if (!TlsContext::kAvailable) {
        error = std::string(TlsContext::kUnavailable) + ": --https cannot be used";
        return false;
      }
      out.server.localCa = true;
    } else if (arg == "--localsend") {
      out.server.localsend = true;
    } else if (arg == "--localsend-http") {
      out.server.localsend = true;
      out.server.localsendHttp = true;
    } else if (arg == "--localsend-port") {
      if (!needValue(v)) return false;
      if (!parseUnsigned(v, 65535, n)) {
        error = "--localsend-port needs a number from 0 to 65535, not '" + v + "'";
        return false;
      }
      out.server.localsend = true;
      out.server.localsendPort = static_cast<std::uint16_t>(n);
    } else if (arg == "--localsend-pin") {
      if (!needValue(v)) return false;
      out.server.localsend = true;
      out.server.localsendPin = v;
    } else if (arg == "--hsts") {
      out.server.hsts = true;
    } else if (arg == "--http-too") {
      out.server.plainHttpToo = true;
    } else if (arg == "--json") {
      out.json = true;
    } else {
      error = "unknown option '" + arg + "' (see ferry --help)";
      return false;
    }
  }
  if (!out.headless && !out.help && !out.version && (out.rules.any() || out.expiresAfter.count() > 0)) {
    // The window keeps rules per share (its Properties); silently serving
    // a link without the rule asked for would break its promise.
    error = "--expires, --downloads and --password-file apply to --headless runs; in the window, set a share's "
            "rules in its Properties";
    return false;
  }
  if (out.server.tlsCert.empty() != out.server.tlsKey.empty()) {
    error = out.server.tlsCert.empty() ? "--tls-key needs --tls-cert FILE: the certificate the key belongs to"
                                       : "--tls-cert needs --tls-key FILE: the certificate's private key";
    return false;
  }
  if (out.server.localCa && !out.server.tlsCert.empty()) {
    error = "--https serves with Ferry's own certificate, --tls-cert with yours: choose one";
    return false;
  }
  if (out.server.hsts && out.server.tlsCert.empty() && !out.server.localCa) {
    error = "--hsts is about HTTPS: add --https, or --tls-cert FILE --tls-key FILE";
    return false;
  }
  if (out.server.plainHttpToo && out.server.tlsCert.empty() && !out.server.localCa) {
    error = "--http-too is about HTTPS beside plain HTTP: add --https, or --tls-cert FILE --tls-key FILE";
    return false;
  }
  if (out.server.plainHttpToo && out.server.hsts) {
    // HSTS would send every browser that visited once to https, the plain
    // links' phones too.
    error = "--hsts tells browsers to use https only, --http-too answers plain HTTP too: choose one";
    return false;
  }
  if (out.receiveDir.empty() && (out.receive.askNewDevices || out.receive.maxFileSize)) {
    error = std::string(out.receive.askNewDevices ? "--ask" : "--max-file-size") +
            " is about receiving files: add --receive DIR";
    return false;
  }
  return true;
}

}  // namespace ferry::app
