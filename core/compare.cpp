// Cosine similarity, distance, the mean of a layer's heads and the strongest keys of a weight row.
#include "compare.h"

#include <cmath>

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>

namespace attention {

double cosineSimilarity(const Eigen::RowVectorXd &a, const Eigen::RowVectorXd &b)
{
    assert(a.size() == b.size() && "cosine similarity needs two vectors of the same length");
    const double norms = a.norm() * b.norm();
    if (!(norms > 0.0)) // also catches NaN norms
        return std::numeric_limits<double>::quiet_NaN();
    // Rounding can push |cos| a hair past 1 for parallel vectors; clamp so acos() and "1.00" stay honest.
    return std::clamp(a.dot(b) / norms, -1.0, 1.0);
}

double distance(const Eigen::RowVectorXd &a, const Eigen::RowVectorXd &b)
{
    assert(a.size() == b.size() && "distance needs two vectors of the same length");
    return (a - b).norm();
}

Eigen::RowVectorXd averageHeadWeightRow(const LayerTrace &layer, int query)
{
    if (layer.heads.empty())
        return {};
    assert(query >= 0 && query < layer.heads.front().weights.rows() && "query index out of range");
    Eigen::RowVectorXd sum = layer.heads.front().weights.row(query);
    for (std::size_t h = 1; h < layer.heads.size(); ++h)
        sum += layer.heads[h].weights.row(query);
    return sum / static_cast<double>(layer.heads.size());
}

std::vector<int> strongestKeys(const Eigen::RowVectorXd &weights, int count)
{
    std::vector<int> order(static_cast<std::size_t>(weights.size()));
    std::iota(order.begin(), order.end(), 0);
    const std::size_t keep = std::min(order.size(), static_cast<std::size_t>(std::max(count, 0)));
    // partial_sort is enough: only the first few are shown, and a row can hold 2,048 keys.
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(), [&](int a, int b) {
            // NaN counts as −∞, so the comparison stays a strict weak ordering whatever the row holds.
            const auto value = [&](int i) { return std::isnan(weights[i]) ? -HUGE_VAL : weights[i]; };
            return value(a) > value(b) || (value(a) == value(b) && a < b);
        });
    order.resize(keep);
    return order;
}

} // namespace attention
