// The stage in the middle of the window: the step's equation above, its result drawn large below (heatmap
// or lines), or a hint while there is no sentence. It shows the controller's state and sends clicks back.
#pragma once

#include "steps.h"

#include <QWidget>

class QLabel;
class QScrollArea;
class QSplitter;
class QStackedWidget;
class QTabWidget;

namespace attention {

class EquationView;
class HeatmapView;
class LineView;
class MatrixModel;
class StageController;

class Stage : public QWidget
{
    Q_OBJECT
public:
    Stage(StageController *controller, MatrixModel *weights, QWidget *parent = nullptr);

    EquationView *equation() const { return m_equation; }
    HeatmapView *heatmap() const { return m_heatmap; }
    LineView *lines() const { return m_lines; }
    QLabel *heatmapCaption() const { return m_heatmapCaption; }
    QSplitter *splitter() const { return m_splitter; }
    QLabel *formula() const { return m_formula; }
    // The matrix the heatmap shows for the current step (the equation's result), or null before any trace.
    MatrixModel *heatmapModel() const;
    MatrixId heatmapMatrix() const { return m_heatmapId; }
    // The picture under the equation now: the heatmap or the lines.
    QWidget *currentView() const;
    bool showsEmptyState() const;
    // Fills a heatmap with the step's result as the stage's own shows it (names, colours, range, labels):
    // the classroom's audience window draws the same picture. `fixedRangeShown` (may be null) remembers
    // the range set last, so that it is set only when it changes.
    void fillHeatmap(HeatmapView *view, bool *fixedRangeShown = nullptr) const;
    // Predict, then reveal: the result under the equation is covered with `why` until shown again.
    void setResultHidden(bool hidden, const QString &why = QString());
    bool resultHidden() const;

signals:
    // A cell was clicked or chosen with the keyboard (not in mask editing): explain it.
    void cellActivated(MatrixId panel, int row, int column);
    // The mouse rests on a cell (row -1 when it left every cell).
    void cellHovered(MatrixId panel, int row, int column);
    void contextMenuRequested(QWidget *view, const QPoint &globalPos, MatrixModel *matrix);
    void message(const QString &text);

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fitCaption();
    void showTrace();
    void showStep();
    void showSelection();
    void showView();
    void updateHeatmap();
    void activate(MatrixId panel, int row, int column);
    void placeSplitter();
    void applyFonts();

    StageController *m_controller;
    MatrixModel *m_weights;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_emptyHint = nullptr;
    QSplitter *m_splitter = nullptr;
    QScrollArea *m_equationScroll = nullptr;
    QLabel *m_formula = nullptr;
    QLabel *m_description = nullptr;
    bool m_applyingFonts = false;
    EquationView *m_equation = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_heatmapCaption = nullptr;
    QString m_caption;      // the caption with what rows and columns are
    QString m_shortCaption; // the name and the size only, for a narrow stage
    QLabel *m_cover = nullptr; // over the heatmap and lines while a question waits for its answer
    HeatmapView *m_heatmap = nullptr;
    QScrollArea *m_linesScroll = nullptr;
    LineView *m_lines = nullptr;
    MatrixId m_heatmapId = MatrixId::X;
    bool m_splitterPlaced = false;
    bool m_fixedRange = false; // the heatmap draws on 0…1 (weights), else on the matrix's own range
    bool m_userMovedSplitter = false;
};

} // namespace attention
