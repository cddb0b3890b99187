// Texts for the pipeline steps, written for a learner seeing each step for the first time.
#include "steps.h"

#include <QCoreApplication>

namespace attention {

int stepIndex(Step step)
{
    return static_cast<int>(step);
}

QString stepTitle(Step step)
{
    switch (step) {
    case Step::Embeddings:
        return QCoreApplication::translate("Steps", "Embeddings");
    case Step::QKV:
        return QCoreApplication::translate("Steps", "Q, K, V");
    case Step::Scores:
        return QCoreApplication::translate("Steps", "Scores");
    case Step::Scale:
        return QCoreApplication::translate("Steps", "Scale");
    case Step::Mask:
        return QCoreApplication::translate("Steps", "Mask");
    case Step::Softmax:
        return QCoreApplication::translate("Steps", "Softmax");
    case Step::WeightedSum:
        return QCoreApplication::translate("Steps", "Weighted sum");
    case Step::Output:
        return QCoreApplication::translate("Steps", "Output");
    }
    return {};
}

QString stepFormula(Step step, bool swapQK)
{
    switch (step) {
    case Step::Embeddings:
        return QStringLiteral("X = token embeddings (+ positions)");
    case Step::QKV:
        return QStringLiteral("Q = X·W_Q    K = X·W_K    V = X·W_V");
    case Step::Scores:
        return swapQK ? QStringLiteral("scores = K·Qᵀ   ⚠ swapped") : QStringLiteral("scores = Q·Kᵀ");
    case Step::Scale:
        return QStringLiteral("scaled = scores ÷ √d_k");
    case Step::Mask:
        return QStringLiteral("masked = scaled, with −∞ where a key is blocked");
    case Step::Softmax:
        return QStringLiteral("weights = softmax(masked), row by row");
    case Step::WeightedSum:
        return QStringLiteral("output = weights·V");
    case Step::Output:
        return QStringLiteral("attention output = concat(heads)·W_O");
    }
    return {};
}

QString stepDescription(Step step)
{
    switch (step) {
    case Step::Embeddings:
        return QCoreApplication::translate(
            "Steps",
            "Each token starts as a vector of numbers, its embedding. One row per token: this matrix X "
            "is all the attention layer gets to see.");
    case Step::QKV:
        return QCoreApplication::translate(
            "Steps",
            "Three learned matrices turn every token into a query (what it is looking for), a key (what "
            "it offers to others) and a value (what it passes on when chosen).");
    case Step::Scores:
        return QCoreApplication::translate(
            "Steps", "Every query is compared with every key by a dot product. A large score means the key "
                     "matches what the query is looking for.");
    case Step::Scale:
        return QCoreApplication::translate(
            "Steps",
            "The scores are divided by the square root of the key length d_k. Without it, long vectors "
            "give huge scores and the softmax saturates, so training barely learns.");
    case Step::Mask:
        return QCoreApplication::translate(
            "Steps",
            "A mask can forbid some pairs: their score becomes −∞ so they get no attention at all. A "
            "causal mask hides the future, as when a model writes text one word at a time.");
    case Step::Softmax:
        return QCoreApplication::translate(
            "Steps",
            "Softmax turns each row of scores into weights between 0 and 1 that add up to 1: how the "
            "query shares its attention among the keys.");
    case Step::WeightedSum:
        return QCoreApplication::translate(
            "Steps",
            "Each token's new vector is the sum of all value vectors, each multiplied by its weight. "
            "Keys with a high weight pass on most of their value; the rest fade out.");
    case Step::Output:
        return QCoreApplication::translate(
            "Steps", "The heads' outputs are joined and mixed by W_O. The result is a new vector for every "
                     "token, now shaped by its context; the next layer starts from here.");
    }
    return {};
}

QString stepCliName(Step step)
{
    static const char *names[] = {"embeddings", "qkv",     "scores",       "scale",
                                  "mask",       "softmax", "weighted-sum", "output"};
    return QLatin1String(names[stepIndex(step)]);
}

bool stepFromCliName(const QString &name, Step *step)
{
    for (Step s : kAllSteps)
        if (stepCliName(s) == name) {
            *step = s;
            return true;
        }
    return false;
}

} // namespace attention
