// The fast and streaming attention paths against a plain double-precision reference, on random inputs, with
// and without the causal mask, at sizes that are not multiples of the tile, with both compiled kernels.
#include "attention.h"
#include "eigenkernels.h"
#include "fastattention.h"

#include <QTest>

#include <Eigen/Dense>
#include <cmath>
#include <random>

using namespace attention;

namespace {

MatrixRowMajorF randomMatrix(int rows, int cols, std::mt19937 &rng, float spread)
{
    std::normal_distribution<float> dist(0.0f, spread);
    MatrixRowMajorF m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = dist(rng);
    return m;
}

// softmax(Q·Kᵀ·s with the mask) · V in double, the straightforward way.
Eigen::MatrixXd reference(const MatrixRowMajorF &q, const MatrixRowMajorF &k, const MatrixRowMajorF &v,
                          bool scale, bool causal)
{
    const Eigen::MatrixXd qd = q.cast<double>(), kd = k.cast<double>(), vd = v.cast<double>();
    Eigen::MatrixXd s = qd * kd.transpose();
    if (scale)
        s /= std::sqrt(static_cast<double>(q.cols()));
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        const Eigen::Index cnt = causal ? i + 1 : s.cols();
        const double m = s.row(i).head(cnt).maxCoeff();
        double sum = 0.0;
        for (Eigen::Index j = 0; j < s.cols(); ++j) {
            s(i, j) = j < cnt ? std::exp(s(i, j) - m) : 0.0;
            sum += s(i, j);
        }
        s.row(i) /= sum;
    }
    return s * vd;
}

double maxAbsDiff(const MatrixRowMajorF &a, const Eigen::MatrixXd &b)
{
    return (a.cast<double>() - b).cwiseAbs().maxCoeff();
}

} // namespace

class tst_FastAttention : public QObject
{
    Q_OBJECT
private slots:
    void matchesReference_data();
    void matchesReference();
    void kernelNames();
    void streamingMemoryIsLinear();
    void causalFirstRowIsFirstValue();
    void rejectsMismatchedShapes();
    void softmaxKernelsAgree();
    void yardstickIsTheTwoProducts();
};

void tst_FastAttention::matchesReference_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("d");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<bool>("scale");
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("threads");
    const AttentionKernel kernels[] = {AttentionKernel::Generic, AttentionKernel::Avx2};
    for (int n : {1, 7, 257, 300})
        for (int d : {16, 64, 20})
            for (bool causal : {false, true})
                for (AttentionKernel kernel : kernels) {
                    const int threads = n > 100 ? 2 : 1;
                    const QByteArray name = QByteArray("n=") + QByteArray::number(n) + " d=" + QByteArray::number(d)
                                            + (causal ? " causal " : " full ") + attentionKernelName(kernel);
                    QTest::newRow(name.constData()) << n << d << causal << (d != 20) << int(kernel) << threads;
                }
}

void tst_FastAttention::matchesReference()
{
    QFETCH(int, n);
    QFETCH(int, d);
    QFETCH(bool, causal);
    QFETCH(bool, scale);
    QFETCH(int, kernel);
    QFETCH(int, threads);
    std::mt19937 rng(1234u + static_cast<unsigned>(n * 131 + d));
    // A wide spread makes the softmax peaked, so the running max changes from tile to tile.
    const MatrixRowMajorF q = randomMatrix(n, d, rng, 1.5f), k = randomMatrix(n, d, rng, 1.5f),
                          v = randomMatrix(n, d, rng, 1.0f);
    const Eigen::MatrixXd want = reference(q, k, v, scale, causal);
    const auto request = static_cast<AttentionKernel>(kernel);

    FastAttentionStats fastStats, streamStats, smallTileStats;
    const MatrixRowMajorF fast = fastAttention(q, k, v, scale, causal, threads, &fastStats, request);
    const MatrixRowMajorF stream = streamingAttention(q, k, v, scale, causal, threads, &streamStats, request);
    // Tiles of 24 columns: many tiles per row, and diagonal tiles that are partly masked.
    const MatrixRowMajorF smallTiles =
        streamingAttention(q, k, v, scale, causal, threads, &smallTileStats, request, 24);
    QCOMPARE(fast.rows(), Eigen::Index(n));
    QCOMPARE(fast.cols(), Eigen::Index(d));
    QCOMPARE(QByteArray(fastStats.kernel), QByteArray(attentionKernelName(request)));
    QCOMPARE(QByteArray(streamStats.kernel), QByteArray(attentionKernelName(request)));
    const double dFast = maxAbsDiff(fast, want), dStream = maxAbsDiff(stream, want),
                 dSmall = maxAbsDiff(smallTiles, want);
    QVERIFY2(dFast < 1e-4, qPrintable(QString("fast differs by %1").arg(dFast)));
    QVERIFY2(dStream < 1e-4, qPrintable(QString("streaming differs by %1").arg(dStream)));
    QVERIFY2(dSmall < 1e-4, qPrintable(QString("streaming (tile 24) differs by %1").arg(dSmall)));
    QVERIFY(fastStats.peakExtraBytes > 0);
    QVERIFY(streamStats.peakExtraBytes > 0);
}

void tst_FastAttention::kernelNames()
{
    QCOMPARE(QByteArray(attentionKernelName(AttentionKernel::Generic)), QByteArray("generic"));
    const QByteArray expected = cpuHasAvx2Fma() ? "avx2" : "generic";
    QCOMPARE(QByteArray(attentionKernelName()), expected);
    QCOMPARE(QByteArray(attentionKernelName(AttentionKernel::Avx2)), expected);
    if (!cpuHasAvx2Fma())
        qInfo("this processor lacks AVX2 or FMA: the avx2 rows ran the generic kernel");
}

void tst_FastAttention::streamingMemoryIsLinear()
{
    // The counted buffers: doubling n about doubles the streaming path's extra bytes (Kᵀ grows, the
    // per-thread tiles do not), while the fast path's scores strip grows with n too but stays rows × n.
    std::mt19937 rng(7);
    FastAttentionStats a, b;
    for (int n : {1000, 2000}) {
        const MatrixRowMajorF q = randomMatrix(n, 16, rng, 1.0f);
        streamingAttention(q, q, q, true, false, 1, n == 1000 ? &a : &b);
    }
    const std::size_t tiles = (64 * 256 + 2 * 64) * sizeof(float);
    QCOMPARE(a.peakExtraBytes, std::size_t(16 * 1000 * sizeof(float)) + tiles);
    QCOMPARE(b.peakExtraBytes, std::size_t(16 * 2000 * sizeof(float)) + tiles);
    QVERIFY(b.peakExtraBytes < std::size_t(2000) * 2000 * sizeof(float) / 4);
}

void tst_FastAttention::causalFirstRowIsFirstValue()
{
    // With the causal mask the first query sees only the first key: its output is V's first row exactly.
    std::mt19937 rng(3);
    const MatrixRowMajorF q = randomMatrix(50, 16, rng, 1.0f), v = randomMatrix(50, 16, rng, 1.0f);
    for (AttentionKernel kernel : {AttentionKernel::Generic, AttentionKernel::Avx2}) {
        const MatrixRowMajorF f = fastAttention(q, q, v, true, true, 2, nullptr, kernel);
        const MatrixRowMajorF s = streamingAttention(q, q, v, true, true, 2, nullptr, kernel, 16);
        QVERIFY((f.row(0) - v.row(0)).cwiseAbs().maxCoeff() < 1e-6f);
        QVERIFY((s.row(0) - v.row(0)).cwiseAbs().maxCoeff() < 1e-6f);
    }
}

void tst_FastAttention::rejectsMismatchedShapes()
{
    const MatrixRowMajorF a = MatrixRowMajorF::Zero(4, 8), b = MatrixRowMajorF::Zero(5, 8);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fastAttention(a, b, b, true, false, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, streamingAttention(a, a, b, true, false, 1));
}

// The teaching trace's softmax runs in the build for this processor: both builds give the same weights
// (to rounding), exactly 0 on blocked cells, and rows that sum to 1, as the plain formula does.
void tst_FastAttention::softmaxKernelsAgree()
{
    std::mt19937 rng(7);
    std::normal_distribution<double> dist(0.0, 3.0);
    const int n = 37, m = 53;
    Eigen::MatrixXd masked(n, m);
    for (Eigen::Index i = 0; i < masked.size(); ++i)
        masked.data()[i] = dist(rng);
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < m; ++j)
            masked(i, j) = -std::numeric_limits<double>::infinity();
    Eigen::VectorXd rowMax = masked.rowwise().maxCoeff();
    Eigen::MatrixXd generic(n, m), avx2(n, m);
    Eigen::VectorXd genericSum(n), avx2Sum(n);
    attention_eigenkernels::softmaxColumnsFor(false)(masked.data(), rowMax.data(), n, m, generic.data(), genericSum.data());
    if (cpuHasAvx2Fma())
        attention_eigenkernels::softmaxColumnsFor(true)(masked.data(), rowMax.data(), n, m, avx2.data(), avx2Sum.data());
    else
        avx2 = generic, avx2Sum = genericSum;
    for (int i = 0; i < n; ++i) {
        double sum = 0.0;
        for (int j = 0; j < m; ++j) {
            const double plain = j <= i ? std::exp(masked(i, j) - rowMax(i)) : 0.0;
            sum += plain;
            QVERIFY2(std::abs(generic(i, j) - plain) <= 1e-14 * std::max(1.0, plain), qPrintable(QString::number(i)));
            QVERIFY(std::abs(avx2(i, j) - plain) <= 1e-14 * std::max(1.0, plain));
            if (j > i) {
                QCOMPARE(generic(i, j), 0.0);
                QCOMPARE(avx2(i, j), 0.0);
            }
        }
        QVERIFY(std::abs(genericSum(i) - sum) < 1e-12 && std::abs(avx2Sum(i) - sum) < 1e-12);
    }
    // Through the public softmax: each row a distribution, blocked cells exactly 0.
    const Eigen::MatrixXd w = maskedSoftmax(masked);
    for (int i = 0; i < n; ++i) {
        QVERIFY(std::abs(w.row(i).sum() - 1.0) < 1e-12);
        QCOMPARE(w(i, m - 1), 0.0);
    }
}

// The bench's yardstick computes (Q·Kᵀ)·V with each build, whatever the split of rows.
void tst_FastAttention::yardstickIsTheTwoProducts()
{
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    const long n = 45, d = 12;
    MatrixRowMajorF q(n, d), k(n, d), v(n, d);
    for (MatrixRowMajorF *m : {&q, &k, &v})
        for (Eigen::Index i = 0; i < m->size(); ++i)
            m->data()[i] = dist(rng);
    const Eigen::MatrixXd expected = (q.cast<double>() * k.cast<double>().transpose()) * v.cast<double>();
    for (bool avx2 : {false, true}) {
        if (avx2 && !cpuHasAvx2Fma())
            continue;
        MatrixRowMajorF out(n, d);
        std::vector<float> w(static_cast<std::size_t>(n * n));
        const auto rows = attention_eigenkernels::matmulRowsFor(avx2);
        rows(q.data(), k.data(), v.data(), n, d, 0, 20, w.data(), out.data());
        rows(q.data(), k.data(), v.data(), n, d, 20, n, w.data() + 20 * n, out.data());
        const double diff = (out.cast<double>() - expected).cwiseAbs().maxCoeff();
        QVERIFY2(diff < 1e-3 * expected.cwiseAbs().maxCoeff(), qPrintable(QString::number(diff)));
    }
}

QTEST_APPLESS_MAIN(tst_FastAttention)
#include "tst_fastattention.moc"
