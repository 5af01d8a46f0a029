#pragma once

// Discovery: the LocalSend devices on this computer's networks, and Ferry
// made known to them.
//
// Owns the UDP socket of LocalSend's multicast discovery (224.0.0.167 on the
// LocalSend port, 53317 by default), shared with a LocalSend app running on
// this computer (SO_REUSEADDR, and SO_REUSEPORT where it exists), joined on
// each IPv4 interface that can multicast, TTL 1 so nothing leaves the local
// network. Ferry announces itself at start, at +0.1, +0.5 and +2 s as the
// apps do, and again on announce(). An announcement from another device is
// answered with POST /api/localsend/v2/register to it (on its announced
// port and protocol); when that fails, with a UDP answer (announce:false),
// as the protocol's fallback says.
//
// What it learns goes into NearbyDevices as kind "localsend", keyed by the
// fingerprint, so every list of nearby devices shows it: from
// announcements, from answers to our announcements, from the answers to our
// registers, and from registers our listener receives (heard()).
//
// When a device is gone: LocalSend apps announce only when they start or
// refresh, so silence alone says nothing. A device not heard from for
// kQuietBeforeCheck is asked GET /api/localsend/v2/info (checked every
// kCheckEvery); it is gone when that gets no HTTP answer at all. A send to
// it that cannot connect asks at once (suspect()).
//
// Owns the HTTP clients of its registers and checks; does not own the
// device list. Loop thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "event_loop.h"
#include "http_client.h"
#include "localsend_messages.h"
#include "nearby_devices.h"
#include "socket.h"
#include "work_pool.h"

namespace ferry {
class TlsContext;
}

namespace ferry::localsend {

class Discovery final {
 public:
  static constexpr auto kCheckEvery = std::chrono::seconds(30);
  static constexpr auto kQuietBeforeCheck = std::chrono::seconds(60);
  // Registers and checks in flight at once; more announcements wait for the next.
  static constexpr std::size_t kMaxInFlight = 32;
  // LocalSend devices kept at once; more are not listed until some leave.
  static constexpr std::size_t kMaxPeers = 256;

  // A LocalSend device as Ferry knows it.
  struct Peer {
    std::uint64_t id = 0;  // in NearbyDevices
    DeviceInfo info;
    std::string address;  // the IP it announced from
    EventLoop::Clock::time_point lastHeard;
  };

  // `client`: the TLS client context for https devices (Ferry's identity as
  // a client certificate); null in a build or run without TLS.
  Discovery(EventLoop& loop, WorkPool& pool, NearbyDevices& devices, std::shared_ptr<TlsContext> client);
  ~Discovery();
  Discovery(const Discovery&) = delete;
  Discovery& operator=(const Discovery&) = delete;

  // Binds the UDP port, joins the group and announces `self` (what the
  // listener serves: its alias, fingerprint, port, protocol). False with a
  // sentence when the port cannot be bound or no interface can multicast.
  bool start(const DeviceInfo& self, std::uint16_t udpPort, std::string* error);
  // Announces again (the device list was refreshed): at +0.1, +0.5, +2 s.
  void announce();
  // A device said who it is, from `address` (a register to our listener).
  void heard(const DeviceInfo& info, const std::string& address);
  // A send to the device could not connect: check now whether it is there.
  void suspect(std::uint64_t id);

  const Peer* peer(std::uint64_t id) const;
  const DeviceInfo& self() const { return self_; }
  std::size_t interfaces() const { return joined_; }

 private:
  void onReadable();
  void onDatagram(const char* data, std::size_t n, const std::string& from);
  void sendDatagram(const std::string& json);
  void registerWith(const DeviceInfo& info, const std::string& address);
  void check();
  void probe(std::uint64_t id);
  HttpClient::Request requestTo(const DeviceInfo& info, const std::string& address) const;
  HttpClient* newClient(std::uint64_t& key);
  void dropClient(std::uint64_t key);

  EventLoop& loop_;
  WorkPool& pool_;
  NearbyDevices& devices_;
  std::shared_ptr<TlsContext> client_;
  DeviceInfo self_;
  std::uint16_t udpPort_ = 0;
  NativeSocket fd_ = kInvalidSocket;
  std::vector<std::string> interfaces_;  // the IPv4 addresses joined on
  std::size_t joined_ = 0;
  std::unordered_map<std::uint64_t, Peer> peers_;  // by device id
  std::unordered_map<std::string, std::uint64_t> registering_;  // address -> client key, one at a time
  std::unordered_map<std::uint64_t, std::unique_ptr<HttpClient>> clients_;
  std::unordered_map<std::uint64_t, bool> probing_;  // device ids being checked
  std::uint64_t nextClient_ = 1;
  std::vector<EventLoop::TimerId> timers_;
  EventLoop::TimerId checkTimer_ = 0;
};

}  // namespace ferry::localsend
