// The deep dives' core: the softmax's Jacobian against finite differences, the scaling experiment's
// spreads and gradients, and the recurrent network against a hand-worked example.
#include "deepdive.h"

#include <QTest>
#include <cmath>

using namespace attention;

class tst_DeepDive : public QObject
{
    Q_OBJECT
private slots:
    void jacobianMatchesFiniteDifferences();
    void scalingKeepsTheSpreadAndTheGradient();
    void rnnStepsByHand();
    void pathLengths();
    void headPatterns();
};

void tst_DeepDive::jacobianMatchesFiniteDifferences()
{
    Eigen::VectorXd z(5);
    z << 0.3, -1.2, 2.0, 0.0, 0.7;
    const Eigen::MatrixXd j = softmaxJacobian(z);
    const double h = 1e-6;
    for (int c = 0; c < z.size(); ++c) {
        Eigen::VectorXd up = z, down = z;
        up(c) += h;
        down(c) -= h;
        const Eigen::VectorXd numeric = (softmaxOf(up) - softmaxOf(down)) / (2 * h);
        for (int r = 0; r < z.size(); ++r)
            QVERIFY2(std::abs(numeric(r) - j(r, c)) < 1e-8, qPrintable(QString::number(numeric(r) - j(r, c))));
    }
    // Each column sums to 0: the weights always sum to 1, whatever the scores do.
    for (int c = 0; c < z.size(); ++c)
        QVERIFY(std::abs(j.col(c).sum()) < 1e-15);
    QVERIFY(std::abs(entropyOf(softmaxOf(Eigen::VectorXd::Zero(4))) - std::log(4.0)) < 1e-12);
}

void tst_DeepDive::scalingKeepsTheSpreadAndTheGradient()
{
    const ScalingPoint small = scalingExperiment(4, 16, 400, 7);
    const ScalingPoint large = scalingExperiment(512, 16, 400, 7);
    // Raw scores spread like √d_k (2 and 22.6); scaled ones stay near 1.
    QVERIFY2(std::abs(small.rawSpread - 2.0) < 0.2, qPrintable(QString::number(small.rawSpread)));
    QVERIFY2(std::abs(large.rawSpread - std::sqrt(512.0)) < 1.5, qPrintable(QString::number(large.rawSpread)));
    QVERIFY(std::abs(small.scaledSpread - 1.0) < 0.1);
    QVERIFY(std::abs(large.scaledSpread - 1.0) < 0.1);
    // Unscaled, d_k = 512 saturates: one weight near 1, entropy near 0, and the gradient all but gone.
    QVERIFY2(large.rawMaxWeight > 0.9, qPrintable(QString::number(large.rawMaxWeight)));
    QVERIFY(large.rawEntropy < 0.3);
    // (0.084 against 0.304 here.)
    QVERIFY2(large.rawGradient < 0.35 * large.scaledGradient,
             qPrintable(QStringLiteral("%1 %2").arg(large.rawGradient).arg(large.scaledGradient)));
    QVERIFY2(large.rawGradient < 0.5 * small.rawGradient,
             qPrintable(QStringLiteral("%1 %2").arg(large.rawGradient).arg(small.rawGradient)));
    // Scaled, the gradient is the same size at both d_k (within 15%).
    QVERIFY(std::abs(large.scaledGradient - small.scaledGradient) < 0.15 * small.scaledGradient);
    QCOMPARE(int(large.rawScores.size()), 16);
    QVERIFY(std::abs(large.rawScores[3] / std::sqrt(512.0) - large.scaledScores[3]) < 1e-12);
}

void tst_DeepDive::rnnStepsByHand()
{
    // One hidden unit, one input: h_t = tanh(0.5 x_t + 0.8 h_{t-1} + 0.1).
    Eigen::MatrixXd x(3, 1);
    x << 1.0, 0.0, -1.0;
    const RnnTrace t = runRnn(x, Eigen::MatrixXd::Constant(1, 1, 0.5), Eigen::MatrixXd::Constant(1, 1, 0.8),
                              Eigen::VectorXd::Constant(1, 0.1));
    QCOMPARE(t.sequentialSteps, 3);
    const double h1 = std::tanh(0.6);           // 0.537050
    const double h2 = std::tanh(0.8 * h1 + 0.1); // tanh(0.529640) = 0.485096
    const double h3 = std::tanh(-0.5 + 0.8 * h2 + 0.1);
    QVERIFY(std::abs(t.hidden[0](0) - 0.5370495669980353) < 1e-12);
    QVERIFY(std::abs(t.hidden[0](0) - h1) < 1e-15);
    QVERIFY(std::abs(t.hidden[1](0) - h2) < 1e-15);
    QVERIFY(std::abs(t.hidden[2](0) - h3) < 1e-15);
    // Shapes that do not fit give no steps rather than a crash.
    QCOMPARE(runRnn(x, Eigen::MatrixXd::Ones(1, 2), Eigen::MatrixXd::Ones(1, 1), Eigen::VectorXd::Ones(1)).sequentialSteps, 0);
}

void tst_DeepDive::pathLengths()
{
    // "animal" (1) … "it" (7): six hops through an RNN, one through attention.
    QCOMPARE(rnnPathLength(1, 7), 6);
    QCOMPARE(attentionPathLength(1, 7), 1);
    QCOMPARE(attentionPathLength(3, 3), 0);
}

// What a head does, read off its weights: itself, the previous token, even weights, one key for every row.
void tst_DeepDive::headPatterns()
{
    const HeadPattern self = headPattern(Eigen::MatrixXd::Identity(4, 4));
    QCOMPARE(self.self, 1.0);
    QCOMPARE(self.spread, 0.0);
    QCOMPARE(self.pairQuery, -1); // no weight on another token at all
    Eigen::MatrixXd previous = Eigen::MatrixXd::Zero(4, 4);
    previous(0, 0) = 1;
    for (int i = 1; i < 4; ++i)
        previous(i, i - 1) = 1;
    const HeadPattern prev = headPattern(previous);
    QCOMPARE(prev.previous, 1.0);
    QVERIFY(prev.hasPrevious && prev.hasNext);
    QCOMPARE(prev.next, 0.0);
    QCOMPARE(prev.pairWeight, 1.0);
    const HeadPattern even = headPattern(Eigen::MatrixXd::Constant(4, 4, 0.25));
    QVERIFY(std::abs(even.spread - 1.0) < 1e-12);
    QVERIFY(std::abs(even.self - 0.25) < 1e-12);
    Eigen::MatrixXd first = Eigen::MatrixXd::Zero(3, 3);
    first.col(0).setOnes();
    const HeadPattern column = headPattern(first);
    QCOMPARE(column.mostKey, 0);
    QCOMPARE(column.mostKeyShare, 1.0);
    // A fully masked row is left out of every average.
    Eigen::MatrixXd masked = Eigen::MatrixXd::Identity(3, 3);
    masked.row(2).setZero();
    QCOMPARE(headPattern(masked).self, 1.0);
}

QTEST_MAIN(tst_DeepDive)
#include "tst_deepdive.moc"
