#pragma once

// WorkPool: a few threads for the file-system calls that may block — open
// and stat on slow media, reads from a disk that stalls, later directory
// walks, CRC-32s and fsync — so that one stalled disk holds up only the
// requests that need it, never the loop (libuv's uv_queue_work).
//
// Owns its threads and its two queues (waiting, finished); does not own the
// jobs. A Job lives in its owner's memory, embedded like a uv_work_t, and
// must stay alive until its done() has run: a job cannot be cancelled once
// submitted, only left to finish. An owner that goes away first (a
// connection whose client hung up) leaves the memory to be freed by done().
// Submitting therefore allocates nothing.
//
// Two lanes: disk work (opens, reads, walks) may use every thread; decoding
// pictures (thumbnails, renditions: CPU-bound, a few hundred ms each) at
// most mediaThreads of them, so a grid of photos being looked at never keeps
// a download from opening its file. Each lane runs in the order submitted.
//
// A job may name the device (st_dev) its files are on: at most half the
// threads run disk jobs of one device at once, so a disk that hangs (a dead
// network mount, a USB stick pulled out) holds those threads and never the
// whole pool; the next job of another device runs as soon as a thread is
// free, passing the hung device's jobs that wait. Media jobs do not count
// against their device: a picture is decoded by a helper process that the
// job waits for at most its time limit (PictureHelpers), so a hung disk
// holds a media thread for seconds, not forever; and while a folder's
// pictures keep the media lane busy, the next pictures' opens on the same
// disk run meanwhile, so a helper never waits for them.
//
// Destroying the pool waits for running jobs at most stopDeadline: a thread
// still stuck in a system call after that is left to finish alone, and its
// job (with whatever owns it) is kept allocated for the rest of the process,
// never handed back, so that the thread's return touches nothing freed. The
// pool's queues and lock live as long as its last thread.
//
// submit() and the destructor: the loop thread (or, once the loop has
// stopped, the thread that holds it). Job::run(): a pool thread. Job::done():
// the loop thread, in the order the jobs finished.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "event_loop.h"

namespace ferry {

class WorkPool final {
 public:
  class Job {
   public:
    // On a pool thread: may block; touches only the job's own data.
    virtual void run() = 0;
    // On the loop thread, after run(); `ran` is false when the pool was
    // destroyed before the job started (it is then only being freed).
    virtual void done(bool ran) = 0;

   protected:
    ~Job() = default;

   private:
    friend class WorkPool;
    Job* next_ = nullptr;
    std::uint64_t device_ = 0;
    bool ran_ = false;
    bool media_ = false;
  };

  enum class Lane : unsigned char { kDisk, kMedia };

  // Four threads by default: enough for a few stalled disks at once, few
  // enough to cost nothing idle (libuv's default is four too).
  static constexpr unsigned kDefaultThreads = 4;
  // How long the destructor waits for running jobs (a read of a healthy
  // disk takes milliseconds; a hung one may never return).
  static constexpr std::chrono::milliseconds kDefaultStopDeadline{2000};

  // mediaThreads 0 = half the threads; always at least one thread is left
  // to disk work (a pool of one thread runs both, media waiting its turn).
  explicit WorkPool(EventLoop& loop, unsigned threads = kDefaultThreads, unsigned mediaThreads = 0,
                    std::chrono::milliseconds stopDeadline = kDefaultStopDeadline);
  // Waits for the jobs that are running (at most the stop deadline), then
  // calls done() on this thread for every job not yet delivered (those that
  // never ran with ran=false); jobs still running are left as said above.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Jobs any pool of this process left behind, stuck in a system call, so
  // far. What such a job's run() reaches beyond its own memory (a zip's
  // walk reaches its folder handler's caches) must then outlive it too:
  // the server keeps those allocated as well (~Running, ~Server).
  static std::size_t jobsLeftBehind();

  // `device`: the st_dev of the files the job touches (FileId::device), or
  // 0 when it names none (no cap).
  void submit(Job& job, Lane lane = Lane::kDisk, std::uint64_t device = 0);
  unsigned mediaThreads() const;
  // The loop the jobs' done() run on (for a job's owner that needs a timer).
  EventLoop& loop() const { return loop_; }
  // Disk jobs of one device that may run at once: half the threads, at least one.
  unsigned perDevice() const;

 private:
  struct State;
  EventLoop& loop_;
  std::shared_ptr<State> state_;
  std::vector<std::thread> threads_;
};

}  // namespace ferry
