#include "maskingdive.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace attention {

bool resolveHeadChoice(const AttentionTrace &trace, HeadChoice choice, int *layer, int *head)
{
    const int layers = int(trace.layers.size());
    if (layers == 0)
        return false;
    const int l = (choice.layer < 0 || choice.layer >= layers) ? layers - 1 : choice.layer;
    const int heads = int(trace.layers[std::size_t(l)].heads.size());
    if (heads == 0)
        return false;
    const int h = (choice.head < 0 || choice.head >= heads) ? -1 : choice.head;
    if (layer)
        *layer = l;
    if (head)
        *head = h;
    return true;
}

Eigen::MatrixXd choiceWeights(const AttentionTrace &trace, HeadChoice choice)
{
    int l = 0, h = 0;
    if (!resolveHeadChoice(trace, choice, &l, &h))
        return {};
    const LayerTrace &layer = trace.layers[std::size_t(l)];
    return h < 0 ? averageHeadWeights(layer) : layer.heads[std::size_t(h)].weights;
}

BoolMatrix visibleAtStep(int n, int t)
{
    n = std::max(n, 0);
    t = std::clamp(t, 0, n);
    BoolMatrix v = BoolMatrix::Constant(n, n, false);
    for (int i = 0; i < t; ++i)
        for (int j = 0; j <= i; ++j)
            v(i, j) = true;
    return v;
}

DecodingStep decodingStep(const AttentionTrace &causal, int t, HeadChoice choice)
{
    DecodingStep s;
    const int n = causal.tokenCount();
    s.tokenCount = n;
    s.step = std::clamp(t, 0, n);
    s.visible = visibleAtStep(n, s.step);
    s.weights = Eigen::MatrixXd::Zero(n, n);
    const Eigen::MatrixXd w = choiceWeights(causal, choice);
    if (w.rows() != n || w.cols() != n)
        return s;
    for (int i = 0; i < s.step; ++i)
        for (int j = 0; j <= i; ++j)
            s.weights(i, j) = w(i, j);
    if (s.step > 0)
        for (int j = 0; j < s.step; ++j)
            s.newest.push_back(s.weights(s.step - 1, j));
    return s;
}

namespace {

double maxDiffTop(const Eigen::MatrixXd &prefix, const Eigen::MatrixXd &full, int rows, int cols)
{
    if (prefix.rows() < rows || full.rows() < rows || prefix.cols() < cols || full.cols() < cols)
        return -1;
    if (rows == 0 || cols == 0)
        return 0;
    return (prefix.topLeftCorner(rows, cols) - full.topLeftCorner(rows, cols)).cwiseAbs().maxCoeff();
}

} // namespace

double prefixDifference(std::shared_ptr<const Model> model, const std::vector<Token> &tokens, int t)
{
    const int n = int(tokens.size());
    if (!model || t < 1 || t > n)
        return -1;
    TraceOptions options;
    options.mask = MaskMode::Causal;
    const TraceResult full = traceTokens(model, tokens, options);
    const TraceResult prefix =
        traceTokens(model, std::vector<Token>(tokens.begin(), tokens.begin() + t), options);
    if (!full.ok() || !prefix.ok() || full.trace.layers.size() != prefix.trace.layers.size())
        return -1;
    double worst = 0;
    auto take = [&](double d) { worst = (d < 0 || worst < 0) ? -1 : std::max(worst, d); };
    for (std::size_t l = 0; l < full.trace.layers.size(); ++l) {
        const LayerTrace &a = prefix.trace.layers[l];
        const LayerTrace &b = full.trace.layers[l];
        if (a.heads.size() != b.heads.size())
            return -1;
        for (std::size_t h = 0; h < a.heads.size(); ++h) {
            // The prefix sees t keys; the full trace's row i < t gives 0 to every key past i anyway.
            take(maxDiffTop(a.heads[h].weights, b.heads[h].weights, t, t));
            if (b.heads[h].weights.cols() > t && t > 0)
                take(b.heads[h]
                         .weights.topRightCorner(t, b.heads[h].weights.cols() - t)
                         .cwiseAbs()
                         .maxCoeff());
            take(maxDiffTop(a.heads[h].output, b.heads[h].output, t, int(b.heads[h].output.cols())));
        }
        take(maxDiffTop(a.attentionOutput, b.attentionOutput, t, int(b.attentionOutput.cols())));
        take(maxDiffTop(a.output, b.output, t, int(b.output.cols())));
    }
    return worst;
}

Eigen::MatrixXd measuredRows(const AttentionTrace &trace, const CheatingOptions &options)
{
    if (trace.layers.empty())
        return {};
    if (options.measure == CheatingMeasure::FinalOutput)
        return trace.finalOutput();
    int l = 0, h = 0;
    if (!resolveHeadChoice(trace, options.choice, &l, &h))
        return {};
    const LayerTrace &layer = trace.layers[std::size_t(l)];
    return h < 0 ? layer.attentionOutput : layer.heads[std::size_t(h)].output;
}

CheatingResult cheatingExperiment(std::shared_ptr<const Model> model, const std::vector<Token> &tokens,
                                  int position, const std::string &replacement,
                                  const CheatingOptions &options)
{
    CheatingResult r;
    r.tokens = tokens;
    const int n = int(tokens.size());
    if (!model) {
        r.error = "There is no model.";
        return r;
    }
    if (n < 2) {
        r.error = "The sentence needs at least two tokens.";
        return r;
    }
    if (position < 1 || position >= n) {
        r.error = "Choose a token after the first one.";
        return r;
    }
    std::vector<Token> replaced = tokenize(replacement);
    if (replaced.size() != 1) {
        r.error = "The replacement must be a single word.";
        return r;
    }
    std::vector<std::string> words;
    for (const Token &t : tokens)
        words.push_back(t.text);
    words[std::size_t(position)] = replaced.front().text;
    r.changed = tokensFromWords(words);
    r.position = position;

    auto rows = [&](const std::vector<Token> &toks, MaskMode mask, Eigen::MatrixXd *out) {
        TraceOptions o;
        o.mask = mask;
        const TraceResult t = traceTokens(model, toks, o);
        if (!t.ok()) {
            r.error = t.error;
            return false;
        }
        *out = measuredRows(t.trace, options);
        return out->rows() == n;
    };
    Eigen::MatrixXd causalBefore, causalAfter, openBefore, openAfter;
    if (!rows(tokens, MaskMode::Causal, &causalBefore) || !rows(r.changed, MaskMode::Causal, &causalAfter) ||
        !rows(tokens, MaskMode::None, &openBefore) || !rows(r.changed, MaskMode::None, &openAfter)) {
        if (r.error.empty())
            r.error = "The model gave no output to compare.";
        return r;
    }
    for (int i = 0; i < position; ++i) {
        r.causal.push_back((causalAfter.row(i) - causalBefore.row(i)).norm());
        r.unmasked.push_back((openAfter.row(i) - openBefore.row(i)).norm());
        r.causalMax = std::max(r.causalMax, r.causal.back());
        if (r.unmasked.back() > r.unmaskedMax || r.unmaskedArgMax < 0) {
            r.unmaskedMax = std::max(r.unmaskedMax, r.unmasked.back());
            r.unmaskedArgMax = i;
        }
    }
    return r;
}

CheatingResult cheatingExperiment(std::shared_ptr<const Model> model, const std::string &sentence,
                                  int position, const std::string &replacement,
                                  const CheatingOptions &options)
{
    return cheatingExperiment(std::move(model), tokenize(sentence), position, replacement, options);
}

namespace {

bool isWord(const std::string &text)
{
    for (unsigned char c : text)
        if (std::isalnum(c) || c >= 0x80)
            return true;
    return false;
}

} // namespace

int defaultCheatingPosition(const std::vector<Token> &tokens)
{
    const int n = int(tokens.size());
    if (n < 2)
        return -1;
    for (int i = n - 1; i >= 1; --i)
        if (isWord(tokens[std::size_t(i)].text))
            return i;
    return n - 1;
}

std::vector<std::string> replacementWords(const std::string &word)
{
    // Words both shipped models know; "wide" first, as in the lesson's pair of sentences.
    static const std::vector<std::string> words = {"wide", "tired", "busy", "hungry", "narrow", "long"};
    const std::string key = normalizeForLookup(word);
    std::vector<std::string> out;
    for (const std::string &w : words)
        if (w != key)
            out.push_back(w);
    return out;
}

const char *defaultMaskingSentence()
{
    return "The animal didn't cross the street because it was too tired.";
}

} // namespace attention
