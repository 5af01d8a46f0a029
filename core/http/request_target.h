#pragma once

// Turns a request-target into the share token it names, as a pure function.
// Only the token is looked up here; what follows it (a file's name, for
// people and for `curl -O`, or a place inside a shared folder) is for the
// share's handler to read.

#include <string>
#include <string_view>

namespace ferry {

struct RequestTarget {
  enum Status { kOk, kBadRequest, kNotFound } status = kBadRequest;
  std::string_view token;  // points into the input
  std::string_view path;   // the rest of the path after the token: "", "/" or "/name..."
  std::string_view query;  // after '?', without it; empty when none
};

// Accepts origin-form only ("/token", "/token/name...", optional "?query").
// Bad percent-encoding, an encoded NUL or slash, a backslash, a control
// character, or a non-origin target is a 400; "/" and anything that cannot be
// a token is a 404.
RequestTarget parseRequestTarget(std::string_view target);

// Whether the query string ("a=1&zip&b=") holds `key`; `value` gets its raw
// (still percent-encoded) value, empty for a bare key.
bool findQueryParam(std::string_view query, std::string_view key, std::string_view& value);

// The query of a request-target with its '?' ("?zip"), or "" when it has
// none; a fragment is left out.
std::string_view queryOf(std::string_view target);

// Decodes %XX escapes into `out`. False on a malformed escape or a NUL,
// raw or encoded.
bool percentDecode(std::string_view in, std::string& out);

// Encodes a file name for a URL path segment (RFC 3986 unreserved kept).
std::string percentEncodePathSegment(std::string_view name);
// The same, appended to `out`.
void appendPercentEncoded(std::string& out, std::string_view name);

// True when `token` has the shape of a share token (base64url, 16..64 chars).
bool looksLikeToken(std::string_view token);

}  // namespace ferry
