// Table views of trace matrices; the delegate paints, the model holds the numbers.
#include "matrixview.h"

#include "matrixmodel.h"
#include "theme.h"

#include <QEvent>
#include <QKeyEvent>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QScrollBar>
#include <QStyledItemDelegate>
#include <QVBoxLayout>
#include <cmath>

namespace attention {

namespace {

// Paints a cell: heatmap colour, the number when it fits, −∞ hatched grey, and the highlights.
class CellDelegate : public QStyledItemDelegate
{
public:
    explicit CellDelegate(MatrixView *view) : QStyledItemDelegate(view), m_view(view) {}

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const QRect r = option.rect;
        const bool blocked = index.data(MatrixModel::BlockedRole).toBool();
        painter->save();
        painter->fillRect(r, index.data(Qt::BackgroundRole).value<QBrush>());
        if (blocked) {
            painter->fillRect(r, QBrush(QColor(0, 0, 0, 40), Qt::BDiagPattern));
        }
        const int row = m_view->highlightedRow();
        const int column = m_view->highlightedColumn();
        const bool inRow = row == index.row();
        const bool inColumn = column == index.column();
        if (inRow || inColumn) {
            QColor tint = inRow ? theme::query() : theme::key();
            tint.setAlpha(70);
            painter->fillRect(r, tint);
        }
        painter->setPen(index.data(Qt::ForegroundRole).value<QBrush>().color());
        painter->setFont(option.font);
        const QString text = index.data(Qt::DisplayRole).toString();
        if (option.fontMetrics.horizontalAdvance(text) + 4 <= r.width())
            painter->drawText(r.adjusted(2, 0, -4, 0), Qt::AlignRight | Qt::AlignVCenter, text);
        if (inRow && inColumn) {
            painter->setPen(QPen(theme::selection(), 3));
            painter->drawRect(r.adjusted(1, 1, -2, -2));
        }
        if ((option.state & QStyle::State_HasFocus) && m_view->hasFocus()) {
            // The keyboard's cell: dashed, so it reads apart from the solid selection outline.
            QPen focus(option.palette.color(QPalette::Highlight), 2, Qt::DashLine);
            painter->setPen(focus);
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(r.adjusted(2, 2, -3, -3));
        }
        painter->restore();
    }

private:
    MatrixView *m_view;
};

} // namespace

MatrixView::MatrixView(QWidget *parent) : QTableView(parent)
{
    setItemDelegate(new CellDelegate(this));
    setSelectionMode(QAbstractItemView::NoSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    // One stop in the Tab order: Tab leaves the table, the arrows move the focus cell within it.
    setTabKeyNavigation(false);
    setAccessibleName(tr("Matrix"));
    setAccessibleDescription(tr("Arrow keys move between the cells, Enter or Space chooses one"));
    setShowGrid(true);
    setGridStyle(Qt::SolidLine);
    // Whole rows and columns: scrolled to a highlighted cell, the first row in sight is never cut across.
    setHorizontalScrollMode(QAbstractItemView::ScrollPerItem);
    setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    horizontalHeader()->setHighlightSections(false);
    verticalHeader()->setHighlightSections(false);
    setSizeAdjustPolicy(QAbstractScrollArea::AdjustIgnored);
    connect(this, &QTableView::clicked, this,
            [this](const QModelIndex &index) { emit cellActivated(index.row(), index.column()); });
    connect(this, &QTableView::activated, this,
            [this](const QModelIndex &index) { emit cellActivated(index.row(), index.column()); });
    connect(this, &QTableView::entered, this,
            [this](const QModelIndex &index) { emit cellHovered(index.row(), index.column()); });
}

void MatrixView::updateGeometries()
{
    QTableView::updateGeometries();
    // A table taller than its pane shows a whole number of rows, the spare pixels left blank below: at
    // the last page Qt aligns the last row with the bottom, and the top row would be cut across. The
    // answer depends on the widget's size only (not on the margin set before), so it settles at once.
    const QMargins m = viewportMargins();
    const int rowHeight = verticalHeader()->defaultSectionSize();
    const int available = viewport()->height() + m.bottom();
    const int rows = model() ? model()->rowCount() : 0;
    const int spare = rowHeight > 0 && rows * rowHeight > available ? available % rowHeight : 0;
    if (spare != m.bottom())
        setViewportMargins(m.left(), m.top(), m.right(), spare);
}

void MatrixView::setHighlight(int row, int column)
{
    if (row == m_row && column == m_column)
        return;
    m_row = row;
    m_column = column;
    viewport()->update();
    if (model() && row >= 0 && row < model()->rowCount())
        scrollTo(model()->index(row, std::max(0, std::min(column, model()->columnCount() - 1))));
}

void MatrixView::fitCells()
{
    const QFontMetrics fm(font());
    auto *m = qobject_cast<MatrixModel *>(model());
    // The widest number is the smallest or the largest value; −∞ and a spare digit are room enough.
    int numbers = fm.horizontalAdvance(QStringLiteral("−∞"));
    int labels = 0;
    if (m) {
        numbers =
            std::max({numbers, fm.horizontalAdvance(MatrixModel::formatValue(m->minimum(), m->precision())),
                      fm.horizontalAdvance(MatrixModel::formatValue(m->maximum(), m->precision()))});
        QFont bold = horizontalHeader()->font();
        const QFontMetrics hm(bold);
        for (int c = 0; c < std::min(m->columnCount(), 64); ++c)
            labels = std::max(labels, hm.horizontalAdvance(m->headerData(c, Qt::Horizontal).toString()));
    }
    // Columns fit their numbers, and their labels up to twice as wide; longer labels are cut.
    const int width = std::max(numbers + 10, std::min(labels + 10, (numbers + 10) * 2));
    const int height = fm.height() + 6;
    horizontalHeader()->setDefaultSectionSize(width);
    horizontalHeader()->setMinimumSectionSize(8);
    verticalHeader()->setDefaultSectionSize(height);
    verticalHeader()->setMinimumSectionSize(8);
    horizontalHeader()->setTextElideMode(Qt::ElideRight);
    updateGeometry();
}

QSize MatrixView::contentSize() const
{
    if (!model())
        return {0, 0};
    const int w = verticalHeader()->sizeHint().width() +
                  horizontalHeader()->defaultSectionSize() * model()->columnCount();
    const int h = horizontalHeader()->sizeHint().height() +
                  verticalHeader()->defaultSectionSize() * model()->rowCount();
    return {w + 2 * frameWidth() + 2, h + 2 * frameWidth() + 2};
}

QSize MatrixView::sizeHint() const
{
    const QSize c = contentSize();
    // Large matrices scroll inside the view instead of growing the window.
    return {std::min(c.width(), 900), std::min(c.height(), 560)};
}

QSize MatrixView::minimumSizeHint() const
{
    const QSize c = contentSize();
    return {std::min(c.width(), 160), std::min(c.height(), 120)};
}

void MatrixView::changeEvent(QEvent *event)
{
    QTableView::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        fitCells();
}

void MatrixView::keyPressEvent(QKeyEvent *event)
{
    // Enter already activates the current cell (QAbstractItemView); Space does the same here.
    if (event->key() == Qt::Key_Space && currentIndex().isValid()) {
        emit cellActivated(currentIndex().row(), currentIndex().column());
        event->accept();
        return;
    }
    QTableView::keyPressEvent(event);
}

void MatrixView::focusInEvent(QFocusEvent *event)
{
    QTableView::focusInEvent(event);
    viewport()->update(); // the focus frame
}

void MatrixView::focusOutEvent(QFocusEvent *event)
{
    QTableView::focusOutEvent(event);
    viewport()->update();
}

void MatrixView::paintEvent(QPaintEvent *event)
{
    QTableView::paintEvent(event);
    if (!hasFocus())
        return;
    // A solid frame inside the viewport, as thick as a stroke of the text, visible on a projector too.
    QPainter painter(viewport());
    const double width = std::max(2.0, QFontMetricsF(font()).height() / 9.0);
    painter.setPen(QPen(palette().color(QPalette::Highlight), width));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(viewport()->rect()).adjusted(width / 2, width / 2, -width / 2, -width / 2));
}

void MatrixView::leaveEvent(QEvent *event)
{
    QTableView::leaveEvent(event);
    emit cellHovered(-1, -1);
}

QColor MatrixPanel::roleColor(MatrixRole role)
{
    switch (role) {
    case MatrixRole::Query:
        return theme::query();
    case MatrixRole::Key:
        return theme::key();
    case MatrixRole::Value:
        return theme::value();
    case MatrixRole::Output:
        return theme::output();
    case MatrixRole::Input:
    case MatrixRole::Scores:
    case MatrixRole::Weights:
    case MatrixRole::Weight:
        break;
    }
    return QColor(0x33, 0x33, 0x33);
}

MatrixPanel::MatrixPanel(MatrixId id, const QString &name, MatrixRole role, QWidget *parent)
    : QFrame(parent), m_id(id), m_name(name), m_role(role)
{
    setObjectName(QStringLiteral("matrix-") + name);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::RichText);
    m_model = new MatrixModel(this);
    m_view = new MatrixView(this);
    m_view->setModel(m_model);
    m_view->fitCells();
    layout->addWidget(m_title, 0, Qt::AlignLeft);
    layout->addWidget(m_view, 1);
    updateTitle();
}

void MatrixPanel::setMatrix(const Eigen::MatrixXd &matrix, const QStringList &rowLabels,
                            const QStringList &columnLabels)
{
    const bool reshaped =
        matrix.rows() != m_model->matrix().rows() || matrix.cols() != m_model->matrix().cols();
    const double oldMin = m_model->minimum(), oldMax = m_model->maximum();
    m_model->setMatrix(matrix, rowLabels, columnLabels);
    if (reshaped || oldMin != m_model->minimum() || oldMax != m_model->maximum())
        m_view->fitCells();
    if (reshaped)
        updateTitle();
}

void MatrixPanel::setSubtitle(const QString &text)
{
    m_subtitle = text;
    updateTitle();
}

void MatrixPanel::updateTitle()
{
    const auto &m = m_model->matrix();
    QString html = QStringLiteral("<span style='color:%1; font-weight:bold'>%2</span>"
                                  "<span style='color:#555'>&nbsp;(%3&nbsp;×&nbsp;%4)</span>")
                       .arg(roleColor(m_role).name(), m_name.toHtmlEscaped())
                       .arg(m.rows())
                       .arg(m.cols());
    if (!m_subtitle.isEmpty())
        html += QStringLiteral("<span style='color:#555'>&nbsp; %1</span>").arg(m_subtitle.toHtmlEscaped());
    m_title->setText(html);
    const QString shown = tr("%1 (%2 × %3)").arg(m_name).arg(m.rows()).arg(m.cols());
    m_title->setAccessibleName(shown);
    m_view->setAccessibleName(tr("Matrix %1").arg(shown));
}

} // namespace attention
