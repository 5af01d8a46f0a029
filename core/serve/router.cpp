#include "router.h"

#include "request_target.h"
#include "share_registry.h"
#include "transfer_stats.h"

namespace ferry {

Router::Router(ShareRegistry& shares, TransferStats& stats, WorkPool& pool, CrcCache& crcs)
    : shares_(shares), stats_(stats), files_(stats, pool), folders_(files_, stats, pool, crcs) {}

BodyPtr Router::handle(const HttpRequest& req, Responder& out) {
  RequestTarget target = parseRequestTarget(req.target);
  if (target.status == RequestTarget::kBadRequest) {
    out.respond(400);
    return nullptr;
  }
  std::shared_ptr<const Share> share;
  if (target.status == RequestTarget::kOk) share = shares_.find(target.token);
  if (!share) {
    out.respond(404);
    return nullptr;
  }
  if (share->folder) return folders_.serve(req, out, std::move(share), target);
  // A file's link is "/token" or "/token/name": nothing lies deeper.
  if (target.path.find('/', 1) != std::string_view::npos) {
    out.respond(404);
    return nullptr;
  }
  return files_.serve(req, out, std::move(share));
}

void Router::connectionsChanged(std::size_t open) { stats_.setOpenConnections(open); }

void Router::cancelTransfer(std::uint64_t id, std::string_view reason) {
  files_.cancelTransfer(id, reason);
  folders_.cancelTransfer(id, reason);
}

void Router::cancelShare(std::string_view token, std::string_view reason) {
  files_.cancelShare(token, reason);
  folders_.cancelShare(token, reason);
}

}  // namespace ferry
