// The side panels: built here, fed from the controller, their choices sent back to it.
#include "sidepanels.h"

#include "attentionchart.h"
#include "codepanel.h"
#include "comparepanel.h"
#include "complexitypanel.h"
#include "explainpanel.h"
#include "headspanel.h"
#include "labels.h"
#include "report.h"
#include "layerflowview.h"
#include "maskingpanel.h"
#include "matrixmodel.h"
#include "modelgridview.h"
#include "pipelinepanel.h"
#include "rnnpanel.h"
#include "scalingpanel.h"
#include "stagecontroller.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

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
    // The deep dives: the lesson's claims as experiments, in one dock with a chooser at its top (one tab
    // more on the right, not five). In front, it takes about half the window (widenFor).
    m_diveDock = new QDockWidget(tr("Deep dive"), window);
    m_diveDock->toggleViewAction()->setText(tr("Deep dive panel"));
    m_diveDock->setObjectName(QStringLiteral("deepDiveDock"));
    auto *diveBox = new QWidget(m_diveDock);
    auto *diveLayout = new QVBoxLayout(diveBox);
    diveLayout->setContentsMargins(6, 6, 6, 0);
    m_diveChooser = new QComboBox(diveBox);
    m_diveChooser->setAccessibleName(tr("Deep dive"));
    // Its width must not set the window's minimum: the titles are short enough to read when narrow.
    m_diveChooser->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_diveChooser->setMinimumContentsLength(14);
    m_diveStack = new QStackedWidget(diveBox);
    diveLayout->addWidget(m_diveChooser);
    diveLayout->addWidget(m_diveStack, 1);
    auto dive = [&](const QString &title, SidePanel panel, auto *widget) {
        m_diveChooser->addItem(title, int(panel));
        m_diveStack->addWidget(scrolling(widget, m_diveStack));
        m_divePanels << qMakePair(panel, static_cast<QWidget *>(widget));
    };
    m_scaling = new ScalingPanel;
    dive(tr("Why scale by √d_k"), SidePanel::Scaling, m_scaling);
    m_masking = new MaskingPanel;
    dive(tr("Why mask: decoding, and cheating"), SidePanel::Masking, m_masking);
    m_complexity = new ComplexityPanel;
    dive(tr("What O(n²) costs"), SidePanel::Complexity, m_complexity);
    m_heads = new HeadsPanel;
    dive(tr("Why several heads"), SidePanel::Heads, m_heads);
    connect(m_heads, &HeadsPanel::headChosen, c, &StageController::setLayerAndHead);
    connect(m_heads, &HeadsPanel::layerChosen, c, &StageController::setLayer);
    m_rnn = new RnnPanel;
    dive(tr("Attention against an RNN"), SidePanel::Rnn, m_rnn);
    m_diveDock->setWidget(diveBox);
    // Choosing another dive is a change of state, like raising a panel's tab.
    connect(m_diveChooser, QOverload<int>::of(&QComboBox::activated), this, [this](int index) {
        m_controller->setPanel(SidePanel(m_diveChooser->itemData(index).toInt()));
    });
    for (QDockWidget *d : {m_gridDock, m_layerFlowDock, m_compareDock, m_codeDock, m_diveDock})
        window->tabifyDockWidget(m_explainDock, d);
    m_explainDock->raise();

    // Raising a panel's tab is a change of state (a lesson may open one): it goes through the controller.
    const QList<QPair<QDockWidget *, SidePanel>> panels = {{m_explainDock, SidePanel::Explain},
                                                          {m_gridDock, SidePanel::Grid},
                                                          {m_layerFlowDock, SidePanel::Flow},
                                                          {m_compareDock, SidePanel::Compare},
                                                          {m_codeDock, SidePanel::Code},
                                                          {m_diveDock, SidePanel::Scaling}};
    for (const auto &[dock, panel] : panels)
        connect(dock, &QDockWidget::visibilityChanged, this, [this, dock = dock, fixed = panel](bool visible) {
            // The deep dive's tab stands for the dive its chooser shows.
            const SidePanel panel = dock == m_diveDock ? shownDive() : fixed;
            if (visible && m_tracking && !m_raising && !m_arranging && m_controller->state().panel != panel) {
                m_shownPanel = panel;
                m_controller->setPanel(panel);
                widenFor(panel);
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
    case SidePanel::Masking:
    case SidePanel::Complexity:
    case SidePanel::Heads:
    case SidePanel::Rnn:
        return m_diveDock;
    }
    return m_explainDock;
}

QDockWidget *SidePanels::front() const
{
    return m_frontExtra && m_frontExtra->isVisibleTo(m_window) ? m_frontExtra : dock(m_controller->state().panel);
}

QList<QDockWidget *> SidePanels::docks() const
{
    return {m_pipelineDock, m_explainDock, m_gridDock, m_layerFlowDock, m_compareDock, m_codeDock, m_diveDock};
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
    feedDeepDives();
    if (m_controller->isEmpty() || !trace) {
        m_heads->setTrace(nullptr, nullptr, 0, -1);
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
    m_heads->setTrace(m_controller->isEmpty() ? nullptr : trace, &m_controller->model(), m_controller->state().layer,
                      query);
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
    if (isDeepDive(panel))
        showDive(panel);
    {
        m_raising = true;
        front->show();
        front->raise();
        m_raising = false;
    }
    widenFor(panel);
}

bool SidePanels::isDeepDive(SidePanel panel)
{
    return panel == SidePanel::Scaling || panel == SidePanel::Masking || panel == SidePanel::Complexity ||
           panel == SidePanel::Heads || panel == SidePanel::Rnn;
}

SidePanel SidePanels::shownDive() const
{
    return SidePanel(m_diveChooser->currentData().toInt());
}

void SidePanels::showDive(SidePanel panel)
{
    for (int i = 0; i < m_divePanels.size(); ++i)
        if (m_divePanels.at(i).first == panel) {
            const QSignalBlocker block(m_diveChooser);
            m_diveChooser->setCurrentIndex(i);
            m_diveStack->setCurrentIndex(i);
        }
}

void SidePanels::widenFor(SidePanel panel)
{
    const bool dive = isDeepDive(panel);
    if (dive == m_widened)
        return;
    m_widened = dive;
    // After the layout has run, so the dock is where it will be (the right side, or the left in a narrow
    // window). Back from a deep dive, the docks take their usual widths for this window again.
    QTimer::singleShot(kSettleMs, this, [this, dive] {
        QDockWidget *d = dive ? dock(m_controller->state().panel) : m_explainDock;
        const bool tabbed = m_window->tabifiedDockWidgets(m_pipelineDock).contains(m_explainDock);
        if (dive) {
            // An open lesson moves under the deep dive, so its narration ("press Play…") stays in view
            // beside the experiment; it goes back among the tabs afterwards.
            for (QDockWidget *extra : m_extraDocks)
                if (!extra->isHidden() && !extra->isFloating() && !m_splitExtras.contains(extra)) {
                    // Out of the tabs first: split from a tabbed dock, Qt would only add another tab.
                    const Qt::DockWidgetArea area = m_window->dockWidgetArea(d);
                    m_window->removeDockWidget(extra);
                    m_window->addDockWidget(area, extra, Qt::Vertical);
                    extra->show();
                    m_splitExtras << extra;
                }
            if (!m_splitExtras.isEmpty()) {
                m_raising = true;
                d->raise();
                m_raising = false;
                m_window->resizeDocks({d, m_splitExtras.first()},
                                      {m_window->height() * 58 / 100, m_window->height() * 30 / 100}, Qt::Vertical);
            }
            widenDive();
        } else {
            const bool extraInFront = !m_splitExtras.isEmpty();
            for (QDockWidget *extra : std::as_const(m_splitExtras))
                m_window->tabifyDockWidget(tabbed ? m_pipelineDock : m_explainDock, extra);
            if (extraInFront) {
                m_raising = true;
                m_splitExtras.first()->raise();
                m_raising = false;
                m_frontExtra = m_splitExtras.first();
            }
            m_splitExtras.clear();
            m_tier = -1; // fitToWidth sizes them afresh
            fitToWidth(m_window->width(), m_tierZoom > 0 ? m_tierZoom : 1.0, false);
        }
    });
}

void SidePanels::widenDive()
{
    // As much as the stage's own minimum leaves, up to 47 % of the window; asking for more than there is
    // makes Qt shrink the dock instead.
    const bool tabbed = m_window->tabifiedDockWidgets(m_pipelineDock).contains(m_explainDock);
    QDockWidget *column = tabbed ? m_pipelineDock : m_diveDock;
    int room = m_window->width() - m_window->centralWidget()->minimumSizeHint().width() - 16;
    if (!tabbed && m_pipelineDock->isVisible())
        room -= m_pipelineDock->width();
    m_window->resizeDocks({column}, {std::min(m_window->width() * 47 / 100, room)}, Qt::Horizontal);
}

void SidePanels::feedDeepDives()
{
    // They compute only while shown (each one's own rule), so feeding them every sentence costs nothing.
    const AppState &s = m_controller->state();
    const std::shared_ptr<const Model> model = m_controller->modelPointer();
    m_masking->setInput(model, s.sentence);
    m_rnn->setInput(model, s.sentence);
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
        QList<QDockWidget *>{m_explainDock, m_gridDock, m_layerFlowDock, m_compareDock, m_codeDock, m_diveDock} +
        m_extraDocks;
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
    // A deep dive in front keeps its room at the new width (a first start is sized, then maximized).
    if (m_widened && !keepUserWidths)
        QTimer::singleShot(kSettleMs, this, [this] {
            if (m_widened)
                widenDive();
        });
    m_tier = tier;
    m_tierZoom = zoom;
    m_tierWidth = width;
}

} // namespace attention
