#pragma once

// Giving memory back to the operating system after a burst.
//
// The C allocator keeps what it frees: glibc's per-thread arenas only shrink
// from their top, so one connection record still alive at the end of a
// 2,000-client burst pins every page freed below it, and the process keeps
// its high-water mark for good. After a burst the server shrinks its tables
// with shrinkToFit() and then calls releaseFreeMemory() once.

#include <unordered_map>

namespace ferry {

// Returns the allocator's free pages to the OS: glibc's malloc_trim, the
// default zone's pressure relief on macOS, _heapmin on Windows; nothing
// elsewhere (musl, the BSDs' jemalloc). Any thread. It walks every arena's
// free lists holding that arena's lock, so it belongs after a burst, never
// on a request's path.
void releaseFreeMemory();

// Gives back the buckets a hash map grew to. rehash(0) would do on libstdc++
// and libc++, but MSVC's never shrinks; moving the nodes into a fresh map
// does everywhere (nodes move as they are: no element is copied).
template <typename K, typename V, typename H, typename E, typename A>
void shrinkToFit(std::unordered_map<K, V, H, E, A>& map) {
  std::unordered_map<K, V, H, E, A> fresh(map.size(), map.hash_function(), map.key_eq(), map.get_allocator());
  while (!map.empty()) fresh.insert(map.extract(map.begin()));
  map.swap(fresh);
}

}  // namespace ferry
