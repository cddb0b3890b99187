// The panels beside the stage, as docks of the main window: the pipeline (left), and Explain, Layers ×
// heads, Follow a token, Compare, Code and the deep dives (right, as tabs). They show the controller's state and send the
// choices made in them back to it. Below 1280 px the right panels join the left one as tabs.
#pragma once

#include "appstate.h"

#include <QObject>

class QComboBox;
class QDockWidget;
class QMainWindow;
class QStackedWidget;
class QTimer;

namespace attention {
struct Model;
}

namespace attention {

class AttentionChart;
class CodePanel;
class ScalingPanel;
class MaskingPanel;
class ComplexityPanel;
class HeadsPanel;
class RnnPanel;
class ComparePanel;
class ExplainPanel;
class LayerFlowView;
class MatrixModel;
class ModelGridView;
class PipelinePanel;
class StageController;

class SidePanels : public QObject
{
    Q_OBJECT
public:
    SidePanels(QMainWindow *window, StageController *controller, MatrixModel *weights);

    PipelinePanel *pipeline() const { return m_pipeline; }
    ExplainPanel *explain() const { return m_explain; }
    AttentionChart *chart() const { return m_chart; }
    ModelGridView *grid() const { return m_grid; }
    LayerFlowView *layerFlow() const { return m_layerFlow; }
    ComparePanel *compare() const { return m_compare; }
    CodePanel *code() const { return m_code; }
    ScalingPanel *scaling() const { return m_scaling; }
    MaskingPanel *masking() const { return m_masking; }
    ComplexityPanel *complexity() const { return m_complexity; }
    HeadsPanel *heads() const { return m_heads; }
    RnnPanel *rnn() const { return m_rnn; }
    static bool isDeepDive(SidePanel panel);
    QDockWidget *pipelineDock() const { return m_pipelineDock; }
    QDockWidget *dock(SidePanel panel) const;
    QList<QDockWidget *> docks() const;
    // One more panel that shares the right side as a tab (the lesson): it follows the others when they
    // move to the left side of a narrow window and back.
    void addTabbedDock(QDockWidget *dock);
    // Brings such a panel forward, now and once the window's tabs settle; a change of the state's panel
    // brings that one forward again.
    void raiseTabbedDock(QDockWidget *dock);
    static constexpr int kSettleMs = 150; // docks that were moved settle their tabs within this

    // A cell to explain now (a click); the explanation goes back to the state's selection on the next change.
    void explainCell(MatrixId panel, int row, int column);
    // The mouse rests on a cell (row < 0: it left): explained after a short rest, without flicker.
    void hoverCell(MatrixId panel, int row, int column);
    // The window is shown: bring the state's panel to the front (the tabs settle only now), and from then
    // on follow the person's choice of tab.
    void windowShown();
    // Re-arranges the docks for the window's width (called from the window's resize).
    void fitToWidth(int width, double zoom, bool keepUserWidths);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    void modelFailed(const QString &error);

private:
    void showTrace();
    void showSelection();
    void showView();
    void raiseForState();
    // A deep dive in front takes about half the window; another panel gives the stage its room back.
    void widenFor(SidePanel panel);
    void widenDive(); // the deep dive's column as wide as the stage lets it be
    // The deep dive the dock shows, and showing one (without a change of state).
    SidePanel shownDive() const;
    void showDive(SidePanel panel);
    // The deep dives that follow the stage get its model, sentence, layer and query.
    void feedDeepDives();
    QDockWidget *front() const; // the panel to bring forward when the tabs settle

    QMainWindow *m_window;
    StageController *m_controller;
    MatrixModel *m_weights;
    PipelinePanel *m_pipeline = nullptr;
    ExplainPanel *m_explain = nullptr;
    AttentionChart *m_chart = nullptr;
    ModelGridView *m_grid = nullptr;
    LayerFlowView *m_layerFlow = nullptr;
    ComparePanel *m_compare = nullptr;
    const Model *m_compareModel = nullptr; // the model Compare was last given
    CodePanel *m_code = nullptr;
    ScalingPanel *m_scaling = nullptr;
    MaskingPanel *m_masking = nullptr;
    ComplexityPanel *m_complexity = nullptr;
    HeadsPanel *m_heads = nullptr;
    RnnPanel *m_rnn = nullptr;
    QDockWidget *m_diveDock = nullptr;   // every deep dive, one at a time
    QComboBox *m_diveChooser = nullptr;  // which one, in the order of the Deep dives menu
    QStackedWidget *m_diveStack = nullptr;
    QList<QPair<SidePanel, QWidget *>> m_divePanels;
    QList<QDockWidget *> m_splitExtras; // the lesson, moved under a deep dive while it is in front
    bool m_widened = false;           // the right side is widened for a deep dive
    QDockWidget *m_pipelineDock = nullptr;
    QDockWidget *m_explainDock = nullptr;
    QDockWidget *m_gridDock = nullptr;
    QDockWidget *m_layerFlowDock = nullptr;
    QDockWidget *m_compareDock = nullptr;
    QDockWidget *m_codeDock = nullptr;
    QTimer *m_hoverTimer = nullptr;
    MatrixId m_hoverPanel = MatrixId::Weights;
    int m_hoverRow = -1;
    int m_hoverColumn = -1;
    QList<QDockWidget *> m_extraDocks;
    QDockWidget *m_frontExtra = nullptr;
    double m_tierZoom = 0.0;
    int m_tierWidth = 0;
    int m_tier = -1; // 0 narrow, 1 laptop, 2 projector: the width class the docks were last sized for
    bool m_raising = false;
    bool m_arranging = false;
    bool m_tracking = false; // set once the window is shown: tab changes before that are Qt's own
    SidePanel m_shownPanel = SidePanel::Explain; // the panel last brought forward for the state
    static constexpr int kHoverRestMs = 90;
};

} // namespace attention
