#include "router.h"

#include "gate_pages.h"
#include "landing_response.h"
#include "page_negotiation.h"
#include "receive_target.h"
#include "request_target.h"
#include "share_registry.h"
#include "transfer_stats.h"

namespace ferry {

Router::Router(EventLoop& loop, ShareRegistry& shares, ReceiveTarget& receive, TransferStats& stats, WorkPool& pool,
               CrcCache& crcs, PictureCache& pictures)
    : shares_(shares),
      receive_(receive),
      stats_(stats),
      gate_(loop, shares),
      files_(stats, pool),
      album_(pool, pictures),
      folders_(files_, album_, stats, pool, crcs),
      uploads_(loop, receive, stats, pool),
      nearby_(loop) {
  gate_.onNewRecipient = [this](std::string_view token) { stats_.noteRecipient(token); };
  folders_.setGate(gate_);
}

BodyPtr Router::handle(const HttpRequest& req, Responder& out) {
  if (caPage_ && caPage_->serve(req, out)) return nullptr;
  RequestTarget target = parseRequestTarget(req.target);
  if (target.status == RequestTarget::kBadRequest) {
    out.respond(400);
    return nullptr;
  }
  if (target.status == RequestTarget::kOk) {
    if (auto folder = receive_.find(target.token)) {
      if (NearbyHandler::wantsEvents(req)) return nearby_.events(req, out, *folder);
      uploads_.serve(req, out, std::move(folder));
      return nullptr;
    }
  }
  std::shared_ptr<const Share> share;
  if (target.status == RequestTarget::kOk) share = shares_.find(target.token);
  if (!share) {
    // A link removed, rotated or never there: a person is told what to do.
    // What is no link at all ("/", "/favicon.ico") stays a plain 404.
    if (target.status == RequestTarget::kOk) answerNoSuchLink(out, wantsPage(req));
    else out.respond(404);
    return nullptr;
  }
  if (!gate_.admit(req, out, *share)) return nullptr;
  if (share->folder) return folders_.serve(req, out, std::move(share), target);
  // A file's link is "/token" or "/token/name": nothing lies deeper.
  if (target.path.find('/', 1) != std::string_view::npos) {
    answerNoSuchLink(out, wantsPage(req));
    return nullptr;
  }
  // Pictures are not downloads: never a transfer, never counted.
  if (PictureAsk ask = pictureAskOf(target.query); ask != PictureAsk::kNone)
    return album_.serve(req, out, std::move(share), {}, ask);
  // A browser opening the link gets a page about the file; everyone else
  // (and the page's own Download button) the bytes.
  if (wantsLandingPage(req, target.query)) {
    auto* page = new LandingResponse(files_.pool(), out, std::move(share), sharerName_,
                                     isAppleMobile(req.header("user-agent")));
    BodyPtr body(page);
    page->start();
    return body;
  }
  return files_.serve(req, out, std::move(share));
}

SinkPtr Router::accept(const HttpRequest& req, Responder& out) {
  // The receive link takes uploads and a share with a password its form;
  // any other body is refused by HTTP.
  RequestTarget target = parseRequestTarget(req.target);
  if (target.status == RequestTarget::kBadRequest) out.respond(400);
  if (target.status == RequestTarget::kOk)
    if (auto folder = receive_.find(target.token)) {
      if (NearbyHandler::wantsText(req)) return nearby_.text(req, out, *folder);
      return uploads_.accept(req, out, std::move(folder));
    }
  // An upload to a link that is not there (a receive link turned off) is a
  // 404, as its page is; any other body is refused by HTTP (400).
  const bool upload = req.method == "PUT" || req.method == "POST";
  if (target.status == RequestTarget::kBadRequest) return nullptr;
  std::shared_ptr<const Share> share;
  if (target.status == RequestTarget::kOk) share = shares_.find(target.token);
  if (!share) {
    if (upload) out.respond(404);
    return nullptr;
  }
  // A share's own link takes one body: its password form.
  return gate_.acceptForm(req, out, std::move(share));
}

void Router::connectionsChanged(std::size_t open) { stats_.setOpenConnections(open); }

void Router::cancelTransfer(std::uint64_t id, std::string_view reason) {
  // The delivery ends as cancelled before its request does, so it is not
  // taken for a client that went away.
  stats_.cancelDelivery(id, reason);
  files_.cancelTransfer(id, reason);
  folders_.cancelTransfer(id, reason);
  uploads_.cancelTransfer(id, reason);
}

void Router::cancelShare(std::string_view token, std::string_view reason) {
  gate_.forget(token);
  stats_.cancelDeliveries(token, reason);
  files_.cancelShare(token, reason);
  folders_.cancelShare(token, reason);
}

}  // namespace ferry
