// The menus: actions on the state, through the controller, and exports of what the stage shows.
#include "menus.h"

#include "attentionchart.h"
#include "equationview.h"
#include "examples.h"
#include "exporter.h"
#include "heatmapview.h"
#include "labels.h"
#include "report.h"
#include "matrixmodel.h"
#include "modelio.h"
#include "sidepanels.h"
#include "stage.h"
#include "stagecontroller.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QUndoStack>

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
} // namespace

Menus::Menus(QMainWindow *window, StageController *controller, QSettings *settings)
    : QObject(window), m_window(window), m_controller(controller), m_settings(settings)
{
    m_examples = new QMenu(tr("E&xamples"), window);
    fillExamples(m_examples);
}

void Menus::build(Stage *stage, SidePanels *panels, QWidget *sentenceField)
{
    m_stage = stage;
    m_panels = panels;
    StageController *c = m_controller;
    QMenuBar *bar = m_window->menuBar();

    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(tr("Export heatmap or lines as &PNG…"), QKeySequence(tr("Ctrl+Shift+P")), this, [this] {
        chooseExportFile(
            tr("view"), QStringLiteral("png"), [this](const QString &p) { return exportCurrentView(p); },
            tr("PNG image (*.png)"));
    });
    file->addAction(tr("Export heatmap or lines as &SVG…"), QKeySequence(tr("Ctrl+Shift+S")), this, [this] {
        chooseExportFile(
            tr("view"), QStringLiteral("svg"), [this](const QString &p) { return exportCurrentView(p); },
            tr("SVG drawing (*.svg)"));
    });
    file->addAction(tr("Export the &equation as PNG or SVG…"), this, [this] {
        chooseExportFile(
            tr("equation"), QStringLiteral("png"), [this](const QString &p) { return exportEquation(p); },
            tr("PNG image (*.png);;SVG drawing (*.svg)"));
    });
    file->addAction(tr("Export the heatmap's matrix as &CSV…"), QKeySequence(tr("Ctrl+Shift+C")), this, [this] {
        chooseExportFile(
            tr("matrix"), QStringLiteral("csv"), [this](const QString &p) { return exportMatrixCsv(p); },
            tr("CSV table (*.csv)"));
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, m_window, &QWidget::close);

    QMenu *edit = bar->addMenu(tr("&Edit"));
    QAction *undo = c->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = c->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(tr("Edit the &sentence"), QKeySequence(tr("Ctrl+L")), this, [sentenceField] {
        sentenceField->setFocus(Qt::ShortcutFocusReason);
    });
    edit->addAction(tr("&Copy the heatmap's matrix as CSV"), QKeySequence(tr("Ctrl+Shift+X")), this, [this] {
        if (MatrixModel *m = m_stage->heatmapModel())
            QApplication::clipboard()->setText(m->toCsv());
    });
    edit->addAction(tr("Toggle the causal &mask"), QKeySequence(tr("Ctrl+M")), this, [c] {
        c->setMask(c->state().mask == MaskMode::Causal ? MaskMode::None : MaskMode::Causal);
    });
    edit->addAction(tr("Clear the custom mask"), this, [c] {
        if (c->state().mask == MaskMode::Custom)
            c->setMask(MaskMode::None);
    });
    edit->addAction(tr("Edit the mask by clicking cells"), QKeySequence(tr("Ctrl+E")), this,
                    [c] { c->setMaskEdit(!c->state().maskEdit); });
    QAction *stopEditing = edit->addAction(tr("Stop editing the mask"), this, [c] { c->setMaskEdit(false); });
    stopEditing->setShortcut(QKeySequence(Qt::Key_Escape));
    stopEditing->setEnabled(false);
    connect(c, &StageController::viewChanged, stopEditing, [c, stopEditing] { stopEditing->setEnabled(c->state().maskEdit); });
    connect(c, &StageController::stepChanged, stopEditing, [c, stopEditing] { stopEditing->setEnabled(c->state().maskEdit); });

    QMenu *view = bar->addMenu(tr("&View"));
    QAction *next = view->addAction(tr("&Next step"), this, [this] { advance(+1); });
    next->setShortcuts({QKeySequence(Qt::Key_PageDown), QKeySequence(tr("Alt+Right"))});
    QAction *previous = view->addAction(tr("&Previous step"), this, [this] { advance(-1); });
    previous->setShortcuts({QKeySequence(Qt::Key_PageUp), QKeySequence(tr("Alt+Left"))});
    view->addSeparator();
    QAction *zoomIn = view->addAction(tr("Zoom &in"), this, [c] { c->setZoom(c->state().zoom * 1.15); });
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))});
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, this, [c] { c->setZoom(c->state().zoom / 1.15); });
    view->addAction(tr("&Actual size"), QKeySequence(tr("Ctrl+0")), this, [c] { c->setZoom(1.0); });
    view->addAction(tr("&Fit the heatmap"), QKeySequence(tr("Ctrl+F")), this, [this] { m_stage->heatmap()->fitToView(); });
    view->addSeparator();
    view->addAction(tr("Show the &heatmap"), QKeySequence(tr("Ctrl+1")), this, [c] { c->setView(StageView::Heatmap); });
    view->addAction(tr("Show the &lines"), QKeySequence(tr("Ctrl+2")), this, [c] { c->setView(StageView::Lines); });
    view->addSeparator();
    m_panels->pipelineDock()->toggleViewAction()->setText(tr("Pipeline panel"));
    m_panels->dock(SidePanel::Explain)->toggleViewAction()->setText(tr("Explain panel"));
    for (QDockWidget *d : m_panels->docks())
        view->addAction(d->toggleViewAction());
    view->addAction(tr("F&ull screen"), QKeySequence(Qt::Key_F11), this,
                    [this] { m_window->setWindowState(m_window->windowState() ^ Qt::WindowFullScreen); });
    // Present, with the keys of slide software: F5 from the start, Shift+F5 from this step, Esc ends.
    view->addSection(tr("Present"));
    view->addAction(tr("&Present from the start"), QKeySequence(Qt::Key_F5), this, [this] { emit presentRequested(true); });
    view->addAction(tr("Present from &this step"), QKeySequence(Qt::SHIFT | Qt::Key_F5), this,
                    [this] { emit presentRequested(false); });
    m_endPresentation = view->addAction(tr("&End the presentation"), this, [this] { emit endPresentationRequested(); });
    m_endPresentation->setShortcut(QKeySequence(Qt::Key_Escape));
    m_endPresentation->setEnabled(false); // Escape is the mask editor's until a presentation runs

    bar->addMenu(m_examples);

    // Deep dives: the lesson's claims as experiments, each a panel a lesson can open (panel: scaling, …).
    QMenu *dives = bar->addMenu(tr("&Deep dives"));
    dives->addAction(tr("Why &scale by √d_k…"), this, [c] { c->setPanel(SidePanel::Scaling); });
    dives->addAction(tr("Why &mask: decoding, and cheating without the mask…"), this,
                     [c] { c->setPanel(SidePanel::Masking); });
    dives->addAction(tr("What O(n²) &costs: time and memory against length…"), this,
                     [c] { c->setPanel(SidePanel::Complexity); });
    dives->addAction(tr("Why several &heads: side by side, concatenated, W_O…"), this,
                     [c] { c->setPanel(SidePanel::Heads); });
    dives->addAction(tr("Attention against an &RNN: steps and path length…"), this,
                     [c] { c->setPanel(SidePanel::Rnn); });

    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(tr("&Keys"), this, [this] {
        QMessageBox::information(
            m_window, tr("Keys"),
            tr("Page Down / Alt+→: next step\nPage Up / Alt+←: previous step\nCtrl+Z / Ctrl+Shift+Z: undo, "
               "redo\nCtrl+L: edit the sentence\nCtrl+M: causal mask on/off\nCtrl+E: edit the mask, Esc: "
               "stop\nCtrl+1 / Ctrl+2: heatmap, lines\nCtrl + / Ctrl −: zoom, Ctrl+0: actual size\nCtrl+F: "
               "fit the heatmap\nTab: the next region; arrows move within it\nF11: full screen"));
    });
    help->addAction(tr("&About AttentionLab"), this, [this] {
        QMessageBox::about(m_window, tr("About AttentionLab"),
                           tr("<b>AttentionLab %1</b><p>Watch self-attention compute, step by step, on any "
                              "sentence you type.</p>")
                               .arg(QApplication::applicationVersion().toHtmlEscaped()));
    });

    connect(m_panels->chart(), &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        AttentionChart *chart = m_panels->chart();
        showContextMenu(chart, chart->mapToGlobal(pos), nullptr);
    });
    connect(m_stage, &Stage::contextMenuRequested, this, &Menus::showContextMenu);
}

void Menus::fillExamples(QMenu *menu)
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

void Menus::showExample(const SampleSentence &e)
{
    const QString error = m_controller->change(exampleState(e, m_controller->state()), tr("Example"));
    if (!error.isEmpty()) {
        warnPlainly(m_window, tr("Model"), error);
        return;
    }
    emit message(e.hint, 20000);
}

QString Menus::caption() const
{
    const AttentionTrace *trace = m_controller->trace();
    const QStringList tokens = trace ? toQStringList(tokenLabels(*trace)) : QStringList();
    return exportCaption(m_controller->state(), m_controller->state().model, tokens,
                         m_controller->model().headCount());
}

QString Menus::suggestedName(const QString &what, const QString &extension) const
{
    const AttentionTrace *trace = m_controller->trace();
    const QStringList tokens = trace ? toQStringList(tokenLabels(*trace)) : QStringList();
    const Model &model = m_controller->model();
    return suggestedExportName(m_controller->state(), tokens, what, extension,
                               static_cast<int>(model.layers.size()), model.headCount());
}

QString Menus::exportCurrentView(const QString &path)
{
    ExportFormat format;
    if (!exportFormatFromPath(path, &format) || format == ExportFormat::Csv)
        return tr("%1: a view is saved as .png or .svg").arg(path);
    m_controller->waitForTrace();
    return exportView(m_stage->currentView(), path, format, caption());
}

QString Menus::exportEquation(const QString &path)
{
    ExportFormat format;
    if (!exportFormatFromPath(path, &format) || format == ExportFormat::Csv)
        return tr("%1: the equation is saved as .png or .svg").arg(path);
    m_controller->waitForTrace();
    if (!m_controller->trace())
        return tr("there is no equation to export yet: type a sentence");
    // Drawn whole: every panel with all its cells and the result, not the scrolled part on screen.
    return exportView(m_stage->equation(), path, format, caption());
}

QString Menus::exportMatrixCsv(const QString &path)
{
    m_controller->waitForTrace();
    MatrixModel *m = m_stage->heatmapModel();
    return m && m_controller->trace() ? exportCsv(*m, path) : tr("there is no matrix to export yet: type a sentence");
}

void Menus::chooseExportFile(const QString &what, const QString &extension,
                             const std::function<QString(const QString &)> &write, const QString &filters)
{
    const QString suggested = QDir(exportFolder(m_settings)).filePath(suggestedName(what, extension));
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export the %1").arg(what), suggested, filters);
    if (path.isEmpty())
        return;
    const QString error = write(path);
    if (error.isEmpty()) {
        rememberExportFolder(m_settings, path);
        emit message(tr("Saved %1").arg(path), 8000);
    } else {
        warnPlainly(m_window, tr("Export"), error);
    }
}

void Menus::showContextMenu(QWidget *view, const QPoint &globalPos, MatrixModel *matrix)
{
    QMenu menu(m_window);
    menu.addAction(tr("Export as PNG…"), this, [this, view] {
        chooseExportFile(
            tr("view"), QStringLiteral("png"),
            [this, view](const QString &p) { return exportView(view, p, ExportFormat::Png, caption()); },
            tr("PNG image (*.png)"));
    });
    menu.addAction(tr("Export as SVG…"), this, [this, view] {
        chooseExportFile(
            tr("view"), QStringLiteral("svg"),
            [this, view](const QString &p) { return exportView(view, p, ExportFormat::Svg, caption()); },
            tr("SVG drawing (*.svg)"));
    });
    if (matrix) {
        menu.addAction(tr("Export the numbers as CSV…"), this, [this, matrix] {
            chooseExportFile(
                tr("matrix"), QStringLiteral("csv"), [matrix](const QString &p) { return exportCsv(*matrix, p); },
                tr("CSV table (*.csv)"));
        });
        menu.addAction(tr("Copy the numbers as CSV"), this,
                       [matrix] { QApplication::clipboard()->setText(matrix->toCsv()); });
    }
    menu.exec(globalPos);
}

void Menus::setPresenting(bool on)
{
    if (m_endPresentation)
        m_endPresentation->setEnabled(on);
}

void Menus::advance(int delta)
{
    if (m_advance && m_advance(delta))
        return;
    if (delta > 0)
        m_controller->nextStep();
    else
        m_controller->previousStep();
}

} // namespace attention
