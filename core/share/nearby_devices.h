#pragma once

// NearbyDevices: the devices that have this computer's page open (the
// receive link's page, on a phone), and what was sent to each. A device is a
// browser known by a cookie its page carries, so a reload or a reconnect is
// the same device; it is here while at least one of its event streams is
// open, and gone kGrace after its last one closed (a reload comes back long
// before that).
//
// Each device keeps a bounded queue of the messages sent to it (kMaxQueued
// messages, kMaxQueuedBytes), numbered in order, so a page that reconnects
// gets what it missed (Last-Event-ID) and a reloaded page shows again what
// was sent to it. A device that is gone is forgotten with its queue.
//
// Owns the device records; knows nothing of HTTP or of streams (serve/
// opens and closes them here). Loop thread only; the listener is called on
// the loop thread and must not block.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event_loop.h"

namespace ferry {

// What the rest of the program learns of a nearby device.
struct NearbyDevice {
  std::uint64_t id = 0;    // 1, 2, ... for this run; the same across reloads
  std::string kind = "browser";
  std::string name;        // "Chrome on Android", or the name its page set
  std::string address;     // where its stream comes from (a LocalSend device: its IP)
  // kind "localsend": what the device announced (name is its alias).
  std::string model;        // "Pixel 8", "Linux"; may be empty
  std::string deviceType;   // "mobile", "desktop", "web", "headless", "server"; may be empty
  std::string fingerprint;  // names it across addresses and runs
  std::uint16_t port = 0;   // its LocalSend server
  std::string protocol;     // "http" or "https"
};

// A device arrived (here = true; again when its name changed) or left.
using NearbyListener = std::function<void(const NearbyDevice& device, bool here)>;

class NearbyDevices final {
 public:
  static constexpr auto kGrace = std::chrono::seconds(10);
  static constexpr std::size_t kMaxQueued = 64;
  static constexpr std::size_t kMaxQueuedBytes = 1 << 20;

  struct Message {
    std::uint64_t seq;  // the event id the page echoes back on reconnect
    std::string type;   // "text", "file", "removed"
    std::string data;   // one line of JSON
  };

  explicit NearbyDevices(EventLoop& loop) : loop_(loop) {}
  ~NearbyDevices();
  NearbyDevices(const NearbyDevices&) = delete;
  NearbyDevices& operator=(const NearbyDevices&) = delete;

  void setListener(NearbyListener listener) { listener_ = std::move(listener); }

  // A stream of the device with cookie `key` opened: the device is here
  // (new, back within its grace, or one more stream). Returns its id.
  std::uint64_t open(const std::string& key, const std::string& name, const std::string& address);
  // One of its streams closed; with the last, the device leaves after kGrace.
  void close(std::uint64_t id);
  // A device that has no stream (a LocalSend device) was seen, under `key`:
  // added, or updated (the listener hears it again when its name or where
  // it answers changed). Returns its id. It stays until leave().
  std::uint64_t seen(const std::string& key, const NearbyDevice& info);
  // Such a device is gone now; the listener hears it.
  void leave(std::uint64_t id);
  // Queues a message for the device; its sequence number, or 0 when there
  // is no such device. The oldest messages go beyond the bounds.
  std::uint64_t queue(std::uint64_t id, std::string_view type, std::string data);
  // The messages after `after` (0: every one still queued).
  std::vector<const Message*> since(std::uint64_t id, std::uint64_t after) const;

  // The device of a cookie, or 0.
  std::uint64_t idOf(std::string_view key) const;
  // The device `id` is known by `key` from now on, and no longer by the key
  // before (false when there is no such device or `key` is taken).
  bool rekey(std::uint64_t id, const std::string& key);
  const NearbyDevice* find(std::uint64_t id) const;
  std::vector<NearbyDevice> list() const;
  std::size_t streamsOf(std::uint64_t id) const;
  // Open streams from one address, whatever the device.
  std::size_t streamsFrom(std::string_view address) const;
  // Every device leaves now (the server stops): the listener hears each.
  void clear();

 private:
  struct Record {
    NearbyDevice info;
    std::string key;
    std::size_t streams = 0;
    std::uint64_t lastSeq = 0;
    std::deque<Message> queue;
    std::size_t queuedBytes = 0;
    EventLoop::TimerId leaving = 0;
  };
  void gone(std::uint64_t id);

  EventLoop& loop_;
  NearbyListener listener_;
  std::unordered_map<std::uint64_t, Record> devices_;
  std::unordered_map<std::string, std::uint64_t> byKey_;
  std::uint64_t nextId_ = 1;
};

}  // namespace ferry
