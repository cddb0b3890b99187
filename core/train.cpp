// Training by hand-written backpropagation through the very trace the app shows, and Adam.
#include "train.h"

#include "meaning.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace attention {

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;
const char *const kUnknownWord = "<unk>";

// A (rows, cols) matrix of N(0, stddev²) draws, filled in storage order so a seed fixes every entry.
Eigen::MatrixXd randomMatrix(Random &random, Eigen::Index rows, Eigen::Index cols, double stddev)
{
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = random.normal() * stddev;
    return m;
}

void addColumnSums(Eigen::RowVectorXd &bias, const Eigen::MatrixXd &d)
{
    // A bias is added to every row, so its gradient is the sum over the rows. Empty: the model has none.
    if (bias.size() > 0)
        bias += d.colwise().sum();
}

// The backward pass of layerNorm(x, norm), row by row: returns d(loss)/dx and adds into the gradients
// of gamma and beta. x: (n, d_model), the matrix before normalization, as the trace keeps it.
Eigen::MatrixXd layerNormBackward(const Eigen::MatrixXd &x, const LayerNormWeights &norm,
                                  const Eigen::MatrixXd &dy, LayerNormWeights &gradient)
{
    assert(x.rows() == dy.rows() && x.cols() == dy.cols() && "the gradient must have the input's shape");
    const double d = static_cast<double>(x.cols());
    Eigen::MatrixXd dx(x.rows(), x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        // 1. Recompute this row's normalized values exactly as the forward pass did.
        const double mean = x.row(i).mean();
        const Eigen::RowVectorXd centered = x.row(i).array() - mean;
        const double inverseStd = 1.0 / std::sqrt(centered.squaredNorm() / d + norm.epsilon);
        const Eigen::RowVectorXd normalized = centered * inverseStd;
        // 2. y = normalized·gamma + beta.
        gradient.gamma += dy.row(i).cwiseProduct(normalized);
        gradient.beta += dy.row(i);
        const Eigen::RowVectorXd dNormalized = dy.row(i).cwiseProduct(norm.gamma);
        // 3. Every entry of the row moved the mean and the variance, hence the two correction terms:
        //    dx = (dn − mean(dn) − n·mean(dn ∘ n)) / std.
        dx.row(i) = inverseStd * (dNormalized.array() - dNormalized.mean() -
                                  normalized.array() * (dNormalized.dot(normalized) / d));
    }
    return dx;
}

// The backward pass of one head; returns its contribution to d(loss)/d(layer input).
// dOutput: (n, d_k), the gradient of the head's output.
Eigen::MatrixXd headBackward(const Eigen::MatrixXd &input, const HeadTrace &t, const HeadWeights &w,
                             const Eigen::MatrixXd &dOutput, HeadWeights &g)
{
    // 1. output = weights·V. dWeights: (n_queries, n_keys), dV: (n, d_k)
    const Eigen::MatrixXd dWeights = dOutput * t.V.transpose();
    const Eigen::MatrixXd dV = t.weights.transpose() * dOutput;
    // 2. Softmax couples a whole row: dz_j = a_j·(da_j − Σ_k a_k·da_k). Blocked cells have a = 0 and
    //    so get no gradient, as they should.
    const Eigen::VectorXd rowDot = dWeights.cwiseProduct(t.weights).rowwise().sum();
    const Eigen::MatrixXd dScaled = (t.weights.array() * (dWeights.colwise() - rowDot).array()).matrix();
    // 3. scaled = scores / divisor, scores = Q·Kᵀ. dScores: (n_queries, n_keys)
    const Eigen::MatrixXd dScores = dScaled / t.divisor;
    const Eigen::MatrixXd dQ = dScores * t.K;             // (n, d_k)
    const Eigen::MatrixXd dK = dScores.transpose() * t.Q; // (n, d_k)
    // 4. Q = X·W_Q + b_Q, and the same for K and V.
    g.W_Q.noalias() += input.transpose() * dQ;
    g.W_K.noalias() += input.transpose() * dK;
    g.W_V.noalias() += input.transpose() * dV;
    addColumnSums(g.b_Q, dQ);
    addColumnSums(g.b_K, dK);
    addColumnSums(g.b_V, dV);
    Eigen::MatrixXd dInput = dQ * w.W_Q.transpose();
    dInput.noalias() += dK * w.W_K.transpose();
    dInput.noalias() += dV * w.W_V.transpose();
    return dInput;
}

// The backward pass of computeLayer, mirroring its optional parts; returns d(loss)/d(layer input).
// dx: (n, d_model), the gradient of the layer's output.
Eigen::MatrixXd layerBackward(const LayerTrace &t, const LayerWeights &w, Eigen::MatrixXd dx, LayerWeights &g)
{
    // The matrices computeLayer fed into each norm and into the feed-forward block.
    const Eigen::MatrixXd &beforeNorm1 = w.residual ? t.residual1 : t.attentionOutput;
    const bool hasNorm1 = w.norm1.gamma.size() > 0;
    const Eigen::MatrixXd &ffInput = hasNorm1 ? t.norm1 : beforeNorm1;

    // 1. The feed-forward block, from its end: LN2, the second residual, W_2, ReLU, W_1.
    if (w.hasFeedForward()) {
        if (w.norm2.gamma.size() > 0)
            dx = layerNormBackward(w.residual ? t.residual2 : t.ffOutput, w.norm2, dx, g.norm2);
        // dx is now d(loss)/d(ffOutput), and also d(loss)/d(ffInput) through the residual.
        g.W_2.noalias() += t.ffHidden.transpose() * dx;
        addColumnSums(g.b_2, dx);
        // ReLU passes the gradient only where it let the value through. dHidden: (n, d_ff)
        const Eigen::MatrixXd dHidden =
            ((dx * w.W_2.transpose()).array() * (t.ffHidden.array() > 0.0).cast<double>()).matrix();
        g.W_1.noalias() += ffInput.transpose() * dHidden;
        addColumnSums(g.b_1, dHidden);
        if (w.residual)
            dx.noalias() += dHidden * w.W_1.transpose();
        else
            dx = dHidden * w.W_1.transpose();
    }
    // 2. LN1, then the first residual: the layer input receives dx directly.
    if (hasNorm1)
        dx = layerNormBackward(beforeNorm1, w.norm1, dx, g.norm1);
    Eigen::MatrixXd dInput = w.residual ? dx : Eigen::MatrixXd::Zero(dx.rows(), dx.cols());
    // 3. attentionOutput = concat·W_O + b_O (W_O empty = identity). dConcat: (n, heads·d_k)
    addColumnSums(g.b_O, dx);
    Eigen::MatrixXd dConcat;
    if (w.W_O.size() > 0) {
        g.W_O.noalias() += t.concat.transpose() * dx;
        dConcat = dx * w.W_O.transpose();
    } else {
        dConcat = dx;
    }
    // 4. Each head reads its own columns of concat, and all of them read the layer input.
    Eigen::Index column = 0;
    for (std::size_t h = 0; h < w.heads.size(); ++h) {
        const Eigen::Index width = t.heads[h].output.cols();
        dInput +=
            headBackward(t.input, t.heads[h], w.heads[h], dConcat.middleCols(column, width), g.heads[h]);
        column += width;
    }
    return dInput;
}

[[maybe_unused]] bool sameShape(const Eigen::MatrixXd &a, const Eigen::MatrixXd &b)
{
    return a.rows() == b.rows() && a.cols() == b.cols();
}

// Why training cannot start, or an empty string.
std::string checkTrainingInput(const std::vector<Example> &data, const TrainConfig &config)
{
    if (config.d_model <= 0 || config.heads <= 0 || config.d_k <= 0 || config.layers <= 0 ||
        config.d_ff <= 0 || config.maxPositions <= 0)
        return "d_model, heads, d_k, layers, d_ff and maxPositions must all be positive";
    if (config.steps < 0 || config.batch <= 0)
        return "steps must not be negative and batch must be positive";
    if (!(config.learningRate > 0.0) || !(config.unknownRate >= 0.0 && config.unknownRate < 1.0))
        return "the learning rate must be positive and unknownRate in [0, 1)";
    if (data.empty())
        return "there are no training examples";
    for (std::size_t i = 0; i < data.size(); ++i) {
        const Example &e = data[i];
        std::ostringstream out;
        out << "training example " << i << " ";
        if (e.words.empty())
            return out.str() + "has no words";
        if (static_cast<int>(e.words.size()) > config.maxPositions) {
            out << "has " << e.words.size() << " words; the model has " << config.maxPositions
                << " positions";
            return out.str();
        }
        if (e.position < 0 || e.position >= static_cast<int>(e.words.size())) {
            out << "asks for position " << e.position << " but has " << e.words.size() << " words";
            return out.str();
        }
        if (e.label.empty())
            return out.str() + "has no label";
    }
    return {};
}

// Linear warm-up over the first 5% of the steps, then a linear decay to 10% of the rate at the end:
// the warm-up keeps Adam's first, poorly estimated steps small; the decay lets the weights settle.
double learningRateAt(int step, const TrainConfig &config)
{
    const int warmup = std::max(1, config.steps / 20);
    if (step < warmup)
        return config.learningRate * (step + 1) / warmup;
    const int decaySteps = std::max(1, config.steps - warmup - 1);
    const double progress = std::min(1.0, static_cast<double>(step - warmup) / decaySteps);
    return config.learningRate * (1.0 - 0.9 * progress);
}

} // namespace

std::uint64_t Random::next()
{
    // splitmix64 (Steele, Lea and Flood 2014): a Weyl sequence scrambled by two multiply-xorshifts.
    m_state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = m_state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double Random::uniform()
{
    // The top 53 bits fill a double's mantissa exactly: every value is a multiple of 2⁻⁵³ below 1.
    return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
}

double Random::normal()
{
    // Box–Muller. 1 − u lies in (0, 1], so the logarithm is finite. Only the cosine half is used, so
    // the stream needs no hidden state besides the seed.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

int Random::below(int n)
{
    assert(n > 0 && "below(n) needs a positive n");
    // Reject the top partial block of 2⁶⁴ so every remainder is equally likely.
    const std::uint64_t range = static_cast<std::uint64_t>(n);
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % range;
    std::uint64_t x = next();
    while (x >= limit)
        x = next();
    return static_cast<int>(x % range);
}

Model initModel(const std::vector<std::string> &words, const std::vector<std::string> &classes,
                const TrainConfig &config)
{
    assert(config.d_model > 0 && config.heads > 0 && config.d_k > 0 && config.layers > 0 && config.d_ff > 0 &&
           config.maxPositions > 0 && "every dimension of the model must be positive");
    Model model;
    model.name = "trained";
    model.d_model = config.d_model;
    model.d_k = config.d_k;
    std::ostringstream description;
    description << "A post-norm transformer encoder of " << config.layers << " layers × " << config.heads
                << " heads (d_model " << config.d_model << ", d_k " << config.d_k << ", d_ff " << config.d_ff
                << ") with a classifier over " << classes.size() << " classes, trained from random weights.";
    model.description = description.str();

    // 1. The vocabulary: normalized spellings in the given order, each once, and "<unk>" last, which
    //    every word the model has not seen will share.
    std::set<std::string> seen;
    for (const std::string &word : words) {
        std::string normalized = normalizeForLookup(word);
        if (normalized.empty() || normalized == kUnknownWord || !seen.insert(normalized).second)
            continue;
        model.vocabulary.push_back(std::move(normalized));
    }
    model.vocabulary.push_back(kUnknownWord);
    model.indexVocabulary();
    model.unknownWords = UnknownWords::UnknownToken;
    model.classes = classes;

    // 2. Weights N(0, 1/fan_in), so every projection keeps its input's scale; embeddings and positions
    //    N(0, 0.1²), small and of one scale so neither drowns the other in X = E + P. The draw order below
    //    is part of what the seed reproduces.
    Random random(config.seed);
    const int d = config.d_model;
    const double embeddingStd = 0.1;
    const auto V = static_cast<Eigen::Index>(model.vocabulary.size());
    const auto C = static_cast<Eigen::Index>(classes.size());
    // tokenEmbedding: (V, d_model), positionEmbedding: (maxPositions, d_model)
    model.tokenEmbedding = randomMatrix(random, V, d, embeddingStd);
    model.positionEmbedding = randomMatrix(random, config.maxPositions, d, embeddingStd);
    const double perModel = 1.0 / std::sqrt(static_cast<double>(d));
    for (int l = 0; l < config.layers; ++l) {
        LayerWeights layer;
        for (int h = 0; h < config.heads; ++h) {
            HeadWeights head;
            head.W_Q = randomMatrix(random, d, config.d_k, perModel); // (d_model, d_k)
            head.W_K = randomMatrix(random, d, config.d_k, perModel);
            head.W_V = randomMatrix(random, d, config.d_k, perModel);
            head.b_Q = head.b_K = head.b_V = Eigen::RowVectorXd::Zero(config.d_k);
            layer.heads.push_back(std::move(head));
        }
        const int concat = config.heads * config.d_k;
        layer.W_O = randomMatrix(random, concat, d, 1.0 / std::sqrt(static_cast<double>(concat)));
        layer.b_O = Eigen::RowVectorXd::Zero(d);
        layer.residual = true;
        layer.norm1.gamma = Eigen::RowVectorXd::Ones(d);
        layer.norm1.beta = Eigen::RowVectorXd::Zero(d);
        layer.norm1.epsilon = 1e-5;
        layer.W_1 = randomMatrix(random, d, config.d_ff, perModel); // (d_model, d_ff)
        layer.b_1 = Eigen::RowVectorXd::Zero(config.d_ff);
        layer.W_2 = randomMatrix(random, config.d_ff, d, 1.0 / std::sqrt(static_cast<double>(config.d_ff)));
        layer.b_2 = Eigen::RowVectorXd::Zero(d);
        layer.norm2 = layer.norm1;
        model.layers.push_back(std::move(layer));
    }
    model.W_cls = randomMatrix(random, d, C, perModel); // (d_model, classes)
    model.b_cls = Eigen::RowVectorXd::Zero(C);
    assert(validateModel(model).empty() && "initModel must build a consistent model");
    return model;
}

void forEachParameter(Model &model,
                      const std::function<void(const std::string &, double *, std::ptrdiff_t)> &f)
{
    // Empty blocks (a part the model lacks) are skipped; two models of the same shapes list the same
    // blocks in the same order, which is what pairs a model with its gradients and Adam's moments.
    const auto visit = [&f](const std::string &name, auto &block) {
        if (block.size() > 0)
            f(name, block.data(), static_cast<std::ptrdiff_t>(block.size()));
    };
    visit("embeddings", model.tokenEmbedding);
    visit("positions", model.positionEmbedding);
    for (std::size_t l = 0; l < model.layers.size(); ++l) {
        LayerWeights &layer = model.layers[l];
        const std::string lp = "layers[" + std::to_string(l) + "].";
        for (std::size_t h = 0; h < layer.heads.size(); ++h) {
            HeadWeights &head = layer.heads[h];
            const std::string hp = lp + "heads[" + std::to_string(h) + "].";
            visit(hp + "W_Q", head.W_Q);
            visit(hp + "b_Q", head.b_Q);
            visit(hp + "W_K", head.W_K);
            visit(hp + "b_K", head.b_K);
            visit(hp + "W_V", head.W_V);
            visit(hp + "b_V", head.b_V);
        }
        visit(lp + "W_O", layer.W_O);
        visit(lp + "b_O", layer.b_O);
        visit(lp + "norm1.gamma", layer.norm1.gamma);
        visit(lp + "norm1.beta", layer.norm1.beta);
        visit(lp + "W_1", layer.W_1);
        visit(lp + "b_1", layer.b_1);
        visit(lp + "W_2", layer.W_2);
        visit(lp + "b_2", layer.b_2);
        visit(lp + "norm2.gamma", layer.norm2.gamma);
        visit(lp + "norm2.beta", layer.norm2.beta);
    }
    visit("classifier.W", model.W_cls);
    visit("classifier.b", model.b_cls);
}

namespace {

// Every parameter block of `model`, in forEachParameter's order.
std::vector<std::pair<double *, std::ptrdiff_t>> parameterBlocks(Model &model)
{
    std::vector<std::pair<double *, std::ptrdiff_t>> blocks;
    forEachParameter(model, [&](const std::string &, double *data, std::ptrdiff_t size) {
        blocks.emplace_back(data, size);
    });
    return blocks;
}

} // namespace

Model zerosLike(const Model &model)
{
    Model zeros = model;
    forEachParameter(zeros, [](const std::string &, double *data, std::ptrdiff_t size) {
        std::fill(data, data + size, 0.0);
    });
    return zeros;
}

double exampleLoss(const Model &model, const Example &example, Model *gradients)
{
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    assert(gradients != &model && "gradients must be a separate model (see zerosLike)");
    assert(model.W_cls.size() > 0 && "the model has no classifier");
    // 1. The class to predict.
    const auto found = std::find(model.classes.begin(), model.classes.end(), example.label);
    assert(found != model.classes.end() && "example.label must be one of model.classes");
    if (found == model.classes.end())
        return kNaN;
    const auto target = static_cast<Eigen::Index>(found - model.classes.begin());

    // 2. The forward pass is the trace itself: no mask, scaled scores, exactly what the app shows.
    //    The model outlives the trace, so the pointer need not own it.
    const TraceResult result = traceTokens(std::shared_ptr<const Model>(&model, [](const Model *) {}),
                                           tokensFromWords(example.words));
    assert(result.ok() && "the example must be traceable (no more words than positions)");
    assert(example.position >= 0 && example.position < result.trace.tokenCount() &&
           "example.position must name one of its words");
    if (!result.ok() || example.position < 0 || example.position >= result.trace.tokenCount())
        return kNaN;
    const AttentionTrace &trace = result.trace;

    // 3. Scores of every class at the example's position, and the cross-entropy through a log-sum-exp
    //    shifted by the maximum so exp() cannot overflow. logits: (classes)
    const Eigen::RowVectorXd features = trace.finalOutput().row(example.position); // (d_model)
    const Eigen::RowVectorXd logits = features * model.W_cls + model.b_cls;
    const double maxLogit = logits.maxCoeff();
    const Eigen::RowVectorXd exps = (logits.array() - maxLogit).exp().matrix();
    const double sum = exps.sum();
    const double loss = maxLogit + std::log(sum) - logits(target);
    if (!gradients)
        return loss;

    // 4. Backward, in the reverse order of the forward pass. d(loss)/d(logits) = softmax − one-hot.
    Model &g = *gradients;
    assert(sameShape(g.W_cls, model.W_cls) && g.layers.size() == model.layers.size() &&
           sameShape(g.tokenEmbedding, model.tokenEmbedding) &&
           sameShape(g.positionEmbedding, model.positionEmbedding) && "gradients must be made by zerosLike");
    Eigen::RowVectorXd dLogits = exps / sum;
    dLogits(target) -= 1.0;
    g.W_cls.noalias() += features.transpose() * dLogits;
    g.b_cls += dLogits;
    // Only the classified token's final output reaches the loss. dx: (n, d_model)
    Eigen::MatrixXd dx = Eigen::MatrixXd::Zero(trace.tokenCount(), model.d_model);
    dx.row(example.position) = dLogits * model.W_cls.transpose();

    // 5. The layers, last first; each returns the gradient of its input, the previous layer's output.
    for (std::size_t l = model.layers.size(); l-- > 0;)
        dx = layerBackward(trace.layers[l], model.layers[l], std::move(dx), g.layers[l]);

    // 6. X = E + P: each token's row of dx goes to the embedding row it was read from (a repeated word
    //    collects from every place it occurs; an unknown word feeds "<unk>", a hashed vector nothing)
    //    and to its position's row.
    const int unknownRow = model.unknownWords == UnknownWords::UnknownToken ? model.lookup(kUnknownWord) : -1;
    for (int i = 0; i < trace.tokenCount(); ++i) {
        const int known = trace.vocabularyIndex[static_cast<std::size_t>(i)];
        const int row = known >= 0 ? known : unknownRow;
        if (row >= 0)
            g.tokenEmbedding.row(row) += dx.row(i);
    }
    if (trace.positionEmbeddings.size() > 0)
        g.positionEmbedding.topRows(trace.tokenCount()) += dx;
    return loss;
}

namespace {

// One row of a sparse (rows, columns) matrix: (column, weight) pairs.
using SparseRow = std::vector<std::pair<int, double>>;

// The words of training as the model reads them, and how each row of the training vocabulary is made:
// rows [0, V) the words with all their features, [V, 2V) the same without their own synsets (content
// words only), [2V, 3V) spelled out. Rows past V exist only while training.
struct Composition
{
    std::vector<bool> own;                    // per word: a vector of its own (no WordNet features)
    std::vector<std::string> featureKeys;     // F keys: "=word" for own vectors, WordNet keys otherwise
    std::vector<SparseRow> features;          // 3V rows over F features (spelled-out rows: empty)
    std::vector<SparseRow> ngrams;            // 3V rows over the n-gram buckets (only spelled-out rows)
};

const char kGeneralMark = '\x01';
const char kSpelledMark = '\x02';

bool isWordNetWord(const std::string &w)
{
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '\''; });
}

Composition compose(const std::vector<std::string> &words, const TrainConfig &config)
{
    Composition c;
    const std::size_t V = words.size();
    std::map<std::string, int> keyIndex;
    auto keyOf = [&](const std::string &key) {
        const auto [it, inserted] = keyIndex.emplace(key, static_cast<int>(c.featureKeys.size()));
        if (inserted)
            c.featureKeys.push_back(key);
        return it->second;
    };
    std::set<std::string> own(config.ownWords.begin(), config.ownWords.end());
    c.features.assign(3 * V, {});
    c.ngrams.assign(3 * V, {});
    c.own.assign(V, true);
    for (std::size_t i = 0; i < V; ++i) {
        const std::string &w = words[i];
        WordFeatures f;
        if (config.wordnet && own.count(w) == 0 && isWordNetWord(w))
            f = wordNetFeatures(*config.wordnet, w);
        if (!f.inWordNet) {
            c.features[i] = {{keyOf("=" + w), 1.0}};
            c.features[V + i] = c.features[i];
        } else {
            c.own[i] = false;
            double general = 0.0;
            for (const WeightedFeature &feature : f.features) {
                c.features[i].emplace_back(keyOf(feature.key), feature.weight);
                if (!feature.own)
                    general += feature.weight;
            }
            for (const WeightedFeature &feature : f.features)
                if (!feature.own && general > 0.0)
                    c.features[V + i].emplace_back(keyOf(feature.key), feature.weight / general);
            if (c.features[V + i].empty())
                c.features[V + i] = c.features[i];
        }
        c.ngrams[2 * V + i] = ngramBuckets(w, config.ngramBuckets);
    }
    return c;
}

} // namespace

TrainResult train(const std::vector<Example> &data, const TrainConfig &config,
                  const std::function<void(int, int, double)> &progress)
{
    TrainResult result;
    result.error = checkTrainingInput(data, config);
    if (!result.error.empty())
        return result;
    const bool knowledge = config.wordnet != nullptr;

    // 1. Vocabulary and classes in order of first appearance: no hash order can change the model.
    std::vector<std::string> words;
    std::vector<std::string> classes;
    std::set<std::string> seenClasses;
    for (const Example &e : data) {
        words.insert(words.end(), e.words.begin(), e.words.end());
        if (seenClasses.insert(e.label).second)
            classes.push_back(e.label);
    }
    TrainConfig shape = config;
    if (config.sinusoidal)
        shape.maxPositions = 1; // replaced below by the computed encoding
    result.model = std::make_shared<Model>(initModel(words, classes, shape));
    Model &model = *result.model;
    if (config.sinusoidal) {
        model.positions = {PositionEncoding::Kind::Sinusoidal, kMaxTokens, 10000.0, config.positionScale};
        model.positionEmbedding = sinusoidalPositions(kMaxTokens, config.d_model, 10000.0, config.positionScale);
    } else {
        model.positions = {PositionEncoding::Kind::Table, config.maxPositions, 10000.0, 1.0};
    }
    std::ostringstream description;
    description << model.description << " " << config.steps << " steps of Adam, batches of " << config.batch
                << " on " << config.threads << " thread(s), on " << data.size() << " examples (seed " << config.seed
                << ").";

    // 2. With word knowledge: the vocabulary's rows are compositions of feature and n-gram vectors, which
    //    are what is learned. The training vocabulary gets the general and spelled-out rows.
    Composition composition;
    Eigen::MatrixXd featureVectors, ngramVectors; // (F, d), (buckets, d)
    std::size_t V = 0;
    if (knowledge) {
        std::vector<std::string> real(model.vocabulary.begin(), model.vocabulary.end() - 1); // without <unk>
        composition = compose(real, config);
        V = real.size();
        Random featureRandom(config.seed ^ 0x5851F42D4C957F2Dull);
        featureVectors = randomMatrix(featureRandom, static_cast<Eigen::Index>(composition.featureKeys.size()),
                                      config.d_model, config.featureStd);
        ngramVectors = randomMatrix(featureRandom, config.ngramBuckets, config.d_model, config.featureStd);
        model.vocabulary = real;
        for (std::size_t i = 0; i < V; ++i)
            model.vocabulary.push_back(std::string(1, kGeneralMark) + real[i]);
        for (std::size_t i = 0; i < V; ++i)
            model.vocabulary.push_back(std::string(1, kSpelledMark) + real[i]);
        model.indexVocabulary();
        model.unknownWords = UnknownWords::WordNet;
        model.tokenEmbedding = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(3 * V), config.d_model);
        description << " Words outside the vocabulary are read through " << config.wordnet->description() << ".";
    }
    model.description = description.str();
    // Rebuilds vocabulary rows from the feature and n-gram vectors.
    auto composeRow = [&](std::size_t row) {
        Eigen::RowVectorXd v = Eigen::RowVectorXd::Zero(config.d_model);
        for (const auto &[f, w] : composition.features[row])
            v += w * featureVectors.row(f);
        for (const auto &[b, w] : composition.ngrams[row])
            v += w * ngramVectors.row(b);
        model.tokenEmbedding.row(static_cast<Eigen::Index>(row)) = v;
    };
    if (knowledge)
        for (std::size_t row = 0; row < 3 * V; ++row)
            composeRow(row);

    // 3. Gradients per thread and Adam's two moments share the model's shapes; walk them as flat blocks.
    //    With word knowledge, the embeddings are not parameters (they are made from the feature vectors,
    //    which are), and sinusoidal positions are never learned.
    const int threads = std::max(1, std::min(config.threads, config.batch));
    std::vector<Model> gradients(static_cast<std::size_t>(threads), zerosLike(model));
    Model firstMoment = zerosLike(model);
    Model secondMoment = zerosLike(model);
    auto learned = [&](Model &m, Eigen::MatrixXd *features, Eigen::MatrixXd *ngrams) {
        std::vector<std::pair<double *, std::ptrdiff_t>> blocks;
        forEachParameter(m, [&](const std::string &name, double *block, std::ptrdiff_t size) {
            if ((knowledge && name == "embeddings") || (config.sinusoidal && name == "positions"))
                return;
            blocks.emplace_back(block, size);
        });
        if (knowledge) {
            blocks.emplace_back(features->data(), features->size());
            blocks.emplace_back(ngrams->data(), ngrams->size());
        }
        return blocks;
    };
    Eigen::MatrixXd featureGradient = Eigen::MatrixXd::Zero(featureVectors.rows(), featureVectors.cols());
    Eigen::MatrixXd ngramGradient = Eigen::MatrixXd::Zero(ngramVectors.rows(), ngramVectors.cols());
    Eigen::MatrixXd m1 = featureGradient, v1 = featureGradient, m2 = ngramGradient, v2 = ngramGradient;
    const auto parameters = learned(model, &featureVectors, &ngramVectors);
    const auto gradientBlocks = learned(gradients.front(), &featureGradient, &ngramGradient);
    const auto firstBlocks = learned(firstMoment, &m1, &m2);
    const auto secondBlocks = learned(secondMoment, &v1, &v2);
    std::vector<std::vector<std::pair<double *, std::ptrdiff_t>>> threadBlocks;
    for (Model &g : gradients)
        threadBlocks.push_back(parameterBlocks(g));

    // A stream of its own for sampling, so the batches do not replay the initial weights' draws.
    Random random(Random(config.seed ^ 0xD1B54A32D192ED03ull).next());
    std::vector<Example> batch(static_cast<std::size_t>(config.batch));
    std::vector<double> losses(static_cast<std::size_t>(threads));
    result.losses.reserve(static_cast<std::size_t>(config.steps));
    double beta1Power = 1.0;
    double beta2Power = 1.0;
    for (int step = 0; step < config.steps; ++step) {
        // 4. The batch, drawn with replacement. A few words become "<unk>", or with word knowledge are
        //    spelled out or lose their own synsets, so that the model learns what such words mean. The
        //    classified word stays itself. All draws happen here, in one order, before any thread runs.
        std::set<int> rows;
        for (Example &masked : batch) {
            const Example &example = data[static_cast<std::size_t>(random.below(static_cast<int>(data.size())))];
            masked.words = example.words;
            masked.position = example.position;
            masked.label = example.label;
            for (std::size_t i = 0; i < masked.words.size(); ++i) {
                const double u = random.uniform();
                const bool classified = static_cast<int>(i) == example.position;
                if (!knowledge) {
                    if (u < config.unknownRate && !classified)
                        masked.words[i] = kUnknownWord;
                    continue;
                }
                const int row = model.lookup(masked.words[i]);
                if (row < 0)
                    continue;
                if (u < config.unknownRate && !classified)
                    masked.words[i] = std::string(1, kSpelledMark) + model.vocabulary[static_cast<std::size_t>(row)];
                else if (u < config.unknownRate + config.generalRate && !composition.own[static_cast<std::size_t>(row)])
                    masked.words[i] = std::string(1, kGeneralMark) + model.vocabulary[static_cast<std::size_t>(row)];
                rows.insert(model.lookup(masked.words[i]));
            }
        }
        // 5. Forward and backward, the batch cut in `threads` fixed slices, each into its own gradients.
        auto work = [&](int t) {
            const int from = config.batch * t / threads, to = config.batch * (t + 1) / threads;
            double loss = 0.0;
            for (int b = from; b < to; ++b)
                loss += exampleLoss(model, batch[static_cast<std::size_t>(b)], &gradients[static_cast<std::size_t>(t)]);
            losses[static_cast<std::size_t>(t)] = loss;
        };
        if (threads == 1) {
            work(0);
        } else {
            std::vector<std::thread> pool;
            for (int t = 1; t < threads; ++t)
                pool.emplace_back(work, t);
            work(0);
            for (std::thread &thread : pool)
                thread.join();
        }
        // 6. Sum the slices in order into the first one, so the sum never depends on timing.
        double batchLoss = 0.0;
        for (int t = 0; t < threads; ++t)
            batchLoss += losses[static_cast<std::size_t>(t)];
        batchLoss /= config.batch;
        for (int t = 1; t < threads; ++t)
            for (std::size_t k = 0; k < threadBlocks[0].size(); ++k) {
                Eigen::Map<Eigen::ArrayXd> into(threadBlocks[0][k].first, threadBlocks[0][k].second);
                Eigen::Map<Eigen::ArrayXd> from(threadBlocks[static_cast<std::size_t>(t)][k].first,
                                                threadBlocks[static_cast<std::size_t>(t)][k].second);
                into += from;
                from.setZero();
            }
        // 7. With word knowledge, carry each vocabulary row's gradient to the vectors it was made of.
        if (knowledge) {
            Eigen::MatrixXd &dE = gradients.front().tokenEmbedding;
            for (int row : rows) {
                if (row < 0)
                    continue;
                const auto r = static_cast<std::size_t>(row);
                for (const auto &[f, w] : composition.features[r])
                    featureGradient.row(f) += w * dE.row(row);
                for (const auto &[bucket, w] : composition.ngrams[r])
                    ngramGradient.row(bucket) += w * dE.row(row);
                dE.row(row).setZero();
            }
        }

        // 8. Average the gradients, then clip their global norm to 1 so one bad batch cannot throw the
        //    weights far.
        double squaredNorm = 0.0;
        for (const auto &[g, size] : gradientBlocks) {
            Eigen::Map<Eigen::VectorXd> block(g, size);
            block /= config.batch;
            squaredNorm += block.squaredNorm();
        }
        const double norm = std::sqrt(squaredNorm);
        const double clip = norm > 1.0 ? 1.0 / norm : 1.0;

        // 9. Adam with bias correction: m and v start at 0, so early averages are scaled up by
        //    1/(1 − βᵗ) to estimate the moments without that bias.
        beta1Power *= config.beta1;
        beta2Power *= config.beta2;
        const double rate = learningRateAt(step, config);
        const double correction1 = 1.0 / (1.0 - beta1Power);
        const double correction2 = 1.0 / (1.0 - beta2Power);
        for (std::size_t k = 0; k < parameters.size(); ++k) {
            const std::ptrdiff_t size = parameters[k].second;
            Eigen::Map<Eigen::ArrayXd> p(parameters[k].first, size);
            Eigen::Map<Eigen::ArrayXd> g(gradientBlocks[k].first, size);
            Eigen::Map<Eigen::ArrayXd> m(firstBlocks[k].first, size);
            Eigen::Map<Eigen::ArrayXd> v(secondBlocks[k].first, size);
            m = config.beta1 * m + (1.0 - config.beta1) * clip * g;
            v = config.beta2 * v + (1.0 - config.beta2) * (clip * g).square();
            p -= rate * ((m * correction1) / ((v * correction2).sqrt() + config.epsilon));
            g.setZero();
        }
        // Every gradient block not learned (the embeddings without word knowledge are learned) is zeroed
        // above; the rest of the first slice's blocks (sinusoidal positions) are cleared here.
        if (config.sinusoidal)
            gradients.front().positionEmbedding.setZero();
        if (knowledge)
            for (int row : rows)
                if (row >= 0)
                    composeRow(static_cast<std::size_t>(row));

        result.losses.push_back(batchLoss);
        if (progress)
            progress(step + 1, config.steps, batchLoss);
    }

    // 10. The model as shipped: the vocabulary's own rows, recomposed from the final vectors, and the
    //     WordNet features and n-grams for every word outside it.
    if (knowledge) {
        for (std::size_t row = 0; row < V; ++row)
            composeRow(row);
        model.vocabulary.resize(V);
        model.tokenEmbedding.conservativeResize(static_cast<Eigen::Index>(V), Eigen::NoChange);
        model.indexVocabulary();
        WordKnowledge &k = model.knowledge;
        for (std::size_t f = 0; f < composition.featureKeys.size(); ++f)
            if (composition.featureKeys[f].front() != '=')
                k.keys.push_back(composition.featureKeys[f]);
        k.vectors.resize(static_cast<Eigen::Index>(k.keys.size()), config.d_model);
        for (std::size_t f = 0, r = 0; f < composition.featureKeys.size(); ++f)
            if (composition.featureKeys[f].front() != '=')
                k.vectors.row(static_cast<Eigen::Index>(r++)) = featureVectors.row(static_cast<Eigen::Index>(f));
        k.indexKeys();
        k.ngrams = ngramVectors;
        for (std::size_t i = 0; i < V; ++i)
            if (composition.own[i])
                k.ownWords.push_back(model.vocabulary[i]);
        std::sort(k.ownWords.begin(), k.ownWords.end());
        k.builtFrom = config.wordnet->description();
        model.wordnet = config.wordnet;
    }
    // 11. Six significant digits are kept: the file is a third as long, and the model as shipped (and
    //     evaluated) is exactly what it holds.
    auto round6 = [](double *data, std::ptrdiff_t size) {
        for (std::ptrdiff_t i = 0; i < size; ++i)
            if (data[i] != 0.0 && std::isfinite(data[i])) {
                const double scale = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::abs(data[i])))));
                data[i] = std::round(data[i] * scale) / scale;
            }
    };
    forEachParameter(model, [&](const std::string &name, double *data, std::ptrdiff_t size) {
        if (!(config.sinusoidal && name == "positions"))
            round6(data, size);
    });
    round6(model.knowledge.vectors.data(), model.knowledge.vectors.size());
    round6(model.knowledge.ngrams.data(), model.knowledge.ngrams.size());
    return result;
}

} // namespace attention
