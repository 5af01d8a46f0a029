#include "work_pool.h"

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

WorkPool::WorkPool(EventLoop& loop, unsigned threads) : loop_(loop) {
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
    while (Job* j = waiting_.pop()) {
      j->ran_ = false;
      left.push(j);
    }
  }
  while (Job* j = left.pop()) j->done(j->ran_);
}

void WorkPool::submit(Job& job) {
  loop_.assertInLoopThread();
  {
    std::lock_guard lock(mutex_);
    job.ran_ = false;
    waiting_.push(&job);
  }
  wake_.notify_one();
}

void WorkPool::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || waiting_.head; });
    if (stopping_) return;
    Job* j = waiting_.pop();
    lock.unlock();
    j->run();
    lock.lock();
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
