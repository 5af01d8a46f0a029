#pragma once

// UnfinishedUpload: a file sent to the receive link from this computer's
// page that stopped part-way (the phone slept, the Wi-Fi dropped) and is kept
// for the page to resume: what arrived is in a part file in the receive
// folder, until the sender comes back, the upload is discarded, Receive goes
// off, or it has been idle a day. A plain value, copied to whoever asks.

#include <chrono>
#include <cstdint>
#include <string>

namespace ferry {

struct UnfinishedUpload {
  std::string id;          // the page's upload id: what discarding it names
  std::string name;        // the file's, as the sender gave it
  std::string clientName;  // for people ("Safari on iPhone"); "" when unknown
  std::string address;     // of the client that began it
  std::uint64_t size = 0;      // the whole file's
  std::uint64_t received = 0;  // bytes in its part file
  std::chrono::system_clock::time_point lastActive;  // when a byte of it last arrived
  std::chrono::system_clock::time_point removedAt;   // when its part file goes, unless it resumes
};

}  // namespace ferry
