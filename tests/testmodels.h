// Small models built in code for the tests, so every expected number can be derived by hand.
#pragma once

#include "model.h"

#include <memory>
#include <random>

namespace attention::testing {

// The hand-worked model: three words a, b, c in two dimensions, one head with d_k = 2.
//   E: a = [1, 0], b = [0, 1], c = [1, 1]
//   W_Q = I,  W_K = diag(2, 1),  W_V = diag(1, 2)
inline std::shared_ptr<Model> handWorkedModel()
{
    auto m = std::make_shared<Model>();
    m->name = "hand-worked";
    m->d_model = 2;
    m->d_k = 2;
    m->vocabulary = {"a", "b", "c"};
    m->indexVocabulary();
    m->tokenEmbedding.resize(3, 2);
    m->tokenEmbedding << 1, 0, 0, 1, 1, 1;
    LayerWeights layer;
    HeadWeights head;
    head.W_Q = Eigen::MatrixXd::Identity(2, 2);
    head.W_K = Eigen::Vector2d(2, 1).asDiagonal();
    head.W_V = Eigen::Vector2d(1, 2).asDiagonal();
    layer.heads.push_back(head);
    m->layers.push_back(layer);
    return m;
}

// A random model with words "w0" … "w<vocab-1>": every weight drawn from N(0, 0.5) with a fixed seed.
// With `full`, each layer has biases, W_O, residuals, layer norms and a feed-forward block.
inline std::shared_ptr<Model> randomModel(int d_model, int d_k, int layers, int heads, int vocab, bool full,
                                          unsigned seed = 7)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 0.5);
    auto fill = [&](Eigen::Index r, Eigen::Index c) {
        Eigen::MatrixXd m(r, c);
        for (Eigen::Index i = 0; i < m.size(); ++i)
            m.data()[i] = normal(rng);
        return m;
    };
    auto m = std::make_shared<Model>();
    m->name = "random";
    m->d_model = d_model;
    m->d_k = d_k;
    for (int i = 0; i < vocab; ++i)
        m->vocabulary.push_back("w" + std::to_string(i));
    m->indexVocabulary();
    m->tokenEmbedding = fill(vocab, d_model);
    for (int l = 0; l < layers; ++l) {
        LayerWeights layer;
        for (int h = 0; h < heads; ++h) {
            HeadWeights w;
            w.W_Q = fill(d_model, d_k);
            w.W_K = fill(d_model, d_k);
            w.W_V = fill(d_model, d_k);
            if (full) {
                w.b_Q = fill(1, d_k);
                w.b_K = fill(1, d_k);
                w.b_V = fill(1, d_k);
            }
            layer.heads.push_back(w);
        }
        if (full || heads * d_k != d_model)
            layer.W_O = fill(heads * d_k, d_model);
        if (full) {
            layer.b_O = fill(1, d_model);
            layer.residual = true;
            layer.norm1.gamma = Eigen::RowVectorXd::Ones(d_model) + fill(1, d_model) * 0.1;
            layer.norm1.beta = fill(1, d_model) * 0.1;
            layer.W_1 = fill(d_model, 2 * d_model);
            layer.b_1 = fill(1, 2 * d_model);
            layer.W_2 = fill(2 * d_model, d_model);
            layer.b_2 = fill(1, d_model);
            layer.norm2 = layer.norm1;
        }
        m->layers.push_back(layer);
    }
    return m;
}

} // namespace attention::testing
