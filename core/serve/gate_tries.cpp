#include "gate_tries.h"

#include <algorithm>
#include <vector>

namespace ferry {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Groups of an IPv6 text ("a:b::c", a dotted IPv4 tail as two groups)
// appended to `out`; false when one is malformed.
bool parseGroups(std::string_view s, std::vector<std::uint32_t>& out, bool tailMayBeV4) {
  if (s.empty()) return true;
  while (true) {
    std::size_t colon = s.find(':');
    std::string_view g = s.substr(0, colon);
    if (colon == std::string_view::npos && tailMayBeV4 && g.find('.') != std::string_view::npos) {
      std::uint32_t v4 = 0;
      int parts = 0;
      for (std::string_view rest = g; parts < 4; ++parts) {
        std::size_t dot = rest.find('.');
        std::string_view n = rest.substr(0, dot);
        if (n.empty() || n.size() > 3) return false;
        std::uint32_t v = 0;
        for (char c : n) {
          if (c < '0' || c > '9') return false;
          v = v * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (v > 255) return false;
        v4 = v4 << 8 | v;
        if (dot == std::string_view::npos) {
          ++parts;
          break;
        }
        rest.remove_prefix(dot + 1);
      }
      if (parts != 4) return false;
      out.push_back(v4 >> 16);
      out.push_back(v4 & 0xffff);
      return true;
    }
    if (g.empty() || g.size() > 4) return false;
    std::uint32_t v = 0;
    for (char c : g) {
      int h = hexValue(c);
      if (h < 0) return false;
      v = v << 4 | static_cast<std::uint32_t>(h);
    }
    out.push_back(v);
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

}  // namespace

std::string guesserOf(std::string_view address) {
  if (address.find(':') == std::string_view::npos) return std::string(address);
  std::string_view s = address.substr(0, address.find('%'));  // a zone ("%eth0") is no part of it
  std::vector<std::uint32_t> head, tail;
  std::size_t gap = s.find("::");
  bool ok;
  if (gap == std::string_view::npos) {
    ok = parseGroups(s, head, true) && head.size() == 8;
  } else {
    ok = parseGroups(s.substr(0, gap), head, false) && parseGroups(s.substr(gap + 2), tail, true) &&
         head.size() + tail.size() <= 7;
  }
  if (!ok) return std::string(address);
  std::uint32_t g[8] = {};
  for (std::size_t i = 0; i < head.size(); ++i) g[i] = head[i];
  for (std::size_t i = 0; i < tail.size(); ++i) g[8 - tail.size() + i] = tail[i];
  // ::ffff:a.b.c.d is an IPv4 client.
  if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
    return std::to_string(g[6] >> 8) + '.' + std::to_string(g[6] & 0xff) + '.' + std::to_string(g[7] >> 8) + '.' +
           std::to_string(g[7] & 0xff);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string key;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t v = g[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      std::uint32_t d = (v >> shift) & 0xf;
      if (d || started || shift == 0) {
        key += kHex[d];
        started = true;
      }
    }
    key += ':';
  }
  key += ":/64";
  return key;
}

std::uint32_t WrongTries::wait(std::string_view address, Clock::time_point now) const {
  auto it = byAddress_.find(address);
  if (it == byAddress_.end() || it->second->until <= now) return 0;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second->until - now).count();
  return static_cast<std::uint32_t>((left + 999) / 1000);
}

void WrongTries::wrong(std::string_view address, Clock::time_point now) {
  auto it = byAddress_.find(address);
  if (it == byAddress_.end()) {
    if (byAddress_.size() >= kMaxAddresses) {
      byAddress_.erase(recent_.back().address);
      recent_.pop_back();
    }
    recent_.push_front(Entry{std::string(address), 0, now, now});
    it = byAddress_.emplace(recent_.front().address, recent_.begin()).first;
  } else {
    recent_.splice(recent_.begin(), recent_, it->second);
  }
  Entry& e = *it->second;
  if (now - e.last >= kForget) e.wrong = 0;
  e.last = now;
  ++e.wrong;
  if (e.wrong >= kBanAfter) {
    e.until = now + kBan;
  } else if (e.wrong >= kFree) {
    // 1 s after the last free try, then twice as long each time.
    const std::uint32_t doublings = std::min<std::uint32_t>(e.wrong - kFree, 30);
    e.until = now + std::min<Clock::duration>(std::chrono::seconds(std::uint64_t(1) << doublings), kMaxPause);
  }
}

void WrongTries::forgive(std::string_view address) {
  auto it = byAddress_.find(address);
  if (it == byAddress_.end()) return;
  recent_.erase(it->second);
  byAddress_.erase(it);
}

}  // namespace ferry
