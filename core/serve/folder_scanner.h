#pragma once

// FolderScanner: learns what each shared folder holds — how many files, how
// many bytes — for the window's row, and warms the CRC cache with the
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
  void setListener(Listener listener);
  // Waits until nothing is queued or scanning (for tests and the command line).
  void waitIdle();

 private:
  void run();
  void scanOne(const std::shared_ptr<const Share>& share);
  void publish(const std::string& token, const FolderSummary& s);

  CrcCache& crcs_;
  PictureCache& pictures_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::shared_ptr<const Share>> queue_;
  std::unordered_map<std::string, FolderSummary> summaries_;
  std::string current_;  // the token being scanned
  std::atomic<bool> cancel_{false};  // of the current scan
  bool stopping_ = false;
  Listener listener_;
  std::thread thread_;
};

}  // namespace ferry
