#include "upload_commits.h"

#include <string>
#include <unordered_set>

#include "upload.h"

namespace ferry {

struct UploadCommits::Group final : WorkPool::Job {
  UploadCommits* owner = nullptr;
  std::shared_ptr<SyncCrew> crew;
  std::vector<Upload*> uploads;
  void run() override { UploadCommits::name(uploads, *crew); }
  void done(bool ran) override { owner->finished(this, ran); }
};

UploadCommits::~UploadCommits() {
  if (gatherTimer_) pool_.loop().cancel(gatherTimer_);
  // A group still out is on a thread that a stopped pool left on a hung
  // disk: it stays allocated, with its uploads, for that thread's return.
  // Uploads still gathering keep their part files (the handler frees them).
}

void UploadCommits::add(Upload& u, bool urgent) {
  u.gathering_ = true;
  waiting_.push_back(&u);
  if (urgent || waiting_.size() >= kGatherUpTo) due_ = true;
  consider();
}

void UploadCommits::consider() {
  if (waiting_.empty() || inPool_ || stopped_) return;
  if (due_) return submitSoon();
  if (!gatherTimer_)
    gatherTimer_ = pool_.loop().runAfter(kGatherFor, [this] {
      gatherTimer_ = 0;
      due_ = true;
      consider();
    });
}

void UploadCommits::submitSoon() {
  // From the loop's next turn, never from here: add() and finished() also
  // run inside done() calls that the pool makes while it is being destroyed
  // (the server stopping), when nothing may be submitted to it; a stopped
  // loop runs no more turns, and the server frees this with the loop.
  if (posted_ || inPool_ || stopped_) return;
  posted_ = true;
  pool_.loop().post([this] {
    posted_ = false;
    submitNext();
  });
}

void UploadCommits::submitNext() {
  if (inPool_ || stopped_ || waiting_.empty()) return;
  due_ = false;
  if (gatherTimer_) pool_.loop().cancel(gatherTimer_);
  gatherTimer_ = 0;
  auto* g = new Group;
  g->owner = this;
  g->crew = crew_;
  g->uploads.swap(waiting_);
  for (Upload* u : g->uploads) u->gathering_ = false;
  running_ = g->uploads.size();
  inPool_ = true;
  pool_.submit(*g, WorkPool::Lane::kDisk, g->uploads.front()->params_.folder->pin.device);
}

void UploadCommits::finished(Group* g, bool ran) {
  inPool_ = false;
  running_ = 0;
  if (!ran) stopped_ = true;  // the pool is going away with the server
  std::vector<Upload*> uploads = std::move(g->uploads);
  delete g;
  // Each one answers (or, answered already, ends its transfer) and may be
  // freed right there.
  for (Upload* u : uploads) u->job_.done(ran);
  consider();
}

void UploadCommits::name(std::vector<Upload*>& uploads, SyncCrew& crew) {
  // The disk is asked to write every file first: while the first file's
  // sync waits, the others' bytes go out too, and one journal commit
  // (ext4, XFS) covers the group, so the later syncs find little to wait for.
  for (Upload* u : uploads) u->startFlush();
  crew.run(uploads.size(), [&](std::size_t i) { uploads[i]->syncData(); });
  std::unordered_set<std::string> folders;
  std::vector<Upload*> syncs;
  for (Upload* u : uploads) {
    u->giveName();
    if (u->job_.error == 0 && folders.insert(u->params_.folder->dir + '\0' + u->params_.subfolder).second)
      syncs.push_back(u);
  }
  // The new names survive a power cut once their folder is synced: once a
  // folder for the whole group.
  for (Upload* u : syncs) u->syncFolder();
}

}  // namespace ferry
