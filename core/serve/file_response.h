#pragma once

// FileResponse: the answer to a request for a shared file, or a file inside
// a shared folder, from the open to the last byte. Owns the open descriptor, a copy of the request's
// conditional and range headers, the transfer it records in TransferStats,
// and two jobs for the work pool: the open (with stat, and the whole file
// when it is small) and, when the bytes due next are not in the page cache,
// the read of the next block. Neither ever runs on the loop, so a disk that
// stalls holds up only the downloads of its own files.
//
// Made and recycled by a FileHandler, which outlives it; kept alive past its
// connection while one of its jobs is in the pool (a job's memory must stay
// until done()).
//
// Loop thread only (the jobs' run() touch only their own results).

#include <cstdint>
#include <memory>
#include <string>

#include "body_source.h"
#include "event_loop.h"
#include "recipient_claim.h"
#include "file_io.h"
#include "responder.h"
#include "transfer_stats.h"
#include "work_pool.h"

namespace ferry {

class FileHandler;
struct Share;

// Opens what a request names in a share, from the pool: the shared file
// itself (`rel` empty) or `rel` inside the shared folder, never following a
// link that leaves it and never a folder swapped since it was shared (the
// share's pin). Blocking: pool threads only.
OpenedFile openInShare(const Share& share, const std::string& rel);

class FileResponse final : public BodySource {
 public:
  // Bodies up to this size are read with the open and sent with the head.
  static constexpr std::uint64_t kInlineBody = 16 * 1024;
  // A block read in the pool when the disk has to be waited for. Large
  // enough that a slow medium's latency is paid rarely; held only until the
  // socket has taken it.
  static constexpr std::size_t kColdBlock = 256 * 1024;

  explicit FileResponse(FileHandler& handler);
  ~FileResponse();
  FileResponse(const FileResponse&) = delete;
  FileResponse& operator=(const FileResponse&) = delete;

  // Starts answering `req` for `share` (for the file `rel` below it when
  // the share is a folder): copies what it needs, then opens the file in
  // the pool. The head is written when the open returns; `claim` is taken
  // just before a head with the file's bytes.
  void start(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share, std::string_view rel = {},
             RecipientClaim claim = {});

  // The transfer this response records, once it streams (0 before).
  std::uint64_t transferId() const { return transfer_.id; }
  const Share* share() const { return share_.get(); }
  void abort(std::string_view reason);
  // A job of its is in the pool (or was left there by a pool that stopped).
  bool jobOut() const { return jobInFlight_; }

  // BodySource
  Next next(BodyPiece& piece) override;
  void sent(std::uint64_t n) override;
  void regionNotCached() override { readNext_ = true; }
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override;

  // Position in the handler's list of live responses.
  std::size_t liveIndex = 0;

 private:
  enum class Phase { kOpening, kStreaming, kReading, kDone };

  struct OpenJob final : WorkPool::Job {
    explicit OpenJob(FileResponse& r) : self(r) {}
    void run() override;
    void done(bool ran) override;
    FileResponse& self;
  };
  struct ReadJob final : WorkPool::Job {
    explicit ReadJob(FileResponse& r) : self(r) {}
    void run() override;
    void done(bool ran) override;
    FileResponse& self;
  };

  // Read whole with the open, sent with the head.
  bool inlined() const;
  // Opens the file: the share itself, or `rel_` below its folder.
  OpenedFile open() const;
  OpenedFile openCached(bool& wouldBlock) const;
  // The name downloaders see: the file's, not its folder's.
  std::string_view name() const;
  // Reads a small file whole into inline_ with `read`; false when that
  // would wait for the disk (readCachedAt said EAGAIN).
  bool readInline(long long (*read)(int, char*, std::size_t, std::uint64_t));
  // Writes the head (and a small body) once the file is open, or refuses.
  void answer();
  void answerOpened();
  void refuse();
  void redirectToFolder();
  void readDone();
  template <typename Fn>
  void afterJob(Fn fn);
  // Submits `job` with the disk deadline armed; diskTooSlow() when it
  // passes with the job still out.
  void submitTimed(WorkPool::Job& job);
  void diskTooSlow();
  void recycle();

  FileHandler& handler_;
  Responder* out_ = nullptr;  // null once the response has ended
  std::shared_ptr<const Share> share_;
  std::string rel_;   // inside a folder share; empty for a file share
  std::string item_;  // "Photos/2024/IMG_0001.jpg", as transfers show it
  std::string link_;  // the request's path with a '/' and its query, for a folder asked without '/'
  Phase phase_ = Phase::kDone;
  bool headOnly_ = false;
  bool showInline_ = false;  // Content-Disposition: inline (see asksInline)
  std::string ifNoneMatch_, ifModifiedSince_, range_, ifRange_;
  std::string userAgent_;  // for the delivery this request is part of
  RecipientClaim claim_;   // a limited folder's place, taken when bytes go

  OpenJob openJob_{*this};
  ReadJob readJob_{*this};
  bool jobInFlight_ = false;
  bool gaveUp_ = false;  // the disk deadline passed: the job's result is not used
  EventLoop::TimerId deadline_ = 0;
  bool released_ = false;  // the connection gave it back
  // A job's done() is running: release() leaves recycling to its end.
  bool inCallback_ = false;

  // Filled by the open job.
  OpenedFile file_;
  std::string inline_;  // a small file's bytes
  bool inlineFailed_ = false;
  int inlineErrno_ = 0;

  // The body being streamed.
  std::uint64_t offset_ = 0;
  std::uint64_t left_ = 0;
  std::uint64_t inlineSent_ = 0;  // a small body, in the head's buffer
  TransferHandle transfer_;

  // A block read in the pool: [blockPos_, blockLen_) not yet sent.
  std::unique_ptr<char[]> block_;
  std::size_t blockPos_ = 0;
  std::size_t blockLen_ = 0;
  std::size_t blockWant_ = 0;
  bool readNext_ = false;  // the next block comes from the pool, whatever a probe says
  long long blockResult_ = 0;
  int blockErrno_ = 0;
};

}  // namespace ferry
