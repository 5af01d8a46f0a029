#include "landing_response.h"

#include <cerrno>

#include "cache_policy.h"
#include "folder_listing.h"
#include "header_values.h"
#include "page_kind.h"
#include "mime_types.h"
#include "page_template.h"
#include "request_target.h"
#include "web_assets.h"

namespace ferry {
namespace {

const PageTemplate& landingTemplate() {
  static const PageTemplate t(webAsset("landing.html"));
  return t;
}

// "<link>?<query>", escaped for an attribute.
void appendLink(std::string& out, std::string_view link, std::string_view query) {
  htmlEscape(link, out);
  if (!query.empty()) {
    out += '?';
    out += query;
  }
}

}  // namespace

bool isAppleMobile(std::string_view ua) {
  return ua.find("iPhone") != std::string_view::npos || ua.find("iPad") != std::string_view::npos ||
         ua.find("iPod") != std::string_view::npos;
}

void renderLanding(std::string_view name, std::string_view link, const FileInfo& info, std::string_view sharerName,
                   bool iosHint, std::string& out) {
  const PageKind kind = pageKindOf(name);
  landingTemplate().render(out, [&](std::string_view hole, std::string& o) {
    if (hole == "title" || hole == "heading" || hole == "fileName") {
      htmlEscape(name, o);
    } else if (hole == "sharedBy") {
      appendSharedBy(sharerName, o);
    } else if (hole == "style") {
      o += webAsset("ferry.css");
    } else if (hole == "download") {
      appendLink(o, link, "download");
    } else if (hole == "size") {
      o += humanSize(info.size);
    } else if (hole == "facts") {
      o += pageKindWord(kind);
      o += " &middot; ";
      std::string_view type = mimeTypeForName(name);
      htmlEscape(type.substr(0, type.find(';')), o);
      o += " &middot; ";
      appendDates(o, info.mtime);
    } else if (hole == "preview") {
      // Pictures show their thumbnail (a rendition: it counts as no download)
      // and open full size on a tap; clips and sound play in the page.
      switch (kind) {
        case PageKind::kPicture:
        case PageKind::kPictureByView:
          o += "<a href=\"";
          appendLink(o, link, kind == PageKind::kPicture ? "inline" : "view");
          o += "\" class=\"picture\"><img src=\"";
          appendLink(o, link, "thumb");
          o += "\" width=\"400\" height=\"400\" alt=\"";
          htmlEscape(name, o);
          o += "\"></a><figcaption class=\"small muted\"><span class=\"on-touch\">Tap</span><span class=\"on-pointer\">Click</span> "
               "the picture to see it full size.</figcaption>";
          break;
        case PageKind::kClip:
          o += "<video controls playsinline preload=\"metadata\" width=\"640\" height=\"360\" poster=\"";
          appendLink(o, link, "thumb");
          o += "\" src=\"";
          appendLink(o, link, "inline");
          o += "\"></video>";
          break;
        case PageKind::kSound:
          o += "<span class=\"icon big sound\" aria-hidden=\"true\"></span><audio controls preload=\"none\" src=\"";
          appendLink(o, link, "inline");
          o += "\"></audio>";
          break;
        case PageKind::kDocument:
        case PageKind::kOther:
          o += "<span class=\"icon big file\" aria-hidden=\"true\"></span>";
          break;
      }
    } else if (hole == "open") {
      if (kind != PageKind::kDocument) return;
      o += "<a class=\"button secondary big\" href=\"";
      appendLink(o, link, "inline");
      o += "\">Open in the browser</a>";
    } else if (hole == "hint") {
      if (!iosHint || (kind != PageKind::kPicture && kind != PageKind::kPictureByView)) return;
      o += "<p class=\"hint small muted\">To keep it in Photos, tap the picture, then press and hold it.</p>";
    }
  });
}

LandingResponse::LandingResponse(WorkPool& pool, Responder& out, std::shared_ptr<const Share> share,
                                 std::string sharerName, bool iosHint)
    : pool_(pool), out_(&out), share_(std::move(share)), sharerName_(std::move(sharerName)), iosHint_(iosHint) {}

void LandingResponse::start() {
  jobInFlight_ = true;
  pool_.submit(job_, WorkPool::Lane::kDisk, share_->pin.device);
}

void LandingResponse::Job::run() {
  LandingResponse& r = self;
  r.file_ = openRegularFile(r.share_->path);
  if (r.file_.fd < 0) return;
  closeFile(r.file_.fd);
  r.file_.fd = -1;
  std::string link = "/";
  link += r.share_->token;
  link += '/';
  appendPercentEncoded(link, r.share_->name);
  renderLanding(r.share_->name, link, r.file_.info, r.sharerName_, r.iosHint_, r.page_);
}

void LandingResponse::Job::done(bool ran) {
  LandingResponse& r = self;
  // Still "in flight" while answering: resume() may end the response and
  // release it, and the memory must outlive this call.
  if (ran && r.out_) {
    r.answer();
    r.out_->resume();
  }
  r.jobInFlight_ = false;
  if (r.released_) delete &r;
}

void LandingResponse::answer() {
  answered_ = true;
  if (page_.empty()) {
    // The file the link names is gone or unreadable: the same words as its bytes would get.
    const int e = file_.error;
    if (e == EACCES || e == EPERM) return out_->respond(403, {}, "This file cannot be read right now.\n");
    if (e == ENOENT || e == ENOTDIR || file_.notRegular || e == 0)
      return out_->respond(404, {}, "This file is no longer available.\n");
    return out_->respond(500, {}, "This file cannot be read right now (a disk error).\n");
  }
  std::string& head = out_->beginHead(200);
  head += "Content-Type: text/html; charset=utf-8\r\nContent-Length: ";
  appendNumber(head, page_.size());
  head += "\r\n";
  // The same link answers bytes to download tools: no cache may hand one
  // the other's answer, and the page shows the file as it is now.
  CachePolicy::appendPageHeaders(head, *share_);
  head += "Vary: Sec-Fetch-Dest, Accept, User-Agent\r\n"
          "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
          "media-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'\r\n"
          "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
  out_->endHead();
  if (out_->headOnly()) page_.clear();
}

BodySource::Next LandingResponse::next(BodyPiece& piece) {
  if (!answered_) return Next::kWait;
  if (pos_ >= page_.size()) return Next::kEnd;
  piece.bytes = std::string_view(page_).substr(pos_);
  return Next::kPiece;
}

void LandingResponse::sent(std::uint64_t n) { pos_ += static_cast<std::size_t>(n); }

void LandingResponse::ended(BodyEnd, std::string_view) { out_ = nullptr; }

void LandingResponse::release() {
  out_ = nullptr;
  released_ = true;
  if (!jobInFlight_) delete this;
}

}  // namespace ferry
