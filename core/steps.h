// The step vocabulary: the eight steps of the pipeline and the matrices they show, each with its name,
// formula and description in one place. The text report, the step bar, the flow diagram, the equation and
// the lessons all read them from here.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace attention {

enum class Step { Embeddings, QKV, Scores, Scale, Mask, Softmax, WeightedSum, Output };

constexpr std::array<Step, 8> kAllSteps{Step::Embeddings, Step::QKV,     Step::Scores,      Step::Scale,
                                        Step::Mask,       Step::Softmax, Step::WeightedSum, Step::Output};

inline int stepIndex(Step step)
{
    return static_cast<int>(step);
}

// "Embeddings", "Q, K, V", "Scores", "Scale", "Mask", "Softmax", "Weighted sum", "Output"
std::string stepTitle(Step step);
// The formula of the step, in Unicode: "scores = Q·Kᵀ", "scaled = scores ÷ √d_k", …
std::string stepFormula(Step step, bool swapQK = false);
// One or two sentences that say what the step does and why.
std::string stepDescription(Step step);
// The spelling of the command line, the settings and the lessons: embeddings, qkv, scores, scale, mask,
// softmax, weighted-sum, output.
std::string stepKey(Step step);
std::optional<Step> stepFromKey(const std::string &key);

// Every matrix a step can show. A panel of the equation is one of these, never a display string.
enum class MatrixId {
    E,       // token embeddings (n, d_model)
    P,       // position embeddings (n, d_model)
    X,       // the layer's input (n, d_model)
    W_Q,     // (d_model, d_k)
    W_K,     // (d_model, d_k)
    W_V,     // (d_model, d_k)
    Q,       // (n, d_k)
    K,       // (n, d_k)
    V,       // (n, d_k)
    KT,      // Kᵀ (d_k, n)
    QT,      // Qᵀ (d_k, n), with the swap
    Scores,  // (n, n)
    Scaled,  // (n, n)
    Mask,    // (n, n): 0 or −∞
    Masked,  // (n, n)
    Weights, // (n, n)
    Output,  // the head's output (n, d_k)
    Concat,  // the heads' outputs side by side (n, heads·d_k)
    W_O,     // (heads·d_k, d_model)
    AttentionOutput, // concat·W_O (n, d_model)
    LayerOutput,     // the whole block's output (n, d_model)
};

constexpr int kMatrixCount = static_cast<int>(MatrixId::LayerOutput) + 1;

// The name drawn above the matrix: "E", "W_Q", "Kᵀ", "scores", "attention output", …
std::string matrixName(MatrixId id);
// The spelling of files and lessons: "e", "w_q", "kt", "scores", "attention-output", …
std::string matrixKey(MatrixId id);
std::optional<MatrixId> matrixFromKey(const std::string &key);
// Rows are queries and columns keys (n × n): scores, scaled, mask, masked, weights.
bool isSquareMatrix(MatrixId id);
// Belongs to one head (Q, K, V, their transposes, the n × n matrices, the head's output): with the average
// of heads selected, it is the element-wise mean of the heads' own matrices.
bool isPerHeadMatrix(MatrixId id);
// A learned weight matrix (W_Q, W_K, W_V, W_O): its rows are features, not tokens.
bool isWeightMatrix(MatrixId id);

} // namespace attention
