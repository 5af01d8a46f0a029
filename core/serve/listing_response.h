#pragma once

// ListingResponse: the answer to a folder's link — the listing page of one
// level of a shared folder, or the rest of a long folder's rows for its
// page's script (ListingPart). Owns the job that reads the folder and renders
// the page in the work pool (a folder of 10,000 entries on a slow disk
// holds up nobody else), and the page until the socket has taken it. A
// disk that does not answer within the disk deadline gets a 503, as a
// file's open does; the job's result is then dropped when it returns.
//
// Made by a FolderHandler; deletes itself once both its connection and its
// job are done with it. Loop thread only (the job's run() touches only the
// response's own fields).

#include <chrono>
#include <memory>
#include <string>

#include "body_source.h"
#include "folder_listing.h"
#include "folder_scanner.h"
#include "responder.h"
#include "share_registry.h"
#include "work_pool.h"

namespace ferry {

class PictureCache;

class ListingResponse final : public BodySource {
 public:
  // Entries read from one folder at most; past it the page says so.
  static constexpr std::size_t kMaxReadEntries = 100000;

  // `scanner` (may be null) knows what each level holds all the way down,
  // `pictures` (may be null) when photos were taken.
  ListingResponse(WorkPool& pool, Responder& out, std::shared_ptr<const Share> share, std::string rel,
                  ListingSort sort, std::string sharerName, FolderScanner* scanner, const PictureCache* pictures);
  // Which rows to send (the page with its first rows unless told).
  void setPart(ListingPart part) { part_ = part; }
  // Header lines (each ending in CRLF) to send with the page: a recipient's cookie.
  void setExtraHeaders(std::string lines) { extraHeaders_ = std::move(lines); }
  // How long the folder's read may wait for the disk (FileHandler's).
  void setDiskDeadline(std::chrono::milliseconds d) { diskDeadline_ = d; }
  void start();

  Next next(BodyPiece& piece) override;
  void sent(std::uint64_t n) override;
  void regionNotCached() override {}
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override;

 private:
  struct Job final : WorkPool::Job {
    explicit Job(ListingResponse& r) : self(r) {}
    void run() override;
    void done(bool ran) override;
    ListingResponse& self;
  };
  void answer();
  void diskTooSlow();
  void cancelDeadline();

  WorkPool& pool_;
  Responder* out_;  // null once the response has ended
  std::shared_ptr<const Share> share_;
  std::string rel_;
  ListingSort sort_;
  ListingPart part_;
  std::string sharerName_;
  FolderScanner* scanner_;
  const PictureCache* pictures_;
  std::string extraHeaders_;
  Job job_{*this};
  bool jobInFlight_ = false;
  bool released_ = false;
  std::chrono::milliseconds diskDeadline_{30'000};
  EventLoop::TimerId deadline_ = 0;
  bool gaveUp_ = false;  // the deadline passed: the job's page is not used

  // Filled by the job.
  int error_ = 0;
  std::string nonce_;  // of the page's script
  std::string page_;
  bool rendered_ = false;  // page_ holds the answer (the rest of a folder's rows may be none)
  std::size_t pos_ = 0;  // of page_, sent
  bool answered_ = false;
};

}  // namespace ferry
