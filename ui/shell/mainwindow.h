// The main window composes the top bar, the stage, the side panels and the menus around one controller,
// and keeps the session. It holds no state of its own: everything shown is the controller's AppState.
#pragma once

#include "stagecontroller.h"

#include <QMainWindow>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QToolButton;

namespace attention {

class AttentionChart;
class ComparePanel;
class EquationView;
class ExplainPanel;
class FlowDiagram;
class HeatmapView;
class LayerFlowView;
class LineView;
class MatrixModel;
class Lessons;
class Menus;
class Presentation;
class ModelGridView;
class Session;
class SidePanels;
class Stage;
class StepNavigator;
class TokenStrip;
class TopBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `settings` (may be null, else it must outlive the window) is read now, every value checked, and
    // written Session::kSaveDelayMs after each change and when the window closes.
    explicit MainWindow(std::shared_ptr<const Model> model, QSettings *settings = nullptr,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    StageController *controller() const { return m_controller; }
    // Shortcuts to the controller, for the command line and tests.
    void setSentence(const QString &text);
    // Selects the first token spelled `token` as the query; false when there is none.
    bool selectToken(const QString &token);
    void setZoom(double factor);
    double zoom() const { return m_controller->state().zoom; }
    // The font of the stage and the panels' contents: the desktop's, times the zoom. The menus, dock
    // titles and status bar keep the window's own font.
    QFont contentFont() const;
    static constexpr double kMinZoom = AppState::kMinZoom;
    static constexpr double kMaxZoom = AppState::kMaxZoom;
    static constexpr int kSaveDelayMs = 300;
    // Raises one of the side panels: "explain", "grid", "flow", "compare" or "pipeline"; false if unknown.
    bool showPanel(const QString &name);
    // Makes a built-in model (by name) or a model file current; returns the error, or "".
    QString useModel(const QString &nameOrPath);
    // What could not be restored from the settings, as the status bar shows it first; empty when all was.
    QString restoreNotice() const { return m_notice; }
    // True when the saved settings gave the window its size and place; a first start has none, and then the
    // window is shown maximized so that the whole stage fits the screen.
    bool geometryRestored() const { return m_geometryRestored; }

    // The parts, for tests and exports.
    TopBar *topBar() const { return m_top; }
    Stage *stage() const { return m_stage; }
    SidePanels *sidePanels() const { return m_panels; }
    Menus *menus() const { return m_menus; }
    Lessons *lessons() const { return m_lessons; }
    Presentation *presentation() const { return m_presentation; }
    QLineEdit *sentenceField() const;
    TokenStrip *tokenStrip() const;
    StepNavigator *stepNavigator() const;
    EquationView *equationView() const;
    HeatmapView *heatmap() const;
    LineView *lineView() const;
    ExplainPanel *explainPanel() const;
    AttentionChart *chart() const;
    FlowDiagram *flowDiagram() const;
    ModelGridView *modelGrid() const;
    LayerFlowView *layerFlow() const;
    ComparePanel *comparePanel() const;
    QComboBox *modelSelector() const;
    QComboBox *headSelector() const;
    QCheckBox *causalMaskBox() const;
    QCheckBox *scaleBox() const;
    QCheckBox *swapBox() const;
    QToolButton *editMaskButton() const;
    QLabel *problemBanner() const;
    bool showsEmptyState() const;
    // The weights of the selected head as the chart and the line view read them.
    MatrixModel *weightsModel() const { return m_weights; }
    // The matrix the heatmap shows for the current step: the equation's result, or null before any trace.
    MatrixModel *heatmapModel() const;

    QString exportCurrentView(const QString &path);
    QString exportEquation(const QString &path);
    QString exportMatrixCsv(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void moveEvent(QMoveEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void applyZoom();
    void updateStatus();
    void restoreSession(QSettings *settings);

    StageController *m_controller;
    MatrixModel *m_weights;
    Session *m_session = nullptr;
    Lessons *m_lessons = nullptr;
    Presentation *m_presentation = nullptr;
    Menus *m_menus = nullptr;
    TopBar *m_top = nullptr;
    Stage *m_stage = nullptr;
    SidePanels *m_panels = nullptr;
    QString m_notice;
    bool m_geometryRestored = false;
    bool m_dockLayoutRestored = false;
    double m_basePointSize = 11.0;
    double m_appliedZoom = 0.0;
};

} // namespace attention
