// The masking deep dive's core: the cells a decoder may see at each step, the prefix check (a trace of the
// first t tokens alone gives the causal trace's first t rows), and the cheating experiment on the shipped
// models (with the mask, no earlier output moves; without it, they do).
#include "maskingdive.h"
#include "modelio.h"
#include "testmodels.h"

#include <QTest>
#include <cmath>

using namespace attention;

namespace {

std::shared_ptr<const Model> shipped(const char *name)
{
    const ModelLoad load = loadModel(QString::fromLatin1(name));
    return load.model;
}

QString numbers(const std::vector<double> &v)
{
    QStringList s;
    for (double x : v)
        s << QString::number(x, 'g', 4);
    return s.join(QLatin1Char(' '));
}

} // namespace

class tst_MaskingDive : public QObject
{
    Q_OBJECT
private slots:
    void visibleCellsAreTheTriangle();
    void decodingReadsTheCausalTrace();
    void aPrefixAloneGivesTheSameRows_data();
    void aPrefixAloneGivesTheSameRows();
    void theMaskStopsTheCheating_data();
    void theMaskStopsTheCheating();
    void oneHeadsAttentionOutput();
    void defaultsAndErrors();
};

void tst_MaskingDive::visibleCellsAreTheTriangle()
{
    for (int t = 0; t <= 6; ++t) {
        const BoolMatrix v = visibleAtStep(6, t);
        QCOMPARE(int(v.rows()), 6);
        QCOMPARE(int(v.count()), t * (t + 1) / 2);
        for (int i = 0; i < 6; ++i)
            for (int j = 0; j < 6; ++j)
                QCOMPARE(bool(v(i, j)), i < t && j <= i);
    }
    QCOMPARE(int(visibleAtStep(4, 9).count()), 10); // clamped to n
    QCOMPARE(int(visibleAtStep(4, -1).count()), 0);
}

void tst_MaskingDive::decodingReadsTheCausalTrace()
{
    const auto model = shipped("trained");
    QVERIFY(model);
    TraceOptions o;
    o.mask = MaskMode::Causal;
    const TraceResult r = traceText(model, defaultMaskingSentence(), o);
    QVERIFY(r.ok());
    const int n = r.trace.tokenCount();
    QCOMPARE(n, 12);
    const Eigen::MatrixXd head1 = r.trace.layers.back().heads[1].weights;
    const Eigen::MatrixXd average = averageHeadWeights(r.trace.layers.back());
    for (int t = 1; t <= n; ++t) {
        const DecodingStep s = decodingStep(r.trace, t, HeadChoice{-1, 1});
        QCOMPARE(s.step, t);
        QCOMPARE(int(s.newest.size()), t);
        for (int i = 0; i < n; ++i) {
            double sum = 0;
            for (int j = 0; j < n; ++j) {
                QCOMPARE(s.weights(i, j), s.visible(i, j) ? head1(i, j) : 0.0);
                sum += s.weights(i, j);
            }
            // Each row that exists is a whole distribution over the keys it may see.
            QVERIFY(i < t ? std::abs(sum - 1) < 1e-12 : sum == 0);
        }
        for (int j = 0; j < t; ++j)
            QCOMPARE(s.newest[std::size_t(j)], head1(t - 1, j));
    }
    const DecodingStep avg = decodingStep(r.trace, 8);
    QCOMPARE(avg.weights(7, 1), average(7, 1)); // "it" → "animal", the average of the last layer's heads
    QVERIFY(decodingStep(r.trace, 0).newest.empty());
}

void tst_MaskingDive::aPrefixAloneGivesTheSameRows_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("didactic") << QStringLiteral("didactic");
    QTest::newRow("trained") << QStringLiteral("trained");
    QTest::newRow("random, full blocks") << QString();
}

void tst_MaskingDive::aPrefixAloneGivesTheSameRows()
{
    QFETCH(QString, model);
    std::shared_ptr<const Model> m;
    std::vector<Token> tokens;
    if (model.isEmpty()) {
        m = testing::randomModel(8, 4, 3, 2, 9, true, 11);
        tokens = tokensFromWords({"w1", "w4", "w0", "w8", "w2", "w2", "w7", "w3"});
    } else {
        m = shipped(qPrintable(model));
        tokens = tokenize(defaultMaskingSentence());
    }
    QVERIFY(m);
    double worst = 0;
    for (int t = 1; t <= int(tokens.size()); ++t) {
        const double d = prefixDifference(m, tokens, t);
        QVERIFY2(d >= 0, qPrintable(QString::number(t)));
        worst = std::max(worst, d);
    }
    // A decoder at step t computes exactly those rows: nothing before t depends on a later token.
    QVERIFY2(worst <= 1e-9, qPrintable(QString::number(worst)));
    qInfo("%s: largest difference over every step %g", qPrintable(model), worst);
    // Not a test that cannot fail: the same prefix without the mask does differ from the full trace.
    TraceOptions open;
    const TraceResult full = traceTokens(m, tokens, open);
    const TraceResult part = traceTokens(m, std::vector<Token>(tokens.begin(), tokens.begin() + 4), open);
    QVERIFY(full.ok() && part.ok());
    const double openDiff =
        (full.trace.finalOutput().topRows(4) - part.trace.finalOutput()).cwiseAbs().maxCoeff();
    QVERIFY2(openDiff > 1e-3, qPrintable(QString::number(openDiff)));
}

void tst_MaskingDive::theMaskStopsTheCheating_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<double>("least"); // the unmasked change of "it" is at least this (measured, below)
    QTest::newRow("didactic") << QStringLiteral("didactic") << 0.04; // 0.047
    QTest::newRow("trained") << QStringLiteral("trained") << 12.0;   // 17.2
}

void tst_MaskingDive::theMaskStopsTheCheating()
{
    QFETCH(QString, model);
    QFETCH(double, least);
    const auto m = shipped(qPrintable(model));
    QVERIFY(m);
    const std::vector<Token> tokens = tokenize(defaultMaskingSentence());
    const int j = defaultCheatingPosition(tokens);
    QCOMPARE(tokens[std::size_t(j)].text, std::string("tired"));
    const CheatingResult r = cheatingExperiment(m, tokens, j, "wide");
    QVERIFY2(r.ok(), r.error.c_str());
    QCOMPARE(r.position, 10);
    QCOMPARE(int(r.causal.size()), 10);
    QCOMPARE(int(r.unmasked.size()), 10);
    QCOMPARE(r.changed[10].text, std::string("wide"));
    QCOMPARE(r.changed[7].text, std::string("it"));
    qInfo("%s causal: %s", qPrintable(model), qPrintable(numbers(r.causal)));
    qInfo("%s no mask: %s (most: %s)", qPrintable(model), qPrintable(numbers(r.unmasked)),
          tokens[std::size_t(r.unmaskedArgMax)].text.c_str());
    // With the mask, no position before "tired" can tell it was changed.
    for (double c : r.causal)
        QVERIFY2(c <= 1e-12, qPrintable(QString::number(c)));
    QVERIFY(r.causalMax <= 1e-12);
    // Without it, every earlier position reads the new word.
    QVERIFY2(r.unmasked[7] > least, qPrintable(QString::number(r.unmasked[7])));
    for (double c : r.unmasked)
        QVERIFY2(c > 1e-6, qPrintable(numbers(r.unmasked)));
    QCOMPARE(r.unmaskedMax, *std::max_element(r.unmasked.begin(), r.unmasked.end()));
}

void tst_MaskingDive::oneHeadsAttentionOutput()
{
    const auto m = shipped("trained");
    QVERIFY(m);
    CheatingOptions o;
    o.measure = CheatingMeasure::AttentionOutput;
    o.choice = HeadChoice{0, 1};
    const CheatingResult r = cheatingExperiment(m, std::string(defaultMaskingSentence()), 5, "sky", o);
    QVERIFY2(r.ok(), r.error.c_str());
    QCOMPARE(int(r.causal.size()), 5);
    qInfo("layer 1 head 2, 'street' → 'sky', no mask: %s", qPrintable(numbers(r.unmasked)));
    for (double c : r.causal)
        QVERIFY(c <= 1e-12);
    // By hand for position 2: the head's output row, from the two unmasked traces.
    TraceOptions open;
    const TraceResult a = traceTokens(m, r.tokens, open);
    const TraceResult b = traceTokens(m, r.changed, open);
    QVERIFY(a.ok() && b.ok());
    const double byHand =
        (a.trace.layers[0].heads[1].output.row(2) - b.trace.layers[0].heads[1].output.row(2)).norm();
    QCOMPARE(r.unmasked[2], byHand);
    QVERIFY(byHand > 1e-6);
    QCOMPARE(int(measuredRows(a.trace, o).cols()), m->d_k);
    o.choice.head = -1; // the average of heads: the layer's attention output, d_model wide
    QCOMPARE(int(measuredRows(a.trace, o).cols()), m->d_model);
}

void tst_MaskingDive::defaultsAndErrors()
{
    const auto m = shipped("didactic");
    QVERIFY(m);
    QVERIFY(!cheatingExperiment(m, std::string("The cat sat."), 0, "dog").ok()); // nothing before 0
    QVERIFY(!cheatingExperiment(m, std::string("The cat sat."), 4, "dog").ok()); // past the end ("." is 3)
    QVERIFY(!cheatingExperiment(m, std::string("The cat sat."), 1, "big dog").ok());
    QVERIFY(!cheatingExperiment(m, std::string("The cat sat."), 1, "").ok());
    QVERIFY(!cheatingExperiment(nullptr, std::string("The cat sat."), 1, "dog").ok());
    QVERIFY(cheatingExperiment(m, std::string("The cat sat."), 2, "ran").ok());
    QCOMPARE(defaultCheatingPosition(tokenize("The cat sat.")), 2);
    QCOMPARE(defaultCheatingPosition(tokenize("Hi")), -1);
    QCOMPARE(replacementWords("tired").front(), std::string("wide"));
    QCOMPARE(replacementWords("Wide").front(), std::string("tired"));
}

QTEST_MAIN(tst_MaskingDive)
#include "tst_maskingdive.moc"
