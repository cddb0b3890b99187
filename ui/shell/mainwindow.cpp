// Composes the window around the controller; every part shows its state and sends changes back to it.
#include "mainwindow.h"

#include "comparepanel.h"
#include "examples.h"
#include "lessonplayer.h"
#include "lessons.h"
#include "presentation.h"
#include "matrixmodel.h"
#include "menus.h"
#include "pipelinepanel.h"
#include "session.h"
#include "sidepanels.h"
#include "stage.h"
#include "theme.h"
#include "topbar.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

namespace attention {

MainWindow::MainWindow(std::shared_ptr<const Model> model, QSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_controller(new StageController(std::move(model), this)),
      m_weights(new MatrixModel(this))
{
    setWindowTitle(tr("AttentionLab"));
    setObjectName(QStringLiteral("AttentionLabMainWindow"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    // Tabs along the side: four or five panel titles never fit across a dock, and a tab bar that scrolls
    // hides the last titles. Stacked down the edge they all show, at any zoom.
    setTabPosition(Qt::LeftDockWidgetArea, QTabWidget::West);
    setTabPosition(Qt::RightDockWidgetArea, QTabWidget::East);
    m_basePointSize = std::max(theme::kMinimumPointSize, QApplication::font().pointSizeF());
    m_session = new Session(settings, this);
    m_menus = new Menus(this, m_controller, settings);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 6, 8, 4);
    layout->setSpacing(4);
    m_top = new TopBar(m_controller, m_menus->examplesMenu(), central);
    m_stage = new Stage(m_controller, m_weights, central);
    layout->addWidget(m_top);
    layout->addWidget(m_stage, 1);
    setCentralWidget(central);
    m_panels = new SidePanels(this, m_controller, m_weights);
    m_menus->build(m_stage, m_panels, m_top->sentenceField());
    m_lessons = new Lessons(this, m_controller, m_stage, m_panels, settings);
    // Classroom mode, as slide software has it: F5 from the start, Shift+F5 from here, Esc ends.
    m_presentation = new Presentation(this, m_controller, m_stage, m_lessons->player(),
                                      [this](int delta) { m_menus->advance(delta); });
    connect(m_menus, &Menus::presentRequested, m_presentation, &Presentation::start);
    connect(m_menus, &Menus::endPresentationRequested, m_presentation, &Presentation::stop);
    connect(m_presentation, &Presentation::presentingChanged, m_menus, &Menus::setPresenting);
    // While a lesson is open, the clicker moves through its steps.
    m_menus->setAdvance([this](int delta) {
        LessonPlayer *player = m_lessons->player();
        if (!player->isOpen())
            return false;
        player->goTo(player->stepIndex() + delta);
        return true;
    });
    statusBar()->setSizeGripEnabled(true);

    connect(m_stage, &Stage::cellActivated, m_panels, &SidePanels::explainCell);
    connect(m_stage, &Stage::cellHovered, m_panels, &SidePanels::hoverCell);
    auto status = [this](const QString &text, int ms = 10000) { statusBar()->showMessage(text, ms); };
    connect(m_stage, &Stage::message, this, [status](const QString &text) { status(text); });
    connect(m_menus, &Menus::message, this, status);
    connect(m_lessons, &Lessons::message, this, [status](const QString &text) { status(text, 30000); });
    connect(m_panels, &SidePanels::modelFailed, this, [this](const QString &error) {
        // Plain text: the message quotes a file name, which QMessageBox would read as markup.
        QMessageBox box(QMessageBox::Warning, tr("Model"), error, QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.exec();
    });
    connect(m_session, &Session::saveFailed, this, [status](const QString &error) { status(error, 30000); });
    connect(m_top, &TopBar::wholeTextRequested, this, [this] { useModel(QStringLiteral("didactic")); });
    connect(m_controller, &StageController::traceChanged, this, &MainWindow::updateStatus);
    connect(m_controller, &StageController::viewChanged, this, &MainWindow::applyZoom);

    restoreSession(settings);
    applyZoom();
    updateStatus();
    // What the window opened with is no change to undo.
    m_controller->undoStack()->clear();

    // From now on every change is saved shortly after it happens: a crash or a kill loses little.
    m_session->setSource([this] { return m_controller->state(); }, [this] { return saveGeometry(); },
                         [this] { return saveState(); });
    for (auto signal : {&StageController::traceChanged, &StageController::viewChanged})
        connect(m_controller, signal, m_session, &Session::scheduleSave);
    connect(m_controller, &StageController::stepChanged, m_session, &Session::scheduleSave);
    connect(m_controller, &StageController::selectionChanged, m_session, &Session::scheduleSave);
    for (QDockWidget *d : m_panels->docks()) {
        connect(d, &QDockWidget::dockLocationChanged, m_session, &Session::scheduleSave);
        connect(d, &QDockWidget::topLevelChanged, m_session, &Session::scheduleSave);
    }
    if (!m_notice.isEmpty()) // shown first in the status bar for half a minute, then the usual line
        QTimer::singleShot(30000, this, [this] {
            m_notice.clear();
            updateStatus();
        });
}

MainWindow::~MainWindow()
{
    // ~QWidget hides the docks, and a hidden dock emits visibilityChanged: by then the panels' slots must
    // not run (undefined behaviour the sanitizer build reports).
    for (QDockWidget *d : m_panels->docks())
        d->disconnect(m_panels);
}

void MainWindow::restoreSession(QSettings *settings)
{
    const QByteArray geometry = m_session->geometry();
    m_geometryRestored = !geometry.isEmpty() && restoreGeometry(geometry);
    if (!geometry.isEmpty() && !m_geometryRestored)
        m_session->addProblem(tr("window geometry"));
    const QByteArray docks = m_session->dockLayout();
    m_dockLayoutRestored = !docks.isEmpty() && restoreState(docks);
    if (!docks.isEmpty() && !m_dockLayoutRestored)
        m_session->addProblem(tr("panel layout"));

    AppState base = m_controller->state();
    const SampleSentence first = builtinExamples().constFirst();
    base = exampleState(first, base);
    AppState s = m_session->restoredState(base);
    if (const QString error = m_controller->applyState(s); !error.isEmpty()) {
        // A model file that was moved or broke since: start with the built-in model and say why.
        m_notice = tr("The last session's model could not be loaded (%1); using the didactic model").arg(error);
        s.model = QStringLiteral("didactic");
        m_controller->applyState(s);
    }
    if (settings && !m_session->problems().isEmpty()) {
        const QString what = tr("Saved settings not usable, defaults used: %1")
                                 .arg(m_session->problems().join(QStringLiteral(", ")));
        m_notice = m_notice.isEmpty() ? what : m_notice + QStringLiteral(" · ") + what;
    }
}

QLineEdit *MainWindow::sentenceField() const { return m_top->sentenceField(); }
TokenStrip *MainWindow::tokenStrip() const { return m_top->tokenStrip(); }
StepNavigator *MainWindow::stepNavigator() const { return m_top->stepNavigator(); }
QLabel *MainWindow::problemBanner() const { return m_top->problemBanner(); }
EquationView *MainWindow::equationView() const { return m_stage->equation(); }
HeatmapView *MainWindow::heatmap() const { return m_stage->heatmap(); }
LineView *MainWindow::lineView() const { return m_stage->lines(); }
MatrixModel *MainWindow::heatmapModel() const { return m_stage->heatmapModel(); }
bool MainWindow::showsEmptyState() const { return m_stage->showsEmptyState(); }
ExplainPanel *MainWindow::explainPanel() const { return m_panels->explain(); }
AttentionChart *MainWindow::chart() const { return m_panels->chart(); }
FlowDiagram *MainWindow::flowDiagram() const { return m_panels->pipeline()->flow(); }
ModelGridView *MainWindow::modelGrid() const { return m_panels->grid(); }
LayerFlowView *MainWindow::layerFlow() const { return m_panels->layerFlow(); }
ComparePanel *MainWindow::comparePanel() const { return m_panels->compare(); }
QComboBox *MainWindow::modelSelector() const { return m_panels->pipeline()->modelSelector(); }
QComboBox *MainWindow::headSelector() const { return m_panels->pipeline()->headSelector(); }
QCheckBox *MainWindow::causalMaskBox() const { return m_panels->pipeline()->causalBox(); }
QCheckBox *MainWindow::scaleBox() const { return m_panels->pipeline()->scaleBox(); }
QCheckBox *MainWindow::swapBox() const { return m_panels->pipeline()->swapBox(); }
QToolButton *MainWindow::editMaskButton() const { return m_panels->pipeline()->editMaskButton(); }
QString MainWindow::exportCurrentView(const QString &path) { return m_menus->exportCurrentView(path); }
QString MainWindow::exportEquation(const QString &path) { return m_menus->exportEquation(path); }
QString MainWindow::exportMatrixCsv(const QString &path) { return m_menus->exportMatrixCsv(path); }

void MainWindow::setSentence(const QString &text)
{
    m_controller->setSentence(text);
}

bool MainWindow::selectToken(const QString &token)
{
    const std::vector<Token> tokens = tokenize(m_controller->state().sentence.toStdString());
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (QString::fromStdString(tokens[i].text) == token) {
            m_controller->select(static_cast<int>(i), -1);
            return true;
        }
    return false;
}

void MainWindow::setZoom(double factor)
{
    m_controller->setZoom(factor);
}

bool MainWindow::showPanel(const QString &name)
{
    if (name == QLatin1String("pipeline")) {
        m_panels->pipelineDock()->show();
        m_panels->pipelineDock()->raise();
        return true;
    }
    SidePanel panel;
    if (!panelFromKey(name, &panel))
        return false;
    m_controller->setPanel(panel);
    return true;
}

QString MainWindow::useModel(const QString &nameOrPath)
{
    return m_controller->setModelSource(nameOrPath);
}

void MainWindow::applyZoom()
{
    const double zoom = m_controller->state().zoom;
    if (zoom == m_appliedZoom)
        return;
    m_appliedZoom = zoom;
    // The zoom is the content's, as in a browser: the sentence, the stage and the panels' contents grow,
    // while the menus, the docks' titles and tabs and the status bar keep the desktop's size. Chrome that
    // grew with the content took a fifth of a 768 px screen at 200 % and cut its own tabs and status line.
    QFont f = QApplication::font();
    f.setPointSizeF(m_basePointSize * zoom);
    centralWidget()->setFont(f);
    for (QDockWidget *d : m_panels->docks() + QList<QDockWidget *>{m_lessons->dock()})
        if (d->widget())
            d->widget()->setFont(f);
    m_panels->fitToWidth(width(), zoom, m_dockLayoutRestored);
}

QFont MainWindow::contentFont() const
{
    return centralWidget()->font();
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

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    m_panels->fitToWidth(width(), m_controller->state().zoom, m_dockLayoutRestored);
    m_session->scheduleSave();
}

void MainWindow::moveEvent(QMoveEvent *event)
{
    QMainWindow::moveEvent(event);
    m_session->scheduleSave();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    m_panels->windowShown();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_session->save();
    event->accept();
}

} // namespace attention
