// The deep dives' experiments, values in and values out: why scale by √d_k (the softmax's spread and its
// gradient against d_k), and what a recurrent network does step by step where attention takes one.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace attention {

// softmax(z) and its Jacobian ∂softmax(z)_i / ∂z_j = p_i (δ_ij − p_j).
Eigen::VectorXd softmaxOf(const Eigen::VectorXd &z);
Eigen::MatrixXd softmaxJacobian(const Eigen::VectorXd &z);
// Entropy of a distribution in nats (0 for a one-hot, log n for the uniform one).
double entropyOf(const Eigen::VectorXd &p);

// What one head does, read off its weights (n_queries × n_keys), for the several-heads dive. Averages over the
// queries that see at least one key: the weight on the token itself, on the one before, on the one after, and
// on the single key that gets the most (mostKey).
struct HeadPattern
{
    double self = 0, previous = 0, next = 0, mostKeyShare = 0;
    int mostKey = -1;
    bool hasPrevious = false, hasNext = false; // some query has a token before / after it among the keys
    // The mean entropy of a row over its largest possible value (log of the keys it sees): 0 = one key takes
    // everything, 1 = even weights.
    double spread = 0;
    // The strongest weight of a query on another token.
    int pairQuery = -1, pairKey = -1;
    double pairWeight = 0;
};
HeadPattern headPattern(const Eigen::MatrixXd &weights);

// One d_k of the scaling experiment: random queries and keys with unit-variance entries, `keys` keys per
// query, averaged over `trials` queries. Raw scores q·k have a spread of about √d_k; scaled ones about 1.
struct ScalingPoint
{
    int dk = 0;
    double rawSpread = 0;          // standard deviation of the raw scores
    double scaledSpread = 0;       // of the scores ÷ √d_k
    double rawMaxWeight = 0;       // mean largest softmax weight of a row
    double scaledMaxWeight = 0;
    double rawEntropy = 0;         // mean entropy of a row's weights (nats)
    double scaledEntropy = 0;
    double rawGradient = 0;        // mean Frobenius norm of the softmax's Jacobian
    double scaledGradient = 0;
    std::vector<double> rawScores; // the first trial's scores, for a histogram
    std::vector<double> scaledScores;
};
ScalingPoint scalingExperiment(int dk, int keys, int trials, unsigned seed);

// A small recurrent network, h_t = tanh(W_x x_t + W_h h_{t−1} + b), from h_0 = 0: every hidden state is
// kept. Each step needs the one before it, so n tokens take n sequential steps.
struct RnnTrace
{
    std::vector<Eigen::VectorXd> hidden; // h_1 … h_n
    int sequentialSteps = 0;
};
RnnTrace runRnn(const Eigen::MatrixXd &inputs /* n × d_in, a row per token */, const Eigen::MatrixXd &wx,
                const Eigen::MatrixXd &wh, const Eigen::VectorXd &b);
// How many steps information takes from token i to token j (j ≥ i): an RNN passes it along j − i times;
// attention links every pair directly, in one step.
inline int rnnPathLength(int from, int to) { return to > from ? to - from : from - to; }
inline int attentionPathLength(int from, int to) { return from == to ? 0 : 1; }

} // namespace attention
