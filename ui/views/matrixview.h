// A compact table view of one matrix: heatmap cells, −∞ hatching, and the selected row, column and cell.
#pragma once

#include "steps.h"

#include <Eigen/Dense>
#include <QFrame>
#include <QTableView>

class QLabel;

namespace attention {

class MatrixModel;

class MatrixView : public QTableView
{
    Q_OBJECT
public:
    explicit MatrixView(QWidget *parent = nullptr);

    // Highlights a row (query colour), a column (key colour) and their crossing; -1 = none.
    void setHighlight(int row, int column);
    int highlightedRow() const { return m_row; }
    int highlightedColumn() const { return m_column; }
    // Resizes the cells to the font and the precision; call after the model or the font changed.
    void fitCells();
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void cellActivated(int row, int column); // clicked or chosen with the keyboard
    void cellHovered(int row, int column);

protected:
    void changeEvent(QEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void updateGeometries() override;

private:
    QSize contentSize() const;
    int m_row = -1;
    int m_column = -1;
};

enum class MatrixRole { Input, Query, Key, Value, Scores, Weights, Output, Weight };

// A matrix with its name, its shape and a colour that says what role it plays.
class MatrixPanel : public QFrame
{
    Q_OBJECT
public:
    // `id` says which matrix of the step vocabulary the panel shows; `name` is drawn above it (usually
    // matrixName(id), but "scores of head 1" or "b_Q" for a head's own copy or a bias row).
    MatrixPanel(MatrixId id, const QString &name, MatrixRole role, QWidget *parent = nullptr);

    MatrixId id() const { return m_id; }
    MatrixModel *model() const { return m_model; }
    MatrixView *view() const { return m_view; }
    QString name() const { return m_name; }
    // Sets the numbers and labels and updates the title's shape "(rows × columns)".
    void setMatrix(const Eigen::MatrixXd &matrix, const QStringList &rowLabels,
                   const QStringList &columnLabels);
    void setSubtitle(const QString &text);
    static QColor roleColor(MatrixRole role);

private:
    void updateTitle();
    MatrixId m_id;
    QString m_name;
    QString m_subtitle;
    MatrixRole m_role;
    QLabel *m_title = nullptr;
    MatrixModel *m_model = nullptr;
    MatrixView *m_view = nullptr;
};

} // namespace attention
