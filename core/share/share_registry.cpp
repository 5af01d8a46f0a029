#include "share_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "random_token.h"
#include "request_target.h"

namespace ferry {
namespace {

// Paths cross the API as UTF-8 std::string on every platform.
std::filesystem::path pathFromUtf8(const std::string& s) {
  return std::filesystem::path(std::u8string(s.begin(), s.end()));
}

std::string utf8FromPath(const std::filesystem::path& p) {
  auto u = p.u8string();
  return std::string(u.begin(), u.end());
}

}  // namespace

std::string absolutePath(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(pathFromUtf8(path), ec);
  if (ec) return path;
  return utf8FromPath(p.lexically_normal());
}

std::string resolvedPath(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::canonical(pathFromUtf8(path), ec);
  if (ec) return absolutePath(path);
  return utf8FromPath(p);
}

std::string fileNameOf(const std::string& path) {
  return utf8FromPath(pathFromUtf8(path).filename());
}

std::string checkShareablePath(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto st = fs::status(pathFromUtf8(path), ec);
  if (ec || !fs::exists(st)) return "'" + path + "': no such file";
  if (fs::is_directory(st)) return "'" + path + "' is a folder; only files can be shared";
  if (!fs::is_regular_file(st)) return "'" + path + "' is not a regular file";
  std::ifstream probe(pathFromUtf8(path), std::ios::binary);
  if (!probe) return "'" + path + "' cannot be read (permission denied?)";
  return {};
}

std::optional<Share> ShareRegistry::add(const std::string& path, std::string* error, std::string token) {
  std::string problem = checkShareablePath(path);
  if (!problem.empty()) {
    if (error) *error = problem;
    return std::nullopt;
  }
  if (!token.empty() && !looksLikeToken(token)) {
    if (error) *error = "'" + token + "' is not a valid share token";
    return std::nullopt;
  }
  // The path is resolved once, here: what the user chose is what is served.
  // A symlink put in its place later is refused (served files are opened
  // with O_NOFOLLOW), so whoever can write in that folder cannot swap in a
  // link to another file.
  Share share{token.empty() ? newShareToken() : std::move(token), resolvedPath(path), {}};
  share.name = fileNameOf(absolutePath(path));
  std::lock_guard lock(mutex_);
  if (!byToken_.count(share.token)) order_.push_back(share.token);
  byToken_[share.token] = std::make_shared<const Share>(share);
  return share;
}

bool ShareRegistry::remove(std::string_view token) {
  std::lock_guard lock(mutex_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return false;
  byToken_.erase(it);
  order_.erase(std::find(order_.begin(), order_.end(), token));
  return true;
}

std::shared_ptr<const Share> ShareRegistry::find(std::string_view token) const {
  std::lock_guard lock(mutex_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return nullptr;
  return it->second;
}

std::vector<Share> ShareRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<Share> out;
  out.reserve(order_.size());
  for (const auto& t : order_) out.push_back(*byToken_.find(t)->second);
  return out;
}

std::size_t ShareRegistry::size() const {
  std::lock_guard lock(mutex_);
  return byToken_.size();
}

}  // namespace ferry
