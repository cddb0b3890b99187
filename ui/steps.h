// The eight steps of the pipeline, with the names, formulas and command-line spellings the UI shows.
#pragma once

#include <QString>
#include <array>

namespace attention {

enum class Step { Embeddings, QKV, Scores, Scale, Mask, Softmax, WeightedSum, Output };

constexpr std::array<Step, 8> kAllSteps{Step::Embeddings, Step::QKV,     Step::Scores,      Step::Scale,
                                        Step::Mask,       Step::Softmax, Step::WeightedSum, Step::Output};

// "Embeddings", "Q, K, V", "Scores", "Scale", "Mask", "Softmax", "Weighted sum", "Output"
QString stepTitle(Step step);
// The formula of the step, in Unicode: "scores = Q·Kᵀ", "scaled = scores ÷ √d_k", …
QString stepFormula(Step step, bool swapQK = false);
// One or two sentences that say what the step does and why, in the app's own words.
QString stepDescription(Step step);
// The spelling used by --step: embeddings, qkv, scores, scale, mask, softmax, weighted-sum, output.
QString stepCliName(Step step);
// Parses a --step spelling; returns false when it is not one.
bool stepFromCliName(const QString &name, Step *step);
int stepIndex(Step step);

} // namespace attention
