#include "transfer_stats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "delivery_book.h"
#include "share_registry.h"

namespace ferry {

namespace {

// A shared file with a download limit counts the copies that left, whoever
// took them (CopyCounter); everything else counts deliveries to one client.
bool countsCopies(const Share& share, std::uint64_t fileSize) {
  return share.rules.downloadLimit != 0 && !share.folder && fileSize > 0;
}

// A folder's limit counts recipients (noteRecipient()), so its deliveries
// are never counted toward one, even before it has a limit.
bool countsRecipients(const Share& share) { return share.folder; }

}  // namespace

const char* toString(TransferState s) {
  switch (s) {
    case TransferState::kActive: return "active";
    case TransferState::kDone: return "done";
    case TransferState::kCancelled: return "cancelled";
    case TransferState::kFailed: return "failed";
  }
  return "?";
}

const char* toString(DeliveryOutcome o) {
  switch (o) {
    case DeliveryOutcome::kInProgress: return "in progress";
    case DeliveryOutcome::kDelivered: return "delivered";
    case DeliveryOutcome::kStopped: return "stopped";
    case DeliveryOutcome::kCancelled: return "cancelled";
  }
  return "?";
}

TransferStats::TransferStats(EventLoop& loop, Publish publish)
    : loop_(loop),
      publish_(std::move(publish)),
      book_({[this](const DeliveryInfo& d) { delivered(d); }, [this] { publishNow(); }}) {
  finished_.resize(kMaxFinished);
}

TransferStats::~TransferStats() {
  if (ticker_) loop_.cancel(ticker_);
  if (idleStop_) loop_.cancel(idleStop_);
  noteDeliveries();
}

void TransferStats::setDeliveredListener(std::function<void(std::string_view, std::uint32_t)> listener) {
  deliveredListener_ = std::move(listener);
}

void TransferStats::setDeliveryIdle(std::chrono::steady_clock::duration idle) { book_.setIdle(idle); }

void TransferStats::delivered(const DeliveryInfo& d) {
  const std::string& token = d.share->token;
  auto counters = shares_.find(std::string_view(token));
  if (counters != shares_.end()) {
    if (!countsRecipients(*d.share)) ++counters->second.deliveries;
    auto devices = devices_.find(std::string_view(token));
    if (devices == devices_.end()) devices = devices_.emplace(token, std::unordered_set<std::uint64_t>()).first;
    if (devices->second.size() < kMaxDevices) devices->second.insert(deliveryVersion(d.address));
    counters->second.devices = static_cast<std::uint32_t>(devices->second.size());
  }
  // A download limit must hold from the very next request; a count that
  // limits nothing is told with the next snapshot, so a busy server's
  // deliveries do not copy the share each.
  if (countsCopies(*d.share, d.size)) return;  // counted as its bytes left (addBytes)
  if (countsRecipients(*d.share)) return;       // counted as its recipients came
  if (d.share->rules.downloadLimit != 0) {
    if (deliveredListener_) deliveredListener_(token, 1);
    return;
  }
  auto pending = undelivered_.find(std::string_view(token));
  if (pending == undelivered_.end()) pending = undelivered_.emplace(token, 0).first;
  ++pending->second;
}

void TransferStats::noteRecipient(std::string_view token) {
  auto counters = shares_.find(token);
  if (counters == shares_.end())
    counters = shares_.emplace(std::string(token), ShareCounters{std::string(token), 0, 0}).first;
  ++counters->second.deliveries;
  markChanged();
}

void TransferStats::noteDeliveries() {
  for (auto& [token, n] : undelivered_) {
    if (n && deliveredListener_) deliveredListener_(token, n);
    n = 0;
  }
}

void TransferStats::cancelDelivery(std::uint64_t transferId, std::string_view reason) {
  for (const Record& r : slots_)
    if (r.id == transferId && r.delivery) {
      book_.cancel(r.delivery, reason, std::chrono::steady_clock::now());
      markChanged();
    }
}

void TransferStats::cancelDeliveries(std::string_view token, std::string_view reason) {
  book_.cancelShare(token, reason, std::chrono::steady_clock::now());
  markChanged();
}

TransferHandle TransferStats::begin(std::string_view client, std::shared_ptr<const Share> share,
                                    std::uint64_t fileSize, std::uint64_t rangeFirst, std::uint64_t bytesTotal,
                                    std::string_view item, TransferDirection direction,
                                    const Delivering* delivering) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Record& r = slots_[slot];
  r.id = nextId_++;
  auto counters = shares_.find(std::string_view(share->token));
  if (counters == shares_.end()) counters = shares_.emplace(share->token, ShareCounters{share->token, 0, 0}).first;
  r.counters = &counters->second;
  r.share = std::move(share);
  r.item.assign(item.data(), item.size());
  std::size_t n = std::min(client.size(), sizeof r.client - 1);
  std::memcpy(r.client, client.data(), n);
  r.client[n] = '\0';
  r.fileSize = fileSize;
  r.rangeFirst = rangeFirst;
  r.bytesTotal = bytesTotal;
  r.bytesSent = 0;
  r.bytesAtLastTick = 0;
  r.started = std::chrono::system_clock::now();
  r.rate = 0;
  r.state = TransferState::kActive;
  r.direction = direction;
  r.reason.clear();
  r.clientName.clear();
  r.delivery = {};
  r.copies = {};
  if (delivering && direction == TransferDirection::kDownload) {
    DeliveryKey key{addressWithoutPort(client), delivering->userAgent, item, fileSize, delivering->version};
    r.delivery = book_.open(key, r.share, std::chrono::steady_clock::now());
    if (countsCopies(*r.share, fileSize)) r.copies = copies_.open(r.share->token, item, delivering->version, fileSize);
  }
  ++active_;
  ++totalTransfers_;
  markChanged();
  return {slot, r.id};
}

void TransferStats::addBytes(TransferHandle h, std::uint64_t n) {
  if (h.slot >= slots_.size() || slots_[h.slot].id != h.id || n == 0) return;
  Record& r = slots_[h.slot];
  r.bytesSent += n;
  r.counters->bytesSent += n;
  const std::uint64_t from = r.rangeFirst + r.bytesSent - n, to = r.rangeFirst + r.bytesSent;
  if (r.copies) {
    // Told at once: the next request must meet the limit.
    if (const std::uint32_t made = copies_.add(r.copies, from, to); made && deliveredListener_)
      deliveredListener_(r.share->token, made);
  }
  if (r.delivery) book_.cover(r.delivery, from, to, std::chrono::steady_clock::now());
  // Two rates: what leaves this computer and what arrives.
  if (r.direction == TransferDirection::kUpload)
    totalReceived_ += n;
  else
    totalBytes_ += n;
  markChanged();
}

void TransferStats::setClientName(TransferHandle h, std::string_view name) {
  if (h.slot >= slots_.size() || slots_[h.slot].id != h.id) return;
  slots_[h.slot].clientName.assign(name.data(), name.size());
  markChanged();
}

void TransferStats::finish(TransferHandle h, TransferState state, std::string reason) {
  if (h.slot >= slots_.size() || slots_[h.slot].id != h.id) return;
  // The ring is full of ends nobody has seen: the oldest is published before
  // it makes room (the window's list and history, the log, show every file).
  if (finishedUnseen_ == kMaxFinished) publishNow();
  Record& r = slots_[h.slot];
  r.state = state;
  r.reason = std::move(reason);
  r.rate = 0;
  r.finished = std::chrono::system_clock::now();
  const auto finishedAt = r.finishedAt = std::chrono::steady_clock::now();
  --active_;
  // A download counts once it delivered the file's last byte: a resumed
  // download counts once, and a probe for the first bytes does not count.
  if (state == TransferState::kDone && r.direction == TransferDirection::kDownload && r.fileSize > 0 &&
      r.rangeFirst + r.bytesTotal == r.fileSize)
    ++r.counters->downloads;
  const DeliveryRef delivery = r.delivery;
  const bool complete = state == TransferState::kDone && r.bytesSent >= r.bytesTotal;
  // Into the ring (overwriting the oldest), and free the slot.
  std::swap(finished_[finishedNext_], r);
  finishedNext_ = (finishedNext_ + 1) % kMaxFinished;
  finishedCount_ = std::min(finishedCount_ + 1, kMaxFinished);
  ++finishedUnseen_;
  r.id = 0;
  r.share.reset();
  std::string().swap(r.reason);  // the ring's oldest, swapped out: not kept in a free slot
  std::string().swap(r.clientName);
  free_.push_back(h.slot);
  if (active_ == 0 && slots_.size() > kKeepSlots) {
    // The last of a burst: give its slots back rather than keep the
    // high-water mark for good.
    std::vector<Record>().swap(slots_);
    std::vector<std::uint32_t>().swap(free_);
  }
  // Last: the book may publish from here (its ring of ended deliveries full).
  if (delivery) book_.close(delivery, complete, finishedAt);
  markChanged();
}

void TransferStats::setOpenConnections(std::size_t n) {
  if (n == connections_) return;
  connections_ = n;
  markChanged();
}

void TransferStats::markChanged() {
  changed_ = true;
  // The ticker only runs while there is something to report, so an idle
  // server's loop sleeps in wait() instead of waking ten times a second.
  if (!ticker_) {
    lastTick_ = std::chrono::steady_clock::now();
    ticker_ = loop_.runEvery(kTick, [this] { tick(); });
  }
}

void TransferStats::tick() {
  auto now = std::chrono::steady_clock::now();
  double dt = std::chrono::duration<double>(now - lastTick_).count();
  lastTick_ = now;
  if (dt <= 0) dt = 0.1;
  // Exponential moving average with a one-second time constant.
  const double alpha = 1.0 - std::exp(-dt / 1.0);
  for (Record& r : slots_) {
    if (!r.id) continue;
    double inst = static_cast<double>(r.bytesSent - r.bytesAtLastTick) / dt;
    r.bytesAtLastTick = r.bytesSent;
    r.rate += alpha * (inst - r.rate);
    if (r.rate < 1) r.rate = inst;  // let a stalled transfer reach 0
  }
  book_.tick(dt, alpha);
  if (book_.expire(now)) changed_ = true;
  // Expire finished transfers (the ring is in finishing order).
  while (finishedCount_ > 0) {
    std::size_t oldest = (finishedNext_ + kMaxFinished - finishedCount_) % kMaxFinished;
    if (now - finished_[oldest].finishedAt <= kRetainFinished) break;
    finished_[oldest].share.reset();
    finished_[oldest].id = 0;
    std::string().swap(finished_[oldest].reason);  // nothing of an old burst stays
    std::string().swap(finished_[oldest].item);
    std::string().swap(finished_[oldest].clientName);
    --finishedCount_;
    changed_ = true;
  }
  finishedUnseen_ = std::min(finishedUnseen_, finishedCount_);
  double inst = static_cast<double>(totalBytes_ - totalBytesAtLastTick_) / dt;
  totalBytesAtLastTick_ = totalBytes_;
  uploadRate_ += alpha * (inst - uploadRate_);
  if (uploadRate_ < 1) uploadRate_ = inst;
  inst = static_cast<double>(totalReceived_ - totalReceivedAtLastTick_) / dt;
  totalReceivedAtLastTick_ = totalReceived_;
  receiveRate_ += alpha * (inst - receiveRate_);
  if (receiveRate_ < 1) receiveRate_ = inst;
  bool moving = uploadRate_ > 0 || receiveRate_ > 0;

  if (changed_ || moving) {
    publishNow();
  } else if (active_ == 0 && finishedCount_ == 0 && book_.size() == book_.openCount()) {
    loop_.cancel(ticker_);
    ticker_ = 0;
    armIdleStop();
  }
}

void TransferStats::armIdleStop() {
  // Deliveries left idle stop minutes from now: one timer for the first of
  // them wakes the loop then, rather than the ticker all along.
  auto at = book_.nextStop();
  if (at == std::chrono::steady_clock::time_point::max()) return;
  if (idleStop_ && idleStopAt_ <= at) return;
  if (idleStop_) loop_.cancel(idleStop_);
  idleStopAt_ = at;
  idleStop_ = loop_.runAfter(at - std::chrono::steady_clock::now(), [this] {
    idleStop_ = 0;
    if (book_.expire(std::chrono::steady_clock::now())) markChanged();
    else armIdleStop();
  });
}

void TransferStats::fill(TransferInfo& out, const Record& r) {
  out.id = r.id;
  out.client = r.client;
  out.clientName = r.clientName;
  out.share = r.share;
  out.item = r.item;
  out.fileSize = r.fileSize;
  out.rangeFirst = r.rangeFirst;
  out.bytesTotal = r.bytesTotal;
  out.bytesSent = r.bytesSent;
  out.started = r.started;
  out.finished = r.finished;
  out.rate = r.rate;
  out.state = r.state;
  out.direction = r.direction;
  out.reason = r.reason;
  out.delivery = r.delivery.id;
}

std::shared_ptr<StatsSnapshot> TransferStats::spareSnapshot() {
  // One that only this pool holds any more: every reader let go of it (the
  // acquire fence pairs with their release of it), so it may be written.
  for (const auto& s : spare_)
    if (s.use_count() == 1) {
      std::atomic_thread_fence(std::memory_order_acquire);
      return s;
    }
  auto s = std::make_shared<StatsSnapshot>();
  if (spare_.size() < kSpareSnapshots) spare_.push_back(s);
  return s;
}

void TransferStats::publishNow() {
  // Filled over a snapshot of before that nobody reads now: its vectors and
  // strings keep their capacity, so publishing allocates nothing once warm.
  std::shared_ptr<StatsSnapshot> snap = spareSnapshot();
  snap->sequence = ++sequence_;
  snap->taken = std::chrono::steady_clock::now();
  std::size_t n = 0;
  auto put = [&](const Record& r) {
    if (n == snap->transfers.size()) snap->transfers.emplace_back();
    fill(snap->transfers[n++], r);
  };
  for (const Record& r : slots_)
    if (r.id) put(r);
  for (std::size_t i = 0; i < finishedCount_; ++i)
    put(finished_[(finishedNext_ + kMaxFinished - finishedCount_ + i) % kMaxFinished]);
  snap->transfers.resize(n);
  std::sort(snap->transfers.begin(), snap->transfers.end(),
            [](const TransferInfo& a, const TransferInfo& b) { return a.id < b.id; });
  snap->shares.resize(shares_.size());
  std::size_t i = 0;
  for (const auto& [token, sc] : shares_) snap->shares[i++] = sc;
  // The registry hears of deliveries before anyone sees them here.
  noteDeliveries();
  book_.fill(snap->deliveries);
  snap->uploadRate = uploadRate_;
  snap->receiveRate = receiveRate_;
  snap->activeTransfers = active_;
  snap->openConnections = connections_;
  snap->totalBytesSent = totalBytes_;
  snap->totalBytesReceived = totalReceived_;
  snap->totalTransfers = totalTransfers_;
  changed_ = false;
  finishedUnseen_ = 0;
  if (publish_) publish_(std::move(snap));
}

}  // namespace ferry
