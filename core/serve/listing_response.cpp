#include "listing_response.h"

#include <functional>
#include <utility>

#include "cache_policy.h"
#include "folder_handler.h"
#include "folder_path.h"
#include "header_values.h"
#include "listing_rows.h"
#include "media_kind.h"
#include "picture_cache.h"
#include "random_token.h"

namespace ferry {

ListingResponse::ListingResponse(WorkPool& pool, Responder& out, std::shared_ptr<const Share> share, std::string rel,
                                 ListingSort sort, std::string sharerName, FolderScanner* scanner,
                                 const PictureCache* pictures)
    : pool_(pool),
      out_(&out),
      share_(std::move(share)),
      rel_(std::move(rel)),
      sort_(sort),
      sharerName_(std::move(sharerName)),
      scanner_(scanner),
      pictures_(pictures) {}

void ListingResponse::start() {
  jobInFlight_ = true;
  deadline_ = pool_.loop().runAfter(diskDeadline_, [this] {
    deadline_ = 0;
    diskTooSlow();
  });
  pool_.submit(job_, WorkPool::Lane::kDisk, share_->pin.device);
}

void ListingResponse::diskTooSlow() {
  if (!out_ || answered_ || !jobInFlight_) return;
  // The job stays in the pool until the disk answers; its page is dropped.
  gaveUp_ = true;
  answered_ = true;
  out_->respond(503, "Retry-After: 30\r\n", "The disk holding this folder is not answering: try again later.\n");
  out_->resume();
}

void ListingResponse::cancelDeadline() {
  if (deadline_) pool_.loop().cancel(std::exchange(deadline_, 0));
}

void ListingResponse::Job::run() {
  ListingResponse& r = self;
  FolderRoot root;
  std::vector<FolderEntry> entries;
  if (!root.open(r.share_->path, r.share_->pin, r.error_)) return;
  if (!root.list(r.rel_, entries, r.error_, kMaxReadEntries + 1)) return;
  ListingInput in;
  in.token = r.share_->token;
  in.shareName = r.share_->name;
  in.rel = r.rel_;
  in.sort = r.sort_;
  in.everyRow = r.part_.kind == ListingPart::kEveryRow;
  in.sharerName = r.sharerName_;
  if (entries.size() > kMaxReadEntries) {
    entries.pop_back();
    in.unknownMore = true;
  }
  // Names no link can ask for ("a\b", "C:x", control characters) are not
  // listed: their links would only answer 400.
  std::erase_if(entries, [&r](const FolderEntry& e) {
    return !isPlainName(e.name) || (!r.share_->showHidden && isHiddenName(e.name));
  });
  // A photo's or clip's date on the page, and in its date order, is when it
  // was taken, where its EXIF or container says so and the folder scanner
  // has read it (in this run or an earlier one); any other file's is when it
  // was last changed.
  if (r.pictures_) {
    for (FolderEntry& e : entries) {
      const MediaKind kind = mediaKindOf(e.name);
      if (e.info.folder || (kind != MediaKind::kImage && kind != MediaKind::kVideo)) continue;
      const std::optional<std::int64_t> taken = r.pictures_->taken(pictureKeyOf(e.info, Rendition::kThumb));
      if (!taken || *taken <= 0) continue;
      e.info.mtime = static_cast<std::time_t>(*taken);
      e.info.mtimeNs = static_cast<std::uint64_t>(*taken) * 1'000'000'000ull;
    }
  }
  sortEntries(entries, r.sort_);
  // Sub-folders show their first picture, for the first few of them; a
  // folder that holds more than a glance can read keeps its icon. A photo
  // the picture cache knows failed to decode (the folder scanner tries each
  // ahead) is passed over for the next. Only the rows this answer carries
  // are looked into.
  const bool rest = r.part_.kind == ListingPart::kRowsAfter;
  const std::size_t first = rest ? r.part_.from : 0;
  std::vector<std::string> covers;
  std::vector<FolderEntry> inside;
  std::function<bool(const FolderEntry&)> knownBad;
  if (r.pictures_)
    knownBad = [&r](const FolderEntry& e) {
      return r.pictures_->knownWithout(pictureKeyOf(e.info, Rendition::kThumb));
    };
  for (std::size_t i = 0; i < entries.size() && i < kMaxCovers && entries[i].info.folder; ++i) {
    covers.emplace_back();
    if (i < first) continue;
    inside.clear();
    int error = 0;
    std::string sub = r.rel_.empty() ? entries[i].name : r.rel_ + "/" + entries[i].name;
    if (root.list(sub, inside, error, kMaxCoverScan + 1) && inside.size() <= kMaxCoverScan)
      covers.back() = firstPicture(inside, r.share_->showHidden, knownBad);
  }
  in.covers = &covers;
  // What the level holds all the way down, as the folder scanner counted
  // it, if its files are still those this listing read; else the scanner
  // is asked to count again and the page says nothing it cannot stand by.
  std::optional<FolderTotals> totals;
  std::vector<std::optional<FolderTotals>> folderTotals;
  if (r.scanner_ && !in.unknownMore) totals = r.scanner_->totals(r.share_->token, r.rel_);
  if (totals) {
    std::size_t files = 0;
    std::uint64_t bytes = 0;
    for (const FolderEntry& e : entries) {
      if (e.info.folder) continue;
      ++files;
      bytes += e.info.size;
    }
    if (files != totals->ownFiles || bytes != totals->ownBytes) totals.reset();
  }
  if (totals) {
    in.totals = &*totals;
    for (std::size_t i = 0; i < entries.size() && entries[i].info.folder; ++i)
      folderTotals.push_back(
          r.scanner_->totals(r.share_->token, r.rel_.empty() ? entries[i].name : r.rel_ + "/" + entries[i].name));
    in.folderTotals = &folderTotals;
  } else if (r.scanner_) {
    r.scanner_->refresh(r.share_);
  }
  r.nonce_ = newShareToken();
  in.nonce = r.nonce_;
  if (rest)
    renderListingRows(in, entries, r.part_.from, r.page_);
  else
    renderListing(in, entries, r.page_);
  r.rendered_ = true;
}

void ListingResponse::Job::done(bool ran) {
  ListingResponse& r = self;
  // Still "in flight" while answering: resume() may end the response and
  // release it, and the memory must outlive this call.
  r.cancelDeadline();
  if (ran && r.out_ && !r.gaveUp_) {
    r.answer();
    r.out_->resume();
  }
  r.jobInFlight_ = false;
  if (r.released_) delete &r;
}

void ListingResponse::answer() {
  answered_ = true;
  if (!rendered_) {
    // The folder is gone, is not a folder, or is a link that leaves the
    // share: all the same to a visitor.
    return refuseUnreadableFolder(*out_, error_);
  }
  std::string& head = out_->beginHead(200);
  head += "Content-Type: text/html; charset=utf-8\r\nContent-Length: ";
  appendNumber(head, page_.size());
  head += "\r\n";
  // A listing is what the folder holds now: never kept by a cache. The page
  // runs its own script only, loads nothing but the share's pictures and
  // clips, and fetches nothing but its own folder's rows: its policy says
  // so to the browser. The rows alone (opened as a page) run no script.
  CachePolicy::appendPageHeaders(head, *share_);
  head += "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-";
  head += nonce_;
  head += "'; img-src 'self'; media-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; "
          "base-uri 'none'\r\n"
          "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
  head += extraHeaders_;
  out_->endHead();
  if (out_->headOnly()) page_.clear();
}

BodySource::Next ListingResponse::next(BodyPiece& piece) {
  if (!answered_) return Next::kWait;
  if (pos_ >= page_.size()) return Next::kEnd;
  piece.bytes = std::string_view(page_).substr(pos_);
  return Next::kPiece;
}

void ListingResponse::sent(std::uint64_t n) { pos_ += static_cast<std::size_t>(n); }

void ListingResponse::ended(BodyEnd, std::string_view) { out_ = nullptr; }

void ListingResponse::release() {
  out_ = nullptr;
  released_ = true;
  if (jobInFlight_) return;
  cancelDeadline();
  delete this;
}

}  // namespace ferry
