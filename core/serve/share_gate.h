#pragma once

// ShareGate: what stands between a request and a share with rules. An
// expired or used-up link answers 410 with the reason; a link with a
// password lets through a browser holding a session cookie
// (`ferry-<token>`, set when its password form was answered right) or a
// client sending the password by Basic auth, and asks everyone else.
// Wrong passwords are counted by client address (WrongTries): slowed, then
// refused for a while.
//
// Requests already let through are not the gate's business: transfers in
// flight finish when a limit is reached or the link expires. While a
// download limit is not reached, every request passes, so a client in the
// middle of its delivery (a resume, more ranges, a download manager's
// segments) completes it.
//
// A folder's download limit counts recipients (devices), not files: the
// first file or zip a device is sent lets it in (claim(), then
// RecipientClaim::take() when the bytes are about to go), and from then on
// it may browse, view and take anything there for the link's life; once
// the limit's number of devices are in, every other one gets the 410. The
// folder's page gives each browser a cookie naming it (recipientCookie()).
//
// Owns the password sessions and the table of wrong tries; borrows the loop
// (for the forms' sinks) and the share registry (which keeps recipients).
//
// Loop thread only.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "body_sink.h"
#include "event_loop.h"
#include "recipient_claim.h"
#include "gate_sessions.h"
#include "gate_tries.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

class ShareGate final {
 public:
  // The password form's body is a few dozen bytes; more is not a form of ours.
  static constexpr std::size_t kMaxForm = 4096;

  ShareGate(EventLoop& loop, ShareRegistry& shares) : loop_(loop), shares_(shares) {}

  // True when `req` may go on to `share`'s handler; false once the gate
  // has answered (410, 401, 429).
  bool admit(const HttpRequest& req, Responder& out, const Share& share);

  // A request that passed admit() asks for the bytes of a file or a zip of
  // a folder with a download limit: false once it has answered 410 (the
  // link's places are taken, none by its device); true otherwise, with
  // `later` pending when the device is not yet one of the recipients: its
  // answer takes the place (onNewRecipient hears it) only when it sends
  // something. HEAD requests take nothing and pass.
  bool claim(const HttpRequest& req, Responder& out, const Share& share, RecipientClaim& later);
  // The Set-Cookie line (ending in CRLF) a folder's page sends to a browser
  // that is not yet known to its limited link; empty otherwise.
  std::string recipientCookie(const HttpRequest& req, Responder& out, const Share& share);
  std::function<void(std::string_view token)> onNewRecipient;

  // A POST to a share's own link: its password form. A sink that reads the
  // form, or null having answered (410, 413, 429). Null without an answer
  // when the share asks no password (the body is refused as any other).
  SinkPtr acceptForm(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share);
  // The form's urlencoded body has arrived: a right password gets a 303
  // back to `link` with the session cookie; a wrong one the page again.
  void answerForm(Responder& out, const Share& share, std::string_view form, std::string_view link, bool page);

  // The share's link ended (unshared, rotated): its sessions go.
  void forget(std::string_view token) { sessions_.forget(token); }

 private:
  // Whether any of the request's Cookie headers holds a live session.
  bool hasSession(const HttpRequest& req, Responder& out, const Share& share);
  // Checks a given password against the share's, for the client `out`
  // answers, counting a wrong one; kWait (and the seconds in `wait`), not
  // compared, while that client must wait. Answers nothing itself.
  enum class Verdict { kRight, kWrong, kWait };
  Verdict check(Responder& out, const Share& share, std::string_view given, std::uint32_t& wait);

  friend struct RecipientClaim;
  // Makes `who` a recipient of `share` now; false having answered 410.
  bool takePlace(Responder& out, const Share& share, const Recipient& who, bool page);
  // The 410 of a folder whose places are all taken.
  static void answerFull(Responder& out, const Share& share, bool page);

  // Who asks, as a folder's recipients are known.
  static Recipient recipientOf(const HttpRequest& req, Responder& out, const Share& share);

  EventLoop& loop_;
  ShareRegistry& shares_;
  PasswordSessions sessions_;
  WrongTries tries_;
};

// "ferry-<token>": the session cookie of a share, set and read over plain
// HTTP; over TLS "__Secure-ferry-<token>". Where one port speaks both
// (ServerOptions::plainHttpToo) each scheme keeps its own session: the
// browser never sends the https one in the clear, and, its name being
// another, a login over http cannot be refused for clashing with it
// (browsers keep http pages from overwriting a Secure cookie). A session
// opened over http does not open the link over https. The prefix makes
// browsers accept the cookie only from https with Secure.
std::string sessionCookieName(std::string_view token, bool secure = false);

}  // namespace ferry
