#include "folder_handler.h"

#include <cerrno>

#include "album_handler.h"
#include "file_handler.h"
#include "folder_path.h"
#include "listing_response.h"
#include "share_gate.h"
#include "zip_response.h"

namespace ferry {

FolderHandler::FolderHandler(FileHandler& files, AlbumHandler& album, TransferStats& stats, WorkPool& pool,
                             CrcCache& crcs)
    : files_(files), album_(album), stats_(stats), pool_(pool), crcs_(crcs), loop_(pool.loop()) {}

// The HTTP server and the pool go first (see Server): by now every zip has
// been released and freed. The loop is still there.
FolderHandler::~FolderHandler() {
  if (purge_) loop_.cancel(purge_);
}

void FolderHandler::schedulePurge() {
  if (purge_ || manifests_.size() == 0) return;
  purge_ = loop_.runAfter(ZipManifests::kKeepFor, [this] {
    purge_ = 0;
    manifests_.purge();
    schedulePurge();
  });
}

// One policy for a folder's files (served by the FileHandler) and its zips.
const CachePolicy& FolderHandler::cachePolicy() const { return files_.cachePolicy(); }

std::chrono::milliseconds FolderHandler::diskDeadline() const { return files_.diskDeadline(); }

BodyPtr FolderHandler::serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                             const RequestTarget& target) {
  FolderPath where = parseFolderPath(target.path, share->showHidden);
  switch (where.status) {
    case FolderPath::kBadRequest:
      out.respond(400, {}, "This link does not name a place inside the shared folder.\n");
      return nullptr;
    case FolderPath::kNotFound:
      out.respond(404);
      return nullptr;
    case FolderPath::kAddSlash: {
      // A folder's link is the one with its '/': relative links on its page
      // (and a person's bookmark) then mean what they say.
      std::string extra = "Location: ";
      if (target.path.size() > 1) {
        extra += req.target.substr(0, req.target.find_first_of("?#"));
      } else {
        extra += '/';
        extra += share->token;
        extra += '/';
        appendPercentEncoded(extra, share->name);
      }
      extra += '/';
      extra += queryOf(req.target);  // "?zip" still asks for the zip
      extra += "\r\n";
      out.respond(301, extra, "The folder is at the same link with a '/' at the end.\n");
      return nullptr;
    }
    case FolderPath::kOk:
      break;
  }
  const PictureAsk ask = pictureAskOf(target.query);
  if (!where.folder) {
    if (ask != PictureAsk::kNone) return album_.serve(req, out, std::move(share), where.rel, ask);
    // A file's bytes make the device one of a limited folder's recipients
    // (when they go out: a file that is not there takes no place).
    RecipientClaim claim;
    if (gate_ && !gate_->claim(req, out, *share, claim)) return nullptr;
    return files_.serve(req, out, std::move(share), where.rel, std::move(claim));
  }
  if (ask != PictureAsk::kNone) {
    album_.serveFolder(req, out, ask);
    return nullptr;
  }
  std::string_view unused;
  if (findQueryParam(target.query, "zip", unused)) {
    ZipSelection picked = parseZipSelection(target.query);
    if (picked.status == ZipSelection::kBad) {
      out.respond(400, {}, picked.why);
      return nullptr;
    }
    RecipientClaim claim;
    if (gate_ && !gate_->claim(req, out, *share, claim)) return nullptr;
    auto* zip = new ZipResponse(*this, req, out, std::move(share), std::move(where.rel), std::move(picked));
    zip->setClaim(std::move(claim));
    zip->liveIndex = zips_.size();
    zips_.push_back(zip);
    BodyPtr body(zip);
    zip->start();
    return body;
  }
  ListingPart part;
  if (!parseListingPart(target.query, part)) {
    out.respond(400, {}, "\"rows\" must be a number of rows.\n");
    return nullptr;
  }
  std::string cookie = gate_ ? gate_->recipientCookie(req, out, *share) : std::string();
  auto* page = new ListingResponse(pool_, out, std::move(share), std::move(where.rel), parseListingSort(target.query),
                                   sharerName_, scanner_, &album_.cache());
  page->setPart(part);
  page->setExtraHeaders(std::move(cookie));
  page->setDiskDeadline(files_.diskDeadline());
  BodyPtr body(page);
  page->start();
  return body;
}

void FolderHandler::forget(ZipResponse* zip) {
  schedulePurge();
  if (zip->liveIndex >= zips_.size() || zips_[zip->liveIndex] != zip) return;
  ZipResponse* last = zips_.back();
  zips_[zip->liveIndex] = last;
  last->liveIndex = zip->liveIndex;
  zips_.pop_back();
}

template <typename Match>
void FolderHandler::cancelIf(Match match, std::string_view reason) {
  // Aborting releases zips (and edits zips_): pick first, then abort.
  std::vector<ZipResponse*> hit;
  for (ZipResponse* z : zips_)
    if (match(*z)) hit.push_back(z);
  for (ZipResponse* z : hit) z->abort(reason);
}

void FolderHandler::cancelTransfer(std::uint64_t id, std::string_view reason) {
  cancelIf([id](const ZipResponse& z) { return z.transferId() == id; }, reason);
}

void FolderHandler::cancelShare(std::string_view token, std::string_view reason) {
  cancelIf([token](const ZipResponse& z) { return z.share() && z.share()->token == token; }, reason);
}

void refuseUnreadableFolder(Responder& out, int e) {
  if (e == EACCES || e == EPERM) return out.respond(403, {}, "This folder cannot be read right now.\n");
  if (e == ENOENT || e == ENOTDIR || e == ELOOP || e == EXDEV || e == 0)
    return out.respond(404, {}, "This folder is no longer available.\n");
  out.respond(500, {}, "This folder cannot be read right now (a disk error).\n");
}

}  // namespace ferry
