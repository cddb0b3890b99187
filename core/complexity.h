// Deep dive: what O(n²) costs. The time and the working memory of attention against the sequence length n,
// measured here with the app's own cores, and the least-squares fit time ≈ a·n² through the points. No Qt.
//
// Three paths are measured on the same random Q, K and V (n × d, float):
// - plain: the textbook way, softmax(Q·Kᵀ/√d)·V with the whole n × n score matrix held in memory (written
//   here with Eigen's float products, the rows split over the threads). Its memory grows as n².
// - fused: fastAttention (core/fastattention.h), a strip of rows × n scores per thread, never n × n.
// - streaming: streamingAttention, tiles of keys with an online softmax: memory linear in n, and small.
//   Timed by default through streamingAttentionCancellable below (its driver with a cancel flag, on the same
//   kernels), so that a run at 32,768 tokens can be stopped within a block of rows.
// Memory is the bytes each path allocates for its own working set, as the path reports it: the score matrix
// the plain path allocates here, and FastAttentionStats::peakExtraBytes for the other two. Q, K, V and the
// n × d output are not counted in any of them.
#pragma once

#include "fastattention.h"

#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

namespace attention {

struct ComplexityOptions
{
    bool plain = true;
    bool fused = false;
    bool streaming = true;
    bool causal = false;
    // The plain path is skipped (plainSkipped) when its n × n floats would exceed this many bytes.
    // 0: defaultPlainLimitBytes().
    std::size_t plainLimitBytes = 0;
    // A path whose first run takes less than this is run again, up to maxRuns times, and the median kept.
    double repeatBelowMs = 250.0;
    int maxRuns = 3;
    unsigned seed = 7;
    // true: the streaming path is timed through streamingAttentionCancellable (the same kernels, tile and
    // blocks as streamingAttention, read the cancel flag between blocks); false: streamingAttention itself,
    // which runs to its end once started (about 6 s at n = 32,768 on 2 loaded cores).
    bool cancellableStreaming = true;
    // Called from the measuring threads as the point advances: the fraction of this point done, 0 to 1
    // (after each block of rows of the plain path and after each run). May be empty.
    std::function<void(double)> progress;
};

struct ComplexityPoint
{
    int n = 0;
    int d = 0;
    int threads = 1;         // threads the paths ran on
    const char *kernel = ""; // the fused and streaming paths' kernel ("avx2" or "generic")
    bool cancelled = false;  // the cancel flag stopped this point: the paths not finished have ran = false

    bool plainRan = false;
    bool plainSkipped = false;          // over the memory limit, not run
    std::size_t plainEstimateBytes = 0; // n × n floats
    double plainMs = 0;                 // median of plainRuns runs
    int plainRuns = 0;
    std::size_t plainBytes = 0; // the score matrix it allocated

    bool fusedRan = false;
    double fusedMs = 0;
    int fusedRuns = 0;
    std::size_t fusedBytes = 0;

    bool streamingRan = false;
    double streamingMs = 0;
    int streamingRuns = 0;
    std::size_t streamingBytes = 0;
};

// Measures one n. threads < 1 means 1. cancel (may be null) is read between runs and, in the plain and the
// streaming paths (cancellableStreaming), between blocks of rows; a fused call runs to its end once started.
ComplexityPoint measureComplexity(int n, int d, int threads, const std::atomic<bool> *cancel = nullptr,
                                  const ComplexityOptions &options = {});

// The plain path alone: softmax(Q·Kᵀ·s)·V holding the n × n scores (s = 1/√d when scale). Q, K, V are n × d,
// row-major. Returns false (out unfinished) when cancel was set; bytes receives the score matrix's size.
bool plainAttention(const float *q, const float *k, const float *v, int n, int d, bool scale, bool causal,
                    int threads, float *out, std::size_t *bytes = nullptr,
                    const std::atomic<bool> *cancel = nullptr,
                    const std::function<void(double)> &progress = {});

// streamingAttention with its cancel flag and progress (fastattention.h): the flag is read before each block
// of rows; returns false (out unfinished) when it was set. progress (may be empty) gets the share of blocks
// done.
bool streamingAttentionCancellable(const MatrixRowMajorF &q, const MatrixRowMajorF &k,
                                   const MatrixRowMajorF &v, bool scale, bool causal, int threads,
                                   MatrixRowMajorF *out, FastAttentionStats *stats,
                                   const std::atomic<bool> *cancel = nullptr,
                                   const std::function<void(double)> &progress = {}, int tile = 256);

// MemAvailable of /proc/meminfo, or 0 when unknown.
std::size_t availableMemoryBytes();
// A quarter of the available memory, at most 2 GiB; 1 GiB when the available memory is unknown.
std::size_t defaultPlainLimitBytes();

// time = a·n² (withLinear: a·n² + b·n) by least squares through (n, time) points.
struct QuadraticFit
{
    double a = 0;
    double b = 0;
    double r2 = 0; // 1 − residual / total sum of squares around the mean time
    int points = 0;
    bool ok = false; // enough points (1 for a·n², 2 with the linear term) and a solvable system
    double at(double n) const { return a * n * n + b * n; }
    // How much longer 2n takes than n by the fit: exactly 4 for a·n².
    double doublingRatio(double n) const { return at(n) > 0 ? at(2 * n) / at(n) : 0; }
};
struct FitPoint
{
    double n;
    double time;
};
QuadraticFit fitQuadratic(const std::vector<FitPoint> &points, bool withLinear = false);

} // namespace attention
