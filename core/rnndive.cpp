#include "rnndive.h"

#include <cmath>
#include <cstdint>

namespace attention {

namespace {

// SplitMix64: a tiny generator whose every output is fixed by the seed.
struct SplitMix
{
    std::uint64_t state;
    double uniform() // in [−1, 1)
    {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        return double(z >> 11) * 0x1.0p-52 - 1.0;
    }
};

bool fits(const Eigen::MatrixXd &inputs, const RnnWeights &w)
{
    return w.wx.cols() == inputs.cols() && w.wh.rows() == w.wh.cols() && w.wx.rows() == w.wh.rows() &&
           w.b.size() == w.wh.rows() && inputs.rows() > 0 && w.wh.rows() > 0;
}

// D_t W: scales row r of W by 1 − h_t(r)², the derivative of tanh at that step.
Eigen::MatrixXd throughTanh(const Eigen::VectorXd &h, const Eigen::MatrixXd &m)
{
    return (1.0 - h.array().square()).matrix().asDiagonal() * m;
}

} // namespace

RnnWeights rnnWeights(int inputs, int hidden, unsigned seed)
{
    RnnWeights w;
    if (inputs <= 0 || hidden <= 0)
        return w;
    SplitMix g{0x5EEDULL * 0x100000001ULL + seed};
    // Uniform in [−s, s] has variance s²/3: s = √(3 / inputs) gives 1/inputs.
    const double sx = std::sqrt(3.0 / inputs);
    w.wx.resize(hidden, inputs);
    for (int r = 0; r < hidden; ++r)
        for (int c = 0; c < inputs; ++c)
            w.wx(r, c) = sx * g.uniform();
    w.wh.resize(hidden, hidden);
    for (int r = 0; r < hidden; ++r)
        for (int c = 0; c < hidden; ++c)
            w.wh(r, c) = g.uniform();
    const double top = Eigen::JacobiSVD<Eigen::MatrixXd>(w.wh).singularValues()(0);
    if (top > 0)
        w.wh *= kRnnRecurrentNorm / top;
    w.b.resize(hidden);
    for (int r = 0; r < hidden; ++r)
        w.b(r) = 0.1 * g.uniform();
    return w;
}

RnnInfluence rnnInfluence(const Eigen::MatrixXd &inputs, const RnnWeights &weights, int from)
{
    RnnInfluence out;
    if (!fits(inputs, weights) || from < 0 || from >= inputs.rows())
        return out;
    out.trace = runRnn(inputs, weights.wx, weights.wh, weights.b);
    out.from = from;
    const int n = int(inputs.rows());
    out.influence.assign(std::size_t(n), 0.0);
    out.relative.assign(std::size_t(n), 0.0);
    Eigen::MatrixXd j = throughTanh(out.trace.hidden[std::size_t(from)], weights.wx); // ∂h_from/∂x_from
    out.influence[std::size_t(from)] = j.norm();
    for (int t = from + 1; t < n; ++t) {
        j = throughTanh(out.trace.hidden[std::size_t(t)], weights.wh * j);
        out.influence[std::size_t(t)] = j.norm();
    }
    const double self = out.influence[std::size_t(from)];
    for (int t = from; t < n; ++t)
        out.relative[std::size_t(t)] = self > 0 ? out.influence[std::size_t(t)] / self : 0.0;
    return out;
}

Eigen::MatrixXd rnnJacobian(const Eigen::MatrixXd &inputs, const RnnWeights &weights, int from, int to)
{
    if (!fits(inputs, weights) || from < 0 || to >= inputs.rows() || from >= inputs.rows() || to < 0)
        return {};
    if (to < from)
        return Eigen::MatrixXd::Zero(weights.wh.rows(), inputs.cols());
    const RnnTrace trace = runRnn(inputs.topRows(to + 1), weights.wx, weights.wh, weights.b);
    Eigen::MatrixXd j = throughTanh(trace.hidden[std::size_t(from)], weights.wx);
    for (int t = from + 1; t <= to; ++t)
        j = throughTanh(trace.hidden[std::size_t(t)], weights.wh * j);
    return j;
}

} // namespace attention
