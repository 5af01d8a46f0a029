#pragma once

// PictureResponse: the answer to `…/<file>?thumb` and `…/<file>?view` — a
// picture of a shared file (or a file inside a shared folder), or its type
// icon when it has none. Owns two jobs for the work pool: the open (disk
// lane: open, stat, the cache) and, on a cache miss, the decode (media lane,
// which never takes every thread), and the bytes until the socket has taken
// them. Never a transfer: pictures are not downloads and are not counted.
//
// A decode not yet started when the client goes away is skipped. Made by
// the AlbumHandler; deletes itself once both its connection and its jobs
// are done with it. Loop thread only (the jobs' run() touch only the
// response's own fields, the cache, and the decoders).

#include <atomic>
#include <memory>
#include <string>

#include "body_source.h"
#include "media_kind.h"
#include "picture_key.h"
#include "responder.h"
#include "share_registry.h"
#include "work_pool.h"

namespace ferry {

class PictureCache;

class PictureResponse final : public BodySource {
 public:
  // How long a browser may keep a picture without asking again. The URL
  // names the file, not its version: an hour bounds how long an edited
  // photo can show its old picture in a page already open (a page that
  // adds the version to the URL, "?thumb=<mtime>", is never stale).
  static constexpr int kMaxAgeSeconds = 3600;

  PictureResponse(WorkPool& pool, PictureCache& cache, Responder& out, std::shared_ptr<const Share> share,
                  std::string rel, Rendition rendition, std::string_view ifNoneMatch);
  void start();

  Next next(BodyPiece& piece) override;
  void sent(std::uint64_t n) override;
  void regionNotCached() override {}
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override;

 private:
  struct OpenJob final : WorkPool::Job {
    explicit OpenJob(PictureResponse& r) : self(r) {}
    void run() override;
    void done(bool ran) override;
    PictureResponse& self;
  };
  struct MakeJob final : WorkPool::Job {
    explicit MakeJob(PictureResponse& r) : self(r) {}
    void run() override;
    void done(bool ran) override;
    PictureResponse& self;
  };
  enum class Outcome { kPending, kPicture, kIcon, kNotModified, kRefused };

  // The file's name, for its kind and icon.
  std::string_view name() const;
  void answer();
  void finishJob();

  WorkPool& pool_;
  PictureCache& cache_;
  Responder* out_;  // null once the response has ended
  std::shared_ptr<const Share> share_;
  std::string rel_;
  Rendition rendition_;
  MediaKind kind_;
  std::string ifNoneMatch_;
  OpenJob openJob_{*this};
  MakeJob makeJob_{*this};
  bool jobInFlight_ = false;
  bool released_ = false;
  std::atomic<bool> abandoned_{false};  // the client is gone: skip the decode

  // Filled by the jobs.
  OpenedFile file_;
  PictureKey key_;
  Outcome outcome_ = Outcome::kPending;
  std::string etag_;
  std::string body_;  // the JPEG, or the icon
  bool svg_ = false;
  std::size_t pos_ = 0;  // of body_, sent
  bool answered_ = false;
};

}  // namespace ferry
