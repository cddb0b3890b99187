// Vocabulary lookup, hashed vectors for unknown words, and the shape check of a model.
#include "model.h"

#include "inputlimits.h"
#include "tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <tuple>

namespace attention {

int Model::lookup(const std::string &word) const
{
    const auto it = wordIndex.find(normalizeForLookup(word));
    return it == wordIndex.end() ? -1 : it->second;
}

void Model::indexVocabulary()
{
    wordIndex.clear();
    for (std::size_t i = 0; i < vocabulary.size(); ++i)
        wordIndex[vocabulary[i]] = static_cast<int>(i);
}

Eigen::RowVectorXd hashedEmbedding(const std::string &normalizedWord, int dimension, double scale)
{
    // 1. FNV-1a over the bytes: the same spelling gives the same seed on every machine.
    std::uint64_t state = 1469598103934665603ull;
    for (unsigned char c : normalizedWord) {
        state ^= c;
        state *= 1099511628211ull;
    }
    // 2. splitmix64 turns the seed into a stream; the top 53 bits make a double in [0, 1).
    Eigen::RowVectorXd v(dimension);
    for (int i = 0; i < dimension; ++i) {
        state += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        const double unit = static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
        v(i) = (2.0 * unit - 1.0) * scale;
    }
    return v;
}

void WordKnowledge::indexKeys()
{
    index.clear();
    for (std::size_t i = 0; i < keys.size(); ++i)
        index[keys[i]] = static_cast<int>(i);
}

Eigen::MatrixXd sinusoidalPositions(int count, int d, double base, double scale)
{
    // P: (count, d). Pair i of columns turns at the angular speed 1 / base^(2i/d): the first pair once
    // per 2π positions, the last almost not at all, so every position up to far beyond 2,048 differs.
    Eigen::MatrixXd p(std::max(count, 0), std::max(d, 0));
    for (int i = 0; i < d; ++i) {
        const double speed = 1.0 / std::pow(base, static_cast<double>(2 * (i / 2)) / d);
        for (int row = 0; row < count; ++row)
            p(row, i) = scale * (i % 2 == 0 ? std::sin(row * speed) : std::cos(row * speed));
    }
    return p;
}

namespace {

std::string shapeError(const std::string &field, Eigen::Index rows, Eigen::Index cols, Eigen::Index wantRows,
                       Eigen::Index wantCols)
{
    if (rows == wantRows && cols == wantCols)
        return {};
    std::ostringstream out;
    out << field << " is " << rows << " × " << cols << "; it must be " << wantRows << " × " << wantCols;
    return out.str();
}

std::string vectorError(const std::string &field, Eigen::Index size, Eigen::Index want)
{
    if (size == 0 || size == want)
        return {};
    std::ostringstream out;
    out << field << " has " << size << " numbers; it must have " << want;
    return out.str();
}

std::string normError(const std::string &field, const LayerNormWeights &norm, int d_model)
{
    if (norm.gamma.size() == 0 && norm.beta.size() == 0)
        return {};
    if (norm.gamma.size() != d_model || norm.beta.size() != d_model) {
        std::ostringstream out;
        out << field << " needs gamma and beta of " << d_model << " numbers each";
        return out.str();
    }
    if (!(norm.epsilon > 0.0) || !std::isfinite(norm.epsilon))
        return field + ".epsilon must be a finite number greater than 0";
    return {};
}

bool allFinite(const Eigen::MatrixXd &m)
{
    return m.size() == 0 || m.allFinite();
}

// "<what> is <value>; the limit is <limit>", or empty when value is within the limit.
std::string limitError(const std::string &what, long long value, long long limit)
{
    if (value <= limit)
        return {};
    std::ostringstream out;
    out << what << " is " << value << "; the limit is " << limit;
    return out.str();
}

} // namespace

std::string validateModel(const Model &model)
{
    const int d = model.d_model;
    const int dk = model.d_k;
    if (d <= 0)
        return "d_model must be a positive whole number";
    if (dk <= 0)
        return "d_k must be a positive whole number";
    // The limits (inputlimits.h) keep every trace and view of the model within reach of the machine.
    for (auto [what, value, limit] :
         {std::tuple{"d_model", static_cast<long long>(d), kMaxDModel},
          {"d_k", static_cast<long long>(dk), kMaxDK},
          {"the vocabulary size", static_cast<long long>(model.vocabulary.size()), kMaxVocabulary},
          {"the number of positions", static_cast<long long>(model.positionEmbedding.rows()), kMaxPositions},
          {"the number of layers", static_cast<long long>(model.layers.size()), kMaxLayers}})
        if (auto e = limitError(what, value, limit); !e.empty())
            return e;
    if (!model.featureNames.empty() && static_cast<int>(model.featureNames.size()) != d) {
        std::ostringstream out;
        out << "features has " << model.featureNames.size() << " names; d_model is " << d;
        return out.str();
    }
    if (model.vocabulary.empty())
        return "the vocabulary is empty";
    if (model.wordIndex.size() != model.vocabulary.size())
        return "the vocabulary lists a word twice (or wordIndex was not rebuilt with indexVocabulary)";
    if (auto e = shapeError("embeddings", model.tokenEmbedding.rows(), model.tokenEmbedding.cols(),
                            static_cast<Eigen::Index>(model.vocabulary.size()), d);
        !e.empty())
        return e;
    if (!allFinite(model.tokenEmbedding))
        return "embeddings contain a number that is not finite";
    if (model.positionEmbedding.size() > 0 && model.positionEmbedding.cols() != d)
        return "positions must have d_model columns";
    if (model.unknownWords == UnknownWords::UnknownToken && model.wordIndex.count("<unk>") == 0)
        return "unknown_words is \"unk\" but the vocabulary has no \"<unk>\" entry";
    if (!std::isfinite(model.hashedScale) || model.hashedScale < 0.0 || model.hashedScale > 10.0)
        return "hashed_scale must be a number from 0 to 10";
    if (!allFinite(model.positionEmbedding))
        return "positions contain a number that is not finite";
    if (model.positions.kind == PositionEncoding::Kind::Sinusoidal &&
        (!(model.positions.base > 1.0) || !std::isfinite(model.positions.base) ||
         !std::isfinite(model.positions.scale)))
        return "sinusoidal positions need a finite base above 1 and a finite scale";
    {
        const WordKnowledge &k = model.knowledge;
        if (k.vectors.rows() != static_cast<Eigen::Index>(k.keys.size()) ||
            (k.vectors.size() > 0 && k.vectors.cols() != d))
            return "word_knowledge.features must have one vector of d_model numbers per key";
        if (k.index.size() != k.keys.size())
            return "word_knowledge.features lists a key twice";
        if (k.ngrams.size() > 0 && k.ngrams.cols() != d)
            return "word_knowledge.ngrams must have d_model columns";
        if (!allFinite(k.vectors) || !allFinite(k.ngrams))
            return "word_knowledge contains a number that is not finite";
    }
    if (model.layers.empty())
        return "the model has no layers";

    const auto heads = model.layers.front().heads.size();
    for (std::size_t l = 0; l < model.layers.size(); ++l) {
        const LayerWeights &layer = model.layers[l];
        const std::string lp = "layers[" + std::to_string(l) + "]";
        if (layer.heads.empty())
            return lp + " has no heads";
        if (auto e = limitError(lp + ": the number of heads", static_cast<long long>(layer.heads.size()),
                                kMaxHeads);
            !e.empty())
            return e;
        if (layer.heads.size() != heads)
            return lp + " has a different number of heads from layers[0]";
        for (std::size_t h = 0; h < layer.heads.size(); ++h) {
            const HeadWeights &w = layer.heads[h];
            const std::string hp = lp + ".heads[" + std::to_string(h) + "]";
            for (auto [name, m] : {std::pair{"W_Q", &w.W_Q}, {"W_K", &w.W_K}, {"W_V", &w.W_V}}) {
                if (auto e = shapeError(hp + "." + name, m->rows(), m->cols(), d, dk); !e.empty())
                    return e;
                if (!allFinite(*m))
                    return hp + "." + name + " contains a number that is not finite";
            }
            for (auto [name, v] : {std::pair{"b_Q", &w.b_Q}, {"b_K", &w.b_K}, {"b_V", &w.b_V}}) {
                if (auto e = vectorError(hp + "." + name, v->size(), dk); !e.empty())
                    return e;
                if (v->size() > 0 && !v->allFinite())
                    return hp + "." + name + " contains a number that is not finite";
            }
        }
        const Eigen::Index concat = static_cast<Eigen::Index>(layer.heads.size()) * dk;
        if (layer.W_O.size() == 0) {
            if (concat != d)
                return lp + ".W_O is missing, and the identity needs heads × d_k to equal d_model";
        } else if (auto e = shapeError(lp + ".W_O", layer.W_O.rows(), layer.W_O.cols(), concat, d);
                   !e.empty()) {
            return e;
        }
        if (auto e = vectorError(lp + ".b_O", layer.b_O.size(), d); !e.empty())
            return e;
        // Every other number of the layer must be finite too, or the trace fills with NaN.
        for (auto [name, m] : {std::pair{".W_O", &layer.W_O}, {".W_1", &layer.W_1}, {".W_2", &layer.W_2}})
            if (!allFinite(*m))
                return lp + name + " contains a number that is not finite";
        for (auto [name, v] : {std::pair{".b_O", &layer.b_O},
                               {".b_1", &layer.b_1},
                               {".b_2", &layer.b_2},
                               {".norm1.gamma", &layer.norm1.gamma},
                               {".norm1.beta", &layer.norm1.beta},
                               {".norm2.gamma", &layer.norm2.gamma},
                               {".norm2.beta", &layer.norm2.beta}})
            if (v->size() > 0 && !v->allFinite())
                return lp + name + " contains a number that is not finite";
        if (auto e = normError(lp + ".norm1", layer.norm1, d); !e.empty())
            return e;
        if (auto e = normError(lp + ".norm2", layer.norm2, d); !e.empty())
            return e;
        if (layer.hasFeedForward()) {
            const Eigen::Index ff = layer.W_1.cols();
            if (layer.W_1.rows() != d)
                return lp + ".W_1 must have d_model rows";
            if (auto e = limitError(lp + ".W_1: the feed-forward width", ff, kMaxFeedForward); !e.empty())
                return e;
            if (auto e = shapeError(lp + ".W_2", layer.W_2.rows(), layer.W_2.cols(), ff, d); !e.empty())
                return e;
            if (auto e = vectorError(lp + ".b_1", layer.b_1.size(), ff); !e.empty())
                return e;
            if (auto e = vectorError(lp + ".b_2", layer.b_2.size(), d); !e.empty())
                return e;
        }
    }
    if (!model.classes.empty() || model.W_cls.size() > 0) {
        const auto c = static_cast<Eigen::Index>(model.classes.size());
        if (auto e = shapeError("classifier.W", model.W_cls.rows(), model.W_cls.cols(), d, c); !e.empty())
            return e;
        if (model.b_cls.size() != c)
            return "classifier.b must have one number per class";
    }
    return {};
}

} // namespace attention
