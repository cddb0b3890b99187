// A stage to teach on: no text cut at the window sizes and zooms of a classroom, one Tab stop per view with
// arrows inside it, and a name for every control a screen reader reaches.
#include "attentionchart.h"
#include "clipping.h"
#include "comparepanel.h"
#include "heatmapview.h"
#include "lineview.h"
#include "matrixmodel.h"
#include "matrixview.h"
#include "modelgridview.h"
#include "modelio.h"
#include "pipelinepanel.h"
#include "showntext.h"
#include "stepnavigator.h"
#include "testmodels.h"
#include "tokenstrip.h"

#include <QAbstractButton>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFontInfo>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

using namespace attention;

namespace {

// The zooms of the window (100, 150 and 200 % of an 11 pt font): the app zooms by the font's point size.
const double kZooms[] = {11.0, 16.5, 22.0};

QFont pointFont(double points)
{
    QFont f = QApplication::font();
    f.setPointSizeF(points);
    return f;
}

using testing::clippedTexts;
using testing::elided;
using testing::unnamedControls;

// Shows `w` at `size` and lets its layout settle.
void showAt(QWidget *w, const QSize &size)
{
    w->resize(size);
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w));
    QCoreApplication::processEvents();
}

QStringList tokensOf(int n)
{
    static const QStringList words = {"The", "animal", "didn't", "cross", "the", "street",
                                      "because", "it", "was", "too", "tired", "."};
    QStringList out;
    for (int i = 0; i < n; ++i)
        out << words[i % words.size()];
    return out;
}

} // namespace

class tst_Accessibility : public QObject
{
    Q_OBJECT
private slots:
    void navigatorTitlesWhole_data();
    void navigatorTitlesWhole();
    void navigatorIsOneTabStop();

    void gridTitleWraps_data();
    void gridTitleWraps();

    void matrixViewIsOneTabStop();
    void matrixViewScrollsByWholeRows();
    void heatmapNamesWhatItShows();
    void tokenStripEnterChooses();

    void chartClearsCategories();
    void chartFollowsFont();

    void panelsWholeAndNamed_data();
    void panelsWholeAndNamed();
};

void tst_Accessibility::navigatorTitlesWhole_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("points");
    for (int width : {900, 1366, 1920})
        for (double points : kZooms)
            QTest::addRow("%d px, %.1f pt", width, points) << width << points;
}

void tst_Accessibility::navigatorTitlesWhole()
{
    QFETCH(int, width);
    QFETCH(double, points);
    QWidget window;
    window.setFont(pointFont(points));
    auto *layout = new QVBoxLayout(&window);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *navigator = new StepNavigator(&window);
    layout->addWidget(navigator);
    layout->addStretch(1);
    showAt(&window, QSize(width, 200));
    QCOMPARE(navigator->width(), width);
    QVERIFY(navigator->stepPointSize() >= 12.0);

    int steps = 0;
    for (QToolButton *button : navigator->findChildren<QToolButton *>()) {
        if (button->accessibleName().startsWith(QStringLiteral("Step ")) == false)
            continue;
        ++steps;
        QVERIFY2(button->geometry().right() < navigator->width(), qPrintable(button->text()));
        // What the button paints: "N title" on one line, or the number above the title. In the current
        // step's bold, the widest of the two looks.
        QFont bold = button->font();
        bold.setBold(true);
        const int textWidth = button->width() - 4;
        const QString title = button->text().section(QLatin1Char(' '), 1);
        const QString line = navigator->titlesUnderNumbers() ? title : button->text();
        QVERIFY2(!elided(line, bold, textWidth),
                 qPrintable(QStringLiteral("“%1” in %2 px at %3 pt")
                                .arg(line)
                                .arg(textWidth)
                                .arg(button->font().pointSizeF())));
        QVERIFY(button->height() >= button->sizeHint().height());
    }
    QCOMPARE(steps, 8);
    // Full titles wherever there is room for them at the smallest readable size.
    if (width >= 1366)
        QVERIFY(!navigator->usesShortTitles());
    // The zoom is followed: a wide bar draws its titles at the zoomed size (1.2 × the window's font).
    if (width == 1920 && points <= 16.5)
        QCOMPARE(navigator->stepPointSize(), std::max(12.0, QFontInfo(window.font()).pointSizeF() * 1.2));
    QVERIFY2(clippedTexts(navigator).isEmpty(), qPrintable(clippedTexts(navigator).join('\n')));
    QVERIFY2(unnamedControls(navigator).isEmpty(), qPrintable(unnamedControls(navigator).join(", ")));
}

void tst_Accessibility::navigatorIsOneTabStop()
{
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *before = new QLineEdit(&window);
    before->setAccessibleName(QStringLiteral("before"));
    auto *navigator = new StepNavigator(&window);
    auto *after = new QLineEdit(&window);
    layout->addWidget(before);
    layout->addWidget(navigator);
    layout->addWidget(after);
    showAt(&window, QSize(1200, 200));
    QApplication::setActiveWindow(&window);
    before->setFocus();
    QTRY_VERIFY(before->hasFocus());

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QWidget *onBar = QApplication::focusWidget();
    QVERIFY(navigator->isAncestorOf(onBar));
    QCOMPARE(onBar->accessibleName(), QStringLiteral("Step 1: Embeddings"));

    // Arrows walk the steps and keep the focus on the current one.
    QTest::keyClick(onBar, Qt::Key_Right);
    QCOMPARE(navigator->step(), Step::QKV);
    QCOMPARE(QApplication::focusWidget()->accessibleName(), QStringLiteral("Step 2: Q, K, V"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_End);
    QCOMPARE(navigator->step(), Step::Output);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Left);
    QCOMPARE(navigator->step(), Step::WeightedSum);

    // One Tab leaves the bar, one Shift+Tab comes back to its current step.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), after);
    QTest::keyClick(after, Qt::Key_Backtab);
    QCOMPARE(QApplication::focusWidget()->accessibleName(), QStringLiteral("Step 7: Weighted sum"));
}

void tst_Accessibility::gridTitleWraps_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("points");
    for (int width : {360, 600})
        for (double points : kZooms)
            QTest::addRow("%d px, %.1f pt", width, points) << width << points;
}

void tst_Accessibility::gridTitleWraps()
{
    QFETCH(int, width);
    QFETCH(double, points);
    const auto model = testing::randomModel(8, 4, 2, 2, 10, false);
    const TraceResult result = traceText(model, "w1 w2 w3 w4 w5");
    QVERIFY(result.ok());
    ModelGridView grid;
    grid.setFont(pointFont(points));
    grid.setTrace(&result.trace);
    showAt(&grid, QSize(width, 700));

    QFont bold = grid.labelFont();
    bold.setBold(true);
    const QRect title = grid.titleTextRect();
    const QRect needed =
        QFontMetrics(bold).boundingRect(QRect(0, 0, title.width(), 1 << 20), Qt::TextWordWrap, grid.title());
    QVERIFY2(needed.height() <= title.height(),
             qPrintable(QStringLiteral("%1 px for %2").arg(title.height()).arg(needed.height())));
    for (const QString &word : grid.title().split(QLatin1Char(' ')))
        QVERIFY2(!elided(word, bold, title.width()), qPrintable(word));
    // The grid starts below the title, wherever it ends.
    QVERIFY(grid.cellRect(0, 0).top() > title.bottom());
}

void tst_Accessibility::matrixViewScrollsByWholeRows()
{
    // An operand with more rows than its pane: scrolled to the highlighted row, the top row is whole.
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *model = new MatrixModel(&window);
    auto *view = new MatrixView(&window);
    view->setModel(model);
    layout->addWidget(view);
    Eigen::MatrixXd m = Eigen::MatrixXd::Constant(12, 12, 0.08);
    model->setMatrix(m, tokensOf(12), tokensOf(12));
    view->fitCells();
    showAt(&window, QSize(500, 4 * view->rowHeight(0) + 30));
    for (int row : {7, 11, 2, 9, 0}) {
        view->setHighlight(row, 3);
        QCoreApplication::processEvents();
        const int top = view->rowAt(0);
        QVERIFY(top >= 0);
        QVERIFY2(view->rowViewportPosition(top) == 0, qPrintable(QStringLiteral("row %1: top row %2 at %3 px").arg(row).arg(top).arg(view->rowViewportPosition(top))));
        QVERIFY(view->rowViewportPosition(row) >= 0 &&
                view->rowViewportPosition(row) + view->rowHeight(row) <= view->viewport()->height());
    }
}

void tst_Accessibility::matrixViewIsOneTabStop()
{
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *before = new QLineEdit(&window);
    auto *model = new MatrixModel(&window);
    auto *view = new MatrixView(&window);
    view->setModel(model);
    auto *after = new QLineEdit(&window);
    layout->addWidget(before);
    layout->addWidget(view);
    layout->addWidget(after);
    Eigen::MatrixXd m(13, 16);
    for (int r = 0; r < 13; ++r)
        for (int c = 0; c < 16; ++c)
            m(r, c) = r * 0.1 - c * 0.05;
    model->setMatrix(m, tokensOf(13), tokensOf(16));
    view->fitCells();
    showAt(&window, QSize(900, 600));
    QApplication::setActiveWindow(&window);
    before->setFocus();
    QTRY_VERIFY(before->hasFocus());

    QVERIFY(!view->accessibleName().isEmpty());
    QTest::keyClick(before, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), view);
    QVERIFY(view->currentIndex().isValid());
    const QModelIndex start = view->currentIndex();

    // Arrows move the focus cell inside the table.
    QTest::keyClick(view, Qt::Key_Right);
    QCOMPARE(view->currentIndex(), view->model()->index(start.row(), start.column() + 1));
    QTest::keyClick(view, Qt::Key_Down);
    QCOMPARE(view->currentIndex(), view->model()->index(start.row() + 1, start.column() + 1));
    QSignalSpy activated(view, &MatrixView::cellActivated);
    QTest::keyClick(view, Qt::Key_Space);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toInt(), start.row() + 1);
    QCOMPARE(activated.at(0).at(1).toInt(), start.column() + 1);

    // One Tab leaves, whatever cell it was on.
    QTest::keyClick(view, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), after);
}

void tst_Accessibility::heatmapNamesWhatItShows()
{
    HeatmapView heatmap;
    QVERIFY(!heatmap.accessibleName().isEmpty());
    heatmap.setMatrix(Eigen::MatrixXd::Constant(12, 12, 1.0 / 12), tokensOf(12), tokensOf(12));
    heatmap.setLegendTitle(QStringLiteral("weights"));
    QCOMPARE(heatmap.accessibleName(), QStringLiteral("Heatmap of weights, 12 × 12"));
    heatmap.setSelection(1, 7);
    QVERIFY2(heatmap.accessibleDescription().contains(QStringLiteral("animal → it")),
             qPrintable(heatmap.accessibleDescription()));

    LineView lines;
    lines.setWeights(Eigen::MatrixXd::Constant(5, 5, 0.2), tokensOf(5));
    QCOMPARE(lines.accessibleName(), QStringLiteral("Attention lines, 5 queries × 5 keys"));
}

void tst_Accessibility::tokenStripEnterChooses()
{
    TokenStrip strip;
    strip.setTokens(tokensOf(12), QVector<bool>(12, true), QStringLiteral("%1"));
    QCOMPARE(strip.accessibleName(), QStringLiteral("Tokens: 12"));
    showAt(&strip, QSize(900, strip.sizeHint().height()));
    QSignalSpy clicked(&strip, &TokenStrip::tokenClicked);
    QTest::keyClick(&strip, Qt::Key_Return); // before any choice: the first token
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 0);
    QTest::keyClick(&strip, Qt::Key_Right);
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 1);
    QTest::keyClick(&strip, Qt::Key_Space); // again the same token: chosen again
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 1);
    QCOMPARE(strip.selected(), 1);
}

void tst_Accessibility::chartClearsCategories()
{
    MatrixModel model;
    Eigen::MatrixXd w(3, 3);
    w << 0.5, 0.25, 0.25, 0.1, 0.3, 0.6, 0.2, 0.2, 0.6;
    const QStringList abc = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    model.setMatrix(w, abc, abc);
    AttentionChart chart;
    chart.setModel(&model);
    chart.setQueryRow(1, QStringLiteral("b"));
    showAt(&chart, QSize(500, 320));
    auto *axis = qobject_cast<QBarCategoryAxis *>(chart.chartView()->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(axis);
    QCOMPARE(axis->categories(), abc);

    // An empty sentence: no bars, and no names of the old keys under them.
    model.setMatrix(Eigen::MatrixXd(0, 0), {}, {});
    QCOMPARE(chart.queryRow(), -1);
    QVERIFY(!chart.barSet() || chart.barSet()->count() == 0);
    QVERIFY2(axis->categories().isEmpty(), qPrintable(axis->categories().join(", ")));
    QVERIFY(!axis->labelsVisible());
    QCOMPARE(axis->count(), 0);
    QCOMPARE(chart.chartView()->chart()->title(), QStringLiteral("Select a token"));

    // And a new sentence brings its own names.
    const QStringList xy = {QStringLiteral("x"), QStringLiteral("y")};
    model.setMatrix(Eigen::MatrixXd::Constant(2, 2, 0.5), xy, xy);
    QCOMPARE(axis->categories(), xy);
    QVERIFY(axis->labelsVisible());

    // The same with a real sentence's repeated words, while the chart is hidden (another dock's tab).
    chart.hide();
    model.setMatrix(Eigen::MatrixXd::Constant(12, 12, 1.0 / 12), tokensOf(12), tokensOf(12));
    chart.setQueryRow(4, QStringLiteral("the"));
    QCOMPARE(axis->categories().size(), 12);
    model.setMatrix(Eigen::MatrixXd(), {}, {});
    chart.setQueryRow(-1, QString());
    QVERIFY2(axis->categories().isEmpty(), qPrintable(axis->categories().join(", ")));
}

void tst_Accessibility::chartFollowsFont()
{
    AttentionChart chart;
    chart.setFont(pointFont(22.0));
    QChart *c = chart.chartView()->chart();
    QCOMPARE(c->titleFont().pointSizeF(), 22.0);
    for (QAbstractAxis *axis : c->axes())
        QCOMPARE(axis->labelsFont().pointSizeF(), 22.0);
    chart.setFont(pointFont(16.5));
    QCOMPARE(c->titleFont().pointSizeF(), 16.5);
    QVERIFY(c->titleFont().bold());
    for (QAbstractAxis *axis : c->axes()) {
        QCOMPARE(axis->labelsFont().pointSizeF(), 16.5);
        QCOMPARE(axis->titleFont().pointSizeF(), 16.5);
    }
    QVERIFY(!chart.accessibleName().isEmpty());
}

void tst_Accessibility::panelsWholeAndNamed_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<double>("points");
    // The left dock at 1366 × 768 and at 1920 × 1080, at each zoom.
    for (const QSize &size : {QSize(320, 700), QSize(420, 1000)})
        for (double points : kZooms)
            QTest::addRow("%d x %d, %.1f pt", size.width(), size.height(), points) << size << points;
}

void tst_Accessibility::panelsWholeAndNamed()
{
    QFETCH(QSize, size);
    QFETCH(double, points);
    const ModelLoad load = loadModel(QStringLiteral("didactic"));
    QVERIFY(load.model);

    PipelinePanel pipeline;
    pipeline.setFont(pointFont(points));
    AppState state;
    pipeline.showState(state, *load.model);
    // A dock never gets narrower than the panel needs (the window's scroll area keeps its minimum).
    showAt(&pipeline, size.expandedTo(pipeline.minimumSizeHint()));
    QVERIFY2(clippedTexts(&pipeline).isEmpty(), qPrintable(clippedTexts(&pipeline).join('\n')));
    QVERIFY2(unnamedControls(&pipeline).isEmpty(), qPrintable(unnamedControls(&pipeline).join(", ")));
    // The mask-edit button reads whole, at full width of its group.
    QVERIFY(pipeline.editMaskButton()->width() >= pipeline.editMaskButton()->sizeHint().width());

    ComparePanel compare;
    compare.setFont(pointFont(points));
    compare.setModel(load.model);
    showAt(&compare, QSize(size.width(), 600));
    QVERIFY2(clippedTexts(&compare).isEmpty(), qPrintable(clippedTexts(&compare).join('\n')));
    QVERIFY2(unnamedControls(&compare).isEmpty(), qPrintable(unnamedControls(&compare).join(", ")));
}

QTEST_MAIN(tst_Accessibility)
#include "tst_accessibility.moc"
