// Plain-text rendering of a trace for people: aligned, labelled matrices, one per step.
#pragma once

#include "attention.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace attention {

// Labels for the embedding dimensions: the model's feature names, or "d0", "d1", … when it has none.
std::vector<std::string> featureLabels(const Model &model);
// Labels "k0", "k1", … for the d_k columns of Q, K and V.
std::vector<std::string> headLabels(int d_k);
// The tokens' spellings, in order.
std::vector<std::string> tokenLabels(const AttentionTrace &trace);

// From this magnitude on, numbers are printed in scientific notation ("1.500e+06").
constexpr double kScientificFrom = 1e6;

// One number of a table: fixed with `precision` decimals (clamped to 0–17) below kScientificFrom,
// scientific from there; "-inf", "inf" and "nan" as such; −0 as 0.
std::string formatNumber(double v, int precision);

// One matrix under a title, rows and columns labelled; −∞ is printed as "-inf".
std::string formatMatrix(const std::string &title, const Eigen::MatrixXd &m,
                         const std::vector<std::string> &rowLabels,
                         const std::vector<std::string> &columnLabels, int precision = 3);

// The whole trace, step by step, layer by layer and head by head.
std::string formatTrace(const AttentionTrace &trace, int precision = 3);
// The same text written to `out` one matrix at a time, so that a large trace is never held twice.
void writeTrace(std::ostream &out, const AttentionTrace &trace, int precision = 3);

} // namespace attention
