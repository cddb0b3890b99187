// The current step laid out as an equation of matrices: operands, operator, result.
#pragma once

#include "matrixview.h"
#include "steps.h"

#include <QHash>
#include <QWidget>

class QHBoxLayout;
class QButtonGroup;

namespace attention {

class StageController;

class EquationView : public QWidget
{
    Q_OBJECT
public:
    // Which projection the Q, K, V step shows.
    enum class Projection { Query, Key, Value, All };

    explicit EquationView(StageController *controller, QWidget *parent = nullptr);

    // Re-reads the controller: the step's layout, the matrices' numbers and the highlights.
    void refresh();
    // Re-reads only the selection: which rows, columns and cell are highlighted.
    void updateHighlights();
    void setPrecision(int decimals);
    int precision() const { return m_precision; }
    void setProjection(Projection projection);
    Projection projection() const { return m_projection; }
    // Panels by name: "X", "E", "P", "W_Q", "W_K", "W_V", "Q", "K", "V", "Kᵀ", "scores", "scaled",
    // "mask", "masked", "weights", "output", "concat", "W_O", "attention output", "layer output".
    MatrixPanel *panel(const QString &name) const { return m_panels.value(name); }
    // The operand panels the current step shows, left to right.
    QList<MatrixPanel *> visiblePanels() const { return m_visible; }
    // The result of the current step. It is not drawn in the equation: the large heatmap below shows it,
    // so the equation ends with "= name ↓". Its model holds the numbers and labels the heatmap draws.
    MatrixPanel *resultPanel() const { return m_result; }

signals:
    void cellActivated(const QString &panel, int row, int column);
    void cellHovered(const QString &panel, int row, int column);

private:
    MatrixPanel *makePanel(const QString &name, MatrixRole role);
    void layOut(Step step);
    void addOperator(QHBoxLayout *row, const QString &text, const QString &toolTip = {});
    void fillMatrices();

    StageController *m_controller;
    QHash<QString, MatrixPanel *> m_panels;
    QList<MatrixPanel *> m_visible;
    MatrixPanel *m_result = nullptr;
    QList<QWidget *> m_operators;
    QWidget *m_projectionBar = nullptr;
    QButtonGroup *m_projectionButtons = nullptr;
    QWidget *m_equation = nullptr;
    Projection m_projection = Projection::Query;
    int m_precision = 2;
    Step m_laidOut = Step::Output;
    bool m_hasLayout = false;
    int m_layoutKey = -1;
};

} // namespace attention
