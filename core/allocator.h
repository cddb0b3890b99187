// How the program's large buffers are given back. A trace of 2,048 tokens allocates a few dozen matrices of
// 32 MiB, and recomputes them on every keystroke. By default the C library maps each one afresh and unmaps it
// when freed, so every trace pays again to fault its pages in (a third of its time, measured). Asking it to
// keep freed memory lets the next trace reuse the same pages. The memory kept is at most what the largest
// trace used; it is given back above 1 GiB of free memory.
#pragma once

namespace attention {

// Call once, early in main(). Does nothing where the C library has no such settings.
void keepFreedMemoryForReuse();

} // namespace attention
