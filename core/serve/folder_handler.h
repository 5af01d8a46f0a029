#pragma once

// FolderHandler: answers requests for a shared folder — its listing pages,
// the files inside it (through the FileHandler, like any shared file), the
// zip of any level ("?zip") and redirects from a folder's link without its
// '/', and the pictures of its files (through the AlbumHandler). Lists the
// zips being sent, to cancel them; borrows the file and album handlers,
// the statistics, the work pool and the CRC cache.
//
// Loop thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "body_source.h"
#include "event_loop.h"
#include "request_target.h"
#include "responder.h"
#include "share_registry.h"
#include "zip_manifests.h"

namespace ferry {

class AlbumHandler;
class CrcCache;
struct CachePolicy;
class FileHandler;
class FolderScanner;
class ShareGate;
class TransferStats;
class WorkPool;
class ZipResponse;

class FolderHandler final {
 public:
  FolderHandler(FileHandler& files, AlbumHandler& album, TransferStats& stats, WorkPool& pool, CrcCache& crcs);
  ~FolderHandler();
  FolderHandler(const FolderHandler&) = delete;
  FolderHandler& operator=(const FolderHandler&) = delete;

  BodyPtr serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                const RequestTarget& target);

  // End the zips of one transfer, or of every transfer of a share.
  void cancelTransfer(std::uint64_t id, std::string_view reason);
  void cancelShare(std::string_view token, std::string_view reason);

  // Who shares, as the listing says it.
  void setSharerName(std::string name) { sharerName_ = std::move(name); }
  // Who decides which devices a folder's download limit lets in.
  void setGate(ShareGate& gate) { gate_ = &gate; }
  // What shared folders hold, for their pages ("Download all · 212 photos").
  void setFolderScanner(FolderScanner* scanner) { scanner_ = scanner; }

  // For ZipResponse.
  TransferStats& stats() { return stats_; }
  const CachePolicy& cachePolicy() const;
  WorkPool& pool() { return pool_; }
  CrcCache& crcs() { return crcs_; }
  ZipManifests& manifests() { return manifests_; }
  // How long a zip's work may go without an answer from the disk (the
  // FileHandler's deadline).
  std::chrono::milliseconds diskDeadline() const;
  void forget(ZipResponse* zip);

 private:
  template <typename Match>
  void cancelIf(Match match, std::string_view reason);
  // Kept manifests go kKeepFor after their last use, zip or no zip.
  void schedulePurge();

  FileHandler& files_;
  AlbumHandler& album_;
  TransferStats& stats_;
  WorkPool& pool_;
  CrcCache& crcs_;
  std::vector<ZipResponse*> zips_;  // handed to connections, not yet released
  ZipManifests manifests_;
  EventLoop& loop_;
  EventLoop::TimerId purge_ = 0;
  std::string sharerName_;
  FolderScanner* scanner_ = nullptr;
  ShareGate* gate_ = nullptr;
};

// The answer to a folder (or a folder inside a share) that could not be
// read, by the errno that said why: 403 when permission is refused, 404 when
// it is gone, is not a folder or is a link leaving the share, 500 for a disk
// error. The listing and the zip answer alike.
void refuseUnreadableFolder(Responder& out, int error);

}  // namespace ferry
