#pragma once

// Layer serve/: what answers requests. Router picks a handler; each kind of
// answer is a handler of its own beside file_handler (h2o's lib/handler).
// Uses share/, http/, work/ and below; Server (core/server.h) sits on top.
//
// Router: the RequestHandler of a Ferry server. Reads the link a request
// names (/<token>/<name>), finds its share and hands the request to the
// handler for that kind of answer: a shared file, or a shared folder (its
// pages, files and zips), or the pictures of either (?thumb, ?view). Every request for a share passes its gate first
// (expiry, download limit, password). The receive link also carries the
// event streams and text of nearby devices. Owns the handlers and the gate;
// borrows the share registry, the transfer statistics, the work pool and
// the caches.
//
// Loop thread only.

#include <cstdint>
#include <memory>
#include <string_view>

#include "album_handler.h"
#include "ca_page.h"
#include "file_handler.h"
#include "folder_handler.h"
#include "nearby_handler.h"
#include "responder.h"
#include "share_gate.h"
#include "upload_handler.h"

namespace ferry {

class ReceiveTarget;
class ShareRegistry;
class TransferStats;
class WorkPool;
class CrcCache;
class FolderScanner;
class PictureCache;
class EventLoop;

class Router final : public RequestHandler {
 public:
  Router(EventLoop& loop, ShareRegistry& shares, ReceiveTarget& receive, TransferStats& stats, WorkPool& pool,
         CrcCache& crcs, PictureCache& pictures);

  BodyPtr handle(const HttpRequest& req, Responder& out) override;
  SinkPtr accept(const HttpRequest& req, Responder& out) override;
  void connectionsChanged(std::size_t open) override;

  // What caches may keep of the files, zips and pages it answers with.
  void setCachePolicy(const CachePolicy& policy) { files_.setCachePolicy(policy); }
  void setDiskDeadline(std::chrono::milliseconds d) { files_.setDiskDeadline(d); }
  // Who shares, for the pages ("Shared by …").
  void setSharerName(std::string name) {
    folders_.setSharerName(name);
    sharerName_ = std::move(name);
  }

  // With Ferry's own CA: the page and files that install it (/ferry-ca…).
  void setCaPage(std::shared_ptr<const CaPage> page) { caPage_ = std::move(page); }

  // What shared folders hold, for their pages.
  void setFolderScanner(FolderScanner& scanner) { folders_.setFolderScanner(&scanner); }

  void cancelTransfer(std::uint64_t id, std::string_view reason);
  void cancelShare(std::string_view token, std::string_view reason);
  void stopReceiving(std::string_view reason) {
    uploads_.stopReceiving(reason);
    nearby_.stopReceiving(reason);
  }
  ReceiveAsks& receiveAsks() { return uploads_.asks(); }
  UploadHandler& uploads() { return uploads_; }
  // The pages open on nearby devices (the receive link's event streams).
  NearbyHandler& nearby() { return nearby_; }

 private:
  ShareRegistry& shares_;
  ReceiveTarget& receive_;
  TransferStats& stats_;
  ShareGate gate_;
  FileHandler files_;
  AlbumHandler album_;
  FolderHandler folders_;
  UploadHandler uploads_;
  std::string sharerName_;
  NearbyHandler nearby_;
  std::shared_ptr<const CaPage> caPage_;
};

}  // namespace ferry
