// The main window: sentence field, token strip, step navigator, the step's equation, heatmap and lines,
// the pipeline panel, and the explanation panel. It composes views; the controller owns the state.
#pragma once

#include "examples.h"
#include "exporter.h"
#include "stagecontroller.h"

#include <QMainWindow>
#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSettings;
class QSpinBox;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QToolButton;

namespace attention {

class AttentionChart;
class ComparePanel;
class LayerFlowView;
class ModelGridView;
class EquationView;
class ExplainPanel;
class FlowDiagram;
class HeatmapView;
class LineView;
class MatrixModel;
class PipelinePanel;
class StepNavigator;
class TokenStrip;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `settings` (may be null, else it must outlive the window) is read now, every value checked, and
    // written kSaveDelayMs after each change and when the window closes.
    explicit MainWindow(std::shared_ptr<const Model> model, QSettings *settings = nullptr,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    StageController *controller() const { return m_controller; }
    void setSentence(const QString &text);
    // Selects the first token spelled `token` as the query; false when there is none.
    bool selectToken(const QString &token);
    // The text size factor, from kMinZoom to kMaxZoom; anything else (NaN too) gives 1.
    void setZoom(double factor);
    double zoom() const { return m_zoom; }
    static constexpr double kMinZoom = 0.6;
    static constexpr double kMaxZoom = 3.0;
    static constexpr int kSaveDelayMs = 300; // changes are saved this long after the last one
    // What could not be restored from the settings (a model that no longer loads, values out of range), as
    // the status bar shows it first for a while; empty when everything was restored.
    QString restoreNotice() const { return m_notice; }
    // True when the saved settings gave the window its size and place; a first start has none, and then the
    // window is shown maximized so that the whole stage fits the screen.
    bool geometryRestored() const { return m_geometryRestored; }

    // The views, for tests and for exporting.
    QLineEdit *sentenceField() const { return m_sentence; }
    TokenStrip *tokenStrip() const { return m_tokens; }
    StepNavigator *stepNavigator() const { return m_navigator; }
    EquationView *equationView() const { return m_equation; }
    HeatmapView *heatmap() const { return m_heatmap; }
    LineView *lineView() const { return m_lines; }
    ExplainPanel *explainPanel() const { return m_explain; }
    AttentionChart *chart() const { return m_chart; }
    FlowDiagram *flowDiagram() const;
    ModelGridView *modelGrid() const { return m_grid; }
    LayerFlowView *layerFlow() const { return m_layerFlow; }
    ComparePanel *comparePanel() const { return m_compare; }
    QComboBox *modelSelector() const;
    QComboBox *headSelector() const;
    // Raises one of the side panels: "explain", "grid", "flow", "compare" or "pipeline"; false if unknown.
    bool showPanel(const QString &name);
    // Loads a built-in model by name (or a model file) and makes it current; returns the error, or "".
    QString useModel(const QString &nameOrPath);
    QCheckBox *causalMaskBox() const;
    QCheckBox *scaleBox() const;
    QCheckBox *swapBox() const;
    QToolButton *editMaskButton() const;
    QLabel *problemBanner() const { return m_banner; }
    bool showsEmptyState() const;
    // The weights of the selected head as the chart and the line view read them.
    MatrixModel *weightsModel() const { return m_weights; }
    // The matrix the heatmap shows for the current step: the equation's result, or null before any trace.
    MatrixModel *heatmapModel() const;

    // Exports: the current tab (heatmap or lines), the equation, or the heatmap's matrix as CSV.
    QString exportCurrentView(const QString &path);
    QString exportEquation(const QString &path);
    QString exportMatrixCsv(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void moveEvent(QMoveEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildMenus();
    QWidget *buildTop();
    QWidget *buildCenter();
    QDockWidget *buildPipelineDock();
    QDockWidget *buildExplainDock();
    void buildModelDocks();
    void fillExamplesMenu(QMenu *menu);
    void showExample(const SampleSentence &example);
    void restoreSettings();
    void saveSettings();
    void scheduleSave();

    void onTraceChanged();
    void onStepChanged();
    void updateStepHeader();
    void onSelectionChanged();
    void onCellActivated(const QString &panel, int row, int column);
    void explainCell(const QString &panel, int row, int column);
    void hoverCell(const QString &panel, int row, int column);
    void explainAverage(const QString &panel, int row, int column);
    void updateHeatmap();
    void updateStatus();
    void chooseExportFile(const QString &what, std::function<QString(const QString &)> write,
                          const QString &filters);
    void showContextMenu(QWidget *view, const QPoint &globalPos, MatrixModel *matrix);

    StageController *m_controller = nullptr;
    QSettings *m_settings = nullptr;
    QTimer *m_saveTimer = nullptr; // single shot: one write for a burst of changes
    bool m_settingsLive = false;   // set once the settings are restored: from then on, changes are saved
    QString m_notice;
    bool m_geometryRestored = false;
    double m_zoom = 1.0;
    double m_basePointSize = 11.0;
    int m_precision = 2;

    QLineEdit *m_sentence = nullptr;
    TokenStrip *m_tokens = nullptr;
    StepNavigator *m_navigator = nullptr;
    QLabel *m_formula = nullptr;
    QLabel *m_description = nullptr;
    QLabel *m_banner = nullptr;
    QStackedWidget *m_centerStack = nullptr;
    QLabel *m_emptyHint = nullptr;
    QScrollArea *m_equationScroll = nullptr;
    QSplitter *m_centerSplitter = nullptr;
    bool m_splitterPlaced = false;
    int m_dockTier = -1; // 0 narrow, 1 laptop, 2 projector: the width class the docks were last sized for
    bool m_userResizedDocks = false; // set once a saved layout is restored: then the user's widths win
    EquationView *m_equation = nullptr;
    QTabWidget *m_tabs = nullptr;
    HeatmapView *m_heatmap = nullptr;
    QLabel *m_heatmapCaption = nullptr;
    QScrollArea *m_linesScroll = nullptr;
    LineView *m_lines = nullptr;
    PipelinePanel *m_pipeline = nullptr;
    ExplainPanel *m_explain = nullptr;
    AttentionChart *m_chart = nullptr;
    MatrixModel *m_weights = nullptr; // the selected head's weights: chart and lines
    QString m_heatmapName;
    QDockWidget *m_pipelineDock = nullptr;
    QDockWidget *m_explainDock = nullptr;
    QDockWidget *m_gridDock = nullptr;
    QDockWidget *m_layerFlowDock = nullptr;
    QDockWidget *m_compareDock = nullptr;
    ModelGridView *m_grid = nullptr;
    LayerFlowView *m_layerFlow = nullptr;
    ComparePanel *m_compare = nullptr;
    QMenu *m_viewMenu = nullptr;
    QString m_modelSource = QStringLiteral("didactic"); // the built-in name or file the model came from
    struct HoveredCell
    {
        QString panel;
        int row = -1;
        int column = -1;
    };
    HoveredCell m_hovered;
    QTimer *m_hoverTimer = nullptr;
    static constexpr int kHoverRestMs = 90; // how long the mouse rests on a cell before it is explained
};

} // namespace attention
