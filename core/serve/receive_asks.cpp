#include "receive_asks.h"

#include <algorithm>
#include <utility>

#include "receive_target.h"

namespace ferry {

ReceiveAsks::ReceiveAsks(EventLoop& loop, ReceiveTarget& target) : loop_(loop), target_(target) {}

ReceiveAsks::~ReceiveAsks() {
  for (const Open& o : open_) loop_.cancel(o.timer);
}

bool ReceiveAsks::wait(const ReceiveAsk& ask, std::weak_ptr<void> alive, Waiter then) {
  for (Open& o : open_) {
    if (o.ask.device != ask.device) continue;
    o.waiters.emplace_back(std::move(alive), std::move(then));
    return true;
  }
  if (open_.size() >= kMaxOpen) return false;
  Open o;
  o.ask = ask;
  o.ask.id = nextId_++;
  const std::uint64_t id = o.ask.id;
  o.timer = loop_.runAfter(target_.policy().askTimeout, [this, id] {
    for (std::size_t i = 0; i < open_.size(); ++i)
      if (open_[i].ask.id == id) {
        open_[i].timer = 0;
        return end(i, ReceiveAskState::kTimedOut);
      }
  });
  o.waiters.emplace_back(std::move(alive), std::move(then));
  open_.push_back(std::move(o));
  if (listener_) listener_(open_.back().ask, ReceiveAskState::kOpen);
  return true;
}

void ReceiveAsks::answer(std::uint64_t id, ReceiveAnswer answer) {
  for (std::size_t i = 0; i < open_.size(); ++i) {
    if (open_[i].ask.id != id) continue;
    // "Accept" answers this ask: its file and the ones it said follow.
    // "Always" remembers the device.
    if (answer == ReceiveAnswer::kAcceptAlways) target_.acceptDevice(open_[i].ask.device);
    if (answer == ReceiveAnswer::kAccept) target_.allowFiles(open_[i].ask.device, open_[i].ask.more);
    return end(i, answer == ReceiveAnswer::kDecline  ? ReceiveAskState::kDeclined
                  : answer == ReceiveAnswer::kAccept ? ReceiveAskState::kAccepted
                                                     : ReceiveAskState::kAcceptedAlways);
  }
}

void ReceiveAsks::withdrawAll() {
  while (!open_.empty()) end(open_.size() - 1, ReceiveAskState::kWithdrawn);
}

void ReceiveAsks::withdrawAbandoned() {
  for (std::size_t i = open_.size(); i-- > 0;) {
    const auto& waiters = open_[i].waiters;
    if (std::all_of(waiters.begin(), waiters.end(), [](const auto& w) { return w.first.expired(); }))
      end(i, ReceiveAskState::kWithdrawn);
  }
}

void ReceiveAsks::end(std::size_t index, ReceiveAskState state) {
  // Out of the list before anyone hears of it: a waiter's answer may start
  // another upload from the same device, which must find no open ask.
  Open o = std::move(open_[index]);
  open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(index));
  if (o.timer) loop_.cancel(o.timer);
  if (listener_) listener_(o.ask, state);
  for (auto& [alive, then] : o.waiters)
    if (auto keep = alive.lock()) then(state);
}

}  // namespace ferry
