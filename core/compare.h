// Small numbers the model-level views show: how alike two vectors are, and what a layer's heads do on
// average.
#pragma once

#include "attention.h"

#include <Eigen/Dense>
#include <vector>

namespace attention {

// cos θ = a·b / (‖a‖‖b‖), in [-1, 1]. The angle is undefined when either vector is all zeros (or
// empty), so that case returns NaN rather than a made-up 0: a view can then say "undefined".
// a and b must have the same length.
double cosineSimilarity(const Eigen::RowVectorXd &a, const Eigen::RowVectorXd &b);

// ‖a − b‖, the Euclidean distance; a and b must have the same length.
double distance(const Eigen::RowVectorXd &a, const Eigen::RowVectorXd &b);

// One row of averageHeadWeights (attention.h), without building the whole (n, n) mean: (n_keys).
Eigen::RowVectorXd averageHeadWeightRow(const LayerTrace &layer, int query);

// The indices of the `count` largest entries of `weights`, largest first; ties keep the earlier index
// first so the order is stable. Returns fewer when `weights` is shorter.
std::vector<int> strongestKeys(const Eigen::RowVectorXd &weights, int count);

} // namespace attention
