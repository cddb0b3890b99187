// The left panel: the flow diagram, what to compute (mask, scaling, the swap mistake, mask editing), and
// which model, layer and head to show. It reports choices; the main window passes them to the controller.
#pragma once

#include "steps.h"
#include "stagecontroller.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QSpinBox;
class QToolButton;

namespace attention {

class FlowDiagram;

class PipelinePanel : public QWidget
{
    Q_OBJECT
public:
    explicit PipelinePanel(QWidget *parent = nullptr);

    // Shows the current state without emitting anything.
    void showState(const AppState &state, const Model &model);
    void showStep(Step step);
    // Selects the model entry for `source` (a built-in name or a file path), adding an entry for a file.
    void showModel(const QString &source);
    void setPrecision(int decimals);
    static constexpr int kMaxDecimals = 6; // the decimals offered: 0 to this

    FlowDiagram *flow() const { return m_flow; }
    QCheckBox *causalBox() const { return m_causal; }
    QCheckBox *scaleBox() const { return m_scale; }
    QCheckBox *swapBox() const { return m_swap; }
    QToolButton *editMaskButton() const { return m_editMask; }
    QComboBox *modelSelector() const { return m_model; }
    QComboBox *headSelector() const { return m_head; }

signals:
    void stepRequested(Step step);
    void causalChosen(bool on);
    void scaleChosen(bool on);
    void swapChosen(bool on);
    void editMaskChosen(bool on);
    void modelChosen(const QString &source); // a built-in name or a file path
    void layerChosen(int layer);             // from 0
    void headChosen(int head);               // from 0, or -1 for the average of the heads
    void precisionChosen(int decimals);

private:
    FlowDiagram *m_flow = nullptr;
    QCheckBox *m_causal = nullptr;
    QCheckBox *m_scale = nullptr;
    QCheckBox *m_swap = nullptr;
    QToolButton *m_editMask = nullptr;
    QComboBox *m_model = nullptr;
    QSpinBox *m_layer = nullptr;
    QComboBox *m_head = nullptr;
    QSpinBox *m_precision = nullptr;
};

} // namespace attention
