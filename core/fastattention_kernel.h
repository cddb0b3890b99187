// The inner kernels of the fast and streaming attention paths (see fastattention.h). They are compiled twice:
// fastattention_avx2.cpp (AVX2 + FMA) and fastattention_generic.cpp (the x86-64 baseline, SSE2). The driver
// picks one at run time. Plain C++ only here, no Eigen and no standard library templates, so no inline
// function compiled for AVX2 can be merged by the linker into the generic kernel.
#pragma once

namespace fastattention_detail {

// One attention problem, in row-major float buffers.
struct Task
{
    const float *q = nullptr;  // n × d, leading dimension d
    const float *kt = nullptr; // Kᵀ: d × ldkt (ldkt ≥ n, a multiple of 8, zero-padded)
    const float *v = nullptr;  // n × d
    float *out = nullptr;      // n × d
    long n = 0;
    long d = 0;
    long ldkt = 0;
    float scale = 1.0f; // applied to the scores inside exp
    bool causal = false;
    long tile = 256; // key columns per tile (a multiple of 8); tile ≥ n: one exact softmax per row
};

// Per-thread scratch: scores rows × tile (leading dimension tile), and rows entries each of max and sum.
// Rows [r0, r1) of task.out are written; r1 - r0 ≤ the rows the scratch was sized for.
using AttendRowsFn = void (*)(const Task &task, long r0, long r1, float *scores, float *rowMax, float *rowSum);

namespace avx2 {
void attendRows(const Task &task, long r0, long r1, float *scores, float *rowMax, float *rowSum);
}
namespace generic {
void attendRows(const Task &task, long r0, long r1, float *scores, float *rowMax, float *rowSum);
}

} // namespace fastattention_detail
