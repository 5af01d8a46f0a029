#include "page_negotiation.h"

#include <algorithm>
#include <cctype>

#include "request_target.h"

namespace ferry {
namespace {

bool containsNoCase(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool hasParam(std::string_view query, std::string_view key) {
  std::string_view unused;
  return findQueryParam(query, key, unused);
}

}  // namespace

bool asksInline(const HttpRequest& req, std::string_view query) {
  if (hasParam(query, "download")) return false;
  if (hasParam(query, "inline")) return true;
  const std::string_view dest = req.header("sec-fetch-dest");
  return dest == "image" || dest == "video" || dest == "audio" || dest == "track";
}

bool showableInline(std::string_view type) {
  if (type.starts_with("image/")) return !type.starts_with("image/svg");
  if (type.starts_with("video/") || type.starts_with("audio/")) return true;
  if (type == "application/pdf") return true;
  // Text a browser shows as text: HTML (and anything with markup) would run
  // in the share's origin, and so is only ever saved.
  return type.starts_with("text/plain") || type.starts_with("text/csv") || type.starts_with("text/markdown");
}

bool isDownloadTool(std::string_view ua) {
  static constexpr std::string_view kTools[] = {
      "curl/", "wget", "aria2", "axel", "lftp", "httpie", "python-", "python/", "go-http-client", "java/",
      "okhttp", "libwww-perl", "powershell", "jdownloader", "ferry/",
  };
  if (ua.empty()) return true;  // no browser leaves it out
  for (std::string_view tool : kTools)
    if (containsNoCase(ua, tool)) return true;
  return false;
}

bool wantsLandingPage(const HttpRequest& req, std::string_view query) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  if (hasParam(query, "download") || hasParam(query, "inline") || hasParam(query, "thumb") || hasParam(query, "view")) return false;
  if (!req.header("range").empty()) return false;
  const std::string_view dest = req.header("sec-fetch-dest");
  if (!dest.empty()) return dest == "document";
  return req.header("accept").find("text/html") != std::string_view::npos && !isDownloadTool(req.header("user-agent"));
}

}  // namespace ferry
