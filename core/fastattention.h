// Attention in float for long inputs: softmax(Q·Kᵀ · s, causal mask optional) · V, where s = 1/√d when
// scaling is on. No Qt here; Eigen and the standard library only.
//
// - fastAttention: blocked and fused. Each thread takes blocks of query rows, computes their scores against
//   every key (a rows × n strip, never the n × n matrix), the exact softmax and the product with V.
// - streamingAttention: tiled with online softmax. Each block of query rows walks the keys a tile at a time,
//   keeping a running max and sum per row and rescaling its output when the max grows, so the extra memory is
//   linear in n. With the causal mask, tiles wholly above the diagonal are skipped.
//
// Both run the inner kernels compiled for AVX2 + FMA when the processor has both, else the ones compiled for
// any x86-64; attentionKernelName() says which.
#pragma once

#include <Eigen/Core>

#include <atomic>
#include <cstddef>
#include <functional>

namespace attention {

using MatrixRowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class AttentionKernel { Auto, Generic, Avx2 };

struct FastAttentionStats
{
    // The largest number of bytes of this call's own buffers alive at once: the packed Kᵀ and each thread's
    // scores, row max and row sum. The n × d output is not counted.
    std::size_t peakExtraBytes = 0;
    const char *kernel = "generic"; // the kernel that ran
    int threads = 1;                // the threads that ran
    bool cancelled = false;         // the cancel flag stopped the call: its output is unfinished
};

// Q, K and V are n × d (the same n and d). threads < 1 means 1. Avx2 when the processor lacks it falls back
// to Generic. Throws std::invalid_argument when the shapes disagree.
MatrixRowMajorF fastAttention(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                              bool scale, bool causal, int threads, FastAttentionStats *stats = nullptr,
                              AttentionKernel kernel = AttentionKernel::Auto);

// tile: key columns (and query rows) per tile; rounded up to a multiple of 8.
// cancel (may be null) is read before each block of query rows: once set, no block starts and
// stats->cancelled says so. progress (may be empty) gets the share of blocks done, from the worker threads.
MatrixRowMajorF streamingAttention(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                                   bool scale, bool causal, int threads, FastAttentionStats *stats = nullptr,
                                   AttentionKernel kernel = AttentionKernel::Auto, int tile = 256,
                                   const std::atomic<bool> *cancel = nullptr,
                                   const std::function<void(double)> &progress = {});

// The threads of both paths: body(block, worker) for blocks 0 … blocks − 1 on blockWorkers(blocks, threads)
// threads (worker 0 is the calling one), each taking the next block not yet taken. Once *cancel is set no
// block starts, and the call returns false. progress (may be empty) gets the share of blocks done.
int blockWorkers(long blocks, int threads);
bool forEachBlock(long blocks, int threads, const std::function<void(long block, int worker)> &body,
                  const std::atomic<bool> *cancel = nullptr, const std::function<void(double)> &progress = {});

// Whether this processor has AVX2 and FMA.
bool cpuHasAvx2Fma();
// The kernel Auto runs on this processor: "avx2" or "generic".
const char *attentionKernelName();
const char *attentionKernelName(AttentionKernel kernel); // the one a request resolves to here

} // namespace attention
