#pragma once

// UploadCommits: gives finished uploads their names in groups, one group at
// a time in the work pool (a group commit, as databases batch their log
// flushes). A group first asks the disk to write every file in it, then
// waits for each file's bytes (fdatasync where there is one), several files
// at once on threads kept for that (SyncCrew), renames each part file to
// its name, and syncs each folder once for the whole group. While one group
// waits for the disk, the uploads that finish meanwhile gather into the
// next, and no file ever gets its name before its bytes are on the disk.
//
// Why several at once: each fdatasync ends with the disk flushing its
// cache (ext4 asks for the flush even when the journal has nothing left
// to commit), a few milliseconds on an SSD or a virtual disk, so syncs one
// after another cost that much per file however many share a group; syncs
// that wait together share their flushes and journal commits.
//
// A file nobody waits for (a LocalSend file answered before its name) may
// also wait up to kGatherFor for others to share its group, up to
// kGatherUpTo of them: a sync of the folder is a journal commit, and new
// files being created wait while one runs, so a commit per file would slow
// the very uploads it is behind. A file someone waits for goes at once.
//
// Owns the groups (one in the pool, the next gathering); does not own the
// uploads in them, which stay alive while they wait (Upload::jobOut()).
// Owned by the UploadHandler. Loop thread only; a group's run() touches only
// the uploads in it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "sync_crew.h"
#include "work_pool.h"

namespace ferry {

class Upload;

class UploadCommits final {
 public:
  explicit UploadCommits(WorkPool& pool) : pool_(pool) {}
  ~UploadCommits();
  UploadCommits(const UploadCommits&) = delete;
  UploadCommits& operator=(const UploadCommits&) = delete;

  static constexpr std::size_t kGatherUpTo = 32;
  static constexpr auto kGatherFor = std::chrono::milliseconds(20);

  // `u`'s bytes are all written and checked: it gets its name with the next
  // group, and its job's done() runs once it has (or has failed). `urgent`:
  // someone waits for that (its answer).
  void add(Upload& u, bool urgent);
  // Uploads waiting for their names (gathering or in the pool).
  std::size_t pending() const { return waiting_.size() + running_; }

 private:
  struct Group;
  // Submits the next group when it is due (soon), or arms the timer that
  // makes it due.
  void consider();
  void submitSoon();
  void submitNext();
  void finished(Group* g, bool ran);
  static void name(std::vector<Upload*>& uploads, SyncCrew& crew);  // on a pool thread
  // Syncs each upload's bytes, up to kSyncThreads at once (the pool thread
  // running the group and the crew's).
  static constexpr std::size_t kSyncThreads = 8;

  WorkPool& pool_;
  // Shared with the group in the pool, which may outlive this (a hung disk).
  std::shared_ptr<SyncCrew> crew_ = std::make_shared<SyncCrew>(kSyncThreads - 1);
  std::vector<Upload*> waiting_;
  std::size_t running_ = 0;  // uploads in the group in the pool
  bool inPool_ = false;
  bool posted_ = false;  // submitNext() is due on the loop's next turn
  bool stopped_ = false;  // the pool went away: nothing more is submitted
  bool due_ = false;  // the next group may go: a file is urgent, enough gathered, or kGatherFor passed
  EventLoop::TimerId gatherTimer_ = 0;
};

}  // namespace ferry
