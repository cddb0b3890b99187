// The current step laid out as an equation of matrices: operands, operator, result. Every equation holds
// for the numbers it shows: with the average of heads, a step of the heads shows each head's own result and
// their mean, "1/h · (A of head 1 + A of head 2 + …) = A", because the mean Q times the mean Kᵀ is not the
// mean of the heads' scores (nor is softmax of the mean scores the mean of their weights).
#pragma once

#include "appstate.h"
#include "matrixview.h"
#include "steps.h"

#include <QHash>
#include <QWidget>
#include <array>

class QHBoxLayout;
class QLabel;
class QButtonGroup;
class QPainter;

namespace attention {

class StageController;

class EquationView : public QWidget
{
    Q_OBJECT
public:
    explicit EquationView(StageController *controller, QWidget *parent = nullptr);

    // Re-reads the controller: the step's layout, the matrices' numbers and the highlights.
    void refresh();
    // Re-reads only the selection: which rows, columns and cell are highlighted.
    void updateHighlights();
    void setPrecision(int decimals);
    int precision() const { return m_precision; }
    // Which projection the Q, K, V step shows. The state sets it; this emits nothing (a click on one of
    // the view's own buttons emits projectionRequested instead).
    void setProjection(Projection projection);
    Projection projection() const { return m_projection; }
    // The panel of one matrix: the selected head's (or, with the average of heads, the mean's).
    MatrixPanel *panel(MatrixId id) const { return m_panels[static_cast<std::size_t>(id)]; }
    // With the average of heads, the equation shows each head's own matrix and their mean: head `head`'s
    // copy of the per-head matrix `id` (isPerHeadMatrix), or nullptr when the step does not show it.
    MatrixPanel *headPanel(MatrixId id, int head) const;
    // The head a panel belongs to: its index for a head's own copy (headPanel), -1 for every other panel.
    int headOf(const MatrixPanel *panel) const { return m_headOf.value(panel, -1); }
    // The bias row added after the weight matrix `weight` (W_Q, W_K, W_V of the shown head, or W_O), shown
    // when the model has one: b_Q, b_K, b_V, b_O (1 × columns). Its id() is the weight's.
    MatrixPanel *biasPanel(MatrixId weight) const { return m_biases.value(int(weight)); }
    // The operand panels the current step shows, left to right and row by row.
    QList<MatrixPanel *> visiblePanels() const { return m_visible; }
    // The result of the current step. It is not drawn in the equation: the large heatmap below shows it,
    // so the equation ends with "= name ↓". Its model holds the numbers and labels the heatmap draws.
    MatrixPanel *resultPanel() const { return m_result; }
    // The texts of the operators between the panels, left to right and row by row: "·", "=", "÷ √8 …".
    QStringList operatorTexts() const;

    // The whole equation as a picture: every panel at its full size with all its cells (no scroll bars),
    // the result panel drawn too instead of "shown below ↓". wholeSize() is the picture's size in pixels.
    QSize wholeSize() const;
    void renderWhole(QPainter *painter) const;
    // Where renderWhole draws cell (row, column) of a panel of the current equation (the result included),
    // in the picture's coordinates; an empty rectangle for a panel or cell it does not draw.
    QRect wholeCellRect(const MatrixPanel *panel, int row, int column) const;

signals:
    void cellActivated(MatrixId panel, int row, int column);
    void cellHovered(MatrixId panel, int row, int column);
    // The person clicked one of the projection buttons of the Q, K, V step.
    void projectionRequested(Projection projection);

private:
    // One thing of the equation as drawn: a panel, or an operator's (or a note's) label.
    struct Item
    {
        MatrixPanel *panel = nullptr;
        QLabel *label = nullptr;
        bool result = false; // the result: its name on screen (label), its panel in the picture
    };
    struct WholeLayout;

    MatrixPanel *makePanel(MatrixId id, const QString &name, MatrixRole role);
    MatrixPanel *ensureHeadPanel(MatrixId id, int head);
    void layOut(Step step);
    void addOperator(QHBoxLayout *row, const QString &text, const QString &toolTip = {});
    void fillMatrices();
    WholeLayout wholeLayout() const;

    StageController *m_controller;
    std::array<MatrixPanel *, kMatrixCount> m_panels{};
    QHash<int, MatrixPanel *> m_headPanels; // by int(id) * 1000 + head
    QHash<const MatrixPanel *, int> m_headOf;
    QHash<int, MatrixPanel *> m_biases; // by int(weight id)
    QList<MatrixPanel *> m_visible;
    MatrixPanel *m_result = nullptr;
    QList<QWidget *> m_operators;
    QList<QList<Item>> m_items; // the equation's rows, for the picture
    QWidget *m_projectionBar = nullptr;
    QButtonGroup *m_projectionButtons = nullptr;
    QWidget *m_equation = nullptr;
    Projection m_projection = Projection::Query;
    int m_precision = 2;
    Step m_laidOut = Step::Output;
    bool m_hasLayout = false;
    QString m_layoutKey;
};

} // namespace attention
