// A table model over one matrix of the trace: numbers, heatmap colours, −∞ cells and labels.
#pragma once

#include <Eigen/Dense>
#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>

namespace attention {

class MatrixModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    // Extra roles the views read besides Display, Background, Foreground and ToolTip.
    enum Role { ValueRole = Qt::UserRole + 1, BlockedRole };

    explicit MatrixModel(QObject *parent = nullptr);

    // Replaces the matrix and its labels; colours span the matrix's own finite range.
    void setMatrix(const Eigen::MatrixXd &matrix, const QStringList &rowLabels,
                   const QStringList &columnLabels);
    void setPrecision(int decimals);
    // Colours for the row and column labels (the role colours: queries purple, keys orange, …).
    void setLabelColors(const QColor &rows, const QColor &columns);
    int precision() const { return m_precision; }
    const Eigen::MatrixXd &matrix() const { return m_matrix; }
    // Where a value sits between the matrix's smallest and largest finite values, 0..1.
    double normalized(double value) const;
    double minimum() const { return m_min; }
    double maximum() const { return m_max; }

    // The matrix as CSV: a header row of column labels, then one row per matrix row.
    QString toCsv() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "−∞" for minus infinity, otherwise the value with `decimals` decimals and a true minus sign.
    static QString formatValue(double value, int decimals);

private:
    Eigen::MatrixXd m_matrix;
    QStringList m_rowLabels;
    QStringList m_columnLabels;
    QColor m_rowLabelColor;
    QColor m_columnLabelColor;
    int m_precision = 2;
    double m_min = 0.0;
    double m_max = 1.0;
};

} // namespace attention
