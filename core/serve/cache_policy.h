#pragma once

// CachePolicy: the one place that decides what a cache between Ferry and a
// downloader (a browser's, nginx's proxy_cache, a CDN) may keep of a share's
// answers, and so how long a link can outlive its unsharing or its rules.
//
// - A plain link: "no-cache" by default, so every reuse is revalidated and
//   unsharing ends the link everywhere at once; with publicSeconds N > 0,
//   "public, max-age=N": shared caches serve it for N seconds without asking
//   (a changed file gets a new ETag, so no cache mixes two versions).
//   A 206 stays "no-cache" even then: a cache that keys on the URL alone
//   (nginx passing Range on with proxy_cache) would keep the part and hand
//   it out as the whole file.
// - A link with a rule (an expiry, a download limit, a password): "private,
//   no-store", always, whatever publicSeconds says. A cache that kept it
//   would hand it out past its expiry, beyond its limit, without the
//   password; and the deliveries a limit counts would never reach Ferry.
// - A password link's answers also vary with the Cookie and Authorization
//   that unlocked them.
// - Pages that show what a share holds now (a folder's listing): "no-store"
//   for every share.
//
// Plain data, copied into each handler at start; any thread.

#include <cstdint>
#include <string>

namespace ferry {

struct Share;

struct CachePolicy {
  // How long shared caches may keep plain links' files and zips; 0 = "no-cache".
  std::uint32_t publicSeconds = 0;

  // The header lines ("Cache-Control: ...\r\n", and "Vary: ...\r\n" for a
  // password share) of an answer carrying a share's bytes or validators:
  // 200, 206, 304 and 416 of a file, a file inside a folder, or a zip;
  // `partial` for a 206.
  void appendContentHeaders(std::string& head, const Share& share, bool partial = false) const;
  // The same for a page made from what the share holds now (a listing):
  // never stored, whatever publicSeconds says.
  static void appendPageHeaders(std::string& head, const Share& share);
};

}  // namespace ferry
