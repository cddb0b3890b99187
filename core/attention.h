// Computes self-attention through every layer and head of a model, keeping each intermediate matrix.
#pragma once

#include "inputlimits.h"
#include "model.h"
#include "tokenizer.h"

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

namespace attention {

using BoolMatrix = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;

enum class MaskMode {
    None,   // every query sees every key
    Causal, // query i sees keys 0..i only (GPT-style decoding)
    Custom  // exactly the cells in TraceOptions::customBlocked are blocked
};

struct TraceOptions
{
    bool scale = true; // divide the scores by √d_k
    MaskMode mask = MaskMode::None;
    BoolMatrix customBlocked;  // (n, n), true = blocked; read only when mask == Custom
    std::vector<bool> padding; // per token, true = padding: no query may attend to it; may be empty
    bool swapQK = false;       // the common mistake: scores = K·Qᵀ instead of Q·Kᵀ
};

struct HeadTrace
{
    Eigen::MatrixXd Q, K, V; // (n, d_k)
    Eigen::MatrixXd scores;  // (n_queries, n_keys): Q·Kᵀ (or K·Qᵀ with swapQK)
    Eigen::MatrixXd scaled;  // scores / divisor
    Eigen::MatrixXd masked;  // scaled, with −∞ in every blocked cell
    Eigen::MatrixXd weights; // row-wise softmax of masked; each row sums to 1, or is all 0 when blocked
    Eigen::MatrixXd output;  // (n, d_k): weights·V
    double divisor = 1.0;    // √d_k when scaling, else 1
};

struct LayerTrace
{
    Eigen::MatrixXd input; // (n, d_model): what every head of this layer reads
    std::vector<HeadTrace> heads;
    Eigen::MatrixXd concat;          // (n, heads·d_k): the heads' outputs side by side
    Eigen::MatrixXd attentionOutput; // (n, d_model): concat·W_O + b_O
    // The rest of the block; each is empty when the model lacks that part.
    Eigen::MatrixXd residual1; // input + attentionOutput
    Eigen::MatrixXd norm1;     // LayerNorm(residual1)
    Eigen::MatrixXd ffHidden;  // ReLU(norm1·W_1 + b_1), (n, d_ff)
    Eigen::MatrixXd ffOutput;  // ffHidden·W_2 + b_2
    Eigen::MatrixXd residual2; // norm1 + ffOutput
    Eigen::MatrixXd output;    // (n, d_model): the next layer's input
};

struct AttentionTrace
{
    std::shared_ptr<const Model> model; // the weights every matrix below was computed from
    TraceOptions options;
    std::vector<Token> tokens;
    std::vector<bool> known;            // per token: trained, or given a meaning by WordNet (not spelled out)
    std::vector<int> vocabularyIndex;   // per token: row in tokenEmbedding, or -1
    std::vector<WordOrigin> origins;    // per token: how the model came by its vector (meaning.h)
    Eigen::MatrixXd tokenEmbeddings;    // (n, d_model)
    Eigen::MatrixXd positionEmbeddings; // (n, d_model), or empty when the model has no positions
    BoolMatrix blocked;                 // (n, n): the mask actually applied, true = blocked
    std::vector<bool> fullyMasked;      // per query: every key blocked, so its weight row is all 0
    std::vector<LayerTrace> layers;

    int tokenCount() const { return static_cast<int>(tokens.size()); }
    // The final representation of every token: the last layer's output.
    const Eigen::MatrixXd &finalOutput() const { return layers.back().output; }
};

struct TraceResult
{
    AttentionTrace trace;
    std::string error; // empty on success; otherwise one sentence a user can read

    bool ok() const { return error.empty(); }
};

// Gives each token its vector (meaningOf in meaning.h: the vocabulary, WordNet, or its spelling) and
// takes the position embeddings where the model has them.
// Fills tokens, known, vocabularyIndex, origins, tokenEmbeddings and positionEmbeddings of `trace`.
void embedTokens(const Model &model, const std::vector<Token> &tokens, AttentionTrace &trace);

// A conservative estimate of the bytes a trace of `tokens` tokens through `model` keeps (every matrix of
// AttentionTrace) plus the largest temporaries while it is computed. Never less than the real figure.
double estimateTraceBytes(const Model &model, int tokens);

// Tokenizes `text` and runs the model on it. Fails on blank text, text longer than kMaxTextBytes, or
// anything traceTokens refuses.
TraceResult traceText(std::shared_ptr<const Model> model, const std::string &text,
                      const TraceOptions &options = {});

// Runs the model on tokens that were already made. Fails on an empty list, more than kMaxTokens
// tokens, more tokens than the model has positions, a custom mask of the wrong shape, a trace that would
// need more than kMaxTraceBytes (estimateTraceBytes), or when memory runs out all the same.
TraceResult traceTokens(std::shared_ptr<const Model> model, const std::vector<Token> &tokens,
                        const TraceOptions &options = {});

// --- The single steps, exposed for the tests and for the explanation views. ---

// The (n, n) mask: causal, custom or none, plus the padding columns. true = blocked.
BoolMatrix buildMask(int n, const TraceOptions &options);

// The mask as the matrix the equation adds to the scaled scores: 0 where a key is seen, −∞ where it is
// blocked.
Eigen::MatrixXd additiveMask(const BoolMatrix &blocked);

// Row-wise softmax that ignores −∞ entries. Subtracts each row's maximum first so exp() cannot
// overflow. A row whose entries are all −∞ has no distribution: it becomes all zeros and
// fullyMasked[row] is set, so no NaN can appear.
Eigen::MatrixXd maskedSoftmax(const Eigen::MatrixXd &masked, std::vector<bool> *fullyMasked = nullptr);

// Layer normalization of every row: (x − mean) / sqrt(var + eps) · gamma + beta.
Eigen::MatrixXd layerNorm(const Eigen::MatrixXd &x, const LayerNormWeights &norm);

// One head on one input: Q, K, V, scores, scaling, mask, softmax and the weighted sum.
HeadTrace computeHead(const Eigen::MatrixXd &input, const HeadWeights &head, const BoolMatrix &blocked,
                      const TraceOptions &options, std::vector<bool> *fullyMasked = nullptr);

// One whole layer: every head, the output projection, and residuals, norms and FFN where present.
LayerTrace computeLayer(const Eigen::MatrixXd &input, const LayerWeights &layer, const BoolMatrix &blocked,
                        const TraceOptions &options, std::vector<bool> *fullyMasked = nullptr);

// The element-wise mean of a layer's heads, every matrix of them ("average of heads" in the views; the
// evaluation reads its weights). The divisor is the heads' own (they share d_k).
HeadTrace meanOfHeads(const LayerTrace &layer);
// Only the weights of that mean: (n_queries, n_keys). Each row is still a distribution (or all 0 for a fully
// masked query). Empty when the layer has no heads.
Eigen::MatrixXd averageHeadWeights(const LayerTrace &layer);

const char *maskModeName(MaskMode mode);

} // namespace attention
