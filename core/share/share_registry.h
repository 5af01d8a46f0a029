#pragma once

// Layer share/: what is shared and what happens to it — ShareRegistry and
// TransferStats. Uses http/ (token syntax) and below.
//
// ShareRegistry: what is shared. Maps unguessable tokens to the files and
// folders the user chose. Owns only that mapping (never an open file).
//
// Thread-safe: the UI adds and removes shares while the loop thread looks
// them up for every request.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "file_io.h"
#include "share_rules.h"

namespace ferry {

struct Share {
  std::string token;
  std::string path;  // the file or folder the user chose, absolute, symlinks resolved
  std::string name;  // the file or folder name shown to downloaders
  bool folder = false;
  // What the folder was when it was shared (for a file: the file's folder).
  // Each open goes to `path` following no symlink and finds this folder or
  // nothing, so a folder swapped for a link later serves nothing.
  FileId pin;
  // A folder's dot-files, .DS_Store, Thumbs.db... are listed and zipped.
  bool showHidden = false;
  ShareRules rules;
  // Complete deliveries so far, what downloadLimit counts; kept across
  // restarts by whoever keeps the shares (setDeliveries()). For a folder,
  // the recipients let in so far (admitRecipient()).
  std::uint32_t deliveries = 0;
};

// One of the devices a folder link with a download limit is for: a browser
// by the cookie its page set (recipientCookieName()), a client without
// cookies by its address.
struct Recipient {
  std::string cookie;   // empty: it came without one
  std::string address;  // without port; behind a trusted proxy the forwarded one
  bool operator==(const Recipient&) const = default;
};

// "ferry-r-<token>": the cookie naming a folder link's recipient.
std::string recipientCookieName(std::string_view token);
// A recipient as kept in settings ("COOKIE@ADDRESS", "@ADDRESS" without a
// cookie), and back; false for text that is not one.
std::string recipientText(const Recipient& r);
bool parseRecipient(std::string_view text, Recipient& out);

enum class RecipientAdmission {
  kKnown,  // one of the link's recipients already (or the link counts none)
  kNew,    // let in as a new recipient, counted in Share::deliveries
  kFull,   // the link's recipients are all counted, and this is not one
};

class ShareRegistry final {
 public:
  // Adds a file or a folder. An empty token draws a new one; a given token
  // (restored from settings) must look like one. Fails with cannotShare()'s
  // sentence when the path does not exist, is special or cannot be read.
  std::optional<Share> add(const std::string& path, std::string* error, std::string token = {});

  // Whether a folder share lists and zips its hidden entries. False if unknown.
  bool setShowHidden(std::string_view token, bool show);

  // Replaces a share's rules; the next request obeys them. False if unknown.
  bool setRules(std::string_view token, ShareRules rules);

  // Counts `n` more complete deliveries (one by default) and returns the
  // new count (0 if the token is unknown). Restores a saved count with
  // setDeliveries().
  std::uint32_t noteDelivered(std::string_view token, std::uint32_t n = 1);
  bool setDeliveries(std::string_view token, std::uint32_t count);

  // A folder with a download limit is for that many recipients (devices),
  // each of whom may take anything in it for the link's life: whether `who`
  // is one, or may still become one (then counted). A browser is known by
  // its cookie, a recipient that came without one by its address. Any other
  // share passes as kKnown.
  RecipientAdmission admitRecipient(std::string_view token, const Recipient& who);
  // Whether `who` is one of the share's recipients (counts nothing).
  bool isRecipient(std::string_view token, const Recipient& who) const;
  // The recipients in the order let in, to keep them; setRecipients()
  // restores them (the count with setDeliveries()).
  std::vector<Recipient> recipients(std::string_view token) const;
  bool setRecipients(std::string_view token, const std::vector<Recipient>& recipients);

  // Gives the share a new token, keeping its place, rules and count; the old
  // token is unknown from the next request, as if unshared.
  std::optional<Share> rotate(std::string_view token);

  // Removes a share; its link 404s from the next request. False if unknown.
  bool remove(std::string_view token);

  // Shared, immutable: a lookup per request costs no allocation.
  std::shared_ptr<const Share> find(std::string_view token) const;
  std::vector<Share> list() const;  // in the order added
  std::size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Applies `change` to a copy of the share and publishes the copy: requests
  // in flight keep the share they looked up, the next one sees the change.
  template <typename Change>
  bool update(std::string_view token, Change change);

  // A folder's recipients, kept beside its Share (not in it: a Share is
  // copied on every change, and a limit may allow many recipients).
  struct Recipients {
    std::vector<Recipient> all;
    std::unordered_set<std::string, Hash, std::equal_to<>> cookies, cookielessAddresses;
    void add(const Recipient& r);
    bool has(const Recipient& who) const;
  };

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Share>, Hash, std::equal_to<>> byToken_;
  std::unordered_map<std::string, Recipients, Hash, std::equal_to<>> recipients_;
  std::vector<std::string> order_;
};

// Why `path` cannot be shared, as the end of a sentence ("it is not a
// regular file"); empty when it names a readable regular file or folder.
std::string whyNotShareable(const std::string& path);

// "Cannot share PATH: REASON." Every refusal to share is told in this one
// sentence, in the window and on the command line alike.
std::string cannotShare(const std::string& path, const std::string& reason);

// The absolute form of path (no symlink resolution), and its last component.
std::string absolutePath(const std::string& path);
// The absolute form with every symlink resolved (absolutePath() if that fails).
std::string resolvedPath(const std::string& path);
// The last component ("Photos" for "/home/me/Photos/"; "root" for "/").
std::string fileNameOf(const std::string& path);

}  // namespace ferry
