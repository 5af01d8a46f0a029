#pragma once

// DeliveryInfo: one client receiving one file (or zip, or a file inside a
// folder share) completely, however many requests it took: what snapshots
// carry and DeliveryBook keeps. Plain data.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "share_registry.h"

namespace ferry {

// How a delivery ended: one client receiving one file (or zip), over however
// many requests (ranges, resumes, a download manager's segments).
enum class DeliveryOutcome { kInProgress, kDelivered, kStopped, kCancelled };
const char* toString(DeliveryOutcome o);

struct DeliveryInfo {
  std::uint64_t id = 0;
  std::shared_ptr<const Share> share;
  std::string item;         // as TransferInfo::item: empty for a file share
  std::string address;      // the client's address, without port; behind a trusted proxy the forwarded one
  std::string clientName;   // for people: "Safari on iPhone", "curl 8.5"; empty when unknown
  std::string userAgent;    // as sent
  std::uint64_t size = 0;      // bytes of the file or zip
  std::uint64_t covered = 0;   // distinct bytes of it the client has received (not bytes sent)
  std::uint32_t requests = 0;  // ranged, resumed and parallel requests together
  std::uint32_t resumes = 0;   // requests that picked up after an earlier one ended short
  std::uint32_t active = 0;    // requests in flight now
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point updated;  // last byte or last request
  double rate = 0;  // bytes/s, smoothed over ~1 s
  DeliveryOutcome outcome = DeliveryOutcome::kInProgress;
  std::string reason;  // why it was cancelled
};

}  // namespace ferry
