#include "picture_response.h"

#include <cerrno>

#include "file_response.h"
#include "header_values.h"
#include "picture_cache.h"
#include "type_icon.h"

namespace ferry {

PictureResponse::PictureResponse(WorkPool& pool, PictureCache& cache, Responder& out,
                                 std::shared_ptr<const Share> share, std::string rel, Rendition rendition,
                                 std::string_view ifNoneMatch)
    : pool_(pool),
      cache_(cache),
      out_(&out),
      share_(std::move(share)),
      rel_(std::move(rel)),
      rendition_(rendition),
      kind_(mediaKindOf(name())),
      ifNoneMatch_(ifNoneMatch) {}

std::string_view PictureResponse::name() const {
  if (rel_.empty()) return share_->name;
  return std::string_view(rel_).substr(rel_.rfind('/') + 1);
}

void PictureResponse::start() {
  jobInFlight_ = true;
  pool_.submit(openJob_, WorkPool::Lane::kDisk, share_->pin.device);
}

void PictureResponse::OpenJob::run() {
  PictureResponse& r = self;
  r.file_ = openInShare(*r.share_, r.rel_);
  if (r.file_.fd < 0) {
    r.outcome_ = Outcome::kRefused;
    return;
  }
  if (!canPicture(r.kind_)) {
    // Not media, or this build has no decoder for it: the type icon.
    r.body_ = fileTypeIcon(r.name());
    r.etag_ = bytesEtag(r.body_);
    r.outcome_ = etagMatches(r.ifNoneMatch_, r.etag_) ? Outcome::kNotModified : Outcome::kIcon;
    return;
  }
  // The ETag comes from the key, so a revalidation costs a stat, no decode.
  r.key_ = pictureKeyOf(r.file_.info, r.rendition_);
  r.etag_ = pictureEtag(r.key_);
  if (etagMatches(r.ifNoneMatch_, r.etag_)) {
    r.outcome_ = Outcome::kNotModified;
    return;
  }
  switch (r.cache_.find(r.key_, r.body_)) {
    case PictureCache::Found::kPicture: r.outcome_ = Outcome::kPicture; return;
    case PictureCache::Found::kNoPicture:
      r.body_ = fileTypeIcon(r.name());
      r.outcome_ = Outcome::kIcon;
      return;
    case PictureCache::Found::kMiss: return;  // kPending: decoded next
  }
}

void PictureResponse::MakeJob::run() {
  PictureResponse& r = self;
  if (r.abandoned_.load(std::memory_order_relaxed)) return;
  Picture pic;
  std::string why;
  if (makePicture(r.file_.fd, r.kind_, r.rendition_, pic, why)) {
    r.body_ = std::move(pic.bytes);
    r.outcome_ = Outcome::kPicture;
  } else {
    r.body_ = fileTypeIcon(r.name());
    r.outcome_ = Outcome::kIcon;
  }
  // A failure is kept too: a damaged or huge file is not decoded again
  // until it changes.
  r.cache_.put(r.key_, r.outcome_ == Outcome::kPicture ? std::string_view(r.body_) : std::string_view());
}

void PictureResponse::OpenJob::done(bool ran) {
  PictureResponse& r = self;
  if (ran && r.out_ && r.outcome_ == Outcome::kPending) {
    // A miss: decoded on the media lane, the descriptor still open.
    r.pool_.submit(r.makeJob_, WorkPool::Lane::kMedia, r.share_->pin.device);
    return;
  }
  if (ran && r.out_) {
    r.answer();
    r.out_->resume();
  }
  r.finishJob();
}

void PictureResponse::MakeJob::done(bool ran) {
  PictureResponse& r = self;
  if (ran && r.out_ && r.outcome_ != Outcome::kPending) {
    r.answer();
    r.out_->resume();
  }
  r.finishJob();
}

void PictureResponse::finishJob() {
  closeFile(file_.fd);
  file_.fd = -1;
  jobInFlight_ = false;
  if (released_) delete this;
}

void PictureResponse::answer() {
  answered_ = true;
  if (outcome_ == Outcome::kRefused) {
    const int e = file_.error;
    if (file_.notRegular && file_.info.folder) {
      // A folder inside the share, asked without its '/': its icon.
      body_ = folderIcon();
      etag_ = bytesEtag(body_);
      outcome_ = etagMatches(ifNoneMatch_, etag_) ? Outcome::kNotModified : Outcome::kIcon;
    } else {
      body_.clear();
      if (e == EACCES || e == EPERM) return out_->respond(403, {}, "This file cannot be read right now.\n");
      if (file_.notRegular || e == ENOENT || e == ENOTDIR || e == ELOOP || e == EXDEV || e == 0)
        return out_->respond(404, {}, "This file is no longer available.\n");
      return out_->respond(500, {}, "This file cannot be read right now (a disk error).\n");
    }
  }
  const bool notModified = outcome_ == Outcome::kNotModified;
  std::string& head = out_->beginHead(notModified ? 304 : 200);
  head += "ETag: ";
  head += etag_;
  head += "\r\nCache-Control: private, max-age=";
  appendNumber(head, kMaxAgeSeconds);
  head += ", immutable\r\n";
  // A password share's pictures vary with what unlocked them, as its files do.
  if (!share_->rules.password.empty()) head += "Vary: Cookie, Authorization\r\n";
  if (notModified) {
    body_.clear();
  } else {
    svg_ = outcome_ == Outcome::kIcon;
    head += svg_ ? "Content-Type: image/svg+xml\r\n" : "Content-Type: image/jpeg\r\n";
    head += "Content-Length: ";
    appendNumber(head, body_.size());
    head += "\r\n";
  }
  // An icon opened on its own runs nothing and loads nothing.
  head += "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
          "X-Content-Type-Options: nosniff\r\n";
  out_->endHead();
  if (out_->headOnly() || notModified) body_.clear();
}

BodySource::Next PictureResponse::next(BodyPiece& piece) {
  if (!answered_) return Next::kWait;
  if (pos_ >= body_.size()) return Next::kEnd;
  piece.bytes = std::string_view(body_).substr(pos_);
  return Next::kPiece;
}

void PictureResponse::sent(std::uint64_t n) { pos_ += static_cast<std::size_t>(n); }

void PictureResponse::ended(BodyEnd, std::string_view) {
  out_ = nullptr;
  abandoned_ = true;
}

void PictureResponse::release() {
  out_ = nullptr;
  abandoned_ = true;
  released_ = true;
  if (!jobInFlight_) delete this;
}

}  // namespace ferry
