// Table model over an Eigen matrix; it formats and colours values but never changes them.
#include "matrixmodel.h"

#include <QLocale>

#include "colormap.h"
#include "labels.h"

#include <QBrush>
#include <QFont>
#include <cmath>
#include <limits>

namespace attention {

MatrixModel::MatrixModel(QObject *parent) : QAbstractTableModel(parent) {}

void MatrixModel::setMatrix(const Eigen::MatrixXd &matrix, const QStringList &rowLabels,
                            const QStringList &columnLabels)
{
    const bool sameShape = matrix.rows() == m_matrix.rows() && matrix.cols() == m_matrix.cols();
    if (!sameShape)
        beginResetModel();
    m_matrix = matrix;
    m_rowLabels = rowLabels;
    m_columnLabels = columnLabels;
    // The colour range spans the finite values; −∞ (blocked) cells are left out.
    m_min = std::numeric_limits<double>::infinity();
    m_max = -m_min;
    if (m_matrix.size() > 0) { // minCoeff() of nothing is undefined
        const auto finite = m_matrix.array().isFinite();
        m_min = finite.select(m_matrix.array(), std::numeric_limits<double>::infinity()).minCoeff();
        m_max = finite.select(m_matrix.array(), -std::numeric_limits<double>::infinity()).maxCoeff();
    }
    if (!std::isfinite(m_min)) {
        m_min = 0.0;
        m_max = 1.0;
    }
    if (sameShape) {
        if (m_matrix.size() > 0)
            emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        emit headerDataChanged(Qt::Horizontal, 0, std::max(0, columnCount() - 1));
        emit headerDataChanged(Qt::Vertical, 0, std::max(0, rowCount() - 1));
    } else {
        endResetModel();
    }
}

void MatrixModel::setPrecision(int decimals)
{
    if (decimals == m_precision)
        return;
    m_precision = decimals;
    if (m_matrix.size() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::DisplayRole});
}

void MatrixModel::setLabelColors(const QColor &rows, const QColor &columns)
{
    m_rowLabelColor = rows;
    m_columnLabelColor = columns;
}

double MatrixModel::normalized(double value) const
{
    if (!std::isfinite(value))
        return 0.0;
    return m_max > m_min ? (value - m_min) / (m_max - m_min) : 0.5;
}

QString MatrixModel::formatValue(double value, int decimals)
{
    if (std::isinf(value))
        return value < 0 ? QStringLiteral("−∞") : QStringLiteral("∞");
    if (std::isnan(value))
        return QStringLiteral("NaN");
    QString s = QString::number(value, 'f', decimals);
    if (s.startsWith('-')) {
        // −0.00 reads as a sign error to a student; print 0.00.
        bool allZero = true;
        for (QChar c : s.mid(1))
            allZero = allZero && (c == '0' || c == '.');
        s = allZero ? s.mid(1) : QStringLiteral("−") + s.mid(1);
    }
    return s;
}

QString MatrixModel::toCsv() const
{
    auto quote = [](const QString &s) {
        QString q = s;
        q.replace('"', QStringLiteral("\"\""));
        return '"' + q + '"';
    };
    QString out = QStringLiteral("\"\"");
    for (int c = 0; c < columnCount(); ++c)
        out += ',' + quote(headerData(c, Qt::Horizontal).toString());
    out += '\n';
    for (int r = 0; r < rowCount(); ++r) {
        out += quote(headerData(r, Qt::Vertical).toString());
        for (int c = 0; c < columnCount(); ++c) {
            const double v = m_matrix(r, c);
            out += ',';
            // The shortest decimal that reads back as the same double: 0.2, not 0.20000000000000001.
            out += std::isinf(v) ? (v < 0 ? QStringLiteral("-inf") : QStringLiteral("inf"))
                                 : QString::number(v, 'g', QLocale::FloatingPointShortest);
        }
        out += '\n';
    }
    return out;
}

int MatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_matrix.rows());
}

int MatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_matrix.cols());
}

QVariant MatrixModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const double v = m_matrix(index.row(), index.column());
    const bool blocked = std::isinf(v) && v < 0;
    switch (role) {
    case Qt::DisplayRole:
        return formatValue(v, m_precision);
    case Qt::ToolTipRole: // token and feature names come from model files: shown literally
        return literalToolTip(QStringLiteral("%1 → %2: %3")
                                  .arg(headerData(index.row(), Qt::Vertical).toString(),
                                       headerData(index.column(), Qt::Horizontal).toString(),
                                       formatValue(v, 10)));
    case Qt::BackgroundRole:
        return QBrush(blocked ? QColor(0xC8, 0xC8, 0xC8) : viridis(normalized(v)));
    case Qt::ForegroundRole:
        return QBrush(blocked ? QColor(0x55, 0x55, 0x55) : textColorOn(viridis(normalized(v))));
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case ValueRole:
        return v;
    case BlockedRole:
        return blocked;
    default:
        return {};
    }
}

QVariant MatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::ForegroundRole) {
        const QColor &c = orientation == Qt::Horizontal ? m_columnLabelColor : m_rowLabelColor;
        return c.isValid() ? QVariant(QBrush(c)) : QVariant();
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const QStringList &labels = orientation == Qt::Horizontal ? m_columnLabels : m_rowLabels;
    const QString label =
        section >= 0 && section < labels.size() ? labels.at(section) : QString::number(section);
    return role == Qt::ToolTipRole ? literalToolTip(label) : label;
}

} // namespace attention
