#pragma once

// FolderScanner: learns what each shared folder holds — how many files, how
// many bytes — for the window's row and, level by level, for the "Download
// all" of each of its pages, and warms the CRC cache with the
// CRC-32 of every file in it, so that by the time someone downloads the
// folder's zip it starts at once; then makes the thumbnail of every photo
// and video in it ahead (with a picture cache folder), so a recipient's
// first look at the grid is instant. One background thread at the lowest
// CPU and I/O priority, apart from the loop and its pool, so a scan is never
// in the way of a download, and the thumbnails a page asks for (made in the
// pool's media lane at normal priority) always go first; it works whether
// or not the server runs.
//
// Thread-safe. The listener is called on the scanner's thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "crc_cache.h"
#include "folder_totals.h"
#include "picture_cache.h"
#include "share_registry.h"

namespace ferry {

struct FolderSummary {
  enum State { kCounting, kDone, kTooLarge, kUnreadable } state = kCounting;
  std::size_t files = 0;
  std::size_t folders = 0;
  std::uint64_t bytes = 0;
  bool crcsReady = false;  // every file's CRC-32 is cached: a zip starts at once
  std::string problem;     // kTooLarge / kUnreadable: a sentence's end for people
};

class FolderScanner final {
 public:
  using Listener = std::function<void(const std::string& token)>;

  // Thumbnails made ahead per scan at most: a folder of more waits for its
  // pages to ask.
  static constexpr std::size_t kMaxPictures = 5000;

  FolderScanner(CrcCache& crcs, PictureCache& pictures);
  ~FolderScanner();  // stops a scan in progress
  FolderScanner(const FolderScanner&) = delete;
  FolderScanner& operator=(const FolderScanner&) = delete;

  // Queues a scan of a folder share (again, if it was scanned before).
  void scan(std::shared_ptr<const Share> share);
  // Forgets a share; a scan of it in progress stops.
  void forget(const std::string& token);
  std::optional<FolderSummary> summary(const std::string& token) const;
  // The totals of the level `rel` ("" for the top, "2024/Day 1" below) as
  // the last finished scan counted them; nullopt before, or for a level it
  // did not see.
  std::optional<FolderTotals> totals(const std::string& token, const std::string& rel) const;
  // Scans a share again when something says its totals are out of date,
  // unless a scan of it is queued or running, or the last one ended less
  // than kRefreshAfter ago. Its summary stays as it was meanwhile.
  void refresh(std::shared_ptr<const Share> share);
  static constexpr std::chrono::seconds kRefreshAfter{20};
  void setListener(Listener listener);
  // Waits until nothing is queued or scanning (for tests and the command line).
  void waitIdle();

 private:
  void run();
  void scanOne(const std::shared_ptr<const Share>& share);
  using TotalsMap = std::unordered_map<std::string, FolderTotals>;  // by level
  // With `totals` (moved from), also what the walk counted level by level.
  void publish(const std::string& token, const FolderSummary& s, TotalsMap* totals = nullptr);
  void enqueueLocked(std::shared_ptr<const Share> share);

  CrcCache& crcs_;
  PictureCache& pictures_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::shared_ptr<const Share>> queue_;
  std::unordered_map<std::string, FolderSummary> summaries_;
  struct Counted {
    std::shared_ptr<const TotalsMap> levels;  // null when the walk did not finish
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<std::string, Counted> totals_;  // by token, from the last finished walk
  std::string current_;  // the token being scanned
  std::atomic<bool> cancel_{false};  // of the current scan
  bool stopping_ = false;
  Listener listener_;
  std::thread thread_;
};

}  // namespace ferry
