#include "localsend_sender.h"

#include <string_view>
#include <unordered_map>

#include "net_address.h"
#include "random_token.h"
#include "request_target.h"
#include "tls_context.h"

namespace ferry::localsend {
namespace {

// What the device said, for a sentence: its {"message": ...} or the status.
std::string why(const HttpClient::Response& r) {
  if (r.status == 0) return r.error;
  if (auto m = decodeErrorMessage(r.body); m && !m->empty()) return *m + " (HTTP " + std::to_string(r.status) + ")";
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

Sender::Sender(EventLoop& loop, WorkPool& pool, TransferStats& stats, std::shared_ptr<TlsContext> client,
               DeviceInfo self)
    : loop_(loop), pool_(pool), stats_(stats), client_(std::move(client)), self_(std::move(self)) {}

Sender::~Sender() {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, s] : sessions_) ids.push_back(id);
  for (std::uint64_t id : ids) end(id, TransferState::kCancelled, "Ferry stopped");
  farewells_.clear();
}

HttpClient::Request Sender::requestTo(const Target& t) const {
  HttpClient::Request r;
  r.method = "POST";
  r.address = t.address;
  r.port = t.info.port;
  if (t.info.protocol == Protocol::kHttps) {
    r.tls = client_;
    r.pinnedFingerprint = t.info.fingerprint;
  }
  return r;
}

std::uint64_t Sender::send(const Target& target, std::vector<Item> items) {
  const std::uint64_t id = nextId_++;
  Session& s = sessions_[id];
  s.id = id;
  s.target = target;
  const std::string client = hostForUrl(target.address, target.info.port);
  const std::string prefix = newShareToken().substr(0, 12);
  for (std::size_t i = 0; i < items.size(); ++i) {
    File f;
    f.item = std::move(items[i]);
    f.id = prefix + "-" + std::to_string(i + 1);
    // What Transfers shows: the file's name as the device gets it.
    auto share = std::make_shared<Share>();
    share->name = f.item.fileName;
    share->path = f.item.path;
    f.transfer = stats_.begin(client, std::move(share), f.item.size, 0, f.item.size);
    stats_.setClientName(f.transfer, target.info.alias);
    s.files.push_back(std::move(f));
  }
  if (target.info.protocol == Protocol::kHttps && !client_) {
    end(id, TransferState::kFailed, target.info.alias + " speaks only HTTPS, and " + TlsContext::kUnavailable);
    return id;
  }
  offer(s);
  return id;
}

void Sender::offer(Session& s) {
  PrepareUpload p;
  p.info = self_;
  for (const File& f : s.files) {
    FileInfo fi;
    fi.id = f.id;
    fi.fileName = f.item.fileName;
    fi.size = f.item.size;
    fi.fileType = f.item.fileType;
    if (f.item.isText) fi.preview = f.item.text;
    p.files.push_back(std::move(fi));
  }
  HttpClient::Request r = requestTo(s.target);
  r.target = "/api/localsend/v2/prepare-upload";
  if (!s.pin.empty()) r.target += "?pin=" + percentEncodePathSegment(s.pin);
  r.contentType = "application/json";
  r.body = encodePrepareUpload(p);
  r.idleTimeout = kDecisionTime;
  s.offer = std::make_unique<HttpClient>(loop_, pool_);
  const std::uint64_t id = s.id;
  s.offer->start(std::move(r), [this, id](HttpClient::Response res) { offered(id, std::move(res)); });
}

void Sender::offered(std::uint64_t id, HttpClient::Response r) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  // The client is done: free it once this call has returned.
  loop_.runAfter(std::chrono::milliseconds(0), [c = std::shared_ptr<HttpClient>(std::move(s.offer))] {});
  const std::string& alias = s.target.info.alias;
  switch (r.status) {
    case 200: {
      std::string error;
      auto answer = decodePrepareUploadAnswer(r.body, &error);
      if (!answer) return end(id, TransferState::kFailed, alias + " answered with something unreadable: " + error);
      s.sessionId = answer->sessionId;
      // Up to kMaxOfferFiles each way: matched through a map, not pair by pair.
      std::unordered_map<std::string_view, File*> byId;
      byId.reserve(s.files.size());
      for (File& f : s.files) byId.emplace(f.id, &f);
      for (const auto& [fileId, token] : answer->tokens)
        if (auto f = byId.find(fileId); f != byId.end()) f->second->token = token;
      // Files the device did not want end now; the rest go.
      for (File& f : s.files)
        if (f.token.empty() && !f.done) {
          f.done = true;
          stats_.finish(f.transfer, TransferState::kCancelled, "not wanted by " + alias);
        }
      pump(s);
      return maybeDone(id);
    }
    case 204: {
      // A text message shown on the device, or nothing wanted.
      const bool text = s.files.size() == 1 && s.files[0].item.isText;
      if (text) {
        File& f = s.files[0];
        stats_.addBytes(f.transfer, f.item.size);
        f.done = true;
        stats_.finish(f.transfer, TransferState::kDone);
        sessions_.erase(id);
        return;
      }
      return end(id, TransferState::kCancelled, "not wanted by " + alias);
    }
    case 401:
      s.waitingForPin = true;
      if (pinListener_) pinListener_(id, s.target.device, alias, !s.pin.empty());
      else end(id, TransferState::kFailed, alias + " wants a PIN, and nothing here can ask for one");
      return;
    case 403:
      return end(id, TransferState::kCancelled, "declined by " + alias);
    case 409:
      return end(id, TransferState::kFailed, alias + " is busy with another transfer");
    case 429:
      return end(id, TransferState::kFailed, alias + " refuses after too many wrong PINs");
    case 0:
      if (unreachable_) unreachable_(s.target.device);
      return end(id, TransferState::kFailed, r.error);
    default:
      return end(id, TransferState::kFailed, alias + " refused the files: " + why(r));
  }
}

void Sender::pin(std::uint64_t id, const std::string& pin) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !it->second.waitingForPin) return;
  if (pin.empty()) return cancel(id, "no PIN was given");
  it->second.waitingForPin = false;
  it->second.pin = pin;
  offer(it->second);
}

void Sender::pump(Session& s) {
  while (s.uploads.size() < static_cast<std::size_t>(kParallel) && s.next < s.files.size()) {
    const std::size_t i = s.next++;
    if (s.files[i].done || s.files[i].token.empty()) continue;
    upload(s, i);
  }
}

void Sender::upload(Session& s, std::size_t index) {
  File& f = s.files[index];
  ++f.tries;
  f.sent = 0;
  HttpClient::Request r = requestTo(s.target);
  r.target = "/api/localsend/v2/upload?sessionId=" + percentEncodePathSegment(s.sessionId) +
             "&fileId=" + percentEncodePathSegment(f.id) + "&token=" + percentEncodePathSegment(f.token);
  r.contentType = "application/octet-stream";
  if (f.item.isText) {
    r.body = f.item.text;
  } else {
    r.file = f.item.path;
    r.fileSize = f.item.size;
  }
  auto& c = s.uploads[index];
  c = std::make_unique<HttpClient>(loop_, pool_);
  const std::uint64_t id = s.id;
  c->start(
      std::move(r), [this, id, index](HttpClient::Response res) { uploaded(id, index, std::move(res)); },
      [this, id, index](std::uint64_t sent) {
        auto it = sessions_.find(id);
        if (it == sessions_.end()) return;
        File& file = it->second.files[index];
        // A retry sends again what a failed try sent: Transfers counts the file once.
        if (sent > file.sent) {
          const std::uint64_t before = file.sent;
          file.sent = sent;
          std::uint64_t counted = file.tries > 1 ? 0 : sent - before;
          if (counted) stats_.addBytes(file.transfer, counted);
        }
      });
}

void Sender::uploaded(std::uint64_t id, std::size_t index, HttpClient::Response r) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  auto c = s.uploads.find(index);
  if (c != s.uploads.end()) {
    loop_.runAfter(std::chrono::milliseconds(0), [gone = std::shared_ptr<HttpClient>(std::move(c->second))] {});
    s.uploads.erase(c);
  }
  File& f = s.files[index];
  if (r.status == 200 || r.status == 204) {
    if (f.tries > 1) stats_.addBytes(f.transfer, f.item.size);  // a retry's bytes were not counted
    f.done = true;
    stats_.finish(f.transfer, TransferState::kDone);
  } else if (r.status == 422 && f.tries < kTries) {
    upload(s, index);  // the device saw other bytes than it was promised: again, with the same token
    return;
  } else {
    f.done = true;
    if (r.status == 0 && unreachable_ && f.sent == 0) unreachable_(s.target.device);
    stats_.finish(f.transfer, TransferState::kFailed, s.target.info.alias + " did not take it: " + why(r));
  }
  pump(s);
  maybeDone(id);
}

void Sender::maybeDone(std::uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  for (const File& f : it->second.files)
    if (!f.done) return;
  sessions_.erase(it);
}

void Sender::cancel(std::uint64_t id, const std::string& reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (!it->second.sessionId.empty() || it->second.offer) tellCancel(it->second.target, it->second.sessionId);
  end(id, TransferState::kCancelled, reason);
}

void Sender::tellSenderCancelled(const DeviceInfo& device, const std::string& address, const std::string& sessionId) {
  if (device.protocol == Protocol::kHttps && !client_) return;  // no TLS here: nothing can reach it
  Target t;
  t.info = device;
  t.address = address;
  tellCancel(t, sessionId);
}

void Sender::tellCancel(const Target& target, const std::string& sessionId) {
  // Told after the session ends: the request outlives it.
  HttpClient::Request r = requestTo(target);
  r.target = "/api/localsend/v2/cancel";
  if (!sessionId.empty()) r.target += "?sessionId=" + percentEncodePathSegment(sessionId);
  r.idleTimeout = std::chrono::seconds(5);
  r.deadline = std::chrono::seconds(5);
  const std::uint64_t key = nextFarewell_++;
  auto& c = farewells_[key];
  c = std::make_unique<HttpClient>(loop_, pool_);
  c->start(std::move(r), [this, key](HttpClient::Response) {
    loop_.runAfter(std::chrono::milliseconds(0), [gone = std::shared_ptr<HttpClient>(std::move(farewells_[key]))] {});
    farewells_.erase(key);
  });
}

bool Sender::cancelTransfer(std::uint64_t transferId) {
  for (auto& [id, s] : sessions_)
    for (const File& f : s.files)
      if (f.transfer.id == transferId) {
        cancel(id);
        return true;
      }
  return false;
}

bool Sender::peerCancelled(const std::string& sessionId, const std::string& address) {
  for (auto& [id, s] : sessions_) {
    if (s.target.address != address) continue;
    if (!sessionId.empty() && s.sessionId != sessionId) continue;
    end(id, TransferState::kCancelled, "cancelled by " + s.target.info.alias);
    return true;
  }
  return false;
}

void Sender::end(std::uint64_t id, TransferState state, const std::string& reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session s = std::move(it->second);
  sessions_.erase(it);
  // Their clients may be the ones calling: let them go after this call.
  for (auto& [i, c] : s.uploads) {
    c->abort();
    loop_.runAfter(std::chrono::milliseconds(0), [gone = std::shared_ptr<HttpClient>(std::move(c))] {});
  }
  if (s.offer) {
    s.offer->abort();
    loop_.runAfter(std::chrono::milliseconds(0), [gone = std::shared_ptr<HttpClient>(std::move(s.offer))] {});
  }
  for (File& f : s.files)
    if (!f.done) stats_.finish(f.transfer, state, reason);
}

}  // namespace ferry::localsend
