#include "upload_handler.h"

#include <algorithm>
#include <charconv>

#include "file_write.h"
#include "header_values.h"
#include "http_request.h"
#include "json_text.h"
#include "random_token.h"
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

// A request from a page of another site (CSRF: a form can POST here without
// asking) is refused: its Origin, if any, must be this server as the Host
// header names it. Behind an https proxy the scheme differs; the host must not.
bool sameOrigin(const HttpRequest& req) {
  if (req.count("origin") == 0) return true;
  std::string_view origin = trimOws(req.header("origin"));
  std::string_view host = trimOws(req.header("host"));
  for (std::string_view scheme : {"http://", "https://"})
    if (origin.size() > scheme.size() && iequals(origin.substr(0, scheme.size()), scheme))
      return !host.empty() && iequals(origin.substr(scheme.size()), host);
  return false;
}

// Deletes part files on a pool thread, then itself.
struct RemoveParts final : WorkPool::Job {
  std::vector<std::string> paths;
  void run() override {
    for (const std::string& p : paths) removeFile(p);
  }
  void done(bool) override { delete this; }
};

}  // namespace

UploadHandler::UploadHandler(TransferStats& stats, WorkPool& pool) : stats_(stats), pool_(pool) {}

UploadHandler::~UploadHandler() {
  // Uploads still listed belong to connections that are gone by now (the
  // HTTP server and the pool go first).
  for (Upload* u : live_) delete u;
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
    handshake(req, out, std::move(folder));
    return nullptr;
  }
  if (put && queryParam(req.target, "upload", id)) return resume(req, out, std::move(folder), id);
  std::string_view rest = pathAfterToken(req.target, folder->token);
  if (!put) {
    out.respond(405, kAllow, "Send a file with PUT (curl -T FILE LINK), or from the receive page.\n");
    return nullptr;
  }
  Upload::Params p;
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
  if (!roomFor(out, *folder, p.size, p.sizeKnown)) return nullptr;
  p.folder = std::move(folder);
  return start(out, std::move(p));
}

void UploadHandler::handshake(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder) {
  // Everything is checked here, before the page sends a byte: a browser
  // often cannot read an answer sent while its body is still going out.
  if (req.hasBody) return out.respond(400, {}, "The handshake has no body.\n");
  std::string_view rawName, rawSize;
  queryParam(req.target, "name", rawName);
  auto r = std::make_shared<ResumableUpload>();
  if (!percentDecode(rawName, r->name)) return out.respond(400, {}, "The file name is not correctly encoded.\n");
  if (std::string why = whyBadUploadName(r->name); !why.empty()) return out.respond(400, {}, why + "\n");
  if (!queryParam(req.target, "size", rawSize) || !parseNumber(rawSize, r->size))
    return out.respond(400, {}, "The handshake needs the file's size.\n");
  expireIdle();
  if (!roomFor(out, *folder, r->size, true)) return;
  r->id = newShareToken();
  r->lastUsed = std::chrono::steady_clock::now();
  std::string body = "{\"id\":";
  appendJsonString(body, r->id);
  body += ",\"offset\":0}\n";
  resumable_.emplace(r->id, std::move(r));
  out.respond(201, "Content-Type: application/json\r\nCache-Control: no-store\r\n", body);
}

SinkPtr UploadHandler::resume(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder,
                              std::string_view id) {
  auto it = resumable_.find(std::string(id));
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
  if (!roomFor(out, *folder, length, true)) return nullptr;
  r->lastUsed = std::chrono::steady_clock::now();
  Upload::Params p;
  p.folder = std::move(folder);
  p.name = r->name;
  p.size = r->size;
  p.sizeKnown = true;
  p.resumable = std::move(r);
  p.json = true;
  return start(out, std::move(p));
}

SinkPtr UploadHandler::start(Responder& out, Upload::Params params) {
  auto* u = new Upload(*this, out, std::move(params));
  u->liveIndex = live_.size();
  live_.push_back(u);
  return SinkPtr(u);
}

void UploadHandler::offset(Responder& out, std::string_view id) {
  auto it = resumable_.find(std::string(id));
  if (it == resumable_.end()) return out.respond(404, {}, "This upload is no longer known here.\n");
  const ResumableUpload& r = *it->second;
  std::string extra = "Upload-Offset: " + std::to_string(r.offset) + "\r\nUpload-Length: " + std::to_string(r.size) +
                      "\r\nCache-Control: no-store\r\n";
  // Busy: an earlier try's last bytes are still being written; ask again.
  out.respond(r.busy ? 409 : 200, extra, {});
}

void UploadHandler::page(Responder& out) {
  std::string nonce = newShareToken();
  std::string body;
  renderReceivePage(body, nonce);
  std::string& head = out.beginHead(200);
  head += "Content-Type: text/html; charset=utf-8\r\nContent-Length: ";
  appendNumber(head, body.size());
  head += "\r\n";
  appendReceivePageHeaders(head, nonce);
  out.endHead();
  if (!out.headOnly()) head += body;
}

bool UploadHandler::roomFor(Responder& out, const ReceiveFolder& folder, std::uint64_t size, bool sizeKnown) {
  DiskSpace space;
  if (!diskSpace(folder.dir, space)) {
    out.respond(500, {}, "This computer cannot use its receive folder right now.\n");
    return false;
  }
  std::uint64_t reserved = 0;
  for (const Upload* u : live_)
    if (u->receiveToken() == folder.token) reserved += u->reserved();
  const std::uint64_t margin = std::min(space.total / 100, kMaxMargin);
  const std::uint64_t need = (sizeKnown ? size : 0) + margin + reserved;
  if (need <= space.free) return true;
  out.respond(507, {}, "There is not enough free space on this computer for this file.\n");
  return false;
}

void UploadHandler::forget(Upload* u) {
  Upload* last = live_.back();
  live_[u->liveIndex] = last;
  last->liveIndex = u->liveIndex;
  live_.pop_back();
  delete u;
}

void UploadHandler::dropResumable(const std::string& id) { resumable_.erase(id); }

void UploadHandler::stopReceiving(std::string_view reason) {
  std::vector<std::string> parts;
  for (auto& [id, r] : resumable_) {
    r->discarded = true;  // an Upload writing it removes it when it ends
    if (!r->busy && !r->partPath.empty()) parts.push_back(r->partPath);
  }
  resumable_.clear();
  // Aborting ends requests (and edits live_): pick first, then abort.
  std::vector<Upload*> hit = live_;
  for (Upload* u : hit) u->abort(reason);
  removeParts(std::move(parts));
}

void UploadHandler::expireIdle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> parts;
  for (auto it = resumable_.begin(); it != resumable_.end();) {
    const ResumableUpload& r = *it->second;
    if (!r.busy && now - r.lastUsed > kKeepPartial) {
      if (!r.partPath.empty()) parts.push_back(r.partPath);
      it = resumable_.erase(it);
    } else {
      ++it;
    }
  }
  removeParts(std::move(parts));
}

void UploadHandler::removeParts(std::vector<std::string> paths) {
  if (paths.empty()) return;
  auto* job = new RemoveParts;
  job->paths = std::move(paths);
  pool_.submit(*job);
}

}  // namespace ferry
