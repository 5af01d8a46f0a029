#pragma once

// DeliveryBook: which clients have received which files completely. Joins
// the requests of one client for one version of one file (its resumes, a
// browser's parallel ranges, a download manager's segments) into one
// delivery, keeps the byte ranges they actually sent as a small merged set,
// and says when the set covers the whole file: a delivery. Owns the open
// deliveries and a ring of the last ended ones; does not own the requests
// (TransferStats reports them) nor the share count (the `delivered` hook).
//
// A download manager may ask again for a segment it already has, just after
// its delivery ended (aria2c does). Such a request opens a delivery of its
// own, but one that echoes a delivery of the same key in the last kEcho: it
// is not shown, and leaves no trace unless it covers the whole file again (a
// real second download), so no "Stopped at 5%" follows a "Delivered".
//
// Memory is bounded: at most kMaxOpen open deliveries (a new one beyond that
// ends the one idle longest, as stopped), each with at most kMaxPieces
// separate byte ranges (beyond that the smallest is forgotten, so a client
// scattering thousands of tiny ranges is undercounted, never counted as
// delivered from bytes it was not sent), and kMaxEnded ended ones once a
// snapshot has shown them. Ended ones not shown yet wait for the next
// snapshot (the stats' next tick): the ring grows for them, up to
// kMaxUnshown, before it asks for a snapshot at once (the `flush` hook), so
// a burst of short deliveries is published ten times a second, not once
// per delivery, and none is lost.
//
// Loop thread only. Time comes in as arguments, so tests drive the clock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "delivery_info.h"

namespace ferry {

// What makes requests one delivery: the same client (address without port,
// and User-Agent) asking for the same version of the same thing.
struct DeliveryKey {
  std::string_view address;
  std::string_view userAgent;
  std::string_view item;   // as TransferInfo::item
  std::uint64_t size = 0;
  std::uint64_t version = 0;  // changes when the file does: deliveryVersion(ETag)
};

// A version number from a validator (an ETag): two versions of a file
// with different ETags never join one delivery.
std::uint64_t deliveryVersion(std::string_view etag);
// "192.168.1.31:40044" -> "192.168.1.31", "[::1]:80" -> "::1"; an address
// without a port (a forwarded one) as it is.
std::string_view addressWithoutPort(std::string_view client);

// Names one open delivery: its slot and its id.
struct DeliveryRef {
  std::uint32_t slot = 0;
  std::uint64_t id = 0;
  explicit operator bool() const { return id != 0; }
};

class DeliveryBook final {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxOpen = 4096;
  static constexpr std::size_t kMaxPieces = 64;
  static constexpr std::size_t kMaxEnded = 256;
  static constexpr std::size_t kMaxUnshown = 8192;
  static constexpr auto kRetainEnded = std::chrono::seconds(5);
  static constexpr auto kDefaultIdle = std::chrono::minutes(10);
  static constexpr auto kEcho = std::chrono::seconds(60);
  static constexpr std::size_t kRecentDelivered = 64;
  // Longer User-Agents are cut to this (as kept, compared and shown).
  static constexpr std::size_t kMaxUserAgent = 512;

  struct Hooks {
    // A delivery has just covered every byte: once per delivery.
    std::function<void(const DeliveryInfo&)> delivered;
    // An ended delivery that no snapshot has shown yet is about to leave the
    // ring: publish now.
    std::function<void()> flush;
  };

  explicit DeliveryBook(Hooks hooks, Clock::duration idle = kDefaultIdle);
  ~DeliveryBook();
  DeliveryBook(const DeliveryBook&) = delete;
  DeliveryBook& operator=(const DeliveryBook&) = delete;

  // How long a delivery may have no request before it ends as stopped.
  void setIdle(Clock::duration idle) { idle_ = idle; }
  Clock::duration idle() const { return idle_; }

  // A request of `key` starts: joins the open delivery of that key, or opens
  // one. Null when kMaxOpen deliveries are all receiving (none idle to end).
  // Allocates nothing in steady state.
  DeliveryRef open(const DeliveryKey& key, std::shared_ptr<const Share> share, Clock::time_point now);
  // Bytes [from, to) of the file reached the client.
  void cover(DeliveryRef ref, std::uint64_t from, std::uint64_t to, Clock::time_point now);
  // A request ended; `complete`: it sent every byte it promised.
  void close(DeliveryRef ref, bool complete, Clock::time_point now);
  // Ends a delivery (and every delivery of a share) as cancelled; its
  // requests in flight still close() as usual.
  void cancel(DeliveryRef ref, std::string_view reason, Clock::time_point now);
  void cancelShare(std::string_view token, std::string_view reason, Clock::time_point now);
  // Ends as stopped the deliveries idle for longer than idle(), and lets
  // ended ones older than kRetainEnded go once a snapshot has shown them.
  // True if anything changed.
  bool expire(Clock::time_point now);
  // When expire() next has an idle delivery to stop; Clock::time_point::max()
  // if none is idle.
  Clock::time_point nextStop() const;
  // Smooths each open delivery's rate over dt seconds with weight alpha.
  void tick(double dt, double alpha);

  // Open and recently ended deliveries, by id, in place of what `out` held;
  // marks the ended ones shown.
  void fill(std::vector<DeliveryInfo>& out);
  std::size_t size() const { return open_ + endedCount_; }
  std::size_t openCount() const { return open_; }
  const DeliveryInfo* find(DeliveryRef ref) const;

 private:
  struct Piece {
    std::uint64_t first, end;  // [first, end)
  };
  struct Entry {
    DeliveryInfo info;
    std::uint64_t hash = 0;
    std::uint64_t version = 0;
    std::vector<Piece> pieces;  // sorted, disjoint, not adjacent
    std::uint64_t bytesSent = 0, bytesAtLastTick = 0;
    bool endedShort = false;  // a request ended before its last byte
    bool inTable = false;     // findable by key (in progress)
    bool shown = false;       // in a snapshot since it ended
    bool idle = false;        // in the idle list: in progress, no request active
    bool echo = false;        // opened just after a delivery of its key: hidden unless delivered
    Clock::time_point idleSince, endedAt;
    std::uint32_t prevIdle = kNone, nextIdle = kNone;  // the idle list, oldest first
  };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  static std::uint64_t hashOf(const DeliveryKey& key, std::string_view token);
  bool matches(const Entry& e, const DeliveryKey& key, std::string_view token) const;
  Entry* get(DeliveryRef ref);
  std::uint32_t lookup(const DeliveryKey& key, std::string_view token, std::uint64_t hash) const;
  void tableInsert(std::uint32_t slot);
  void tableErase(std::uint32_t slot);
  void idlePush(std::uint32_t slot, Clock::time_point now);
  void idleUnlink(std::uint32_t slot);
  void addPiece(Entry& e, std::uint64_t first, std::uint64_t end);
  // Ends an in-progress delivery; moves it to the ring once no request is active.
  void end(std::uint32_t slot, DeliveryOutcome outcome, std::string_view reason, Clock::time_point now);
  void retire(std::uint32_t slot);
  // Doubles the ring of ended deliveries (full, its oldest not shown).
  void growEnded();
  // Frees a slot whose delivery is over (retired or dropped).
  void freeSlot(std::uint32_t slot);
  // Whether a delivery of `hash` ended delivered less than kEcho before `now`.
  bool deliveredRecently(std::uint64_t hash, Clock::time_point now) const;
  static bool hidden(const Entry& e) { return e.echo && e.info.outcome != DeliveryOutcome::kDelivered; }

  struct Recent {
    std::uint64_t hash = 0;
    Clock::time_point at{};
  };

  Hooks hooks_;
  Clock::duration idle_;
  std::vector<Entry> slots_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> table_;  // open addressing: slot + 1, 0 empty
  std::size_t open_ = 0;              // slots in use (in progress, or ended with requests active)
  std::size_t inProgress_ = 0;
  std::uint32_t idleHead_ = kNone, idleTail_ = kNone;
  std::vector<Entry> ended_;          // ring of the last ended, oldest at endedNext_ - endedCount_
  std::size_t endedNext_ = 0, endedCount_ = 0;
  std::uint64_t nextId_ = 1;
  std::vector<Recent> recent_;  // the last kRecentDelivered deliveries' keys, a ring
  std::size_t recentNext_ = 0;
};

}  // namespace ferry
