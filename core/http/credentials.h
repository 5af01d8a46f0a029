#pragma once

// What a request carries to show it may open a link: the password of a
// Basic Authorization header (RFC 7617; `curl -u :PASSWORD`) and the value
// of one cookie (RFC 6265's Cookie header). Pure functions over header
// values; the caller decides what the secret opens.

#include <string>
#include <string_view>

namespace ferry {

// The password of "Basic base64(user:password)" (any user name) into
// `password`. False when the header is not Basic, is malformed, or its
// credentials are longer than kMaxBasicCredentials.
inline constexpr std::size_t kMaxBasicCredentials = 1024;
bool basicPassword(std::string_view authorization, std::string& password);

// The value of the cookie `name` in a Cookie header ("a=1; b=2"); empty
// when absent.
std::string_view cookieValue(std::string_view cookieHeader, std::string_view name);

// A cookie's name for the scheme it travels over: `name` over plain HTTP,
// "__Secure-<name>" over TLS (browsers take a cookie so named only from
// https, with Secure, and an http page cannot set or replace it). Where one
// port speaks both (--http-too) each scheme therefore keeps its own cookie.
std::string schemeCookieName(std::string_view name, bool secure);

// Whether two secrets are equal, in a time that depends on their lengths
// only, never on where they first differ.
bool sameSecret(std::string_view given, std::string_view expected);

}  // namespace ferry
