// Training a small transformer encoder with the same forward code the traces use, and Adam.
#pragma once

#include "attention.h"
#include "example.h"
#include "wordnet.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace attention {

struct TrainConfig
{
    int d_model = 32;
    int heads = 2;
    int d_k = 16;
    int layers = 2;
    int d_ff = 64;
    int maxPositions = 32;
    int steps = 30000;
    int batch = 32;
    double learningRate = 3e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double unknownRate = 0.02; // share of training words replaced by "<unk>", so unknown words mean something
    std::uint64_t seed = 1;

    // Word knowledge (meaning.h). With `wordnet`, a word's vector is the composition of learned WordNet
    // feature vectors (its own vector only for the words of ownWords and those WordNet lacks); a share
    // `generalRate` of content words lose their own synsets for one sentence, so the model learns to read
    // meaning from categories and hypernyms, which is all a word it never saw will have; a share
    // `unknownRate` of words are spelled out (character n-grams, `ngramBuckets` learned vectors) instead
    // of "<unk>". Without `wordnet`, the model has a vocabulary and "<unk>" only.
    std::shared_ptr<const WordNet> wordnet;
    std::vector<std::string> ownWords;
    double generalRate = 0.6;
    int ngramBuckets = 512;
    double featureStd = 0.3; // initial feature and n-gram vectors: N(0, featureStd²)
    // Positions: a learned table of maxPositions rows, or the sinusoidal encoding up to kMaxTokens.
    bool sinusoidal = false;
    double positionScale = 0.1;
    // Each step's batch is split in `threads` fixed slices, summed in slice order: the same seed and the
    // same number of threads give the same bytes, however the threads are scheduled.
    int threads = 1;
};

// A deterministic random stream (splitmix64): the same seed gives the same numbers on every machine,
// unlike std::normal_distribution, whose algorithm differs between standard libraries.
class Random
{
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next();
    double uniform(); // [0, 1)
    double normal();  // N(0, 1), Box–Muller
    int below(int n); // [0, n)

private:
    std::uint64_t m_state;
};

// A model with vocabulary `words` (plus "<unk>"), learned positions, `config.layers` post-norm layers of
// `config.heads` heads with biases, W_O, residuals, layer norms and a ReLU feed-forward block, and a
// classifier over `classes`. Weights ~ N(0, 1/fan_in), norms gamma 1 beta 0, biases 0.
Model initModel(const std::vector<std::string> &words, const std::vector<std::string> &classes,
                const TrainConfig &config);

// Calls f(name, data, size) for every parameter block of the model, in a fixed order
// ("embeddings", "positions", "layers[0].heads[1].W_Q", …, "classifier.W", "classifier.b").
void forEachParameter(Model &model,
                      const std::function<void(const std::string &, double *, std::ptrdiff_t)> &f);

// A model of the same shapes, every parameter 0 (to hold gradients).
Model zerosLike(const Model &model);

// Cross-entropy of the classifier at example.position, computed from traceTokens (the very trace the
// app shows). When `gradients` is not null, adds d(loss)/d(parameter) to it.
double exampleLoss(const Model &model, const Example &example, Model *gradients);

struct TrainResult
{
    std::shared_ptr<Model> model;
    std::vector<double> losses; // mean loss of each step's batch
    std::string error;
};

// Trains from scratch. `progress(step, steps, loss)` is called after every step. Deterministic: the same
// data, config, seed and thread count give bit-identical weights on the same machine.
TrainResult train(const std::vector<Example> &data, const TrainConfig &config,
                  const std::function<void(int, int, double)> &progress = {});

} // namespace attention
