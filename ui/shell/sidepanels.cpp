// The side panels: built here, fed from the controller, their choices sent back to it.
#include "sidepanels.h"

#include "attentionchart.h"
#include "codepanel.h"
#include "scalingpanel.h"
#include "comparepanel.h"
#include "explainpanel.h"
#include "labels.h"
#include "report.h"
#include "layerflowview.h"
#include "matrixmodel.h"
#include "modelgridview.h"
#include "pipelinepanel.h"
#include "stagecontroller.h"

#include <QAction>
#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QScrollArea>
#include <QSplitter>
#include <QTabBar>
#include <QTimer>
#include <QToolButton>

namespace attention {

namespace {
QScrollArea *scrolling(QWidget *content, QWidget *parent)
{
    // A narrow window can still fit the panel: it scrolls instead of setting the window's minimum size.
    auto *scroll = new QScrollArea(parent);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    return scroll;
}
} // namespace

SidePanels::SidePanels(QMainWindow *window, StageController *controller, MatrixModel *weights)
    : QObject(window), m_window(window), m_controller(controller), m_weights(weights)
{
    // The pipeline, on the left.
    m_pipelineDock = new QDockWidget(tr("Pipeline"), window);
    m_pipelineDock->setObjectName(QStringLiteral("pipelineDock"));
    m_pipeline = new PipelinePanel(m_pipelineDock);
    StageController *c = m_controller;
    connect(m_pipeline, &PipelinePanel::stepRequested, c, &StageController::setStep);
    connect(m_pipeline, &PipelinePanel::causalChosen, c,
            [c](bool on) { c->setMask(on ? MaskMode::Causal : MaskMode::None); });
    connect(m_pipeline, &PipelinePanel::scaleChosen, c, &StageController::setScale);
    connect(m_pipeline, &PipelinePanel::swapChosen, c, &StageController::setSwapQK);
    connect(m_pipeline, &PipelinePanel::editMaskChosen, c, &StageController::setMaskEdit);
    connect(m_pipeline, &PipelinePanel::modelChosen, this, [this](const QString &source) {
        const QString error = m_controller->setModelSource(source);
        if (!error.isEmpty()) {
            m_pipeline->showModel(m_controller->state().model);
            emit modelFailed(error);
        }
    });
    connect(m_pipeline, &PipelinePanel::layerChosen, c, &StageController::setLayer);
    connect(m_pipeline, &PipelinePanel::headChosen, c, &StageController::setHead);
    connect(m_pipeline, &PipelinePanel::precisionChosen, c, &StageController::setDecimals);
    auto *pipelineScroll = scrolling(m_pipeline, m_pipelineDock);
    pipelineScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_pipeline->setMinimumHeight(560);
    pipelineScroll->setMinimumWidth(m_pipeline->minimumSizeHint().width() + 4);
    m_pipelineDock->setWidget(pipelineScroll);
    window->addDockWidget(Qt::LeftDockWidgetArea, m_pipelineDock);

    // Explain, with the chart of the selected query's weights under it.
    m_explainDock = new QDockWidget(tr("Explain"), window);
    m_explainDock->setObjectName(QStringLiteral("explainDock"));
    auto *splitter = new QSplitter(Qt::Vertical, m_explainDock);
    m_explain = new ExplainPanel(splitter);
    m_chart = new AttentionChart(splitter);
    m_chart->setModel(m_weights);
    m_chart->setContextMenuPolicy(Qt::CustomContextMenu);
    splitter->addWidget(m_explain);
    splitter->addWidget(m_chart);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    m_explainDock->setWidget(splitter);
    window->addDockWidget(Qt::RightDockWidgetArea, m_explainDock);

    // Three views for models with several layers and heads; they share the right side with Explain.
    // Short titles: four tabs share a 300 px dock and must not be cut; the View menu has the full names.
    m_gridDock = new QDockWidget(tr("Heads"), window);
    m_gridDock->toggleViewAction()->setText(tr("Layers × heads panel"));
    m_gridDock->setObjectName(QStringLiteral("gridDock"));
    m_grid = new ModelGridView(m_gridDock);
    m_gridDock->setWidget(scrolling(m_grid, m_gridDock));
    connect(m_grid, &ModelGridView::headActivated, c, &StageController::setLayerAndHead);

    m_layerFlowDock = new QDockWidget(tr("Follow"), window);
    m_layerFlowDock->toggleViewAction()->setText(tr("Follow a token panel"));
    m_layerFlowDock->setObjectName(QStringLiteral("layerFlowDock"));
    m_layerFlow = new LayerFlowView(m_layerFlowDock);
    m_layerFlowDock->setWidget(scrolling(m_layerFlow, m_layerFlowDock));
    connect(m_layerFlow, &LayerFlowView::tokenClicked, c, [c](int i) { c->select(i, -1); });

    m_compareDock = new QDockWidget(tr("Compare"), window);
    m_compareDock->toggleViewAction()->setText(tr("Compare panel"));
    m_compareDock->setObjectName(QStringLiteral("compareDock"));
    m_compare = new ComparePanel(m_compareDock);
    m_compare->setModel(c->modelPointer());
    m_compareModel = c->modelPointer().get();
    m_compareDock->setWidget(scrolling(m_compare, m_compareDock));

    // The computation as code, the current step's lines lit. Its listings scroll by themselves; the outer
    // scroll area keeps the panel at least as wide as its tabs, even while the dock waits behind another.
    m_codeDock = new QDockWidget(tr("Code"), window);
    m_codeDock->toggleViewAction()->setText(tr("Code panel"));
    m_codeDock->setObjectName(QStringLiteral("codeDock"));
    m_code = new CodePanel(m_codeDock);
    m_code->follow(c);
    m_codeDock->setWidget(scrolling(m_code, m_codeDock));
    // Deep dive: why scale by √d_k, as an experiment with a slider and two charts.
    m_scalingDock = new QDockWidget(tr("Scaling"), window);
    m_scalingDock->toggleViewAction()->setText(tr("Deep dive: why scale by √d_k"));
    m_scalingDock->setObjectName(QStringLiteral("scalingDock"));
    m_scaling = new ScalingPanel(m_scalingDock);
    m_scalingDock->setWidget(scrolling(m_scaling, m_scalingDock));
    for (QDockWidget *d : {m_gridDock, m_layerFlowDock, m_compareDock, m_codeDock, m_scalingDock})
        window->tabifyDockWidget(m_explainDock, d);
    m_explainDock->raise();

    // Raising a panel's tab is a change of state (a lesson may open one): it goes through the controller.
    const QList<QPair<QDockWidget *, SidePanel>> panels = {{m_explainDock, SidePanel::Explain},
                                                          {m_gridDock, SidePanel::Grid},
                                                          {m_layerFlowDock, SidePanel::Flow},
                                                          {m_compareDock, SidePanel::Compare},
                                                          {m_codeDock, SidePanel::Code},
                                                          {m_scalingDock, SidePanel::Scaling}};
    for (const auto &[dock, panel] : panels)
        connect(dock, &QDockWidget::visibilityChanged, this, [this, dock = dock, panel = panel](bool visible) {
            if (visible && m_tracking && !m_raising && !m_arranging && m_controller->state().panel != panel) {
                m_shownPanel = panel;
                m_controller->setPanel(panel);
            }
        });

    m_hoverTimer = new QTimer(this);
    m_hoverTimer->setSingleShot(true);
    m_hoverTimer->setInterval(kHoverRestMs);
    connect(m_hoverTimer, &QTimer::timeout, this, [this] { explainCell(m_hoverPanel, m_hoverRow, m_hoverColumn); });

    connect(c, &StageController::traceChanged, this, &SidePanels::showTrace);
    connect(c, &StageController::stepChanged, this, [this](Step step) {
        m_pipeline->showStep(step);
        showView();
        showSelection(); // the explanation follows the step's matrix: never a cell of the previous step
    });
    connect(c, &StageController::selectionChanged, this, &SidePanels::showSelection);
    connect(c, &StageController::viewChanged, this, &SidePanels::showView);
    m_pipeline->installEventFilter(this);
    m_pipeline->showStep(c->state().step);
    showTrace();
    showView();
}

QDockWidget *SidePanels::dock(SidePanel panel) const
{
    switch (panel) {
    case SidePanel::Explain:
        return m_explainDock;
    case SidePanel::Grid:
        return m_gridDock;
    case SidePanel::Flow:
        return m_layerFlowDock;
    case SidePanel::Compare:
        return m_compareDock;
    case SidePanel::Code:
        return m_codeDock;
    case SidePanel::Scaling:
        return m_scalingDock;
    }
    return m_explainDock;
}

QDockWidget *SidePanels::front() const
{
    return m_frontExtra && m_frontExtra->isVisibleTo(m_window) ? m_frontExtra : dock(m_controller->state().panel);
}

QList<QDockWidget *> SidePanels::docks() const
{
    return {m_pipelineDock, m_explainDock, m_gridDock, m_layerFlowDock, m_compareDock, m_codeDock, m_scalingDock};
}

void SidePanels::addTabbedDock(QDockWidget *d)
{
    m_extraDocks << d;
    const bool tabbed = m_window->tabifiedDockWidgets(m_pipelineDock).contains(m_explainDock);
    m_window->tabifyDockWidget(tabbed ? m_pipelineDock : m_explainDock, d);
}

void SidePanels::raiseTabbedDock(QDockWidget *d)
{
    m_frontExtra = d;
    m_raising = true;
    d->show();
    d->raise();
    m_raising = false;
}

void SidePanels::showTrace()
{
    const AttentionTrace *trace = m_controller->trace();
    const AppState &s = m_controller->state();
    m_pipeline->showState(s, m_controller->model());
    m_pipeline->showModel(s.model);
    if (m_compareModel != m_controller->modelPointer().get()) {
        m_compareModel = m_controller->modelPointer().get();
        m_compare->setModel(m_controller->modelPointer());
    }
    m_compare->setOptions(s.scale, s.mask == MaskMode::Causal, s.swapQK);
    if (m_controller->isEmpty() || !trace) {
        m_grid->setTrace(nullptr);
        m_layerFlow->setTrace(nullptr);
        // Nothing to chart: the views must not keep showing the previous sentence.
        m_weights->setMatrix(Eigen::MatrixXd(), {}, {});
        m_chart->setQueryRow(-1, QString());
        m_explain->showMessage(tr("Type a sentence to begin."));
        return;
    }
    const QStringList tokens = toQStringList(tokenLabels(*trace));
    if (const HeadTrace *head = m_controller->headTrace())
        m_weights->setMatrix(head->weights, tokens, tokens);
    m_grid->setTrace(trace);
    m_grid->setSelected(s.layer, s.head);
    m_layerFlow->setTrace(trace);
    showSelection();
}

void SidePanels::showSelection()
{
    const AttentionTrace *trace = m_controller->trace();
    const int n = trace ? trace->tokenCount() : 0;
    const int query = m_controller->state().query < n ? m_controller->state().query : -1;
    m_grid->setSelectedQuery(query);
    if (query >= 0)
        m_layerFlow->setToken(query);
    m_chart->setQueryRow(query, query >= 0 ? QString::fromStdString(trace->tokens[std::size_t(query)].text)
                                           : QString());
    m_hoverTimer->stop();
    m_explain->explainSelection(*m_controller);
}

void SidePanels::showView()
{
    const AppState &s = m_controller->state();
    m_explain->setPrecision(s.decimals);
    {
        const QSignalBlocker block(m_pipeline);
        m_pipeline->setPrecision(s.decimals);
        const QSignalBlocker blockButton(m_pipeline->editMaskButton());
        m_pipeline->editMaskButton()->setChecked(s.maskEdit);
    }
    raiseForState();
}

void SidePanels::raiseForState()
{
    // Only a change of the state's panel brings one forward (and shows it): a panel the person closed
    // stays closed until then.
    const SidePanel panel = m_controller->state().panel;
    if (panel == m_shownPanel)
        return;
    m_shownPanel = panel;
    m_frontExtra = nullptr;
    QDockWidget *front = dock(panel);
    {
        m_raising = true;
        front->show();
        front->raise();
        m_raising = false;
    }
}

bool SidePanels::eventFilter(QObject *watched, QEvent *event)
{
    // A zoom makes the pipeline's boxes and labels larger: its dock widens to hold them, within a quarter
    // of the window, instead of cutting them at the side.
    if (watched == m_pipeline && event->type() == QEvent::FontChange)
        QTimer::singleShot(0, this, [this] {
            auto *scroll = qobject_cast<QWidget *>(m_pipelineDock->widget());
            const int wanted = std::min(m_pipeline->minimumSizeHint().width() + 4, m_window->width() / 4);
            scroll->setMinimumWidth(wanted);
            if (m_pipelineDock->width() < wanted)
                m_window->resizeDocks({m_pipelineDock}, {wanted}, Qt::Horizontal);
        });
    return QObject::eventFilter(watched, event);
}

void SidePanels::windowShown()
{
    if (m_tracking)
        return;
    m_raising = true;
    front()->raise();
    m_raising = false;
    QTimer::singleShot(kSettleMs, this, [this] {
        m_raising = true;
        front()->raise();
        m_raising = false;
        m_tracking = true;
        for (QTabBar *bar : m_window->findChildren<QTabBar *>())
            if (qobject_cast<QMainWindow *>(bar->parentWidget()))
                bar->setElideMode(Qt::ElideNone); // the docks' tabs keep their titles whole
    });
}

void SidePanels::explainCell(MatrixId panel, int row, int column)
{
    m_hoverTimer->stop();
    m_explain->explainCell(*m_controller, panel, row, column);
}

void SidePanels::hoverCell(MatrixId panel, int row, int column)
{
    // The explanation follows the mouse once it rests on a cell for a moment: sweeping across a large
    // heatmap then costs nothing, and the text does not flicker under the learner's eyes.
    if (row < 0 || column < 0) {
        m_hoverTimer->stop();
        m_explain->explainSelection(*m_controller);
        return;
    }
    m_hoverPanel = panel;
    m_hoverRow = row;
    m_hoverColumn = column;
    m_hoverTimer->start();
}

void SidePanels::fitToWidth(int width, double zoom, bool keepUserWidths)
{
    // Below 1280 px at 100 % (960 px at 75 %, 1920 px at 150 %) there is no room for panels on both sides:
    // the right panels join the pipeline panel as tabs, and come back to the right when there is room again.
    const bool narrow = width < 1280 * zoom;
    const QList<QDockWidget *> right =
        QList<QDockWidget *>{m_explainDock, m_gridDock, m_layerFlowDock, m_compareDock, m_codeDock, m_scalingDock} + m_extraDocks;
    const bool tabbed = m_window->tabifiedDockWidgets(m_pipelineDock).contains(m_explainDock);
    if ((narrow && !tabbed) || (!narrow && tabbed)) {
        // Moving docks shows and hides them: that is no choice of the person's. The tabs settle a moment later.
        m_arranging = true;
        QTimer::singleShot(kSettleMs, this, [this] {
            m_arranging = false;
            m_raising = true;
            front()->raise();
            m_raising = false;
        });
    }
    if (narrow && !tabbed && m_window->dockWidgetArea(m_explainDock) == Qt::RightDockWidgetArea &&
        m_window->dockWidgetArea(m_pipelineDock) == Qt::LeftDockWidgetArea) {
        for (QDockWidget *d : right)
            m_window->tabifyDockWidget(m_pipelineDock, d);
        m_pipelineDock->raise();
        // Five tab titles side by side would set the window's minimum width: let them scroll instead.
        // The dock tab bars exist only once the layout has run.
        QTimer::singleShot(0, this, [this] {
            for (QTabBar *bar : m_window->findChildren<QTabBar *>()) {
                bar->setUsesScrollButtons(true);
                bar->setElideMode(Qt::ElideNone); // a tab scrolls into view rather than lose its title
            }
        });
    } else if (!narrow && tabbed) {
        m_window->addDockWidget(Qt::RightDockWidgetArea, m_explainDock);
        for (QDockWidget *d : right.mid(1))
            m_window->tabifyDockWidget(m_explainDock, d);
        dock(m_shownPanel)->raise();
    }
    // The dock tab bars exist only once the layout has run: keep their titles whole (a tab scrolls into view).
    QTimer::singleShot(0, this, [this] {
        for (QTabBar *bar : m_window->findChildren<QTabBar *>())
            if (qobject_cast<QMainWindow *>(bar->parentWidget()) && bar->elideMode() != Qt::ElideNone) {
                bar->setElideMode(Qt::ElideNone);
                bar->setUsesScrollButtons(true);
            }
    });
    // The side panels take less of a laptop screen than of a projector's, so the stage keeps its room.
    // Only when the window crosses a size, so that ordinary resizes leave the user's widths alone.
    // Both widths grow with the zoom, within a quarter of the window each.
    const int tier = narrow ? 0 : width < 1600 * zoom ? 1 : 2;
    // A first start lays out at the default size and is then maximized: a new width class, for this purpose.
    const bool newWidth = std::abs(width - m_tierWidth) > m_tierWidth / 8;
    if ((tier != m_tier || zoom != m_tierZoom || newWidth) && tier == 0 && !keepUserWidths)
        // One column of tabbed panels: wide enough for the explanation's lines, the rest for the stage.
        // After the docks have moved, which happens when the layout runs.
        QTimer::singleShot(0, this, [this, wanted = std::min(static_cast<int>(300 * zoom), width * 3 / 10)] {
            m_window->resizeDocks({m_pipelineDock}, {wanted}, Qt::Horizontal);
        });
    if ((tier != m_tier || zoom != m_tierZoom || newWidth) && tier > 0 && !keepUserWidths) {
        const auto scaled = [&](int w) { return std::min(static_cast<int>(w * zoom), width / 4); };
        m_window->resizeDocks({m_pipelineDock, m_explainDock},
                              tier == 1 ? QList<int>{scaled(215), scaled(300)}
                                        : QList<int>{scaled(240), scaled(360)},
                              Qt::Horizontal);
    }
    m_tier = tier;
    m_tierZoom = zoom;
    m_tierWidth = width;
}

} // namespace attention
