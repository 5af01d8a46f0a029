#pragma once

// Small pieces of HTTP header syntax shared by the connection and the
// handlers: trimming, numbers, entity-tag lists, Content-Disposition. None
// allocates except by appending to the caller's string.

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry {

struct HttpRequest;

// Without leading and trailing spaces and tabs (optional whitespace).
std::string_view trimOws(std::string_view s);
void appendNumber(std::string& s, std::uint64_t v);
// If-None-Match against a strong tag: the weak comparison (RFC 9110 §13.1.2),
// "*" matches anything.
bool noneMatchHits(std::string_view header, std::string_view etag);
// "Content-Disposition: attachment; ..." with an ASCII fallback and the exact
// name in UTF-8 (RFC 6266), ending in CRLF; "inline; ..." with `asInline`
// (shown in the page, still saved under that name).
void appendContentDisposition(std::string& s, std::string_view name, bool asInline = false);
// The reason phrase for a status code ("Not Found").
std::string_view reasonPhrase(int status);
// Whether a request comes from no other site: its Origin, if any, names
// this server as its Host header does, by http:// or https:// (behind an
// https proxy the scheme differs; the host must not). A page of another site
// may then not post here (CSRF) nor read what answers.
bool sameOrigin(const HttpRequest& req);

}  // namespace ferry
