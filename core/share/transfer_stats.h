#pragma once

// TransferStats: who is downloading what, how far and how fast. Owns the
// per-transfer records and the global counters; publishes them as immutable
// StatsSnapshot objects about ten times a second, and only when something
// changed, so a reader's cost does not grow with the number of transfers.
//
// Loop thread only. Snapshots, once published, are immutable and may be read
// from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "copy_counter.h"
#include "delivery_book.h"
#include "event_loop.h"
#include "share_registry.h"

namespace ferry {

enum class TransferState { kActive, kDone, kCancelled, kFailed };
const char* toString(TransferState s);

// Which way the bytes go: a download leaves this computer, an upload (a file
// sent to the receive link) arrives.
enum class TransferDirection { kDownload, kUpload };

struct TransferInfo {
  std::uint64_t id = 0;
  std::string client;      // "192.168.1.20:51234"
  // For people ("Safari on iPhone", "curl 8.5"; empty when unknown): an
  // upload's, from its User-Agent. A download's is its delivery's.
  std::string clientName;
  // The shared file, held rather than copied: a snapshot of hundreds of
  // transfers allocates no strings for their tokens and names.
  std::shared_ptr<const Share> share;
  const std::string& shareToken() const { return share ? share->token : noString(); }
  // What is delivered: the shared file, or inside a folder share the file
  // ("Photos/2024/IMG_0001.jpg") or zip ("Photos.zip") this transfer sends.
  const std::string& fileName() const { return !item.empty() ? item : share ? share->name : noString(); }
  std::string item;  // empty for a file share
  std::uint64_t fileSize = 0;
  std::uint64_t rangeFirst = 0;  // first byte served
  std::uint64_t bytesTotal = 0;  // bytes this response promised
  std::uint64_t bytesSent = 0;  // bytes moved so far (received, for an upload)
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;  // set once not active
  double rate = 0;  // bytes/s, smoothed over ~1 s
  TransferState state = TransferState::kActive;
  TransferDirection direction = TransferDirection::kDownload;
  std::string reason;  // why it was cancelled or failed
  std::uint64_t delivery = 0;  // the DeliveryInfo::id this request is part of (downloads); 0 if none

 private:
  static const std::string& noString() {
    static const std::string empty;
    return empty;
  }
};

struct ShareCounters {
  std::string token;
  std::uint64_t downloads = 0;  // transfers that delivered through the last byte
  std::uint64_t bytesSent = 0;
  // Complete deliveries this run; for a folder, the recipients its download
  // limit let in this run (what the limit counts).
  std::uint64_t deliveries = 0;
  std::uint32_t devices = 0;     // distinct client addresses delivered to this run
};

struct StatsSnapshot {
  std::uint64_t sequence = 0;
  std::chrono::steady_clock::time_point taken;
  // Active transfers and those finished in the last few seconds (at most
  // TransferStats::kMaxFinished of them), by id.
  std::vector<TransferInfo> transfers;
  std::vector<ShareCounters> shares;
  // Open deliveries and those that ended in the last few seconds, by id. A
  // delivery's end (its outcome) is in at least one published snapshot.
  std::vector<DeliveryInfo> deliveries;
  double uploadRate = 0;   // bytes/s leaving this computer (downloads), smoothed over ~1 s
  double receiveRate = 0;  // bytes/s arriving (files sent to the receive link), smoothed alike
  std::size_t activeTransfers = 0;
  std::size_t openConnections = 0;
  std::uint64_t totalBytesSent = 0;
  std::uint64_t totalBytesReceived = 0;  // by uploads
  std::uint64_t totalTransfers = 0;
};


// What a download adds to make it part of a delivery (TransferStats::begin):
// the client's User-Agent and the version of what it gets (deliveryVersion()
// of the ETag). Without it a transfer belongs to no delivery (a refusal).
struct Delivering {
  std::string_view userAgent;
  std::uint64_t version = 0;
};

// Names a transfer inside TransferStats: its slot (for O(1) updates) and its
// id (what snapshots and cancel requests use).
struct TransferHandle {
  std::uint32_t slot = 0;
  std::uint64_t id = 0;
  explicit operator bool() const { return id != 0; }
};

class TransferStats final {
 public:
  using Publish = std::function<void(std::shared_ptr<const StatsSnapshot>)>;
  static constexpr auto kTick = std::chrono::milliseconds(100);
  static constexpr auto kRetainFinished = std::chrono::seconds(5);
  // Finished transfers kept for snapshots, newest first. Bounded so a
  // benchmark's 50,000 requests a second cost neither memory nor snapshot
  // time. Each one is in at least one published snapshot: a burst that
  // would push one out unseen (more than this many ending between two
  // ticks, hundreds of small files arriving) publishes a snapshot first.
  static constexpr std::size_t kMaxFinished = 256;

  TransferStats(EventLoop& loop, Publish publish);
  ~TransferStats();
  TransferStats(const TransferStats&) = delete;
  TransferStats& operator=(const TransferStats&) = delete;

  // Starts a transfer. Allocates nothing in steady state: slots and the
  // finished ring are reused, the share is reference-counted. An upload's
  // share names the file being received (its token: the receive link's).
  // A download with `delivering` joins its client's delivery of that file
  // (DeliveryBook), or opens one.
  TransferHandle begin(std::string_view client, std::shared_ptr<const Share> share, std::uint64_t fileSize,
                       std::uint64_t rangeFirst, std::uint64_t bytesTotal, std::string_view item = {},
                       TransferDirection direction = TransferDirection::kDownload,
                       const Delivering* delivering = nullptr);
  void addBytes(TransferHandle h, std::uint64_t n);
  // Names an upload's client for people (clientName() of its User-Agent).
  void setClientName(TransferHandle h, std::string_view name);
  void finish(TransferHandle h, TransferState state, std::string reason = {});
  void setOpenConnections(std::size_t n);

  // Called with the share's token and a number of complete deliveries, for
  // ShareRegistry::noteDelivered(): at once for a share with a download
  // limit (the next request must see it), with the next snapshot otherwise.
  // A shared file with a download limit counts complete copies sent, over
  // all clients (CopyCounter), rather than deliveries to one client.
  void setDeliveredListener(std::function<void(std::string_view token, std::uint32_t n)> listener);
  // A folder link with a download limit let in a new recipient (a device;
  // ShareRegistry::admitRecipient): what its count shows, in place of
  // deliveries.
  void noteRecipient(std::string_view token);
  // How long a delivery may have no request before it ends as stopped.
  void setDeliveryIdle(std::chrono::steady_clock::duration idle);
  // Ends as cancelled the delivery transfer `id` is part of, or every open
  // delivery of a share; their requests are the caller's to end.
  void cancelDelivery(std::uint64_t transferId, std::string_view reason);
  void cancelDeliveries(std::string_view token, std::string_view reason);

  // Publishes the current state at once (used on stop, so the last word is
  // never lost).
  void publishNow();

 private:
  static constexpr std::size_t kKeepSlots = 256;  // more are freed once none is active
  struct Record {
    std::uint64_t id = 0;  // 0: free slot
    std::shared_ptr<const Share> share;
    std::string item;
    ShareCounters* counters = nullptr;
    char client[64] = {};
    std::string clientName;
    std::uint64_t fileSize = 0;
    std::uint64_t rangeFirst = 0;
    std::uint64_t bytesTotal = 0;
    std::uint64_t bytesSent = 0;
    std::uint64_t bytesAtLastTick = 0;
    std::chrono::system_clock::time_point started;
    std::chrono::system_clock::time_point finished;
    std::chrono::steady_clock::time_point finishedAt;
    double rate = 0;
    TransferState state = TransferState::kActive;
    TransferDirection direction = TransferDirection::kDownload;
    std::string reason;
    DeliveryRef delivery;
    CopyRef copies;  // the file's send counts, when its share has a download limit
  };
  static void fill(TransferInfo& out, const Record& r);
  // A snapshot to fill: one of spare_ that no reader holds, or a new one.
  std::shared_ptr<StatsSnapshot> spareSnapshot();
  void markChanged();
  void tick();
  void delivered(const DeliveryInfo& d);
  void noteDeliveries();
  void armIdleStop();

  EventLoop& loop_;
  Publish publish_;
  std::vector<Record> slots_;          // active transfers
  std::vector<std::uint32_t> free_;    // free slot indices
  std::vector<Record> finished_;       // ring of the last kMaxFinished
  std::size_t finishedNext_ = 0;
  std::size_t finishedCount_ = 0;
  std::size_t finishedUnseen_ = 0;  // the newest of them, not yet in a published snapshot
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, ShareCounters, Hash, std::equal_to<>> shares_;
  std::uint64_t nextId_ = 1;
  std::uint64_t sequence_ = 0;
  std::uint64_t totalBytes_ = 0;
  std::uint64_t totalBytesAtLastTick_ = 0;
  std::uint64_t totalReceived_ = 0;
  std::uint64_t totalReceivedAtLastTick_ = 0;
  std::uint64_t totalTransfers_ = 0;
  std::size_t active_ = 0;
  std::size_t connections_ = 0;
  double uploadRate_ = 0;
  double receiveRate_ = 0;
  bool changed_ = false;
  EventLoop::TimerId ticker_ = 0;
  // Snapshots published before, filled again once their readers let go.
  static constexpr std::size_t kSpareSnapshots = 4;
  std::vector<std::shared_ptr<StatsSnapshot>> spare_;
  DeliveryBook book_;
  // What a download limit counts: complete copies sent, over all clients.
  CopyCounter copies_;
  // Complete deliveries not yet told to the listener, by share token.
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> undelivered_;
  // Hashes of the addresses delivered to, by share token: at most
  // kMaxDevices each, so a proxy forwarding endless addresses costs bounded memory.
  static constexpr std::size_t kMaxDevices = 65536;
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>, Hash, std::equal_to<>> devices_;
  std::function<void(std::string_view, std::uint32_t)> deliveredListener_;
  EventLoop::TimerId idleStop_ = 0;
  std::chrono::steady_clock::time_point idleStopAt_;
  std::chrono::steady_clock::time_point lastTick_;
};

}  // namespace ferry
