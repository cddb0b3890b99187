// The RNN deep dive's core: fixed weights, the hidden states, and ∂h_j/∂x_i by the chain rule against
// finite differences.
#include "rnndive.h"

#include <QTest>
#include <cmath>

using namespace attention;

class tst_RnnDive : public QObject
{
    Q_OBJECT
private slots:
    void weightsAreFixedAndContracting();
    void jacobianMatchesFiniteDifferences();
    void influenceIsTheJacobiansNorm();
    void influenceFadesWithDistance();
    void refusesWhatDoesNotFit();
};

namespace {
Eigen::MatrixXd someInputs(int n, int d)
{
    Eigen::MatrixXd x(n, d);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < d; ++c)
            x(r, c) = std::sin(1.3 * r + 0.7 * c + 0.25) * 0.8; // varied, smooth, nothing special
    return x;
}
Eigen::VectorXd lastHidden(const Eigen::MatrixXd &x, const RnnWeights &w, int to)
{
    return runRnn(x.topRows(to + 1), w.wx, w.wh, w.b).hidden.back();
}
} // namespace

void tst_RnnDive::weightsAreFixedAndContracting()
{
    const RnnWeights a = rnnWeights(32, 32);
    const RnnWeights b = rnnWeights(32, 32);
    QCOMPARE(a.wx.rows(), 32);
    QCOMPARE(a.wx.cols(), 32);
    QCOMPARE(a.wh.rows(), 32);
    QCOMPARE(a.b.size(), 32);
    QVERIFY(a.wx == b.wx && a.wh == b.wh && a.b == b.b); // the same numbers every time
    QVERIFY(rnnWeights(32, 32, 12).wx != a.wx);          // another seed, other numbers
    const double top = Eigen::JacobiSVD<Eigen::MatrixXd>(a.wh).singularValues()(0);
    QVERIFY2(std::abs(top - kRnnRecurrentNorm) < 1e-12, qPrintable(QString::number(top, 'g', 17)));
    // W_x's entries have variance about 1/inputs.
    const double variance = a.wx.array().square().mean();
    QVERIFY2(variance > 0.7 / 32 && variance < 1.3 / 32, qPrintable(QString::number(variance * 32)));
    QCOMPARE(rnnWeights(8, 5).wx.cols(), 8);
    QCOMPARE(rnnWeights(8, 5).wx.rows(), 5);
}

void tst_RnnDive::jacobianMatchesFiniteDifferences()
{
    const int n = 9, d = 6, hidden = 5;
    const Eigen::MatrixXd x = someInputs(n, d);
    const RnnWeights w = rnnWeights(d, hidden, 3);
    const double eps = 1e-6;
    double worst = 0;
    for (const auto &[from, to] :
         {std::pair{0, 0}, std::pair{1, 7}, std::pair{2, 3}, std::pair{0, 8}, std::pair{5, 8}}) {
        const Eigen::MatrixXd j = rnnJacobian(x, w, from, to);
        QCOMPARE(j.rows(), hidden);
        QCOMPARE(j.cols(), d);
        QVERIFY(j.norm() > 1e-6); // a real derivative, not a zero that would match anything flat
        for (int c = 0; c < d; ++c) {
            Eigen::MatrixXd plus = x, minus = x;
            plus(from, c) += eps;
            minus(from, c) -= eps;
            const Eigen::VectorXd numeric = (lastHidden(plus, w, to) - lastHidden(minus, w, to)) / (2 * eps);
            worst = std::max(worst, (numeric - j.col(c)).cwiseAbs().maxCoeff());
        }
    }
    QVERIFY2(worst < 1e-8, qPrintable(QString::number(worst, 'g', 3)));
    // A later token cannot influence an earlier state.
    QVERIFY(rnnJacobian(x, w, 4, 2).isZero(0));
}

void tst_RnnDive::influenceIsTheJacobiansNorm()
{
    const Eigen::MatrixXd x = someInputs(12, 8);
    const RnnWeights w = rnnWeights(8, 8);
    const RnnInfluence r = rnnInfluence(x, w, 1);
    QCOMPARE(int(r.trace.hidden.size()), 12);
    QCOMPARE(r.trace.sequentialSteps, 12);
    QCOMPARE(int(r.influence.size()), 12);
    QCOMPARE(r.influence[0], 0.0);
    for (int j = 1; j < 12; ++j)
        QVERIFY(std::abs(r.influence[std::size_t(j)] - rnnJacobian(x, w, 1, j).norm()) < 1e-12);
    QCOMPARE(r.relative[1], 1.0);
    // The hidden states are runRnn's.
    const RnnTrace t = runRnn(x, w.wx, w.wh, w.b);
    QVERIFY((t.hidden[11] - r.trace.hidden[11]).norm() == 0);
}

void tst_RnnDive::influenceFadesWithDistance()
{
    // ‖D_t‖ ≤ 1 and ‖W_h‖ = 0.9: each step keeps at most 90 % of the influence it is handed.
    const Eigen::MatrixXd x = someInputs(20, 16);
    const RnnWeights w = rnnWeights(16, 16);
    const RnnInfluence r = rnnInfluence(x, w, 0);
    for (int j = 1; j < 20; ++j)
        QVERIFY2(r.influence[std::size_t(j)] <= kRnnRecurrentNorm * r.influence[std::size_t(j - 1)] + 1e-15,
                 qPrintable(QStringLiteral("step %1: %2 after %3")
                                .arg(j)
                                .arg(r.influence[std::size_t(j)])
                                .arg(r.influence[std::size_t(j - 1)])));
    QVERIFY(r.relative[19] < std::pow(kRnnRecurrentNorm, 19) + 1e-15);
    QVERIFY(r.relative[19] > 0);
}

void tst_RnnDive::refusesWhatDoesNotFit()
{
    const Eigen::MatrixXd x = someInputs(4, 3);
    QVERIFY(rnnInfluence(x, rnnWeights(5, 4), 0).trace.hidden.empty()); // 3 inputs, weights for 5
    QVERIFY(rnnInfluence(x, rnnWeights(3, 4), 4).trace.hidden.empty()); // no token 4
    QVERIFY(rnnInfluence(x, rnnWeights(3, 4), -1).influence.empty());
    QVERIFY(rnnJacobian(x, rnnWeights(3, 4), 0, 9).size() == 0);
    QVERIFY(rnnWeights(0, 4).wx.size() == 0);
}

QTEST_APPLESS_MAIN(tst_RnnDive)
#include "tst_rnndive.moc"
