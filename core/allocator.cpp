#include "allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace attention {

void keepFreedMemoryForReuse()
{
#if defined(__GLIBC__)
    // Blocks under 256 MiB come from the heap, which keeps them when freed, up to 1 GiB of free memory.
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

} // namespace attention
