#include "log_lines.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "calendar.h"
#include "delivery_book.h"

namespace ferry::app {

std::string humanBytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

namespace {

// The length of the UTF-8 sequence at s[i] (1 to 4), or 0 when the bytes
// there are not one (a stray continuation byte, an overlong form, a
// surrogate, past U+10FFFF, cut short).
std::size_t utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(k) & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && b(1) < 0xa0) return 0;  // overlong
  if (c == 0xed && b(1) >= 0xa0) return 0;  // a UTF-16 surrogate
  if (c == 0xf0 && b(1) < 0x90) return 0;  // overlong
  if (c == 0xf4 && b(1) >= 0x90) return 0;  // past U+10FFFF
  return n;
}

std::size_t formatIsoUtc(char* buf, std::size_t size, std::chrono::system_clock::time_point t);

// One JSON object on one line, built field by field.
class JsonLine {
 public:
  // `when`: the moment the event happened (a transfer's start or end), not
  // the moment its snapshot was logged.
  JsonLine(std::string& out, std::string_view event,
           std::chrono::system_clock::time_point when = std::chrono::system_clock::now())
      : out_(out) {
    out_ += "{\"event\":";
    appendJsonText(out_, event);
    char buf[96];
    text("time", std::string_view(buf, formatIsoUtc(buf, sizeof buf, when)));
  }
  ~JsonLine() { out_ += "}\n"; }
  JsonLine& text(std::string_view name, std::string_view value) {
    key(name);
    appendJsonText(out_, value);
    return *this;
  }
  JsonLine& number(std::string_view name, std::uint64_t value) {
    key(name);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%" PRIu64, value);
    out_ += buf;
    return *this;
  }
  JsonLine& real(std::string_view name, double value) {
    key(name);
    char buf[32];
    // JSON has no NaN or infinity.
    std::snprintf(buf, sizeof buf, "%.3f", std::isfinite(value) ? value : 0.0);
    out_ += buf;
    return *this;
  }
  JsonLine& flag(std::string_view name, bool value) {
    key(name);
    out_ += value ? "true" : "false";
    return *this;
  }

 private:
  void key(std::string_view name) {
    out_ += ',';
    appendJsonText(out_, name);
    out_ += ':';
  }
  std::string& out_;
};

// A name as a text line shows it: control characters (C0, DEL, C1: U+009B
// is a terminal's CSI) and the characters that reorder text on screen
// (U+200E/F, U+202A-E, U+2066-9) are written as their code point in braces
// after a backslash and a "u", so a name cannot move the cursor, recolour
// the terminal or pass "invoice" U+202E "fdp.exe" off as a PDF.
// Appended to `out`: a line of the log costs no string of its own.
void appendShown(std::string& out, std::string_view name) {
  auto escape = [&out](unsigned cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u{%04X}", cp);
    out += buf;
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const auto next = [&](std::size_t k) { return i + k < name.size() ? static_cast<unsigned char>(name[i + k]) : 0u; };
    if (c < 0x20 || c == 0x7f) {
      escape(c);
    } else if (c == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) {
      escape(next(1));
      ++i;
    } else if (c == 0xe2 && ((next(1) == 0x80 && (next(2) == 0x8e || next(2) == 0x8f || (next(2) >= 0xaa && next(2) <= 0xae))) ||
                             (next(1) == 0x81 && next(2) >= 0xa6 && next(2) <= 0xa9))) {
      escape(0x2000u + ((next(1) & 0x3fu) << 6) + (next(2) & 0x3fu));
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

std::string shown(std::string_view name) {
  std::string out;
  appendShown(out, name);
  return out;
}

std::string_view nameOf(const TransferInfo& t) { return t.fileName(); }
std::string_view nameOf(const DeliveryInfo& d) {
  if (!d.item.empty()) return d.item;
  return d.share ? std::string_view(d.share->name) : std::string_view();
}
std::string_view tokenOf(const DeliveryInfo& d) { return d.share ? std::string_view(d.share->token) : ""; }

// "curl 8.5 (127.0.0.1)", or the address alone when the client has no name.
void appendWho(std::string& out, const DeliveryInfo& d) {
  if (d.clientName.empty()) {
    out += d.address;
    return;
  }
  out += d.clientName;
  out += " (";
  out += d.address;
  out += ')';
}

// Appends a number as text.
void appendNumber(std::string& out, std::uint64_t n) {
  char buf[24];
  const int len = std::snprintf(buf, sizeof buf, "%" PRIu64, n);
  out.append(buf, static_cast<std::size_t>(len));
}

// "2026-12-02T18:40:12.345Z", into `buf` (at least 96 bytes); its length.
std::size_t formatIsoUtc(char* buf, std::size_t size, std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto ms = duration_cast<milliseconds>(t - secs).count();
  const std::tm tm = utcTime(system_clock::to_time_t(secs));
  const int n = std::snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return n < 0 ? 0 : std::min(static_cast<std::size_t>(n), size - 1);
}

// Whole percent of the file covered, never rounded up to 100 short of it.
unsigned percentCovered(const DeliveryInfo& d) {
  if (d.size == 0 || d.covered >= d.size) return 100;
  return static_cast<unsigned>(std::floor(100.0 * static_cast<double>(d.covered) / static_cast<double>(d.size)));
}

double secondsBetween(std::chrono::system_clock::time_point a, std::chrono::system_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// "18:30 on 2026-12-02", in this machine's time zone.
std::string localMoment(std::chrono::system_clock::time_point t) {
  const std::tm tm = localTime(std::chrono::system_clock::to_time_t(t));
  char buf[96];
  std::snprintf(buf, sizeof buf, "%02d:%02d on %04d-%02d-%02d", tm.tm_hour, tm.tm_min, tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

}  // namespace

std::string isoUtc(std::chrono::system_clock::time_point t) {
  char buf[96];  // room for any int the fields could hold
  return std::string(buf, formatIsoUtc(buf, sizeof buf, t));
}

void appendJsonText(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8Length(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD: JSON is text, a file name may not be
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    i += n;
  }
  out += '"';
}

void LogLines::serving(std::string& out, std::size_t files, std::size_t folders, std::uint16_t port,
                       std::string_view poller) const {
  if (json_) {
    JsonLine(out, "serving").number("files", files).number("folders", folders).number("port", port).text("poller",
                                                                                                         poller);
    return;
  }
  std::string what;
  if (files) what = std::to_string(files) + (files == 1 ? " file" : " files");
  if (files && folders) what += " and ";
  if (folders) what += std::to_string(folders) + (folders == 1 ? " folder" : " folders");
  // Receiving only, nothing shared: the run listens, it serves no file.
  out += (what.empty() ? std::string("ferry: listening") : "ferry: serving " + what) + " on port " +
         std::to_string(port) + " (" + std::string(poller) + "); Ctrl+C stops\n";
}

void LogLines::rules(std::string& out, const ShareRules& rules, std::size_t files, std::size_t folders) const {
  if (!rules.any()) return;
  if (json_) {
    JsonLine line(out, "rules");
    if (rules.expires) line.text("expires", isoUtc(*rules.expires));
    if (rules.downloadLimit) line.number("downloads", rules.downloadLimit);
    line.flag("password", !rules.password.empty());
    return;
  }
  std::vector<std::string> parts;
  if (rules.expires) parts.push_back("expires at " + localMoment(*rules.expires));
  if (rules.downloadLimit) {
    const std::string n = std::to_string(rules.downloadLimit);
    const std::string devices = rules.downloadLimit == 1 ? "one device" : n + " devices";
    if (files == 0 && folders > 0) {
      parts.push_back("is for " + devices);
    } else {
      std::string part = "ends after " + n + (rules.downloadLimit == 1 ? " complete download" : " complete downloads");
      if (folders > 0) part += " (a folder's link: is for " + devices + ")";
      parts.push_back(std::move(part));
    }
  }
  if (!rules.password.empty()) parts.push_back("asks for a password");
  std::string sentence = "ferry: each link ";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) sentence += i + 1 == parts.size() ? " and " : ", ";
    sentence += parts[i];
  }
  out += sentence + "\n";
}

void LogLines::receiving(std::string& out, std::string_view dir) const {
  if (json_) {
    JsonLine(out, "receiving").text("dir", dir);
    return;
  }
  out += "ferry: receiving files into " + std::string(dir) + "\n";
}

void LogLines::transferStarted(std::string& out, const TransferInfo& t, const DeliveryInfo* d) const {
  const bool upload = t.direction == TransferDirection::kUpload;
  if (json_) {
    JsonLine line(out, "transfer-started", t.started);
    line.number("id", t.id).text("peer", t.client).text("address", addressWithoutPort(t.client));
    if (d)
      line.text("client", d->clientName);
    else if (!t.clientName.empty())
      line.text("client", t.clientName);  // an upload's client, or the LocalSend device a file is sent to
    line.text("share", t.shareToken()).text("name", nameOf(t)).text("direction", upload ? "upload" : "download");
    line.number("size", t.fileSize).number("from", t.rangeFirst).number("bytes", t.bytesTotal);
    if (t.delivery) line.number("delivery", t.delivery);
    return;
  }
  // Uploads say so: "started receiving", "done receiving".
  out += "ferry: ";
  out += t.client;
  out += upload ? " started receiving " : " started ";
  appendShown(out, t.fileName());
  if (upload && t.bytesTotal == 0) {
    out += " (size not given)\n";
    return;
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, " (%s from byte %" PRIu64 ")\n", humanBytes(static_cast<double>(t.bytesTotal)).c_str(),
                t.rangeFirst);
  out += buf;
}

void LogLines::transferEnded(std::string& out, const TransferInfo& t, const DeliveryInfo* d) const {
  const bool upload = t.direction == TransferDirection::kUpload;
  const double secs = secondsBetween(t.started, t.finished);
  const double rate = secs > 0 ? static_cast<double>(t.bytesSent) / secs : 0;
  const std::uint64_t total = t.bytesTotal ? t.bytesTotal : t.bytesSent;  // a chunked upload's size is what came
  if (json_) {
    JsonLine line(out, "transfer-ended", t.finished);
    line.number("id", t.id).text("peer", t.client).text("address", addressWithoutPort(t.client));
    if (d)
      line.text("client", d->clientName);
    else if (!t.clientName.empty())
      line.text("client", t.clientName);  // an upload's client, or the LocalSend device a file is sent to
    line.text("share", t.shareToken()).text("name", nameOf(t)).text("direction", upload ? "upload" : "download");
    line.text("outcome", toString(t.state)).number("bytes", t.bytesSent).number("total", total);
    line.real("seconds", secs).real("rate", rate);
    if (!t.reason.empty()) line.text("reason", t.reason);
    if (t.delivery) line.number("delivery", t.delivery);
    return;
  }
  out += "ferry: ";
  out += t.client;
  out += ' ';
  out += toString(t.state);
  out += upload ? " receiving " : " ";
  appendShown(out, t.fileName());
  char buf[160];
  std::snprintf(buf, sizeof buf, ": %" PRIu64 " of %" PRIu64 " bytes in %.1f s (%s/s)", t.bytesSent, total, secs,
                humanBytes(rate).c_str());
  out += buf;
  if (!t.reason.empty()) {
    out += ": ";
    out += t.reason;
  }
  out += '\n';
}

void LogLines::deliveryEnded(std::string& out, const DeliveryInfo& d) const {
  if (json_) {
    JsonLine line(out, "delivery", d.updated);
    line.text("outcome", toString(d.outcome)).text("client", d.clientName).text("address", d.address);
    line.text("share", tokenOf(d)).text("name", nameOf(d));
    line.number("size", d.size).number("bytes", d.covered).number("percent", percentCovered(d));
    line.number("requests", d.requests).number("resumes", d.resumes);
    line.real("seconds", secondsBetween(d.started, d.updated));
    line.text("userAgent", d.userAgent);
    if (!d.reason.empty()) line.text("reason", d.reason);
    line.number("id", d.id);
    return;
  }
  // Appended piece by piece: one line per delivery, however many a second,
  // costs no string of its own.
  if (d.outcome == DeliveryOutcome::kInProgress) return;  // not an outcome
  out += "ferry: ";
  if (d.outcome == DeliveryOutcome::kDelivered) {
    out += "delivered ";
    appendShown(out, nameOf(d));
    out += " to ";
    appendWho(out, d);
  } else {
    out += d.outcome == DeliveryOutcome::kStopped ? "stopped " : "cancelled ";
    appendShown(out, nameOf(d));
    out += " for ";
    appendWho(out, d);
    out += " at ";
    appendNumber(out, percentCovered(d));
    out += '%';
  }
  if (d.resumes) {
    out += ", ";
    appendNumber(out, d.resumes);
    out += d.resumes == 1 ? " resume" : " resumes";
  } else if (d.requests > 1) {
    out += ", ";
    appendNumber(out, d.requests);
    out += " requests";
  }
  if (!d.reason.empty()) {
    out += ": ";
    out += d.reason;
  }
  out += '\n';
}

namespace {

// "iPhone (192.168.1.31) wants to send photo.jpg (2.1 MB) and 2 more files".
std::string askSentence(const ReceiveAsk& a) {
  std::string s = a.label.empty() ? "A device" : a.label;
  if (!a.address.empty()) s += " (" + a.address + ")";
  if (!a.offer.empty()) return s + " wants to send " + a.offer;
  s += " wants to send " + shown(a.firstName);
  if (a.sizeKnown) s += " (" + humanBytes(static_cast<double>(a.firstSize)) + ")";
  if (a.more) s += " and " + std::to_string(a.more) + (a.more == 1 ? " more file" : " more files");
  return s;
}

const char* askEnd(ReceiveAskState state) {
  switch (state) {
    case ReceiveAskState::kAccepted: return "accepted";
    case ReceiveAskState::kAcceptedAlways: return "accepted, and this device from now on";
    case ReceiveAskState::kDeclined: return "declined";
    case ReceiveAskState::kTimedOut: return "not answered in time: declined";
    case ReceiveAskState::kWithdrawn:
    case ReceiveAskState::kOpen: return "withdrawn";
  }
  return "ended";
}

const char* askState(ReceiveAskState state) {
  switch (state) {
    case ReceiveAskState::kOpen: return "open";
    case ReceiveAskState::kAccepted: return "accepted";
    case ReceiveAskState::kAcceptedAlways: return "accepted-always";
    case ReceiveAskState::kDeclined: return "declined";
    case ReceiveAskState::kTimedOut: return "timed-out";
    case ReceiveAskState::kWithdrawn: return "withdrawn";
  }
  return "withdrawn";
}

}  // namespace

void LogLines::ask(std::string& out, const ReceiveAsk& a, ReceiveAskState state) const {
  const std::string id = std::to_string(a.id);
  std::string sentence = state == ReceiveAskState::kOpen
                             ? askSentence(a) + "; answer 'accept " + id + "' (these files only), 'always " + id +
                                   "' (this device from now on) or 'decline " + id + "'"
                             : std::string(askEnd(state));
  if (json_) {
    JsonLine line(out, "ask");
    line.number("id", a.id).text("state", askState(state));
    line.text("client", a.label).text("address", a.address).text("name", a.firstName);
    if (a.sizeKnown) line.number("size", a.firstSize);
    line.number("more", a.more).text("message", sentence);
    return;
  }
  out += "ferry: ask " + id + (state == ReceiveAskState::kOpen ? ": " : " ") + sentence + "\n";
}

void LogLines::device(std::string& out, const NearbyDevice& d, bool here) const {
  if (json_) {
    if (here && d.kind == "localsend") {
      JsonLine line(out, "device");
      line.number("id", d.id).text("kind", d.kind).text("name", d.name).text("address", d.address);
      line.text("alias", d.name).text("fingerprint", d.fingerprint).number("port", d.port).text("protocol", d.protocol);
      line.text("model", d.model).text("deviceType", d.deviceType);
    } else if (here)
      JsonLine(out, "device").number("id", d.id).text("kind", d.kind).text("name", d.name).text("address", d.address);
    else
      JsonLine(out, "device-gone").number("id", d.id);
    return;
  }
  const std::string id = std::to_string(d.id);
  if (here && d.kind == "localsend")
    out += "ferry: device " + id + ": " + d.name + " (LocalSend, " + d.address + ") is nearby; 'send " + id +
           " FILE...' or 'text " + id + " TEXT' sends to it\n";
  else if (here)
    out += "ferry: device " + id + ": " + d.name + " (" + d.address + ") has this computer's page open; 'send " + id +
           " FILE...' or 'text " + id + " TEXT' sends to it\n";
  else
    out += "ferry: device " + id + " (" + d.name + ") left\n";
}

void LogLines::pin(std::string& out, std::uint64_t session, std::uint64_t device, std::string_view name,
                   bool wrong) const {
  const std::string id = std::to_string(session);
  const std::string sentence = std::string(name) + (wrong ? " did not take that PIN; answer with 'pin " : " wants a PIN; answer with 'pin ") +
                               id + " PIN' (an empty PIN gives up)";
  if (json_) {
    JsonLine(out, "pin").number("id", session).number("device", device).text("name", name).flag("wrong", wrong).text("message", sentence);
    return;
  }
  out += "ferry: send " + id + ": " + sentence + "\n";
}

void LogLines::text(std::string& out, const NearbyDevice& from, std::string_view text) const {
  if (json_) {
    JsonLine(out, "text").number("device", from.id).text("name", from.name).text("text", text);
    return;
  }
  out += "ferry: text from device " + std::to_string(from.id) + " (" + from.name + "):\n";
  // Indented, one line of the log per line of text; no control characters.
  std::string line = "    ";
  for (char c : text) {
    if (c == '\n') {
      out += line + "\n";
      line = "    ";
    } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
      line += c;
    }
  }
  out += line + "\n";
}

void LogLines::sent(std::string& out, std::uint64_t id, const NearbyDevice& to, std::string_view name,
                    std::string_view url) const {
  if (json_) {
    JsonLine(out, "sent").number("id", id).number("device", to.id).text("name", name).text("url", url);
    return;
  }
  const std::string n = std::to_string(id);
  out += "ferry: sent " + std::string(name) + " to device " + std::to_string(to.id) + " (" + to.name + "); 'take-back " +
         n + "' takes it back\n";
}

void LogLines::takenBack(std::string& out, std::uint64_t id, std::uint64_t device, std::string_view name) const {
  if (json_) {
    JsonLine(out, "taken-back").number("id", id).number("device", device).text("name", name);
    return;
  }
  out += "ferry: took " + std::string(name) + " back from device " + std::to_string(device) +
         ": its link has ended and its page says so\n";
}

void LogLines::localsend(std::string& out, const LocalSendStatus& s) const {
  if (json_) {
    JsonLine(out, "localsend")
        .text("alias", s.alias)
        .text("fingerprint", s.fingerprint)
        .number("port", s.port)
        .text("protocol", s.protocol);
    return;
  }
  out += "ferry: LocalSend devices can send to \"" + s.alias + "\" on port " + std::to_string(s.port) + " (" +
         s.protocol + ", fingerprint " + s.fingerprint.substr(0, 12) + "...)\n";
}

void LogLines::localCa(std::string& out, const LocalCaStatus& s, std::string_view pageUrl) const {
  if (json_) {
    JsonLine(out, "https-ca").text("page", pageUrl).text("fingerprint", s.fingerprint).text("name", s.name);
    return;
  }
  out += "ferry: https with " + s.name + "; a device trusts it once from " + std::string(pageUrl) +
         " (SHA-256 " + s.fingerprint + ")\n";
}

void LogLines::plainLink(std::string& out, std::string_view url) const {
  if (json_) {
    JsonLine(out, "plain-link").text("url", url);
    return;
  }
  out += "ferry: over plain HTTP too (for devices that do not trust the certificate): " + std::string(url) + "\n";
}

void LogLines::certificate(std::string& out, std::string_view sentence, bool failed) const {
  if (json_) {
    JsonLine(out, "certificate").text("message", sentence).flag("failed", failed);
    return;
  }
  out += "ferry: " + std::string(sentence) + "\n";
}

void LogLines::error(std::string& out, std::string_view sentence) const {
  if (json_) {
    JsonLine(out, "error").text("message", sentence);
    return;
  }
  out += "ferry: " + std::string(sentence) + "\n";
}

void LogLines::dropped(std::string& out, std::uint64_t lines) const {
  if (json_) {
    JsonLine(out, "dropped").number("lines", lines);
    return;
  }
  out += "ferry: " + std::to_string(lines) + " log lines dropped (stderr was not being read)\n";
}

void LogLines::stopped(std::string& out) const {
  if (json_) {
    JsonLine(out, "stopped");
    return;
  }
  out += "ferry: stopped\n";
}

}  // namespace ferry::app
