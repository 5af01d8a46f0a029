#pragma once

// The answers of a share's gate: why a link has ended (410, with
// resources/web/gone.html for a browser and the same sentence as text for
// any other client), a link that is not (or no longer) there (404: the
// same page for a browser, a plain answer for any other client) and the question for its password (401 or 429, with
// resources/web/password.html for a browser; a Basic challenge for any
// other client). Every text put in a page is escaped.
//
// Any thread (pure functions of their arguments).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "http_request.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

// Why the share's link has ended, as a sentence ("This link expired at
// 18:00.", "This link was used 3 times."); empty while it works. Times are
// the server's local time, with the date when it is not today. A folder's
// used-up link has ended for everyone but its recipients (ShareGate).
std::string whyLinkEnded(const Share& share, std::chrono::system_clock::time_point now);

// Whether the client reads pages: a browser navigating (Sec-Fetch-Dest:
// document), or one whose Accept names text/html.
bool wantsPage(const HttpRequest& req);

// 410 Gone with `sentence`; a browser's page then says what to do next,
// of the file or of a folder's files.
void answerGone(Responder& out, bool page, std::string_view sentence, bool folder);

// 404 for a link that leads to no share: one removed, one replaced by a
// new link (rotated), one that never was. A browser gets gone.html saying
// so (whoever sent it can send a new one); any other client the plain 404.
void answerNoSuchLink(Responder& out, bool page);

// The share asks for its password. `status` 401 (none given, or a wrong
// one: `message` says so) or 429 (`retryAfter` seconds to wait). A browser
// gets the page and no WWW-Authenticate (so no dialog of its own); any other
// client the Basic challenge and `message` as text.
void answerPassword(Responder& out, bool page, const Share& share, int status, std::string_view message,
                    std::uint32_t retryAfter = 0);

// "Too many wrong passwords from this device. Try again in 4 seconds."
std::string tooManyTriesSentence(std::uint32_t seconds);

}  // namespace ferry
