#include "nearby_devices.h"

namespace ferry {

NearbyDevices::~NearbyDevices() {
  for (auto& [id, r] : devices_)
    if (r.leaving) loop_.cancel(r.leaving);
}

std::uint64_t NearbyDevices::open(const std::string& key, const std::string& name, const std::string& address) {
  std::uint64_t id = idOf(key);
  bool announce = false;
  if (!id) {
    id = nextId_++;
    Record& r = devices_[id];
    r.info.id = id;
    r.key = key;
    byKey_[key] = id;
    announce = true;
  }
  Record& r = devices_[id];
  if (r.leaving) {
    loop_.cancel(r.leaving);
    r.leaving = 0;
  }
  ++r.streams;
  if (r.info.name != name || r.info.address != address) {
    announce = announce || r.info.name != name;  // a new address alone is the same device
    r.info.name = name;
    r.info.address = address;
  }
  if (announce && listener_) listener_(r.info, true);
  return id;
}

void NearbyDevices::close(std::uint64_t id) {
  auto it = devices_.find(id);
  if (it == devices_.end() || it->second.streams == 0) return;
  Record& r = it->second;
  if (--r.streams > 0) return;
  r.leaving = loop_.runAfter(kGrace, [this, id] { gone(id); });
}

std::uint64_t NearbyDevices::seen(const std::string& key, const NearbyDevice& info) {
  std::uint64_t id = idOf(key);
  bool announce = false;
  if (!id) {
    id = nextId_++;
    devices_[id].key = key;
    byKey_[key] = id;
    announce = true;
  }
  Record& r = devices_[id];
  const NearbyDevice& was = r.info;
  announce = announce || was.name != info.name || was.address != info.address || was.port != info.port ||
             was.protocol != info.protocol || was.model != info.model || was.deviceType != info.deviceType;
  r.info = info;
  r.info.id = id;
  if (announce && listener_) listener_(r.info, true);
  return id;
}

void NearbyDevices::leave(std::uint64_t id) {
  auto it = devices_.find(id);
  if (it == devices_.end()) return;
  if (it->second.leaving) loop_.cancel(it->second.leaving);
  gone(id);
}

void NearbyDevices::gone(std::uint64_t id) {
  auto it = devices_.find(id);
  if (it == devices_.end()) return;
  NearbyDevice info = std::move(it->second.info);
  byKey_.erase(it->second.key);
  devices_.erase(it);  // its queue with it
  if (listener_) listener_(info, false);
}

std::uint64_t NearbyDevices::queue(std::uint64_t id, std::string_view type, std::string data) {
  auto it = devices_.find(id);
  if (it == devices_.end()) return 0;
  Record& r = it->second;
  const std::uint64_t seq = ++r.lastSeq;
  r.queuedBytes += data.size();
  r.queue.push_back(Message{seq, std::string(type), std::move(data)});
  while (r.queue.size() > kMaxQueued || (r.queue.size() > 1 && r.queuedBytes > kMaxQueuedBytes)) {
    r.queuedBytes -= r.queue.front().data.size();
    r.queue.pop_front();
  }
  return seq;
}

std::vector<const NearbyDevices::Message*> NearbyDevices::since(std::uint64_t id, std::uint64_t after) const {
  std::vector<const Message*> out;
  auto it = devices_.find(id);
  if (it == devices_.end()) return out;
  for (const Message& m : it->second.queue)
    if (m.seq > after) out.push_back(&m);
  return out;
}

std::uint64_t NearbyDevices::idOf(std::string_view key) const {
  auto it = byKey_.find(std::string(key));
  return it == byKey_.end() ? 0 : it->second;
}

bool NearbyDevices::rekey(std::uint64_t id, const std::string& key) {
  auto it = devices_.find(id);
  if (it == devices_.end() || byKey_.count(key)) return false;
  byKey_.erase(it->second.key);
  it->second.key = key;
  byKey_[key] = id;
  return true;
}

const NearbyDevice* NearbyDevices::find(std::uint64_t id) const {
  auto it = devices_.find(id);
  return it == devices_.end() ? nullptr : &it->second.info;
}

std::vector<NearbyDevice> NearbyDevices::list() const {
  std::vector<NearbyDevice> out;
  for (const auto& [id, r] : devices_) out.push_back(r.info);
  return out;
}

std::size_t NearbyDevices::streamsOf(std::uint64_t id) const {
  auto it = devices_.find(id);
  return it == devices_.end() ? 0 : it->second.streams;
}

std::size_t NearbyDevices::streamsFrom(std::string_view address) const {
  std::size_t n = 0;
  for (const auto& [id, r] : devices_)
    if (r.info.address == address) n += r.streams;
  return n;
}

void NearbyDevices::clear() {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, r] : devices_) ids.push_back(id);
  for (std::uint64_t id : ids) {
    if (devices_[id].leaving) loop_.cancel(devices_[id].leaving);
    gone(id);
  }
}

}  // namespace ferry
