#include "bench.h"
#include "attention.h"
#include "fastattention.h"
#include "eigenkernels.h"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

namespace attention {
namespace {

double medianMs(int repeats, const std::function<void()> &run)
{
    std::vector<double> ms;
    for (int i = 0; i < std::max(1, repeats); ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// The reference is the teaching trace itself: computeHead, every intermediate kept in double. Its input is
// [Q K V] side by side and its weights pick each third out, so it attends with exactly these Q, K and V.
struct ReferenceHead
{
    Eigen::MatrixXd input;
    HeadWeights weights;
    BoolMatrix blocked;
    TraceOptions options;
};

ReferenceHead referenceHead(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                            bool causal)
{
    const Eigen::Index n = q.rows(), d = q.cols();
    ReferenceHead r;
    r.input.resize(n, 3 * d);
    r.input << q.cast<double>(), k.cast<double>(), v.cast<double>();
    auto pick = [d](Eigen::Index third) {
        Eigen::MatrixXd w = Eigen::MatrixXd::Zero(3 * d, d);
        w.middleRows(third * d, d).setIdentity();
        return w;
    };
    r.weights.W_Q = pick(0);
    r.weights.W_K = pick(1);
    r.weights.W_V = pick(2);
    r.options.mask = causal ? MaskMode::Causal : MaskMode::None;
    r.blocked = buildMask(static_cast<int>(n), r.options);
    return r;
}

// The teaching trace's own matrix products, in double as computeHead does them: the three projections of
// its input (X·W_Q, X·W_K, X·W_V), Q·Kᵀ and W·V. What the trace adds to these is its softmax, scaling,
// masking and the intermediates it keeps.
void referenceMatmuls(const ReferenceHead &r, Eigen::MatrixXd &out)
{
    const Eigen::MatrixXd q = r.input * r.weights.W_Q, k = r.input * r.weights.W_K, v = r.input * r.weights.W_V;
    const Eigen::MatrixXd scores = q * k.transpose();
    out.noalias() = scores * v;
}

// The yardstick: Q·Kᵀ and W·V alone as float GEMMs, built for the kernel the fast path uses (eigenkernels.h),
// the query rows split over the same number of threads.
void matmulOnly(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v, int threads,
                AttentionKernel kernel, MatrixRowMajorF &out, std::vector<float> &scratch)
{
    const long n = static_cast<long>(q.rows()), d = static_cast<long>(q.cols());
    const int t = std::max(1, threads);
    const attention_eigenkernels::MatmulRowsFn rows =
        attention_eigenkernels::matmulRowsFor(std::string(attentionKernelName(kernel)) == "avx2");
    scratch.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    auto part = [&](int i) {
        const long r0 = n * i / t, r1 = n * (i + 1) / t;
        rows(q.data(), k.data(), v.data(), n, d, r0, r1, scratch.data() + r0 * n, out.data());
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < t; ++i)
        pool.emplace_back(part, i);
    part(0);
    for (std::thread &th : pool)
        th.join();
}

} // namespace

std::string runAttentionBench(const BenchOptions &o)
{
    std::ostringstream json;
    json << "{\"machine\": {\"threads\": " << std::max(1, o.threads) << ", \"kernel\": \""
         << attentionKernelName(o.kernel) << "\", \"hardware_threads\": " << std::thread::hardware_concurrency()
         << "}, \"results\": [";
    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    bool first = true;
    for (int n : o.n) {
        auto random = [&]() {
            MatrixRowMajorF m(n, o.d);
            for (Eigen::Index i = 0; i < m.size(); ++i)
                m.data()[i] = dist(rng);
            return m;
        };
        const MatrixRowMajorF q = random(), k = random(), v = random();
        const int heads = std::max(1, o.heads);
        MatrixRowMajorF fast, stream, mm(n, o.d);
        std::vector<float> scratch;
        FastAttentionStats fs, ss;
        Eigen::MatrixXd ref, refMatmul;
        double msRef = -1.0, msRefMatmul = -1.0;
        const bool withReference = o.reference && n <= o.referenceMaxN;
        if (withReference) {
            const ReferenceHead r = referenceHead(q, k, v, o.causal);
            msRef = medianMs(o.repeats, [&] {
                for (int h = 0; h < heads; ++h)
                    ref = computeHead(r.input, r.weights, r.blocked, r.options).output;
            });
            msRefMatmul = medianMs(o.repeats, [&] {
                for (int h = 0; h < heads; ++h)
                    referenceMatmuls(r, refMatmul);
            });
        }
        const double msFast = medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                fast = fastAttention(q, k, v, true, o.causal, o.threads, &fs, o.kernel);
        });
        const double msStream = medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                stream = streamingAttention(q, k, v, true, o.causal, o.threads, &ss, o.kernel);
        });
        const double msMatmul = n <= o.yardstickMaxN ? medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                matmulOnly(q, k, v, o.threads, o.kernel, mm, scratch);
        })
                                                    : -1.0;
        double diff = -1.0;
        if (withReference)
            diff = std::max((fast.cast<double>() - ref).cwiseAbs().maxCoeff(),
                            (stream.cast<double>() - ref).cwiseAbs().maxCoeff());
        char diffText[32];
        std::snprintf(diffText, sizeof diffText, "%.3g", diff);
        auto number = [](double ms) {
            if (ms < 0)
                return std::string("null");
            char text[32];
            std::snprintf(text, sizeof text, "%.3f", ms);
            return std::string(text);
        };
        char buf[640];
        std::snprintf(buf, sizeof buf,
                      "%s{\"n\": %d, \"d\": %d, \"heads\": %d, \"causal\": %s, \"ms\": {\"reference\": %s, "
                      "\"fast\": %.3f, \"streaming\": %.3f, \"matmul_only\": %s, \"reference_matmul_only\": %s}, "
                      "\"peak_bytes\": {\"fast\": %zu, \"streaming\": %zu}, \"max_abs_diff\": %s}",
                      first ? "" : ", ", n, o.d, heads, o.causal ? "true" : "false", number(msRef).c_str(), msFast,
                      msStream, number(msMatmul).c_str(), number(msRefMatmul).c_str(), fs.peakExtraBytes, ss.peakExtraBytes,
                      withReference ? diffText : "null");
        json << buf;
        first = false;
    }
    json << "]}";
    return json.str();
}

} // namespace attention
