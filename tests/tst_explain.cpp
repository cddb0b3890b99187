// The cell explanations must reproduce the trace's own numbers, term by term.
#include "attention.h"
#include "explain.h"
#include "testmodels.h"

#include <QTest>
#include <cmath>
#include <numeric>

using namespace attention;
using attention::testing::handWorkedModel;
using attention::testing::randomModel;

namespace {
constexpr double kTol = 1e-12;

bool isMinusInf(double v)
{
    return std::isinf(v) && v < 0;
}

AttentionTrace handWorked(const TraceOptions &options = {})
{
    TraceResult r = traceText(handWorkedModel(), "a b c", options);
    if (!r.ok())
        qFatal("hand-worked trace failed: %s", r.error.c_str());
    return r.trace;
}
} // namespace

class tst_Explain : public QObject
{
    Q_OBJECT
private slots:
    void handWorkedScore();
    void handWorkedScale();
    void handWorkedSoftmax();
    void handWorkedOutput();
    void swappedScoreReadsKeyThenQuery();
    void causalBlockedCell();
    void fullyMaskedRow();
    void paddingAndOpenCells();
    void strongestKeyIsTheRowArgmax();
    void everyCellMatchesTheTrace_data();
    void everyCellMatchesTheTrace();
};

void tst_Explain::handWorkedScore()
{
    // From tst_attention: q_a = [1, 0], k_c = [2, 1], so score(a, c) = 1·2 + 0·1 = 2.
    const AttentionTrace t = handWorked();
    const ScoreExplanation e = explainScore(t, 0, 0, 0, 2);
    QCOMPARE(e.query, 0);
    QCOMPARE(e.key, 2);
    QVERIFY(!e.swapped);
    QCOMPARE(e.left, (std::vector<double>{1, 0}));
    QCOMPARE(e.right, (std::vector<double>{2, 1}));
    QCOMPARE(e.products, (std::vector<double>{2, 0}));
    QCOMPARE(e.sum, 2.0);
    // score(c, c) = [1,1]·[2,1] = 3.
    QCOMPARE(explainScore(t, 0, 0, 2, 2).sum, 3.0);
}

void tst_Explain::handWorkedScale()
{
    // score(c, c) = 3, d_k = 2, so scaled = 3 / √2 = 2.1213203435596424.
    const AttentionTrace t = handWorked();
    const ScaleExplanation e = explainScale(t, 0, 0, 2, 2);
    QVERIFY(e.scaling);
    QCOMPARE(e.d_k, 2);
    QCOMPARE(e.score, 3.0);
    QCOMPARE(e.divisor, std::sqrt(2.0));
    QVERIFY(std::abs(e.scaled - 2.1213203435596424) < kTol);
    QCOMPARE(e.scaled, t.layers[0].heads[0].scaled(2, 2));

    TraceOptions unscaled;
    unscaled.scale = false;
    const ScaleExplanation u = explainScale(handWorked(unscaled), 0, 0, 2, 2);
    QVERIFY(!u.scaling);
    QCOMPARE(u.divisor, 1.0);
    QCOMPARE(u.scaled, 3.0);
}

void tst_Explain::handWorkedSoftmax()
{
    // Row a (tst_attention): scaled [√2, 0, √2], max √2, exps [1, e^−√2, 1] relative to the max,
    // i.e. [4.11325038, 1, 4.11325038] / 4.11325038; the weights do not depend on which max is subtracted.
    const AttentionTrace t = handWorked();
    const HeadTrace &h = t.layers[0].heads[0];
    const SoftmaxExplanation e = explainSoftmax(t, 0, 0, 0, 1);
    QVERIFY(!e.fullyMasked);
    QCOMPARE(e.rowMax, std::sqrt(2.0));
    QCOMPARE(e.masked.size(), std::size_t(3));
    QCOMPARE(e.exps[0], 1.0);
    QCOMPARE(e.exps[2], 1.0);
    // e^−√2 = 1 / 4.11325038; the sum 2 + e^−√2 = 9.22650076 / 4.11325038.
    QVERIFY(std::abs(e.exps[1] - 1.0 / 4.113250378782927) < 1e-12);
    QVERIFY(std::abs(e.sum - 9.226500757565854 / 4.113250378782927) < 1e-12);
    QCOMPARE(e.sum, std::accumulate(e.exps.begin(), e.exps.end(), 0.0));
    // Same operations in the same order as maskedSoftmax: equal bit for bit, not just close (== on purpose:
    // QCOMPARE of doubles is fuzzy).
    QVERIFY2(e.weight == h.weights(0, 1), qPrintable(QString::number(e.weight - h.weights(0, 1))));
    QVERIFY(std::abs(e.weight - 0.10838345178479356) < kTol);
}

void tst_Explain::handWorkedOutput()
{
    // output(a) = 0.44580827·[1,0] + 0.10838345·[0,2] + 0.44580827·[1,2] = [0.89161655, 1.10838345].
    const AttentionTrace t = handWorked();
    const HeadTrace &h = t.layers[0].heads[0];
    const OutputExplanation c0 = explainOutput(t, 0, 0, 0, 0);
    QCOMPARE(c0.values, (std::vector<double>{1, 0, 1}));
    QCOMPARE(c0.products[1], 0.0);
    QVERIFY(std::abs(c0.sum - 0.8916165482152063) < kTol);
    QVERIFY(std::abs(c0.sum - h.output(0, 0)) < kTol);
    const OutputExplanation c1 = explainOutput(t, 0, 0, 0, 1);
    QCOMPARE(c1.values, (std::vector<double>{0, 2, 2}));
    QVERIFY(std::abs(c1.sum - 1.1083834517847935) < kTol);
    for (std::size_t j = 0; j < 3; ++j)
        QCOMPARE(c1.products[j], c1.weights[j] * c1.values[j]);
}

void tst_Explain::swappedScoreReadsKeyThenQuery()
{
    // The hand-worked scores are symmetric (W_K is diagonal), so a random model shows the swap.
    TraceOptions options;
    options.swapQK = true;
    const TraceResult r = traceText(randomModel(5, 3, 1, 1, 10, false), "w1 w4 w2 w9", options);
    QVERIFY2(r.ok(), r.error.c_str());
    const HeadTrace &h = r.trace.layers[0].heads[0];
    const ScoreExplanation e = explainScore(r.trace, 0, 0, 1, 3);
    QVERIFY(e.swapped);
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(e.left[std::size_t(c)], h.K(1, c));
        QCOMPARE(e.right[std::size_t(c)], h.Q(3, c));
    }
    QVERIFY(std::abs(e.sum - h.scores(1, 3)) < kTol);
    // K·Qᵀ really is the transpose of Q·Kᵀ here, so the explanation is not accidentally right.
    QVERIFY(std::abs(h.scores(1, 3) - h.scores(3, 1)) > 1e-6);
}

void tst_Explain::causalBlockedCell()
{
    // Causal, row b sees a and b: scaled [0, 0.70710678] → exps [1, 2.02811498, 0] relative to 0, so
    // relative to the max 0.70710678 they are [1/2.02811498, 1, 0], sum 3.02811498/2.02811498.
    TraceOptions options;
    options.mask = MaskMode::Causal;
    const AttentionTrace t = handWorked(options);
    const HeadTrace &h = t.layers[0].heads[0];
    const SoftmaxExplanation s = explainSoftmax(t, 0, 0, 1, 2);
    QVERIFY(!s.fullyMasked);
    QVERIFY(isMinusInf(s.masked[2]));
    QCOMPARE(s.exps[2], 0.0);
    QCOMPARE(s.weight, 0.0);
    QCOMPARE(s.exps[1], 1.0);
    QVERIFY(std::abs(s.sum - 3.028114981647472 / 2.028114981647472) < kTol);
    QCOMPARE(explainSoftmax(t, 0, 0, 1, 0).weight, h.weights(1, 0));

    const MaskExplanation m = explainMask(t, 0, 0, 1, 2);
    QVERIFY(m.blocked);
    QCOMPARE(m.mode, MaskMode::Causal);
    QVERIFY(!m.padding);
    QVERIFY2(m.reason.find("causal") != std::string::npos, m.reason.c_str());
    QVERIFY2(m.reason.find("after") != std::string::npos, m.reason.c_str());
    const MaskExplanation open = explainMask(t, 0, 0, 2, 0);
    QVERIFY(!open.blocked);
    QVERIFY2(open.reason.find("causal") != std::string::npos, open.reason.c_str());
}

void tst_Explain::fullyMaskedRow()
{
    TraceOptions options;
    options.mask = MaskMode::Custom;
    options.customBlocked = BoolMatrix::Constant(3, 3, false);
    options.customBlocked.row(1).setConstant(true);
    const AttentionTrace t = handWorked(options);
    const SoftmaxExplanation s = explainSoftmax(t, 0, 0, 1, 1);
    QVERIFY(s.fullyMasked);
    QCOMPARE(s.weight, 0.0);
    QCOMPARE(s.sum, 0.0);
    QVERIFY(isMinusInf(s.rowMax));
    for (std::size_t j = 0; j < 3; ++j) {
        QVERIFY(isMinusInf(s.masked[j]));
        QCOMPARE(s.exps[j], 0.0);
    }
    QCOMPARE(strongestKey(t, 0, 0, 1), -1);
    // Its output is the empty sum: every weight is 0.
    QCOMPARE(explainOutput(t, 0, 0, 1, 1).sum, 0.0);
    const MaskExplanation m = explainMask(t, 0, 0, 1, 0);
    QVERIFY(m.blocked);
    QVERIFY2(m.reason.find("custom") != std::string::npos, m.reason.c_str());
}

void tst_Explain::paddingAndOpenCells()
{
    TraceOptions options;
    options.padding = {false, false, true};
    const AttentionTrace t = handWorked(options);
    const MaskExplanation pad = explainMask(t, 0, 0, 0, 2);
    QVERIFY(pad.blocked);
    QVERIFY(pad.padding);
    QVERIFY2(pad.reason.find("padding") != std::string::npos, pad.reason.c_str());
    const MaskExplanation open = explainMask(t, 0, 0, 0, 1);
    QVERIFY(!open.blocked);
    QCOMPARE(open.mode, MaskMode::None);
    QVERIFY2(open.reason.find("no mask") != std::string::npos, open.reason.c_str());
    // The reason names the tokens, not only their indices.
    QVERIFY2(open.reason.find("\u201Cb\u201D") != std::string::npos, open.reason.c_str());
}

void tst_Explain::strongestKeyIsTheRowArgmax()
{
    // Weights (tst_attention): row a [0.446, 0.108, 0.446] → a (tie goes to the earlier key);
    // row b [0.198, 0.401, 0.401] → b; row c [0.284, 0.140, 0.576] → c.
    const AttentionTrace t = handWorked();
    QCOMPARE(strongestKey(t, 0, 0, 0), 0);
    QCOMPARE(strongestKey(t, 0, 0, 1), 1);
    QCOMPARE(strongestKey(t, 0, 0, 2), 2);
}

void tst_Explain::everyCellMatchesTheTrace_data()
{
    QTest::addColumn<int>("maskMode");
    QTest::addColumn<bool>("scale");
    QTest::addColumn<bool>("swap");
    QTest::newRow("no mask, scaled") << int(MaskMode::None) << true << false;
    QTest::newRow("causal, scaled") << int(MaskMode::Causal) << true << false;
    QTest::newRow("no mask, unscaled") << int(MaskMode::None) << false << false;
    QTest::newRow("causal, swapped") << int(MaskMode::Causal) << true << true;
}

void tst_Explain::everyCellMatchesTheTrace()
{
    QFETCH(int, maskMode);
    QFETCH(bool, scale);
    QFETCH(bool, swap);
    TraceOptions options;
    options.mask = static_cast<MaskMode>(maskMode);
    options.scale = scale;
    options.swapQK = swap;
    // Two layers of two heads with biases, norms and a feed-forward block: every head of every layer.
    const TraceResult r =
        traceText(randomModel(6, 3, 2, 2, 20, true), "w1 w5 w3 w3 w19 w0 w7 w2 w11", options);
    QVERIFY2(r.ok(), r.error.c_str());
    const int n = r.trace.tokenCount();
    for (int l = 0; l < 2; ++l)
        for (int hd = 0; hd < 2; ++hd) {
            const HeadTrace &h = r.trace.layers[std::size_t(l)].heads[std::size_t(hd)];
            for (int i = 0; i < n; ++i) {
                for (int j = 0; j < n; ++j) {
                    const ScoreExplanation s = explainScore(r.trace, l, hd, i, j);
                    QCOMPARE(s.swapped, swap);
                    for (std::size_t c = 0; c < s.products.size(); ++c)
                        QCOMPARE(s.products[c], s.left[c] * s.right[c]);
                    QVERIFY(std::abs(s.sum - h.scores(i, j)) < kTol);

                    const ScaleExplanation sc = explainScale(r.trace, l, hd, i, j);
                    QCOMPARE(sc.scaled, h.scaled(i, j));
                    QCOMPARE(sc.divisor, scale ? std::sqrt(3.0) : 1.0);

                    const SoftmaxExplanation sm = explainSoftmax(r.trace, l, hd, i, j);
                    QCOMPARE(sm.weight, h.weights(i, j));
                    QCOMPARE(sm.sum, std::accumulate(sm.exps.begin(), sm.exps.end(), 0.0));
                    QCOMPARE(sm.exps[std::size_t(j)] == 0.0, bool(r.trace.blocked(i, j)));

                    QCOMPARE(explainMask(r.trace, l, hd, i, j).blocked, bool(r.trace.blocked(i, j)));
                }
                for (int c = 0; c < h.output.cols(); ++c) {
                    const OutputExplanation o = explainOutput(r.trace, l, hd, i, c);
                    QVERIFY(std::abs(o.sum - h.output(i, c)) < kTol);
                }
                const int best = strongestKey(r.trace, l, hd, i);
                QVERIFY(best >= 0);
                QCOMPARE(h.weights(i, best), h.weights.row(i).maxCoeff());
            }
        }
}

QTEST_APPLESS_MAIN(tst_Explain)
#include "tst_explain.moc"
