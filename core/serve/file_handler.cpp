#include "file_handler.h"

#include "file_response.h"
#include "http_date.h"

namespace ferry {

FileHandler::FileHandler(TransferStats& stats, WorkPool& pool)
    : stats_(stats), pool_(pool), folders_(pool.loop()) {}

FileHandler::~FileHandler() {
  // Responses still handed out belong to connections that are gone by now
  // (the HTTP server and the pool go first); free what is left, but for a
  // response whose job the pool left running on a hung disk: that thread
  // may still return into it, so it stays (WorkPool keeps it).
  for (FileResponse* r : live_)
    if (!r->jobOut()) delete r;
}

BodyPtr FileHandler::serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                           std::string_view rel, RecipientClaim claim) {
  FileResponse* r;
  if (!spare_.empty()) {
    r = spare_.back().release();
    spare_.pop_back();
  } else {
    r = new FileResponse(*this);
  }
  r->liveIndex = live_.size();
  live_.push_back(r);
  BodyPtr body(r);
  r->start(req, out, std::move(share), rel, std::move(claim));
  return body;
}

void FileHandler::recycle(FileResponse* r) {
  // Swap-remove from the live list.
  FileResponse* last = live_.back();
  live_[r->liveIndex] = last;
  last->liveIndex = r->liveIndex;
  live_.pop_back();
  if (spare_.size() < kMaxSpare)
    spare_.emplace_back(r);
  else
    delete r;
}

template <typename Match>
void FileHandler::cancelIf(Match match, std::string_view reason) {
  // Aborting recycles responses (and edits live_): pick first, then abort.
  std::vector<FileResponse*> hit;
  for (FileResponse* r : live_)
    if (match(*r)) hit.push_back(r);
  for (FileResponse* r : hit) r->abort(reason);
}

void FileHandler::cancelTransfer(std::uint64_t id, std::string_view reason) {
  cancelIf([id](const FileResponse& r) { return r.transferId() == id; }, reason);
}

void FileHandler::cancelShare(std::string_view token, std::string_view reason) {
  cancelIf([token](const FileResponse& r) { return r.share() && r.share()->token == token; }, reason);
}

std::string_view FileHandler::httpDate(std::time_t t) {
  if (t != lastModifiedTime_) {
    lastModifiedTime_ = t;
    lastModifiedLen_ = formatHttpDate(t, lastModified_).size();
  }
  return std::string_view(lastModified_, lastModifiedLen_);
}

}  // namespace ferry
