#include "delivery_book.h"

#include <algorithm>

#include "client_name.h"

namespace ferry {
namespace {

// Twice the most open deliveries: linear probing stays short.
constexpr std::size_t kTableSize = 2 * DeliveryBook::kMaxOpen;
static_assert((kTableSize & (kTableSize - 1)) == 0, "a power of two");

// FNV-1a, 64 bits: small keys, no allocation.
std::uint64_t fnv(std::uint64_t h, std::string_view s) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  // A separator, so ("ab", "c") and ("a", "bc") differ.
  h ^= 0xff;
  h *= 0x100000001b3ull;
  return h;
}

std::uint64_t fnv(std::uint64_t h, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 0x100000001b3ull;
  }
  return h;
}

void assign(std::string& to, std::string_view from) { to.assign(from.data(), from.size()); }

}  // namespace

std::uint64_t deliveryVersion(std::string_view etag) { return fnv(0xcbf29ce484222325ull, etag); }

std::string_view addressWithoutPort(std::string_view client) {
  if (!client.empty() && client.front() == '[') {
    std::size_t close = client.find(']');
    return close == std::string_view::npos ? client : client.substr(1, close - 1);
  }
  // One colon: "ip:port". More: an IPv6 address as forwarded, without port.
  std::size_t colon = client.find(':');
  if (colon != std::string_view::npos && client.find(':', colon + 1) == std::string_view::npos)
    return client.substr(0, colon);
  return client;
}

DeliveryBook::DeliveryBook(Hooks hooks, Clock::duration idle) : hooks_(std::move(hooks)), idle_(idle) {
  table_.assign(kTableSize, 0);
  ended_.resize(kMaxEnded);
}

DeliveryBook::~DeliveryBook() = default;

std::uint64_t DeliveryBook::hashOf(const DeliveryKey& key, std::string_view token) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  h = fnv(h, key.address);
  h = fnv(h, key.userAgent);
  h = fnv(h, token);
  h = fnv(h, key.item);
  h = fnv(h, key.size);
  h = fnv(h, key.version);
  return h;
}

bool DeliveryBook::matches(const Entry& e, const DeliveryKey& key, std::string_view token) const {
  return e.info.size == key.size && e.version == key.version && e.info.address == key.address &&
         e.info.userAgent == key.userAgent && e.info.item == key.item && e.info.share &&
         e.info.share->token == token;
}

DeliveryBook::Entry* DeliveryBook::get(DeliveryRef ref) {
  if (!ref || ref.slot >= slots_.size() || slots_[ref.slot].info.id != ref.id) return nullptr;
  return &slots_[ref.slot];
}

const DeliveryInfo* DeliveryBook::find(DeliveryRef ref) const {
  if (ref && ref.slot < slots_.size() && slots_[ref.slot].info.id == ref.id) return &slots_[ref.slot].info;
  for (const Entry& e : ended_)
    if (ref && e.info.id == ref.id) return &e.info;
  return nullptr;
}

std::uint32_t DeliveryBook::lookup(const DeliveryKey& key, std::string_view token, std::uint64_t hash) const {
  for (std::size_t i = hash & (kTableSize - 1);; i = (i + 1) & (kTableSize - 1)) {
    std::uint32_t v = table_[i];
    if (v == 0) return kNone;
    const Entry& e = slots_[v - 1];
    if (e.hash == hash && matches(e, key, token)) return v - 1;
  }
}

void DeliveryBook::tableInsert(std::uint32_t slot) {
  std::size_t i = slots_[slot].hash & (kTableSize - 1);
  while (table_[i] != 0) i = (i + 1) & (kTableSize - 1);
  table_[i] = slot + 1;
  slots_[slot].inTable = true;
}

void DeliveryBook::tableErase(std::uint32_t slot) {
  std::size_t i = slots_[slot].hash & (kTableSize - 1);
  while (table_[i] != slot + 1) i = (i + 1) & (kTableSize - 1);
  // Backward-shift deletion: move up every later entry of the run that
  // would no longer be found past the hole.
  for (std::size_t j = (i + 1) & (kTableSize - 1); table_[j] != 0; j = (j + 1) & (kTableSize - 1)) {
    std::size_t home = slots_[table_[j] - 1].hash & (kTableSize - 1);
    // Whether `home` lies cyclically in (i, j]: then the entry stays.
    bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    table_[i] = table_[j];
    i = j;
  }
  table_[i] = 0;
  slots_[slot].inTable = false;
}

void DeliveryBook::idlePush(std::uint32_t slot, Clock::time_point now) {
  Entry& e = slots_[slot];
  e.idleSince = now;
  e.idle = true;
  e.prevIdle = idleTail_;
  e.nextIdle = kNone;
  if (idleTail_ != kNone) slots_[idleTail_].nextIdle = slot;
  else idleHead_ = slot;
  idleTail_ = slot;
}

void DeliveryBook::idleUnlink(std::uint32_t slot) {
  Entry& e = slots_[slot];
  if (!e.idle) return;
  if (e.prevIdle != kNone) slots_[e.prevIdle].nextIdle = e.nextIdle;
  else idleHead_ = e.nextIdle;
  if (e.nextIdle != kNone) slots_[e.nextIdle].prevIdle = e.prevIdle;
  else idleTail_ = e.prevIdle;
  e.prevIdle = e.nextIdle = kNone;
  e.idle = false;
}

DeliveryRef DeliveryBook::open(const DeliveryKey& keyIn, std::shared_ptr<const Share> share, Clock::time_point now) {
  if (!share) return {};
  DeliveryKey key = keyIn;
  key.userAgent = key.userAgent.substr(0, kMaxUserAgent);
  const std::uint64_t hash = hashOf(key, share->token);
  const auto wall = std::chrono::system_clock::now();
  if (std::uint32_t slot = lookup(key, share->token, hash); slot != kNone) {
    Entry& e = slots_[slot];
    if (e.info.active == 0) {
      idleUnlink(slot);
      // Nothing was in flight and the last try ended short: the client
      // picks up where it stopped. A parallel segment is not a resume.
      if (e.endedShort) ++e.info.resumes;
      e.endedShort = false;
    }
    ++e.info.requests;
    ++e.info.active;
    e.info.updated = wall;
    return {slot, e.info.id};
  }
  if (inProgress_ >= kMaxOpen) {
    // Full: the delivery idle longest ends, as it would have when its time
    // was up. With none idle, this request is not booked.
    if (idleHead_ == kNone) return {};
    end(idleHead_, DeliveryOutcome::kStopped, {}, now);
  }
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Entry& e = slots_[slot];
  e.info.id = nextId_++;
  e.info.share = std::move(share);
  assign(e.info.item, key.item);
  assign(e.info.address, key.address);
  // A slot keeps its last client's name: the same client again (the usual
  // case) costs no new string.
  if (e.info.userAgent != key.userAgent) {
    assign(e.info.userAgent, key.userAgent);
    e.info.clientName = clientName(key.userAgent);
  }
  e.info.size = key.size;
  e.info.covered = 0;
  e.info.requests = 1;
  e.info.resumes = 0;
  e.info.active = 1;
  e.info.started = e.info.updated = wall;
  e.info.rate = 0;
  e.info.outcome = DeliveryOutcome::kInProgress;
  e.info.reason.clear();
  e.hash = hash;
  e.version = key.version;
  e.pieces.clear();
  e.bytesSent = e.bytesAtLastTick = 0;
  e.endedShort = false;
  e.shown = false;
  e.idle = false;
  e.echo = deliveredRecently(hash, now);
  e.prevIdle = e.nextIdle = kNone;
  tableInsert(slot);
  ++inProgress_;
  ++open_;
  return {slot, e.info.id};
}

void DeliveryBook::addPiece(Entry& e, std::uint64_t first, std::uint64_t end) {
  auto& v = e.pieces;
  // The first piece that touches [first, end) or lies after it; pieces that
  // touch it (overlap or adjoin) merge into one.
  auto it = std::lower_bound(v.begin(), v.end(), first, [](const Piece& p, std::uint64_t x) { return p.end < x; });
  auto last = it;
  std::uint64_t nf = first, ne = end;
  while (last != v.end() && last->first <= end) {
    nf = std::min(nf, last->first);
    ne = std::max(ne, last->end);
    e.info.covered -= last->end - last->first;
    ++last;
  }
  e.info.covered += ne - nf;
  if (it == last) {
    v.insert(it, Piece{nf, ne});
  } else {
    *it = Piece{nf, ne};
    v.erase(it + 1, last);
  }
  if (v.size() > kMaxPieces) {
    auto smallest = std::min_element(v.begin(), v.end(), [](const Piece& a, const Piece& b) {
      return a.end - a.first < b.end - b.first;
    });
    e.info.covered -= smallest->end - smallest->first;
    v.erase(smallest);
  }
}

void DeliveryBook::cover(DeliveryRef ref, std::uint64_t from, std::uint64_t to, Clock::time_point now) {
  Entry* e = get(ref);
  if (!e || to <= from) return;
  e->bytesSent += to - from;
  if (e->info.outcome != DeliveryOutcome::kInProgress) return;
  to = std::min(to, e->info.size);
  if (from >= to) return;
  addPiece(*e, from, to);
  e->info.updated = std::chrono::system_clock::now();
  if (e->info.covered == e->info.size) end(ref.slot, DeliveryOutcome::kDelivered, {}, now);
}

void DeliveryBook::close(DeliveryRef ref, bool complete, Clock::time_point now) {
  Entry* e = get(ref);
  if (!e || e->info.active == 0) return;
  --e->info.active;
  e->info.updated = std::chrono::system_clock::now();
  if (!complete) e->endedShort = true;
  if (e->info.outcome == DeliveryOutcome::kInProgress) {
    // An empty file has no byte to cover: a GET that completed delivers it.
    if (complete && e->info.size == 0) return end(ref.slot, DeliveryOutcome::kDelivered, {}, now);
    if (e->info.active == 0) idlePush(ref.slot, now);
  } else if (e->info.active == 0) {
    retire(ref.slot);
  }
}

void DeliveryBook::cancel(DeliveryRef ref, std::string_view reason, Clock::time_point now) {
  Entry* e = get(ref);
  if (e && e->info.outcome == DeliveryOutcome::kInProgress) end(ref.slot, DeliveryOutcome::kCancelled, reason, now);
}

void DeliveryBook::cancelShare(std::string_view token, std::string_view reason, Clock::time_point now) {
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    const Entry& e = slots_[i];
    if (e.info.id && e.info.outcome == DeliveryOutcome::kInProgress && e.info.share->token == token)
      end(i, DeliveryOutcome::kCancelled, reason, now);
  }
}

void DeliveryBook::end(std::uint32_t slot, DeliveryOutcome outcome, std::string_view reason, Clock::time_point now) {
  Entry& e = slots_[slot];
  e.info.outcome = outcome;
  assign(e.info.reason, reason);
  e.info.rate = 0;
  e.endedAt = now;
  e.shown = false;
  if (e.inTable) tableErase(slot);
  --inProgress_;
  idleUnlink(slot);
  if (outcome == DeliveryOutcome::kDelivered) {
    if (recent_.size() < kRecentDelivered) recent_.resize(kRecentDelivered);
    recent_[recentNext_] = {e.hash, now};
    recentNext_ = (recentNext_ + 1) % kRecentDelivered;
    if (hooks_.delivered) hooks_.delivered(e.info);
  }
  if (e.info.active == 0) retire(slot);
}

bool DeliveryBook::deliveredRecently(std::uint64_t hash, Clock::time_point now) const {
  for (const Recent& r : recent_)
    if (r.hash == hash && now - r.at < kEcho) return true;
  return false;
}

void DeliveryBook::retire(std::uint32_t slot) {
  if (hidden(slots_[slot])) return freeSlot(slot);  // an echo that ended short: no trace
  if (endedCount_ == ended_.size() && ended_[endedNext_].info.id && !ended_[endedNext_].shown) {
    // The ring is full and its oldest has not been in a snapshot yet: room
    // for it until the next one, or, past kMaxUnshown, a snapshot now.
    if (ended_.size() < kMaxUnshown) growEnded();
    else if (hooks_.flush) hooks_.flush();
  }
  Entry& oldest = ended_[endedNext_];
  Entry& e = slots_[slot];
  // Its info swapped, not copied: strings keep their capacity (and the slot
  // its pieces), so a busy server's deliveries allocate nothing once the
  // ring has filled.
  std::swap(oldest.info, e.info);
  oldest.endedAt = e.endedAt;
  oldest.shown = e.shown;
  endedNext_ = (endedNext_ + 1) % ended_.size();
  endedCount_ = std::min(endedCount_ + 1, ended_.size());
  freeSlot(slot);
}

void DeliveryBook::growEnded() {
  // Full: endedNext_ is the oldest. Oldest first, then room after the newest.
  std::rotate(ended_.begin(), ended_.begin() + static_cast<std::ptrdiff_t>(endedNext_), ended_.end());
  endedNext_ = ended_.size();
  ended_.resize(std::min(2 * ended_.size(), kMaxUnshown));
}

void DeliveryBook::freeSlot(std::uint32_t slot) {
  Entry& freed = slots_[slot];
  freed.info.id = 0;
  freed.info.share.reset();
  freed.inTable = freed.idle = false;
  free_.push_back(slot);
  --open_;
  if (open_ == 0 && slots_.size() > 256) {
    // The last of a burst: the slots go back rather than keep its high-water mark.
    std::vector<Entry>().swap(slots_);
    std::vector<std::uint32_t>().swap(free_);
  }
}

bool DeliveryBook::expire(Clock::time_point now) {
  bool changed = false;
  while (idleHead_ != kNone && now - slots_[idleHead_].idleSince >= idle_) {
    end(idleHead_, DeliveryOutcome::kStopped, {}, now);
    changed = true;
  }
  while (endedCount_ > 0) {
    Entry& e = ended_[(endedNext_ + ended_.size() - endedCount_) % ended_.size()];
    if (!e.shown || now - e.endedAt <= kRetainEnded) break;
    e.info.id = 0;
    e.info.share.reset();
    --endedCount_;
    changed = true;
  }
  // A burst is over: the ring it grew goes back to its usual size.
  if (endedCount_ == 0 && ended_.size() > kMaxEnded) {
    std::vector<Entry>(kMaxEnded).swap(ended_);
    endedNext_ = 0;
  }
  return changed;
}

DeliveryBook::Clock::time_point DeliveryBook::nextStop() const {
  return idleHead_ == kNone ? Clock::time_point::max() : slots_[idleHead_].idleSince + idle_;
}

void DeliveryBook::tick(double dt, double alpha) {
  for (Entry& e : slots_) {
    if (!e.info.id || e.info.outcome != DeliveryOutcome::kInProgress) continue;
    double inst = static_cast<double>(e.bytesSent - e.bytesAtLastTick) / dt;
    e.bytesAtLastTick = e.bytesSent;
    e.info.rate += alpha * (inst - e.info.rate);
    if (e.info.rate < 1) e.info.rate = inst;  // let a stalled delivery reach 0
  }
}

void DeliveryBook::fill(std::vector<DeliveryInfo>& out) {
  // Assigned over what `out` held (a snapshot filled again): its strings
  // keep their capacity.
  std::size_t n = 0;
  auto put = [&](const DeliveryInfo& info) {
    if (n < out.size()) out[n] = info;
    else out.push_back(info);
    ++n;
  };
  for (Entry& e : slots_) {
    if (!e.info.id || hidden(e)) continue;
    put(e.info);
    if (e.info.outcome != DeliveryOutcome::kInProgress) e.shown = true;
  }
  for (std::size_t i = 0; i < endedCount_; ++i) {
    Entry& e = ended_[(endedNext_ + ended_.size() - endedCount_ + i) % ended_.size()];
    put(e.info);
    e.shown = true;
  }
  out.resize(n);
  // All shown now: the last kMaxEnded stay for the snapshots to come.
  for (; endedCount_ > kMaxEnded; --endedCount_) {
    Entry& e = ended_[(endedNext_ + ended_.size() - endedCount_) % ended_.size()];
    e.info.id = 0;
    e.info.share.reset();
  }
  std::sort(out.begin(), out.end(), [](const DeliveryInfo& a, const DeliveryInfo& b) { return a.id < b.id; });
}

}  // namespace ferry
