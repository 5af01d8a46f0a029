#include "client_name.h"

#include <array>

namespace ferry {
namespace {

bool has(std::string_view ua, std::string_view what) { return ua.find(what) != std::string_view::npos; }

// "curl/8.5.0" -> "8.5": the version after `product/`, cut after its second
// number (people say "curl 8.5", not "curl 8.5.0-DEV").
std::string shortVersion(std::string_view ua, std::string_view product) {
  std::string_view v = ua.substr(product.size());
  std::size_t end = 0;
  int dots = 0;
  while (end < v.size() && ((v[end] >= '0' && v[end] <= '9') || v[end] == '.')) {
    if (v[end] == '.' && ++dots == 2) break;
    ++end;
  }
  if (end > 0 && v[end - 1] == '.') --end;
  return std::string(v.substr(0, end));
}

// Tools name themselves first: "curl/8.5.0", "Wget/1.21.3", "aria2/1.36.0".
struct Tool {
  std::string_view prefix;  // as sent, up to and with the '/'
  std::string_view name;    // for people
  bool versioned;           // whether people name its version
};
constexpr std::array<Tool, 8> kTools{{
    {"curl/", "curl", true},
    {"Wget/", "Wget", true},
    {"aria2/", "aria2", true},
    {"python-requests/", "Python requests", false},
    {"Python-urllib/", "Python", false},
    {"python-httpx/", "Python httpx", false},
    {"Go-http-client/", "Go", false},
    {"okhttp/", "OkHttp", false},
}};

// The device or system, from the first parenthesis of a browser's
// User-Agent. Order matters: an Android phone says "Linux" too, an iPhone
// says "like Mac OS X".
std::string_view platform(std::string_view ua) {
  if (has(ua, "iPhone") || has(ua, "iPod")) return "iPhone";
  if (has(ua, "iPad")) return "iPad";
  if (has(ua, "Android")) return "Android";
  if (has(ua, "CrOS")) return "ChromeOS";
  if (has(ua, "Windows")) return "Windows";
  if (has(ua, "Macintosh") || has(ua, "Mac OS X")) return "Mac";
  if (has(ua, "Linux") || has(ua, "X11")) return "Linux";
  return {};
}

// The browser, from the most specific token on: Edge, Opera and Samsung
// Internet also say "Chrome", Chrome also says "Safari", and on iOS every
// browser is Safari underneath and names itself in its own token.
std::string_view browser(std::string_view ua) {
  if (has(ua, "Edg/") || has(ua, "EdgA/") || has(ua, "EdgiOS/")) return "Edge";
  if (has(ua, "SamsungBrowser/")) return "Samsung Internet";
  if (has(ua, "OPR/") || has(ua, "OPiOS/")) return "Opera";
  if (has(ua, "Firefox/") || has(ua, "FxiOS/")) return "Firefox";
  if (has(ua, "CriOS/")) return "Chrome";
  // An app's built-in browser (Android's WebView marks itself "; wv)").
  if (has(ua, "; wv)")) return {};
  if (has(ua, "Chrome/") || has(ua, "Chromium/")) return "Chrome";
  if (has(ua, "Safari/") && has(ua, "Version/")) return "Safari";
  return {};
}

}  // namespace

std::string clientName(std::string_view ua) {
  for (const Tool& t : kTools) {
    if (ua.substr(0, t.prefix.size()) != t.prefix) continue;
    std::string name(t.name);
    if (t.versioned) {
      std::string v = shortVersion(ua, t.prefix);
      if (!v.empty()) name.append(" ").append(v);
    }
    return name;
  }
  // Qt's QNetworkAccessManager sends this and nothing more when the program
  // sets no User-Agent of its own (qhttpprotocolhandler.cpp).
  if (ua == "Mozilla/5.0") return "Qt";
  if (ua.substr(0, 8) != "Mozilla/") return {};
  std::string_view where = platform(ua);
  std::string_view what = browser(ua);
  if (where.empty()) return std::string(what);
  // An app showing a page itself: iOS apps' web views send no Safari/ token,
  // Android's say "wv".
  if (what.empty()) {
    if (has(ua, "; wv)") || ((where == "iPhone" || where == "iPad") && !has(ua, "Safari/")))
      return std::string("An app on ").append(where);
    return {};
  }
  return std::string(what).append(" on ").append(where);
}

}  // namespace ferry
