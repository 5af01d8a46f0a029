#include "memory_release.h"

#include <cstdlib>  // defines __GLIBC__ where it applies

#if defined(__GLIBC__)
#include <malloc.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#elif defined(_WIN32)
#include <malloc.h>
#endif

namespace ferry {

void releaseFreeMemory() {
#if defined(__GLIBC__)
  // 0: keep no padding at the top of the main heap. Free chunks inside every
  // arena are given back too (madvise), not just the top.
  ::malloc_trim(0);
#elif defined(__APPLE__)
  ::malloc_zone_pressure_relief(nullptr, 0);
#elif defined(_WIN32)
  ::_heapmin();
#endif
}

}  // namespace ferry
