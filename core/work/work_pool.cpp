#include "work_pool.h"

#include <algorithm>
#include <utility>

namespace ferry {
namespace {

// Jobs whose thread was still stuck in them when their pool went away: kept
// allocated, and reachable, for the rest of the process, since that thread
// may still return into them. Never freed (a hung disk at exit costs this).
std::mutex keptMutex;
std::vector<WorkPool::Job*>* kept = nullptr;

void keepForever(WorkPool::Job* j) {
  std::lock_guard lock(keptMutex);
  if (!kept) kept = new std::vector<WorkPool::Job*>;
  kept->push_back(j);
}

}  // namespace

std::size_t WorkPool::jobsLeftBehind() {
  std::lock_guard lock(keptMutex);
  return kept ? kept->size() : 0;
}

// What the threads share with the pool: kept alive by each thread, so that
// one left stuck past the pool's end still finds its lock and queues.
struct WorkPool::State : std::enable_shared_from_this<State> {
  struct Queue {
    Job* head = nullptr;
    Job* tail = nullptr;
    void push(Job* j);
    Job* pop();
    void unlink(Job* prev, Job* j);  // j follows prev (null: j is the head)
  };

  EventLoop* loop = nullptr;  // null once the pool is gone: a late thread hands back nothing
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable left;  // a thread has ended
  Queue waiting;       // disk lane
  Queue waitingMedia;  // media lane
  Queue finished;
  unsigned mediaMax = 1;
  unsigned mediaRunning = 0;
  unsigned perDevice = 1;
  std::unordered_map<std::uint64_t, unsigned> deviceRunning;
  std::vector<Job*> running;  // by thread: the job it is in, or null
  std::vector<bool> ended;    // by thread: it has returned
  unsigned threadsLeft = 0;
  std::chrono::milliseconds stopDeadline{0};
  bool deliveryPosted = false;
  bool stopping = false;

  static void worker(std::shared_ptr<State> self, unsigned index);
  Job* take();  // the next job a thread may run now, under mutex
  Job* takeFrom(Queue& q);
  void release(Job* j);  // j no longer runs: its lane's and device's counts
  void deliver();        // on the loop: done() for every finished job
};

void WorkPool::State::Queue::push(Job* j) {
  j->next_ = nullptr;
  if (tail)
    tail->next_ = j;
  else
    head = j;
  tail = j;
}

WorkPool::Job* WorkPool::State::Queue::pop() {
  Job* j = head;
  if (j) unlink(nullptr, j);
  return j;
}

void WorkPool::State::Queue::unlink(Job* prev, Job* j) {
  (prev ? prev->next_ : head) = j->next_;
  if (tail == j) tail = prev;
  j->next_ = nullptr;
}

WorkPool::WorkPool(EventLoop& loop, unsigned threads, unsigned mediaThreads, std::chrono::milliseconds stopDeadline)
    : loop_(loop), state_(std::make_shared<State>()) {
  if (threads == 0) threads = 1;
  if (mediaThreads == 0) mediaThreads = threads / 2;
  State& s = *state_;
  s.loop = &loop;
  // One thread at least stays for disk work; with a single thread, media
  // jobs still run (between disk jobs) rather than never.
  s.mediaMax = threads == 1 ? 1 : std::clamp(mediaThreads, 1u, threads - 1);
  s.perDevice = std::max(1u, threads / 2);
  s.stopDeadline = stopDeadline;
  s.running.assign(threads, nullptr);
  s.ended.assign(threads, false);
  s.threadsLeft = threads;
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back(&State::worker, state_, i);
}

unsigned WorkPool::mediaThreads() const { return state_->mediaMax; }
unsigned WorkPool::perDevice() const { return state_->perDevice; }

WorkPool::~WorkPool() {
  State& s = *state_;
  std::vector<bool> ended;
  {
    std::unique_lock lock(s.mutex);
    s.stopping = true;
    s.wake.notify_all();
    s.left.wait_for(lock, s.stopDeadline, [&] { return s.threadsLeft == 0; });
    // Still in a job after the deadline (an open on a dead mount): that
    // thread is left to return on its own; its job is never handed back.
    for (Job*& j : s.running)
      if (j) keepForever(std::exchange(j, nullptr));
    s.loop = nullptr;
    ended = s.ended;
  }
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    if (ended[i])
      threads_[i].join();
    else
      threads_[i].detach();
  }
  // The loop has stopped (or is this thread): hand back what is left here,
  // so that every owner that is waiting for done() frees its memory.
  State::Queue left;
  {
    std::lock_guard lock(s.mutex);
    while (Job* j = s.finished.pop()) left.push(j);
    for (State::Queue* q : {&s.waiting, &s.waitingMedia})
      while (Job* j = q->pop()) {
        j->ran_ = false;
        left.push(j);
      }
  }
  while (Job* j = left.pop()) j->done(j->ran_);
}

void WorkPool::submit(Job& job, Lane lane, std::uint64_t device) {
  State& s = *state_;
  s.loop->assertInLoopThread();
  {
    std::lock_guard lock(s.mutex);
    job.ran_ = false;
    job.media_ = lane == Lane::kMedia;
    // A media job is not counted against its device (see the class comment).
    job.device_ = job.media_ ? 0 : device;
    (job.media_ ? s.waitingMedia : s.waiting).push(&job);
  }
  // A woken thread that may not take the job (its lane or its device is
  // full) goes back to sleep; the thread that ends such a job takes the
  // next itself.
  s.wake.notify_one();
}

WorkPool::Job* WorkPool::State::takeFrom(Queue& q) {
  Job* prev = nullptr;
  for (Job* j = q.head; j; prev = j, j = j->next_) {
    if (j->device_) {
      auto it = deviceRunning.find(j->device_);
      if (it != deviceRunning.end() && it->second >= perDevice) continue;  // that disk has its share
      ++deviceRunning[j->device_];
    }
    q.unlink(prev, j);
    return j;
  }
  return nullptr;
}

WorkPool::Job* WorkPool::State::take() {
  // Disk work first: it is short, and a download is waiting for it.
  if (Job* j = takeFrom(waiting)) return j;
  if (mediaRunning < mediaMax)
    if (Job* j = takeFrom(waitingMedia)) {
      ++mediaRunning;
      return j;
    }
  return nullptr;
}

void WorkPool::State::release(Job* j) {
  if (j->media_) --mediaRunning;
  if (j->device_) {
    auto it = deviceRunning.find(j->device_);
    if (it != deviceRunning.end() && --it->second == 0) deviceRunning.erase(it);
  }
}

void WorkPool::State::worker(std::shared_ptr<State> self, unsigned index) {
  State& s = *self;
  std::unique_lock lock(s.mutex);
  for (;;) {
    Job* j = nullptr;
    s.wake.wait(lock, [&] { return s.stopping || (j = s.take()) != nullptr; });
    if (s.stopping) {
      // Taken just now but not run: back to its queue, handed back unrun.
      if (j) {
        s.release(j);
        (j->media_ ? s.waitingMedia : s.waiting).push(j);
      }
      break;
    }
    s.running[index] = j;
    lock.unlock();
    j->run();
    lock.lock();
    // The pool went away while this job was stuck: it is kept, not ours.
    if (!s.loop) return;
    s.running[index] = nullptr;
    s.release(j);
    j->ran_ = true;
    s.finished.push(j);
    // One wake of the loop for however many jobs finish before it runs.
    if (!s.deliveryPosted && !s.stopping) {
      s.deliveryPosted = true;
      s.loop->post([self] { self->deliver(); });
    }
  }
  s.ended[index] = true;
  --s.threadsLeft;
  s.left.notify_all();
}

void WorkPool::State::deliver() {
  Queue ready;
  {
    std::lock_guard lock(mutex);
    deliveryPosted = false;
    while (Job* j = finished.pop()) ready.push(j);
  }
  // done() may submit again (the next read of the same file): that job goes
  // to the waiting queue, not into this batch.
  while (Job* j = ready.pop()) {
    try {
      j->done(true);
    } catch (...) {
      // The loop reports it; the jobs after this one are still owed their
      // done(), or their owners would never be freed.
      std::lock_guard lock(mutex);
      while (Job* rest = ready.pop()) finished.push(rest);
      if (finished.head && !deliveryPosted && loop) {
        deliveryPosted = true;
        loop->post([self = shared_from_this()] { self->deliver(); });
      }
      throw;
    }
  }
}

}  // namespace ferry
