// Timing of the attention forward pass: the double-precision reference, the fast path, the streaming path and
// the two float matrix products alone (Q·Kᵀ and W·V) as the yardstick. No Qt here.
#pragma once

#include <string>
#include <vector>

namespace attention {

struct BenchOptions
{
    std::vector<int> n = {1024, 2048, 4096};
    int d = 64;
    int heads = 1;   // each timing covers this many heads, one after the other
    int threads = 2; // for the fast and streaming paths and the yardstick
    int repeats = 5; // times are the median of this many runs
    bool causal = false;
    bool reference = true; // time the double reference (slow at large n); max_abs_diff needs it
};

// The JSON of the issue: {"machine": {"threads", "kernel"}, "results": [{"n", "d", "ms": {"reference", "fast",
// "streaming", "matmul_only"}, "peak_bytes": {"fast", "streaming"}, "max_abs_diff"}]}.
std::string runAttentionBench(const BenchOptions &options);

} // namespace attention
