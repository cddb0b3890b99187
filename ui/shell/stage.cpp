// The equation and its result: every number comes from the controller's trace.
#include "stage.h"

#include "equationview.h"
#include "heatmapview.h"
#include "labels.h"
#include "report.h"
#include "lineview.h"
#include "matrixmodel.h"
#include "stagecontroller.h"
#include "theme.h"

#include <QEvent>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabBar>
#include <QTabWidget>
#include <QTextDocument>
#include <QVBoxLayout>
#include <cmath>

namespace attention {

Stage::Stage(StageController *controller, MatrixModel *weights, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_weights(weights)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_stack = new QStackedWidget(this);
    outer->addWidget(m_stack);
    m_emptyHint = new QLabel(tr("<h2>Type a sentence above</h2>"
                                "<p>AttentionLab splits it into tokens and shows, step by step, how each token "
                                "decides which others to look at.</p>"
                                "<p>No idea? Open <b>Examples</b> and pick one.</p>"),
                             m_stack);
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setObjectName(QStringLiteral("emptyHint"));
    m_stack->addWidget(m_emptyHint);

    m_splitter = new QSplitter(Qt::Vertical, m_stack);
    m_splitter->setObjectName(QStringLiteral("centerSplitter"));
    m_splitter->setChildrenCollapsible(false);
    // The step's formula and what it does head the equation, in the pane that scrolls: on a low screen the
    // result below keeps its room.
    auto *equationPage = new QWidget(m_splitter);
    auto *page = new QVBoxLayout(equationPage);
    page->setContentsMargins(0, 0, 0, 0);
    page->setSpacing(2);
    // The formula above its description, both wrapping: at a high zoom neither runs off the side.
    m_formula = new QLabel(equationPage);
    m_formula->setObjectName(QStringLiteral("formula"));
    m_formula->setWordWrap(true);
    m_description = new QLabel(equationPage);
    m_description->setWordWrap(true);
    m_description->setObjectName(QStringLiteral("stepDescription"));
    page->addWidget(m_formula);
    page->addWidget(m_description);
    m_equation = new EquationView(m_controller, equationPage);
    m_equation->setAccessibleName(tr("Equation of the step"));
    page->addWidget(m_equation, 1);
    m_equationScroll = new QScrollArea(m_splitter);
    m_equationScroll->setWidget(equationPage);
    m_equationScroll->setWidgetResizable(true);
    m_equationScroll->setFrameShape(QFrame::NoFrame);
    m_equationScroll->setFocusPolicy(Qt::NoFocus); // the matrices inside take the focus, one Tab stop each
    // The formula and its description wrap at the visible width, even when wide operands scroll sideways.
    m_equationScroll->viewport()->installEventFilter(this);
    connect(m_equation, &EquationView::cellActivated, this, &Stage::activate);
    connect(m_equation, &EquationView::cellHovered, this, &Stage::cellHovered);
    connect(m_equation, &EquationView::projectionRequested, m_controller, &StageController::setProjection);
    for (int i = 0; i < kMatrixCount; ++i) {
        MatrixPanel *p = m_equation->panel(static_cast<MatrixId>(i));
        if (!p)
            continue;
        p->view()->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(p->view(), &QWidget::customContextMenuRequested, this, [this, p](const QPoint &pos) {
            emit contextMenuRequested(p, p->view()->viewport()->mapToGlobal(pos), p->model());
        });
    }

    auto *below = new QWidget(m_splitter);
    auto *bl = new QVBoxLayout(below);
    bl->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(below);
    m_tabs->setObjectName(QStringLiteral("viewTabs"));
    m_tabs->setAccessibleName(tr("Heatmap or lines"));
    auto *heatPage = new QWidget(m_tabs);
    auto *hl = new QVBoxLayout(heatPage);
    hl->setContentsMargins(2, 2, 2, 2);
    // The caption sits beside the tabs, in the row they leave empty: the cells get that line's height.
    m_heatmapCaption = new QLabel(m_tabs);
    m_heatmapCaption->setObjectName(QStringLiteral("heatmapCaption"));
    m_heatmapCaption->setContentsMargins(12, 0, 4, 0);
    m_heatmapCaption->setTextFormat(Qt::RichText);
    m_heatmapCaption->setMinimumWidth(1); // its text is chosen for the width (fitCaption), never wider
    m_heatmapCaption->installEventFilter(this);
    m_heatmapCaption->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_heatmap = new HeatmapView(heatPage);
    m_heatmap->setContextMenuPolicy(Qt::CustomContextMenu);
    hl->addWidget(m_heatmap, 1);
    connect(m_heatmap, &HeatmapView::cellClicked, this, [this](int row, int column) {
        if (m_controller->state().maskEdit) {
            if (!m_controller->toggleBlocked(row, column) && (m_controller->isStale() || m_controller->isUpdating()))
                emit message(tr("The heatmap shows the last text that worked, not the one typed: fix the text "
                                "above (or wait while it is computed) to edit its mask."));
            return;
        }
        activate(m_heatmapId, row, column);
    });
    connect(m_heatmap, &HeatmapView::cellHovered, this,
            [this](int row, int column) { emit cellHovered(m_heatmapId, row, column); });
    connect(m_heatmap, &HeatmapView::rowLabelClicked, this, [this](int row) { m_controller->select(row, -1); });
    connect(m_heatmap, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        emit contextMenuRequested(m_heatmap, m_heatmap->mapToGlobal(pos), heatmapModel());
    });
    m_tabs->addTab(heatPage, tr("Heatmap"));
    m_tabs->setCornerWidget(m_heatmapCaption, Qt::TopRightCorner);
    m_tabs->installEventFilter(this);

    m_lines = new LineView(m_tabs);
    m_linesScroll = new QScrollArea(m_tabs);
    m_linesScroll->setWidget(m_lines);
    m_linesScroll->setWidgetResizable(true);
    m_lines->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_lines, &LineView::queryClicked, this, [this](int row) { m_controller->select(row, -1); });
    connect(m_lines, &QWidget::customContextMenuRequested, this,
            [this](const QPoint &pos) { emit contextMenuRequested(m_lines, m_lines->mapToGlobal(pos), m_weights); });
    m_tabs->addTab(m_linesScroll, tr("Lines"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        m_controller->setView(index == 0 ? StageView::Heatmap : StageView::Lines);
    });
    bl->addWidget(m_tabs);

    m_splitter->addWidget(m_equationScroll);
    m_splitter->addWidget(below);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_userMovedSplitter = true; });
    m_stack->addWidget(m_splitter);

    applyFonts();
    connect(m_controller, &StageController::traceChanged, this, &Stage::showTrace);
    connect(m_controller, &StageController::stepChanged, this, &Stage::showStep);
    connect(m_controller, &StageController::selectionChanged, this, &Stage::showSelection);
    connect(m_controller, &StageController::viewChanged, this, &Stage::showView);
    showView();
    showTrace();
}

MatrixModel *Stage::heatmapModel() const
{
    MatrixPanel *result = m_equation->resultPanel();
    return result ? result->model() : nullptr;
}

QWidget *Stage::currentView() const
{
    return m_tabs->currentIndex() == 0 ? static_cast<QWidget *>(m_heatmap) : static_cast<QWidget *>(m_lines);
}

bool Stage::showsEmptyState() const
{
    return m_stack->currentWidget() == m_emptyHint;
}

void Stage::showTrace()
{
    const AttentionTrace *trace = m_controller->trace();
    if (m_controller->isEmpty() || !trace) {
        m_stack->setCurrentWidget(m_emptyHint);
        m_lines->setWeights(Eigen::MatrixXd(), {});
        return;
    }
    m_stack->setCurrentWidget(m_splitter);
    if (const HeadTrace *head = m_controller->headTrace())
        m_lines->setWeights(head->weights, toQStringList(tokenLabels(*trace)));
    showStep(); // the equation, the heatmap, and the formula (which follows the swap)
}

void Stage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && !m_applyingFonts)
        applyFonts();
}

void Stage::applyFonts()
{
    // A font set on a child stops following the window's zoom: derive it from ours on every change.
    m_applyingFonts = true;
    QFont formula = font();
    formula.setPointSizeF(font().pointSizeF() * 1.35);
    formula.setBold(true);
    m_formula->setFont(formula);
    m_applyingFonts = false;
}

void Stage::showStep()
{
    const AppState &s = m_controller->state();
    // From layer 2 on, a layer reads the previous layer's output, not the embeddings: the header says so.
    if (s.step == Step::Embeddings && s.layer > 0 && m_controller->trace())
        m_formula->setText(tr("X = the output of layer %1").arg(s.layer));
    else
        m_formula->setText(stepFormulaText(s.step, s.swapQK));
    m_formula->setStyleSheet(s.swapQK && s.step == Step::Scores
                                 ? QStringLiteral("color: %1").arg(theme::warning().name())
                                 : QString());
    m_description->setText(stepDescriptionText(s.step));
    if (!m_controller->trace())
        return;
    m_equation->refresh();
    updateHeatmap();
    showSelection();
    placeSplitter();
}

void Stage::showSelection()
{
    const AttentionTrace *trace = m_controller->trace();
    const int n = trace ? trace->tokenCount() : 0;
    const AppState &s = m_controller->state();
    // While a longer text is being traced the selection may name a token the trace shown does not have.
    const int query = s.query < n ? s.query : -1;
    const int key = s.key < n ? s.key : -1;
    m_heatmap->setSelection(query, key);
    m_lines->setSelectedQuery(query);
    m_equation->updateHighlights();
}

void Stage::showView()
{
    const AppState &s = m_controller->state();
    {
        const QSignalBlocker block(m_tabs);
        m_tabs->setCurrentIndex(s.view == StageView::Heatmap ? 0 : 1);
    }
    m_equation->setProjection(s.projection);
    m_equation->setPrecision(s.decimals);
    m_heatmap->setPrecision(s.decimals);
    if (m_heatmap->maskEditMode() != s.maskEdit) {
        m_heatmap->setMaskEditMode(s.maskEdit);
        updateHeatmap();
    }
    if (m_controller->trace())
        m_equation->refresh();
}

void Stage::updateHeatmap()
{
    const AttentionTrace *trace = m_controller->trace();
    MatrixPanel *result = m_equation->resultPanel();
    if (!trace || !result)
        return;
    // The heatmap draws the result of the current step, with the labels and numbers of its panel.
    const MatrixModel *m = result->model();
    m_heatmapId = result->id();
    const bool square = isSquareMatrix(m_heatmapId);
    const QString name = result->name();
    QString caption = tr("<b>%1</b> (%2 × %3)").arg(name.toHtmlEscaped()).arg(m->rowCount()).arg(m->columnCount());
    if (square)
        caption += tr(": row = <span style='color:%1'>query</span> (who looks), column = "
                      "<span style='color:%2'>key</span> (who is looked at)")
                       .arg(theme::query().name(), theme::key().name());
    else
        caption += tr(": one row per token");
    if (m_controller->state().maskEdit)
        caption += tr(" · <b style='color:%1'>editing the mask: click a cell to block or unblock it (Esc ends)</b>")
                       .arg(theme::warning().name());
    // The caption keeps to one line: its explanation of rows and columns goes when the width is short
    // (the heatmap's axis titles say the same), so that the cells keep the height.
    m_caption = caption;
    m_shortCaption = tr("<b>%1</b> (%2 × %3)").arg(name.toHtmlEscaped()).arg(m->rowCount()).arg(m->columnCount());
    fitCaption();
    fillHeatmap(m_heatmap, &m_fixedRange);
}

void Stage::fillHeatmap(HeatmapView *view, bool *fixedRangeShown) const
{
    MatrixPanel *result = m_equation->resultPanel();
    if (!m_controller->trace() || !result)
        return;
    const MatrixModel *m = result->model();
    const MatrixId id = result->id();
    const QString name = result->name();
    const bool square = isSquareMatrix(id);
    QStringList rows, columns;
    for (int r = 0; r < m->rowCount(); ++r)
        rows << m->headerData(r, Qt::Vertical).toString();
    for (int c = 0; c < m->columnCount(); ++c)
        columns << m->headerData(c, Qt::Horizontal).toString();
    // Titles, colours and range first: they change the margins, and the matrix is fitted to what is left.
    view->setLegendTitle(name);
    if (square) {
        view->setLabelColors(theme::query(), theme::key());
        view->setAxisTitles(tr("queries ↓"), tr("keys →"));
    } else {
        view->setLabelColors(QColor(), QColor());
        view->setAxisTitles(QString(), QString());
    }
    // Weights are drawn on 0…1, everything else on its own range. Set only when that changes: each setter
    // redraws the whole image, and setMatrix rescans an automatic range anyway.
    const bool fixedRange = id == MatrixId::Weights;
    if (!fixedRangeShown || fixedRange != *fixedRangeShown) {
        if (fixedRangeShown)
            *fixedRangeShown = fixedRange;
        if (fixedRange)
            view->setColorRange(0.0, 1.0);
        else
            view->setAutomaticColorRange();
    }
    view->setMatrix(m->matrix(), rows, columns);
    view->setAccessibleName(tr("Heatmap of %1, %2 × %3").arg(name).arg(m->rowCount()).arg(m->columnCount()));
}

bool Stage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_stack && event->type() == QEvent::Resize && m_cover)
        m_cover->setGeometry(m_stack->rect());
    if (watched == m_equationScroll->viewport() && event->type() == QEvent::Resize) {
        const int w = m_equationScroll->viewport()->width();
        m_formula->setMaximumWidth(w);
        m_description->setMaximumWidth(w);
    }
    if ((watched == m_tabs && event->type() == QEvent::Resize) ||
        (watched == m_heatmapCaption && event->type() == QEvent::FontChange))
        fitCaption();
    return QWidget::eventFilter(watched, event);
}

void Stage::setResultHidden(bool hidden, const QString &why)
{
    if (!m_cover) {
        // Over the whole stage: the equation's operands show the weights too.
        m_cover = new QLabel(m_stack);
        m_stack->installEventFilter(this);
        m_cover->setObjectName(QStringLiteral("resultCover"));
        m_cover->setAlignment(Qt::AlignCenter);
        m_cover->setWordWrap(true);
        m_cover->setTextFormat(Qt::PlainText);
        m_cover->setAutoFillBackground(true);
        m_cover->hide();
    }
    m_cover->setText(why);
    m_cover->setGeometry(m_stack->rect());
    m_cover->setVisible(hidden);
    if (hidden)
        m_cover->raise();
}

bool Stage::resultHidden() const
{
    return m_cover && m_cover->isVisible();
}

void Stage::fitCaption()
{
    // The room beside the tabs decides: the whole caption when it fits there, else the name and size.
    const auto widthOf = [this](const QString &html) {
        QTextDocument doc;
        doc.setDefaultFont(m_heatmapCaption->font());
        doc.setDocumentMargin(0);
        doc.setHtml(html);
        const QMargins m = m_heatmapCaption->contentsMargins();
        return static_cast<int>(std::ceil(doc.idealWidth())) + m.left() + m.right() + 4;
    };
    const int room = m_tabs->width() - m_tabs->tabBar()->sizeHint().width() - 8;
    const QString &text = widthOf(m_caption) <= room ? m_caption : m_shortCaption;
    if (m_heatmapCaption->text() != text)
        m_heatmapCaption->setText(text);
    m_heatmapCaption->setMaximumWidth(std::max(1, room));
}

void Stage::activate(MatrixId panel, int row, int column)
{
    const int query = m_controller->state().query;
    const int key = m_controller->state().key;
    if (isSquareMatrix(panel))
        m_controller->select(row, column);
    else if (panel == MatrixId::KT || panel == MatrixId::QT)
        m_controller->select(query, column);
    else if (isWeightMatrix(panel))
        return;
    else if (panel == MatrixId::K || panel == MatrixId::V)
        m_controller->select(query, row);
    else
        m_controller->select(row, key);
    emit cellActivated(panel, row, column);
}

void Stage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_splitterPlaced)
        placeSplitter();
}

void Stage::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (isVisible())
        placeSplitter();
}

void Stage::placeSplitter()
{
    // The result of the step is the picture the class looks at: it gets the height its rows need to show
    // their numbers (every result has a row per token), at least a little over half, and the equation above
    // keeps a few lines and scrolls. Once the person drags the divider, their choice stays.
    if (m_userMovedSplitter || !isVisible() || m_stack->currentWidget() != m_splitter)
        return;
    const int h = m_splitter->height();
    if (h < 100)
        return;
    m_splitterPlaced = true;
    const MatrixModel *m = heatmapModel();
    const int rows = m ? m->rowCount() : 0;
    const QFontMetrics fm(font());
    const int rowHeight = fm.height() + 4;
    // Tabs, caption, rotated column labels and the margins around the cells.
    const int chrome = m_tabs->tabBar()->sizeHint().height() + 4 * fm.height();
    const int wanted = rows * rowHeight + chrome;
    const int equationMinimum = std::min(h / 5, 4 * fm.height());
    const int result = std::clamp(wanted, h * 11 / 20, std::max(h * 11 / 20, h - equationMinimum));
    if (m_splitter->sizes().value(1) != result)
        m_splitter->setSizes({h - result, result});
}

} // namespace attention
