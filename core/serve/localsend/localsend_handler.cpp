#include "localsend_handler.h"

#include <algorithm>
#include <charconv>

#include "folder_listing.h"
#include "header_values.h"
#include "http_request.h"
#include "json_text.h"
#include "localsend_names.h"
#include "random_token.h"
#include "receive_asks.h"
#include "receive_device.h"
#include "receive_target.h"
#include "request_target.h"
#include "upload.h"
#include "upload_handler.h"

namespace ferry {

namespace ls = localsend;

namespace {

constexpr std::string_view kApi = "/api/localsend/";
// A prepare-upload of 10,000 files is about 2 MB of JSON; a register, a
// device's few fields, is under 1 KB.
constexpr std::size_t kMaxOfferBody = 4 * 1024 * 1024;
constexpr std::size_t kMaxRegisterBody = 64 * 1024;

void fail(Responder& out, int status, std::string_view message) { respondJson(out, status, ls::encodeError(message)); }

// The decoded value of `key` in `query`, or "".
std::string queryValue(std::string_view query, std::string_view key) {
  std::string_view raw;
  std::string out;
  if (!findQueryParam(query, key, raw) || !percentDecode(raw, out)) return {};
  return out;
}

// "12 photos, 48 MB", "3 files, 1.2 GB", "IMG_0001.jpg, 3.1 MB".
std::string offerSummary(const std::vector<ls::FileInfo>& files) {
  std::uint64_t total = 0;
  std::size_t images = 0, videos = 0;
  for (const auto& f : files) {
    total += f.size;
    images += f.fileType.rfind("image/", 0) == 0;
    videos += f.fileType.rfind("video/", 0) == 0;
  }
  std::string what;
  const std::size_t n = files.size();
  if (n == 1)
    what = files[0].fileName;
  else if (images == n)
    what = std::to_string(n) + " photos";
  else if (videos == n)
    what = std::to_string(n) + " videos";
  else if (images + videos == n)
    what = std::to_string(n) + " photos and videos";
  else
    what = std::to_string(n) + " files";
  return what + ", " + humanSize(total);
}

// Whether a request's body says it is JSON ("application/json", maybe with
// parameters). The apps (1.17's rhttp, 1.18's own client) and the npm peer
// say so; a web page can post without a CORS preflight only as a form or
// text/plain.
bool saysJson(const HttpRequest& req) {
  std::string_view type = req.header("content-type");
  type = trimOws(type.substr(0, type.find(';')));
  return iequals(type, "application/json");
}

bool isTextMessage(const std::vector<ls::FileInfo>& files) {
  return files.size() == 1 && files[0].preview && files[0].fileType.rfind("text/", 0) == 0;
}

}  // namespace

// A JSON request body (register, prepare-upload), read whole up to its
// limit, then handed to `then` from the loop's next turn (answering
// inside the body decoder's callbacks would end the request under it).
class LocalSendHandler::JsonRequest final : public BodySink {
 public:
  JsonRequest(LocalSendHandler& handler, Responder& out, std::size_t limit, std::function<void(JsonRequest&)> then)
      : handler(handler), out(&out), address(clientAddress(out.client())), limit_(limit), then_(std::move(then)) {}

  std::size_t room() const override { return done_ || !out ? 0 : limit_ + 1 - body.size(); }
  void take(std::string_view bytes) override {
    body.append(bytes);
    if (body.size() > limit_) {
      done_ = true;
      later([](JsonRequest& r) { r.fail(413, "The request body is too large."); });
    }
  }
  void complete() override {
    if (done_) return;
    done_ = true;
    later(then_);
  }
  void ended(BodyEnd, std::string_view) override { gone(); }
  bool heldOpen() const override { return handler.waiting_ == this; }
  void release() override {
    gone();
    delete this;
  }

  void answer(int status, std::string_view json) {
    if (!out) return;
    if (status == 204)
      out->respond(204);
    else
      respondJson(*out, status, json);
    out->resume();
  }
  void fail(int status, std::string_view message) { answer(status, ls::encodeError(message)); }

  LocalSendHandler& handler;
  Responder* out;  // null once the request has ended
  std::string address;
  std::string body;
  std::string query;
  std::shared_ptr<int> alive = std::make_shared<int>(0);

 private:
  void later(std::function<void(JsonRequest&)> fn) {
    handler.loop().post([this, weak = std::weak_ptr<int>(alive), fn = std::move(fn)] {
      if (!weak.expired()) fn(*this);
    });
  }
  // The client left (or the answer is out): an offer still waiting for the
  // user is withdrawn, so the next one is not told "busy", and so is its
  // ask (the window's ask bar goes, and stale asks do not fill the
  // ReceiveAsks::kMaxOpen places that browsers' uploads need too).
  void gone() {
    out = nullptr;
    if (handler.waiting_ == this) {
      handler.waiting_ = nullptr;
      if (handler.session_ && !handler.session_->accepted) handler.session_.reset();
      alive.reset();
      handler.uploads_.asks().withdrawAbandoned();
    }
  }

  bool done_ = false;
  std::size_t limit_;
  std::function<void(JsonRequest&)> then_;
};

LocalSendHandler::File* LocalSendHandler::Session::find(const std::string& fileId) {
  auto it = byId.find(fileId);
  return it == byId.end() ? nullptr : &files[it->second];
}

void LocalSendHandler::Session::setState(File& f, File::State state) {
  auto count = [this](File::State st) -> std::size_t& {
    return st == File::State::kWaiting ? waiting : st == File::State::kReceiving ? receiving : saved;
  };
  --count(f.state);
  ++count(state);
  f.state = state;
}

LocalSendHandler::LocalSendHandler(EventLoop& loop, ReceiveTarget& target, UploadHandler& uploads,
                                   ls::DeviceInfo self, std::string pin)
    : loop_(loop), target_(target), uploads_(uploads), self_(std::move(self)), pin_(std::move(pin)) {}

LocalSendHandler::~LocalSendHandler() {
  if (session_ && session_->idle) loop_.cancel(session_->idle);
}

bool LocalSendHandler::fromWebPage(const HttpRequest& req, Responder& out) {
  // Browsers say which page a request comes from (Origin, "null" from a
  // sandboxed or local page); LocalSend apps never do. A web page in a
  // browser on this network must not offer files, register or ask who this
  // is (CSRF, DNS rebinding): this port serves no page of its own, so no
  // origin is Ferry's.
  if (!req.count("origin")) return false;
  fail(out, 403, "LocalSend's API does not take requests from web pages.");
  return true;
}

BodyPtr LocalSendHandler::handle(const HttpRequest& req, Responder& out) {
  const std::string_view target = req.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
  if (path == "/api/localsend/v1/info" || path == "/api/localsend/v2/info") {
    // As the POSTs below: a web page (which says its Origin) learns nothing
    // here, not even the name and fingerprint, whatever CORS would let it read.
    if (fromWebPage(req, out)) return nullptr;
    // LocalSend 1.17 scans with its own fingerprint: finding itself is 412.
    if (!self_.fingerprint.empty() && queryValue(query, "fingerprint") == self_.fingerprint) {
      fail(out, 412, "Self-discovered");
      return nullptr;
    }
    respondJson(out, 200, ls::encodeDeviceAnswer(self_));
    return nullptr;
  }
  if (path.substr(0, kApi.size()) == kApi)
    fail(out, 405, "Use POST for this part of the LocalSend API.");
  else
    fail(out, 404, "Not found: this port speaks LocalSend's API only.");
  return nullptr;
}

SinkPtr LocalSendHandler::accept(const HttpRequest& req, Responder& out) {
  const std::string_view target = req.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
  if (req.method != "POST") {
    fail(out, 405, "LocalSend's API takes POST.");
    return nullptr;
  }
  if (fromWebPage(req, out)) return nullptr;
  const bool json = path == "/api/localsend/v2/register" || path == "/api/localsend/v2/prepare-upload";
  if (json && !saysJson(req)) {
    fail(out, 415, "Send the body as application/json.");
    return nullptr;
  }
  if (path == "/api/localsend/v2/register")
    return SinkPtr(new JsonRequest(*this, out, kMaxRegisterBody, [this](JsonRequest& r) { registerDevice(r); }));
  if (path == "/api/localsend/v2/prepare-upload") {
    // What the query and the moment decide is answered before a body of
    // up to kMaxOfferBody is read and parsed.
    if (offerRefused(out, query)) return nullptr;
    auto* r = new JsonRequest(*this, out, kMaxOfferBody, [this](JsonRequest& r) { prepareUpload(r, r.query); });
    r->query = std::string(query);
    return SinkPtr(r);
  }
  if (path == "/api/localsend/v2/upload") return upload(req, out, query);
  if (path == "/api/localsend/v2/cancel") {
    cancel(out, query);
    return nullptr;
  }
  fail(out, 404, "Not found: this port speaks LocalSend's API only.");
  return nullptr;
}

void LocalSendHandler::registerDevice(JsonRequest& r) {
  std::string error;
  auto device = ls::decodeDeviceInfo(r.body, &error);
  if (!device) return r.fail(400, "Invalid body: " + error);
  // Over TLS with a client certificate, a body naming another fingerprint
  // is not believed (LocalSend 1.18 does the same): answered, not listed.
  const std::string presented = r.out ? r.out->peerFingerprint() : std::string();
  if (registerHook_ && (presented.empty() || presented == device->fingerprint)) registerHook_(*device, r.address);
  r.answer(200, ls::encodeDeviceAnswer(self_));
}

bool LocalSendHandler::offerRefused(Responder& out, std::string_view query) {
  const std::string address = clientAddress(out.client());
  if (!target_.current()) {
    fail(out, 403, "Receiving is turned off on this computer.");
    return true;
  }
  if (!pin_.empty()) {
    if (badPins_.locked(address, loop_.now())) {
      fail(out, 429, "Too many wrong PINs from this device.");
      return true;
    }
    const std::string given = queryValue(query, "pin");
    if (given.empty() || given != pin_) {
      if (!given.empty()) badPins_.wrong(address, loop_.now());
      fail(out, 401, given.empty() ? "PIN required" : "Invalid PIN");
      return true;
    }
    badPins_.right(address);
  }
  if (session_) {
    fail(out, 409, "Blocked by another session");
    return true;
  }
  return false;
}

void LocalSendHandler::prepareUpload(JsonRequest& r, std::string_view) {
  auto folder = target_.current();
  if (!folder) return r.fail(403, "Receiving is turned off on this computer.");
  std::string error;
  auto offer = ls::decodePrepareUpload(r.body, &error);
  if (!offer) return r.fail(400, "Invalid body: " + error);
  if (session_) return r.fail(409, "Blocked by another session");

  auto s = std::make_unique<Session>();
  const ReceivePolicy policy = target_.policy();
  for (ls::FileInfo& info : offer->files) {
    File f;
    ls::PlacedName placed;
    if (std::string why = ls::placeFileName(info.fileName, placed); !why.empty())
      return r.fail(400, "Invalid file name \"" + info.fileName.substr(0, 200) + "\": " + why);
    if (policy.maxFileSize && info.size > policy.maxFileSize)
      return r.fail(413, "\"" + placed.name + "\" is larger than this computer accepts (" +
                             capForPeople(policy.maxFileSize) + ").");
    f.subfolder = std::move(placed.subfolder);
    f.name = std::move(placed.name);
    f.info = std::move(info);
    s->byId.emplace(f.info.id, s->files.size());
    s->files.push_back(std::move(f));
  }
  s->waiting = s->files.size();
  s->id = newShareToken();
  s->address = r.address;
  s->sender = offer->info;
  // "Always accept" belongs to a device only as far as it proves who it is.
  // A client certificate (LocalSend 1.18 over https) does: the peer holds
  // its key. A fingerprint in the body does not (every announcement says
  // it aloud), so without a certificate the choice holds for that
  // fingerprint from that address only.
  const std::string certified = r.out ? r.out->peerFingerprint() : std::string();
  const std::string key = certified.empty() ? "localsend:" + s->sender.fingerprint + "@" + r.address
                                            : "localsend:" + certified;
  session_ = std::move(s);
  waiting_ = &r;

  if (!policy.askNewDevices || target_.accepted(key)) return decided(session_->id, true);
  std::vector<ls::FileInfo> infos;
  for (const File& f : session_->files) infos.push_back(f.info);
  ReceiveAsk ask;
  ask.device = key;
  ask.label = session_->sender.alias + " (LocalSend)";
  ask.address = r.address;
  ask.firstName = session_->files[0].name;
  ask.firstSize = session_->files[0].info.size;
  ask.sizeKnown = true;
  ask.offer = isTextMessage(infos) ? "a message" : offerSummary(infos);
  const std::string id = session_->id;
  bool asked = uploads_.asks().wait(ask, r.alive, [this, id](ReceiveAskState state) {
    decided(id, state == ReceiveAskState::kAccepted || state == ReceiveAskState::kAcceptedAlways);
  });
  if (!asked) {
    waiting_ = nullptr;
    session_.reset();
    r.fail(409, "Too many devices are waiting to be accepted by this computer: try again in a minute.");
  }
}

void LocalSendHandler::decided(const std::string& sessionId, bool accept) {
  if (!session_ || session_->id != sessionId || !waiting_) return;
  JsonRequest& r = *waiting_;
  waiting_ = nullptr;
  if (!accept) {
    session_.reset();
    return r.fail(403, "Rejected");
  }
  std::vector<ls::FileInfo> infos;
  for (const File& f : session_->files) infos.push_back(f.info);
  if (isTextMessage(infos)) {
    // A text message is delivered with the offer: there is nothing to upload.
    auto s = std::move(session_);
    if (textListener_) textListener_(s->sender, s->address, *infos[0].preview);
    return r.answer(204, {});
  }
  session_->accepted = true;
  ls::PrepareUploadAnswer answer;
  answer.sessionId = session_->id;
  for (File& f : session_->files) {
    f.token = newShareToken();
    answer.tokens.emplace_back(f.info.id, f.token);
  }
  armIdle();
  r.answer(200, ls::encodePrepareUploadAnswer(answer));
}

SinkPtr LocalSendHandler::upload(const HttpRequest& req, Responder& out, std::string_view query) {
  const std::string sessionId = queryValue(query, "sessionId"), fileId = queryValue(query, "fileId"),
                    token = queryValue(query, "token");
  auto no = [&](int status, std::string_view message) -> SinkPtr {
    fail(out, status, message);
    return nullptr;
  };
  if (sessionId.empty() || fileId.empty() || token.empty()) return no(400, "Missing parameters");
  if (!session_ || !session_->accepted || session_->id != sessionId) return no(403, "Invalid session");
  if (clientAddress(out.client()) != session_->address) return no(403, "Invalid IP address");
  File* it = session_->find(fileId);
  if (!it || it->token != token) return no(403, "Invalid token");
  if (it->state == File::State::kSaved) return no(409, "This file has been received already.");
  if (it->state == File::State::kReceiving) return no(409, "This file is being received already.");
  auto folder = target_.current();
  if (!folder) return no(403, "Receiving is turned off on this computer.");
  std::uint64_t length = 0;
  if (req.count("content-length") == 1) {
    const std::string_view raw = trimOws(req.header("content-length"));
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), length);
    if (ec != std::errc() || end != raw.data() + raw.size() || length != it->info.size)
      return no(400, "The body's length differs from the file's size.");
  }
  Upload::Params p;
  p.folder = std::move(folder);
  p.name = it->name;
  p.subfolder = it->subfolder;
  p.size = it->info.size;
  p.sizeKnown = true;
  p.maxSize = it->info.size;
  p.sha256 = it->info.sha256.value_or("");
  p.localsend = true;
  p.clientName = session_->sender.alias;
  p.onEnd = [this, sessionId, fileId](bool saved) {
    if (!session_ || session_->id != sessionId) return;
    if (File* f = session_->find(fileId)) {
      session_->setState(*f, saved ? File::State::kSaved : File::State::kWaiting);
      f->upload = nullptr;
    }
    if (session_->saved == session_->files.size()) return endSession("every file was received");
    if (!session_->receiving) armIdle();  // a failed file may be sent again
  };
  // Files not yet sent (or to be sent again): while there are some, this
  // one's answer need not wait for the disk; the last one's does.
  p.moreToCome = [this, sessionId, fileId] {
    if (!session_ || session_->id != sessionId) return false;
    const File* f = session_->find(fileId);
    return session_->waiting > (f && f->state == File::State::kWaiting ? 1 : 0);
  };
  SinkPtr sink = uploads_.receiveAdmitted(out, std::move(p));
  auto* u = static_cast<Upload*>(sink.get());
  session_->setState(*it, File::State::kReceiving);
  it->upload = u;
  it->uploadAlive = u->alive();
  if (session_->idle) loop_.cancel(session_->idle);
  session_->idle = 0;
  return sink;
}

void LocalSendHandler::cancel(Responder& out, std::string_view query) {
  const std::string sessionId = queryValue(query, "sessionId");
  const std::string address = clientAddress(out.client());
  // A session this computer sends in is the sending side's to end.
  if (cancelHook_ && cancelHook_(sessionId, address)) return respondJson(out, 200, "{}");
  if (!session_ || session_->address != address || (!sessionId.empty() && sessionId != session_->id))
    return fail(out, 403, "No such session from this device.");
  endSession("cancelled by the sender");
  respondJson(out, 200, "{}");
}

void LocalSendHandler::stopReceiving(std::string_view reason) {
  if (session_ && session_->accepted) endSession(reason, true);
}

bool LocalSendHandler::cancelTransfer(std::uint64_t transferId) {
  if (!session_ || !session_->accepted || !transferId) return false;
  for (const File& f : session_->files)
    if (f.upload && !f.uploadAlive.expired() && f.upload->transferId() == transferId) {
      endSession("cancelled by the user", true);
      return true;
    }
  return false;
}

void LocalSendHandler::endSession(std::string_view reason, bool tell) {
  if (!session_) return;
  // Taken out first: aborting an upload ends it, and its onEnd must find
  // no session to edit.
  std::unique_ptr<Session> s = std::move(session_);
  if (s->idle) loop_.cancel(s->idle);
  if (tell && s->accepted && endedHook_) endedHook_(s->sender, s->address, s->id);
  if (waiting_) {
    JsonRequest& r = *waiting_;
    waiting_ = nullptr;
    r.fail(403, "The session was cancelled.");
  }
  for (File& f : s->files)
    if (f.upload && !f.uploadAlive.expired()) f.upload->abort(reason);  // its part file is removed
}

void LocalSendHandler::armIdle() {
  if (!session_) return;
  if (session_->idle) loop_.cancel(session_->idle);
  const std::string id = session_->id;
  session_->idle = loop_.runAfter(kSessionIdle, [this, id] {
    if (!session_ || session_->id != id) return;
    session_->idle = 0;
    endSession("the sender sent nothing for five minutes");
  });
}

}  // namespace ferry
