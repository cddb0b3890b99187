// The weights of a transformer encoder, from a one-head didactic model to a trained stack of layers.
#pragma once

#include <Eigen/Dense>
#include <map>
#include <string>
#include <vector>

namespace attention {

struct HeadWeights
{
    Eigen::MatrixXd W_Q, W_K, W_V;    // (d_model, d_k): Q = X·W_Q
    Eigen::RowVectorXd b_Q, b_K, b_V; // (d_k), or empty when the model has no biases
};

struct LayerNormWeights
{
    Eigen::RowVectorXd gamma, beta; // (d_model), or empty when the layer has no normalization
    double epsilon = 1e-5;
};

struct LayerWeights
{
    std::vector<HeadWeights> heads;
    Eigen::MatrixXd W_O;    // (heads·d_k, d_model); empty means the identity (needs heads·d_k == d_model)
    Eigen::RowVectorXd b_O; // (d_model) or empty
    bool residual = false;  // add the layer input to the attention output (and the FFN input to its output)
    LayerNormWeights norm1; // after attention (post-norm, as in the original Transformer)
    Eigen::MatrixXd W_1;    // (d_model, d_ff), empty when the layer has no feed-forward block
    Eigen::RowVectorXd b_1; // (d_ff)
    Eigen::MatrixXd W_2;    // (d_ff, d_model)
    Eigen::RowVectorXd b_2; // (d_model)
    LayerNormWeights norm2; // after the feed-forward block

    bool hasFeedForward() const { return W_1.size() > 0; }
};

enum class UnknownWords {
    Hashed,      // an unknown word gets a deterministic pseudo-random vector made from its spelling
    UnknownToken // an unknown word gets the embedding of the vocabulary entry "<unk>"
};

struct Model
{
    std::string name;
    std::string description;
    int d_model = 0;
    int d_k = 0;
    std::vector<std::string> featureNames; // one per embedding dimension; may be empty

    std::vector<std::string> vocabulary;  // index → word (normalized spelling)
    std::map<std::string, int> wordIndex; // normalized word → row of tokenEmbedding
    Eigen::MatrixXd tokenEmbedding;       // (vocabulary size, d_model)
    Eigen::MatrixXd positionEmbedding;    // (max positions, d_model), or empty: no positions
    UnknownWords unknownWords = UnknownWords::Hashed;
    double hashedScale = 0.3; // unknown words' hashed vectors are uniform in [-hashedScale, hashedScale]

    std::vector<LayerWeights> layers;

    // The training head: scores every class from one token's final output (see train.h). Empty for
    // hand-set models; the traces never use it.
    std::vector<std::string> classes;
    Eigen::MatrixXd W_cls;    // (d_model, classes)
    Eigen::RowVectorXd b_cls; // (classes)

    int headCount() const { return layers.empty() ? 0 : static_cast<int>(layers.front().heads.size()); }
    int maxPositions() const { return static_cast<int>(positionEmbedding.rows()); }
    // Row of `word` in tokenEmbedding after normalization, or -1 when the model does not know it.
    int lookup(const std::string &word) const;
    // Rebuilds wordIndex from vocabulary.
    void indexVocabulary();
};

// Checks every shape in the model against d_model and d_k, and every size against its limit
// (inputlimits.h). Returns an empty string when the model is consistent, or one sentence naming the first
// field that is wrong (for example "layers[0].heads[1].W_K has 5 rows; d_model is 6").
std::string validateModel(const Model &model);

// The deterministic vector given to a word the model does not know (same spelling → same vector).
Eigen::RowVectorXd hashedEmbedding(const std::string &normalizedWord, int dimension, double scale);

} // namespace attention
