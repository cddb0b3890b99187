// The RNN deep dive's numbers: a small recurrent network with fixed weights made for a model's d_model,
// run over a sentence's token embeddings, and how much each token still influences a later hidden state
// (the norm of ∂h_j/∂x_i, by the chain rule through every step in between).
#pragma once

#include "deepdive.h"

#include <Eigen/Dense>
#include <vector>

namespace attention {

// The weights of h_t = tanh(W_x x_t + W_h h_{t−1} + b) (see runRnn in deepdive.h).
struct RnnWeights
{
    Eigen::MatrixXd wx; // (hidden, inputs)
    Eigen::MatrixXd wh; // (hidden, hidden)
    Eigen::VectorXd b;  // (hidden)
};

// The largest singular value given to W_h: below 1, so that every step can only shrink what it passes on.
constexpr double kRnnRecurrentNorm = 0.9;

// Fixed pseudo-random weights for `inputs` input features and `hidden` hidden units, the same on every
// machine for the same seed (no std:: distribution, whose output differs between libraries). W_x has
// entries of variance 1/inputs, W_h is scaled so its largest singular value is kRnnRecurrentNorm, b is small.
RnnWeights rnnWeights(int inputs, int hidden, unsigned seed = 11);

struct RnnInfluence
{
    RnnTrace trace;                // h_1 … h_n
    int from = 0;                  // the token whose influence is followed
    std::vector<double> influence; // per token j: ‖∂h_j/∂x_from‖ (Frobenius norm); 0 for j < from
    std::vector<double> relative;  // influence[j] / influence[from]: 1 at the token itself
};

// Runs the network over `inputs` (n × inputs, a row per token) and follows token `from` through every
// later step: ∂h_j/∂x_i = D_j W_h D_{j−1} W_h … D_{i+1} W_h D_i W_x with D_t = diag(1 − h_t²).
// An empty result (no hidden states) when the shapes do not fit or `from` is outside 0…n−1.
RnnInfluence rnnInfluence(const Eigen::MatrixXd &inputs, const RnnWeights &weights, int from);

// The Jacobian ∂h_to/∂x_from itself, (hidden, inputs); zero when to < from. For the tests and the curious.
Eigen::MatrixXd rnnJacobian(const Eigen::MatrixXd &inputs, const RnnWeights &weights, int from, int to);

} // namespace attention
