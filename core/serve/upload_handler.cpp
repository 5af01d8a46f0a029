#include "upload_handler.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <utility>

#include "client_name.h"
#include "file_write.h"
#include "folder_listing.h"
#include "header_values.h"
#include "http_request.h"
#include "json_text.h"
#include "random_token.h"
#include "receive_device.h"
#include "receive_page.h"
#include "request_target.h"
#include "transfer_stats.h"
#include "upload_names.h"
#include "work_pool.h"

namespace ferry {
namespace {

// Free space left alone for the rest of the computer: 1% of the disk, at
// most 64 MiB (a small stick keeps a little, a big disk no more than that).
constexpr std::uint64_t kMaxMargin = 64ull << 20;

constexpr std::string_view kAllow = "Allow: GET, HEAD, PUT, POST\r\n";

// The raw value of `key` in the target's query ("" when absent).
bool queryParam(std::string_view target, std::string_view key, std::string_view& value) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = target.substr(q + 1);
  return findQueryParam(query.substr(0, query.find('#')), key, value);
}

bool parseNumber(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// What follows "/<token>" in the path: "" or "/" (the link itself), or
// "/name" (still percent-encoded).
std::string_view pathAfterToken(std::string_view target, std::string_view token) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  return path.substr(std::min(path.size(), 1 + token.size()));
}

constexpr std::string_view kDeclined = "This computer declined the files.\n";
constexpr std::string_view kUnanswered = "No one accepted the files on this computer in time: they were declined.\n";
constexpr std::string_view kOff = "Receiving was turned off on this computer.\n";
constexpr std::string_view kStillRestoring =
    "This computer is still reading the uploads it had not finished: ask again in a moment.\n";
constexpr std::string_view kCancelled = "The person at this computer cancelled this file.\n";
constexpr std::string_view kTooManyAsking =
    "Too many devices are waiting to be accepted by this computer: try again in a minute.\n";

// The handshake of a page upload while its admission runs: it has no body,
// and its answer comes once the disk (and maybe the user) has answered.
// A page that leaves meanwhile takes its ask with it (when it was the
// ask's last waiter).
class HandshakeReply final : public BodySink {
 public:
  HandshakeReply(Responder& out, ReceiveAsks& asks) : out(&out), asks(asks) {}
  std::size_t room() const override { return 0; }
  void take(std::string_view) override {}
  void complete() override {}
  void ended(BodyEnd, std::string_view) override { out = nullptr; }
  bool heldOpen() const override { return true; }
  void release() override {
    alive.reset();
    asks.withdrawAbandoned();
    delete this;
  }

  Responder* out;  // null once the request has ended
  ReceiveAsks& asks;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
};

// Reads the free space of a folder on a pool thread; the answer goes to the
// loop. Owns itself: deleted once done() has run.
struct SpaceJob final : WorkPool::Job {
  std::string dir;
  DiskSpace space;
  bool ok = false;
  std::function<void(bool ok, const DiskSpace&)> then;
  void run() override { ok = diskSpace(dir, space); }
  void done(bool ran) override {
    if (ran) then(ok, space);  // else the server is going away
    delete this;
  }
};

// The same receive folder (link and place), whether or not set again since.
bool sameFolder(const std::shared_ptr<const ReceiveFolder>& a, const std::shared_ptr<const ReceiveFolder>& b) {
  return a && b && a->token == b->token && a->dir == b->dir;
}

// Deletes part files on a pool thread, then itself.
struct RemoveParts final : WorkPool::Job {
  std::vector<std::shared_ptr<ResumableUpload>> parts;
  void run() override {
    for (const auto& r : parts) {
      // A folder gone or swapped for another holds nothing of ours.
      WriteFolder dir;
      if (r->folder && dir.open(r->folder->dir, r->folder->pin) == 0) {
        dir.remove(r->partName);
        dir.remove(partRecordName(r->partName));
      }
    }
  }
  void done(bool) override { delete this; }
};

// Reads the records of unfinished page uploads in a receive folder, on a
// pool thread: each one whose part file is there and was written to within
// `keep` comes back (its offset: the part's size); part files older than
// that go, with their records, and so do records whose part is gone.
// Deleted once done() has run.
struct RestoreParts final : WorkPool::Job {
  struct Found {
    std::shared_ptr<ResumableUpload> upload;
    std::chrono::seconds idle{0};
  };
  std::shared_ptr<const ReceiveFolder> folder;
  std::chrono::seconds keep{0};
  std::vector<Found> found;
  std::function<void(std::vector<Found>)> then;

  void run() override {
    WriteFolder dir;
    std::vector<WriteFolder::Entry> all;
    if (dir.open(folder->dir, folder->pin) != 0 || dir.list(all) != 0) return;
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::unordered_map<std::string, const WriteFolder::Entry*> parts;
    for (const auto& e : all)
      if (e.regular && isPartFileName(e.name)) parts.emplace(e.name, &e);
    for (const auto& e : all) {
      if (!e.regular || !isPartRecordName(e.name)) continue;
      auto r = std::make_shared<ResumableUpload>();
      std::string text;
      if (!dir.readSmall(e.name, text, 4096) || !readResumeRecord(text, *r)) continue;  // not ours
      r->partName = e.name.substr(0, e.name.size() - (partRecordName("").size()));
      auto part = parts.find(r->partName);
      if (part == parts.end()) {
        dir.remove(e.name);
        continue;
      }
      const WriteFolder::Entry& p = *part->second;
      parts.erase(part);
      const std::chrono::seconds idle(std::max<std::int64_t>(0, now - p.modified));
      if (idle > keep || p.size > r->size) {
        dir.remove(r->partName);
        dir.remove(e.name);
        continue;
      }
      r->folder = folder;
      r->offset = p.size;
      found.push_back({std::move(r), idle});
    }
    // Part files no record names (a curl upload cut off by a crash, an
    // older Ferry's) cannot resume: they go once a day has passed.
    for (const auto& [name, p] : parts)
      if (now - p->modified > keep.count()) dir.remove(name);
  }
  void done(bool ran) override {
    if (ran) then(std::move(found));
    delete this;
  }
};

}  // namespace

std::string capForPeople(std::uint64_t cap) {
  std::string s = humanSize(cap);
  if (auto at = s.find(".0 "); at != std::string::npos) s.erase(at, 2);  // "2 GB", not "2.0 GB"
  return s;
}

std::string tooLargeSentence(std::uint64_t cap) {
  return "This computer accepts files up to " + capForPeople(cap) + ": this one is larger.\n";
}

struct UploadHandler::SpaceReading {
  std::string dir;
  DiskSpace space;
  EventLoop::Clock::time_point at;
  std::uint64_t admittedSince = 0;  // bytes admitted since the reading
};

UploadHandler::UploadHandler(EventLoop& loop, ReceiveTarget& target, TransferStats& stats, WorkPool& pool)
    : loop_(loop), target_(target), stats_(stats), pool_(pool), asks_(loop, target) {}

UploadHandler::~UploadHandler() {
  if (expiryTimer_) loop_.cancel(expiryTimer_);
  if (drainTimer_) loop_.cancel(drainTimer_);
  // Uploads still listed belong to connections that are gone by now (the
  // HTTP server and the pool go first).
  // An upload whose job a stopped pool left on a hung disk stays: that
  // thread may still return into it.
  for (Upload* u : live_)
    if (!u->jobOut()) delete u;
}

void UploadHandler::serve(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder) {
  if (!sameOrigin(req)) return out.respond(403, {}, "Requests from other sites are not accepted.\n");
  std::string_view rest = pathAfterToken(req.target, folder->token);
  std::string_view id;
  if (req.isHead && queryParam(req.target, "upload", id)) return offset(out, id);
  if (rest.empty() || rest == "/") return page(out);
  out.respond(405, kAllow, "This link receives files: send one with PUT (curl -T FILE LINK).\n");
}

SinkPtr UploadHandler::accept(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder) {
  if (!sameOrigin(req)) {
    out.respond(403, {}, "Requests from other sites are not accepted.\n");
    return nullptr;
  }
  const bool put = req.method == "PUT";
  std::string_view id;
  if (!put && req.method == "POST" && queryParam(req.target, "name", id)) {
    return handshake(req, out, std::move(folder));
  }
  if (put && queryParam(req.target, "upload", id)) return resume(req, out, std::move(folder), id);
  std::string_view rest = pathAfterToken(req.target, folder->token);
  if (!put) {
    out.respond(405, kAllow, "Send a file with PUT (curl -T FILE LINK), or from the receive page.\n");
    return nullptr;
  }
  Upload::Params p;
  p.clientName = clientName(req.header("user-agent"));
  if (rest.size() <= 1) {
    out.respond(400, {}, "Name the file: end the link with a slash (curl -T FILE LINK/) or a name.\n");
    return nullptr;
  }
  if (!percentDecode(rest.substr(1), p.name)) {
    out.respond(400, {}, "The file name is not correctly encoded.\n");
    return nullptr;
  }
  if (std::string why = whyBadUploadName(p.name); !why.empty()) {
    out.respond(400, {}, why + "\n");
    return nullptr;
  }
  if (req.count("content-length") == 1) {
    p.sizeKnown = parseNumber(trimOws(req.header("content-length")), p.size);
  }
  p.maxSize = target_.policy().maxFileSize;
  if (p.maxSize && p.sizeKnown && p.size > p.maxSize) {
    out.respond(413, {}, tooLargeSentence(p.maxSize));
    return nullptr;
  }
  Admission a;
  a.folder = folder;
  a.size = p.size;
  a.sizeKnown = p.sizeKnown;
  a.who = whoAsks(req, out, p.name, p.size, p.sizeKnown);
  a.ask = !a.who.device.empty();
  p.folder = std::move(folder);
  return startGated(out, std::move(p), std::move(a));
}

ReceiveAsk UploadHandler::whoAsks(const HttpRequest& req, const Responder& out, const std::string& name,
                                  std::uint64_t size, bool sizeKnown) const {
  ReceiveAsk who;
  if (!target_.policy().askNewDevices) return who;
  std::string key = deviceKey(req, out.client());
  if (target_.accepted(key) || target_.takeAllowed(key)) return who;
  who.device = std::move(key);
  who.label = deviceLabel(req.header("user-agent"));
  who.address = clientAddress(out.client());
  who.firstName = name;
  who.firstSize = size;
  who.sizeKnown = sizeKnown;
  std::string_view more;
  std::uint64_t n = 0;
  if (queryParam(req.target, "more", more) && parseNumber(more, n)) who.more = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, 1'000'000));
  return who;
}

void UploadHandler::admit(Admission a, std::weak_ptr<void> alive, Admitted then) {
  auto* job = new SpaceJob;
  job->dir = a.folder->dir;
  const std::uint64_t device = a.folder->pin.device;
  job->then = [this, a = std::move(a), alive, then = std::move(then)](bool ok, const DiskSpace& space) mutable {
    if (ok) {
      if (!lastSpace_) lastSpace_ = std::make_unique<SpaceReading>();
      *lastSpace_ = {a.folder->dir, space, loop_.now(), 0};
    }
    if (alive.expired()) return;
    if (!ok) return then(500, "This computer cannot use its receive folder right now.\n");
    if (!roomFor(*a.folder, space, a.size, a.sizeKnown))
      return then(507, "There is not enough free space on this computer for this file.\n");
    lastSpace_->admittedSince += a.sizeKnown ? a.size : 0;
    askIfDue(std::move(a), std::move(alive), std::move(then));
  };
  pool_.submit(*job, WorkPool::Lane::kDisk, device);
}

void UploadHandler::askIfDue(Admission a, std::weak_ptr<void> alive, Admitted then) {
  // Accepted meanwhile (another upload of this device was): no need to ask.
  if (!a.ask || target_.accepted(a.who.device) || !target_.policy().askNewDevices || target_.takeAllowed(a.who.device))
    return then(0, {});
  // A device whose ask has ended takes the answer's word as it is.
  auto waiter = [then](ReceiveAskState state) {
    switch (state) {
      case ReceiveAskState::kAccepted:
      case ReceiveAskState::kAcceptedAlways: return then(0, {});
      case ReceiveAskState::kDeclined: return then(403, kDeclined);
      case ReceiveAskState::kTimedOut: return then(403, kUnanswered);
      case ReceiveAskState::kWithdrawn:
      case ReceiveAskState::kOpen: return then(404, kOff);
    }
  };
  if (!asks_.wait(a.who, std::move(alive), std::move(waiter))) then(503, kTooManyAsking);
}

void UploadHandler::later(std::weak_ptr<void> alive, std::function<void()> fn) {
  loop_.post([alive = std::move(alive), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

SinkPtr UploadHandler::handshake(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder) {
  // Everything is checked here, before the page sends a byte: a browser
  // often cannot read an answer sent while its body is still going out.
  auto no = [&](int status, std::string_view, std::string_view body) -> SinkPtr {
    out.respond(status, {}, body);
    return nullptr;
  };
  if (req.hasBody) return no(400, {}, "The handshake has no body.\n");
  std::string_view rawName, rawSize;
  queryParam(req.target, "name", rawName);
  auto r = std::make_shared<ResumableUpload>();
  r->folder = folder;
  if (!percentDecode(rawName, r->name)) return no(400, {}, "The file name is not correctly encoded.\n");
  if (std::string why = whyBadUploadName(r->name); !why.empty()) return no(400, {}, why + "\n");
  if (!queryParam(req.target, "size", rawSize) || !parseNumber(rawSize, r->size))
    return no(400, {}, "The handshake needs the file's size.\n");
  const ReceivePolicy policy = target_.policy();
  if (std::uint64_t cap = policy.maxFileSize; cap && r->size > cap) return no(413, {}, tooLargeSentence(cap));
  r->address = clientAddress(out.client());
  r->clientName = clientName(req.header("user-agent"));
  if (auto it = perAddress_.find(r->address); it != perAddress_.end() && it->second >= policy.maxUnfinishedPerDevice)
    return no(429, {}, "This device has too many unfinished uploads here: finish or cancel some first.\n");
  if (resumable_.size() >= policy.maxUnfinished)
    return no(429, {}, "This computer holds too many unfinished uploads: try again later.\n");
  Admission a;
  a.folder = folder;
  a.size = r->size;
  a.sizeKnown = true;
  a.who = whoAsks(req, out, r->name, r->size, true);
  a.ask = !a.who.device.empty();
  auto* reply = new HandshakeReply(out, asks_);
  admit(std::move(a), reply->alive, [this, reply, r](int status, std::string_view sentence) {
    if (!reply->out) return;
    if (status) {
      reply->out->respond(status, {}, sentence);
      return reply->out->resume();
    }
    r->id = newShareToken();
    std::string body = "{\"id\":";
    appendJsonString(body, r->id);
    body += ",\"offset\":0}\n";
    addResumable(r);
    reply->out->respond(201, "Content-Type: application/json\r\nCache-Control: no-store\r\n", body);
    reply->out->resume();
  });
  return SinkPtr(reply);
}

SinkPtr UploadHandler::resume(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder,
                              std::string_view id) {
  if (cancelled_.count(std::string(id))) {
    out.respond(410, {}, kCancelled);
    return nullptr;
  }
  auto it = resumable_.find(std::string(id));
  if (it == resumable_.end() && restoring_) {
    out.respond(409, {}, kStillRestoring);
    return nullptr;
  }
  if (it == resumable_.end()) {
    out.respond(404, {}, "This upload is no longer known here: start it again.\n");
    return nullptr;
  }
  std::shared_ptr<ResumableUpload> r = it->second;
  std::string offsetHeader = "Upload-Offset: " + std::to_string(r->offset) + "\r\n";
  if (r->busy) {
    out.respond(409, offsetHeader, "This file is still being written from an earlier try: ask again.\n");
    return nullptr;
  }
  std::string_view rawOffset;
  std::uint64_t at = 0;
  if (!queryParam(req.target, "offset", rawOffset) || !parseNumber(rawOffset, at) || at != r->offset) {
    out.respond(409, offsetHeader, "The upload must go on from the offset the server has.\n");
    return nullptr;
  }
  std::uint64_t length = 0;
  if (req.count("content-length") != 1 || !parseNumber(trimOws(req.header("content-length")), length)) {
    out.respond(411, {}, "The rest of the file needs a Content-Length.\n");
    return nullptr;
  }
  if (r->offset + length != r->size) {
    out.respond(400, {}, "The body does not end where the file does.\n");
    return nullptr;
  }
  if (std::uint64_t cap = target_.policy().maxFileSize; cap && r->size > cap) {
    out.respond(413, {}, tooLargeSentence(cap));
    return nullptr;
  }
  touchResumable(*r);
  // The handshake was admitted (the device accepted, if asked): only the
  // disk is checked again, for the bytes still to come.
  Admission a;
  a.folder = folder;
  a.size = length;
  a.sizeKnown = true;
  Upload::Params p;
  p.folder = std::move(folder);
  p.name = r->name;
  p.size = r->size;
  p.sizeKnown = true;
  p.resumable = std::move(r);
  p.json = true;
  p.clientName = clientName(req.header("user-agent"));
  return startGated(out, std::move(p), std::move(a));
}

SinkPtr UploadHandler::receiveAdmitted(Responder& out, Upload::Params params) {
  Admission a;
  a.folder = params.folder;
  a.size = params.size;
  a.sizeKnown = params.sizeKnown;
  return startGated(out, std::move(params), std::move(a));
}

bool UploadHandler::roomKnown(const Admission& a) {
  if (!lastSpace_ || lastSpace_->dir != a.folder->dir || loop_.now() - lastSpace_->at > kSpaceFresh) return false;
  // What was admitted since may be on the disk now, and not in the reading.
  DiskSpace left = lastSpace_->space;
  left.free = left.free > lastSpace_->admittedSince ? left.free - lastSpace_->admittedSince : 0;
  if (!roomFor(*a.folder, left, a.size, a.sizeKnown)) return false;
  lastSpace_->admittedSince += a.sizeKnown ? a.size : 0;
  return true;
}

SinkPtr UploadHandler::startGated(Responder& out, Upload::Params params, Admission a) {
  // Nobody to ask, and room known from a moment ago: it may store at once.
  if (!a.ask && roomKnown(a)) return start(out, std::move(params));
  params.gated = true;
  SinkPtr sink = start(out, std::move(params));
  auto* u = static_cast<Upload*>(sink.get());
  admit(std::move(a), u->alive(), [u](int status, std::string_view sentence) {
    if (status)
      u->turnedAway(status, sentence);
    else
      u->admitted();
  });
  return sink;
}

SinkPtr UploadHandler::start(Responder& out, Upload::Params params) {
  const bool resumed = params.resumable && !params.resumable->partName.empty();
  auto* u = new Upload(*this, out, std::move(params));
  u->liveIndex = live_.size();
  live_.push_back(u);
  if (resumed) unfinishedChanged();  // it is being written again: no longer waiting
  return SinkPtr(u);
}

void UploadHandler::offset(Responder& out, std::string_view id) {
  if (cancelled_.count(std::string(id))) return out.respond(410, {}, kCancelled);
  auto it = resumable_.find(std::string(id));
  if (it == resumable_.end() && restoring_) return out.respond(409, "Cache-Control: no-store\r\n", kStillRestoring);
  if (it == resumable_.end()) return out.respond(404, {}, "This upload is no longer known here.\n");
  const ResumableUpload& r = *it->second;
  std::string extra = "Upload-Offset: " + std::to_string(r.offset) + "\r\nUpload-Length: " + std::to_string(r.size) +
                      "\r\nCache-Control: no-store\r\n";
  // While a try is writing it, how much of the file has arrived so far: the
  // page shows that, not what the browser counts as sent, which runs
  // megabytes ahead (its socket's buffers take them at once).
  if (r.busy)
    for (const Upload* u : live_)
      if (u->writes(r)) {
        // The first is the one writing: one that was turned away may be
        // still here, no longer busy with it.
        extra += "Upload-Received: " + std::to_string(u->arrived()) + "\r\n";
        break;
      }
  // Busy: a try is still writing it (maybe an earlier one's last bytes);
  // ask again.
  out.respond(r.busy ? 409 : 200, extra, {});
}

void UploadHandler::page(Responder& out) {
  std::string nonce = newShareToken();
  std::string body;
  const ReceivePolicy policy = target_.policy();
  std::string limit;
  if (policy.maxFileSize) limit = "Files up to " + capForPeople(policy.maxFileSize) + " are accepted.";
  renderReceivePage(body, nonce, limit, policy.askNewDevices);
  std::string& head = out.beginHead(200);
  head += "Content-Type: text/html; charset=utf-8\r\nContent-Length: ";
  appendNumber(head, body.size());
  head += "\r\n";
  appendReceivePageHeaders(head, nonce);
  out.endHead();
  if (!out.headOnly()) head += body;
}

bool UploadHandler::roomFor(const ReceiveFolder& folder, const DiskSpace& space, std::uint64_t size,
                            bool sizeKnown) const {
  std::uint64_t reserved = 0;
  for (const Upload* u : live_)
    if (u->receiveToken() == folder.token) reserved += u->reserved();
  const std::uint64_t margin = std::min(space.total / 100, kMaxMargin);
  const std::uint64_t need = (sizeKnown ? size : 0) + margin + reserved;
  return need <= space.free;
}

void UploadHandler::forget(Upload* u) {
  Upload* last = live_.back();
  live_[u->liveIndex] = last;
  last->liveIndex = u->liveIndex;
  live_.pop_back();
  const bool page = u->resumable();
  delete u;
  // It may have been the last upload waiting on its ask (its client hung
  // up): the ask goes, and frees its place.
  asks_.withdrawAbandoned();
  // Its request is over: what it wrote waits for the page, or is gone.
  if (page) unfinishedChanged();
  if (drained_ && live_.empty()) {
    loop_.cancel(drainTimer_);
    drainTimer_ = 0;
    std::exchange(drained_, nullptr)();
  }
}

void UploadHandler::drain(std::chrono::milliseconds deadline, std::function<void()> then) {
  if (live_.empty()) return then();
  drained_ = std::move(then);
  drainTimer_ = loop_.runAfter(deadline, [this] {
    drainTimer_ = 0;
    if (drained_) std::exchange(drained_, nullptr)();
  });
}

void UploadHandler::cancelTransfer(std::uint64_t id, std::string_view reason) {
  if (!id) return;
  for (Upload* u : live_)
    if (u->transferId() == id) return u->cancel(reason);  // edits live_: nothing after it
}

void UploadHandler::cancelledResumable(const std::string& id) {
  eraseResumable(id);
  // Remembered so the page stops instead of starting the file over;
  // bounded, oldest forgotten first.
  if (cancelledOrder_.size() >= kRememberCancelled) {
    cancelled_.erase(cancelledOrder_.front());
    cancelledOrder_.pop_front();
  }
  cancelled_.insert(id);
  cancelledOrder_.push_back(id);
}

void UploadHandler::dropResumable(const std::string& id) { eraseResumable(id); }

void UploadHandler::addResumable(const std::shared_ptr<ResumableUpload>& r,
                                 std::chrono::steady_clock::time_point lastUsed) {
  r->lastUsed = lastUsed;
  resumable_.emplace(r->id, r);
  byAge_.emplace(r->lastUsed, r->id);
  ++perAddress_[r->address];
  // Set on the loop thread, with the first entry.
  if (!expiryTimer_) expiryTimer_ = loop_.runEvery(std::chrono::hours(1), [this] { expireIdle(); });
}

void UploadHandler::touchResumable(ResumableUpload& r) {
  byAge_.erase({r.lastUsed, r.id});
  r.lastUsed = std::chrono::steady_clock::now();
  byAge_.emplace(r.lastUsed, r.id);
}

void UploadHandler::eraseResumable(const std::string& id) {
  auto it = resumable_.find(id);
  if (it == resumable_.end()) return;
  const ResumableUpload& r = *it->second;
  byAge_.erase({r.lastUsed, r.id});
  if (auto a = perAddress_.find(r.address); a != perAddress_.end() && --a->second == 0) perAddress_.erase(a);
  resumable_.erase(it);
  unfinishedChanged();
}



void UploadHandler::stopReceiving(std::string_view reason) {
  std::vector<std::shared_ptr<ResumableUpload>> parts;
  for (auto& [id, r] : resumable_) {
    r->discarded = true;  // an Upload writing it removes it when it ends
    if (!r->busy && !r->partName.empty()) parts.push_back(r);
  }
  resumable_.clear();
  byAge_.clear();
  perAddress_.clear();
  restored_.reset();
  cancelled_.clear();
  cancelledOrder_.clear();
  unfinishedChanged();
  // Uploads and handshakes still waiting for the user hear first that
  // Receive went off (a 404 with a sentence: no byte of theirs was taken).
  asks_.withdrawAll();
  // Aborting ends requests (and edits live_): pick first, then abort.
  std::vector<Upload*> hit = live_;
  for (Upload* u : hit) u->abort(reason);
  removeParts(std::move(parts));
}

void UploadHandler::restoreUnfinished() {
  std::shared_ptr<const ReceiveFolder> folder = target_.current();
  // Asked twice for one folder (Ferry started with Receive on, then the
  // folder set again): read once.
  if (!folder || sameFolder(folder, restored_)) return;
  restored_ = folder;
  auto* job = new RestoreParts;
  job->folder = folder;
  job->keep = std::chrono::duration_cast<std::chrono::seconds>(kKeepPartial);
  job->then = [this, folder](std::vector<RestoreParts::Found> found) {
    --restoring_;
    // Receive moved meanwhile: those part files went with the old folder.
    std::shared_ptr<const ReceiveFolder> current = target_.current();
    if (!sameFolder(current, folder)) return;
    const auto now = std::chrono::steady_clock::now();
    const std::size_t cap = target_.policy().maxUnfinished;
    for (auto& f : found) {
      if (resumable_.size() >= cap) break;
      if (resumable_.contains(f.upload->id)) continue;
      f.upload->folder = current;
      addResumable(f.upload, now - f.idle);
    }
    if (!found.empty()) unfinishedChanged();  // they wait for their senders here too
  };
  ++restoring_;
  pool_.submit(*job, WorkPool::Lane::kDisk, folder->pin.device);
}

void UploadHandler::expireIdle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<ResumableUpload>> parts;
  std::vector<std::string> busy;
  while (!byAge_.empty() && now - byAge_.begin()->first > kKeepPartial) {
    const std::string id = byAge_.begin()->second;
    std::shared_ptr<ResumableUpload> r = resumable_.at(id);
    if (r->busy) {
      busy.push_back(id);  // being written: not idle, whatever its age
      byAge_.erase(byAge_.begin());
      continue;
    }
    if (!r->partName.empty()) parts.push_back(r);
    eraseResumable(id);
  }
  for (const std::string& id : busy) {
    ResumableUpload& r = *resumable_.at(id);
    r.lastUsed = now;
    byAge_.emplace(r.lastUsed, r.id);
  }
  removeParts(std::move(parts));
}

std::vector<UnfinishedUpload> UploadHandler::unfinished() const {
  const auto now = std::chrono::steady_clock::now();
  const auto wall = std::chrono::system_clock::now();
  std::vector<UnfinishedUpload> list;
  for (const auto& [when, id] : byAge_) {
    const ResumableUpload& r = *resumable_.at(id);
    // Nothing stored yet (a handshake the page is about to follow with its
    // body), or being written: not waiting for anyone.
    if (r.busy || r.discarded || r.partName.empty()) continue;
    UnfinishedUpload u;
    u.id = r.id;
    u.name = r.name;
    u.clientName = r.clientName;
    u.address = r.address;
    u.size = r.size;
    u.received = r.offset;
    u.lastActive = wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(now - r.lastUsed);
    // The hourly sweep removes it at most an hour after its day is up.
    u.removedAt = u.lastActive + kKeepPartial + std::chrono::hours(1);
    list.push_back(std::move(u));
  }
  return list;
}

void UploadHandler::setUnfinishedListener(std::function<void(std::vector<UnfinishedUpload>)> listener) {
  unfinishedListener_ = std::move(listener);
}

void UploadHandler::unfinishedChanged() {
  if (unfinishedListener_) unfinishedListener_(unfinished());
}

bool UploadHandler::discard(const std::string& id) {
  auto it = resumable_.find(id);
  if (it == resumable_.end() || it->second->busy) return false;
  std::shared_ptr<ResumableUpload> r = it->second;
  r->discarded = true;
  eraseResumable(id);
  if (!r->partName.empty()) removeParts({r});
  return true;
}

void UploadHandler::removeParts(std::vector<std::shared_ptr<ResumableUpload>> parts) {
  if (parts.empty()) return;
  auto* job = new RemoveParts;
  job->parts = std::move(parts);
  pool_.submit(*job);
}

}  // namespace ferry
