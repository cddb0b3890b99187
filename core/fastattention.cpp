#include "fastattention.h"
#include "eigenkernels.h"
#include "fastattention_kernel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

namespace attention {
namespace {

using fastattention_detail::AttendRowsFn;
using fastattention_detail::Task;

AttentionKernel resolve(AttentionKernel k)
{
    if (k == AttentionKernel::Generic || !cpuHasAvx2Fma())
        return AttentionKernel::Generic;
    return AttentionKernel::Avx2;
}

void checkShapes(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v)
{
    const Eigen::Index n = q.rows(), d = q.cols();
    if (k.rows() != n || v.rows() != n || k.cols() != d || v.cols() != d)
        throw std::invalid_argument("attention: Q, K and V must all be n × d");
}

// The threads a call of `blocks` blocks runs on, written into stats (when given) with the kernel used.
int startStats(FastAttentionStats *stats, AttentionKernel used, long blocks, int threads)
{
    const int workers = blockWorkers(blocks, threads);
    if (stats) {
        stats->kernel = used == AttentionKernel::Avx2 ? "avx2" : "generic";
        stats->threads = workers;
        stats->peakExtraBytes = 0;
    }
    return workers;
}

// Query rows per block in the fast path: the scores strip is this many rows × n (2 MiB at n = 4,096).
constexpr long kFastRows = 128;
// Query rows per block in the streaming path: its scores are this many rows × one tile.
constexpr long kStreamRows = 64;

MatrixRowMajorF run(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v, bool scale,
                    bool causal, int threads, FastAttentionStats *stats, AttentionKernel kernel, long rowsPerBlock,
                    long tile, const std::atomic<bool> *cancel, const std::function<void(double)> &progress)
{
    const long n = static_cast<long>(q.rows()), d = static_cast<long>(q.cols());
    checkShapes(q, k, v);
    const AttentionKernel used = resolve(kernel);
    const AttendRowsFn attend = used == AttentionKernel::Avx2 ? &fastattention_detail::avx2::attendRows
                                                              : &fastattention_detail::generic::attendRows;
    MatrixRowMajorF out(n, d);
    const long blocks = (n + rowsPerBlock - 1) / rowsPerBlock;
    const int workers = startStats(stats, used, blocks, threads);
    if (stats)
        stats->cancelled = cancel && cancel->load();
    if (n == 0 || d == 0) {
        out.setZero();
        return out;
    }

    // Kᵀ, d × ldkt, zero-padded to a multiple of 8 columns so the score kernel never needs a scalar tail.
    const long ldkt = (n + 7) / 8 * 8;
    std::vector<float> kt(static_cast<std::size_t>(d * ldkt), 0.0f);
    for (long j = 0; j < n; ++j)
        for (long e = 0; e < d; ++e)
            kt[static_cast<std::size_t>(e * ldkt + j)] = k(j, e);

    Task task;
    task.q = q.data();
    task.kt = kt.data();
    task.v = v.data();
    task.out = out.data();
    task.n = n;
    task.d = d;
    task.ldkt = ldkt;
    task.scale = scale ? 1.0f / std::sqrt(static_cast<float>(d)) : 1.0f;
    task.causal = causal;
    task.tile = tile > 0 ? tile : ldkt;

    const std::size_t scratchFloats = static_cast<std::size_t>(rowsPerBlock * task.tile + 2 * rowsPerBlock);
    std::vector<std::vector<float>> scratch(static_cast<std::size_t>(workers), std::vector<float>(scratchFloats));
    const bool finished = forEachBlock(
        blocks, workers,
        [&](long b, int w) {
            float *scores = scratch[static_cast<std::size_t>(w)].data();
            float *rowMax = scores + rowsPerBlock * task.tile;
            float *rowSum = rowMax + rowsPerBlock;
            const long block = causal ? blocks - 1 - b : b; // the causal mask's biggest blocks first
            const long r0 = block * rowsPerBlock;
            attend(task, r0, std::min(n, r0 + rowsPerBlock), scores, rowMax, rowSum);
        },
        cancel, progress);
    if (stats)
        stats->cancelled = !finished;
    if (stats)
        stats->peakExtraBytes = (kt.size() + static_cast<std::size_t>(workers) * scratchFloats) * sizeof(float);
    return out;
}

// The fast path: blocks of query rows handed out to the threads, each block two GEMMs around its softmax
// (eigenkernels.h), its scores in a strip of rows × n that stays in cache.
MatrixRowMajorF runFast(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v, bool scale,
                        bool causal, int threads, FastAttentionStats *stats, AttentionKernel kernel)
{
    const long n = static_cast<long>(q.rows()), d = static_cast<long>(q.cols());
    checkShapes(q, k, v);
    const AttentionKernel used = resolve(kernel);
    const attention_eigenkernels::AttendRowsGemmFn attend =
        attention_eigenkernels::attendRowsGemmFor(used == AttentionKernel::Avx2);
    MatrixRowMajorF out(n, d);
    const long rowsPerBlock = std::min(kFastRows, std::max(1L, n));
    const long blocks = (n + rowsPerBlock - 1) / rowsPerBlock;
    const int workers = startStats(stats, used, blocks, threads);
    if (n == 0 || d == 0) {
        out.setZero();
        return out;
    }
    const float s = scale ? 1.0f / std::sqrt(static_cast<float>(d)) : 1.0f;
    // Each thread's scores and sums; 16 floats more to start the scores on a 64-byte boundary, so the
    // vectorized exp() splits every row the same way whatever address the buffer gets.
    const std::size_t scratchFloats = static_cast<std::size_t>(rowsPerBlock * n + rowsPerBlock + 16);
    std::vector<std::vector<float>> scratch(static_cast<std::size_t>(workers), std::vector<float>(scratchFloats));
    forEachBlock(blocks, workers, [&](long b, int w) {
        float *scores = scratch[static_cast<std::size_t>(w)].data();
        while (reinterpret_cast<std::uintptr_t>(scores) % 64 != 0)
            ++scores;
        float *sums = scores + rowsPerBlock * n;
        const long block = causal ? blocks - 1 - b : b; // the causal mask's biggest blocks first
        const long r0 = block * rowsPerBlock;
        attend(q.data(), k.data(), v.data(), n, d, r0, std::min(n, r0 + rowsPerBlock), s, causal, scores, sums,
               out.data());
    });
    if (stats)
        stats->peakExtraBytes = static_cast<std::size_t>(workers) * scratchFloats * sizeof(float);
    return out;
}

} // namespace

int blockWorkers(long blocks, int threads)
{
    return static_cast<int>(std::max(1L, std::min<long>(std::max(threads, 1), blocks)));
}

bool forEachBlock(long blocks, int threads, const std::function<void(long block, int worker)> &body,
                  const std::atomic<bool> *cancel, const std::function<void(double)> &progress)
{
    std::atomic<long> next{0}, done{0};
    std::atomic<bool> stopped{false};
    auto worker = [&](int w) {
        for (long b; (b = next.fetch_add(1)) < blocks;) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                stopped = true;
                return;
            }
            body(b, w);
            if (progress)
                progress(static_cast<double>(done.fetch_add(1) + 1) / static_cast<double>(blocks));
        }
    };
    const int workers = blockWorkers(blocks, threads);
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(workers - 1));
    for (int i = 1; i < workers; ++i)
        pool.emplace_back(worker, i);
    worker(0);
    for (std::thread &th : pool)
        th.join();
    return !stopped;
}

bool cpuHasAvx2Fma()
{
#if defined(__x86_64__) || defined(__i386__)
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return has;
#else
    return false;
#endif
}

const char *attentionKernelName(AttentionKernel kernel)
{
    return resolve(kernel) == AttentionKernel::Avx2 ? "avx2" : "generic";
}

const char *attentionKernelName() { return attentionKernelName(AttentionKernel::Auto); }

MatrixRowMajorF fastAttention(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                              bool scale, bool causal, int threads, FastAttentionStats *stats,
                              AttentionKernel kernel)
{
    return runFast(q, k, v, scale, causal, threads, stats, kernel);
}

MatrixRowMajorF streamingAttention(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                                   bool scale, bool causal, int threads, FastAttentionStats *stats,
                                   AttentionKernel kernel, int tile, const std::atomic<bool> *cancel,
                                   const std::function<void(double)> &progress)
{
    const long t = std::max(8L, (static_cast<long>(tile) + 7) / 8 * 8);
    return run(q, k, v, scale, causal, threads, stats, kernel, kStreamRows, t, cancel, progress);
}

} // namespace attention
