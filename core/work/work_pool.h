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
// submit() and the destructor: the loop thread (or, once the loop has
// stopped, the thread that holds it). Job::run(): a pool thread. Job::done():
// the loop thread, in the order the jobs finished.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
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
    bool ran_ = false;
    bool media_ = false;
  };

  enum class Lane : unsigned char { kDisk, kMedia };

  // Four threads by default: enough for a few stalled disks at once, few
  // enough to cost nothing idle (libuv's default is four too).
  static constexpr unsigned kDefaultThreads = 4;

  // mediaThreads 0 = half the threads; always at least one thread is left
  // to disk work (a pool of one thread runs both, media waiting its turn).
  explicit WorkPool(EventLoop& loop, unsigned threads = kDefaultThreads, unsigned mediaThreads = 0);
  // Waits for the jobs that are running, then calls done() on this thread
  // for every job not yet delivered (those that never ran with ran=false).
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void submit(Job& job, Lane lane = Lane::kDisk);
  unsigned mediaThreads() const { return mediaMax_; }

 private:
  struct Queue {
    Job* head = nullptr;
    Job* tail = nullptr;
    void push(Job* j);
    Job* pop();
  };
  void worker();
  Job* take();  // the next job a thread may run now, under mutex_
  void deliver();  // on the loop: done() for every finished job

  EventLoop& loop_;
  std::mutex mutex_;
  std::condition_variable wake_;
  Queue waiting_;       // disk lane
  Queue waitingMedia_;  // media lane
  unsigned mediaMax_ = 1;
  unsigned mediaRunning_ = 0;
  Queue finished_;
  bool deliveryPosted_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ferry
