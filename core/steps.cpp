// Texts for the pipeline steps, written for a learner seeing each step for the first time.
#include "steps.h"

namespace attention {

std::string stepTitle(Step step)
{
    switch (step) {
    case Step::Embeddings:
        return "Embeddings";
    case Step::QKV:
        return "Q, K, V";
    case Step::Scores:
        return "Scores";
    case Step::Scale:
        return "Scale";
    case Step::Mask:
        return "Mask";
    case Step::Softmax:
        return "Softmax";
    case Step::WeightedSum:
        return "Weighted sum";
    case Step::Output:
        return "Output";
    }
    return {};
}

std::string stepFormula(Step step, bool swapQK)
{
    switch (step) {
    case Step::Embeddings:
        return "X = token embeddings (+ positions)";
    case Step::QKV:
        return "Q = X·W_Q    K = X·W_K    V = X·W_V";
    case Step::Scores:
        return swapQK ? "scores = K·Qᵀ   ⚠ swapped" : "scores = Q·Kᵀ";
    case Step::Scale:
        return "scaled = scores ÷ √d_k";
    case Step::Mask:
        return "masked = scaled, with −∞ where a key is blocked";
    case Step::Softmax:
        return "weights = softmax(masked), row by row";
    case Step::WeightedSum:
        return "output = weights·V";
    case Step::Output:
        return "attention output = concat(heads)·W_O";
    }
    return {};
}

std::string stepDescription(Step step)
{
    switch (step) {
    case Step::Embeddings:
        return "Each token starts as a vector of numbers, its embedding. One row per token: this matrix X is all "
               "the attention layer gets to see.";
    case Step::QKV:
        return "Three learned matrices turn every token into a query (what it is looking for), a key (what it "
               "offers to others) and a value (what it passes on when chosen).";
    case Step::Scores:
        return "Every query is compared with every key by a dot product. A large score means the key matches "
               "what the query is looking for.";
    case Step::Scale:
        return "The scores are divided by the square root of the key length d_k. Without it, long vectors give "
               "huge scores and the softmax saturates, so training barely learns.";
    case Step::Mask:
        return "A mask can forbid some pairs: their score becomes −∞ so they get no attention at all. A causal "
               "mask hides the future, as when a model writes text one word at a time.";
    case Step::Softmax:
        return "Softmax turns each row of scores into weights between 0 and 1 that add up to 1: how the query "
               "shares its attention among the keys.";
    case Step::WeightedSum:
        return "Each token's new vector is the sum of all value vectors, each multiplied by its weight. Keys "
               "with a high weight pass on most of their value; the rest fade out.";
    case Step::Output:
        return "The heads' outputs are joined and mixed by W_O. The result is a new vector for every token, now "
               "shaped by its context; the next layer starts from here.";
    }
    return {};
}

std::string stepKey(Step step)
{
    static const char *const keys[] = {"embeddings", "qkv",     "scores",       "scale",
                                       "mask",       "softmax", "weighted-sum", "output"};
    return keys[stepIndex(step)];
}

std::optional<Step> stepFromKey(const std::string &key)
{
    for (Step s : kAllSteps)
        if (stepKey(s) == key)
            return s;
    return std::nullopt;
}

namespace {

struct MatrixInfo
{
    const char *name;
    const char *key;
};

constexpr MatrixInfo kMatrices[kMatrixCount] = {
    {"E", "e"},
    {"P", "p"},
    {"X", "x"},
    {"W_Q", "w_q"},
    {"W_K", "w_k"},
    {"W_V", "w_v"},
    {"Q", "q"},
    {"K", "k"},
    {"V", "v"},
    {"Kᵀ", "kt"},
    {"Qᵀ", "qt"},
    {"scores", "scores"},
    {"scaled", "scaled"},
    {"mask", "mask"},
    {"masked", "masked"},
    {"weights", "weights"},
    {"output", "output"},
    {"concat", "concat"},
    {"W_O", "w_o"},
    {"attention output", "attention-output"},
    {"layer output", "layer-output"},
};

} // namespace

std::string matrixName(MatrixId id)
{
    return kMatrices[static_cast<int>(id)].name;
}

std::string matrixKey(MatrixId id)
{
    return kMatrices[static_cast<int>(id)].key;
}

std::optional<MatrixId> matrixFromKey(const std::string &key)
{
    for (int i = 0; i < kMatrixCount; ++i)
        if (key == kMatrices[i].key)
            return static_cast<MatrixId>(i);
    return std::nullopt;
}

bool isSquareMatrix(MatrixId id)
{
    return id == MatrixId::Scores || id == MatrixId::Scaled || id == MatrixId::Mask || id == MatrixId::Masked ||
           id == MatrixId::Weights;
}

bool isPerHeadMatrix(MatrixId id)
{
    switch (id) {
    case MatrixId::Q:
    case MatrixId::K:
    case MatrixId::V:
    case MatrixId::KT:
    case MatrixId::QT:
    case MatrixId::Scores:
    case MatrixId::Scaled:
    case MatrixId::Masked:
    case MatrixId::Weights:
    case MatrixId::Output:
        return true;
    default:
        return false;
    }
}

bool isWeightMatrix(MatrixId id)
{
    return id == MatrixId::W_Q || id == MatrixId::W_K || id == MatrixId::W_V || id == MatrixId::W_O;
}

} // namespace attention
