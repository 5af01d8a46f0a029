#include "receive_device.h"

#include "client_name.h"
#include "header_values.h"
#include "http_request.h"

namespace ferry {
namespace {

// The page draws a random base64url id; anything else is not one of ours
// and counts as no id at all.
bool looksLikeDeviceId(std::string_view id) {
  if (id.size() < 16 || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

}  // namespace

std::string clientAddress(std::string_view client) {
  if (!client.empty() && client.front() == '[') {
    auto close = client.find(']');
    return std::string(client.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  auto colon = client.find(':');
  // Two colons or more: a bare IPv6 address (forwarded), no port.
  if (colon == std::string_view::npos || client.find(':', colon + 1) != std::string_view::npos)
    return std::string(client);
  return std::string(client.substr(0, colon));
}

std::string deviceKey(const HttpRequest& req, std::string_view client) {
  if (req.count("x-ferry-device") == 1) {
    std::string_view id = trimOws(req.header("x-ferry-device"));
    if (looksLikeDeviceId(id)) return "page:" + std::string(id);
  }
  return "address:" + clientAddress(client);
}

std::string deviceLabel(std::string_view ua) {
  // "Safari on iPhone", "curl 8.5": what the window calls it elsewhere too.
  if (std::string name = clientName(ua); !name.empty()) return name;
  // Order matters: an iPad's and an Android phone's agents name other
  // systems too ("like Mac OS X", "Linux").
  if (contains(ua, "iPhone")) return "iPhone";
  if (contains(ua, "iPad")) return "iPad";
  if (contains(ua, "Android")) return contains(ua, "Mobile") ? "Android phone" : "Android tablet";
  if (contains(ua, "CrOS")) return "Chromebook";
  if (contains(ua, "Macintosh")) return "Mac";
  if (contains(ua, "Windows")) return "Windows PC";
  if (contains(ua, "Linux")) return "Linux computer";
  if (ua.substr(0, 5) == "curl/") return "curl";
  if (ua.substr(0, 5) == "Wget/") return "wget";
  return "A device";
}

}  // namespace ferry
