#pragma once

// Giving memory back to the operating system after a burst.
//
// The C allocator keeps what it frees: glibc's per-thread arenas only shrink
// from their top, so one connection record still alive at the end of a
// 2,000-client burst pins every page freed below it, and the process keeps
// its high-water mark for good. After a burst the server calls this once.

namespace ferry {

// Returns the allocator's free pages to the OS (glibc: malloc_trim; macOS:
// the zone's pressure relief; Windows: _heapmin). Any thread. It walks the
// free lists of every arena — well under a millisecond for a server's heap —
// so it belongs after a burst, never on a request's path.
void releaseFreeMemory();

}  // namespace ferry
