#include "localsend_discovery.h"

#include <cstring>

#include "interface_list.h"
#include "net_address.h"
#include "tls_context.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

namespace ferry::localsend {
namespace {

// When the apps announce after they start: a datagram can be lost, three
// rarely are.
constexpr std::chrono::milliseconds kAnnounceAt[] = {std::chrono::milliseconds(100), std::chrono::milliseconds(500),
                                                     std::chrono::milliseconds(2000)};

int setOption(NativeSocket fd, int level, int name, const void* value, int len) {
  return ::setsockopt(fd, level, name, static_cast<const char*>(value), len);
}

// The key a LocalSend device has among the nearby devices.
std::string keyOf(const std::string& fingerprint) { return "localsend:" + fingerprint; }

NearbyDevice nearbyOf(const DeviceInfo& info, const std::string& address) {
  NearbyDevice d;
  d.kind = "localsend";
  d.name = info.alias;
  d.address = address;
  d.model = info.deviceModel.value_or("");
  d.deviceType = info.deviceType ? std::string(toString(*info.deviceType)) : std::string();
  d.fingerprint = info.fingerprint;
  d.port = info.port;
  d.protocol = std::string(toString(info.protocol));
  return d;
}

}  // namespace

Discovery::Discovery(EventLoop& loop, WorkPool& pool, NearbyDevices& devices, std::shared_ptr<TlsContext> client)
    : loop_(loop), pool_(pool), devices_(devices), client_(std::move(client)) {}

Discovery::~Discovery() {
  for (EventLoop::TimerId t : timers_) loop_.cancel(t);
  if (checkTimer_) loop_.cancel(checkTimer_);
  clients_.clear();
  if (fd_ != kInvalidSocket) {
    if (loop_.watching(fd_)) loop_.unwatch(fd_);
    closeSocket(fd_);
  }
  for (const auto& [id, p] : peers_) devices_.leave(id);
}

bool Discovery::start(const DeviceInfo& self, std::uint16_t udpPort, std::string* error) {
  self_ = self;
  udpPort_ = udpPort;
  fd_ = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (fd_ == kInvalidSocket) {
    if (error) *error = "cannot make a UDP socket for LocalSend's discovery: " + lastSocketError().message();
    return false;
  }
  int one = 1;
  // A LocalSend app on this computer holds the same port: both sockets get
  // every datagram (Linux, macOS) as long as both allow reuse.
  setOption(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#if defined(SO_REUSEPORT)
  setOption(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
#endif
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_port = htons(udpPort);
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0) {
    if (error)
      *error = "cannot listen for LocalSend devices on UDP port " + std::to_string(udpPort) + ": " +
               lastSocketError().message();
    return false;
  }
  setNonBlocking(fd_);
  // TTL 1: announcements stay on the local network. Loop on: a LocalSend app
  // on this computer hears Ferry (our own datagrams come back and are
  // recognised by the fingerprint).
  int ttl = 1;
  setOption(fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  setOption(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof one);
  ip_mreq group{};
  inet_pton(AF_INET, std::string(kMulticastGroup).c_str(), &group.imr_multiaddr);
  for (const NetInterface& i : listInterfaces()) {
    if (!i.up || !i.multicast || i.type == NetInterface::Type::Loopback) continue;
    for (const NetInterface::Address& a : i.addresses) {
      in_addr addr{};
      if (inet_pton(AF_INET, a.ip.c_str(), &addr) != 1) continue;
      group.imr_interface = addr;
      if (setOption(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group) == 0) {
        interfaces_.push_back(a.ip);
        ++joined_;
      }
    }
  }
  if (joined_ == 0) {
    if (error) *error = "no network interface here can reach LocalSend devices (none is up with IPv4 multicast)";
    return false;
  }
  if (auto ec = loop_.watch(fd_, kReadable, [this](std::uint8_t) { onReadable(); })) {
    if (error) *error = "cannot watch LocalSend's UDP socket: " + ec.message();
    return false;
  }
  announce();
  checkTimer_ = loop_.runEvery(kCheckEvery, [this] { check(); });
  return true;
}

void Discovery::announce() {
  // Kept for the destructor to cancel (cancelling one that fired is a no-op).
  for (auto at : kAnnounceAt)
    timers_.push_back(loop_.runAfter(at, [this] { sendDatagram(encodeAnnouncement(self_, true)); }));
}

void Discovery::sendDatagram(const std::string& json) {
  if (fd_ == kInvalidSocket) return;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(udpPort_);
  inet_pton(AF_INET, std::string(kMulticastGroup).c_str(), &to.sin_addr);
  // One datagram per interface, as the apps send: the system would pick
  // only one otherwise.
  for (const std::string& ip : interfaces_) {
    in_addr addr{};
    inet_pton(AF_INET, ip.c_str(), &addr);
    setOption(fd_, IPPROTO_IP, IP_MULTICAST_IF, &addr, sizeof addr);
    ::sendto(fd_, json.data(), static_cast<int>(json.size()), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
}

void Discovery::onReadable() {
  char buf[8192];
  // A bounded number per wake-up: a flood waits its turn behind requests.
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    long n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return;  // drained (or an ICMP error Windows reports here: nothing to do)
    onDatagram(buf, static_cast<std::size_t>(n), addressToString(reinterpret_cast<sockaddr*>(&from)));
  }
}

void Discovery::onDatagram(const char* data, std::size_t n, const std::string& from) {
  std::string error;
  auto a = decodeAnnouncement(std::string_view(data, n), &error);
  if (!a || a->info.fingerprint == self_.fingerprint || from.empty()) return;
  heard(a->info, from);
  if (a->announce) registerWith(a->info, from);
}

void Discovery::heard(const DeviceInfo& info, const std::string& address) {
  if (info.fingerprint.empty() || info.fingerprint == self_.fingerprint) return;
  DeviceInfo merged = info;
  const std::uint64_t existing = devices_.idOf(keyOf(info.fingerprint));
  auto it = existing ? peers_.find(existing) : peers_.end();
  // A flood of made-up fingerprints costs a bounded list.
  if (it == peers_.end() && peers_.size() >= kMaxPeers) return;
  if (it != peers_.end() && !info.hasAddress) {
    // An info or register answer names no port or protocol: keep the known ones.
    merged.port = it->second.info.port;
    merged.protocol = it->second.info.protocol;
  }
  // Anyone can announce a known device's (public) fingerprint: an https
  // device is never moved to plain HTTP by what is heard, so what is sent
  // to it stays encrypted and pinned to its certificate.
  if (it != peers_.end() && it->second.info.protocol == Protocol::kHttps && merged.protocol != Protocol::kHttps) return;
  if (!merged.hasAddress && !existing) return;  // nowhere to send to yet
  merged.hasAddress = true;
  const std::uint64_t id = devices_.seen(keyOf(info.fingerprint), nearbyOf(merged, address));
  Peer& p = peers_[id];
  p.id = id;
  p.info = merged;
  p.address = address;
  p.lastHeard = loop_.now();
}

HttpClient::Request Discovery::requestTo(const DeviceInfo& info, const std::string& address) const {
  HttpClient::Request r;
  r.address = address;
  r.port = info.port;
  if (info.protocol == Protocol::kHttps) {
    r.tls = client_;
    r.pinnedFingerprint = info.fingerprint;
  }
  // Register answers must come quickly (the apps give 500 ms to a scan);
  // a device that takes longer is unlikely to be reachable for a transfer.
  // The deadline bounds a device that answers a byte at a time: each
  // register and check holds one of kMaxInFlight places.
  r.connectTimeout = std::chrono::seconds(2);
  r.idleTimeout = std::chrono::seconds(5);
  r.deadline = std::chrono::seconds(5);
  r.maxResponseBody = 64 * 1024;
  return r;
}

HttpClient* Discovery::newClient(std::uint64_t& key) {
  if (clients_.size() >= kMaxInFlight) return nullptr;
  key = nextClient_++;
  auto& c = clients_[key];
  c = std::make_unique<HttpClient>(loop_, pool_);
  return c.get();
}

void Discovery::dropClient(std::uint64_t key) {
  // Called from the client's own done(): destroying it there is allowed.
  clients_.erase(key);
}

void Discovery::registerWith(const DeviceInfo& info, const std::string& address) {
  if (registering_.count(address)) return;
  // No TLS in this build or run: an https device still hears of us by UDP.
  if (info.protocol == Protocol::kHttps && !client_) return sendDatagram(encodeAnnouncement(self_, false));
  std::uint64_t key = 0;
  HttpClient* c = newClient(key);
  if (!c) return;
  registering_[address] = key;
  HttpClient::Request r = requestTo(info, address);
  r.method = "POST";
  r.target = "/api/localsend/v2/register";
  r.contentType = "application/json";
  r.body = encodeDeviceInfo(self_);
  const std::string fingerprint = info.fingerprint;
  c->start(std::move(r), [this, key, address, fingerprint](HttpClient::Response res) {
    registering_.erase(address);
    if (res.status == 200) {
      std::string error;
      if (auto answer = decodeDeviceAnswer(res.body, &error); answer && (answer->fingerprint.empty() ||
                                                                         answer->fingerprint == fingerprint)) {
        if (answer->fingerprint.empty()) answer->fingerprint = fingerprint;
        heard(*answer, address);
      }
    } else {
      // The protocol's fallback: tell it by UDP (1.17 and older listen).
      sendDatagram(encodeAnnouncement(self_, false));
    }
    dropClient(key);
  });
}

const Discovery::Peer* Discovery::peer(std::uint64_t id) const {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : &it->second;
}

void Discovery::check() {
  const auto now = loop_.now();
  std::vector<std::uint64_t> quiet;
  for (const auto& [id, p] : peers_)
    if (now - p.lastHeard >= kQuietBeforeCheck) quiet.push_back(id);
  for (std::uint64_t id : quiet) probe(id);
}

void Discovery::suspect(std::uint64_t id) { probe(id); }

void Discovery::probe(std::uint64_t id) {
  auto it = peers_.find(id);
  if (it == peers_.end() || probing_.count(id)) return;
  const Peer& p = it->second;
  if (p.info.protocol == Protocol::kHttps && !client_) return;
  std::uint64_t key = 0;
  HttpClient* c = newClient(key);
  if (!c) return;
  probing_[id] = true;
  HttpClient::Request r = requestTo(p.info, p.address);
  r.target = "/api/localsend/v2/info?fingerprint=" + self_.fingerprint;
  c->start(std::move(r), [this, key, id](HttpClient::Response res) {
    probing_.erase(id);
    if (auto it = peers_.find(id); it != peers_.end()) {
      if (res.status != 0) {
        it->second.lastHeard = loop_.now();  // a server answers there: still here
      } else {
        peers_.erase(it);
        devices_.leave(id);
      }
    }
    dropClient(key);
  });
}

}  // namespace ferry::localsend
