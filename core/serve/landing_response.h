#pragma once

// LandingResponse: the page a browser gets when it opens the link of a
// single shared file: its name, size, type and date, its thumbnail, player
// or viewer, and a big Download button ("?download", the bytes as ever).
// Download tools never see it (page_negotiation.h decides). Owns the job
// that looks the file up in the work pool (a stat on a slow disk holds up
// nobody) and the page until the socket has taken it. Showing the page
// counts as no download: its pictures are "?thumb" renditions.
//
// Made by the Router; deletes itself once both its connection and its job
// are done with it. Loop thread only (the job's run() touches only the
// response's own fields).

#include <memory>
#include <string>

#include "body_source.h"
#include "file_io.h"
#include "responder.h"
#include "share_registry.h"
#include "work_pool.h"

namespace ferry {

class LandingResponse final : public BodySource {
 public:
  LandingResponse(WorkPool& pool, Responder& out, std::shared_ptr<const Share> share, std::string sharerName,
                  bool iosHint);
  void start();

  Next next(BodyPiece& piece) override;
  void sent(std::uint64_t n) override;
  void regionNotCached() override {}
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override;

 private:
  struct Job final : WorkPool::Job {
    explicit Job(LandingResponse& r) : self(r) {}
    void run() override;
    void done(bool ran) override;
    LandingResponse& self;
  };
  void answer();

  WorkPool& pool_;
  Responder* out_;  // null once the response has ended
  std::shared_ptr<const Share> share_;
  std::string sharerName_;
  bool iosHint_;
  Job job_{*this};
  bool jobInFlight_ = false;
  bool released_ = false;

  // Filled by the job.
  OpenedFile file_;
  std::string page_;
  std::size_t pos_ = 0;  // of page_, sent
  bool answered_ = false;
};

// The page for `name` (a shared file of `info`), whose bytes are at `link`
// ("/token/name"), shared by `sharerName`. `iosHint`: say how to keep a
// photo on an iPhone.
void renderLanding(std::string_view name, std::string_view link, const FileInfo& info, std::string_view sharerName,
                   bool iosHint, std::string& out);

// Whether a User-Agent is an iPhone's or iPad's (where "press and hold" is
// how a picture reaches Photos).
bool isAppleMobile(std::string_view userAgent);

}  // namespace ferry
