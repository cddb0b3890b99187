// Recomputes single cells of a head step by step, so a view can show where each number comes from.
#include "explain.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <sstream>

namespace attention {

namespace {
constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

const HeadTrace &headOf(const AttentionTrace &trace, int layer, int head)
{
    assert(layer >= 0 && layer < static_cast<int>(trace.layers.size()) && "layer index out of range");
    const std::vector<HeadTrace> &heads = trace.layers[static_cast<std::size_t>(layer)].heads;
    assert(head >= 0 && head < static_cast<int>(heads.size()) && "head index out of range");
    return heads[static_cast<std::size_t>(head)];
}

void checkCell(const HeadTrace &h, int query, int key)
{
    assert(query >= 0 && query < h.scores.rows() && "query index out of range");
    assert(key >= 0 && key < h.scores.cols() && "key index out of range");
    (void)h;
    (void)query;
    (void)key;
}

std::vector<double> toVector(const Eigen::RowVectorXd &v)
{
    return std::vector<double>(v.data(), v.data() + v.size());
}

// "“it” (query 3)": names the token so the sentence reads without looking up indices.
std::string describe(const AttentionTrace &trace, const char *role, int index)
{
    std::ostringstream s;
    if (index < trace.tokenCount())
        s << "\u201C" << trace.tokens[static_cast<std::size_t>(index)].text << "\u201D (" << role << ' '
          << index << ')';
    else
        s << role << ' ' << index;
    return s.str();
}
} // namespace

ScoreExplanation explainScore(const AttentionTrace &trace, int layer, int head, int query, int key)
{
    const HeadTrace &h = headOf(trace, layer, head);
    checkCell(h, query, key);
    ScoreExplanation e;
    e.query = query;
    e.key = key;
    e.swapped = trace.options.swapQK;
    // 1. Pick the two vectors the product pairs up. With the K·Qᵀ mistake, row i is a key and column j a
    // query.
    e.left = toVector(e.swapped ? h.K.row(query) : h.Q.row(query));
    e.right = toVector(e.swapped ? h.Q.row(key) : h.K.row(key));
    // 2. Multiply them component by component and add the products up: that is the dot product.
    e.products.resize(e.left.size());
    for (std::size_t c = 0; c < e.left.size(); ++c) {
        e.products[c] = e.left[c] * e.right[c];
        e.sum += e.products[c];
    }
    return e;
}

ScaleExplanation explainScale(const AttentionTrace &trace, int layer, int head, int query, int key)
{
    const HeadTrace &h = headOf(trace, layer, head);
    checkCell(h, query, key);
    ScaleExplanation e;
    e.query = query;
    e.key = key;
    e.score = h.scores(query, key);
    e.divisor = h.divisor;
    e.scaled = e.score / e.divisor; // the same single division the trace made, so it matches exactly
    e.d_k = static_cast<int>(h.Q.cols());
    e.scaling = trace.options.scale;
    return e;
}

SoftmaxExplanation explainSoftmax(const AttentionTrace &trace, int layer, int head, int query, int key)
{
    const HeadTrace &h = headOf(trace, layer, head);
    checkCell(h, query, key);
    SoftmaxExplanation e;
    e.query = query;
    e.key = key;
    e.masked = toVector(h.masked.row(query));
    e.exps.assign(e.masked.size(), 0.0);
    // 1. The largest score this query may see; −∞ means every key is blocked.
    e.rowMax = h.masked.row(query).maxCoeff();
    if (e.rowMax == kMinusInfinity) {
        // 2a. Nothing to share out: the row stays all 0 rather than 0 ÷ 0 = NaN.
        e.fullyMasked = true;
        return e;
    }
    // 2b. Subtract the maximum before exp() so the largest term is exp(0) = 1 and nothing overflows.
    //     Same order of operations as maskedSoftmax, so the weight matches the trace bit for bit.
    for (std::size_t j = 0; j < e.masked.size(); ++j) {
        e.exps[j] = std::exp(e.masked[j] - e.rowMax);
        e.sum += e.exps[j];
    }
    // 3. This key's share of the sum.
    e.weight = e.exps[static_cast<std::size_t>(key)] / e.sum;
    return e;
}

OutputExplanation explainOutput(const AttentionTrace &trace, int layer, int head, int query, int column)
{
    const HeadTrace &h = headOf(trace, layer, head);
    assert(query >= 0 && query < h.weights.rows() && "query index out of range");
    assert(column >= 0 && column < h.V.cols() && "column must be one of V's d_k columns");
    OutputExplanation e;
    e.query = query;
    e.column = column;
    // 1. The query's weights across the keys, and the value column they mix.
    e.weights = toVector(h.weights.row(query));
    e.values = toVector(h.V.col(column).transpose());
    // 2. Each key contributes its weight times its value; the output is their sum.
    e.products.resize(e.weights.size());
    for (std::size_t j = 0; j < e.weights.size(); ++j) {
        e.products[j] = e.weights[j] * e.values[j];
        e.sum += e.products[j];
    }
    return e;
}

MaskExplanation explainMask(const AttentionTrace &trace, int layer, int head, int query, int key)
{
    const HeadTrace &h = headOf(trace, layer, head);
    checkCell(h, query, key);
    assert(trace.blocked.rows() == h.scores.rows() && trace.blocked.cols() == h.scores.cols() &&
           "the trace's mask must match the head's scores");
    MaskExplanation e;
    e.query = query;
    e.key = key;
    e.mode = trace.options.mask;
    e.blocked = trace.blocked(query, key);
    const std::size_t k = static_cast<std::size_t>(key);
    e.padding = k < trace.options.padding.size() && trace.options.padding[k];

    const std::string q = describe(trace, "query", query);
    const std::string kd = describe(trace, "key", key);
    std::ostringstream r;
    // Padding is checked first: it hides a key whatever the mask mode says.
    if (e.padding) {
        r << kd << " is padding, and padding is hidden from every query";
    } else if (e.mode == MaskMode::Causal) {
        if (key > query)
            r << kd << " comes after " << q << ", and the causal mask hides the future";
        else if (key == query)
            r << "a token may always look at itself, so the causal mask lets " << kd << " through";
        else
            r << kd << " comes before " << q << ", so the causal mask lets it through";
    } else if (e.mode == MaskMode::Custom) {
        r << (e.blocked ? "the custom mask blocks " : "the custom mask leaves open ") << "the cell " << q
          << " → " << kd;
    } else {
        r << "no mask is applied, so " << q << " may look at every key, " << kd << " included";
    }
    e.reason = r.str();
    return e;
}

int strongestKey(const AttentionTrace &trace, int layer, int head, int query)
{
    const HeadTrace &h = headOf(trace, layer, head);
    assert(query >= 0 && query < h.weights.rows() && "query index out of range");
    const std::size_t q = static_cast<std::size_t>(query);
    if ((q < trace.fullyMasked.size() && trace.fullyMasked[q]) || h.weights.cols() == 0)
        return -1;
    // Eigen's maxCoeff returns the first index of the maximum, so ties go to the earlier key.
    Eigen::Index best = 0;
    const double top = h.weights.row(query).maxCoeff(&best);
    return top > 0.0 ? static_cast<int>(best) : -1;
}

} // namespace attention
