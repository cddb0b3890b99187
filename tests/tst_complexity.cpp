// The complexity deep dive's core: the least-squares n² fit, the plain path against the streaming one, the
// memory each path reports as n doubles, the memory cap and the cancel flag.
#include "complexity.h"
#include "fastattention.h"

#include <QTest>

#include <atomic>
#include <cmath>
#include <random>

using namespace attention;

class tst_Complexity : public QObject
{
    Q_OBJECT
private slots:
    void fitRecoversAKnownQuadratic();
    void fitWithALinearTerm();
    void plainPathMatchesTheStreamingOne();
    void memoryAgainstN();
    void plainPathIsCappedByMemory();
    void presetCancelRunsNothing();
    void cancelStopsInsideARun();
    void cancellableStreamingIsStreamingAttention();
    void cancelStopsInsideTheStreamingPath();
};

void tst_Complexity::fitRecoversAKnownQuadratic()
{
    std::vector<FitPoint> points;
    const double a = 3.7e-6;
    for (int n = 256; n <= 16384; n *= 2)
        points.push_back({double(n), a * n * double(n)});
    const QuadraticFit fit = fitQuadratic(points);
    QVERIFY(fit.ok);
    QCOMPARE(fit.points, 7);
    QVERIFY2(std::abs(fit.a - a) < 1e-12 * a, qPrintable(QString::number(fit.a, 'g', 17)));
    QCOMPARE(fit.b, 0.0);
    QVERIFY2(std::abs(fit.r2 - 1.0) < 1e-12, qPrintable(QString::number(fit.r2, 'g', 17)));
    QVERIFY(std::abs(fit.doublingRatio(4096) - 4.0) < 1e-12);
    QVERIFY(std::abs(fit.at(16384) - a * 16384.0 * 16384.0) < 1e-9);

    // Points off the curve lower R², and a linear law fits an n² model badly.
    std::vector<FitPoint> noisy = points;
    noisy[5].time *= 1.3;
    const QuadraticFit worse = fitQuadratic(noisy);
    QVERIFY(worse.ok && worse.r2 < 0.999 && worse.r2 > 0.5);
    std::vector<FitPoint> linear;
    for (int n = 256; n <= 16384; n *= 2)
        linear.push_back({double(n), 0.01 * n});
    QVERIFY2(fitQuadratic(linear).r2 < 0.95, qPrintable(QString::number(fitQuadratic(linear).r2)));
    QVERIFY(!fitQuadratic({}).ok);
}

void tst_Complexity::fitWithALinearTerm()
{
    std::vector<FitPoint> points;
    const double a = 2.5e-6, b = 4e-3;
    for (int n = 256; n <= 32768; n *= 2)
        points.push_back({double(n), a * n * double(n) + b * n});
    const QuadraticFit fit = fitQuadratic(points, true);
    QVERIFY(fit.ok);
    QVERIFY2(std::abs(fit.a - a) < 1e-9 * a, qPrintable(QString::number(fit.a, 'g', 17)));
    QVERIFY2(std::abs(fit.b - b) < 1e-9 * b, qPrintable(QString::number(fit.b, 'g', 17)));
    QVERIFY(std::abs(fit.r2 - 1.0) < 1e-12);
    // With the linear term, doubling costs less than 4× at small n and tends to 4× at large n.
    QVERIFY(fit.doublingRatio(256) < 3.0);
    QVERIFY(fit.doublingRatio(1 << 20) > 3.99);
    QVERIFY(!fitQuadratic({{100, 1}}, true).ok);
}

void tst_Complexity::plainPathMatchesTheStreamingOne()
{
    const int n = 300, d = 24; // not a multiple of any block or tile
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    auto random = [&]() {
        MatrixRowMajorF m(n, d);
        for (Eigen::Index i = 0; i < m.size(); ++i)
            m.data()[i] = dist(rng);
        return m;
    };
    const MatrixRowMajorF q = random(), k = random(), v = random();
    for (bool causal : {false, true}) {
        MatrixRowMajorF plain(n, d);
        std::size_t bytes = 0;
        QVERIFY(plainAttention(q.data(), k.data(), v.data(), n, d, true, causal, 2, plain.data(), &bytes));
        QCOMPARE(bytes, std::size_t(n) * n * sizeof(float));
        const MatrixRowMajorF stream = streamingAttention(q, k, v, true, causal, 2);
        const double diff = (plain - stream).cwiseAbs().maxCoeff();
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
        // The first row under the mask sees only the first key: its output is V's first row.
        if (causal)
            QVERIFY((plain.row(0) - v.row(0)).cwiseAbs().maxCoeff() < 1e-6);
    }
}

void tst_Complexity::memoryAgainstN()
{
    ComplexityOptions o;
    o.fused = true;
    o.maxRuns = 1;
    const ComplexityPoint p1 = measureComplexity(512, 64, 2, nullptr, o);
    const ComplexityPoint p2 = measureComplexity(1024, 64, 2, nullptr, o);
    const ComplexityPoint p3 = measureComplexity(2048, 64, 2, nullptr, o);
    for (const ComplexityPoint &p : {p1, p2, p3}) {
        QVERIFY(!p.cancelled);
        QVERIFY(p.plainRan && p.fusedRan && p.streamingRan);
        QVERIFY(p.plainMs > 0 && p.fusedMs > 0 && p.streamingMs > 0);
        QCOMPARE(p.plainRuns, 1);
        QVERIFY(p.plainBytes > 0 && p.fusedBytes > 0 && p.streamingBytes > 0);
        QCOMPARE(QString(p.kernel), QString(attentionKernelName()));
        QVERIFY(p.streamingBytes < p.plainBytes);
    }
    const double plainRatio = double(p2.plainBytes) / double(p1.plainBytes);
    const double plainRatio2 = double(p3.plainBytes) / double(p2.plainBytes);
    const double streamRatio = double(p2.streamingBytes) / double(p1.streamingBytes);
    const double streamRatio2 = double(p3.streamingBytes) / double(p2.streamingBytes);
    const double fusedRatio = double(p3.fusedBytes) / double(p2.fusedBytes);
    const QString all = QStringLiteral("plain %1 %2, streaming %3 %4, fused %5")
                            .arg(plainRatio)
                            .arg(plainRatio2)
                            .arg(streamRatio)
                            .arg(streamRatio2)
                            .arg(fusedRatio);
    QVERIFY2(std::abs(plainRatio - 4.0) < 0.05 && std::abs(plainRatio2 - 4.0) < 0.05, qPrintable(all));
    QVERIFY2(streamRatio <= 2.0 + 1e-9 && streamRatio2 <= 2.0 + 1e-9, qPrintable(all));
    QVERIFY2(fusedRatio <= 2.0 + 1e-9, qPrintable(all));
    // At 2,048 the plain path's scores alone are 16 MiB, the streaming path's buffers well under 1 MiB.
    QVERIFY2(p3.streamingBytes * 16 < p3.plainBytes, qPrintable(QString::number(p3.streamingBytes)));
}

void tst_Complexity::plainPathIsCappedByMemory()
{
    ComplexityOptions o;
    o.maxRuns = 1;
    o.plainLimitBytes = 1u << 20; // 1 MiB: n = 1,024 needs 4 MiB of scores
    const ComplexityPoint p = measureComplexity(1024, 32, 1, nullptr, o);
    QVERIFY(p.plainSkipped);
    QVERIFY(!p.plainRan);
    QCOMPARE(p.plainEstimateBytes, std::size_t(1024) * 1024 * 4);
    QVERIFY(p.streamingRan && p.streamingMs > 0);
    o.plainLimitBytes = 4u << 20; // exactly enough
    QVERIFY(measureComplexity(1024, 32, 1, nullptr, o).plainRan);
    // The default: a quarter of the available memory, at most 2 GiB.
    const std::size_t limit = defaultPlainLimitBytes();
    QVERIFY(limit > 0 && limit <= (std::size_t(2) << 30));
    if (availableMemoryBytes() > 0)
        QVERIFY(limit <= availableMemoryBytes() / 4);
}

void tst_Complexity::presetCancelRunsNothing()
{
    std::atomic<bool> cancel{true};
    ComplexityOptions o;
    o.fused = true;
    const ComplexityPoint p = measureComplexity(4096, 64, 2, &cancel, o);
    QVERIFY(p.cancelled);
    QVERIFY(!p.plainRan && !p.fusedRan && !p.streamingRan);
    QCOMPARE(p.plainRuns + p.fusedRuns + p.streamingRuns, 0);
}

void tst_Complexity::cancelStopsInsideARun()
{
    // The flag is set at the first progress report of the plain path (after its first block of rows): the
    // run stops within the blocks already started, long before its 3 × 32 blocks.
    std::atomic<bool> cancel{false};
    std::atomic<int> reports{0};
    ComplexityOptions o;
    o.streaming = false;
    o.progress = [&](double) {
        ++reports;
        cancel = true;
    };
    const ComplexityPoint p = measureComplexity(2048, 64, 2, &cancel, o);
    QVERIFY(p.cancelled);
    QVERIFY(!p.plainRan);
    QCOMPARE(p.plainRuns, 0);
    QVERIFY2(reports.load() >= 1 && reports.load() <= 2, qPrintable(QString::number(reports.load())));

    // The same run without the flag reports every block.
    std::atomic<int> all{0};
    o.progress = [&](double) { ++all; };
    o.maxRuns = 1;
    const ComplexityPoint whole = measureComplexity(2048, 64, 2, nullptr, o);
    QVERIFY(whole.plainRan && !whole.cancelled);
    QVERIFY2(all.load() >= 3 * 32, qPrintable(QString::number(all.load())));
}

void tst_Complexity::cancellableStreamingIsStreamingAttention()
{
    std::mt19937 rng(11);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (int n : {1, 300, 1024}) {
        const int d = n == 300 ? 24 : 64;
        auto random = [&]() {
            MatrixRowMajorF m(n, d);
            for (Eigen::Index i = 0; i < m.size(); ++i)
                m.data()[i] = dist(rng);
            return m;
        };
        const MatrixRowMajorF q = random(), k = random(), v = random();
        for (bool causal : {false, true})
            for (int tile : {256, 100}) {
                FastAttentionStats a, b;
                const MatrixRowMajorF expected =
                    streamingAttention(q, k, v, true, causal, 2, &a, AttentionKernel::Auto, tile);
                MatrixRowMajorF got;
                QVERIFY(streamingAttentionCancellable(q, k, v, true, causal, 2, &got, &b, nullptr, {}, tile));
                // The same kernels on the same blocks: the same floats, the same buffers.
                QCOMPARE(got.rows(), expected.rows());
                QVERIFY(got == expected);
                QCOMPARE(b.peakExtraBytes, a.peakExtraBytes);
                QCOMPARE(QString(b.kernel), QString(a.kernel));
                QCOMPARE(b.threads, a.threads);
            }
    }
}

void tst_Complexity::cancelStopsInsideTheStreamingPath()
{
    // At n = 4,096 the streaming path has 64 blocks of rows; the flag set after the first stops it there.
    std::atomic<bool> cancel{false};
    std::atomic<int> reports{0};
    ComplexityOptions o;
    o.plain = false;
    o.progress = [&](double) {
        ++reports;
        cancel = true;
    };
    const ComplexityPoint p = measureComplexity(4096, 64, 2, &cancel, o);
    QVERIFY(p.cancelled);
    QVERIFY(!p.streamingRan);
    QCOMPARE(p.streamingRuns, 0);
    QVERIFY2(reports.load() >= 1 && reports.load() <= 2, qPrintable(QString::number(reports.load())));
}

QTEST_APPLESS_MAIN(tst_Complexity)
#include "tst_complexity.moc"
