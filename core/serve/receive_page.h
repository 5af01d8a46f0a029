#pragma once

// The receive page (resources/web/receive.html with ferry.css, receive.css
// and receive.js inlined: one request on a phone), and the headers it goes
// out with: a Content-Security-Policy that lets only its own inline style
// and script run (by nonce) and lets it talk only to this server (and play
// the silent video that keeps a screen awake, from a data: URL), no
// referrer (the link is the key), no caching. Never CORS headers.
//
// Any thread (the template is made once, then only read).

#include <string>
#include <string_view>

namespace ferry {

// `limit`: a sentence on the size cap ("Files up to 2 GB are accepted."),
// or empty; `asks`: this computer asks before accepting files from a new
// device, so the page says it is waiting when a handshake takes long.
void renderReceivePage(std::string& out, std::string_view nonce, std::string_view limit = {}, bool asks = false);
// Header lines (each ending in CRLF) for the page rendered with `nonce`.
void appendReceivePageHeaders(std::string& head, std::string_view nonce);

}  // namespace ferry
