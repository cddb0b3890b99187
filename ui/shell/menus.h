// The menu bar and the export dialogs: every action changes the state through the controller, or writes
// what the stage shows to a file.
#pragma once

#include <QObject>
#include <functional>

class QAction;
class QMainWindow;
class QMenu;
class QPoint;
class QSettings;
class QWidget;

namespace attention {

class MatrixModel;
class SidePanels;
class Stage;
class StageController;
struct SampleSentence;

class Menus : public QObject
{
    Q_OBJECT
public:
    Menus(QMainWindow *window, StageController *controller, QSettings *settings);
    // The parts of the window the actions act on; called once they exist.
    void build(Stage *stage, SidePanels *panels, QWidget *sentenceField);

    // The examples, for the menu bar and the button beside the sentence.
    QMenu *examplesMenu() const { return m_examples; }
    void showExample(const SampleSentence &example);

    // Exports: the current tab (heatmap or lines), the whole equation, or the heatmap's matrix as CSV.
    // Each picture carries a caption saying what it shows. Return an error, or "".
    QString exportCurrentView(const QString &path);
    QString exportEquation(const QString &path);
    QString exportMatrixCsv(const QString &path);
    // The file name the save dialog suggests for `what` ("view", "equation", "matrix").
    QString suggestedName(const QString &what, const QString &extension) const;
    void showContextMenu(QWidget *view, const QPoint &globalPos, MatrixModel *matrix);
    // What the clicker's keys (Page Down / Page Up, the View menu's Next and Previous) move: by default the
    // stage's step; a lesson takes them over while it is open. The handler returns false to let the step move.
    void setAdvance(std::function<bool(int delta)> advance) { m_advance = std::move(advance); }
    void advance(int delta);
    // The View menu's Present group: its End action is enabled only while a presentation runs.
    void setPresenting(bool on);

signals:
    void message(const QString &text, int milliseconds);
    void presentRequested(bool fromStart);
    void endPresentationRequested();

private:
    void chooseExportFile(const QString &what, const QString &extension,
                          const std::function<QString(const QString &)> &write, const QString &filters);
    QString caption() const;
    void fillExamples(QMenu *menu);

    QMainWindow *m_window;
    StageController *m_controller;
    QSettings *m_settings;
    Stage *m_stage = nullptr;
    SidePanels *m_panels = nullptr;
    QMenu *m_examples = nullptr;
    std::function<bool(int)> m_advance;
    QAction *m_endPresentation = nullptr;
};

} // namespace attention
