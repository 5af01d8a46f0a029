#include "nearby_handler.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "credentials.h"
#include "event_stream.h"
#include "header_values.h"
#include "http_request.h"
#include "json_text.h"
#include "random_token.h"
#include "receive_device.h"
#include "receive_target.h"
#include "request_target.h"

namespace ferry {
namespace {

constexpr std::size_t kMaxDeviceName = 64;  // bytes of a name a page sets for itself
// A text body is read to its end (up to this) before it is refused, so the
// page's browser sees the refusal rather than a cut connection.
constexpr std::size_t kMaxDrained = 1 << 20;

std::string_view queryOf(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  return query.substr(0, query.find('#'));
}

bool hasParam(const HttpRequest& req, std::string_view key, std::string_view* value = nullptr) {
  std::string_view v;
  if (!findQueryParam(queryOf(req.target), key, v)) return false;
  if (value) *value = v;
  return true;
}

// The name a page gave itself: printable, trimmed, at most kMaxDeviceName bytes
// cut at a character boundary; "" when it gave none.
std::string pageName(const HttpRequest& req) {
  std::string_view raw;
  std::string name;
  if (!hasParam(req, "name", &raw)) return name;
  std::string spaced(raw);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  if (!percentDecode(spaced, name)) return {};
  std::string clean;
  for (unsigned char c : name)
    if (c >= 0x20 && c != 0x7f) clean += static_cast<char>(c);
  std::string_view t = trimOws(clean);
  std::string out(t.substr(0, kMaxDeviceName));
  while (out.size() < t.size() && !out.empty() && (static_cast<unsigned char>(t[out.size()]) & 0xC0) == 0x80)
    out.pop_back();  // do not split a UTF-8 sequence
  return out;
}

bool validKey(std::string_view key) { return looksLikeToken(key); }

void appendFrame(std::string& out, std::uint64_t id, std::string_view type, std::string_view data) {
  if (id) {
    out += "id: ";
    appendNumber(out, id);
    out += '\n';
  }
  out += "event: ";
  out += type;
  out += "\ndata: ";
  out += data;  // one line of JSON
  out += "\n\n";
}

// Collects the text a page posts; answers once it is all here.
class TextSink final : public BodySink {
 public:
  TextSink(NearbyHandler& owner, Responder& out, std::uint64_t device) : owner_(owner), out_(&out), device_(device) {}
  std::size_t room() const override { return kMaxDrained - std::min(kMaxDrained, seen_); }
  void take(std::string_view bytes) override {
    seen_ += bytes.size();
    if (text_.size() < NearbyHandler::kMaxText + 1)
      text_.append(bytes.substr(0, NearbyHandler::kMaxText + 1 - text_.size()));
    if (seen_ >= kMaxDrained && out_) tooLong();
  }
  void complete() override {
    if (!out_ || answered_) return;
    if (seen_ > NearbyHandler::kMaxText) return tooLong();
    if (text_.empty()) {
      answered_ = true;
      return out_->respond(400, {}, "There is no text to send.\n");
    }
    answered_ = true;
    owner_.textArrived(device_, std::move(text_));
    out_->respond(200, "Cache-Control: no-store\r\n", "Sent.\n");
  }
  void ended(BodyEnd, std::string_view) override { out_ = nullptr; }
  void release() override { delete this; }

 private:
  void tooLong() {
    if (answered_) return;
    answered_ = true;
    out_->respond(413, {}, "Text up to 64 KB can be sent at once: this is longer.\n");
  }
  NearbyHandler& owner_;
  Responder* out_;
  std::uint64_t device_;
  std::string text_;
  std::size_t seen_ = 0;
  bool answered_ = false;
};

}  // namespace

NearbyHandler::NearbyHandler(EventLoop& loop) : loop_(loop), devices_(loop) {}

NearbyHandler::~NearbyHandler() {
  if (heartbeat_) loop_.cancel(heartbeat_);
}

bool NearbyHandler::wantsEvents(const HttpRequest& req) { return (req.isGet || req.isHead) && hasParam(req, "events"); }

bool NearbyHandler::wantsText(const HttpRequest& req) { return req.method == "POST" && hasParam(req, "text"); }

BodyPtr NearbyHandler::events(const HttpRequest& req, Responder& out, const ReceiveFolder& folder) {
  if (!sameOrigin(req)) {
    out.respond(403, {}, "Requests from other sites are not accepted.\n");
    return nullptr;
  }
  const std::string address = clientAddress(out.client());
  if (devices_.streamsFrom(address) >= kMaxStreamsPerAddress) {
    out.respond(429, "Retry-After: 60\r\n", "Too many of this computer's pages are open from one address.\n");
    return nullptr;
  }
  bool moved = false;
  std::string key = keyOf(req, out, moved);
  if (!validKey(key)) key = newShareToken();
  std::string name = pageName(req);
  if (name.empty()) name = deviceLabel(req.header("user-agent"));

  std::string& head = out.beginHead(200);
  head += "Content-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
          "X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\n";
  // Every stream (re)states the cookie, so it outlives the browser's session.
  head += "Set-Cookie: ";
  head += schemeCookieName(kCookie, out.secure());
  head += '=';
  head += key;
  head += "; Path=/";
  head += folder.token;
  head += "/; Max-Age=31536000; HttpOnly; SameSite=Lax";
  head += out.secure() ? "; Secure\r\n" : "\r\n";
  if (moved) {
    // The plain cookie names nothing now: the browser forgets it.
    head += "Set-Cookie: ";
    head += kCookie;
    head += "=; Path=/";
    head += folder.token;
    head += "/; Max-Age=0; HttpOnly; SameSite=Lax\r\n";
  }
  if (out.headOnly()) {
    head += "Content-Length: 0\r\n";
    out.endHead();
    return nullptr;
  }
  head += "Transfer-Encoding: chunked\r\n";
  out.endHead();

  // A device's oldest stream makes room for its newest (a page left open
  // in a forgotten tab).
  if (std::uint64_t known = devices_.idOf(key); known && devices_.streamsOf(known) >= kMaxStreamsPerDevice) {
    std::uint64_t oldest = 0;
    for (const auto& [sid, o] : streams_)
      if (o.device == known && (!oldest || sid < oldest)) oldest = sid;
    if (oldest) streams_[oldest].stream->end("the device opened the page once more");
  }

  const std::uint64_t device = devices_.open(key, name, address);
  const std::uint64_t sid = nextStream_++;
  auto* stream = new EventStream(*this, out, sid);
  streams_[sid] = Open{stream, device, address};
  if (!heartbeat_) heartbeat_ = loop_.runEvery(kHeartbeat, [this] { heartbeat(); });

  std::uint64_t after = 0;
  if (std::string_view last = trimOws(req.header("last-event-id")); !last.empty())
    std::from_chars(last.data(), last.data() + last.size(), after);
  std::string first = "retry: " + std::to_string(kRetryMs) + "\n\n";
  std::string hello = "{\"device\":" + std::to_string(device) + ",\"name\":";
  appendJsonString(hello, devices_.find(device)->name);
  hello += textListener_ ? ",\"live\":true}" : ",\"live\":false}";
  appendFrame(first, 0, "hello", hello);
  for (const NearbyDevices::Message* m : devices_.since(device, after)) appendFrame(first, m->seq, m->type, m->data);
  stream->write(first);
  return BodyPtr(stream);
}

std::string NearbyHandler::keyOf(const HttpRequest& req, const Responder& out, bool& moved) {
  const std::string_view cookies = req.header("cookie");
  std::string key(cookieValue(cookies, schemeCookieName(kCookie, out.secure())));
  if (!out.secure() || (validKey(key) && devices_.idOf(key))) return key;
  const std::string_view plain = cookieValue(cookies, kCookie);
  const std::uint64_t id = validKey(plain) ? devices_.idOf(plain) : 0;
  std::string fresh = newShareToken();
  if (!id || !devices_.rekey(id, fresh)) return key;
  // The same device, come over TLS: a new key, and whatever still streams
  // under the old one (which anyone on the network may have seen) ends.
  moved = true;
  std::vector<std::uint64_t> old;
  for (const auto& [sid, o] : streams_)
    if (o.device == id) old.push_back(sid);
  for (std::uint64_t sid : old)
    if (auto it = streams_.find(sid); it != streams_.end()) it->second.stream->end("the device moved to https");
  return fresh;
}

SinkPtr NearbyHandler::text(const HttpRequest& req, Responder& out, const ReceiveFolder&) {
  if (!sameOrigin(req)) {
    out.respond(403, {}, "Requests from other sites are not accepted.\n");
    return nullptr;
  }
  if (!textListener_) {
    out.respond(503, {}, "This computer does not take text from its page.\n");
    return nullptr;
  }
  const std::uint64_t device =
      devices_.idOf(cookieValue(req.header("cookie"), schemeCookieName(kCookie, out.secure())));
  if (!device) {
    out.respond(409, {}, "This page is not connected to this computer: reload it, then send the text again.\n");
    return nullptr;
  }
  std::uint64_t length = 0;
  if (req.count("content-length") == 1) {
    std::string_view v = trimOws(req.header("content-length"));
    std::from_chars(v.data(), v.data() + v.size(), length);
  }
  if (length > kMaxDrained) {
    out.respond(413, {}, "Text up to 64 KB can be sent at once: this is longer.\n");
    return nullptr;
  }
  if (!req.hasBody) {
    out.respond(400, {}, "There is no text to send.\n");
    return nullptr;
  }
  return SinkPtr(new TextSink(*this, out, device));
}

void NearbyHandler::textArrived(std::uint64_t device, std::string text) {
  const NearbyDevice* from = devices_.find(device);
  if (from && textListener_) textListener_(*from, text);
}

bool NearbyHandler::send(std::uint64_t device, std::string_view type, std::string json) {
  std::string frame;
  const std::uint64_t seq = devices_.queue(device, type, json);
  if (!seq) return false;
  appendFrame(frame, seq, type, json);
  std::vector<std::uint64_t> to;
  for (const auto& [sid, o] : streams_)
    if (o.device == device) to.push_back(sid);
  for (std::uint64_t sid : to) writeTo(sid, frame);
  return true;
}

bool NearbyHandler::sendFile(std::uint64_t device, const Card& card) {
  // Links of devices that are gone (and forgotten with their queues) are
  // dropped here, so the table holds only what a page could still show.
  std::erase_if(sent_, [this](const auto& entry) { return devices_.find(entry.second.device) == nullptr; });
  if (!send(device, "file", card.json)) return false;
  sent_[card.token] = Sent{device, card.link};
  return true;
}

void NearbyHandler::takeBack(std::string_view token) {
  auto it = sent_.find(std::string(token));
  if (it == sent_.end()) return;
  std::string json = "{\"link\":";
  appendJsonString(json, it->second.link);
  json += '}';
  const std::uint64_t device = it->second.device;
  sent_.erase(it);
  send(device, "removed", std::move(json));
}

void NearbyHandler::writeTo(std::uint64_t streamId, std::string_view frame) {
  auto it = streams_.find(streamId);
  if (it != streams_.end()) it->second.stream->write(frame);
}

void NearbyHandler::heartbeat() {
  if (streams_.empty()) {
    loop_.cancel(heartbeat_);
    heartbeat_ = 0;
    return;
  }
  std::vector<std::uint64_t> ids;
  for (const auto& [sid, o] : streams_) ids.push_back(sid);
  for (std::uint64_t sid : ids) writeTo(sid, ":\n\n");
}

void NearbyHandler::closed(std::uint64_t streamId) {
  auto it = streams_.find(streamId);
  if (it == streams_.end()) return;
  const std::uint64_t device = it->second.device;
  streams_.erase(it);
  devices_.close(device);
}

void NearbyHandler::stopReceiving(std::string_view reason) {
  std::vector<std::uint64_t> ids;
  for (const auto& [sid, o] : streams_) ids.push_back(sid);
  for (std::uint64_t sid : ids)
    if (auto it = streams_.find(sid); it != streams_.end()) it->second.stream->end(reason);
  devices_.clear();
  sent_.clear();
}

}  // namespace ferry
