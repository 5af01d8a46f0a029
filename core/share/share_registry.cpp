#include "share_registry.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "file_io.h"
#include "folder_io.h"
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
  auto p = pathFromUtf8(path);
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();  // "Photos/"
  std::string name = utf8FromPath(p.filename());
  if (!name.empty()) return name;
  // A whole drive: a name that can stand in a link and a zip ("C", "root").
  name = utf8FromPath(p.root_name());
  std::erase(name, ':');
  return name.empty() ? "root" : name;
}

std::string cannotShare(const std::string& path, const std::string& reason) {
  return "Cannot share " + path + ": " + reason + ".";
}

std::string whyNotShareable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto st = fs::status(pathFromUtf8(path), ec);
  if (ec || !fs::exists(st)) return "there is no such file";
  const bool folder = fs::is_directory(st);
  if (!folder && !fs::is_regular_file(st)) return "it is not a regular file or folder";
  // Opened as a download opens it, so that what refuses a download (a mode,
  // an ACL, a sandbox) refuses the share too, with its reason.
  int why = 0;
  if (folder) {
    FolderRoot root;
    std::vector<FolderEntry> entries;
    if (!root.openAsChosen(path, why) || !root.list({}, entries, why)) {
      if (why == EACCES || why == EPERM) return "the folder cannot be read: permission denied";
      return "the folder cannot be read: " + std::error_code(why, std::generic_category()).message();
    }
    return {};
  }
  const int fd = openForReading(path);
  if (fd < 0) {
    why = errno;
    if (why == EACCES || why == EPERM) return "it cannot be read: permission denied";
    return "it cannot be read: " + std::error_code(why, std::generic_category()).message();
  }
  closeFile(fd);
  return {};
}

std::optional<Share> ShareRegistry::add(const std::string& path, std::string* error, std::string token) {
  std::string problem = whyNotShareable(path);
  if (problem.empty() && !token.empty() && !looksLikeToken(token))
    problem = "its saved link token '" + token + "' is malformed";
  if (!problem.empty()) {
    if (error) *error = cannotShare(path, problem);
    return std::nullopt;
  }
  // The path is resolved once, here: what the user chose is what is served.
  // A symlink put in its place later is refused (served files are opened
  // with O_NOFOLLOW, below a folder opened with no symlink on its path and
  // checked against `pin`), so whoever can write in that folder or above it
  // cannot swap in a link to another file or folder. A folder's entries are
  // opened below it, never outside (FolderRoot).
  Share share{token.empty() ? newShareToken() : std::move(token), resolvedPath(path), {}};
  share.name = fileNameOf(absolutePath(path));
  std::error_code ec;
  share.folder = std::filesystem::is_directory(pathFromUtf8(share.path), ec);
  share.pin = fileIdOf(share.folder ? share.path : utf8FromPath(pathFromUtf8(share.path).parent_path()));
  std::lock_guard lock(mutex_);
  if (!byToken_.count(share.token)) order_.push_back(share.token);
  byToken_[share.token] = std::make_shared<const Share>(share);
  return share;
}

template <typename Change>
bool ShareRegistry::update(std::string_view token, Change change) {
  std::lock_guard lock(mutex_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return false;
  auto changed = std::make_shared<Share>(*it->second);
  change(*changed);
  it->second = std::move(changed);
  return true;
}

bool ShareRegistry::setShowHidden(std::string_view token, bool show) {
  return update(token, [show](Share& s) { s.showHidden = show; });
}

bool ShareRegistry::setRules(std::string_view token, ShareRules rules) {
  return update(token, [&rules](Share& s) { s.rules = std::move(rules); });
}

std::uint32_t ShareRegistry::noteDelivered(std::string_view token, std::uint32_t n) {
  std::uint32_t count = 0;
  update(token, [&count, n](Share& s) { count = s.deliveries += n; });
  return count;
}

bool ShareRegistry::setDeliveries(std::string_view token, std::uint32_t count) {
  return update(token, [count](Share& s) { s.deliveries = count; });
}

std::string recipientCookieName(std::string_view token) {
  std::string name = "ferry-r-";
  name += token;
  return name;
}

std::string recipientText(const Recipient& r) { return r.cookie + '@' + r.address; }

bool parseRecipient(std::string_view text, Recipient& out) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || at + 1 == text.size()) return false;
  const std::string_view cookie = text.substr(0, at);
  if (!cookie.empty() && !looksLikeToken(cookie)) return false;
  out.cookie = cookie;
  out.address = text.substr(at + 1);
  return true;
}

void ShareRegistry::Recipients::add(const Recipient& r) {
  all.push_back(r);
  if (!r.cookie.empty()) cookies.insert(r.cookie);
  else cookielessAddresses.insert(r.address);
}

// A browser by its cookie; a recipient that came without one (a client that
// keeps no cookies, or a browser that took a file before it saw the page)
// by its address. A browser's first request carries no cookie yet: a
// second browser on a recipient's computer, or behind its NAT, is another
// device, known from its own first page on by the cookie that page sets.
bool ShareRegistry::Recipients::has(const Recipient& who) const {
  if (!who.cookie.empty() && cookies.count(who.cookie)) return true;
  return cookielessAddresses.count(who.address) != 0;
}

RecipientAdmission ShareRegistry::admitRecipient(std::string_view token, const Recipient& who) {
  std::lock_guard lock(mutex_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return RecipientAdmission::kFull;
  const Share& share = *it->second;
  if (!share.folder || share.rules.downloadLimit == 0) return RecipientAdmission::kKnown;
  auto known = recipients_.find(token);
  if (known != recipients_.end() && known->second.has(who)) return RecipientAdmission::kKnown;
  if (share.deliveries >= share.rules.downloadLimit) return RecipientAdmission::kFull;
  if (known == recipients_.end()) known = recipients_.emplace(std::string(token), Recipients{}).first;
  known->second.add(who);
  auto changed = std::make_shared<Share>(share);
  ++changed->deliveries;
  it->second = std::move(changed);
  return RecipientAdmission::kNew;
}

bool ShareRegistry::isRecipient(std::string_view token, const Recipient& who) const {
  std::lock_guard lock(mutex_);
  auto known = recipients_.find(token);
  return known != recipients_.end() && known->second.has(who);
}

std::vector<Recipient> ShareRegistry::recipients(std::string_view token) const {
  std::lock_guard lock(mutex_);
  auto known = recipients_.find(token);
  return known == recipients_.end() ? std::vector<Recipient>{} : known->second.all;
}

bool ShareRegistry::setRecipients(std::string_view token, const std::vector<Recipient>& recipients) {
  std::lock_guard lock(mutex_);
  if (!byToken_.count(token)) return false;
  Recipients kept;
  for (const Recipient& r : recipients) kept.add(r);
  recipients_.insert_or_assign(std::string(token), std::move(kept));
  return true;
}

std::optional<Share> ShareRegistry::rotate(std::string_view token) {
  std::lock_guard lock(mutex_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return std::nullopt;
  auto changed = std::make_shared<Share>(*it->second);
  do changed->token = newShareToken();
  while (byToken_.count(changed->token));
  *std::find(order_.begin(), order_.end(), token) = changed->token;
  byToken_.erase(it);
  Share out = *changed;
  byToken_.emplace(out.token, std::move(changed));
  // The count stays, and so do its recipients: cookies scoped to the old
  // link no longer reach this one, addresses still do.
  if (auto known = recipients_.find(token); known != recipients_.end()) {
    Recipients kept = std::move(known->second);
    recipients_.erase(known);
    recipients_.emplace(out.token, std::move(kept));
  }
  return out;
}

bool ShareRegistry::remove(std::string_view token) {
  std::lock_guard lock(mutex_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return false;
  byToken_.erase(it);
  if (auto known = recipients_.find(token); known != recipients_.end()) recipients_.erase(known);
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
