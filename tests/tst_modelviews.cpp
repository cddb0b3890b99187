// The model-level views (grid of heads, layer flow, word comparison) and the core helpers behind them.
#include "attention.h"
#include "compare.h"
#include "compareview.h"
#include "layerflowview.h"
#include "lineview.h"
#include "modelgridview.h"
#include "testmodels.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QPainter>
#include <cmath>
#include <random>

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

    void lineWidthAndOpacityFollowWeight();
    void lineViewDrawsEveryQuery();
    void lineViewSelectedQueryOnTop();
    void lineViewHeadColours();
    void gridGrowsWithSpace();
    void gridNarrowAndTallDock();

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

namespace {

// A softmax-like matrix: every row near uniform (1/n ± 20 %), rows summing to 1.
Eigen::MatrixXd nearUniform(int n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    Eigen::MatrixXd w(n, n);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c)
            w(r, c) = jitter(rng);
        w.row(r) /= w.row(r).sum();
    }
    return w;
}

QStringList tokenNames(int n)
{
    QStringList tokens;
    for (int i = 0; i < n; ++i)
        tokens << QStringLiteral("tok%1").arg(i);
    return tokens;
}

// WCAG relative luminance and the contrast of a colour against white.
double contrastOnWhite(const QColor &c)
{
    const auto channel = [](double v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    const double l = 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    return 1.05 / (l + 0.05);
}

} // namespace

void tst_ModelViews::lineWidthAndOpacityFollowWeight()
{
    // Below the threshold nothing is drawn.
    QCOMPARE(LineView::lineWidthFor(0.0, 15), 0.0);
    QCOMPARE(LineView::lineWidthFor(0.019, 15), 0.0);
    QCOMPARE(LineView::lineOpacityFor(0.019), 0.0);
    // From 1 px to 8 px at the 15 px reference font, opacity from 0.15 to 1.
    QVERIFY(std::abs(LineView::lineWidthFor(LineView::kLineThreshold, 15) - 1.14) < 0.01);
    QCOMPARE(LineView::lineWidthFor(1.0, 15), 8.0);
    QVERIFY(std::abs(LineView::lineOpacityFor(LineView::kLineThreshold) - 0.15) < 1e-9);
    QCOMPARE(LineView::lineOpacityFor(1.0), 1.0);
    // Strictly increasing in the weight.
    double width = 0.0, opacity = 0.0;
    for (double w = 0.02; w <= 1.0001; w += 0.02) {
        QVERIFY2(LineView::lineWidthFor(w, 15) > width, qPrintable(QString::number(w)));
        QVERIFY2(LineView::lineOpacityFor(w) > opacity, qPrintable(QString::number(w)));
        width = LineView::lineWidthFor(w, 15);
        opacity = LineView::lineOpacityFor(w);
    }
    // A window zoomed to twice the text size draws lines twice as wide.
    QCOMPARE(LineView::lineWidthFor(0.5, 30), 2 * LineView::lineWidthFor(0.5, 15));
    QCOMPARE(LineView::lineWidthFor(1.0, 30), 16.0);
}

void tst_ModelViews::lineViewDrawsEveryQuery()
{
    const int n = 6;
    LineView view;
    view.setWeights(nearUniform(n, 7), tokenNames(n));
    view.resize(520, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.grab(); // a full paint

    // Every weight is about 1/6, well above the threshold: all 36 lines, from every query.
    QCOMPARE(view.lastPaintedLineCount(), n * n);
    const QVector<LineView::DrawnLine> lines = view.drawnLines();
    QCOMPARE(lines.size(), n * n);
    QSet<int> queries;
    for (const LineView::DrawnLine &line : lines) {
        queries.insert(line.query);
        QVERIFY(!line.focused);
        QVERIFY(line.width >= 1.0);
        QVERIFY(line.opacity >= 0.15);
    }
    QCOMPARE(queries.size(), n);

    // A sharp row draws fewer lines: weights below 0.02 are skipped.
    Eigen::MatrixXd sharp = nearUniform(n, 7);
    sharp.row(0).setConstant(0.001);
    sharp(0, 3) = 1.0 - 0.001 * (n - 1);
    view.setWeights(sharp, tokenNames(n));
    view.grab();
    QCOMPARE(view.lastPaintedLineCount(), n * n - (n - 1));

    // The export paints the same lines.
    QImage image(view.exportSizeHint(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    view.paintExport(painter, image.rect());
    painter.end();
    QCOMPARE(view.lastPaintedLineCount(), n * n - (n - 1));
}

void tst_ModelViews::lineViewSelectedQueryOnTop()
{
    const int n = 5;
    LineView view;
    view.setWeights(nearUniform(n, 3), tokenNames(n));
    const QVector<LineView::DrawnLine> before = view.drawnLines();
    view.setSelectedQuery(2);
    const QVector<LineView::DrawnLine> lines = view.drawnLines();
    QCOMPARE(lines.size(), n * n); // every query's lines still, the selected one's not twice
    // The selected query's lines come last (on top), wider and more opaque than the same weight elsewhere.
    for (int i = 0; i < lines.size(); ++i) {
        const bool last = i >= lines.size() - n;
        QCOMPARE(lines[i].focused, last);
        QCOMPARE(lines[i].query == 2, last);
    }
    const auto find = [](const QVector<LineView::DrawnLine> &all, int q, int k) {
        for (const LineView::DrawnLine &line : all)
            if (line.query == q && line.key == k)
                return line;
        return LineView::DrawnLine{};
    };
    for (int k = 0; k < n; ++k) {
        const LineView::DrawnLine selected = find(lines, 2, k);
        const LineView::DrawnLine plain = find(before, 2, k);
        QVERIFY(selected.width > plain.width);
        QVERIFY(selected.opacity >= plain.opacity);
        // The others dim, so the selection stands out.
        QVERIFY(find(lines, 0, k).opacity < find(before, 0, k).opacity);
        QVERIFY(find(lines, 0, k).opacity < selected.opacity);
    }
    view.setSelectedQuery(-1);
    QCOMPARE(view.drawnLines().size(), n * n);
}

void tst_ModelViews::lineViewHeadColours()
{
    // The first twelve head colours are distinct and readable on white (contrast at least 3:1).
    QSet<QRgb> colours;
    for (int h = 0; h < 12; ++h) {
        const QColor c = LineView::headColor(h);
        colours.insert(c.rgb());
        QVERIFY2(contrastOnWhite(c) >= 3.0,
                 qPrintable(QStringLiteral("head %1: %2").arg(h).arg(contrastOnWhite(c))));
    }
    QCOMPARE(colours.size(), 12);

    const int n = 5;
    const std::vector<Eigen::MatrixXd> heads = {nearUniform(n, 1), nearUniform(n, 2), nearUniform(n, 3)};
    LineView view;
    view.setHeadWeights(heads, tokenNames(n));
    QCOMPARE(view.headCount(), 3);
    view.resize(560, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage shot = view.grab().toImage();
    QCOMPARE(view.lastPaintedLineCount(), 3 * n * n);

    // Each head's lines carry that head's colour.
    QSet<QRgb> drawn;
    for (const LineView::DrawnLine &line : view.drawnLines()) {
        QCOMPARE(line.color, LineView::headColor(line.head));
        drawn.insert(line.color.rgb());
    }
    QCOMPARE(drawn.size(), 3);

    // The legend, above the first token, shows every head's colour.
    const int legendBottom = view.tokenRect(0, false).top();
    QVERIFY(legendBottom > 0);
    for (int h = 0; h < 3; ++h) {
        const QRgb want = LineView::headColor(h).rgb();
        int found = 0;
        for (int y = 0; y < legendBottom; ++y)
            for (int x = 0; x < shot.width(); ++x)
                found += shot.pixel(x, y) == want;
        QVERIFY2(found >= 10, qPrintable(QStringLiteral("head %1: %2 pixels").arg(h).arg(found)));
    }

    // A matrix of another shape is left out; one head via setWeights goes back to the query colour.
    view.setHeadWeights({nearUniform(n, 1), nearUniform(n + 1, 2), nearUniform(n, 4)}, tokenNames(n));
    QCOMPARE(view.headCount(), 2);
    view.setWeights(nearUniform(n, 1), tokenNames(n));
    QCOMPARE(view.headCount(), 1);
    QVERIFY(view.drawnLines().first().color != LineView::headColor(0));
}

void tst_ModelViews::gridGrowsWithSpace()
{
    const AttentionTrace trace = traceOf(m_small, "w1 w2 w3 w4 w5");
    ModelGridView view;
    view.setTrace(&trace);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto sideAt = [&](int w, int h) {
        view.resize(w, h);
        QCoreApplication::processEvents();
        return view.thumbnailSide();
    };
    const int small = sideAt(250, 250);
    const int medium = sideAt(600, 600);
    const int large = sideAt(1920, 1080);
    QVERIFY2(medium >= 2 * small, qPrintable(QStringLiteral("%1 vs %2").arg(medium).arg(small)));
    QVERIFY2(large > medium, qPrintable(QStringLiteral("%1 vs %2").arg(large).arg(medium)));
    QVERIFY(large >= 250);
    // With large thumbnails the labels grow too, and every cell stays a square inside the widget.
    QVERIFY(QFontInfo(view.labelFont()).pixelSize() > QFontInfo(view.font()).pixelSize());
    for (int l = 0; l < 2; ++l)
        for (int h = -1; h < 2; ++h) {
            const QRect cell = view.cellRect(l, h);
            QCOMPARE(cell.width(), cell.height());
            QVERIFY(view.rect().contains(cell));
        }
    QVERIFY(distinctColors(view.grab().toImage()) > 20);
}

void tst_ModelViews::gridNarrowAndTallDock()
{
    // Two layers of four heads (five columns with the average) in a dock 340 px wide and 900 px tall:
    // laid out with heads down and layers across, the thumbnails are far larger than in five columns.
    const AttentionTrace trace = traceOf(testing::randomModel(8, 2, 2, 4, 10, true), "w1 w2 w3 w4 w5 w6");
    ModelGridView view;
    view.setTrace(&trace);
    view.resize(340, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.isTransposed());
    QVERIFY2(view.thumbnailSide() >= 100, qPrintable(QString::number(view.thumbnailSide())));
    // Drawn as heads down: head 2 of a layer sits under head 1, the next layer to the right.
    QVERIFY(view.cellRect(0, 1).top() > view.cellRect(0, 0).bottom());
    QVERIFY(view.cellRect(1, 0).left() > view.cellRect(0, 0).right());
    QVERIFY(view.cellRect(0, -1).top() > view.cellRect(0, 3).bottom());
    QVector<QRect> cells;
    for (int l = 0; l < 2; ++l)
        for (int h = -1; h < 4; ++h) {
            cells << view.cellRect(l, h);
            QVERIFY(view.rect().contains(cells.last()));
        }
    for (int i = 0; i < cells.size(); ++i)
        for (int j = i + 1; j < cells.size(); ++j)
            QVERIFY(!cells[i].intersects(cells[j]));
    // The arrows follow the drawing: Down is the next head, Right the next layer.
    view.setSelected(0, 0);
    QTest::keyClick(&view, Qt::Key_Down);
    QCOMPARE(view.selectedLayer(), 0);
    QCOMPARE(view.selectedHead(), 1);
    QTest::keyClick(&view, Qt::Key_Right);
    QCOMPARE(view.selectedLayer(), 1);
    QCOMPARE(view.selectedHead(), 1);
    QSignalSpy spy(&view, &ModelGridView::headActivated);
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(1, 2).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(1).toInt(), 2);

    // Squeezed into a narrow, short dock, the grid shrinks but stays inside and keeps short labels.
    view.resize(200, 160);
    QCoreApplication::processEvents();
    QVERIFY(view.thumbnailSide() >= 12);
    QVERIFY(view.thumbnailSide() < 40);
    for (int l = 0; l < 2; ++l)
        for (int h = -1; h < 4; ++h)
            QVERIFY(!view.cellRect(l, h).isEmpty());
    QVERIFY(distinctColors(view.grab().toImage()) > 5);
}

QTEST_MAIN(tst_ModelViews)
#include "tst_modelviews.moc"
