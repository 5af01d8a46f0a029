#pragma once

// ReceiveTarget: where files sent to this computer go — the folder the user
// chose and the unguessable token of its receive link — or nothing, while
// Receive is off. Owns only that (never an open file or an upload).
//
// Thread-safe: the UI turns Receive on and off while the loop thread looks
// it up for every request.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "file_io.h"

namespace ferry {

struct ReceiveFolder {
  std::string token;
  std::string dir;  // absolute, symlinks resolved
  // The folder `dir` named when Receive was turned on: uploads write into
  // it or nowhere (WriteFolder), never into a link put in its place.
  FileId pin;
};

// What Receive accepts. Off by default: the link's token is the key.
struct ReceivePolicy {
  // The first upload from a device not accepted yet waits for the user's
  // answer (Server::setReceiveAskListener, answerReceiveAsk).
  bool askNewDevices = false;
  // The largest file accepted, in bytes; 0 = no cap.
  std::uint64_t maxFileSize = 0;
  // How long an ask waits for the user before it counts as declined (a
  // phone's page must not hang on a computer left alone).
  std::chrono::milliseconds askTimeout = std::chrono::seconds(60);
  // Page uploads begun and not finished (each holds a part file and an
  // entry for a day) at most, on the link and per client address: one more
  // handshake is 429, so a client cannot grow the table without bound.
  std::size_t maxUnfinished = 1024;
  std::size_t maxUnfinishedPerDevice = 64;
};

class ReceiveTarget final {
 public:
  // Receive into `dir`. An empty token draws a new one; a given token
  // (restored from settings) must look like one. Fails with
  // cannotReceive()'s sentence when `dir` is not a folder this process may
  // write to. Replaces any previous folder.
  std::shared_ptr<const ReceiveFolder> set(const std::string& dir, std::string* error, std::string token = {});
  // Receive off: the link 404s from the next request. The folder it had.
  std::shared_ptr<const ReceiveFolder> clear();
  // The folder, if Receive is on and `token` is its token.
  std::shared_ptr<const ReceiveFolder> find(std::string_view token) const;
  std::shared_ptr<const ReceiveFolder> current() const;

  void setPolicy(const ReceivePolicy& policy);
  ReceivePolicy policy() const;
  // Devices (a key: the page's own id, or an address) whose uploads are
  // not asked about again: accepted always (this run, or restored by the UI).
  void acceptDevice(const std::string& key);
  bool accepted(const std::string& key) const;
  std::vector<std::string> acceptedDevices() const;
  // An ask answered "accept" lets through the files it told of and no
  // more: the `files` that follow the one asked about. takeAllowed() uses
  // one up (false when none is left).
  void allowFiles(const std::string& key, std::uint32_t files);
  bool takeAllowed(const std::string& key);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ReceiveFolder> folder_;
  ReceivePolicy policy_;
  std::unordered_set<std::string> accepted_;
  std::unordered_map<std::string, std::uint32_t> allowed_;
};

// "Cannot receive files into DIR: REASON." Told the same way in the window
// and on the command line.
std::string cannotReceive(const std::string& dir, const std::string& reason);

}  // namespace ferry
