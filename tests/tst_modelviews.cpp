// The model-level views (grid of heads, layer flow, word comparison) and the core helpers behind them.
#include "attention.h"
#include "compare.h"
#include "compareview.h"
#include "layerflowview.h"
#include "modelgridview.h"
#include "testmodels.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

using namespace attention;

namespace {

AttentionTrace traceOf(const std::shared_ptr<const Model> &model, const std::string &text)
{
    TraceResult result = traceText(model, text);
    if (!result.ok())
        qFatal("trace failed: %s", result.error.c_str());
    return std::move(result.trace);
}

// A rendered widget counts as drawn when it holds more than a handful of colours: a blank one
// holds only the window colour.
int distinctColors(const QImage &image)
{
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            colors.insert(image.pixel(x, y));
    return static_cast<int>(colors.size());
}

Eigen::RowVectorXd row(std::initializer_list<double> values)
{
    Eigen::RowVectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double x : values)
        v[i++] = x;
    return v;
}

} // namespace

class tst_ModelViews : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void cosineSimilarity_data();
    void cosineSimilarity();
    void distanceAndStrongestKeys();
    void averageHeadWeights();

    void gridCellsAreDistinct();
    void gridClickActivatesHead();
    void gridKeyboardAndEdgeCases();
    void compareSameWord();
    void compareInvalid();
    void layerFlow();

private:
    std::shared_ptr<const Model> m_small = testing::randomModel(8, 4, 2, 2, 10, true);
};

void tst_ModelViews::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void tst_ModelViews::cosineSimilarity_data()
{
    QTest::addColumn<Eigen::RowVectorXd>("a");
    QTest::addColumn<Eigen::RowVectorXd>("b");
    QTest::addColumn<double>("expected"); // NaN = undefined
    // Worked by hand: cos = a·b / (‖a‖‖b‖).
    QTest::newRow("orthogonal") << row({1, 0}) << row({0, 1}) << 0.0;
    QTest::newRow("parallel, different lengths") << row({1, 2}) << row({2, 4}) << 1.0; // 10 / (√5·√20)
    QTest::newRow("opposite") << row({1, 0}) << row({-3, 0}) << -1.0;                  // −3 / 3
    QTest::newRow("45 degrees") << row({1, 0}) << row({1, 1}) << 1.0 / std::sqrt(2.0); // 1 / √2
    QTest::newRow("zero vector is undefined") << row({0, 0}) << row({1, 2}) << std::nan("");
    QTest::newRow("both zero is undefined") << row({0, 0}) << row({0, 0}) << std::nan("");
}

void tst_ModelViews::cosineSimilarity()
{
    QFETCH(Eigen::RowVectorXd, a);
    QFETCH(Eigen::RowVectorXd, b);
    QFETCH(double, expected);
    const double got = attention::cosineSimilarity(a, b);
    if (std::isnan(expected))
        QVERIFY2(std::isnan(got), qPrintable(QString::number(got)));
    else
        QVERIFY2(std::abs(got - expected) < 1e-12, qPrintable(QString::number(got, 'g', 17)));
}

void tst_ModelViews::distanceAndStrongestKeys()
{
    QCOMPARE(attention::distance(row({0, 0}), row({3, 4})), 5.0); // the 3-4-5 triangle
    // Ties keep the earlier index first: 0.5 at 1 and 3, then 0.2 at 2.
    QCOMPARE(strongestKeys(row({0.1, 0.5, 0.2, 0.5}), 3), (std::vector<int>{1, 3, 2}));
    QCOMPARE(strongestKeys(row({0.7, 0.3}), 5), (std::vector<int>{0, 1}));
    QVERIFY(strongestKeys(row({0.7, 0.3}), 0).empty());
}

void tst_ModelViews::averageHeadWeights()
{
    const AttentionTrace trace = traceOf(m_small, "w1 w2 w3 w4 w5");
    for (const LayerTrace &layer : trace.layers) {
        QCOMPARE(layer.heads.size(), std::size_t(2));
        const Eigen::MatrixXd mean = attention::averageHeadWeights(layer);
        QCOMPARE(mean.rows(), 5);
        QCOMPARE(mean.cols(), 5);
        // By hand: each cell is (head 0 + head 1) / 2, computed cell by cell here.
        for (int r = 0; r < 5; ++r) {
            for (int c = 0; c < 5; ++c) {
                const double expected = (layer.heads[0].weights(r, c) + layer.heads[1].weights(r, c)) / 2.0;
                QVERIFY(std::abs(mean(r, c) - expected) < 1e-15);
            }
            // A mean of two distributions is a distribution.
            QVERIFY(std::abs(mean.row(r).sum() - 1.0) < 1e-12);
            QVERIFY((averageHeadWeightRow(layer, r) - mean.row(r)).cwiseAbs().maxCoeff() < 1e-15);
        }
    }
    QCOMPARE(attention::averageHeadWeights(LayerTrace{}).size(), 0);
}

void tst_ModelViews::gridCellsAreDistinct()
{
    const AttentionTrace trace = traceOf(m_small, "w1 w2 w3 w4 w5");
    ModelGridView view;
    view.resize(600, 400);
    view.setTrace(&trace);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.layerCount(), 2);
    QCOMPARE(view.headCount(), 2);

    QVector<QRect> cells;
    for (int l = 0; l < 2; ++l)
        for (int h = -1; h < 2; ++h) {
            const QRect cell = view.cellRect(l, h);
            QVERIFY2(!cell.isEmpty(), qPrintable(QStringLiteral("layer %1 head %2").arg(l).arg(h)));
            QVERIFY(view.rect().contains(cell));
            QCOMPARE(cell.width(), cell.height()); // thumbnails are square
            cells << cell;
        }
    QCOMPARE(cells.size(), 6);
    for (int i = 0; i < cells.size(); ++i)
        for (int j = i + 1; j < cells.size(); ++j)
            QVERIFY2(!cells[i].intersects(cells[j]),
                     qPrintable(QStringLiteral("cells %1 and %2").arg(i).arg(j)));
    QVERIFY(view.cellRect(2, 0).isEmpty());
    QVERIFY(view.cellRect(0, 2).isEmpty());

    const QImage image = view.grab().toImage();
    QVERIFY(distinctColors(image) > 20);
}

void tst_ModelViews::gridClickActivatesHead()
{
    const AttentionTrace trace = traceOf(m_small, "w1 w2 w3 w4 w5");
    ModelGridView view;
    view.resize(600, 400);
    view.setTrace(&trace);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QSignalSpy spy(&view, &ModelGridView::headActivated);
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(1, 0).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 1);
    QCOMPARE(spy.at(0).at(1).toInt(), 0);
    QCOMPARE(view.selectedLayer(), 1);
    QCOMPARE(view.selectedHead(), 0);

    // The average column reports head −1.
    for (int l = 0; l < 2; ++l) {
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(l, -1).center());
        QCOMPARE(spy.last().at(0).toInt(), l);
        QCOMPARE(spy.last().at(1).toInt(), -1);
    }
    // Between cells nothing happens.
    const QRect a = view.cellRect(0, 0);
    const QRect b = view.cellRect(0, 1);
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint((a.right() + b.left()) / 2, a.center().y()));
    QCOMPARE(spy.count(), 3);
}

void tst_ModelViews::gridKeyboardAndEdgeCases()
{
    const AttentionTrace trace = traceOf(m_small, "w1 w2 w3 w4 w5");
    ModelGridView view;
    view.resize(600, 400);
    view.setTrace(&trace);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy spy(&view, &ModelGridView::headActivated);

    // Arrows walk the grid as drawn (the average is the last column); Enter opens the selection.
    view.setSelected(0, 1);
    QTest::keyClick(&view, Qt::Key_Right);
    QCOMPARE(view.selectedHead(), -1);
    QTest::keyClick(&view, Qt::Key_Down);
    QCOMPARE(view.selectedLayer(), 1);
    QTest::keyClick(&view, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toInt(), 1);
    QCOMPARE(spy.last().at(1).toInt(), -1);

    view.setSelected(5, 0); // out of range clears
    QCOMPARE(view.selectedLayer(), -1);
    view.setSelectedQuery(2);
    QCOMPARE(view.selectedQuery(), 2);
    view.setSelectedQuery(99);
    QCOMPARE(view.selectedQuery(), -1);

    // One layer, one head: one thumbnail and its average, side by side.
    const AttentionTrace single = traceOf(testing::randomModel(4, 4, 1, 1, 10, false), "w1 w2");
    view.setTrace(&single);
    QVERIFY(!view.cellRect(0, 0).isEmpty());
    QVERIFY(!view.cellRect(0, -1).isEmpty());
    QVERIFY(!view.cellRect(0, 0).intersects(view.cellRect(0, -1)));

    view.setTrace(nullptr);
    QCOMPARE(view.layerCount(), 0);
    QVERIFY(view.cellRect(0, 0).isEmpty());
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(300, 200));
    QCOMPARE(spy.count(), 1);
}

void tst_ModelViews::compareSameWord()
{
    const AttentionTrace a = traceOf(m_small, "w1 w2 w3");
    const AttentionTrace b = traceOf(m_small, "w4 w2 w5");
    CompareView view;
    QVERIFY(std::isnan(view.similarity()));
    QVERIFY(std::isnan(view.inputSimilarity()));

    view.setComparison(&a, 1, &b, 1);
    // randomModel has no positions, so "w2" enters both sentences as the same embedding.
    QVERIFY(std::abs(view.inputSimilarity() - 1.0) < 1e-12);
    const double expected = attention::cosineSimilarity(a.finalOutput().row(1), b.finalOutput().row(1));
    QCOMPARE(view.similarity(), expected);
    QVERIFY2(view.similarity() < 1.0 - 1e-6, qPrintable(QString::number(view.similarity(), 'g', 17)));

    view.resize(720, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(distinctColors(view.grab().toImage()) > 20);
}

void tst_ModelViews::compareInvalid()
{
    const AttentionTrace a = traceOf(m_small, "w1 w2 w3");
    const AttentionTrace other = traceOf(testing::randomModel(6, 3, 1, 2, 10, false), "w1 w2");
    CompareView view;
    view.setComparison(&a, 1, &a, 7); // index past the sentence
    QVERIFY(std::isnan(view.similarity()));
    view.setComparison(&a, 1, nullptr, 0);
    QVERIFY(std::isnan(view.similarity()));
    view.setComparison(&a, 1, &other, 1); // d_model 8 against 6: not comparable
    QVERIFY(std::isnan(view.similarity()));
    view.setComparison(&a, 0, &a, 0); // the same token in the same sentence
    QVERIFY(std::abs(view.similarity() - 1.0) < 1e-12);
    view.clear();
    QVERIFY(std::isnan(view.inputSimilarity()));
}

void tst_ModelViews::layerFlow()
{
    const AttentionTrace trace = traceOf(m_small, "w1 w2 w3 w4 w5");
    LayerFlowView view;
    QCOMPARE(view.token(), -1);
    view.resize(420, 560);
    view.setTrace(&trace);
    view.setToken(2);
    QCOMPARE(view.token(), 2);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(distinctColors(view.grab().toImage()) > 20);

    view.setToken(99); // clamped to the last token, never past the sentence
    QCOMPARE(view.token(), 4);
    view.setToken(-3);
    QCOMPARE(view.token(), 0);
    view.grab();

    // A shorter trace keeps the followed token inside it.
    const AttentionTrace shorter = traceOf(m_small, "w7 w8");
    view.setToken(4);
    view.setTrace(&shorter);
    QCOMPARE(view.token(), 1);
    view.setTrace(nullptr);
    QCOMPARE(view.token(), -1);
    view.grab();
}

QTEST_MAIN(tst_ModelViews)
#include "tst_modelviews.moc"
