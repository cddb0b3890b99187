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
    int yardstickMaxN = 16384; // past this n neither is the yardstick: its W is n × n floats (1 GiB here)
    AttentionKernel kernel = AttentionKernel::Auto; // for the fast and streaming paths and the yardstick
};

// The JSON of the issue: {"machine": {"threads", "kernel", "hardware_threads"}, "results": [{"n", "d", "heads",
// "causal", "ms": {"reference", "fast", "streaming", "matmul_only", "reference_matmul_only"}, "peak_bytes":
// {"fast", "streaming"}, "max_abs_diff"}]}. reference is the teaching trace (computeHead, double, every
// intermediate kept) and reference_matmul_only its own matrix products (the three projections, Q·Kᵀ, W·V);
// matmul_only is the yardstick of the fast path: Q·Kᵀ and W·V in float, with its kernel and threads. What is
// not timed (the reference past referenceMaxN, the yardstick past yardstickMaxN) is null, and so is
// max_abs_diff without the reference.
std::string runAttentionBench(const BenchOptions &options);

} // namespace attention
