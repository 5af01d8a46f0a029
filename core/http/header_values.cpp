#include "header_values.h"

#include <charconv>

#include "http_request.h"
#include "request_target.h"

namespace ferry {

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void appendNumber(std::string& s, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

namespace {

std::string_view opaqueTag(std::string_view tag) {
  tag = trimOws(tag);
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool noneMatchHits(std::string_view header, std::string_view etag) {
  if (trimOws(header) == "*") return true;
  while (!header.empty()) {
    auto comma = header.find(',');
    if (opaqueTag(header.substr(0, comma)) == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void appendContentDisposition(std::string& s, std::string_view name, bool asInline) {
  s += asInline ? "Content-Disposition: inline; filename=\"" : "Content-Disposition: attachment; filename=\"";
  for (unsigned char c : name) {
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation: one '_' per character
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%')
      s.push_back('_');
    else
      s.push_back(static_cast<char>(c));
  }
  s += "\"; filename*=UTF-8''";
  appendPercentEncoded(s, name);
  s += "\r\n";
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
  }
  return "Unknown";
}

bool sameOrigin(const HttpRequest& req) {
  if (req.count("origin") == 0) return true;
  std::string_view origin = trimOws(req.header("origin"));
  std::string_view host = trimOws(req.header("host"));
  for (std::string_view scheme : {"http://", "https://"})
    if (origin.size() > scheme.size() && iequals(origin.substr(0, scheme.size()), scheme))
      return !host.empty() && iequals(origin.substr(scheme.size()), host);
  return false;
}

}  // namespace ferry
