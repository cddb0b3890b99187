#include "complexity.h"
#include "fastattention.h"

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace attention {
namespace {

using ConstMap = Eigen::Map<const MatrixRowMajorF>;
using Map = Eigen::Map<MatrixRowMajorF>;

bool isSet(const std::atomic<bool> *cancel)
{
    return cancel && cancel->load(std::memory_order_relaxed);
}

// Runs body(block) for blocks 0 … blocks−1 over the threads (fastattention.h's pool), each taking the next
// block not yet taken. Stops handing out blocks once cancel is set; returns false then.
bool parallelBlocks(long blocks, int threads, const std::atomic<bool> *cancel,
                    const std::function<void(long)> &body, const std::function<void()> &blockDone)
{
    const bool finished = forEachBlock(
        blocks, threads, [&](long block, int) { body(block); }, cancel,
        blockDone ? std::function<void(double)>([&](double) { blockDone(); }) : std::function<void(double)>());
    return finished && !isSet(cancel);
}

// Times run() (which returns false when cancelled): once, and again up to maxRuns times while the first run
// took less than repeatBelowMs. The median is kept. Returns false when cancelled.
bool timeRuns(const std::function<bool(bool first)> &run, const ComplexityOptions &o,
              const std::atomic<bool> *cancel, double *ms, int *runs)
{
    std::vector<double> times;
    for (int i = 0; i < std::max(1, o.maxRuns); ++i) {
        if (isSet(cancel))
            return false;
        const auto t0 = std::chrono::steady_clock::now();
        if (!run(i == 0))
            return false;
        times.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (times.front() >= o.repeatBelowMs)
            break;
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    *ms = sorted[sorted.size() / 2];
    *runs = static_cast<int>(times.size());
    return true;
}

} // namespace

bool plainAttention(const float *q, const float *k, const float *v, int n, int d, bool scale, bool causal,
                    int threads, float *out, std::size_t *bytes, const std::atomic<bool> *cancel,
                    const std::function<void(double)> &progress)
{
    if (n < 0 || d < 0)
        throw std::invalid_argument("plainAttention: n and d must not be negative");
    if (bytes)
        *bytes = 0;
    if (n == 0 || d == 0)
        return !isSet(cancel);
    const ConstMap Q(q, n, d), K(k, n, d), V(v, n, d);
    Map O(out, n, d);
    // The n × n scores, the one buffer this path allocates for itself (left uninitialised: the first phase
    // writes every entry).
    const std::size_t count = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    std::unique_ptr<float[]> buffer(new float[count]);
    if (bytes)
        *bytes = count * sizeof(float);
    Map S(buffer.get(), n, n);
    const float s = scale ? 1.0f / std::sqrt(static_cast<float>(d)) : 1.0f;
    constexpr long kRows = 64;
    const long blocks = (n + kRows - 1) / kRows;
    std::atomic<long> done{0};
    const double total = 3.0 * static_cast<double>(blocks);
    auto tick = [&]() {
        const long now = done.fetch_add(1) + 1;
        if (progress)
            progress(static_cast<double>(now) / total);
    };
    auto rowsOf = [&](long b, long *r0, long *m) {
        *r0 = b * kRows;
        *m = std::min<long>(kRows, n - *r0);
    };
    // 1. S = s · Q·Kᵀ, all n × n of it.
    if (!parallelBlocks(
            blocks, threads, cancel,
            [&](long b) {
                long r0, m;
                rowsOf(b, &r0, &m);
                S.middleRows(r0, m).noalias() = s * (Q.middleRows(r0, m) * K.transpose());
            },
            tick))
        return false;
    // 2. Each row's softmax, in place (the masked entries become 0).
    if (!parallelBlocks(
            blocks, threads, cancel,
            [&](long b) {
                long r0, m;
                rowsOf(b, &r0, &m);
                for (long i = r0; i < r0 + m; ++i) {
                    const long cnt = causal ? i + 1 : n;
                    auto row = S.row(i).head(cnt).array();
                    const float top = row.maxCoeff();
                    row = (row - top).exp();
                    row /= row.sum();
                    if (cnt < n)
                        S.row(i).tail(n - cnt).setZero();
                }
            },
            tick))
        return false;
    // 3. O = S·V.
    return parallelBlocks(
        blocks, threads, cancel,
        [&](long b) {
            long r0, m;
            rowsOf(b, &r0, &m);
            O.middleRows(r0, m).noalias() = S.middleRows(r0, m) * V;
        },
        tick);
}

bool streamingAttentionCancellable(const MatrixRowMajorF &q, const MatrixRowMajorF &k,
                                   const MatrixRowMajorF &v, bool scale, bool causal, int threads,
                                   MatrixRowMajorF *out, FastAttentionStats *stats,
                                   const std::atomic<bool> *cancel,
                                   const std::function<void(double)> &progress, int tileRequest)
{
    FastAttentionStats own;
    FastAttentionStats *st = stats ? stats : &own;
    *out = streamingAttention(q, k, v, scale, causal, threads, st, AttentionKernel::Auto, tileRequest, cancel,
                              progress);
    return !st->cancelled && !isSet(cancel);
}

std::size_t availableMemoryBytes()
{
    std::ifstream in("/proc/meminfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("MemAvailable:", 0) == 0) {
            std::istringstream fields(line.substr(13));
            unsigned long long kb = 0;
            if (fields >> kb)
                return static_cast<std::size_t>(kb) * 1024u;
        }
    }
    return 0;
}

std::size_t defaultPlainLimitBytes()
{
    const std::size_t gib = std::size_t(1) << 30;
    const std::size_t available = availableMemoryBytes();
    if (available == 0)
        return gib;
    return std::min(available / 4, 2 * gib);
}

ComplexityPoint measureComplexity(int n, int d, int threads, const std::atomic<bool> *cancel,
                                  const ComplexityOptions &o)
{
    if (n < 1 || d < 1)
        throw std::invalid_argument("measureComplexity: n and d must be at least 1");
    ComplexityPoint p;
    p.n = n;
    p.d = d;
    p.threads = std::max(1, threads);
    p.kernel = attentionKernelName();
    p.plainEstimateBytes = static_cast<std::size_t>(n) * static_cast<std::size_t>(n) * sizeof(float);
    const std::size_t limit = o.plainLimitBytes ? o.plainLimitBytes : defaultPlainLimitBytes();
    p.plainSkipped = o.plain && p.plainEstimateBytes > limit;
    if (isSet(cancel)) {
        p.cancelled = true;
        return p;
    }

    // The share of the point each path stands for in the progress (the plain path is the slowest).
    const bool runPlain = o.plain && !p.plainSkipped;
    const double wPlain = runPlain ? 2.0 : 0.0, wFused = o.fused ? 1.0 : 0.0,
                 wStream = o.streaming ? 1.0 : 0.0;
    const double wTotal = std::max(1e-9, wPlain + wFused + wStream);
    auto report = [&](double before, double weight, double fraction) {
        if (o.progress)
            o.progress(std::min(1.0, (before + weight * std::clamp(fraction, 0.0, 1.0)) / wTotal));
    };

    std::mt19937 rng(o.seed + static_cast<unsigned>(n));
    std::normal_distribution<float> dist(0.0f, 1.0f);
    auto random = [&]() {
        MatrixRowMajorF m(n, d);
        for (Eigen::Index i = 0; i < m.size(); ++i)
            m.data()[i] = dist(rng);
        return m;
    };
    const MatrixRowMajorF q = random(), k = random(), v = random();
    MatrixRowMajorF out(n, d);

    if (runPlain) {
        const bool ok = timeRuns(
            [&](bool first) {
                std::function<void(double)> inner;
                if (first && o.progress)
                    inner = [&](double f) { report(0.0, wPlain, f); };
                return plainAttention(q.data(), k.data(), v.data(), n, d, true, o.causal, p.threads,
                                      out.data(), &p.plainBytes, cancel, inner);
            },
            o, cancel, &p.plainMs, &p.plainRuns);
        if (!ok) {
            p.cancelled = true;
            p.plainRuns = 0;
            p.plainBytes = 0;
            return p;
        }
        p.plainRan = true;
        report(0.0, wPlain, 1.0);
    }
    auto library = [&](bool streaming, double before, double weight, double *ms, int *runs,
                       std::size_t *bytes) {
        FastAttentionStats stats;
        const bool ok = timeRuns(
            [&](bool first) {
                if (streaming && o.cancellableStreaming) {
                    std::function<void(double)> inner;
                    if (first && o.progress)
                        inner = [&](double f) { report(before, weight, f); };
                    return streamingAttentionCancellable(q, k, v, true, o.causal, p.threads, &out, &stats,
                                                         cancel, inner);
                }
                out = streaming ? streamingAttention(q, k, v, true, o.causal, p.threads, &stats)
                                : fastAttention(q, k, v, true, o.causal, p.threads, &stats);
                return true;
            },
            o, cancel, ms, runs);
        if (ok) {
            *bytes = stats.peakExtraBytes;
            p.kernel = stats.kernel;
            report(before, weight, 1.0);
        }
        return ok;
    };
    if (o.fused) {
        if (!library(false, wPlain, wFused, &p.fusedMs, &p.fusedRuns, &p.fusedBytes)) {
            p.cancelled = true;
            return p;
        }
        p.fusedRan = true;
    }
    if (o.streaming) {
        if (!library(true, wPlain + wFused, wStream, &p.streamingMs, &p.streamingRuns, &p.streamingBytes)) {
            p.cancelled = true;
            return p;
        }
        p.streamingRan = true;
    }
    return p;
}

QuadraticFit fitQuadratic(const std::vector<FitPoint> &points, bool withLinear)
{
    QuadraticFit fit;
    fit.points = static_cast<int>(points.size());
    if (points.empty() || (withLinear && points.size() < 2))
        return fit;
    // In x = n / max n, so the sums of powers stay near 1 and the 2 × 2 system is well conditioned.
    double top = 0;
    for (const FitPoint &p : points)
        top = std::max(top, std::abs(p.n));
    if (top <= 0)
        return fit;
    double s4 = 0, s3 = 0, s2 = 0, t2 = 0, t1 = 0;
    for (const FitPoint &p : points) {
        const double x = p.n / top;
        s4 += x * x * x * x;
        s3 += x * x * x;
        s2 += x * x;
        t2 += p.time * x * x;
        t1 += p.time * x;
    }
    double a = 0, b = 0;
    if (withLinear) {
        const double det = s4 * s2 - s3 * s3;
        if (std::abs(det) < 1e-12 * s4 * s2)
            return fit;
        a = (t2 * s2 - t1 * s3) / det;
        b = (s4 * t1 - s3 * t2) / det;
    } else {
        if (s4 <= 0)
            return fit;
        a = t2 / s4;
    }
    fit.a = a / (top * top);
    fit.b = b / top;
    double mean = 0;
    for (const FitPoint &p : points)
        mean += p.time;
    mean /= static_cast<double>(points.size());
    double res = 0, tot = 0;
    for (const FitPoint &p : points) {
        const double e = p.time - fit.at(p.n);
        res += e * e;
        tot += (p.time - mean) * (p.time - mean);
    }
    fit.r2 = tot > 0 ? 1.0 - res / tot : (res == 0 ? 1.0 : 0.0);
    fit.ok = true;
    return fit;
}

} // namespace attention
