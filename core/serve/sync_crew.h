#pragma once

// SyncCrew: threads kept to make one batch of blocking calls several at
// once (an upload group's fdatasyncs, which share the disk's cache flushes
// when they wait together), so that a batch costs no thread starts and
// joins: with small files, a group of a few files every few milliseconds
// started and joined seven threads each time. The threads start with the
// first batch that needs them and wait for the next until the crew goes.
//
// Owns the state its threads share; the threads are detached and hold that
// state themselves, so one stuck in a call on a hung disk touches nothing
// freed when the crew's owner goes away (and the batch's caller, waiting
// for it, is stuck with it, as it would be waiting on its own call).
//
// run(): one caller at a time, any thread (a work pool thread running a
// group). The destructor: with no run() going on but one stuck for good.

#include <cstddef>
#include <functional>
#include <memory>

namespace ferry {

class SyncCrew final {
 public:
  // At most `helpers` threads besides the caller of run().
  explicit SyncCrew(std::size_t helpers);
  ~SyncCrew();
  SyncCrew(const SyncCrew&) = delete;
  SyncCrew& operator=(const SyncCrew&) = delete;

  // Calls call(i) for every i below n, on the calling thread and on up to
  // `helpers` crew threads at once (fewer if the process can start no
  // more); returns once every call has returned.
  void run(std::size_t n, const std::function<void(std::size_t)>& call);

  // Crew threads started so far (for tests).
  std::size_t threads() const;

 private:
  struct State;
  const std::size_t helpers_;
  std::shared_ptr<State> state_;
};

}  // namespace ferry
