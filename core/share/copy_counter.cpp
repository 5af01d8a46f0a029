#include "copy_counter.h"

#include <algorithm>
#include <limits>

namespace ferry {

CopyRef CopyCounter::open(std::string_view token, std::string_view item, std::uint64_t version,
                          std::uint64_t size) {
  std::string key;
  key.reserve(token.size() + item.size() + 2 + 20);
  key.append(token).push_back('\0');
  key.append(item).push_back('\0');
  key.append(std::to_string(version));
  auto found = byKey_.find(key);
  std::uint32_t slot;
  if (found != byKey_.end()) {
    slot = found->second;
    File& f = files_[slot];
    if (f.size == size) {
      f.lastUse = ++uses_;
      return {slot, f.generation};
    }
  } else if (files_.size() < kMaxFiles) {
    slot = static_cast<std::uint32_t>(files_.size());
    files_.emplace_back();
  } else {
    // The version used longest ago makes room: its partial counts are lost,
    // the copies it counted are already the registry's.
    auto oldest = std::min_element(files_.begin(), files_.end(),
                                   [](const File& a, const File& b) { return a.lastUse < b.lastUse; });
    slot = static_cast<std::uint32_t>(oldest - files_.begin());
    byKey_.erase(oldest->key);
  }
  File& f = files_[slot];
  f.size = size;
  f.generation = ++generation_;
  f.lastUse = ++uses_;
  f.copies = 0;
  f.spans.assign(1, Span{0, 0});
  if (found == byKey_.end()) {
    f.key = std::move(key);
    byKey_.emplace(f.key, slot);
  }
  return {slot, f.generation};
}

CopyCounter::File* CopyCounter::get(CopyRef ref) {
  if (!ref || ref.slot >= files_.size() || files_[ref.slot].generation != ref.generation) return nullptr;
  return &files_[ref.slot];
}

const CopyCounter::File* CopyCounter::get(CopyRef ref) const {
  if (!ref || ref.slot >= files_.size() || files_[ref.slot].generation != ref.generation) return nullptr;
  return &files_[ref.slot];
}

std::uint32_t CopyCounter::copies(CopyRef ref) const {
  const File* f = get(ref);
  return f ? f->copies : 0;
}

std::size_t CopyCounter::spans(CopyRef ref) const {
  const File* f = get(ref);
  return f ? f->spans.size() : 0;
}

std::size_t CopyCounter::splitAt(File& f, std::uint64_t at) {
  auto after = std::upper_bound(f.spans.begin(), f.spans.end(), at,
                                [](std::uint64_t v, const Span& s) { return v < s.first; });
  const auto i = static_cast<std::size_t>(after - f.spans.begin()) - 1;  // spans[0].first == 0 <= at
  if (f.spans[i].first == at) return i;
  f.spans.insert(f.spans.begin() + static_cast<std::ptrdiff_t>(i) + 1, Span{at, f.spans[i].count});
  return i + 1;
}

void CopyCounter::mergeEqual(File& f) {
  std::size_t out = 0;
  for (std::size_t i = 1; i < f.spans.size(); ++i)
    if (f.spans[i].count != f.spans[out].count) f.spans[++out] = f.spans[i];
  f.spans.resize(out + 1);
}

void CopyCounter::shrink(File& f) {
  while (f.spans.size() > kMaxSpans) {
    // Raise the lower of two neighbours to the higher where that costs the
    // fewest bytes (length times the difference): counted ahead, never behind.
    double best = std::numeric_limits<double>::infinity();
    std::size_t lower = 0;
    std::uint32_t to = 0;
    for (std::size_t k = 0; k + 1 < f.spans.size(); ++k) {
      const std::size_t low = f.spans[k].count < f.spans[k + 1].count ? k : k + 1;
      const std::size_t high = low == k ? k + 1 : k;
      const std::uint64_t end = low + 1 < f.spans.size() ? f.spans[low + 1].first : f.size;
      const double cost = static_cast<double>(end - f.spans[low].first) *
                          static_cast<double>(f.spans[high].count - f.spans[low].count);
      if (cost < best) {
        best = cost;
        lower = low;
        to = f.spans[high].count;
      }
    }
    f.spans[lower].count = to;
    mergeEqual(f);
  }
}

std::uint32_t CopyCounter::add(CopyRef ref, std::uint64_t from, std::uint64_t to) {
  File* f = get(ref);
  if (!f) return 0;
  to = std::min(to, f->size);
  if (from >= to) return 0;
  f->lastUse = ++uses_;
  const std::size_t first = splitAt(*f, from);
  const std::size_t end = to < f->size ? splitAt(*f, to) : f->spans.size();
  for (std::size_t i = first; i < end; ++i)
    if (f->spans[i].count < std::numeric_limits<std::uint32_t>::max()) ++f->spans[i].count;
  mergeEqual(*f);
  shrink(*f);
  std::uint32_t least = std::numeric_limits<std::uint32_t>::max();
  for (const Span& s : f->spans) least = std::min(least, s.count);
  if (least <= f->copies) return 0;
  const std::uint32_t made = least - f->copies;
  f->copies = least;
  return made;
}

}  // namespace ferry
