// The self-attention pipeline, one numbered step at a time, keeping every intermediate.
#include "attention.h"

#include "eigenkernels.h"
#include "fastattention.h"
#include "meaning.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <new>
#include <sstream>
#include <string>

namespace attention {

namespace {
constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

Eigen::MatrixXd addBias(Eigen::MatrixXd m, const Eigen::RowVectorXd &bias)
{
    if (bias.size() > 0)
        m.rowwise() += bias;
    return m;
}

attention_eigenkernels::SoftmaxColumnsFn softmaxColumns()
{
    static const attention_eigenkernels::SoftmaxColumnsFn kernel =
        attention_eigenkernels::softmaxColumnsFor(std::string(attentionKernelName()) == "avx2");
    return kernel;
}
} // namespace

const char *maskModeName(MaskMode mode)
{
    switch (mode) {
    case MaskMode::None:
        return "none";
    case MaskMode::Causal:
        return "causal";
    case MaskMode::Custom:
        return "custom";
    }
    return "none";
}

BoolMatrix buildMask(int n, const TraceOptions &options)
{
    BoolMatrix blocked = BoolMatrix::Constant(n, n, false);
    if (options.mask == MaskMode::Causal) {
        // A query may not look at keys that come after it.
        for (int i = 0; i < n; ++i)
            for (int j = i + 1; j < n; ++j)
                blocked(i, j) = true;
    } else if (options.mask == MaskMode::Custom && options.customBlocked.rows() == n &&
               options.customBlocked.cols() == n) {
        blocked = options.customBlocked;
    }
    for (int j = 0; j < n && j < static_cast<int>(options.padding.size()); ++j)
        if (options.padding[static_cast<std::size_t>(j)])
            blocked.col(j).setConstant(true);
    return blocked;
}

Eigen::MatrixXd maskedSoftmax(const Eigen::MatrixXd &masked, std::vector<bool> *fullyMasked)
{
    // weights: (n_queries, n_keys). Whole-matrix operations: Eigen stores columns contiguously, so
    // walking one row at a time would jump through memory at 2,048 tokens.
    const Eigen::Index n = masked.rows();
    if (fullyMasked)
        fullyMasked->assign(static_cast<std::size_t>(n), false);
    // 1. Find each row's largest score among the keys its query may see.
    //    Column by column (Eigen stores columns contiguously): a running maximum per row.
    Eigen::VectorXd rowMax = Eigen::VectorXd::Constant(n, kMinusInfinity); // step: softmax
    for (Eigen::Index j = 0; j < masked.cols(); ++j)                        // step: softmax
        rowMax = rowMax.cwiseMax(masked.col(j));                            // step: softmax
    for (Eigen::Index i = 0; i < n; ++i)
        if (rowMax(i) == kMinusInfinity) {
            // 2a. Every key is blocked: there is nothing to distribute. Shifting by 0 keeps every
            //     exp(−∞) at exactly 0, so the row stays all zeros; say so.
            rowMax(i) = 0.0;
            if (fullyMasked)
                (*fullyMasked)[static_cast<std::size_t>(i)] = true;
        }
    // 2b. Subtract it so the largest exponent is exp(0) = 1: exp() can then never overflow.
    //     Blocked cells hold −∞ and get exactly 0. The loop, which also sums each row, runs in the build for
    //     this processor (AVX2 when it has it: eigenkernels.h).
    Eigen::MatrixXd weights(n, masked.cols()); // step: softmax
    Eigen::VectorXd sums(n);                   // step: softmax
    softmaxColumns()(masked.data(), rowMax.data(), n, masked.cols(), weights.data(), sums.data()); // step: softmax
    // 3. Normalize so each row sums to 1. A visible row's sum is ≥ 1 (its maximum contributes exp(0));
    //    a fully masked row's sum is 0 and is left alone.
    for (Eigen::Index i = 0; i < n; ++i)
        if (sums(i) == 0.0)
            sums(i) = 1.0;
    weights.array().colwise() /= sums.array(); // step: softmax
    return weights;
}

Eigen::MatrixXd layerNorm(const Eigen::MatrixXd &x, const LayerNormWeights &norm)
{
    Eigen::MatrixXd out(x.rows(), x.cols());
    const double d = static_cast<double>(x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const double mean = x.row(i).mean();
        const Eigen::RowVectorXd centered = x.row(i).array() - mean;
        const double variance = centered.squaredNorm() / d;
        out.row(i) = centered / std::sqrt(variance + norm.epsilon);
    }
    out.array().rowwise() *= norm.gamma.array();
    out.rowwise() += norm.beta;
    return out;
}

Eigen::MatrixXd additiveMask(const BoolMatrix &blocked)
{
    return blocked.select(Eigen::MatrixXd::Constant(blocked.rows(), blocked.cols(), kMinusInfinity),
                          Eigen::MatrixXd::Zero(blocked.rows(), blocked.cols()));
}

HeadTrace computeHead(const Eigen::MatrixXd &input, const HeadWeights &head, const BoolMatrix &blocked,
                      const TraceOptions &options, std::vector<bool> *fullyMasked)
{
    assert(input.cols() == head.W_Q.rows() && "the input width must equal d_model");
    assert(blocked.rows() == input.rows() && blocked.cols() == input.rows() && "the mask must be n × n");
    HeadTrace t;
    // 1. Project every token three ways. Q, K, V: (n, d_k)
    t.Q = addBias(input * head.W_Q, head.b_Q); // step: qkv
    t.K = addBias(input * head.W_K, head.b_K); // step: qkv
    t.V = addBias(input * head.W_V, head.b_V); // step: qkv
    // 2. Compare every query with every key. scores: (n_queries, n_keys)
    //    The common mistake K·Qᵀ gives the transpose: row i then holds how well key i matches each query.
    t.scores = // step: scores
        options.swapQK ? Eigen::MatrixXd(t.K * t.Q.transpose()) : Eigen::MatrixXd(t.Q * t.K.transpose());
    // 3. Divide by √d_k so the scores' spread does not grow with the dimension.
    t.divisor = options.scale ? std::sqrt(static_cast<double>(t.Q.cols())) : 1.0; // step: scale
    t.scaled = t.scores / t.divisor;                                              // step: scale
    // 4. Blocked cells become −∞, so that softmax gives them exactly 0.
    t.masked = // step: mask
        blocked.select(Eigen::MatrixXd::Constant(blocked.rows(), blocked.cols(), kMinusInfinity), t.scaled);
    // 5. Turn each row into a probability distribution over the keys.
    t.weights = maskedSoftmax(t.masked, fullyMasked); // step: softmax
    // 6. Each output row is the weighted sum of the value rows.
    t.output = t.weights * t.V; // step: weighted-sum
    return t;
}

LayerTrace computeLayer(const Eigen::MatrixXd &input, const LayerWeights &layer, const BoolMatrix &blocked,
                        const TraceOptions &options, std::vector<bool> *fullyMasked)
{
    LayerTrace t;
    t.input = input;
    const Eigen::Index n = input.rows();
    Eigen::Index width = 0;
    for (const HeadWeights &w : layer.heads) {
        t.heads.push_back(computeHead(input, w, blocked, options, fullyMasked));
        width += t.heads.back().output.cols();
    }
    // 1. Put the heads' outputs side by side. concat: (n, heads·d_k)
    t.concat.resize(n, width);
    Eigen::Index column = 0;
    for (const HeadTrace &h : t.heads) {                         // step: output
        t.concat.middleCols(column, h.output.cols()) = h.output; // step: output
        column += h.output.cols();
    }
    // 2. Mix them back to d_model with W_O (the identity when the model has none).
    // step: output
    t.attentionOutput = layer.W_O.size() > 0 ? Eigen::MatrixXd(t.concat * layer.W_O) : t.concat;
    t.attentionOutput = addBias(t.attentionOutput, layer.b_O);

    // 3. The rest of the transformer block, each part only where the model has it.
    Eigen::MatrixXd x = t.attentionOutput;
    if (layer.residual) {
        t.residual1 = input + x;
        x = t.residual1;
    }
    if (layer.norm1.gamma.size() > 0) {
        t.norm1 = layerNorm(x, layer.norm1);
        x = t.norm1;
    }
    if (layer.hasFeedForward()) {
        t.ffHidden = addBias(x * layer.W_1, layer.b_1).cwiseMax(0.0);
        t.ffOutput = addBias(t.ffHidden * layer.W_2, layer.b_2);
        if (layer.residual) {
            t.residual2 = x + t.ffOutput;
            x = t.residual2;
        } else {
            x = t.ffOutput;
        }
        if (layer.norm2.gamma.size() > 0)
            x = layerNorm(x, layer.norm2);
    }
    t.output = x;
    return t;
}

void embedTokens(const Model &model, const std::vector<Token> &tokens, AttentionTrace &trace)
{
    const int n = static_cast<int>(tokens.size());
    trace.tokens = tokens;
    trace.known.assign(tokens.size(), false);
    trace.vocabularyIndex.assign(tokens.size(), -1);
    trace.origins.assign(tokens.size(), WordOrigin{});
    trace.tokenEmbeddings.resize(n, model.d_model);
    std::map<std::string, WordMeaning> seen; // a word repeated in a long text is looked up once
    for (int i = 0; i < n; ++i) {
        const std::size_t k = static_cast<std::size_t>(i);
        auto it = seen.find(tokens[k].text);
        if (it == seen.end())
            it = seen.emplace(tokens[k].text, meaningOf(model, tokens[k].text)).first;
        const WordMeaning &m = it->second;
        trace.origins[k] = m.origin;
        trace.known[k] = m.origin.source == WordSource::Vocabulary || m.origin.source == WordSource::WordNet;
        trace.vocabularyIndex[k] = m.origin.row;
        trace.tokenEmbeddings.row(i) = m.vector;
    }
    if (model.positionEmbedding.size() > 0)
        trace.positionEmbeddings = model.positionEmbedding.topRows(n);
    else
        trace.positionEmbeddings.resize(0, 0);
}

double estimateTraceBytes(const Model &model, int tokens)
{
    // Counted in doubles, as double so that no product can overflow whatever the model claims.
    const double n = tokens, d = model.d_model, square = n * n;
    // 1. Token and position embeddings, and the running input x.
    double doubles = 3 * n * d;
    for (const LayerWeights &layer : model.layers) {
        const double heads = static_cast<double>(layer.heads.size());
        const double dk = layer.heads.empty() ? 0.0 : static_cast<double>(layer.heads.front().W_Q.cols());
        // 2. Per head: Q, K, V and output (n, d_k); scores, scaled, masked and weights (n, n).
        doubles += heads * (4 * n * dk + 4 * square);
        // 3. Per layer: concat (n, heads·d_k), the hidden layer (n, d_ff), and eight (n, d_model): input,
        //    attention output, two residuals, norm1, the feed-forward output, the output and one copy.
        doubles += n * heads * dk + n * static_cast<double>(layer.W_1.cols()) + 8 * n * d;
    }
    // 4. The temporaries of one head at a time: the −∞ matrix of the mask and the exponentials.
    doubles += 2 * square;
    // 5. Three (n, n) masks of bools: the trace's, the options' custom mask and its copy.
    return 8 * doubles + 3 * square;
}

TraceResult traceTokens(std::shared_ptr<const Model> model, const std::vector<Token> &tokens,
                        const TraceOptions &options)
{
    TraceResult result;
    const int n = static_cast<int>(tokens.size());
    std::ostringstream error;
    if (!model) {
        result.error = "no model is loaded";
        return result;
    }
    if (n == 0) {
        result.error = "the text has no tokens: type a sentence";
        return result;
    }
    if (n > kMaxTokens) {
        error << "the text has " << n << " tokens; the limit is " << kMaxTokens << " tokens";
        result.error = error.str();
        return result;
    }
    if (model->positionEmbedding.size() > 0 && n > model->maxPositions()) {
        error << "the text has " << n << " tokens; the model " << model->name << " knows only "
              << model->maxPositions() << " positions";
        result.error = error.str();
        return result;
    }
    if (options.mask == MaskMode::Custom &&
        (options.customBlocked.rows() != n || options.customBlocked.cols() != n)) {
        error << "the custom mask is " << options.customBlocked.rows() << " × "
              << options.customBlocked.cols() << "; the text has " << n << " tokens";
        result.error = error.str();
        return result;
    }
    // Refuse before allocating: heads × layers × n² grows past any machine long before kMaxTokens.
    if (const double bytes = estimateTraceBytes(*model, n); bytes > static_cast<double>(kMaxTraceBytes)) {
        error << "the trace of " << n << " tokens through " << model->layers.size() << " layer(s) × "
              << model->headCount() << " head(s) would need about "
              << static_cast<long long>(bytes / (1 << 20)) << " MiB; the limit for one trace is "
              << (kMaxTraceBytes >> 20) << " MiB: use a shorter text or a smaller model";
        result.error = error.str();
        return result;
    }

    try {
        AttentionTrace &trace = result.trace;
        trace.model = model;
        trace.options = options;
        // 1. Embeddings, and positions where the model has them: X = E + P, kept apart for the views.
        embedTokens(*model, tokens, trace);        // step: embeddings
        Eigen::MatrixXd x = trace.tokenEmbeddings; // step: embeddings
        if (trace.positionEmbeddings.size() > 0)   // step: embeddings
            x += trace.positionEmbeddings;         // step: embeddings
        // 2. One mask for every layer and head.
        trace.blocked = buildMask(n, options);
        // 3. The layers, each reading the previous one's output.
        for (const LayerWeights &layer : model->layers) {
            trace.layers.push_back(computeLayer(x, layer, trace.blocked, options, &trace.fullyMasked));
            x = trace.layers.back().output;
            // 4. Finite weights can still overflow (a huge gamma, say): refuse a trace with NaN or ∞ in it
            //    rather than show numbers that mean nothing. The scores are checked too: a row whose
            //    scores all overflowed to −∞ would otherwise pass for a fully masked query.
            const bool scoresFinite =
                std::all_of(trace.layers.back().heads.begin(), trace.layers.back().heads.end(),
                            [](const HeadTrace &h) { return h.scaled.allFinite(); });
            if (!scoresFinite) {
                error << "the model " << model->name << " overflows: layer " << trace.layers.size()
                      << " gives attention scores that are not finite";
                return TraceResult{{}, error.str()};
            }
            if (!x.allFinite()) {
                error << "the model " << model->name << " overflows: layer " << trace.layers.size()
                      << " gives numbers that are not finite";
                return TraceResult{{}, error.str()};
            }
        }
    } catch (const std::bad_alloc &) {
        // The estimate keeps traces far below this; a machine already short of memory can still get here.
        error << "not enough memory for the trace of " << n << " tokens through the model " << model->name;
        return TraceResult{{}, error.str()};
    }
    return result;
}

namespace {
// The mean of one matrix over a layer's heads.
Eigen::MatrixXd meanOf(const LayerTrace &layer, Eigen::MatrixXd HeadTrace::*matrix)
{
    Eigen::MatrixXd sum = layer.heads.front().*matrix;
    for (std::size_t h = 1; h < layer.heads.size(); ++h)
        sum += layer.heads[h].*matrix; // −∞ + −∞ stays −∞: every head shares the mask
    return sum / static_cast<double>(layer.heads.size());
}
} // namespace

Eigen::MatrixXd averageHeadWeights(const LayerTrace &layer)
{
    return layer.heads.empty() ? Eigen::MatrixXd() : meanOf(layer, &HeadTrace::weights);
}

HeadTrace meanOfHeads(const LayerTrace &layer)
{
    assert(!layer.heads.empty() && "a layer has at least one head");
    HeadTrace mean = layer.heads.front(); // keeps the divisor, which every head shares
    for (Eigen::MatrixXd HeadTrace::*m :
         {&HeadTrace::Q, &HeadTrace::K, &HeadTrace::V, &HeadTrace::scores, &HeadTrace::scaled,
          &HeadTrace::masked, &HeadTrace::weights, &HeadTrace::output})
        mean.*m = meanOf(layer, m);
    return mean;
}

TraceResult traceText(std::shared_ptr<const Model> model, const std::string &text,
                      const TraceOptions &options)
{
    // Checked before tokenizing, which costs memory in proportion to the text.
    if (text.size() > kMaxTextBytes) {
        std::ostringstream error;
        error << "the text is " << text.size() << " bytes; the limit is " << kMaxTextBytes << " bytes ("
              << (kMaxTextBytes >> 20) << " MiB)";
        return TraceResult{{}, error.str()};
    }
    return traceTokens(std::move(model), tokenize(text), options);
}

} // namespace attention
