#include "receive_target.h"

#include <utility>

#include "file_write.h"
#include "random_token.h"
#include "request_target.h"
#include "share_registry.h"

namespace ferry {
namespace {

// The receive link is a credential: compared in time that does not depend
// on where the first difference is.
bool sameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string cannotReceive(const std::string& dir, const std::string& reason) {
  return "Cannot receive files into " + dir + ": " + reason + ".";
}

std::shared_ptr<const ReceiveFolder> ReceiveTarget::set(const std::string& dir, std::string* error,
                                                        std::string token) {
  auto fail = [&](const std::string& why) {
    if (error) *error = cannotReceive(dir, why);
    return nullptr;
  };
  if (dir.empty()) return fail("no folder was named");
  if (std::string why = whyNotWritableFolder(dir); !why.empty()) return fail(why);
  if (!token.empty() && !looksLikeToken(token)) return fail("the saved link is damaged");
  auto folder = std::make_shared<ReceiveFolder>();
  folder->token = token.empty() ? newShareToken() : std::move(token);
  folder->dir = resolvedPath(dir);
  folder->pin = fileIdOf(folder->dir);
  std::lock_guard lock(mutex_);
  folder_ = folder;
  return folder;
}

std::shared_ptr<const ReceiveFolder> ReceiveTarget::clear() {
  std::lock_guard lock(mutex_);
  return std::exchange(folder_, nullptr);
}

std::shared_ptr<const ReceiveFolder> ReceiveTarget::find(std::string_view token) const {
  std::lock_guard lock(mutex_);
  if (folder_ && sameToken(folder_->token, token)) return folder_;
  return nullptr;
}

std::shared_ptr<const ReceiveFolder> ReceiveTarget::current() const {
  std::lock_guard lock(mutex_);
  return folder_;
}

void ReceiveTarget::setPolicy(const ReceivePolicy& policy) {
  std::lock_guard lock(mutex_);
  policy_ = policy;
}

ReceivePolicy ReceiveTarget::policy() const {
  std::lock_guard lock(mutex_);
  return policy_;
}

void ReceiveTarget::acceptDevice(const std::string& key) {
  if (key.empty()) return;
  std::lock_guard lock(mutex_);
  accepted_.insert(key);
}

bool ReceiveTarget::accepted(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return accepted_.count(key) > 0;
}

void ReceiveTarget::allowFiles(const std::string& key, std::uint32_t files) {
  if (key.empty() || files == 0) return;
  std::lock_guard lock(mutex_);
  // Bounded like the asks themselves: one entry per device that was asked.
  if (allowed_.size() >= 4096 && !allowed_.count(key)) allowed_.clear();
  allowed_[key] = files;
}

bool ReceiveTarget::takeAllowed(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = allowed_.find(key);
  if (it == allowed_.end()) return false;
  if (--it->second == 0) allowed_.erase(it);
  return true;
}

std::vector<std::string> ReceiveTarget::acceptedDevices() const {
  std::lock_guard lock(mutex_);
  return {accepted_.begin(), accepted_.end()};
}

}  // namespace ferry
