// Timing of the attention forward pass: the double-precision reference, the fast path, the streaming path and
// the two float matrix products alone (Q·Kᵀ and W·V) as the yardstick. No Qt here.
#pragma once

#include "fastattention.h"

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
    bool reference = true;     // time the teaching trace (slow at large n); max_abs_diff needs it
    int referenceMaxN = 8192;  // past this n it is not timed: it keeps several n × n double matrices
    AttentionKernel kernel = AttentionKernel::Auto; // for the fast and streaming paths and the yardstick
};

// The JSON of the issue: {"machine": {"threads", "kernel", "hardware_threads"}, "results": [{"n", "d", "heads",
// "causal", "ms": {"reference", "fast", "streaming", "matmul_only", "reference_matmul_only"}, "peak_bytes":
// {"fast", "streaming"}, "max_abs_diff"}]}. reference is the teaching trace (computeHead, double, every
// intermediate kept) and reference_matmul_only its own two products; matmul_only is the yardstick of the fast
// path: the same two products in float, with its kernel and threads. Without the reference, those and
// max_abs_diff are null.
std::string runAttentionBench(const BenchOptions &options);

} // namespace attention
