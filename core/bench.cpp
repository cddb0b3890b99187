#include "bench.h"
#include "fastattention.h"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <sstream>
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

// softmax(Q·Kᵀ/√d, masked) · V in double, the plain way (the n × n matrix in full).
Eigen::MatrixXd referenceAttention(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                                   bool causal)
{
    const Eigen::MatrixXd qd = q.cast<double>(), kd = k.cast<double>(), vd = v.cast<double>();
    Eigen::MatrixXd s = (qd * kd.transpose()) / std::sqrt(static_cast<double>(q.cols()));
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        const Eigen::Index cnt = causal ? i + 1 : s.cols();
        const double m = s.row(i).head(cnt).maxCoeff();
        double sum = 0.0;
        for (Eigen::Index j = 0; j < s.cols(); ++j) {
            s(i, j) = j < cnt ? std::exp(s(i, j) - m) : 0.0;
            sum += s(i, j);
        }
        s.row(i) /= sum;
    }
    return s * vd;
}

// The yardstick: Q·Kᵀ and W·V as float Eigen products, the query rows split over the threads.
void matmulOnly(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v, int threads,
                MatrixRowMajorF &out)
{
    const Eigen::Index n = q.rows();
    const int t = std::max(1, threads);
    auto part = [&](int i) {
        const Eigen::Index r0 = n * i / t, r1 = n * (i + 1) / t;
        const MatrixRowMajorF w = q.middleRows(r0, r1 - r0) * k.transpose();
        out.middleRows(r0, r1 - r0).noalias() = w * v;
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
    json << "{\"machine\": {\"threads\": " << o.threads << ", \"kernel\": \"" << attentionKernelName()
         << "\"}, \"results\": [";
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
        FastAttentionStats fs, ss;
        Eigen::MatrixXd ref;
        const double msRef = o.reference ? medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                ref = referenceAttention(q, k, v, o.causal);
        })
                                         : -1.0;
        const double msFast = medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                fast = fastAttention(q, k, v, true, o.causal, o.threads, &fs);
        });
        const double msStream = medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                stream = streamingAttention(q, k, v, true, o.causal, o.threads, &ss);
        });
        const double msMatmul = medianMs(o.repeats, [&] {
            for (int h = 0; h < heads; ++h)
                matmulOnly(q, k, v, o.threads, mm);
        });
        double diff = -1.0;
        if (o.reference)
            diff = std::max((fast.cast<double>() - ref).cwiseAbs().maxCoeff(),
                            (stream.cast<double>() - ref).cwiseAbs().maxCoeff());
        char diffText[32];
        std::snprintf(diffText, sizeof diffText, "%.3g", diff);
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "%s{\"n\": %d, \"d\": %d, \"ms\": {\"reference\": %s, \"fast\": %.3f, \"streaming\": %.3f, "
                      "\"matmul_only\": %.3f}, \"peak_bytes\": {\"fast\": %zu, \"streaming\": %zu}, "
                      "\"max_abs_diff\": %s}",
                      first ? "" : ", ", n, o.d, o.reference ? std::to_string(msRef).c_str() : "null", msFast,
                      msStream, msMatmul, fs.peakExtraBytes, ss.peakExtraBytes,
                      o.reference ? diffText : "null");
        json << buf;
        first = false;
    }
    json << "]}";
    return json.str();
}

} // namespace attention
