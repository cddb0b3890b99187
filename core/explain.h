// The worked arithmetic behind any cell of a head, recomputed from the trace's own numbers.
#pragma once

#include "attention.h"

#include <string>
#include <vector>

namespace attention {

// scores(query, key) as a dot product, term by term.
struct ScoreExplanation
{
    int query = 0;
    int key = 0;
    bool swapped = false;         // scores = K·Qᵀ: the row vector is k_query and the column vector q_key
    std::vector<double> left;     // q_query (k_query when swapped), length d_k
    std::vector<double> right;    // k_key (q_key when swapped), length d_k
    std::vector<double> products; // products[c] = left[c] · right[c]
    double sum = 0.0;             // Σ products: the trace's score, recomputed
};

// scaled(query, key) = score ÷ divisor.
struct ScaleExplanation
{
    int query = 0;
    int key = 0;
    double score = 0.0;
    double divisor = 1.0; // √d_k when scaling, else 1
    double scaled = 0.0;
    int d_k = 0;
    bool scaling = true;
};

// weights(query, key), with the whole row the softmax normalises over.
struct SoftmaxExplanation
{
    int query = 0;
    int key = 0;
    bool fullyMasked = false;   // every key blocked: no distribution, the row is all 0
    std::vector<double> masked; // row `query` of masked; −∞ for blocked keys
    double rowMax = 0.0;        // the maximum subtracted for stability; −∞ when fully masked
    std::vector<double> exps;   // exp(masked − rowMax); exactly 0 for blocked keys
    double sum = 0.0;           // Σ exps
    double weight = 0.0;        // exps[key] ÷ sum (0 when fully masked): the trace's weight
};

// output(query, column) of one head = Σ_j weights(query, j) · V(j, column).
struct OutputExplanation
{
    int query = 0;
    int column = 0;
    std::vector<double> weights;  // row `query` of weights, one per key
    std::vector<double> values;   // column `column` of V, one per key
    std::vector<double> products; // weights[j] · values[j]
    double sum = 0.0;             // Σ products: the trace's output, recomputed
};

// Why a cell of the mask is open or blocked.
struct MaskExplanation
{
    int query = 0;
    int key = 0;
    bool blocked = false;
    MaskMode mode = MaskMode::None;
    bool padding = false; // the key is a padding token
    std::string reason;   // one sentence a learner can read
};

// `layer` and `head` index trace.layers[layer].heads[head]; every index is asserted to be in range.
ScoreExplanation explainScore(const AttentionTrace &trace, int layer, int head, int query, int key);
ScaleExplanation explainScale(const AttentionTrace &trace, int layer, int head, int query, int key);
SoftmaxExplanation explainSoftmax(const AttentionTrace &trace, int layer, int head, int query, int key);
OutputExplanation explainOutput(const AttentionTrace &trace, int layer, int head, int query, int column);
MaskExplanation explainMask(const AttentionTrace &trace, int layer, int head, int query, int key);

// The key `query` gives the largest weight (the first on a tie), or -1 when its row is fully masked.
int strongestKey(const AttentionTrace &trace, int layer, int head, int query);

} // namespace attention
