#include "share_gate.h"

#include <charconv>
#include <utility>

#include "credentials.h"
#include "delivery_book.h"
#include "gate_pages.h"
#include "header_values.h"
#include "password_form.h"
#include "random_token.h"
#include "request_target.h"

namespace ferry {
namespace {

constexpr std::string_view kWrongPassword = "That password is not right.";

}  // namespace

std::string sessionCookieName(std::string_view token, bool secure) {
  std::string name = "ferry-";
  name += token;
  return schemeCookieName(name, secure);
}

bool ShareGate::hasSession(const HttpRequest& req, Responder& out, const Share& share) {
  // A client (or a proxy in between) may split its cookies over several
  // Cookie headers (RFC 9113 §8.2.3 does for HTTP/2): every one is read.
  const std::string name = sessionCookieName(share.token, out.secure());
  for (std::size_t i = 0; i < req.headerCount; ++i)
    if (iequals(req.headers[i].name, "cookie") && sessions_.valid(share, cookieValue(req.headers[i].value, name)))
      return true;
  return false;
}

Recipient ShareGate::recipientOf(const HttpRequest& req, Responder& out, const Share& share) {
  Recipient who;
  // Over TLS the https cookie first, else one the device got over plain
  // HTTP on the same port (it is the same device; nothing secret rides on
  // it).
  for (bool secure : {true, false}) {
    if (secure && !out.secure()) continue;
    const std::string name = schemeCookieName(recipientCookieName(share.token), secure);
    for (std::size_t i = 0; i < req.headerCount && who.cookie.empty(); ++i)
      if (iequals(req.headers[i].name, "cookie"))
        // Only values the page could have set: anything else is no cookie.
        if (std::string_view v = cookieValue(req.headers[i].value, name); looksLikeToken(v)) who.cookie = v;
  }
  who.address = addressWithoutPort(out.client());
  return who;
}

bool ShareGate::admit(const HttpRequest& req, Responder& out, const Share& share) {
  if (!share.rules.any()) return true;
  const bool page = wantsPage(req);
  const auto now = std::chrono::system_clock::now();
  std::string why = whyLinkEnded(share, now);
  // A folder whose recipients are all in stays open to them.
  const bool expired = share.rules.expires && *share.rules.expires <= now;
  if (!why.empty() && share.folder && !expired && shares_.isRecipient(share.token, recipientOf(req, out, share)))
    why.clear();
  if (!why.empty()) {
    answerGone(out, page, why, share.folder);
    return false;
  }
  if (share.rules.password.empty()) return true;
  if (hasSession(req, out, share)) return true;
  std::string given;
  if (!basicPassword(req.header("authorization"), given)) {
    answerPassword(out, page, share, 401, {});
    return false;
  }
  std::uint32_t wait = 0;
  switch (check(out, share, given, wait)) {
    case Verdict::kRight:
      return true;
    case Verdict::kWrong:
      answerPassword(out, page, share, 401, kWrongPassword);
      return false;
    case Verdict::kWait:
      answerPassword(out, page, share, 429, tooManyTriesSentence(wait), wait);
      return false;
  }
  return false;
}

bool ShareGate::claim(const HttpRequest& req, Responder& out, const Share& share, RecipientClaim& later) {
  later = {};
  if (!share.folder || share.rules.downloadLimit == 0 || out.headOnly()) return true;
  Recipient who = recipientOf(req, out, share);
  if (shares_.isRecipient(share.token, who)) return true;
  const bool page = wantsPage(req);
  // Full already: refused before any disk work. Otherwise the place is
  // taken (and checked again) only when the answer sends something.
  if (share.deliveries >= share.rules.downloadLimit) {
    answerFull(out, share, page);
    return false;
  }
  later.gate = this;
  later.who = std::move(who);
  later.page = page;
  return true;
}

bool ShareGate::takePlace(Responder& out, const Share& share, const Recipient& who, bool page) {
  switch (shares_.admitRecipient(share.token, who)) {
    case RecipientAdmission::kKnown:
      return true;
    case RecipientAdmission::kNew:
      if (onNewRecipient) onNewRecipient(share.token);
      return true;
    case RecipientAdmission::kFull:
      break;
  }
  // Another device took the last place since this one's request came.
  answerFull(out, share, page);
  return false;
}

void ShareGate::answerFull(Responder& out, const Share& share, bool page) {
  Share full = share;
  full.deliveries = full.rules.downloadLimit;
  answerGone(out, page, whyLinkEnded(full, std::chrono::system_clock::now()), share.folder);
}

bool RecipientClaim::take(Responder& out, const Share& share) {
  if (!gate) return true;
  ShareGate* g = std::exchange(gate, nullptr);
  return g->takePlace(out, share, who, page);
}

std::string ShareGate::recipientCookie(const HttpRequest& req, Responder& out, const Share& share) {
  if (!share.folder || share.rules.downloadLimit == 0) return {};
  const Recipient who = recipientOf(req, out, share);
  // A known device keeps what it is known by: a browser its cookie, one
  // known by its address (it took a file before it saw the page) that.
  // (Under a full link an unknown one never gets here: the gate refused it.)
  if (!who.cookie.empty() || shares_.isRecipient(share.token, who)) return {};
  std::string line = "Set-Cookie: ";
  line += schemeCookieName(recipientCookieName(share.token), out.secure());
  line += '=';
  line += newShareToken();
  // For as long as browsers keep a cookie (400 days): the link's life.
  line += "; Path=/";
  line += share.token;
  line += "/; Max-Age=34560000; HttpOnly; SameSite=Lax";
  if (out.secure()) line += "; Secure";
  line += "\r\n";
  return line;
}

ShareGate::Verdict ShareGate::check(Responder& out, const Share& share, std::string_view given, std::uint32_t& wait) {
  // The address the delivery book sees: behind a trusted proxy the
  // forwarded one, so one guesser behind nginx is not everyone.
  const std::string address = guesserOf(addressWithoutPort(out.client()));
  const auto now = WrongTries::Clock::now();
  // While an address must wait, its tries are not even compared: a right
  // guess in a pause would still tell the guesser it was right.
  if ((wait = tries_.wait(address, now)) > 0) return Verdict::kWait;
  if (sameSecret(given, share.rules.password)) {
    tries_.forgive(address);
    return Verdict::kRight;
  }
  tries_.wrong(address, now);
  return Verdict::kWrong;
}

SinkPtr ShareGate::acceptForm(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share) {
  if (!share->rules.any()) return nullptr;
  const bool page = wantsPage(req);
  if (std::string why = whyLinkEnded(*share, std::chrono::system_clock::now()); !why.empty()) {
    answerGone(out, page, why, share->folder);
    return nullptr;
  }
  if (share->rules.password.empty() || req.method != "POST") return nullptr;
  const std::string_view length = trimOws(req.header("content-length"));
  std::uint64_t declared = 0;
  auto parsed = std::from_chars(length.data(), length.data() + length.size(), declared);
  if (!length.empty() && (parsed.ec != std::errc() || declared > kMaxForm)) {
    out.respond(413, {}, "A password form is never this large.\n");
    return nullptr;
  }
  const std::string address = guesserOf(addressWithoutPort(out.client()));
  if (std::uint32_t wait = tries_.wait(address, WrongTries::Clock::now()); wait > 0) {
    answerPassword(out, page, *share, 429, tooManyTriesSentence(wait), wait);
    return nullptr;
  }
  // The 303 leads back to the link the form was posted to (its query too:
  // a folder's "?zip").
  std::string link(req.target);
  if (!req.hasBody) {
    answerForm(out, *share, {}, link, page);
    return nullptr;
  }
  return SinkPtr(new PasswordForm(loop_, *this, out, std::move(share), std::move(link), page));
}

void ShareGate::answerForm(Responder& out, const Share& share, std::string_view form, std::string_view link,
                           bool page) {
  std::string given;
  std::string_view raw;
  if (findQueryParam(form, "password", raw)) {
    // application/x-www-form-urlencoded: '+' is a space, then %XX.
    std::string spaced(raw);
    for (char& c : spaced)
      if (c == '+') c = ' ';
    if (!percentDecode(spaced, given)) given.clear();
  }
  std::uint32_t wait = 0;
  switch (check(out, share, given, wait)) {
    case Verdict::kRight: {
      std::string extra = "Location: ";
      extra += link;
      extra += "\r\nSet-Cookie: ";
      extra += sessionCookieName(share.token, out.secure());
      extra += '=';
      extra += sessions_.open(share);
      extra += "; Path=/";
      extra += share.token;
      extra += "/; HttpOnly; SameSite=Lax";
      // Over TLS the browser must never send it in the clear.
      if (out.secure()) extra += "; Secure";
      extra += "\r\nCache-Control: no-store\r\n";
      return out.respond(303, extra, "The password is right: the link opens.\n");
    }
    case Verdict::kWrong:
      return answerPassword(out, page, share, 401, kWrongPassword);
    case Verdict::kWait:
      return answerPassword(out, page, share, 429, tooManyTriesSentence(wait), wait);
  }
}

}  // namespace ferry
