// The attention pipeline: a hand-worked example, and properties that must hold for any model.
#include "attention.h"
#include "report.h"
#include "testmodels.h"

#include <QTest>
#include <cmath>
#include <numeric>

using namespace attention;
using attention::testing::handWorkedModel;
using attention::testing::randomModel;

namespace {
constexpr double kTol = 1e-9;

bool isFiniteOrMinusInf(const Eigen::MatrixXd &m)
{
    for (Eigen::Index i = 0; i < m.size(); ++i) {
        const double v = m.data()[i];
        if (std::isnan(v) || (std::isinf(v) && v > 0))
            return false;
    }
    return true;
}
} // namespace

class tst_Attention : public QObject
{
    Q_OBJECT
private slots:
    void handWorkedExample();
    void handWorkedCausal();
    void rowsSumToOne_data();
    void rowsSumToOne();
    void blockedCellsAreExactlyZero();
    void permutingTokensPermutesOutput();
    void swappingQueriesAndKeysTransposesScores();
    void withoutScalingScaledEqualsScores();
    void fullyMaskedRowIsZeroAndFlagged();
    void softmaxIsStableForHugeScores();
    void scoresThatOverflowAreRefusedNotTakenForAMask();
    void paddingBlocksKeyColumns();
    void customMaskOfWrongShapeIsRefused();
    void multiHeadConcatenatesAndProjects();
    void fullLayerMatchesManualComputation();
    void layersChainOutputToInput();
    void positionsAreAddedAndKeptApart();
    void unknownWordsGetStableHashedVectors();
    void blankAndOverlongInputsAreRefused();
    void modelValidationNamesTheField();
    void modelValidationEnforcesTheLimits();
    void traceMemoryIsBoundedBeforeAllocating();
    void traceEstimateCoversEveryMatrix();
    void textPastTheLimitIsRefusedBeforeTokenizing();
    void tablesPrintHugeNumbersInScientificNotation();
    void numberFormats_data();
    void numberFormats();
};

void tst_Attention::handWorkedExample()
{
    // Tokens a, b, c: X = [[1,0],[0,1],[1,1]].  Q = X·I = X.  K = X·diag(2,1) = [[2,0],[0,1],[2,1]].
    // V = X·diag(1,2) = [[1,0],[0,2],[1,2]].
    const TraceResult r = traceText(handWorkedModel(), "a b c");
    QVERIFY2(r.ok(), r.error.c_str());
    const HeadTrace &h = r.trace.layers.at(0).heads.at(0);

    // scores(i, j) = q_i · k_j:
    //   a: [1,0]·[2,0]=2, [1,0]·[0,1]=0, [1,0]·[2,1]=2
    //   b: [0,1]·… = 0, 1, 1
    //   c: [1,1]·… = 2, 1, 3
    Eigen::MatrixXd scores(3, 3);
    scores << 2, 0, 2, 0, 1, 1, 2, 1, 3;
    QVERIFY(h.scores.isApprox(scores, kTol));

    // √d_k = √2 = 1.41421356…, so the scaled row of a is [1.41421356, 0, 1.41421356].
    QCOMPARE(h.divisor, std::sqrt(2.0));
    QVERIFY(std::abs(h.scaled(0, 0) - 1.4142135623730951) < kTol);
    QVERIFY(std::abs(h.scaled(2, 2) - 2.1213203435596424) < kTol); // 3 / √2

    // Row a: exp(1.41421356) = 4.11325038, exp(0) = 1; sum = 2·4.11325038 + 1 = 9.22650076.
    //   weights = [4.11325038, 1, 4.11325038] / 9.22650076 = [0.44580827, 0.10838345, 0.44580827]
    // Row b: exp(0.70710678) = 2.02811498; sum = 1 + 2·2.02811498 = 5.05622996.
    //   weights = [0.19777581, 0.40111209, 0.40111209]
    // Row c: exps 4.11325038, 2.02811498, 8.34214472; sum = 14.48351008.
    //   weights = [0.28399541, 0.14002925, 0.57597535]
    Eigen::MatrixXd weights(3, 3);
    weights << 0.44580827410760315, 0.10838345178479356, 0.44580827410760315, //
        0.1977758146404282, 0.4011120926797859, 0.4011120926797859,           //
        0.28399540974126003, 0.14002924504337802, 0.5759753452153619;
    QVERIFY((h.weights - weights).cwiseAbs().maxCoeff() < 1e-12);

    // output(a) = 0.44580827·[1,0] + 0.10838345·[0,2] + 0.44580827·[1,2]
    //           = [0.89161655, 0.21676690 + 0.89161655] = [0.89161655, 1.10838345]
    QVERIFY(std::abs(h.output(0, 0) - 0.8916165482152063) < 1e-12);
    QVERIFY(std::abs(h.output(0, 1) - 1.1083834517847935) < 1e-12);
    // output(c) = 0.28399541·[1,0] + 0.14002925·[0,2] + 0.57597535·[1,2] = [0.85997075, 1.43200918]
    QVERIFY(std::abs(h.output(2, 0) - 0.8599707549566219) < 1e-12);
    QVERIFY(std::abs(h.output(2, 1) - 1.4320091805174797) < 1e-12);

    // One head, no W_O in the model: the layer's attention output and output are the head's output.
    QVERIFY(r.trace.layers[0].attentionOutput.isApprox(h.output));
    QVERIFY(r.trace.layers[0].output.isApprox(h.output));
}

void tst_Attention::handWorkedCausal()
{
    TraceOptions options;
    options.mask = MaskMode::Causal;
    const TraceResult r = traceText(handWorkedModel(), "a b c", options);
    QVERIFY(r.ok());
    const HeadTrace &h = r.trace.layers[0].heads[0];
    // Row a sees only itself: weight 1, output = v_a = [1, 0].
    QCOMPARE(h.weights(0, 0), 1.0);
    QVERIFY(std::isinf(h.masked(0, 1)) && h.masked(0, 1) < 0);
    QCOMPARE(h.weights(0, 1), 0.0);
    QCOMPARE(h.output(0, 0), 1.0);
    QCOMPARE(h.output(0, 1), 0.0);
    // Row b sees a and b: scaled [0, 0.70710678] → exps [1, 2.02811498], sum 3.02811498
    //   → [0.33023845, 0.66976155].
    QVERIFY(std::abs(h.weights(1, 0) - 1.0 / 3.028114981647472) < 1e-12);
    QVERIFY(std::abs(h.weights(1, 1) - 2.028114981647472 / 3.028114981647472) < 1e-12);
    // Row c is not masked at all, so it equals the unmasked result.
    QVERIFY(std::abs(h.weights(2, 2) - 0.5759753452153619) < 1e-12);
}

void tst_Attention::rowsSumToOne_data()
{
    QTest::addColumn<int>("maskMode");
    QTest::addColumn<bool>("scale");
    QTest::addColumn<bool>("swap");
    QTest::newRow("none, scaled") << int(MaskMode::None) << true << false;
    QTest::newRow("causal, scaled") << int(MaskMode::Causal) << true << false;
    QTest::newRow("none, unscaled") << int(MaskMode::None) << false << false;
    QTest::newRow("causal, swapped") << int(MaskMode::Causal) << true << true;
}

void tst_Attention::rowsSumToOne()
{
    QFETCH(int, maskMode);
    QFETCH(bool, scale);
    QFETCH(bool, swap);
    TraceOptions options;
    options.mask = static_cast<MaskMode>(maskMode);
    options.scale = scale;
    options.swapQK = swap;
    const TraceResult r =
        traceText(randomModel(6, 3, 2, 2, 20, true), "w1 w5 w3 w3 w19 w0 w7 w2 w11", options);
    QVERIFY(r.ok());
    for (const LayerTrace &l : r.trace.layers)
        for (const HeadTrace &h : l.heads) {
            QVERIFY(isFiniteOrMinusInf(h.masked));
            QVERIFY(h.weights.allFinite());
            for (Eigen::Index i = 0; i < h.weights.rows(); ++i) {
                QVERIFY(std::abs(h.weights.row(i).sum() - 1.0) < 1e-12);
                QVERIFY(h.weights.row(i).minCoeff() >= 0.0);
            }
        }
}

void tst_Attention::blockedCellsAreExactlyZero()
{
    const int n = 7;
    TraceOptions options;
    options.mask = MaskMode::Custom;
    options.customBlocked = BoolMatrix::Constant(n, n, false);
    options.customBlocked(0, 3) = options.customBlocked(2, 2) = options.customBlocked(6, 0) = true;
    options.customBlocked(4, 1) = options.customBlocked(4, 5) = true;
    const TraceResult r = traceText(randomModel(4, 4, 1, 1, 10, false), "w1 w2 w3 w4 w5 w6 w7", options);
    QVERIFY(r.ok());
    const HeadTrace &h = r.trace.layers[0].heads[0];
    int blocked = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            QCOMPARE(bool(r.trace.blocked(i, j)), bool(options.customBlocked(i, j)));
            if (options.customBlocked(i, j)) {
                ++blocked;
                QVERIFY(h.weights(i, j) == 0.0); // exactly (QCOMPARE would accept anything below 1e-12)
                QVERIFY(std::isinf(h.masked(i, j)) && h.masked(i, j) < 0);
            } else {
                QVERIFY(h.weights(i, j) > 0.0);
                QCOMPARE(h.masked(i, j), h.scaled(i, j));
            }
        }
    QCOMPARE(blocked, 5);

    // Causal: everything above the diagonal is exactly 0.
    TraceOptions causal;
    causal.mask = MaskMode::Causal;
    const TraceResult c = traceText(randomModel(4, 4, 1, 1, 10, false), "w1 w2 w3 w4 w5 w6 w7", causal);
    const Eigen::MatrixXd &w = c.trace.layers[0].heads[0].weights;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j)
            QCOMPARE(w(i, j), 0.0);
}

void tst_Attention::permutingTokensPermutesOutput()
{
    // Without a mask and without positions, attention is permutation-equivariant:
    // permuting the tokens permutes the rows of the output (and rows and columns of the weights).
    auto model = randomModel(6, 3, 2, 2, 12, true);
    const std::vector<std::string> original = {"w0", "w4", "w9", "w2", "w7", "w11"};
    const std::vector<int> perm = {3, 0, 5, 1, 4, 2}; // permuted[k] = original[perm[k]]
    std::vector<std::string> permuted;
    for (int p : perm)
        permuted.push_back(original[static_cast<std::size_t>(p)]);
    const TraceResult a = traceTokens(model, tokensFromWords(original));
    const TraceResult b = traceTokens(model, tokensFromWords(permuted));
    QVERIFY(a.ok() && b.ok());
    for (std::size_t k = 0; k < perm.size(); ++k) {
        const Eigen::Index pk = perm[k];
        QVERIFY((b.trace.finalOutput().row(k) - a.trace.finalOutput().row(pk)).cwiseAbs().maxCoeff() < 1e-12);
        for (std::size_t m = 0; m < perm.size(); ++m)
            QVERIFY(std::abs(b.trace.layers[1].heads[1].weights(k, m) -
                             a.trace.layers[1].heads[1].weights(pk, perm[m])) < 1e-12);
    }
    // And the output really depends on the other tokens (the test would be empty otherwise).
    const TraceResult c = traceTokens(model, tokensFromWords({"w0", "w4"}));
    QVERIFY((c.trace.finalOutput().row(0) - a.trace.finalOutput().row(0)).cwiseAbs().maxCoeff() > 1e-3);
}

void tst_Attention::swappingQueriesAndKeysTransposesScores()
{
    auto model = randomModel(5, 3, 1, 1, 8, false);
    TraceOptions swapped;
    swapped.swapQK = true;
    const TraceResult a = traceText(model, "w1 w2 w3 w4 w5");
    const TraceResult b = traceText(model, "w1 w2 w3 w4 w5", swapped);
    const Eigen::MatrixXd &s = a.trace.layers[0].heads[0].scores;
    QVERIFY(b.trace.layers[0].heads[0].scores.isApprox(s.transpose(), 1e-14));
    QVERIFY(!s.isApprox(s.transpose(), 1e-3)); // W_Q ≠ W_K, so the mistake changes something
    QVERIFY(!b.trace.layers[0].heads[0].weights.isApprox(a.trace.layers[0].heads[0].weights, 1e-3));
}

void tst_Attention::withoutScalingScaledEqualsScores()
{
    TraceOptions unscaled;
    unscaled.scale = false;
    const TraceResult r = traceText(randomModel(6, 4, 1, 1, 8, false), "w1 w2 w3", unscaled);
    const HeadTrace &h = r.trace.layers[0].heads[0];
    QCOMPARE(h.divisor, 1.0);
    QVERIFY(h.scaled == h.scores);
    const TraceResult s = traceText(randomModel(6, 4, 1, 1, 8, false), "w1 w2 w3");
    QVERIFY(s.trace.layers[0].heads[0].scaled.isApprox(h.scores / 2.0)); // √4 = 2
}

void tst_Attention::fullyMaskedRowIsZeroAndFlagged()
{
    TraceOptions options;
    options.mask = MaskMode::Custom;
    options.customBlocked = BoolMatrix::Constant(3, 3, false);
    options.customBlocked.row(1).setConstant(true);
    const TraceResult r = traceText(handWorkedModel(), "a b c", options);
    QVERIFY(r.ok());
    const HeadTrace &h = r.trace.layers[0].heads[0];
    QCOMPARE(r.trace.fullyMasked, (std::vector<bool>{false, true, false}));
    QVERIFY(h.weights.row(1).isZero(0.0));
    QVERIFY(h.output.row(1).isZero(0.0));
    QVERIFY(h.weights.allFinite() && h.output.allFinite());
    QVERIFY(std::abs(h.weights.row(0).sum() - 1.0) < 1e-12);

    std::vector<bool> flags;
    const Eigen::MatrixXd all = Eigen::MatrixXd::Constant(2, 2, -std::numeric_limits<double>::infinity());
    QVERIFY(maskedSoftmax(all, &flags).isZero(0.0));
    QCOMPARE(flags, (std::vector<bool>{true, true}));
}

void tst_Attention::softmaxIsStableForHugeScores()
{
    // exp(1000) overflows a double; subtracting the row maximum makes these [0.5, 0.5] and [1, 0].
    Eigen::MatrixXd m(2, 2);
    m << 1000, 1000, 800, -800;
    const Eigen::MatrixXd w = maskedSoftmax(m);
    QVERIFY(w.allFinite());
    QCOMPARE(w(0, 0), 0.5);
    QCOMPARE(w(1, 0), 1.0);
    QCOMPARE(w(1, 1), 0.0);
}

void tst_Attention::scoresThatOverflowAreRefusedNotTakenForAMask()
{
    // q = 1 · 1e200, k = 1 · (−1e200): every score is −1e400, which is −∞ in a double. The mask blocks
    // nothing, so the row must not be reported as fully masked (zeros): the trace is refused instead.
    auto m = std::make_shared<Model>();
    m->name = "overflowing scores";
    m->d_model = 1;
    m->d_k = 1;
    m->vocabulary = {"cat"};
    m->indexVocabulary();
    m->tokenEmbedding = Eigen::MatrixXd::Constant(1, 1, 1.0);
    LayerWeights layer;
    HeadWeights head;
    head.W_Q = Eigen::MatrixXd::Constant(1, 1, 1e200);
    head.W_K = Eigen::MatrixXd::Constant(1, 1, -1e200);
    head.W_V = Eigen::MatrixXd::Constant(1, 1, 1.0);
    layer.heads.push_back(head);
    m->layers.push_back(layer);
    QCOMPARE(validateModel(*m), std::string());
    const TraceResult r = traceText(m, "cat cat", TraceOptions{});
    QVERIFY2(!r.ok(), "a row of overflowed scores passed for a fully masked query");
    QVERIFY2(r.error.find("scores that are not finite") != std::string::npos, r.error.c_str());
}

void tst_Attention::paddingBlocksKeyColumns()
{
    TraceOptions options;
    options.padding = {false, false, true};
    const TraceResult r = traceText(handWorkedModel(), "a b c", options);
    const HeadTrace &h = r.trace.layers[0].heads[0];
    QVERIFY(h.weights.col(2).isZero(0.0));
    // Row a without c: scaled [1.41421356, 0] → exps [4.11325038, 1] → [0.80442, 0.19558].
    QVERIFY(std::abs(h.weights(0, 0) - 4.113250378782927 / 5.113250378782927) < 1e-12);
}

void tst_Attention::customMaskOfWrongShapeIsRefused()
{
    TraceOptions options;
    options.mask = MaskMode::Custom;
    options.customBlocked = BoolMatrix::Constant(2, 2, false);
    const TraceResult r = traceText(handWorkedModel(), "a b c", options);
    QVERIFY(!r.ok());
    QVERIFY(r.error.find("custom mask") != std::string::npos);
}

void tst_Attention::multiHeadConcatenatesAndProjects()
{
    auto model = randomModel(6, 2, 1, 3, 10, false); // 3 heads × d_k 2 = 6 = d_model, W_O random
    model->layers[0].W_O = Eigen::MatrixXd::Random(6, 6);
    const TraceResult r = traceText(model, "w1 w2 w3 w4");
    const LayerTrace &l = r.trace.layers[0];
    QCOMPARE(l.concat.cols(), Eigen::Index(6));
    for (int h = 0; h < 3; ++h)
        QVERIFY(l.concat.middleCols(2 * h, 2) == l.heads[static_cast<std::size_t>(h)].output);
    QVERIFY(l.attentionOutput.isApprox(l.concat * model->layers[0].W_O));
}

void tst_Attention::fullLayerMatchesManualComputation()
{
    auto model = randomModel(4, 2, 1, 2, 6, true);
    const TraceResult r = traceText(model, "w1 w3 w5");
    const LayerTrace &l = r.trace.layers[0];
    const LayerWeights &w = model->layers[0];
    // Recompute the block from its definition, row by row, independently of computeLayer.
    Eigen::MatrixXd attn = l.concat * w.W_O;
    attn.rowwise() += w.b_O;
    QVERIFY(l.attentionOutput.isApprox(attn));
    const Eigen::MatrixXd res1 = l.input + attn;
    Eigen::MatrixXd n1(res1.rows(), res1.cols());
    for (Eigen::Index i = 0; i < res1.rows(); ++i) {
        const double mean = res1.row(i).sum() / 4.0;
        double var = 0;
        for (Eigen::Index j = 0; j < 4; ++j)
            var += (res1(i, j) - mean) * (res1(i, j) - mean) / 4.0;
        for (Eigen::Index j = 0; j < 4; ++j)
            n1(i, j) = (res1(i, j) - mean) / std::sqrt(var + 1e-5) * w.norm1.gamma(j) + w.norm1.beta(j);
    }
    QVERIFY(l.norm1.isApprox(n1, 1e-12));
    Eigen::MatrixXd hidden = n1 * w.W_1;
    hidden.rowwise() += w.b_1;
    hidden = hidden.cwiseMax(0.0);
    QVERIFY(l.ffHidden.isApprox(hidden, 1e-12));
    Eigen::MatrixXd ff = hidden * w.W_2;
    ff.rowwise() += w.b_2;
    QVERIFY(l.residual2.isApprox(n1 + ff, 1e-12));
    QVERIFY(l.output.isApprox(layerNorm(n1 + ff, w.norm2), 1e-12));
    QVERIFY(!l.output.isApprox(l.input, 1e-3));
}

void tst_Attention::layersChainOutputToInput()
{
    const TraceResult r = traceText(randomModel(6, 3, 3, 2, 10, true), "w1 w2 w3 w4");
    QCOMPARE(r.trace.layers.size(), std::size_t(3));
    QVERIFY(r.trace.layers[0].input == r.trace.tokenEmbeddings);
    QVERIFY(r.trace.layers[1].input == r.trace.layers[0].output);
    QVERIFY(r.trace.layers[2].input == r.trace.layers[1].output);
}

void tst_Attention::positionsAreAddedAndKeptApart()
{
    auto model = handWorkedModel();
    model->positionEmbedding.resize(4, 2);
    model->positionEmbedding << 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8;
    const TraceResult r = traceText(model, "a b c");
    QVERIFY(r.ok());
    QVERIFY(r.trace.positionEmbeddings == model->positionEmbedding.topRows(3));
    QVERIFY(r.trace.tokenEmbeddings.row(1) == Eigen::RowVector2d(0, 1));
    QVERIFY(r.trace.layers[0].input.row(1).isApprox(Eigen::RowVector2d(0.3, 1.4)));
    // The model knows 4 positions: 5 tokens are refused with a message naming the limit.
    const TraceResult tooLong = traceText(model, "a b c a b");
    QVERIFY(!tooLong.ok());
    QVERIFY(tooLong.error.find("4 positions") != std::string::npos);
}

void tst_Attention::unknownWordsGetStableHashedVectors()
{
    const TraceResult r = traceText(handWorkedModel(), "a zebra Zebra b");
    QCOMPARE(r.trace.known, (std::vector<bool>{true, false, false, true}));
    QCOMPARE(r.trace.vocabularyIndex[1], -1);
    // Same spelling (after lower-casing) → same vector; different words → different vectors.
    QVERIFY(r.trace.tokenEmbeddings.row(1) == r.trace.tokenEmbeddings.row(2));
    QVERIFY(hashedEmbedding("zebra", 2, 0.3) == hashedEmbedding("zebra", 2, 0.3));
    QVERIFY(hashedEmbedding("zebra", 8, 0.3) != hashedEmbedding("zebras", 8, 0.3));
    QVERIFY(hashedEmbedding("zebra", 64, 0.3).cwiseAbs().maxCoeff() <= 0.3);
    QVERIFY(hashedEmbedding("zebra", 64, 0.3).cwiseAbs().maxCoeff() > 0.05);
}

void tst_Attention::blankAndOverlongInputsAreRefused()
{
    auto model = handWorkedModel();
    QVERIFY(!traceText(model, "").ok());
    QVERIFY(!traceText(model, "   \t\n ").ok());
    std::string huge;
    for (int i = 0; i < 10000; ++i)
        huge += "a ";
    const TraceResult r = traceText(model, huge);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.find("10000 tokens") != std::string::npos, r.error.c_str());
    QVERIFY(r.error.find(std::to_string(kMaxTokens)) != std::string::npos);
    // Exactly at the limit works.
    std::string atLimit;
    for (int i = 0; i < kMaxTokens; ++i)
        atLimit += "b ";
    QVERIFY(traceText(model, atLimit).ok());
}

void tst_Attention::modelValidationNamesTheField()
{
    auto model = randomModel(6, 3, 2, 2, 5, true);
    QCOMPARE(validateModel(*model), std::string());
    model->layers[1].heads[0].W_K.resize(5, 3);
    QCOMPARE(validateModel(*model), std::string("layers[1].heads[0].W_K is 5 × 3; it must be 6 × 3"));
    auto noOut = randomModel(6, 4, 1, 2, 5, false);
    noOut->layers[0].W_O.resize(0, 0);
    QVERIFY(validateModel(*noOut).find("W_O is missing") != std::string::npos);
}

void tst_Attention::modelValidationEnforcesTheLimits()
{
    QCOMPARE(validateModel(*randomModel(2, 2, 65, 1, 3, false)),
             std::string("the number of layers is 65; the limit is 64"));
    QCOMPARE(validateModel(*randomModel(2, 1, 1, 65, 3, false)),
             std::string("layers[0]: the number of heads is 65; the limit is 64"));
    auto wide = randomModel(2, 2, 1, 1, 3, true);
    wide->layers[0].W_1 = Eigen::MatrixXd::Zero(2, kMaxFeedForward + 1);
    wide->layers[0].b_1.resize(0);
    wide->layers[0].W_2 = Eigen::MatrixXd::Zero(kMaxFeedForward + 1, 2);
    QCOMPARE(validateModel(*wide),
             std::string("layers[0].W_1: the feed-forward width is 16385; the limit is 16384"));
    auto twice = randomModel(2, 2, 1, 1, 3, false);
    twice->vocabulary[2] = twice->vocabulary[0];
    twice->indexVocabulary();
    QVERIFY(validateModel(*twice).find("lists a word twice") != std::string::npos);
}

void tst_Attention::traceMemoryIsBoundedBeforeAllocating()
{
    // 2,048 tokens: each head of each layer keeps four 2048 × 2048 matrices of doubles, 128 MiB. Seven
    // head-layers fit under kMaxTraceBytes (1 GiB) with the rest of the trace; eight do not.
    std::string text;
    for (int i = 0; i < kMaxTokens; ++i)
        text += "w1 ";
    QCOMPARE(tokenize(text).size(), std::size_t(kMaxTokens));
    QVERIFY(estimateTraceBytes(*randomModel(2, 2, 7, 1, 3, false), kMaxTokens) <= double(kMaxTraceBytes));
    QVERIFY(estimateTraceBytes(*randomModel(2, 2, 8, 1, 3, false), kMaxTokens) > double(kMaxTraceBytes));
    // Refused at once, without allocating: before the bound these grew to 1.1 GB, 8.3 GB and 8.3 GB.
    for (auto [layers, heads] : {std::pair{8, 1}, {64, 1}, {1, 64}}) {
        const TraceResult r = traceText(randomModel(2, 2, layers, heads, 3, false), text);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.find("the trace of 2048 tokens through " + std::to_string(layers) + " layer(s) × " +
                              std::to_string(heads) + " head(s) would need about ") == 0,
                 r.error.c_str());
        QVERIFY2(r.error.find("MiB; the limit for one trace is 1024 MiB") != std::string::npos,
                 r.error.c_str());
    }
    // The same models trace a short text.
    QVERIFY(traceText(randomModel(2, 2, 64, 1, 3, false), "w0 w1 w2").ok());
}

void tst_Attention::traceEstimateCoversEveryMatrix()
{
    // Count the doubles of every matrix a real trace keeps; the estimate must not be below them (nor
    // wildly above: at most twice, the temporaries being the difference).
    for (bool full : {false, true}) {
        auto model = randomModel(6, 3, 2, 2, 5, full);
        std::string text;
        for (int i = 0; i < 60; ++i)
            text += "w" + std::to_string(i % 7) + " ";
        TraceOptions options;
        options.mask = MaskMode::Causal;
        const TraceResult r = traceText(model, text, options);
        QVERIFY2(r.ok(), r.error.c_str());
        const AttentionTrace &t = r.trace;
        double doubles = double(t.tokenEmbeddings.size() + t.positionEmbeddings.size());
        for (const LayerTrace &l : t.layers) {
            for (const HeadTrace &h : l.heads)
                doubles += double(h.Q.size() + h.K.size() + h.V.size() + h.scores.size() + h.scaled.size() +
                                  h.masked.size() + h.weights.size() + h.output.size());
            doubles += double(l.input.size() + l.concat.size() + l.attentionOutput.size() +
                              l.residual1.size() + l.norm1.size() + l.ffHidden.size() + l.ffOutput.size() +
                              l.residual2.size() + l.output.size());
        }
        const double kept = 8 * doubles + double(t.blocked.size());
        const double estimate = estimateTraceBytes(*model, t.tokenCount());
        QVERIFY2(estimate >= kept, qPrintable(QStringLiteral("%1 < %2").arg(estimate).arg(kept)));
        QVERIFY2(estimate <= 2 * kept, qPrintable(QStringLiteral("%1 > 2 × %2").arg(estimate).arg(kept)));
    }
}

void tst_Attention::textPastTheLimitIsRefusedBeforeTokenizing()
{
    // One word and 1 MiB of spaces: one token, yet more text than a trace reads (a huge text costs
    // memory while it is tokenized, before the token limit can refuse it).
    const std::string over = "a" + std::string(kMaxTextBytes, ' ');
    const TraceResult r = traceText(handWorkedModel(), over);
    QVERIFY(!r.ok());
    QCOMPARE(r.error, std::string("the text is 1048577 bytes; the limit is 1048576 bytes (1 MiB)"));
    const TraceResult atLimit = traceText(handWorkedModel(), "a" + std::string(kMaxTextBytes - 1, ' '));
    QVERIFY2(atLimit.ok(), atLimit.error.c_str());
}

void tst_Attention::tablesPrintHugeNumbersInScientificNotation()
{
    // A score of 1.5e201 printed with %.3f has 206 characters and was cut at 63 by a 64-byte buffer.
    Eigen::MatrixXd m(2, 2);
    m << 1.5e201, -std::numeric_limits<double>::infinity(), std::nan(""), -2.5e-7;
    const std::string table = formatMatrix("scores", m, {"a", "b"}, {"x", "y"}, 3);
    QCOMPARE(table, std::string("scores  (2 × 2)\n"
                                "            x       y\n"
                                "a  1.500e+201    -inf\n"
                                "b         nan   0.000\n"));
}

void tst_Attention::numberFormats_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("precision");
    QTest::addColumn<QString>("expected");
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("plain") << 0.5 << 3 << QStringLiteral("0.500");
    QTest::newRow("negative zero") << -0.0001 << 3 << QStringLiteral("0.000");
    QTest::newRow("tiny") << 1e-300 << 3 << QStringLiteral("0.000");
    QTest::newRow("just below a million") << 999999.25 << 2 << QStringLiteral("999999.25");
    QTest::newRow("a million") << 1e6 << 3 << QStringLiteral("1.000e+06");
    QTest::newRow("minus a million") << -1e6 << 1 << QStringLiteral("-1.0e+06");
    QTest::newRow("1.5e201") << 1.5e201 << 3 << QStringLiteral("1.500e+201");
    QTest::newRow("largest double") << std::numeric_limits<double>::max() << 12
                                    << QStringLiteral("1.797693134862e+308");
    QTest::newRow("precision 0") << 2.5e10 << 0 << QStringLiteral("2e+10");
    QTest::newRow("precision past 17") << 1.0 << 40 << QStringLiteral("1.00000000000000000");
    QTest::newRow("minus infinity") << -inf << 3 << QStringLiteral("-inf");
    QTest::newRow("infinity") << inf << 3 << QStringLiteral("inf");
    QTest::newRow("nan") << std::nan("") << 3 << QStringLiteral("nan");
}

void tst_Attention::numberFormats()
{
    QFETCH(double, value);
    QFETCH(int, precision);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(formatNumber(value, precision)), expected);
}

QTEST_APPLESS_MAIN(tst_Attention)
#include "tst_attention.moc"
