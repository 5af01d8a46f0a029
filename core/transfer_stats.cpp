#include "transfer_stats.h"

#include <algorithm>
#include <cmath>

namespace ferry {

const char* toString(TransferState s) {
  switch (s) {
    case TransferState::kActive: return "active";
    case TransferState::kDone: return "done";
    case TransferState::kCancelled: return "cancelled";
    case TransferState::kFailed: return "failed";
  }
  return "?";
}

TransferStats::TransferStats(EventLoop& loop, Publish publish) : loop_(loop), publish_(std::move(publish)) {}

TransferStats::~TransferStats() {
  if (ticker_) loop_.cancel(ticker_);
}

std::uint64_t TransferStats::begin(std::string client, std::string token, std::string fileName,
                                   std::uint64_t fileSize, std::uint64_t rangeFirst, std::uint64_t bytesTotal) {
  std::uint64_t id = nextId_++;
  Record& r = records_[id];
  r.info.id = id;
  r.info.client = std::move(client);
  r.info.shareToken = std::move(token);
  r.info.fileName = std::move(fileName);
  r.info.fileSize = fileSize;
  r.info.rangeFirst = rangeFirst;
  r.info.bytesTotal = bytesTotal;
  r.info.started = std::chrono::system_clock::now();
  ++active_;
  ++totalTransfers_;
  markChanged();
  return id;
}

void TransferStats::addBytes(std::uint64_t id, std::uint64_t n) {
  auto it = records_.find(id);
  if (it == records_.end() || n == 0) return;
  it->second.info.bytesSent += n;
  totalBytes_ += n;
  ShareCounters& sc = shares_[it->second.info.shareToken];
  sc.bytesSent += n;
  markChanged();
}

void TransferStats::finish(std::uint64_t id, TransferState state, std::string reason) {
  auto it = records_.find(id);
  if (it == records_.end() || it->second.info.state != TransferState::kActive) return;
  TransferInfo& info = it->second.info;
  info.state = state;
  info.reason = std::move(reason);
  info.rate = 0;
  info.finished = std::chrono::system_clock::now();
  it->second.finishedAt = std::chrono::steady_clock::now();
  --active_;
  // A download counts once it delivered the file's last byte: a resumed
  // download counts once, and a probe for the first bytes does not count.
  if (state == TransferState::kDone && info.fileSize > 0 &&
      info.rangeFirst + info.bytesTotal == info.fileSize) {
    ShareCounters& sc = shares_[info.shareToken];
    sc.token = info.shareToken;
    ++sc.downloads;
  }
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
  bool moving = false;
  for (auto it = records_.begin(); it != records_.end();) {
    Record& r = it->second;
    if (r.info.state == TransferState::kActive) {
      double inst = static_cast<double>(r.info.bytesSent - r.bytesAtLastTick) / dt;
      r.bytesAtLastTick = r.info.bytesSent;
      r.info.rate += alpha * (inst - r.info.rate);
      if (r.info.rate < 1) r.info.rate = inst;  // let a stalled transfer reach 0
      ++it;
    } else if (now - r.finishedAt > kRetainFinished) {
      it = records_.erase(it);
      changed_ = true;
    } else {
      ++it;
    }
  }
  double inst = static_cast<double>(totalBytes_ - totalBytesAtLastTick_) / dt;
  totalBytesAtLastTick_ = totalBytes_;
  uploadRate_ += alpha * (inst - uploadRate_);
  if (uploadRate_ < 1) uploadRate_ = inst;
  moving = uploadRate_ > 0;

  if (changed_ || moving) {
    publishNow();
  } else if (records_.empty()) {
    loop_.cancel(ticker_);
    ticker_ = 0;
  } else {
    // Finished records still waiting to expire: keep ticking, nothing to say.
  }
}

void TransferStats::publishNow() {
  auto snap = std::make_shared<StatsSnapshot>();
  snap->sequence = ++sequence_;
  snap->taken = std::chrono::steady_clock::now();
  snap->transfers.reserve(records_.size());
  for (const auto& [id, r] : records_) snap->transfers.push_back(r.info);
  std::sort(snap->transfers.begin(), snap->transfers.end(),
            [](const TransferInfo& a, const TransferInfo& b) { return a.id < b.id; });
  snap->shares.reserve(shares_.size());
  for (const auto& [token, sc] : shares_) {
    snap->shares.push_back(sc);
    snap->shares.back().token = token;
  }
  snap->uploadRate = uploadRate_;
  snap->activeTransfers = active_;
  snap->openConnections = connections_;
  snap->totalBytesSent = totalBytes_;
  snap->totalTransfers = totalTransfers_;
  changed_ = false;
  if (publish_) publish_(std::move(snap));
}

}  // namespace ferry
