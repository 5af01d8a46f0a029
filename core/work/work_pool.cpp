#include "work_pool.h"

#include <algorithm>

namespace ferry {

void WorkPool::Queue::push(Job* j) {
  j->next_ = nullptr;
  if (tail)
    tail->next_ = j;
  else
    head = j;
  tail = j;
}

WorkPool::Job* WorkPool::Queue::pop() {
  Job* j = head;
  if (!j) return nullptr;
  head = j->next_;
  if (!head) tail = nullptr;
  j->next_ = nullptr;
  return j;
}

WorkPool::WorkPool(EventLoop& loop, unsigned threads, unsigned mediaThreads) : loop_(loop) {
  if (threads == 0) threads = 1;
  if (mediaThreads == 0) mediaThreads = threads / 2;
  // One thread at least stays for disk work; with a single thread, media
  // jobs still run (between disk jobs) rather than never.
  mediaMax_ = threads == 1 ? 1 : std::clamp(mediaThreads, 1u, threads - 1);
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { worker(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  // The loop has stopped (or is this thread): hand back what is left here,
  // so that every owner that is waiting for done() frees its memory.
  Queue left;
  {
    std::lock_guard lock(mutex_);
    while (Job* j = finished_.pop()) left.push(j);
    for (Queue* q : {&waiting_, &waitingMedia_})
      while (Job* j = q->pop()) {
        j->ran_ = false;
        left.push(j);
      }
  }
  while (Job* j = left.pop()) j->done(j->ran_);
}

void WorkPool::submit(Job& job, Lane lane) {
  loop_.assertInLoopThread();
  {
    std::lock_guard lock(mutex_);
    job.ran_ = false;
    job.media_ = lane == Lane::kMedia;
    (job.media_ ? waitingMedia_ : waiting_).push(&job);
  }
  // A woken thread that may not take a media job (the lane is full) goes
  // back to sleep; the thread that ends a media job takes the next itself.
  wake_.notify_one();
}

WorkPool::Job* WorkPool::take() {
  // Disk work first: it is short, and a download is waiting for it.
  if (Job* j = waiting_.pop()) return j;
  if (mediaRunning_ < mediaMax_)
    if (Job* j = waitingMedia_.pop()) {
      ++mediaRunning_;
      return j;
    }
  return nullptr;
}

void WorkPool::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    Job* j = nullptr;
    wake_.wait(lock, [&] { return stopping_ || (j = take()) != nullptr; });
    if (stopping_) {
      // Taken just now but not run: back to its queue, handed back unrun.
      if (j) {
        if (j->media_) --mediaRunning_;
        (j->media_ ? waitingMedia_ : waiting_).push(j);
      }
      return;
    }
    lock.unlock();
    j->run();
    lock.lock();
    if (j->media_) --mediaRunning_;
    j->ran_ = true;
    finished_.push(j);
    // One wake of the loop for however many jobs finish before it runs.
    if (!deliveryPosted_ && !stopping_) {
      deliveryPosted_ = true;
      loop_.post([this] { deliver(); });
    }
  }
}

void WorkPool::deliver() {
  Queue ready;
  {
    std::lock_guard lock(mutex_);
    deliveryPosted_ = false;
    while (Job* j = finished_.pop()) ready.push(j);
  }
  // done() may submit again (the next read of the same file): that job goes
  // to the waiting queue, not into this batch.
  while (Job* j = ready.pop()) {
    try {
      j->done(true);
    } catch (...) {
      // The loop reports it; the jobs after this one are still owed their
      // done(), or their owners would never be freed.
      std::lock_guard lock(mutex_);
      while (Job* rest = ready.pop()) finished_.push(rest);
      if (finished_.head && !deliveryPosted_) {
        deliveryPosted_ = true;
        loop_.post([this] { deliver(); });
      }
      throw;
    }
  }
}

}  // namespace ferry
