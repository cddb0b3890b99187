// Text tables of the trace, aligned by code points so that accented labels line up.
#include "report.h"

#include "steps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

namespace attention {

namespace {

std::size_t displayWidth(const std::string &s)
{
    return decodeUtf8(s).size();
}

std::string clip(const std::string &s, std::size_t width)
{
    const std::vector<char32_t> cps = decodeUtf8(s);
    if (cps.size() <= width)
        return s;
    std::string out;
    for (std::size_t i = 0; i + 1 < width; ++i)
        out += encodeUtf8(cps[i]);
    return out + "…";
}

std::string padLeft(const std::string &s, std::size_t width)
{
    const std::size_t w = displayWidth(s);
    return w >= width ? s : std::string(width - w, ' ') + s;
}

std::string padRight(const std::string &s, std::size_t width)
{
    const std::size_t w = displayWidth(s);
    return w >= width ? s : s + std::string(width - w, ' ');
}

} // namespace

std::string formatNumber(double v, int precision)
{
    if (std::isinf(v))
        return v < 0 ? "-inf" : "inf";
    if (std::isnan(v))
        return "nan";
    // Past a million, fixed notation would print every digit (1.5e201 has 202): scientific keeps the
    // column as narrow as "-1.500e+201". Small magnitudes stay fixed and round to 0.000 at the precision
    // asked, as a table of probabilities should read; the JSON output keeps every digit.
    precision = std::clamp(precision, 0, 17);
    const bool scientific = std::abs(v) >= kScientificFrom;
    char buffer[64]; // enough: at most "-1.", 17 digits and "e+308", or "-999999.", 17 digits
    std::snprintf(buffer, sizeof buffer, scientific ? "%.*e" : "%.*f", precision, v);
    std::string s = buffer;
    if (s.find_first_not_of("-0.") == std::string::npos)
        s = std::string(buffer[0] == '-' ? buffer + 1 : buffer); // print −0.000 as 0.000
    return s;
}

namespace {

std::vector<std::string> labelsOrIndex(const std::vector<std::string> &labels, Eigen::Index count,
                                       const char *prefix)
{
    std::vector<std::string> out;
    for (Eigen::Index i = 0; i < count; ++i)
        out.push_back(static_cast<std::size_t>(i) < labels.size() ? labels[static_cast<std::size_t>(i)]
                                                                  : prefix + std::to_string(i));
    return out;
}

} // namespace

std::vector<std::string> featureLabels(const Model &model)
{
    return labelsOrIndex(model.featureNames, model.d_model, "d");
}

std::vector<std::string> headLabels(int d_k)
{
    return labelsOrIndex({}, d_k, "k");
}

std::vector<std::string> tokenLabels(const AttentionTrace &trace)
{
    std::vector<std::string> out;
    for (const Token &t : trace.tokens)
        out.push_back(t.text);
    return out;
}

std::string formatMatrix(const std::string &title, const Eigen::MatrixXd &m,
                         const std::vector<std::string> &rowLabels,
                         const std::vector<std::string> &columnLabels, int precision)
{
    constexpr std::size_t kMaxLabel = 16;
    const auto rows = labelsOrIndex(rowLabels, m.rows(), "");
    const auto cols = labelsOrIndex(columnLabels, m.cols(), "");
    std::size_t rowWidth = 0;
    for (const std::string &r : rows)
        rowWidth = std::max(rowWidth, displayWidth(clip(r, kMaxLabel)));
    // Each column is as wide as its label or its widest number.
    std::vector<std::size_t> width(cols.size(), static_cast<std::size_t>(precision) + 3);
    for (std::size_t c = 0; c < cols.size(); ++c) {
        width[c] = std::max(width[c], displayWidth(clip(cols[c], kMaxLabel)));
        for (Eigen::Index r = 0; r < m.rows(); ++r)
            width[c] = std::max(width[c], formatNumber(m(r, static_cast<Eigen::Index>(c)), precision).size());
    }
    std::ostringstream out;
    out << title << "  (" << m.rows() << " × " << m.cols() << ")\n";
    out << std::string(rowWidth, ' ');
    for (std::size_t c = 0; c < cols.size(); ++c)
        out << "  " << padLeft(clip(cols[c], kMaxLabel), width[c]);
    out << '\n';
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        out << padRight(clip(rows[static_cast<std::size_t>(r)], kMaxLabel), rowWidth);
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            out << "  " << padLeft(formatNumber(m(r, c), precision), width[static_cast<std::size_t>(c)]);
        out << '\n';
    }
    return out.str();
}

std::string formatTrace(const AttentionTrace &trace, int precision)
{
    std::ostringstream out;
    writeTrace(out, trace, precision);
    return out.str();
}

void writeTrace(std::ostream &out, const AttentionTrace &trace, int precision)
{
    const Model &model = *trace.model;
    const auto tokens = tokenLabels(trace);
    const auto features = featureLabels(model);
    const auto dk = headLabels(model.d_k);
    out << "Model " << model.name << ": d_model " << model.d_model << ", d_k " << model.d_k << ", "
        << model.layers.size() << " layer(s) × " << model.headCount() << " head(s)\n";
    out << "Options: mask " << maskModeName(trace.options.mask) << ", scaling "
        << (trace.options.scale ? "on (÷√d_k)" : "off") << ", "
        << (trace.options.swapQK ? "queries and keys SWAPPED (K·Qᵀ, a common mistake)" : "scores = Q·Kᵀ")
        << "\n";
    out << "Tokens (" << tokens.size() << "):";
    for (std::size_t i = 0; i < tokens.size(); ++i)
        out << ' ' << tokens[i] << (trace.known[i] ? "" : "(unknown)");
    out << "\n\n";
    out << formatMatrix("Token embeddings E", trace.tokenEmbeddings, tokens, features, precision) << '\n';
    if (trace.positionEmbeddings.size() > 0)
        out << formatMatrix("Position embeddings P", trace.positionEmbeddings, tokens, features, precision)
            << '\n';
    for (std::size_t l = 0; l < trace.layers.size(); ++l) {
        const LayerTrace &lt = trace.layers[l];
        const std::string lp = "Layer " + std::to_string(l + 1) + ": ";
        out << formatMatrix(lp + "input X", lt.input, tokens, features, precision) << '\n';
        for (std::size_t h = 0; h < lt.heads.size(); ++h) {
            const HeadTrace &ht = lt.heads[h];
            const HeadWeights &hw = model.layers[l].heads[h];
            const std::string hp = lp + "head " + std::to_string(h + 1) + ": ";
            out << formatMatrix(hp + "W_Q", hw.W_Q, features, dk, precision) << '\n';
            out << formatMatrix(hp + "W_K", hw.W_K, features, dk, precision) << '\n';
            out << formatMatrix(hp + "W_V", hw.W_V, features, dk, precision) << '\n';
            out << formatMatrix(hp + "Q = X·W_Q", ht.Q, tokens, dk, precision) << '\n';
            out << formatMatrix(hp + "K = X·W_K", ht.K, tokens, dk, precision) << '\n';
            out << formatMatrix(hp + "V = X·W_V", ht.V, tokens, dk, precision) << '\n';
            out << formatMatrix(hp + stepFormula(Step::Scores, trace.options.swapQK), ht.scores,
                                tokens, tokens, precision)
                << '\n';
            std::ostringstream divisor;
            divisor << ht.divisor;
            out << formatMatrix(hp + "scaled = scores ÷ " + divisor.str(), ht.scaled, tokens, tokens,
                                precision)
                << '\n';
            out << formatMatrix(hp + "masked (−∞ = blocked)", ht.masked, tokens, tokens, precision) << '\n';
            out << formatMatrix(hp + stepFormula(Step::Softmax) + ", rows sum to 1", ht.weights, tokens, tokens,
                                precision)
                << '\n';
            out << formatMatrix(hp + stepFormula(Step::WeightedSum), ht.output, tokens, dk, precision) << '\n';
        }
        out << formatMatrix(lp + "attention output", lt.attentionOutput, tokens, features, precision) << '\n';
        out << formatMatrix(lp + "output", lt.output, tokens, features, precision) << '\n';
    }
    for (std::size_t i = 0; i < trace.fullyMasked.size(); ++i)
        if (trace.fullyMasked[i])
            out << "Note: every key is blocked for the query \"" << tokens[i]
                << "\", so its weights are all 0 and its output is 0.\n";
}

} // namespace attention
