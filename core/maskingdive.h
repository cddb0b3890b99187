// The masking deep dive, values in and values out: what a causal model may see while it decodes a sentence
// one token at a time, and the "cheating" that the mask prevents: without it, the outputs of earlier
// positions change when a later token changes.
#pragma once

#include "attention.h"

#include <memory>
#include <string>
#include <vector>

namespace attention {

// Which attention a view reads: a layer (−1: the last) and a head in it (−1: the average of its heads).
struct HeadChoice
{
    int layer = -1;
    int head = -1;
};

// The layer and head `choice` names in `trace`, clamped to what the model has. Returns false when the
// trace has no layer or no head.
bool resolveHeadChoice(const AttentionTrace &trace, HeadChoice choice, int *layer, int *head);

// The weights `choice` names: one head's, or the average of the layer's heads. (n, n); empty when none.
Eigen::MatrixXd choiceWeights(const AttentionTrace &trace, HeadChoice choice);

// The cells a causal model may see at decoding step t (1 ≤ t ≤ n), when only tokens 0 … t−1 exist yet:
// query i < t and key j ≤ i. (n, n), true = may be seen. t is clamped to 0 … n.
BoolMatrix visibleAtStep(int n, int t);

// One step of the decoding demonstration, read from the causal trace of the whole sentence.
struct DecodingStep
{
    int step = 0;               // t: how many tokens exist yet
    int tokenCount = 0;         // n
    BoolMatrix visible;         // (n, n), visibleAtStep(n, t)
    Eigen::MatrixXd weights;    // (n, n): the causal trace's weights in the visible cells, 0 elsewhere
    std::vector<double> newest; // row t − 1: what the newest token attends to (t values; empty when t = 0)
};
DecodingStep decodingStep(const AttentionTrace &causal, int t, HeadChoice choice = {});

// The check behind the demonstration: the causal trace of the first t tokens alone against rows 0 … t−1
// of the causal trace of all of them, the largest absolute difference over every layer's and head's
// weights and outputs and the final output. 0 up to rounding: an earlier position never depends on a
// later token, so a decoder at step t computes exactly those rows. Negative when a trace fails.
double prefixDifference(std::shared_ptr<const Model> model, const std::vector<Token> &tokens, int t);

// What the cheating experiment compares at each position.
enum class CheatingMeasure {
    FinalOutput,    // the last layer's output (every layer's mixing together)
    AttentionOutput // the attention output of the chosen layer and head (weights · V; the average of heads:
                    // the layer's attention output after W_O)
};

struct CheatingOptions
{
    CheatingMeasure measure = CheatingMeasure::FinalOutput;
    HeadChoice choice; // read with AttentionOutput
};

// The cheating experiment: token `position` of `sentence` is replaced by `replacement`, and the sentence
// is traced before and after, with the causal mask and with none. For every position before `position`,
// the change is the L2 norm of the difference of its output rows (CheatingOptions::measure).
struct CheatingResult
{
    std::string error;            // empty on success
    std::vector<Token> tokens;    // the sentence as given
    std::vector<Token> changed;   // with the replacement
    int position = 0;             // j
    std::vector<double> causal;   // position 0 … j−1: the change with the causal mask (0 exactly)
    std::vector<double> unmasked; // the same positions without a mask
    double causalMax = 0;
    double unmaskedMax = 0;
    int unmaskedArgMax = -1; // the earlier position that changes most without the mask

    bool ok() const { return error.empty(); }
};
CheatingResult cheatingExperiment(std::shared_ptr<const Model> model, const std::string &sentence,
                                  int position, const std::string &replacement,
                                  const CheatingOptions &options = {});
// The same on tokens already made.
CheatingResult cheatingExperiment(std::shared_ptr<const Model> model, const std::vector<Token> &tokens,
                                  int position, const std::string &replacement,
                                  const CheatingOptions &options = {});

// The rows the measure reads from a trace: (n, width).
Eigen::MatrixXd measuredRows(const AttentionTrace &trace, const CheatingOptions &options);

// A default for the experiment: the position of the last word that is not punctuation (for the lesson's
// sentence, "tired"), or n − 1; −1 for fewer than two tokens.
int defaultCheatingPosition(const std::vector<Token> &tokens);

// A few replacement words to offer for the word at a position; the first differs from it ("tired" → "wide",
// the sentence whose "it" then means the street).
std::vector<std::string> replacementWords(const std::string &word);

// The sentence the deep dive uses when none is given.
const char *defaultMaskingSentence();

} // namespace attention
