#pragma once

// FileHandler: answers requests for shared files. Owns every FileResponse it
// made — those answering now, those a job of the work pool still holds, and
// a few spare ones, recycled so that serving a file allocates nothing once
// warm — the one-entry Last-Modified cache they share, and the shared
// folders' descriptors their opens borrow (PinnedFolders). Borrows the
// transfer statistics and the work pool. Keeps the CachePolicy its
// answers and the folder handler's follow.
//
// Loop thread only. Must outlive the work pool's last job (see Server).

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "body_source.h"
#include "cache_policy.h"
#include "pinned_folders.h"
#include "recipient_claim.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

class FileResponse;
class TransferStats;
class WorkPool;

class FileHandler final {
 public:
  FileHandler(TransferStats& stats, WorkPool& pool);
  ~FileHandler();
  FileHandler(const FileHandler&) = delete;
  FileHandler& operator=(const FileHandler&) = delete;

  // A shared file, or the file `rel` inside a shared folder; `claim`, the
  // place among a limited folder's recipients its bytes take.
  BodyPtr serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                std::string_view rel = {}, RecipientClaim claim = {});

  // End the responses of one transfer, or of every transfer of a share.
  void cancelTransfer(std::uint64_t id, std::string_view reason);
  void cancelShare(std::string_view token, std::string_view reason);

  // What caches may keep of the answers (Server sets it at start).
  void setCachePolicy(const CachePolicy& policy) { cachePolicy_ = policy; }
  const CachePolicy& cachePolicy() const { return cachePolicy_; }
  // How long an answer waits for the disk (an open, a block's read) before
  // it gives up: a 503 while no byte of the head went out, else the
  // connection is cut (the transfer fails, saying why).
  static constexpr std::chrono::milliseconds kDefaultDiskDeadline{30'000};
  void setDiskDeadline(std::chrono::milliseconds d) { diskDeadline_ = d; }
  std::chrono::milliseconds diskDeadline() const { return diskDeadline_; }

  // For FileResponse.
  TransferStats& stats() { return stats_; }
  WorkPool& pool() { return pool_; }
  // Shared folders opened and checked against their pins, lent to opens on
  // the loop.
  PinnedFolders& folders() { return folders_; }
  // An IMF-fixdate for a file time, remembered for the last time asked:
  // every request for the same file needs the same Last-Modified.
  std::string_view httpDate(std::time_t t);
  void recycle(FileResponse* r);

 private:
  static constexpr std::size_t kMaxSpare = 64;

  template <typename Match>
  void cancelIf(Match match, std::string_view reason);

  TransferStats& stats_;
  WorkPool& pool_;
  CachePolicy cachePolicy_;
  std::chrono::milliseconds diskDeadline_ = kDefaultDiskDeadline;
  std::vector<FileResponse*> live_;  // handed out, not yet recycled
  std::vector<std::unique_ptr<FileResponse>> spare_;
  std::time_t lastModifiedTime_ = -1;
  char lastModified_[32] = {};
  std::size_t lastModifiedLen_ = 0;
  PinnedFolders folders_;
};

}  // namespace ferry
