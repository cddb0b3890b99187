#include "deepdive.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace attention {

Eigen::VectorXd softmaxOf(const Eigen::VectorXd &z)
{
    if (z.size() == 0)
        return z;
    const Eigen::ArrayXd e = (z.array() - z.maxCoeff()).exp();
    return (e / e.sum()).matrix();
}

Eigen::MatrixXd softmaxJacobian(const Eigen::VectorXd &z)
{
    const Eigen::VectorXd p = softmaxOf(z);
    Eigen::MatrixXd j = -p * p.transpose();
    j.diagonal() += p;
    return j;
}

double entropyOf(const Eigen::VectorXd &p)
{
    double h = 0;
    for (Eigen::Index i = 0; i < p.size(); ++i)
        if (p(i) > 0)
            h -= p(i) * std::log(p(i));
    return h;
}

HeadPattern headPattern(const Eigen::MatrixXd &w)
{
    HeadPattern s;
    const int n = int(w.rows());
    const int keys = int(w.cols());
    if (n == 0 || keys == 0)
        return s;
    int rows = 0, previousRows = 0, nextRows = 0, spreadRows = 0;
    Eigen::VectorXd columnShare = Eigen::VectorXd::Zero(keys);
    for (int i = 0; i < n; ++i) {
        const double total = w.row(i).sum();
        if (!(total > 0))
            continue; // a fully masked query sees nothing
        ++rows;
        if (i < keys)
            s.self += w(i, i);
        if (i >= 1 && i - 1 < keys) {
            s.previous += w(i, i - 1);
            ++previousRows;
        }
        if (i + 1 < keys) {
            s.next += w(i, i + 1);
            ++nextRows;
        }
        columnShare += w.row(i).transpose();
        int seen = 0;
        for (int j = 0; j < keys; ++j) {
            const double p = w(i, j);
            seen += p > 0;
            if (j != i && p > s.pairWeight) {
                s.pairWeight = p;
                s.pairQuery = i;
                s.pairKey = j;
            }
        }
        if (seen > 1) {
            s.spread += entropyOf(w.row(i).transpose()) / std::log(double(seen));
            ++spreadRows;
        }
    }
    s.hasPrevious = previousRows > 0;
    s.hasNext = nextRows > 0;
    if (rows == 0)
        return s;
    s.self /= rows;
    s.previous = previousRows ? s.previous / previousRows : 0.0;
    s.next = nextRows ? s.next / nextRows : 0.0;
    s.spread = spreadRows ? s.spread / spreadRows : 0.0;
    columnShare /= rows;
    Eigen::Index most = 0;
    s.mostKeyShare = columnShare.maxCoeff(&most);
    s.mostKey = int(most);
    return s;
}

namespace {

double spread(const std::vector<double> &v)
{
    if (v.size() < 2)
        return 0;
    double mean = 0;
    for (double x : v)
        mean += x;
    mean /= double(v.size());
    double s = 0;
    for (double x : v)
        s += (x - mean) * (x - mean);
    return std::sqrt(s / double(v.size() - 1));
}

} // namespace

ScalingPoint scalingExperiment(int dk, int keys, int trials, unsigned seed)
{
    ScalingPoint out;
    dk = std::clamp(dk, 1, 1 << 16);
    keys = std::clamp(keys, 1, 4096);
    trials = std::clamp(trials, 1, 100000);
    out.dk = dk;
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const double root = std::sqrt(double(dk));
    std::vector<double> raw, scaled;
    raw.reserve(std::size_t(keys) * std::size_t(trials));
    scaled.reserve(raw.capacity());
    Eigen::VectorXd q(dk), k(dk), s(keys);
    for (int t = 0; t < trials; ++t) {
        for (int i = 0; i < dk; ++i)
            q(i) = normal(rng);
        for (int j = 0; j < keys; ++j) {
            for (int i = 0; i < dk; ++i)
                k(i) = normal(rng);
            s(j) = q.dot(k);
        }
        const Eigen::VectorXd sc = s / root;
        for (int j = 0; j < keys; ++j) {
            raw.push_back(s(j));
            scaled.push_back(sc(j));
        }
        if (t == 0) {
            out.rawScores.assign(s.data(), s.data() + keys);
            out.scaledScores.assign(sc.data(), sc.data() + keys);
        }
        const Eigen::VectorXd pr = softmaxOf(s), ps = softmaxOf(sc);
        out.rawMaxWeight += pr.maxCoeff();
        out.scaledMaxWeight += ps.maxCoeff();
        out.rawEntropy += entropyOf(pr);
        out.scaledEntropy += entropyOf(ps);
        out.rawGradient += softmaxJacobian(s).norm();
        out.scaledGradient += softmaxJacobian(sc).norm();
    }
    const double n = double(trials);
    out.rawMaxWeight /= n;
    out.scaledMaxWeight /= n;
    out.rawEntropy /= n;
    out.scaledEntropy /= n;
    out.rawGradient /= n;
    out.scaledGradient /= n;
    out.rawSpread = spread(raw);
    out.scaledSpread = spread(scaled);
    return out;
}

RnnTrace runRnn(const Eigen::MatrixXd &inputs, const Eigen::MatrixXd &wx, const Eigen::MatrixXd &wh,
                const Eigen::VectorXd &b)
{
    RnnTrace trace;
    if (wx.cols() != inputs.cols() || wh.rows() != wh.cols() || wx.rows() != wh.rows() || b.size() != wh.rows())
        return trace; // shapes that do not fit: no steps
    Eigen::VectorXd h = Eigen::VectorXd::Zero(wh.rows());
    for (Eigen::Index t = 0; t < inputs.rows(); ++t) {
        h = (wx * inputs.row(t).transpose() + wh * h + b).array().tanh().matrix();
        trace.hidden.push_back(h);
        ++trace.sequentialSteps;
    }
    return trace;
}

} // namespace attention
