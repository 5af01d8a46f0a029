#include "gate_tries.h"

#include <algorithm>

namespace ferry {

std::uint32_t WrongTries::wait(std::string_view address, Clock::time_point now) const {
  auto it = byAddress_.find(address);
  if (it == byAddress_.end() || it->second->until <= now) return 0;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second->until - now).count();
  return static_cast<std::uint32_t>((left + 999) / 1000);
}

void WrongTries::wrong(std::string_view address, Clock::time_point now) {
  auto it = byAddress_.find(address);
  if (it == byAddress_.end()) {
    if (byAddress_.size() >= kMaxAddresses) {
      byAddress_.erase(recent_.back().address);
      recent_.pop_back();
    }
    recent_.push_front(Entry{std::string(address), 0, now, now});
    it = byAddress_.emplace(recent_.front().address, recent_.begin()).first;
  } else {
    recent_.splice(recent_.begin(), recent_, it->second);
  }
  Entry& e = *it->second;
  if (now - e.last >= kForget) e.wrong = 0;
  e.last = now;
  ++e.wrong;
  if (e.wrong >= kBanAfter) {
    e.until = now + kBan;
  } else if (e.wrong >= kFree) {
    // 1 s after the last free try, then twice as long each time.
    const std::uint32_t doublings = std::min<std::uint32_t>(e.wrong - kFree, 30);
    e.until = now + std::min<Clock::duration>(std::chrono::seconds(std::uint64_t(1) << doublings), kMaxPause);
  }
}

void WrongTries::forgive(std::string_view address) {
  auto it = byAddress_.find(address);
  if (it == byAddress_.end()) return;
  recent_.erase(it->second);
  byAddress_.erase(it);
}

}  // namespace ferry
