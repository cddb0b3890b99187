// Composes the views and wires them to the controller. Every number shown comes from the trace.
#include "mainwindow.h"

#include "attentionchart.h"
#include "comparepanel.h"
#include "equationview.h"
#include "examples.h"
#include "explain.h"
#include "explainpanel.h"
#include "flowdiagram.h"
#include "heatmapview.h"
#include "labels.h"
#include "layerflowview.h"
#include "lineview.h"
#include "matrixmodel.h"
#include "modelgridview.h"
#include "modelio.h"
#include "pipelinepanel.h"
#include "report.h"
#include "stepnavigator.h"
#include "theme.h"
#include "tokenstrip.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>
#include <optional>

namespace attention {

namespace {

// A message box whose text quotes file names, model names or words is shown as plain text: QMessageBox
// would render anything that looks like HTML.
void warnPlainly(QWidget *parent, const QString &title, const QString &text)
{
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box.setTextFormat(Qt::PlainText);
    box.exec();
}

// A boolean as QSettings writes it ("true"/"false"); anything else is no boolean. (QVariant::toBool()
// would read "banana" as true.)
std::optional<bool> settingsBool(const QVariant &value)
{
    if (value.typeId() == QMetaType::Bool)
        return value.toBool();
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0"))
        return false;
    return std::nullopt;
}

bool isSquarePanel(const QString &name)
{
    static const QStringList square = {QStringLiteral("scores"), QStringLiteral("scaled"),
                                       QStringLiteral("mask"), QStringLiteral("masked"),
                                       QStringLiteral("weights")};
    return square.contains(name);
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<const Model> model, QSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_controller(new StageController(std::move(model), this)), m_settings(settings)
{
    setWindowTitle(tr("AttentionLab"));
    setObjectName(QStringLiteral("AttentionLabMainWindow"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    m_basePointSize = std::max(theme::kMinimumPointSize, QApplication::font().pointSizeF());
    m_weights = new MatrixModel(this);
    m_hoverTimer = new QTimer(this);
    m_hoverTimer->setSingleShot(true);
    m_hoverTimer->setInterval(kHoverRestMs);
    connect(m_hoverTimer, &QTimer::timeout, this,
            [this] { explainCell(m_hovered.panel, m_hovered.row, m_hovered.column); });
    m_saveTimer = new QTimer(this);
    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(kSaveDelayMs);
    connect(m_saveTimer, &QTimer::timeout, this, &MainWindow::saveSettings);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 6, 8, 4);
    layout->setSpacing(4);
    layout->addWidget(buildTop());
    layout->addWidget(buildCenter(), 1);
    setCentralWidget(central);
    m_pipelineDock = buildPipelineDock();
    m_explainDock = buildExplainDock();
    addDockWidget(Qt::LeftDockWidgetArea, m_pipelineDock);
    addDockWidget(Qt::RightDockWidgetArea, m_explainDock);
    buildModelDocks();
    buildMenus();
    statusBar()->setSizeGripEnabled(true);

    connect(m_controller, &StageController::traceChanged, this, &MainWindow::onTraceChanged);
    connect(m_controller, &StageController::stepChanged, this, &MainWindow::onStepChanged);
    connect(m_controller, &StageController::selectionChanged, this, &MainWindow::onSelectionChanged);

    setZoom(1.0);
    restoreSettings();
    if (m_sentence->text().isEmpty() && !(m_settings && m_settings->contains(QStringLiteral("sentence"))))
        setSentence(builtinExamples().constFirst().sentence);
    onStepChanged();
    onTraceChanged();

    // From now on every change is saved shortly after it happens: a crash or a kill loses little.
    m_settingsLive = true;
    connect(m_controller, &StageController::traceChanged, this, &MainWindow::scheduleSave);
    connect(m_controller, &StageController::stepChanged, this, &MainWindow::scheduleSave);
    for (QDockWidget *d : findChildren<QDockWidget *>()) {
        connect(d, &QDockWidget::visibilityChanged, this, &MainWindow::scheduleSave);
        connect(d, &QDockWidget::dockLocationChanged, this, &MainWindow::scheduleSave);
        connect(d, &QDockWidget::topLevelChanged, this, &MainWindow::scheduleSave);
    }
    if (!m_notice.isEmpty()) // shown first in the status bar for half a minute, then the usual line
        QTimer::singleShot(30000, this, [this] {
            m_notice.clear();
            updateStatus();
        });
}

MainWindow::~MainWindow()
{
    // ~QWidget hides the docks, and a hidden dock emits visibilityChanged: by then this object is only a
    // QWidget, so a MainWindow slot must not be called (undefined behaviour the sanitizer build reports).
    for (QDockWidget *d : findChildren<QDockWidget *>())
        disconnect(d, nullptr, this, nullptr);
}

MatrixModel *MainWindow::heatmapModel() const
{
    MatrixPanel *result = m_equation->resultPanel();
    return result ? result->model() : nullptr;
}

FlowDiagram *MainWindow::flowDiagram() const
{
    return m_pipeline->flow();
}
QCheckBox *MainWindow::causalMaskBox() const
{
    return m_pipeline->causalBox();
}
QCheckBox *MainWindow::scaleBox() const
{
    return m_pipeline->scaleBox();
}
QCheckBox *MainWindow::swapBox() const
{
    return m_pipeline->swapBox();
}
QToolButton *MainWindow::editMaskButton() const
{
    return m_pipeline->editMaskButton();
}
QComboBox *MainWindow::modelSelector() const
{
    return m_pipeline->modelSelector();
}
QComboBox *MainWindow::headSelector() const
{
    return m_pipeline->headSelector();
}

QWidget *MainWindow::buildTop()
{
    auto *top = new QWidget(this);
    auto *v = new QVBoxLayout(top);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(4);

    auto *row = new QHBoxLayout;
    m_sentence = new QLineEdit(top);
    m_sentence->setObjectName(QStringLiteral("sentence"));
    m_sentence->setPlaceholderText(
        tr("Type any sentence, for example: The animal didn't cross the street because it was too tired."));
    m_sentence->setClearButtonEnabled(true);
    m_sentence->setMaxLength(200000);
    QFont big = m_sentence->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_sentence->setFont(big);
    m_sentence->setToolTip(tr("Everything below is recomputed as you type (Ctrl+L to come back here)"));
    connect(m_sentence, &QLineEdit::textChanged, m_controller, &StageController::setSentence);
    auto *examples = new QToolButton(top);
    examples->setText(tr("Examples"));
    examples->setPopupMode(QToolButton::InstantPopup);
    examples->setObjectName(QStringLiteral("examplesButton"));
    auto *menu = new QMenu(examples);
    fillExamplesMenu(menu);
    examples->setMenu(menu);
    row->addWidget(m_sentence, 1);
    row->addWidget(examples);
    v->addLayout(row);

    m_tokens = new TokenStrip(top);
    connect(m_tokens, &TokenStrip::tokenClicked, this,
            [this](int i) { m_controller->select(i, m_controller->state().key); });
    v->addWidget(m_tokens);

    m_navigator = new StepNavigator(top);
    connect(m_navigator, &StepNavigator::stepRequested, m_controller, &StageController::setStep);
    v->addWidget(m_navigator);

    auto *header = new QHBoxLayout;
    m_formula = new QLabel(top);
    m_formula->setObjectName(QStringLiteral("formula"));
    QFont ff = m_formula->font();
    ff.setPointSizeF(ff.pointSizeF() * 1.35);
    ff.setBold(true);
    m_formula->setFont(ff);
    m_description = new QLabel(top);
    m_description->setWordWrap(true);
    m_description->setObjectName(QStringLiteral("stepDescription"));
    header->addWidget(m_formula, 0, Qt::AlignTop);
    header->addSpacing(16);
    header->addWidget(m_description, 1);
    v->addLayout(header);

    m_banner = new QLabel(top);
    m_banner->setObjectName(QStringLiteral("problemBanner"));
    m_banner->setTextFormat(Qt::PlainText); // the problem quotes model names and words from files
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #FDECEA; color: %1; border: 1px solid %1;"
                                           " border-radius: 4px; padding: 4px 8px; }")
                                .arg(theme::warning().name()));
    m_banner->hide();
    v->addWidget(m_banner);
    return top;
}

QWidget *MainWindow::buildCenter()
{
    m_centerStack = new QStackedWidget(this);
    m_emptyHint =
        new QLabel(tr("<h2>Type a sentence above</h2>"
                      "<p>AttentionLab splits it into tokens and shows, step by step, how each token "
                      "decides which others to look at.</p>"
                      "<p>No idea? Open <b>Examples</b> and pick one.</p>"),
                   m_centerStack);
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setObjectName(QStringLiteral("emptyHint"));
    m_centerStack->addWidget(m_emptyHint);

    auto *splitter = new QSplitter(Qt::Vertical, m_centerStack);
    m_centerSplitter = splitter;
    splitter->setObjectName(QStringLiteral("centerSplitter"));
    splitter->setChildrenCollapsible(false);
    m_equation = new EquationView(m_controller, splitter);
    m_equationScroll = new QScrollArea(splitter);
    m_equationScroll->setWidget(m_equation);
    m_equationScroll->setWidgetResizable(true);
    m_equationScroll->setFrameShape(QFrame::NoFrame);
    m_equationScroll->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_equation, &EquationView::cellActivated, this, &MainWindow::onCellActivated);
    connect(m_equation, &EquationView::cellHovered, this, &MainWindow::hoverCell);
    for (const QString &name : {QStringLiteral("E"),           QStringLiteral("P"),
                                QStringLiteral("X"),           QStringLiteral("W_Q"),
                                QStringLiteral("W_K"),         QStringLiteral("W_V"),
                                QStringLiteral("Q"),           QStringLiteral("K"),
                                QStringLiteral("V"),           QStringLiteral("Kᵀ"),
                                QStringLiteral("Qᵀ"),          QStringLiteral("scores"),
                                QStringLiteral("scaled"),      QStringLiteral("mask"),
                                QStringLiteral("masked"),      QStringLiteral("weights"),
                                QStringLiteral("output"),      QStringLiteral("concat"),
                                QStringLiteral("W_O"),         QStringLiteral("attention output"),
                                QStringLiteral("layer output")}) {
        MatrixPanel *p = m_equation->panel(name);
        p->view()->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(p->view(), &QWidget::customContextMenuRequested, this, [this, p](const QPoint &pos) {
            showContextMenu(p, p->view()->viewport()->mapToGlobal(pos), p->model());
        });
    }

    auto *below = new QWidget(splitter);
    auto *bl = new QVBoxLayout(below);
    bl->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(below);
    m_tabs->setObjectName(QStringLiteral("viewTabs"));
    auto *heatPage = new QWidget(m_tabs);
    auto *hl = new QVBoxLayout(heatPage);
    hl->setContentsMargins(2, 2, 2, 2);
    m_heatmapCaption = new QLabel(heatPage);
    m_heatmapCaption->setTextFormat(Qt::RichText);
    m_heatmap = new HeatmapView(heatPage);
    m_heatmap->setContextMenuPolicy(Qt::CustomContextMenu);
    hl->addWidget(m_heatmapCaption);
    hl->addWidget(m_heatmap, 1);
    connect(m_heatmap, &HeatmapView::cellClicked, this, [this](int row, int column) {
        if (m_heatmap->maskEditMode()) {
            if (!m_controller->toggleBlocked(row, column) && m_controller->isStale())
                statusBar()->showMessage(tr("The heatmap shows the last text that worked: fix the text "
                                            "above to edit its mask."),
                                         10000);
            return;
        }
        onCellActivated(m_heatmapName, row, column);
    });
    connect(m_heatmap, &HeatmapView::cellHovered, this,
            [this](int row, int column) { hoverCell(m_heatmapName, row, column); });
    connect(m_heatmap, &HeatmapView::rowLabelClicked, this,
            [this](int row) { m_controller->select(row, -1); });
    connect(m_heatmap, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        showContextMenu(m_heatmap, m_heatmap->mapToGlobal(pos), heatmapModel());
    });
    m_tabs->addTab(heatPage, tr("Heatmap"));

    m_lines = new LineView(m_tabs);
    m_linesScroll = new QScrollArea(m_tabs);
    m_linesScroll->setWidget(m_lines);
    m_linesScroll->setWidgetResizable(true);
    m_lines->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_lines, &LineView::queryClicked, this, [this](int row) { m_controller->select(row, -1); });
    connect(m_lines, &QWidget::customContextMenuRequested, this,
            [this](const QPoint &pos) { showContextMenu(m_lines, m_lines->mapToGlobal(pos), m_weights); });
    m_tabs->addTab(m_linesScroll, tr("Lines"));
    bl->addWidget(m_tabs);

    splitter->addWidget(m_equationScroll);
    splitter->addWidget(below);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    m_centerStack->addWidget(splitter);
    return m_centerStack;
}

QDockWidget *MainWindow::buildPipelineDock()
{
    auto *dock = new QDockWidget(tr("Pipeline"), this);
    dock->setObjectName(QStringLiteral("pipelineDock"));
    m_pipeline = new PipelinePanel(dock);
    connect(m_pipeline, &PipelinePanel::stepRequested, m_controller, &StageController::setStep);
    connect(m_pipeline, &PipelinePanel::causalChosen, m_controller,
            [this](bool on) { m_controller->setMask(on ? MaskMode::Causal : MaskMode::None); });
    connect(m_pipeline, &PipelinePanel::scaleChosen, m_controller, &StageController::setScale);
    connect(m_pipeline, &PipelinePanel::swapChosen, m_controller, &StageController::setSwapQK);
    connect(m_pipeline, &PipelinePanel::editMaskChosen, this, [this](bool on) {
        m_heatmap->setMaskEditMode(on);
        m_tabs->setCurrentIndex(0);
        if (on && stepIndex(m_controller->state().step) < stepIndex(Step::Mask))
            m_controller->setStep(Step::Mask);
    });
    connect(m_pipeline, &PipelinePanel::modelChosen, this, [this](const QString &source) {
        const QString error = useModel(source);
        if (!error.isEmpty())
            warnPlainly(this, tr("Model"), error);
    });
    connect(m_pipeline, &PipelinePanel::layerChosen, m_controller, &StageController::setLayer);
    connect(m_pipeline, &PipelinePanel::headChosen, m_controller, &StageController::setHead);
    connect(m_pipeline, &PipelinePanel::precisionChosen, this, [this](int d) {
        m_precision = d;
        m_equation->setPrecision(d);
        m_heatmap->setPrecision(d);
        m_explain->setPrecision(d);
        onSelectionChanged();
        scheduleSave();
    });
    // Scrolls rather than forcing a minimum window height on small screens.
    auto *scroll = new QScrollArea(dock);
    scroll->setWidget(m_pipeline);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_pipeline->setMinimumHeight(560);
    scroll->setMinimumWidth(m_pipeline->minimumSizeHint().width() + 4);
    dock->setWidget(scroll);
    return dock;
}

QDockWidget *MainWindow::buildExplainDock()
{
    auto *dock = new QDockWidget(tr("Explain"), this);
    dock->setObjectName(QStringLiteral("explainDock"));
    auto *splitter = new QSplitter(Qt::Vertical, dock);
    m_explain = new ExplainPanel(splitter);
    m_explain->setPrecision(m_precision);
    m_chart = new AttentionChart(splitter);
    m_chart->setModel(m_weights);
    m_chart->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_chart, &QWidget::customContextMenuRequested, this,
            [this](const QPoint &pos) { showContextMenu(m_chart, m_chart->mapToGlobal(pos), m_weights); });
    splitter->addWidget(m_explain);
    splitter->addWidget(m_chart);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    dock->setWidget(splitter);
    return dock;
}

void MainWindow::buildModelDocks()
{
    // Three views for models with several layers and heads; they share the right side with Explain.
    m_gridDock = new QDockWidget(tr("Layers × heads"), this);
    m_gridDock->setObjectName(QStringLiteral("gridDock"));
    m_grid = new ModelGridView(m_gridDock);
    m_gridDock->setWidget(m_grid);
    connect(m_grid, &ModelGridView::headActivated, this, [this](int layer, int head) {
        m_controller->setLayer(layer);
        m_controller->setHead(head);
    });

    m_layerFlowDock = new QDockWidget(tr("Follow a token"), this);
    m_layerFlowDock->setObjectName(QStringLiteral("layerFlowDock"));
    m_layerFlow = new LayerFlowView(m_layerFlowDock);
    m_layerFlowDock->setWidget(m_layerFlow);
    connect(m_layerFlow, &LayerFlowView::tokenClicked, this, [this](int i) { m_controller->select(i, -1); });

    m_compareDock = new QDockWidget(tr("Compare"), this);
    m_compareDock->setObjectName(QStringLiteral("compareDock"));
    m_compare = new ComparePanel(m_compareDock);
    m_compare->setModel(m_controller->modelPointer());
    m_compareDock->setWidget(m_compare);

    for (QDockWidget *d : {m_gridDock, m_layerFlowDock, m_compareDock}) {
        // In a scroll area, so that a narrow window can still fit the panel (it scrolls instead).
        auto *scroll = new QScrollArea(d);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setWidget(d->widget());
        d->setWidget(scroll);
        tabifyDockWidget(m_explainDock, d);
    }
    m_explainDock->raise();
}

bool MainWindow::showPanel(const QString &name)
{
    const QHash<QString, QDockWidget *> panels = {{QStringLiteral("pipeline"), m_pipelineDock},
                                                  {QStringLiteral("explain"), m_explainDock},
                                                  {QStringLiteral("grid"), m_gridDock},
                                                  {QStringLiteral("flow"), m_layerFlowDock},
                                                  {QStringLiteral("compare"), m_compareDock}};
    QDockWidget *dock = panels.value(name);
    if (!dock)
        return false;
    dock->show();
    dock->raise();
    return true;
}

QString MainWindow::useModel(const QString &nameOrPath)
{
    // Compare where the model came from, not its name: a trained file is called "trained" too.
    if (nameOrPath == m_modelSource)
        return {};
    if (const QString error = m_controller->setModelSource(nameOrPath); !error.isEmpty())
        return error;
    m_modelSource = nameOrPath;
    m_compare->setModel(m_controller->modelPointer());
    m_pipeline->showModel(nameOrPath);
    scheduleSave();
    return {};
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    auto addExport = [&](const QString &text, const QString &what,
                         std::function<QString(const QString &)> write, const QString &filters) {
        QAction *a = file->addAction(text);
        connect(a, &QAction::triggered, this,
                [this, what, write, filters] { chooseExportFile(what, write, filters); });
        return a;
    };
    addExport(
        tr("Export heatmap or lines as &PNG…"), tr("view"),
        [this](const QString &p) { return exportCurrentView(p); }, tr("PNG image (*.png)"))
        ->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    addExport(
        tr("Export heatmap or lines as &SVG…"), tr("view"),
        [this](const QString &p) { return exportCurrentView(p); }, tr("SVG drawing (*.svg)"))
        ->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    addExport(
        tr("Export the &equation as PNG or SVG…"), tr("equation"),
        [this](const QString &p) { return exportEquation(p); }, tr("PNG image (*.png);;SVG drawing (*.svg)"));
    addExport(
        tr("Export the heatmap's matrix as &CSV…"), tr("matrix"),
        [this](const QString &p) { return exportMatrixCsv(p); }, tr("CSV table (*.csv)"))
        ->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *focus = edit->addAction(tr("Edit the &sentence"), this, [this] {
        m_sentence->setFocus();
        m_sentence->selectAll();
    });
    focus->setShortcut(QKeySequence(tr("Ctrl+L")));
    QAction *copy = edit->addAction(tr("&Copy the heatmap's matrix as CSV"), this, [this] {
        if (MatrixModel *m = heatmapModel())
            QApplication::clipboard()->setText(m->toCsv());
    });
    copy->setShortcut(QKeySequence(tr("Ctrl+Shift+X")));
    QAction *mask =
        edit->addAction(tr("Toggle the causal &mask"), this, [this] { causalMaskBox()->toggle(); });
    mask->setShortcut(QKeySequence(tr("Ctrl+M")));
    edit->addAction(tr("Clear the custom mask"), this, [this] {
        m_controller->setMask(causalMaskBox()->isChecked() ? MaskMode::Causal : MaskMode::None);
    });

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *next = m_viewMenu->addAction(tr("&Next step"), m_controller, &StageController::nextStep);
    next->setShortcuts({QKeySequence(Qt::Key_PageDown), QKeySequence(tr("Alt+Right"))});
    QAction *previous =
        m_viewMenu->addAction(tr("&Previous step"), m_controller, &StageController::previousStep);
    previous->setShortcuts({QKeySequence(Qt::Key_PageUp), QKeySequence(tr("Alt+Left"))});
    m_viewMenu->addSeparator();
    QAction *zoomIn = m_viewMenu->addAction(tr("Zoom &in"), this, [this] { setZoom(m_zoom * 1.15); });
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))});
    QAction *zoomOut = m_viewMenu->addAction(tr("Zoom &out"), this, [this] { setZoom(m_zoom / 1.15); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    QAction *zoomReset = m_viewMenu->addAction(tr("&Actual size"), this, [this] { setZoom(1.0); });
    zoomReset->setShortcut(QKeySequence(tr("Ctrl+0")));
    QAction *fit = m_viewMenu->addAction(tr("&Fit the heatmap"), this, [this] { m_heatmap->fitToView(); });
    fit->setShortcut(QKeySequence(tr("Ctrl+F")));
    m_viewMenu->addSeparator();
    m_pipelineDock->toggleViewAction()->setText(tr("Pipeline panel"));
    m_explainDock->toggleViewAction()->setText(tr("Explain panel"));
    m_viewMenu->addAction(m_pipelineDock->toggleViewAction());
    m_viewMenu->addAction(m_explainDock->toggleViewAction());
    m_viewMenu->addAction(m_gridDock->toggleViewAction());
    m_viewMenu->addAction(m_layerFlowDock->toggleViewAction());
    m_viewMenu->addAction(m_compareDock->toggleViewAction());
    QAction *full = m_viewMenu->addAction(tr("F&ull screen"), this,
                                          [this] { setWindowState(windowState() ^ Qt::WindowFullScreen); });
    full->setShortcut(QKeySequence(Qt::Key_F11));

    fillExamplesMenu(menuBar()->addMenu(tr("E&xamples")));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keys"), this, [this] {
        QMessageBox::information(
            this, tr("Keys"),
            tr("Page Down / Alt+→: next step\nPage Up / Alt+←: previous step\nCtrl+L: edit the sentence\n"
               "Ctrl+M: causal mask on/off\nCtrl + / Ctrl −: zoom, Ctrl+0: actual size\nCtrl+F: fit the "
               "heatmap\n"
               "Arrow keys in the heatmap: move the selected cell\nF11: full screen"));
    });
    help->addAction(tr("&About AttentionLab"), this, [this] {
        QMessageBox::about(this, tr("About AttentionLab"),
                           tr("<b>AttentionLab %1</b><p>Watch self-attention compute, step by step, on any "
                              "sentence you type.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::fillExamplesMenu(QMenu *menu)
{
    QString model;
    for (const SampleSentence &e : builtinExamples()) {
        if (!builtinModelNames().contains(e.model))
            continue; // a build without the trained model offers only the didactic examples
        if (!model.isEmpty() && e.model != model)
            menu->addSection(tr("With the trained model"));
        model = e.model;
        connect(menu->addAction(e.title), &QAction::triggered, this, [this, e] { showExample(e); });
    }
}

void MainWindow::showExample(const SampleSentence &e)
{
    const QString error = useModel(e.model);
    if (!error.isEmpty()) {
        warnPlainly(this, tr("Model"), error);
        return;
    }
    setSentence(e.sentence);
    selectToken(e.focus);
    statusBar()->showMessage(e.hint, 20000);
}

void MainWindow::setSentence(const QString &text)
{
    if (m_sentence->text() != text)
        m_sentence->setText(text); // textChanged feeds the controller
    else
        m_controller->setSentence(text);
}

bool MainWindow::selectToken(const QString &token)
{
    const AttentionTrace *trace = m_controller->trace();
    if (!trace)
        return false;
    for (int i = 0; i < trace->tokenCount(); ++i)
        if (QString::fromStdString(trace->tokens[static_cast<std::size_t>(i)].text) == token) {
            m_controller->select(i, -1);
            return true;
        }
    return false;
}

void MainWindow::setZoom(double factor)
{
    // std::clamp passes NaN through, and a NaN point size leaves every label of the window blank.
    m_zoom = std::isfinite(factor) ? std::clamp(factor, kMinZoom, kMaxZoom) : 1.0;
    QFont f = QApplication::font();
    f.setPointSizeF(m_basePointSize * m_zoom);
    setFont(f);
    // Menus are separate windows: they follow the zoom too.
    menuBar()->setFont(f);
    scheduleSave();
}

bool MainWindow::showsEmptyState() const
{
    return m_centerStack->currentWidget() == m_emptyHint;
}

void MainWindow::onTraceChanged()
{
    const QString problem = m_controller->problem();
    m_banner->setVisible(!problem.isEmpty());
    const AttentionTrace *trace = m_controller->trace();
    if (!problem.isEmpty()) // with no earlier trace (a first text that fails) there is nothing still shown
        m_banner->setText(trace ? tr("%1. The views still show the last text that worked.").arg(problem)
                                : tr("%1.").arg(problem));

    if (m_controller->isEmpty() || !trace) {
        m_centerStack->setCurrentWidget(m_emptyHint);
        m_tokens->setTokens({}, {}, {});
        m_grid->setTrace(nullptr);
        m_layerFlow->setTrace(nullptr);
        // Nothing to chart or draw: the views must not keep showing the previous sentence.
        m_weights->setMatrix(Eigen::MatrixXd(), {}, {});
        m_lines->setWeights(Eigen::MatrixXd(), {});
        m_chart->setQueryRow(-1, QString());
        m_explain->showMessage(tr("Type a sentence to begin."));
        updateStatus();
        return;
    }
    m_centerStack->setCurrentIndex(1);
    const Model &model = *trace->model;
    const AppState &s = m_controller->state();
    const QStringList tokens = toQStringList(tokenLabels(*trace));
    QVector<bool> known;
    for (bool k : trace->known)
        known << k;
    m_tokens->setTokens(
        tokens, known,
        tr("“%1” is not in the vocabulary of the %2 model, so it gets a made-up vector built from "
           "its spelling. Its attention means little.")
            .arg(QStringLiteral("%1"), QString::fromStdString(model.name)));
    m_tokens->setSelected(s.query);

    m_pipeline->showState(s, model);
    m_compare->setOptions(s.scale, s.mask == MaskMode::Causal, s.swapQK);
    updateStepHeader();
    m_navigator->setStepEnabled(Step::Scale, s.scale);
    m_navigator->setStepEnabled(Step::Mask, s.mask != MaskMode::None);

    if (const HeadTrace *head = m_controller->headTrace()) {
        m_weights->setMatrix(head->weights, tokens, tokens);
        m_lines->setWeights(head->weights, tokens);
    }
    m_grid->setTrace(trace);
    m_grid->setSelected(s.layer, s.head);
    m_layerFlow->setTrace(trace);
    if (s.query < 0 && trace->tokenCount() > 0) {
        // Start with the query that is most sure of itself: its attention is the most telling.
        Eigen::Index best = 0;
        m_controller->headTrace()->weights.rowwise().maxCoeff().maxCoeff(&best);
        m_controller->select(static_cast<int>(best), -1);
    }
    m_equation->refresh();
    updateHeatmap();
    onSelectionChanged();
    updateStatus();
}

void MainWindow::updateStepHeader()
{
    const Step step = m_controller->state().step;
    m_formula->setText(stepFormulaText(step, m_controller->state().swapQK));
    m_formula->setStyleSheet(m_controller->state().swapQK && step == Step::Scores
                                 ? QStringLiteral("color: %1").arg(theme::warning().name())
                                 : QString());
    m_description->setText(stepDescriptionText(step));
}

void MainWindow::onStepChanged()
{
    const Step step = m_controller->state().step;
    m_navigator->setStep(step);
    m_pipeline->showStep(step);
    updateStepHeader();
    if (m_controller->trace()) {
        m_equation->refresh();
        updateHeatmap();
        onSelectionChanged();
    }
}

void MainWindow::updateHeatmap()
{
    const AttentionTrace *trace = m_controller->trace();
    MatrixPanel *result = m_equation->resultPanel();
    if (!trace || !result)
        return;
    // The heatmap draws the result of the current step, with the labels and numbers of its panel.
    const MatrixModel *m = result->model();
    m_heatmapName = result->name();
    QStringList rows, columns;
    for (int r = 0; r < m->rowCount(); ++r)
        rows << m->headerData(r, Qt::Vertical).toString();
    for (int c = 0; c < m->columnCount(); ++c)
        columns << m->headerData(c, Qt::Horizontal).toString();
    const bool square = isSquarePanel(m_heatmapName);
    QString caption =
        tr("<b>%1</b> (%2 × %3)").arg(m_heatmapName.toHtmlEscaped()).arg(m->rowCount()).arg(m->columnCount());
    if (square)
        caption += tr(": row = <span style='color:%1'>query</span> (who looks), column = "
                      "<span style='color:%2'>key</span> (who is looked at)")
                       .arg(theme::query().name(), theme::key().name());
    else
        caption += tr(": one row per token");
    if (m_heatmap->maskEditMode())
        caption += tr(" · <b>click a cell to block or unblock it</b>");
    m_heatmapCaption->setText(caption);
    m_heatmap->setMatrix(m->matrix(), rows, columns);
    m_heatmap->setLegendTitle(m_heatmapName);
    if (square) {
        m_heatmap->setLabelColors(theme::query(), theme::key());
        m_heatmap->setAxisTitles(tr("queries ↓"), tr("keys →"));
    } else {
        m_heatmap->setLabelColors(QColor(), QColor());
        m_heatmap->setAxisTitles(QString(), QString());
    }
    if (m_heatmapName == QLatin1String("weights"))
        m_heatmap->setColorRange(0.0, 1.0);
    else
        m_heatmap->setAutomaticColorRange();
}

void MainWindow::onSelectionChanged()
{
    const AppState &s = m_controller->state();
    const AttentionTrace *trace = m_controller->trace();
    m_tokens->setSelected(s.query);
    m_heatmap->setSelection(s.query, s.key);
    m_lines->setSelectedQuery(s.query);
    m_grid->setSelectedQuery(s.query);
    if (s.query >= 0)
        m_layerFlow->setToken(s.query);
    m_equation->updateHighlights();
    if (!trace || s.query < 0) {
        m_chart->setQueryRow(-1, QString());
        m_explain->showMessage(tr("Click a token, or any cell, to see where its number comes from."));
        return;
    }
    const QString queryToken = QString::fromStdString(trace->tokens[static_cast<std::size_t>(s.query)].text);
    m_chart->setQueryRow(s.query, queryToken);
    if (s.key >= 0) {
        explainCell(m_heatmapName, s.query, s.key);
    } else {
        QString html = tr("<p><b style='color:%1'>%2</b> is the selected query.</p>")
                           .arg(theme::query().name(), queryToken.toHtmlEscaped());
        Eigen::Index strongest = -1;
        m_controller->headTrace()->weights.row(s.query).maxCoeff(&strongest);
        if (trace->fullyMasked[static_cast<std::size_t>(s.query)])
            html += tr("<p>Every key is blocked for it, so its weights are all 0.</p>");
        else
            html += tr("<p>It attends most to <b style='color:%1'>%2</b> (weight %3).</p>")
                        .arg(theme::key().name(),
                             QString::fromStdString(trace->tokens[static_cast<std::size_t>(strongest)].text)
                                 .toHtmlEscaped(),
                             MatrixModel::formatValue(m_controller->headTrace()->weights(s.query, strongest),
                                                      m_precision));
        html += tr("<p>Click a cell of its row to see the arithmetic.</p>");
        m_explain->showMessage(html);
    }
}

void MainWindow::hoverCell(const QString &panel, int row, int column)
{
    // The explanation follows the mouse once it rests on a cell for a moment: sweeping across a large
    // heatmap then costs nothing, and the text does not flicker under the learner's eyes.
    if (row < 0 || column < 0) {
        m_hoverTimer->stop();
        m_hovered = {};
        onSelectionChanged();
        return;
    }
    m_hovered = {panel, row, column};
    m_hoverTimer->start();
}

void MainWindow::onCellActivated(const QString &panel, int row, int column)
{
    if (isSquarePanel(panel)) {
        m_controller->select(row, column);
        explainCell(panel, row, column);
        return;
    }
    if (panel == QLatin1String("Kᵀ") || panel == QLatin1String("Qᵀ")) {
        m_controller->select(m_controller->state().query, column);
        return;
    }
    if (panel == QLatin1String("W_Q") || panel == QLatin1String("W_K") || panel == QLatin1String("W_V") ||
        panel == QLatin1String("W_O"))
        return;
    if (panel == QLatin1String("K") || panel == QLatin1String("V")) {
        m_controller->select(m_controller->state().query, row);
        return;
    }
    m_controller->select(row, m_controller->state().key);
    explainCell(panel, row, column);
}

void MainWindow::explainCell(const QString &panel, int row, int column)
{
    const AttentionTrace *trace = m_controller->trace();
    const HeadTrace *head = m_controller->headTrace();
    if (!trace || !head || row < 0 || row >= trace->tokenCount())
        return;
    const AppState &s = m_controller->state();
    const QStringList tokens = toQStringList(tokenLabels(*trace));
    if (m_controller->averagingHeads()) {
        explainAverage(panel, row, column);
        return;
    }
    if (panel == QLatin1String("output")) {
        if (column < 0 || column >= head->output.cols())
            return;
        m_explain->showOutput(explainOutput(*trace, s.layer, s.head, row, column), tokens.at(row), tokens,
                              QStringLiteral("v%1").arg(column));
        return;
    }
    if (!isSquarePanel(panel) || column < 0 || column >= trace->tokenCount())
        return;
    if (panel == QLatin1String("scores"))
        m_explain->showScore(explainScore(*trace, s.layer, s.head, row, column), tokens.at(row),
                             tokens.at(column));
    else if (panel == QLatin1String("scaled"))
        m_explain->showScale(explainScale(*trace, s.layer, s.head, row, column), tokens.at(row),
                             tokens.at(column));
    else if (panel == QLatin1String("mask") || panel == QLatin1String("masked"))
        m_explain->showMask(explainMask(*trace, s.layer, s.head, row, column), tokens.at(row),
                            tokens.at(column));
    else
        m_explain->showSoftmax(explainSoftmax(*trace, s.layer, s.head, row, column), tokens.at(row), tokens);
}

void MainWindow::explainAverage(const QString &panel, int row, int column)
{
    // Every head's own number for this cell, then their mean: the matrix the views show.
    const LayerTrace *layer = m_controller->layerTrace();
    const HeadTrace *mean = m_controller->headTrace();
    auto pick = [&panel](const HeadTrace &h) -> const Eigen::MatrixXd * {
        if (panel == QLatin1String("scores"))
            return &h.scores;
        if (panel == QLatin1String("scaled"))
            return &h.scaled;
        if (panel == QLatin1String("masked") || panel == QLatin1String("mask"))
            return &h.masked;
        if (panel == QLatin1String("weights"))
            return &h.weights;
        if (panel == QLatin1String("output"))
            return &h.output;
        return nullptr;
    };
    const Eigen::MatrixXd *m = pick(*mean);
    if (!layer || !m || row >= m->rows() || column >= m->cols())
        return;
    const AttentionTrace *trace = m_controller->trace();
    const QString query =
        QString::fromStdString(trace->tokens[static_cast<std::size_t>(row)].text).toHtmlEscaped();
    const QString where =
        m->cols() == trace->tokenCount()
            ? QString::fromStdString(trace->tokens[static_cast<std::size_t>(column)].text).toHtmlEscaped()
            : QStringLiteral("v%1").arg(column);
    QString html = tr("<p><b>%1</b>, row <b style='color:%2'>%3</b>, column <b style='color:%4'>%5</b>, "
                      "averaged over the %6 heads of layer %7:</p><ul>")
                       .arg(panel.toHtmlEscaped(), theme::query().name(), query, theme::key().name(), where)
                       .arg(layer->heads.size())
                       .arg(m_controller->state().layer + 1);
    for (std::size_t h = 0; h < layer->heads.size(); ++h)
        html += tr("<li>head %1: %2</li>")
                    .arg(h + 1)
                    .arg(MatrixModel::formatValue((*pick(layer->heads[h]))(row, column), m_precision));
    html += tr("</ul><p>mean = <b>%1</b></p><p>Pick a single head to see its arithmetic step by step.</p>")
                .arg(MatrixModel::formatValue((*m)(row, column), m_precision));
    m_explain->showMessage(html);
}

void MainWindow::updateStatus()
{
    const Model &model = m_controller->model();
    const AttentionTrace *trace = m_controller->trace();
    QString text = tr("%1 model · d_model %2 · d_k %3 · %4 layer(s) × %5 head(s)")
                       .arg(QString::fromStdString(model.name))
                       .arg(model.d_model)
                       .arg(model.d_k)
                       .arg(model.layers.size())
                       .arg(model.headCount());
    if (trace && !m_controller->isEmpty()) {
        int unknown = 0;
        for (bool k : trace->known)
            unknown += k ? 0 : 1;
        const qint64 n = trace->tokenCount();
        // Every query meets every key: the cost of attention grows with the square of the length.
        text += tr(" · %1 tokens → %1 × %1 = %2 scores per head (n²)").arg(n).arg(n * n);
        if (unknown > 0)
            text += tr(" · %1 unknown").arg(unknown);
        int fully = 0;
        for (bool f : trace->fullyMasked)
            fully += f ? 1 : 0;
        if (fully > 0)
            text += tr(" · %1 row(s) fully masked: their weights are all 0").arg(fully);
    }
    if (!m_notice.isEmpty())
        text = m_notice + QStringLiteral(" · ") + text;
    statusBar()->showMessage(text);
}

QString MainWindow::exportCurrentView(const QString &path)
{
    ExportFormat format;
    if (!exportFormatFromPath(path, &format) || format == ExportFormat::Csv)
        return tr("%1: a view is saved as .png or .svg").arg(path);
    QWidget *view =
        m_tabs->currentIndex() == 0 ? static_cast<QWidget *>(m_heatmap) : static_cast<QWidget *>(m_lines);
    return exportView(view, path, format);
}

QString MainWindow::exportEquation(const QString &path)
{
    ExportFormat format;
    if (!exportFormatFromPath(path, &format) || format == ExportFormat::Csv)
        return tr("%1: the equation is saved as .png or .svg").arg(path);
    return exportView(m_equation, path, format);
}

QString MainWindow::exportMatrixCsv(const QString &path)
{
    MatrixModel *m = heatmapModel();
    return m ? exportCsv(*m, path) : tr("there is no matrix to export yet: type a sentence");
}

void MainWindow::chooseExportFile(const QString &what, std::function<QString(const QString &)> write,
                                  const QString &filters)
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the %1").arg(what), QString(), filters);
    if (path.isEmpty())
        return;
    const QString error = write(path);
    if (error.isEmpty())
        statusBar()->showMessage(tr("Saved %1").arg(path), 8000);
    else
        warnPlainly(this, tr("Export"), error);
}

void MainWindow::showContextMenu(QWidget *view, const QPoint &globalPos, MatrixModel *matrix)
{
    QMenu menu(this);
    menu.addAction(tr("Export as PNG…"), this, [this, view] {
        chooseExportFile(
            tr("view"), [view](const QString &p) { return exportView(view, p, ExportFormat::Png); },
            tr("PNG image (*.png)"));
    });
    menu.addAction(tr("Export as SVG…"), this, [this, view] {
        chooseExportFile(
            tr("view"), [view](const QString &p) { return exportView(view, p, ExportFormat::Svg); },
            tr("SVG drawing (*.svg)"));
    });
    if (matrix) {
        menu.addAction(tr("Export the numbers as CSV…"), this, [this, matrix] {
            chooseExportFile(
                tr("matrix"), [matrix](const QString &p) { return exportCsv(*matrix, p); },
                tr("CSV table (*.csv)"));
        });
        menu.addAction(tr("Copy the numbers as CSV"), this,
                       [matrix] { QApplication::clipboard()->setText(matrix->toCsv()); });
    }
    menu.exec(globalPos);
}

void MainWindow::restoreSettings()
{
    if (!m_settings)
        return;
    // The file may be damaged or edited by hand: every value is checked, and one that is not usable gives
    // way to its default (and is named in the status bar) instead of breaking the window.
    QStringList reset;
    m_settings->beginGroup(QStringLiteral("window"));
    const QByteArray geometry = m_settings->value(QStringLiteral("geometry")).toByteArray();
    m_geometryRestored = !geometry.isEmpty() && restoreGeometry(geometry);
    if (!geometry.isEmpty() && !m_geometryRestored)
        reset << QStringLiteral("window geometry");
    const QByteArray state = m_settings->value(QStringLiteral("state")).toByteArray();
    m_userResizedDocks = !state.isEmpty() && restoreState(state);
    if (!state.isEmpty() && !m_userResizedDocks)
        reset << QStringLiteral("panel layout");
    if (m_settings->contains(QStringLiteral("zoom"))) {
        bool ok = false;
        const double zoom = m_settings->value(QStringLiteral("zoom")).toDouble(&ok);
        if (ok && std::isfinite(zoom) && zoom >= kMinZoom && zoom <= kMaxZoom)
            setZoom(zoom);
        else
            reset << QStringLiteral("zoom");
    }
    if (m_settings->contains(QStringLiteral("precision"))) {
        bool ok = false;
        const int precision = m_settings->value(QStringLiteral("precision")).toInt(&ok);
        if (ok && precision >= 0 && precision <= PipelinePanel::kMaxDecimals)
            m_pipeline->setPrecision(precision);
        else
            reset << QStringLiteral("decimals");
    }
    m_settings->endGroup();

    const QString source = m_settings->value(QStringLiteral("model"), QStringLiteral("didactic")).toString();
    if (const QString error = useModel(source); !error.isEmpty()) {
        // A model file that was moved or broke since: start with the built-in model and say why.
        useModel(QStringLiteral("didactic"));
        m_notice =
            tr("The last session's model could not be loaded (%1); using the didactic model").arg(error);
    }
    AppState s = m_controller->state();
    s.sentence = builtinExamples().constFirst().sentence;
    if (m_settings->contains(QStringLiteral("sentence"))) {
        // An unquoted comma in a hand-edited file makes the INI reader return a list.
        const QVariant value = m_settings->value(QStringLiteral("sentence"));
        const QString sentence = value.typeId() == QMetaType::QStringList
                                     ? value.toStringList().join(QStringLiteral(", "))
                                     : value.toString();
        if ((value.typeId() == QMetaType::QString || value.typeId() == QMetaType::QStringList) &&
            sentence.size() <= m_sentence->maxLength())
            s.sentence = sentence;
        else
            reset << QStringLiteral("sentence");
    }
    auto flag = [&](const QString &key, bool fallback) {
        if (!m_settings->contains(key))
            return fallback;
        const std::optional<bool> value = settingsBool(m_settings->value(key));
        if (!value)
            reset << key;
        return value.value_or(fallback);
    };
    s.mask = flag(QStringLiteral("causal"), false) ? MaskMode::Causal : MaskMode::None;
    s.scale = flag(QStringLiteral("scale"), true);
    s.swapQK = flag(QStringLiteral("swapQK"), false);
    if (m_settings->contains(QStringLiteral("step"))) {
        if (const std::optional<Step> step =
                stepFromKey(m_settings->value(QStringLiteral("step")).toString().toStdString()))
            s.step = *step;
        else
            reset << QStringLiteral("step");
    }
    if (!reset.isEmpty()) {
        const QString what =
            tr("Saved settings not usable, defaults used: %1").arg(reset.join(QStringLiteral(", ")));
        m_notice = m_notice.isEmpty() ? what : m_notice + QStringLiteral(" · ") + what;
    }
    const QSignalBlocker block(m_sentence);
    m_sentence->setText(s.sentence);
    m_controller->applyState(s);
}

void MainWindow::scheduleSave()
{
    if (m_settings && m_settingsLive)
        m_saveTimer->start();
}

void MainWindow::saveSettings()
{
    if (!m_settings)
        return;
    m_saveTimer->stop();
    const AppState &s = m_controller->state();
    m_settings->beginGroup(QStringLiteral("window"));
    m_settings->setValue(QStringLiteral("geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("state"), saveState());
    m_settings->setValue(QStringLiteral("zoom"), m_zoom);
    m_settings->setValue(QStringLiteral("precision"), m_precision);
    m_settings->endGroup();
    m_settings->setValue(QStringLiteral("sentence"), s.sentence);
    m_settings->setValue(QStringLiteral("model"), m_modelSource);
    m_settings->setValue(QStringLiteral("causal"), s.mask == MaskMode::Causal);
    m_settings->setValue(QStringLiteral("scale"), s.scale);
    m_settings->setValue(QStringLiteral("swapQK"), s.swapQK);
    m_settings->setValue(QStringLiteral("step"), QString::fromStdString(stepKey(s.step)));
    m_settings->sync();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_splitterPlaced)
        return;
    m_splitterPlaced = true;
    // The equation gets two fifths of the height, the heatmap (its result, drawn large) the rest.
    const int h = std::max(200, m_centerSplitter->height());
    m_centerSplitter->setSizes({h * 2 / 5, h - h * 2 / 5});
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    // Below 1280 px there is no room for panels on both sides: the explanation joins the pipeline
    // panel as a tab, and comes back to the right when the window grows again.
    const bool narrow = width() < 1280;
    const QList<QDockWidget *> right = {m_explainDock, m_gridDock, m_layerFlowDock, m_compareDock};
    const bool tabbed = tabifiedDockWidgets(m_pipelineDock).contains(m_explainDock);
    if (narrow && !tabbed && dockWidgetArea(m_explainDock) == Qt::RightDockWidgetArea &&
        dockWidgetArea(m_pipelineDock) == Qt::LeftDockWidgetArea) {
        for (QDockWidget *d : right)
            tabifyDockWidget(m_pipelineDock, d);
        m_pipelineDock->raise();
        // Five tab titles side by side would set the window's minimum width: let them scroll instead.
        // The dock tab bars exist only once the layout has run.
        QTimer::singleShot(0, this, [this] {
            for (QTabBar *bar : findChildren<QTabBar *>())
                bar->setUsesScrollButtons(true);
        });
    } else if (!narrow && tabbed) {
        addDockWidget(Qt::RightDockWidgetArea, m_explainDock);
        for (QDockWidget *d : right.mid(1))
            tabifyDockWidget(m_explainDock, d);
        m_explainDock->raise();
    }
    // The side panels take less of a laptop screen than of a projector's, so the step bar keeps its words.
    // Only when the window crosses a size, so that ordinary resizes leave the user's widths alone.
    const int tier = narrow ? 0 : width() < 1600 ? 1 : 2;
    if (tier != m_dockTier && tier > 0 && !m_userResizedDocks)
        resizeDocks({m_pipelineDock, m_explainDock}, tier == 1 ? QList<int>{215, 300} : QList<int>{240, 360},
                    Qt::Horizontal);
    m_dockTier = tier;
    scheduleSave();
}

void MainWindow::moveEvent(QMoveEvent *event)
{
    QMainWindow::moveEvent(event);
    scheduleSave();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace attention
