// HeatmapView and LineView driven for real: mouse, keys, pixels on screen, PNG and SVG exports.
#include "colormap.h"
#include "heatmapview.h"
#include "lineview.h"
#include "showntext.h"
#include "theme.h"

#include <QBuffer>
#include <QPainter>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QSvgGenerator>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolTip>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace attention;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// 3×3 weights with one masked cell, (1, 2). Row 0 ends in 1.0, the top of the fixed 0..1 range.
Eigen::MatrixXd smallMatrix()
{
    Eigen::MatrixXd m(3, 3);
    m << 0.0, 0.5, 1.0,    //
        0.25, 0.75, -kInf, //
        1.0, 0.1, 0.2;
    return m;
}

const QStringList kTokens{QStringLiteral("the"), QStringLiteral("cat"), QStringLiteral("sat")};

// The colour of `image` at widget point `p`; grab() images carry the device pixel ratio.
QColor pixelAt(const QImage &image, const QPoint &p)
{
    const double dpr = image.devicePixelRatio();
    return image.pixelColor(static_cast<int>(p.x() * dpr), static_cast<int>(p.y() * dpr));
}

bool near(const QColor &a, const QColor &b, int tolerance)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

// The share of pixels in a patch that match `expected`. A patch, not one pixel, because blocked cells
// carry hatch lines and we do not want the test to know where each stroke falls.
double shareNear(const QImage &image, const QRect &patch, const QColor &expected, int tolerance)
{
    int hits = 0;
    for (int y = patch.top(); y <= patch.bottom(); ++y)
        for (int x = patch.left(); x <= patch.right(); ++x)
            hits += near(pixelAt(image, QPoint(x, y)), expected, tolerance) ? 1 : 0;
    return double(hits) / (patch.width() * patch.height());
}

// The tooltip as the learner reads it: Qt lays out rich text as a document. `images` counts its images.
QString shownToolTip(int *images)
{
    return attention::testing::shownText(QToolTip::text(), Qt::AutoText, images);
}

int distinctColors(const QImage &image)
{
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            colors.insert(image.pixel(x, y));
    return colors.size();
}

// Counts what a layout that never settles keeps doing: the view's scroll-bar containers shown and hidden,
// and its viewport resized. Such a loop never returns from processEvents(), so past kRunaway the spy hides
// the view (a hidden widget lays out no more) and the count it leaves behind fails the test.
class LayoutSpy : public QObject
{
public:
    static constexpr int kRunaway = 2000;
    explicit LayoutSpy(HeatmapView *view) : m_view(view) { qApp->installEventFilter(this); }
    ~LayoutSpy() override { qApp->removeEventFilter(this); }
    int toggles = 0;
    int resizes = 0;
    bool runaway = false;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        const bool bar = watched->isWidgetType() && watched->parent() == m_view &&
                         watched != m_view->viewport() &&
                         (event->type() == QEvent::Show || event->type() == QEvent::Hide);
        const bool resize = watched == m_view->viewport() && event->type() == QEvent::Resize;
        toggles += bar ? 1 : 0;
        resizes += resize ? 1 : 0;
        if ((bar || resize) && !runaway && toggles + resizes > kRunaway) {
            runaway = true;
            m_view->hide();
        }
        return false;
    }

private:
    HeatmapView *m_view;
};

Eigen::MatrixXd weightsLike(int n)
{
    Eigen::MatrixXd m(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            m(i, j) = j > i ? -kInf : 1.0 / (i + 1); // causal weights: row i spreads 1 over i + 1 keys
    return m;
}

// A classroom sentence with long words, repeated to n tokens.
QStringList classroomLabels(int n)
{
    static const QStringList words{
        QStringLiteral("the"),      QStringLiteral("student"),   QStringLiteral("needs-concentration"),
        QStringLiteral("for"),      QStringLiteral("programming"), QStringLiteral("and"),
        QStringLiteral("attention"), QStringLiteral("to"),        QStringLiteral("detail"),
        QStringLiteral("in"),       QStringLiteral("every"),     QStringLiteral("long"),
        QStringLiteral("exercise"), QStringLiteral("she"),       QStringLiteral("writes"),
        QStringLiteral("today")};
    QStringList labels;
    for (int i = 0; i < n; ++i)
        labels << words[i % words.size()];
    return labels;
}

double points(const QFont &font, const QWidget &w)
{
    return font.pixelSize() * 72.0 / w.logicalDpiY();
}

// The whole matrix is on screen: its last cell lies inside the viewport and no scroll bar is shown.
bool wholeMatrixShown(const HeatmapView &view)
{
    const int n = static_cast<int>(view.matrix().rows());
    return view.viewport()->rect().contains(view.cellRect(n - 1, n - 1)) &&
           view.viewport()->rect().contains(view.cellRect(0, 0)) && !view.horizontalScrollBar()->isVisible() &&
           !view.verticalScrollBar()->isVisible();
}

QStringList wordLabels(int n)
{
    static const QStringList words{QStringLiteral("the"),       QStringLiteral("attention"),
                                   QStringLiteral("mechanism"), QStringLiteral("reads"),
                                   QStringLiteral("every"),     QStringLiteral("token")};
    QStringList labels;
    for (int i = 0; i < n; ++i)
        labels << words[i % words.size()];
    return labels;
}

} // namespace

class tst_HeatmapView : public QObject
{
    Q_OBJECT
private slots:
    void hoverAndClickReportTheCell();
    void cellAtRoundTripsCellRect_data();
    void cellAtRoundTripsCellRect();
    void numbersOnlyWhenTheyFit();
    void cellSizeIsClamped();
    void keyboardMovesTheSelection();
    void rowLabelClick();
    void maskEditModeChangesTheCursor();
    void blockedAndTopCellsHaveTheirColours();
    void exportToPng();
    void exportToSvg();
    void largeMatrixFitsWithoutNumbers();
    void largeExportUsesOneImage();
    void smallMatrixAfterLargeGetsBigCellsBack();
    void zoomSurvivesNewNumbersOfTheSameShape();
    void emptyMatrixIsHarmless();
    void toolTipShowsFullPrecision();
    void toolTipsShowLabelsLiterally();
    void hoverAt1024TokensReportsTheCellUnderTheMouse();
    void lineViewHoverAndClick();
    void lineViewGrowsForManyTokens();
    void layoutSettlesAtEverySize_data();
    void layoutSettlesAtEverySize();
    void sixteenTokensShowEveryNumberAndLabel();
    void fortyEightTokensShowEveryRow();
    void longLabelsAreExportedWhole();
    void fewColumnsKeepTheirNamesUnderManyRows();
    void noImageRebuildWhileHidden();
    void fontChangeScalesTheCells();
    void selectedRowStaysVisibleAfterResize();
};

// A shown 3×3 heatmap at 48-pixel cells, with colours fixed to 0..1 like attention weights.
struct Fixture
{
    HeatmapView view;
    Fixture()
    {
        view.setMatrix(smallMatrix(), kTokens, kTokens);
        view.setColorRange(0.0, 1.0);
        view.setCellSize(48);
        view.resize(520, 420);
        view.show();
    }
};

void tst_HeatmapView::hoverAndClickReportTheCell()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QSignalSpy hovered(&f.view, &HeatmapView::cellHovered);
    QSignalSpy clicked(&f.view, &HeatmapView::cellClicked);

    const QPoint centre = f.view.cellRect(1, 2).center();
    QTest::mouseMove(f.view.viewport(), centre);
    QTRY_VERIFY(!hovered.isEmpty());
    QCOMPARE(hovered.last().at(0).toInt(), 1);
    QCOMPARE(hovered.last().at(1).toInt(), 2);

    // A move inside the same cell is not news.
    const int before = hovered.count();
    QTest::mouseMove(f.view.viewport(), centre + QPoint(3, 3));
    QCOMPARE(hovered.count(), before);

    QTest::mouseClick(f.view.viewport(), Qt::LeftButton, {}, centre);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.first().at(0).toInt(), 1);
    QCOMPARE(clicked.first().at(1).toInt(), 2);
    QCOMPARE(f.view.selectedRow(), 1);
    QCOMPARE(f.view.selectedColumn(), 2);
}

void tst_HeatmapView::cellAtRoundTripsCellRect_data()
{
    QTest::addColumn<double>("cell");
    QTest::addColumn<int>("scroll");
    QTest::newRow("48 px, unscrolled") << 48.0 << 0;
    QTest::newRow("fractional 13.7 px, scrolled") << 13.7 << 37;
    QTest::newRow("1 px") << 1.0 << 0;
}

void tst_HeatmapView::cellAtRoundTripsCellRect()
{
    QFETCH(double, cell);
    QFETCH(int, scroll);
    HeatmapView view;
    Eigen::MatrixXd m = Eigen::MatrixXd::Constant(60, 60, 0.5);
    view.setMatrix(m, {}, {});
    view.setCellSize(cell);
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.horizontalScrollBar()->setValue(scroll);
    view.verticalScrollBar()->setValue(scroll);

    // Every cell wholly inside the viewport, on a sparse grid so the 1 px case stays quick.
    int tested = 0;
    for (int row = 0; row < 60; row += 3)
        for (int column = 0; column < 60; column += 4) {
            const QRect r = view.cellRect(row, column);
            QVERIFY(!r.isEmpty());
            if (!view.viewport()->rect().contains(r))
                continue;
            ++tested;
            for (const QPoint &p : {r.topLeft(), r.bottomRight(), r.center()})
                QCOMPARE(view.cellAt(p), QPoint(column, row));
            // The pixel just outside belongs to the neighbour: no gaps and no overlaps between cells.
            if (column > 0 && r.left() > 0)
                QCOMPARE(view.cellAt(r.topLeft() - QPoint(1, 0)), QPoint(column - 1, row));
            if (row > 0 && r.top() > 0)
                QCOMPARE(view.cellAt(r.topLeft() - QPoint(0, 1)), QPoint(column, row - 1));
        }
    QVERIFY(tested >= 4);
    QCOMPARE(view.cellRect(60, 0), QRect());
    // Outside the viewport there is no cell, even where scrolled-away cells would be.
    QCOMPARE(view.cellAt(QPoint(-5, 10)), QPoint(-1, -1));
}

void tst_HeatmapView::numbersOnlyWhenTheyFit()
{
    Fixture f;
    // "0.00" at the 11 pt minimum is about 33 px wide at 96 dpi, so 48 px cells hold it and 4 px cannot.
    QVERIFY(f.view.numbersVisible());
    f.view.setCellSize(4);
    QVERIFY(!f.view.numbersVisible());
}

void tst_HeatmapView::cellSizeIsClamped()
{
    Fixture f;
    f.view.setCellSize(0.1);
    QCOMPARE(f.view.cellSize(), 1.0);
    f.view.setCellSize(500);
    QCOMPARE(f.view.cellSize(), 120.0);
    f.view.setCellSize(40);
    f.view.zoomIn();
    QVERIFY(f.view.cellSize() > 40);
    f.view.zoomOut();
    f.view.zoomOut();
    QVERIFY(f.view.cellSize() < 40);
}

void tst_HeatmapView::keyboardMovesTheSelection()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QSignalSpy clicked(&f.view, &HeatmapView::cellClicked);
    f.view.setSelection(0, 0);
    f.view.setFocus();
    QTest::keyClick(&f.view, Qt::Key_Right);
    QTest::keyClick(&f.view, Qt::Key_Down);
    QCOMPARE(clicked.count(), 2);
    QCOMPARE(clicked.last().at(0).toInt(), 1);
    QCOMPARE(clicked.last().at(1).toInt(), 1);
    // The edge stops the selection instead of wrapping.
    QTest::keyClick(&f.view, Qt::Key_Right);
    QTest::keyClick(&f.view, Qt::Key_Right);
    QCOMPARE(f.view.selectedColumn(), 2);
    QTest::keyClick(&f.view, Qt::Key_Return);
    QCOMPARE(clicked.last().at(0).toInt(), 1);
    QCOMPARE(clicked.last().at(1).toInt(), 2);
}

void tst_HeatmapView::rowLabelClick()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QSignalSpy rowClicked(&f.view, &HeatmapView::rowLabelClicked);
    // The labels live in the frame's left margin: a few pixels left of the viewport, level with row 2.
    const QRect vp = f.view.viewport()->geometry();
    const QPoint p(vp.left() - 10, vp.top() + f.view.cellRect(2, 0).center().y());
    QTest::mouseClick(&f.view, Qt::LeftButton, {}, p);
    QCOMPARE(rowClicked.count(), 1);
    QCOMPARE(rowClicked.first().at(0).toInt(), 2);
}

void tst_HeatmapView::maskEditModeChangesTheCursor()
{
    Fixture f;
    QCOMPARE(f.view.viewport()->cursor().shape(), Qt::ArrowCursor);
    f.view.setMaskEditMode(true);
    QVERIFY(f.view.maskEditMode());
    QCOMPARE(f.view.viewport()->cursor().shape(), Qt::PointingHandCursor);
    f.view.setMaskEditMode(false);
    QCOMPARE(f.view.viewport()->cursor().shape(), Qt::ArrowCursor);
}

void tst_HeatmapView::blockedAndTopCellsHaveTheirColours()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    const QPoint offset = f.view.viewport()->geometry().topLeft();
    QImage shot = f.view.grab().toImage();

    // Cell (0, 2) holds 1.0 in the range 0..1, so it is viridis(1.0): matplotlib's last table entry,
    // (0.993248, 0.906157, 0.143936) × 255 ≈ (253, 231, 37). Sample a corner, away from the "1.00" text.
    const QRect top = f.view.cellRect(0, 2).translated(offset);
    QVERIFY(near(pixelAt(shot, top.topLeft() + QPoint(4, 4)), viridis(1.0), 2));
    QVERIFY(near(viridis(1.0), QColor(253, 231, 37), 1));

    // Cell (1, 2) is −∞: theme::blocked() grey between hatch strokes (1 px every 8 px: about 80 % grey),
    // with "−∞" in the middle. A 10 × 10 patch in the top-left corner stays clear of the text.
    const QRect blocked = f.view.cellRect(1, 2).translated(offset);
    QVERIFY(shareNear(shot, QRect(blocked.topLeft() + QPoint(2, 2), QSize(10, 10)), theme::blocked(), 6) >
            0.6);

    // Without numbers (20 px cells) the centre of the blocked cell is grey too.
    f.view.setCellSize(20);
    QVERIFY(!f.view.numbersVisible());
    shot = f.view.grab().toImage();
    // Smaller cells bring horizontal column labels and so a shorter top margin: map again.
    const QPoint moved = f.view.viewport()->geometry().topLeft();
    // Strokes every 5 px here, so about 70 % grey; sample the whole inside of the cell, centre included.
    const QRect inside = f.view.cellRect(1, 2).translated(moved).adjusted(2, 2, -2, -2);
    QVERIFY(shareNear(shot, inside, theme::blocked(), 6) > 0.55);
}

void tst_HeatmapView::exportToPng()
{
    Fixture f;
    const QSize size = f.view.exportSizeHint();
    // Labels, 3 × 48 px of cells and the legend: comfortably more than the cells alone.
    QVERIFY(size.width() > 3 * 48 && size.height() > 3 * 48);
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    f.view.paintExport(painter, image.rect());
    painter.end();
    QVERIFY(image.pixelColor(1, 1).alpha() == 255); // the background is painted, not left transparent
    QVERIFY(distinctColors(image) > 20);            // cells, gradient and anti-aliased text
    // Somewhere the 1.0 cells appear in viridis yellow.
    bool yellow = false;
    for (int y = 0; y < image.height() && !yellow; ++y)
        for (int x = 0; x < image.width() && !yellow; ++x)
            yellow = near(image.pixelColor(x, y), viridis(1.0), 2);
    QVERIFY(yellow);
}

void tst_HeatmapView::exportToSvg()
{
    Fixture f;
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    const QSize size = f.view.exportSizeHint();
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    QPainter painter(&generator);
    f.view.paintExport(painter, QRect(QPoint(0, 0), size));
    painter.end();

    const QString svg = QString::fromUtf8(buffer.data());
    QVERIFY(svg.contains(QStringLiteral("<svg")));
    // 9 cells are drawn as vector shapes (3×3 ≤ 64×64), plus the background and legend.
    const int shapes = svg.count(QStringLiteral("<rect")) + svg.count(QStringLiteral("<path"));
    QVERIFY2(shapes >= 9, qPrintable(QString::number(shapes)));
    QVERIFY(!svg.contains(QStringLiteral("<image"))); // no bitmap for a small matrix
    QVERIFY(svg.contains(QStringLiteral("−∞")));      // the masked cell's number
}

void tst_HeatmapView::largeMatrixFitsWithoutNumbers()
{
    std::srand(1); // Eigen's Random() draws from std::rand
    const Eigen::MatrixXd m = Eigen::MatrixXd::Random(2048, 2048).cwiseAbs();
    HeatmapView view;
    view.resize(800, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(m, {}, {});
    view.fitToView();
    QCOMPARE(view.cellSize(), 1.0); // 2,048 rows cannot fit 600 px, and cells never go below 1 px
    QVERIFY(!view.numbersVisible());
    const QImage shot = view.grab().toImage();
    QVERIFY(!shot.isNull());
    QVERIFY(distinctColors(shot) > 20);
}

void tst_HeatmapView::largeExportUsesOneImage()
{
    // 100 × 100 > 64 × 64 cells, so the export embeds the one image instead of 10,000 rectangles.
    HeatmapView view;
    view.setMatrix(Eigen::MatrixXd::Constant(100, 100, 0.3), {}, {});
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    const QSize size = view.exportSizeHint();
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    QPainter painter(&generator);
    view.paintExport(painter, QRect(QPoint(0, 0), size));
    painter.end();
    const QString svg = QString::fromUtf8(buffer.data());
    QVERIFY(svg.contains(QStringLiteral("<image")));
    QVERIFY(svg.count(QStringLiteral("<path")) + svg.count(QStringLiteral("<rect")) < 1000);
}

void tst_HeatmapView::smallMatrixAfterLargeGetsBigCellsBack()
{
    HeatmapView view;
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.cellSize(), 48.0); // the default, big enough for numbers
    view.setMatrix(Eigen::MatrixXd::Constant(200, 200, 0.5), {}, {});
    QVERIFY(view.cellSize() < 3.0); // fitted: 200 rows into < 500 px
    view.setMatrix(smallMatrix(), kTokens, kTokens);
    // A small matrix is fitted too, but never below the 36 px its numbers need nor above 60 px:
    // 3 rows in a 600 × 500 view would fit far larger cells, so the 60 px cap applies.
    QCOMPARE(view.cellSize(), 60.0);
    QVERIFY(view.numbersVisible());
    view.resize(300, 220);
    QVERIFY(view.cellSize() >= 36.0);
    QVERIFY(view.numbersVisible());
}

void tst_HeatmapView::emptyMatrixIsHarmless()
{
    HeatmapView view;
    view.setMatrix(Eigen::MatrixXd(), {}, {});
    view.resize(300, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.cellAt(QPoint(10, 10)), QPoint(-1, -1));
    QCOMPARE(view.cellRect(0, 0), QRect());
    view.fitToView();
    QVERIFY(!view.grab().isNull());
    QImage image(view.exportSizeHint(), QImage::Format_ARGB32);
    QPainter painter(&image);
    view.paintExport(painter, image.rect());
}

void tst_HeatmapView::toolTipShowsFullPrecision()
{
    Fixture f;
    Eigen::MatrixXd m = smallMatrix();
    m(0, 1) = -0.123456789; // more digits than the 2 decimals in the cell
    f.view.setMatrix(m, kTokens, kTokens);
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    const QPoint p = f.view.cellRect(0, 1).center();
    QHelpEvent help(QEvent::ToolTip, p, f.view.viewport()->mapToGlobal(p));
    QCoreApplication::sendEvent(f.view.viewport(), &help);
    // Row "the" → column "cat", the shortest round-trip digits of the double, and a true minus sign.
    int images = 0;
    QTRY_COMPARE(shownToolTip(&images), QStringLiteral("the → cat: −0.123456789"));
    const QPoint q = f.view.cellRect(1, 2).center();
    QHelpEvent blocked(QEvent::ToolTip, q, f.view.viewport()->mapToGlobal(q));
    QCoreApplication::sendEvent(f.view.viewport(), &blocked);
    QTRY_VERIFY(shownToolTip(&images).startsWith(QStringLiteral("cat → sat: −∞")));
}

void tst_HeatmapView::toolTipsShowLabelsLiterally()
{
    // Labels are words and feature names from the text and the model file: markup in them is shown as
    // typed, and never loads the image it names. (Pointed at /dev/zero, the tooltip used to read until
    // memory ran out; a missing file is enough to see the image the tooltip would have made.)
    const QStringList labels{QStringLiteral("<img src=\"/nonexistent/bait.png\">"),
                             QStringLiteral("<b>cat</b>"), QStringLiteral("a & b")};
    Fixture f;
    f.view.setMatrix(smallMatrix(), labels, labels);
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    int images = 0;
    const QPoint p = f.view.cellRect(0, 1).center();
    QHelpEvent cell(QEvent::ToolTip, p, f.view.viewport()->mapToGlobal(p));
    QCoreApplication::sendEvent(f.view.viewport(), &cell);
    QCOMPARE(shownToolTip(&images), QStringLiteral("<img src=\"/nonexistent/bait.png\"> → <b>cat</b>: 0.5"));
    // The row labels in the left margin have their own tooltip.
    const QRect vp = f.view.viewport()->geometry();
    const QPoint r(vp.left() - 10, vp.top() + f.view.cellRect(2, 0).center().y());
    QHelpEvent row(QEvent::ToolTip, r, f.view.mapToGlobal(r));
    QCoreApplication::sendEvent(&f.view, &row);
    QCOMPARE(shownToolTip(&images), QStringLiteral("a & b"));
    QCOMPARE(images, 0);
}

void tst_HeatmapView::hoverAt1024TokensReportsTheCellUnderTheMouse()
{
    // How fast this is goes to bench_ui (hoverHeatmapView1024Tokens); here, that each move finds its cell.
    std::srand(2);
    const Eigen::MatrixXd m = Eigen::MatrixXd::Random(1024, 1024).cwiseAbs();
    HeatmapView view;
    view.resize(1200, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(m, {}, {});
    view.setCellSize(40); // numbers on
    QVERIFY(view.numbersVisible());
    view.horizontalScrollBar()->setValue(0); // the zoom kept the centre in view: back to the top left
    view.verticalScrollBar()->setValue(0);
    QSignalSpy hovered(&view, &HeatmapView::cellHovered);
    for (int i = 0; i < 20; ++i) {
        // Kept within 300 × 200 so the points stay on the small offscreen screen even at scale factor 2.
        const QPoint p(5 + (i * 31) % 300, 5 + (i * 17) % 200);
        // Unscrolled, 40-pixel cells: the pixel (x, y) lies in column x / 40 and row y / 40.
        QCOMPARE(view.cellSize(), 40.0);
        const QPoint expected(p.x() / 40, p.y() / 40);
        QTest::mouseMove(view.viewport(), p);
        QTRY_VERIFY(!hovered.isEmpty());
        QCOMPARE(hovered.last().at(0).toInt(), expected.y());
        QCOMPARE(hovered.last().at(1).toInt(), expected.x());
        QVERIFY(view.cellRect(expected.y(), expected.x()).contains(p));
    }
}

void tst_HeatmapView::lineViewHoverAndClick()
{
    // Rows sum to 1 like softmax output; query 0 attends mostly to key 1.
    Eigen::MatrixXd w(4, 4);
    w << 0.1, 0.7, 0.1, 0.1,    //
        0.25, 0.25, 0.25, 0.25, //
        0.0, 0.0, 1.0, 0.0,     //
        0.4, 0.3, 0.2, 0.1;
    LineView view;
    view.setWeights(
        w, {QStringLiteral("the"), QStringLiteral("cat"), QStringLiteral("sat"), QStringLiteral(".")});
    view.resize(420, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy hovered(&view, &LineView::tokenHovered);
    QSignalSpy clicked(&view, &LineView::queryClicked);

    const QRect first = view.tokenRect(0, false);
    QVERIFY(first.isValid());
    QTest::mouseMove(&view, first.center());
    QTRY_VERIFY(!hovered.isEmpty());
    QCOMPARE(hovered.last().at(0).toInt(), 0);
    QCOMPARE(view.hoveredToken(), 0);
    QVERIFY(!view.hoveredTokenIsKey());

    QTest::mouseClick(&view, Qt::LeftButton, {}, first.center());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.first().at(0).toInt(), 0);
    QCOMPARE(view.selectedQuery(), 0);

    // A key on the right is a token too; clicking it selects no query.
    QTest::mouseMove(&view, view.tokenRect(2, true).center());
    QTRY_COMPARE(view.hoveredToken(), 2);
    QVERIFY(view.hoveredTokenIsKey());
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.tokenRect(2, true).center());
    QCOMPARE(clicked.count(), 1);

    const QImage shot = view.grab().toImage();
    QVERIFY(distinctColors(shot) > 10); // labels in two hues, lines of several opacities
    QImage exported(view.exportSizeHint(), QImage::Format_ARGB32);
    exported.fill(Qt::transparent);
    QPainter painter(&exported);
    view.paintExport(painter, exported.rect());
    painter.end();
    QVERIFY(distinctColors(exported) > 10);
}

void tst_HeatmapView::lineViewGrowsForManyTokens()
{
    const int n = 100;
    LineView view;
    QStringList tokens;
    for (int i = 0; i < n; ++i)
        tokens << QStringLiteral("t%1").arg(i);
    view.setWeights(Eigen::MatrixXd::Constant(n, n, 1.0 / n), tokens);
    // Each row needs at least a line of text; 11 pt is about 17 px of line height at 96 dpi.
    QVERIFY(view.minimumHeight() >= n * 17);
}

void tst_HeatmapView::zoomSurvivesNewNumbersOfTheSameShape()
{
    HeatmapView view;
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(Eigen::MatrixXd::Constant(100, 100, 0.01), {}, {});
    const double fitted = view.cellSize();
    view.setCellSize(20); // the user zooms in to edit a mask
    // A toggle recomputes the same 100 × 100 matrix: the zoom stays.
    view.setMatrix(Eigen::MatrixXd::Constant(100, 100, 0.02), {}, {});
    QCOMPARE(view.cellSize(), 20.0);
    // Another sentence, another shape: fitted again.
    view.setMatrix(Eigen::MatrixXd::Constant(90, 90, 0.01), {}, {});
    QVERIFY(view.cellSize() < 20.0);
    QVERIFY(std::abs(view.cellSize() - fitted * 100.0 / 90.0) < 1.0); // about 100/90 of the first fit
}

QTEST_MAIN(tst_HeatmapView)
#include "tst_heatmapview.moc"

void tst_HeatmapView::layoutSettlesAtEverySize_data()
{
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("pixelSize"); // the label font, as the window's text zoom sets it
    QTest::addColumn<bool>("fitting");  // still fitting the matrix to the view, or zoomed by the user
    for (int tokens : {4, 17, 100})
        for (int px : {13, 28})
            for (bool fitting : {true, false})
                QTest::addRow("%d tokens, %d px, %s", tokens, px, fitting ? "fitting" : "zoomed")
                    << tokens << px << fitting;
}

// Every size from 200 × 150 to 1,400 × 1,000 must lay out in a bounded few passes and then go idle. Before,
// the bars updateLayout predicted disagreed with the bars Qt then showed (and a pending fit refitted to the
// viewport its own bars had resized), so the bars came and went forever.
void tst_HeatmapView::layoutSettlesAtEverySize()
{
    QFETCH(int, tokens);
    QFETCH(int, pixelSize);
    QFETCH(bool, fitting);
    HeatmapView view;
    QFont font = view.font();
    font.setPixelSize(pixelSize);
    view.setFont(font);
    view.setAxisTitles(QStringLiteral("queries ↓"), QStringLiteral("keys →"));
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(weightsLike(tokens), wordLabels(tokens), wordLabels(tokens));
    view.setColorRange(0.0, 1.0);
    if (!fitting)
        view.setCellSize(37);
    QCoreApplication::processEvents();
    for (int w = 200; w <= 1400; w += 61) {
        for (int h = 150; h <= 1000; h += 47) {
            LayoutSpy spy(&view);
            view.resize(w, h);
            QCoreApplication::processEvents();
            if (spy.runaway)
                QFAIL(
                    qPrintable(QStringLiteral("at %1 x %2 the layout did not settle: %3 bar shows and hides, "
                                              "%4 viewport resizes")
                                   .arg(w)
                                   .arg(h)
                                   .arg(spy.toggles)
                                   .arg(spy.resizes)));
            // One resize shows or hides each bar at most once; the viewport follows the view, then each bar
            // that changed, then the margins. Checked at every size.
            QVERIFY2(spy.toggles <= 2 && spy.resizes <= 4,
                     qPrintable(QStringLiteral("at %1 x %2: %3 bar shows and hides, %4 viewport resizes")
                                    .arg(w)
                                    .arg(h)
                                    .arg(spy.toggles)
                                    .arg(spy.resizes)));
            // Settled means idle: nothing more happens once the queue is empty.
            const int toggles = spy.toggles;
            const int resizes = spy.resizes;
            QCoreApplication::processEvents();
            QVERIFY2(spy.toggles == toggles && spy.resizes == resizes,
                     qPrintable(QStringLiteral("at %1 x %2 the layout went on after processEvents(): %3 bar "
                                               "shows and hides became %4, %5 viewport resizes became %6")
                                    .arg(w)
                                    .arg(h)
                                    .arg(toggles)
                                    .arg(spy.toggles)
                                    .arg(resizes)
                                    .arg(spy.resizes)));
        }
    }
    QCOMPARE(view.isVisible(), true);
}

// The heatmap of a 16-token sentence at a 1366 × 768 maximized window is about 820 × 420: cells wider than
// tall (about 35 × 18.5 px) show all 256 numbers at 11 pt and every label whole, with no scrolling.
void tst_HeatmapView::sixteenTokensShowEveryNumberAndLabel()
{
    HeatmapView view;
    view.resize(820, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(weightsLike(16), classroomLabels(16), classroomLabels(16));
    view.setColorRange(0.0, 1.0);
    QCoreApplication::processEvents();
    QVERIFY(wholeMatrixShown(view));
    QVERIFY(view.numbersVisible());
    QVERIFY2(points(view.numberFont(), view) >= theme::kMinimumPointSize,
             qPrintable(QString::number(points(view.numberFont(), view))));
    QVERIFY(points(view.labelFont(), view) >= theme::kMinimumPointSize);
    QCOMPARE(view.rowLabelStride(), 1);
    QCOMPARE(view.columnLabelStride(), 1);
    QVERIFY(!view.labelsElided()); // "needs-concentration" and "programming" whole
    QVERIFY(view.cellWidth() > view.cellHeight()); // fitted on each axis, not square
    // Fit (Ctrl+F) at the same size finds the same cells.
    const double w = view.cellWidth();
    const double h = view.cellHeight();
    view.fitToView();
    QCOMPARE(view.cellWidth(), w);
    QCOMPARE(view.cellHeight(), h);
    std::printf("16 tokens in 820 x 420: cells %.2f x %.2f px, numbers %.2f pt, labels %.2f pt, angle %.1f\n",
                view.cellWidth(), view.cellHeight(), points(view.numberFont(), view),
                points(view.labelFont(), view), view.columnLabelAngle());
}

// 48 tokens in the same space: every row and column is on screen (colour only) and labelled, none elided.
// 48 rows of 11 pt text need about 48 × 17 px, more than the 420 px there are, so labels thin out to
// every k-th row rather than overlap or shrink below 11 pt.
void tst_HeatmapView::fortyEightTokensShowEveryRow()
{
    HeatmapView view;
    view.resize(820, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(weightsLike(48), classroomLabels(48), classroomLabels(48));
    QCoreApplication::processEvents();
    QVERIFY(wholeMatrixShown(view));
    QVERIFY(!view.numbersVisible());
    QVERIFY(!view.labelsElided());
    QVERIFY(points(view.labelFont(), view) >= theme::kMinimumPointSize);
    const double lh = QFontMetricsF(view.labelFont()).height();
    QCOMPARE(view.rowLabelStride(), static_cast<int>(std::ceil(lh / view.cellHeight() - 1e-6)));
    std::printf("48 tokens in 820 x 420: cells %.2f x %.2f px, labels %.2f pt every %d rows, every %d columns\n",
                view.cellWidth(), view.cellHeight(), points(view.labelFont(), view), view.rowLabelStride(),
                view.columnLabelStride());
    // 49 tokens is past the classroom limit: long labels may be elided there.
    view.setMatrix(weightsLike(49), classroomLabels(49), classroomLabels(49));
    QVERIFY(wholeMatrixShown(view));
}

// A 128-token result of 8 dimensions: its rows thin out, but the 8 column names are shown whole, and at a
// doubled font the labels take the smallest readable size instead of the zoomed one.
void tst_HeatmapView::fewColumnsKeepTheirNamesUnderManyRows()
{
    const QStringList columns{QStringLiteral("noun"),  QStringLiteral("animate"),       QStringLiteral("pronoun"),
                              QStringLiteral("place"), QStringLiteral("needs-context"), QStringLiteral("code"),
                              QStringLiteral("money"), QStringLiteral("nature")};
    QStringList rows;
    for (int i = 0; i < 128; ++i)
        rows << QStringLiteral("word%1").arg(i);
    Eigen::MatrixXd m = Eigen::MatrixXd::Constant(128, 8, 0.25);
    HeatmapView view;
    view.resize(900, 380);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(m, rows, columns);
    QVERIFY(!view.labelsElided()); // "needs-context" is 13 characters: past the 12 that many rows get
    const int normal = QFontInfo(view.labelFont()).pixelSize();
    QFont big = view.font();
    big.setPointSizeF(big.pointSizeF() * 2);
    view.setFont(big);
    QVERIFY(!view.labelsElided());
    QVERIFY2(QFontInfo(view.labelFont()).pixelSize() <= normal,
             qPrintable(QStringLiteral("%1 px at 200 %, %2 px at 100 %")
                            .arg(QFontInfo(view.labelFont()).pixelSize())
                            .arg(normal)));
}

// A view too narrow for a long label elides it on screen, but the SVG export draws it whole.
void tst_HeatmapView::longLabelsAreExportedWhole()
{
    const QStringList labels{QStringLiteral("needs-concentration"), QStringLiteral("programming"),
                             QStringLiteral("a")};
    HeatmapView view;
    view.resize(820, 420);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(smallMatrix(), labels, labels);
    QVERIFY(!view.labelsElided());
    view.resize(360, 260); // 40 % of 360 px is less than "needs-concentration" needs
    QVERIFY(wholeMatrixShown(view));
    QVERIFY(view.labelsElided());
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    const QSize size = view.exportSizeHint();
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    QPainter painter(&generator);
    view.paintExport(painter, QRect(QPoint(0, 0), size));
    painter.end();
    const QString svg = QString::fromUtf8(buffer.data());
    // Each label twice: as a row and as a column.
    QCOMPARE(svg.count(QStringLiteral("needs-concentration")), 2);
    QCOMPARE(svg.count(QStringLiteral("programming")), 2);
    QVERIFY(!svg.contains(QChar(0x2026)));
}

void tst_HeatmapView::noImageRebuildWhileHidden()
{
    HeatmapView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(weightsLike(16), classroomLabels(16), classroomLabels(16));
    const int shown = view.imageRebuilds();
    view.hide();
    for (int i = 0; i < 5; ++i)
        view.setMatrix(weightsLike(16 + i), classroomLabels(16 + i), classroomLabels(16 + i));
    view.setColorRange(0.0, 1.0);
    view.setAutomaticColorRange();
    QCOMPARE(view.imageRebuilds(), shown);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.imageRebuilds(), shown + 1);
    view.grab(); // painting a fresh image does not build it again
    QCOMPARE(view.imageRebuilds(), shown + 1);
    // The image shows the last matrix: 20 × 20.
    QVERIFY(wholeMatrixShown(view));
    QCOMPARE(view.matrix().rows(), 20);
}

// The window's text zoom sets the widget's font: cells, labels and numbers grow with it.
void tst_HeatmapView::fontChangeScalesTheCells()
{
    HeatmapView view;
    QFont font = view.font();
    font.setPointSizeF(11);
    view.setFont(font);
    view.resize(900, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(weightsLike(4), classroomLabels(4), classroomLabels(4));
    const double before = view.cellSize();
    const int numberPx = view.numberFont().pixelSize();
    QCOMPARE(before, 60.0); // the fit's cap at 11 pt
    font.setPointSizeF(16.5); // 150 %
    view.setFont(font);
    QVERIFY2(view.cellSize() > before * 1.3, qPrintable(QString::number(view.cellSize())));
    QVERIFY(view.numberFont().pixelSize() > numberPx);
    QVERIFY(points(view.labelFont(), view) > 16);
    QVERIFY(wholeMatrixShown(view));
    QVERIFY(view.numbersVisible());
    // Cells the user zoomed scale with the font too.
    view.setCellSize(40);
    font.setPointSizeF(11);
    view.setFont(font);
    QVERIFY(view.cellSize() < 30);
}

void tst_HeatmapView::selectedRowStaysVisibleAfterResize()
{
    HeatmapView view;
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(Eigen::MatrixXd::Constant(60, 60, 0.5), {}, {});
    view.setCellSize(30);
    view.setSelection(50, 10);
    const auto rowShown = [&] {
        const QRect r = view.cellRect(50, 10);
        return r.top() >= 0 && r.bottom() < view.viewport()->height();
    };
    QVERIFY(rowShown());
    view.verticalScrollBar()->setValue(0);
    view.resize(500, 300);
    QVERIFY(rowShown());
    // A new matrix of the same shape keeps the selection in view as well.
    view.verticalScrollBar()->setValue(0);
    view.setMatrix(Eigen::MatrixXd::Constant(60, 60, 0.4), {}, {});
    QVERIFY(rowShown());
}
