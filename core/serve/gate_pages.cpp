#include "gate_pages.h"

#include <ctime>

#include "calendar.h"
#include "header_values.h"
#include "page_template.h"
#include "web_assets.h"

namespace ferry {
namespace {

void appendTwoDigits(std::string& s, int v) {
  s += static_cast<char>('0' + v / 10 % 10);
  s += static_cast<char>('0' + v % 10);
}

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

// The page's style: the shared look, then the gate's own rules. No script,
// no image, no form but the one that posts back to the link itself.
void appendPageHeaders(std::string& head, std::size_t length) {
  head += "Content-Type: text/html; charset=utf-8\r\nContent-Length: ";
  appendNumber(head, length);
  head += "\r\nCache-Control: no-store\r\n"
          "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'\r\n"
          "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\n";
}

void sendPage(Responder& out, int status, std::string_view extraHeaders, const std::string& page) {
  std::string& head = out.beginHead(status);
  head += extraHeaders;
  appendPageHeaders(head, page.size());
  out.endHead();
  if (!out.headOnly()) head += page;
}

void appendStyle(std::string& to) {
  to += webAsset("ferry.css");
  to += webAsset("gate.css");
}

}  // namespace

std::string whyLinkEnded(const Share& share, std::chrono::system_clock::time_point now) {
  const ShareRules& rules = share.rules;
  if (rules.expires && *rules.expires <= now) {
    const std::tm at = localTime(std::chrono::system_clock::to_time_t(*rules.expires));
    const std::tm today = localTime(std::chrono::system_clock::to_time_t(now));
    std::string s = "This link expired ";
    if (at.tm_year != today.tm_year || at.tm_yday != today.tm_yday) {
      s += "on ";
      s += std::to_string(at.tm_mday);
      s += ' ';
      s += kMonths[at.tm_mon];
      s += ' ';
      s += std::to_string(at.tm_year + 1900);
      s += ' ';
    }
    s += "at ";
    appendTwoDigits(s, at.tm_hour);
    s += ':';
    appendTwoDigits(s, at.tm_min);
    s += '.';
    return s;
  }
  if (rules.downloadLimit != 0 && share.deliveries >= rules.downloadLimit) {
    if (share.folder) {
      if (rules.downloadLimit == 1) return "This link was for one device, and another device has used it.";
      const std::string n = std::to_string(rules.downloadLimit);
      return "This link was for " + n + " devices, and " + n + " others have used it.";
    }
    if (rules.downloadLimit == 1) return "This link was used once.";
    return "This link was used " + std::to_string(rules.downloadLimit) + " times.";
  }
  return {};
}

bool wantsPage(const HttpRequest& req) {
  if (trimOws(req.header("sec-fetch-dest")) == "document") return true;
  return req.header("accept").find("text/html") != std::string_view::npos;
}

namespace {

constexpr std::string_view kNeedTheFile = "If you still need the file, ask whoever sent you the link for a new one.";

void sendGonePage(Responder& out, int status, std::string_view title, std::string_view sentence,
                  std::string_view next = kNeedTheFile) {
  static const PageTemplate gone(webAsset("gone.html"));
  std::string html;
  gone.render(html, [&](std::string_view hole, std::string& to) {
    if (hole == "style") appendStyle(to);
    else if (hole == "title") htmlEscape(title, to);
    else if (hole == "sentence") htmlEscape(sentence, to);
    else if (hole == "next") htmlEscape(next, to);
  });
  sendPage(out, status, {}, html);
}

}  // namespace

void answerGone(Responder& out, bool page, std::string_view sentence, bool folder) {
  if (!page) {
    std::string text(sentence);
    text += '\n';
    return out.respond(410, "Cache-Control: no-store\r\n", text);
  }
  sendGonePage(out, 410, "This link has ended", sentence,
               folder ? "If you still need these files, ask whoever sent you the link for a new one."
                      : kNeedTheFile);
}

void answerNoSuchLink(Responder& out, bool page) {
  if (!page) return out.respond(404);
  sendGonePage(out, 404, "This link doesn\u2019t work any more",
               "It may have been removed, or replaced by a new link.");
}

std::string tooManyTriesSentence(std::uint32_t seconds) {
  std::string s = "Too many wrong passwords from this device. Try again in ";
  if (seconds >= 120) {
    s += std::to_string((seconds + 59) / 60);
    s += " minutes.";
  } else {
    s += std::to_string(seconds);
    s += seconds == 1 ? " second." : " seconds.";
  }
  return s;
}

void answerPassword(Responder& out, bool page, const Share& share, int status, std::string_view message,
                    std::uint32_t retryAfter) {
  std::string extra;
  if (status == 429) {
    extra += "Retry-After: ";
    appendNumber(extra, retryAfter);
    extra += "\r\n";
  }
  if (!page) {
    // Without a page the client is a program: the Basic challenge tells it
    // (and curl -u) how to answer.
    extra += "Cache-Control: no-store\r\n";
    if (status == 401) extra += "WWW-Authenticate: Basic realm=\"Ferry\", charset=\"UTF-8\"\r\n";
    std::string text = message.empty() ? std::string("This link needs a password.") : std::string(message);
    text += '\n';
    return out.respond(status, extra, text);
  }
  static const PageTemplate ask(webAsset("password.html"));
  std::string html;
  ask.render(html, [&](std::string_view hole, std::string& to) {
    if (hole == "style") {
      appendStyle(to);
    } else if (hole == "name") {
      htmlEscape(share.name, to);
    } else if (hole == "privacy") {
      // Only over TLS can the page honestly promise more than where it goes.
      if (out.secure()) {
        to += "The password travels encrypted (HTTPS), only to the computer sharing this link.";
      } else {
        to += "This address is not https://, so the password is not encrypted on its way to the computer sharing the link.";
        // The same port speaks HTTPS too: say where the password would be safe.
        if (!out.httpsUrl().empty()) {
          to += " <a class=\"https\" href=\"";
          htmlEscape(out.httpsUrl(), to);
          to += "\">Open this link with https://</a> to send it encrypted.";
        }
      }
    } else if (hole == "invalid") {
      if (!message.empty()) to += " aria-invalid=\"true\" aria-describedby=\"message\"";
    } else if (hole == "message") {
      if (message.empty()) return;
      to += "<p class=\"error\" id=\"message\" role=\"alert\">";
      htmlEscape(message, to);
      to += "</p>";
    }
  });
  sendPage(out, status, extra, html);
}

}  // namespace ferry
