// Head view painting: lines whose width and opacity follow the weights, culled to the visible band.
#include "lineview.h"

#include "theme.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace attention {

namespace {

constexpr double kPad = 8.0;
constexpr double kChipPad = 6.0;     // space between a token's text and its highlight
constexpr int kLabelMaxChars = 14;   // longer tokens are elided
constexpr double kMinGap = 80.0;     // the lines need some room to be read
constexpr double kSkipWeight = 0.01; // fainter lines are noise, and 2,048² of them would be slow
constexpr double kMinOpacity = 0.08;
constexpr double kFaint = 0.5; // with nothing selected every line is shown at half strength

QColor withAlpha(QColor c, double alpha)
{
    c.setAlphaF(static_cast<float>(std::clamp(alpha, 0.0, 1.0)));
    return c;
}

// The key orange is too light for small text on white (about 3:1); a darker shade keeps the hue.
QColor keyText()
{
    return theme::key().darker(125);
}

} // namespace

QRectF LineView::Layout::queryRect(int index) const
{
    return QRectF(area.left() + kPad, y(index) - rowHeight / 2, labelWidth, rowHeight);
}

QRectF LineView::Layout::keyRect(int index) const
{
    return QRectF(area.right() - kPad - labelWidth, y(index) - rowHeight / 2, labelWidth, rowHeight);
}

LineView::LineView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    recomputeFonts();
}

void LineView::setWeights(const Eigen::MatrixXd &weights, const QStringList &tokens)
{
    m_weights = weights;
    m_tokens = tokens;
    if (m_selected >= m_weights.rows())
        m_selected = -1;
    m_hoverIndex = -1;
    recomputeFonts();
    // Many tokens: keep rows readable and let an enclosing QScrollArea scroll.
    setMinimumHeight(static_cast<int>(
        std::ceil(layoutFor(QRectF(0, 0, 100, 0)).header + tokenCount() * minimumRowHeight() + kPad)));
    updateGeometry();
    update();
}

void LineView::setSelectedQuery(int row)
{
    if (row < 0 || row >= m_weights.rows())
        row = -1;
    if (row == m_selected)
        return;
    m_selected = row;
    update();
}

int LineView::tokenCount() const
{
    return static_cast<int>(std::max(m_weights.rows(), m_weights.cols()));
}

QString LineView::queryToken(int row) const
{
    return row < m_tokens.size() ? m_tokens.at(row) : QString::number(row);
}

QString LineView::keyToken(int column) const
{
    return column < m_tokens.size() ? m_tokens.at(column) : QString::number(column);
}

void LineView::recomputeFonts()
{
    QFont f = font();
    double points = f.pointSizeF();
    if (points <= 0)
        points = f.pixelSize() * 72.0 / std::max(1, logicalDpiY());
    points = std::max(points, theme::kMinimumPointSize);
    f.setPixelSize(static_cast<int>(std::ceil(points * logicalDpiY() / 72.0)));
    m_font = f;
    QFont bold = f;
    bold.setBold(true);
    const QFontMetricsF fm(bold); // the selected token is bold; size the columns for it
    m_tokenWidth = 0.0;
    for (int i = 0; i < tokenCount(); ++i)
        m_tokenWidth =
            std::max({m_tokenWidth, fm.horizontalAdvance(queryToken(i)), fm.horizontalAdvance(keyToken(i))});
}

double LineView::minimumRowHeight() const
{
    return QFontMetricsF(m_font).height() + 4;
}

double LineView::preferredRowHeight() const
{
    return QFontMetricsF(m_font).height() * 1.8;
}

LineView::Layout LineView::layoutFor(const QRectF &area) const
{
    const QFontMetricsF fm(m_font);
    Layout l;
    l.area = area;
    l.header = fm.height() + 2 * kPad;
    const int n = std::max(1, tokenCount());
    // Spread few tokens out (easier to aim at), but not so far that lines become nearly flat.
    l.rowHeight = std::clamp((area.height() - l.header - kPad) / n, minimumRowHeight(), fm.height() * 2.4);
    const double maxText = fm.averageCharWidth() * kLabelMaxChars;
    const double header =
        std::max(fm.horizontalAdvance(tr("queries")), fm.horizontalAdvance(tr("keys"))) * 1.1;
    l.labelWidth = std::max(std::min(m_tokenWidth, maxText), header) + 2 * kChipPad;
    // In a narrow widget the labels give way to the lines.
    l.labelWidth = std::max(fm.height() * 2, std::min(l.labelWidth, (area.width() - 2 * kPad - kMinGap) / 2));
    l.lineLeft = area.left() + kPad + l.labelWidth + 4;
    l.lineRight = area.right() - kPad - l.labelWidth - 4;
    return l;
}

QSize LineView::exportSizeHint() const
{
    const Layout l = layoutFor(QRectF(0, 0, 10000, 0));
    const double width = 2 * kPad + 2 * l.labelWidth + 8 + std::max(kMinGap, 3 * l.labelWidth);
    const double height = l.header + tokenCount() * preferredRowHeight() + kPad;
    return {static_cast<int>(std::ceil(width)), static_cast<int>(std::ceil(height))};
}

QSize LineView::sizeHint() const
{
    const QSize hint = exportSizeHint();
    return {hint.width(), std::min(hint.height(), 800)};
}

QSize LineView::minimumSizeHint() const
{
    return {static_cast<int>(2 * kPad + kMinGap + 4 * QFontMetricsF(m_font).height()), minimumHeight()};
}

QRect LineView::tokenRect(int index, bool isKey) const
{
    if (index < 0 || index >= (isKey ? m_weights.cols() : m_weights.rows()))
        return {};
    const Layout l = layoutFor(rect());
    return (isKey ? l.keyRect(index) : l.queryRect(index)).toAlignedRect();
}

LineView::Hit LineView::hitAt(const QPointF &pos) const
{
    const Layout l = layoutFor(rect());
    const int index = static_cast<int>(std::floor((pos.y() - l.area.top() - l.header) / l.rowHeight));
    Hit hit;
    if (pos.y() < l.area.top() + l.header)
        return hit;
    if (pos.x() < l.lineLeft && index < m_weights.rows()) {
        hit.index = index;
    } else if (pos.x() > l.lineRight && index < m_weights.cols()) {
        hit.index = index;
        hit.isKey = true;
    }
    return hit;
}

void LineView::setHover(const Hit &hit)
{
    if (hit.index == m_hoverIndex && hit.isKey == m_hoverIsKey)
        return;
    m_hoverIndex = hit.index;
    m_hoverIsKey = hit.index >= 0 && hit.isKey;
    update();
    emit tokenHovered(m_hoverIndex);
}

void LineView::mouseMoveEvent(QMouseEvent *event)
{
    setHover(hitAt(event->position()));
}

void LineView::leaveEvent(QEvent *event)
{
    setHover(Hit{});
    QWidget::leaveEvent(event);
}

void LineView::mousePressEvent(QMouseEvent *event)
{
    const Hit hit = hitAt(event->position());
    if (event->button() == Qt::LeftButton && hit.index >= 0 && !hit.isKey) {
        setSelectedQuery(hit.index);
        emit queryClicked(hit.index);
        return;
    }
    QWidget::mousePressEvent(event);
}

void LineView::keyPressEvent(QKeyEvent *event)
{
    const int n = static_cast<int>(m_weights.rows());
    int row = m_selected;
    if (event->key() == Qt::Key_Up && n > 0)
        row = row < 0 ? 0 : std::max(0, row - 1);
    else if (event->key() == Qt::Key_Down && n > 0)
        row = row < 0 ? 0 : std::min(n - 1, row + 1);
    else {
        QWidget::keyPressEvent(event);
        return;
    }
    setSelectedQuery(row);
    emit queryClicked(row);
}

void LineView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        recomputeFonts();
        updateGeometry();
        update();
    }
}

void LineView::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    paintAll(p, layoutFor(rect()), event->rect(), Hit{m_hoverIndex, m_hoverIsKey});
}

void LineView::paintExport(QPainter &painter, const QRect &target) const
{
    painter.save();
    painter.fillRect(target, palette().base());
    paintAll(painter, layoutFor(target), target, Hit{});
    painter.restore();
}

void LineView::paintAll(QPainter &p, const Layout &l, const QRectF &dirty, const Hit &hover) const
{
    const int rows = static_cast<int>(m_weights.rows());
    const int cols = static_cast<int>(m_weights.cols());
    QFont bold = m_font;
    bold.setBold(true);
    const QColor text = palette().color(QPalette::Text);
    p.setRenderHint(QPainter::Antialiasing, true);

    // Column titles, in the colours every view uses for queries and keys.
    const QRectF header(l.area.left() + kPad, l.area.top() + kPad / 2, l.area.width() - 2 * kPad,
                        l.header - kPad);
    p.setFont(bold);
    p.setPen(theme::query());
    p.drawText(QRectF(header.left(), header.top(), l.labelWidth - kChipPad, header.height()),
               Qt::AlignRight | Qt::AlignVCenter, tr("queries"));
    p.setPen(keyText());
    p.drawText(QRectF(header.right() - l.labelWidth + kChipPad, header.top(), l.labelWidth, header.height()),
               Qt::AlignLeft | Qt::AlignVCenter, tr("keys"));
    if (rows == 0 || cols == 0)
        return;

    // Which lines: a hovered token's, else the selected query's, else all of them faintly.
    int focusRow = -1;
    int focusColumn = -1;
    if (hover.index >= 0 && hover.isKey)
        focusColumn = hover.index;
    else if (hover.index >= 0)
        focusRow = hover.index;
    else
        focusRow = m_selected;
    const bool all = focusRow < 0 && focusColumn < 0;

    // Rows whose label band meets the dirty rectangle (with room for the widest pen).
    const auto rowIndex = [&](double y) {
        return static_cast<int>(std::floor((y - l.area.top() - l.header) / l.rowHeight));
    };
    const double top = dirty.top() - 8;
    const double bottom = dirty.bottom() + 8;
    const int firstVisible = std::max(0, rowIndex(top));
    const int lastVisible = rowIndex(bottom);

    const auto drawLine = [&](int r, int c, const QColor &color, double strength) {
        const double w = m_weights(r, c);
        if (!(w >= kSkipWeight))
            return;
        const double y0 = l.y(r);
        const double y1 = l.y(c);
        if (std::max(y0, y1) < top || std::min(y0, y1) > bottom)
            return;
        const double width = 0.5 + 7.5 * std::min(w, 1.0);
        p.setPen(
            QPen(withAlpha(color, std::max(kMinOpacity, w * strength)), width, Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(l.lineLeft, y0), QPointF(l.lineRight, y1));
    };
    if (all) {
        for (int r = 0; r < rows; ++r) {
            // A line from a row above the band can only cross it if it ends at or below the band's top.
            const int c0 = l.y(r) < top ? std::max(0, firstVisible) : 0;
            const int c1 = l.y(r) > bottom ? std::min(cols - 1, lastVisible) : cols - 1;
            for (int c = c0; c <= c1; ++c)
                drawLine(r, c, theme::query(), kFaint);
        }
    } else if (focusRow >= 0) {
        for (int c = 0; c < cols; ++c)
            drawLine(focusRow, c, theme::query(), 1.0);
    } else {
        for (int r = 0; r < rows; ++r)
            drawLine(r, focusColumn, theme::key(), 1.0);
    }

    // Token labels; with a focus, the other side is tinted by how much weight each token gets.
    const double maxText = l.labelWidth - 2 * kChipPad;
    const int n = tokenCount();
    for (int i = std::max(0, firstVisible); i <= std::min(n - 1, lastVisible); ++i) {
        if (i < rows) {
            const QRectF r = l.queryRect(i).adjusted(0, 1, 0, -1);
            const bool selected = i == m_selected;
            const bool hovered = !hover.isKey && hover.index == i;
            if (focusColumn >= 0 && m_weights(i, focusColumn) >= kSkipWeight)
                p.fillRect(r, withAlpha(theme::query(), 0.6 * m_weights(i, focusColumn)));
            if (selected) {
                p.setPen(Qt::NoPen);
                p.setBrush(theme::query());
                p.drawRoundedRect(r, 4, 4);
            } else if (hovered) {
                p.setPen(QPen(theme::query(), 1.5));
                p.setBrush(Qt::NoBrush);
                p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 4, 4);
            }
            p.setFont(selected || hovered ? bold : m_font);
            p.setPen(selected ? QColor(Qt::white) : theme::query());
            p.drawText(r.adjusted(kChipPad, 0, -kChipPad, 0), Qt::AlignRight | Qt::AlignVCenter,
                       QFontMetricsF(p.font()).elidedText(queryToken(i), Qt::ElideRight, maxText));
        }
        if (i < cols) {
            const QRectF r = l.keyRect(i).adjusted(0, 1, 0, -1);
            const bool hovered = hover.isKey && hover.index == i;
            if (focusRow >= 0 && m_weights(focusRow, i) >= kSkipWeight)
                p.fillRect(r, withAlpha(theme::key(), 0.6 * m_weights(focusRow, i)));
            if (hovered) {
                p.setPen(QPen(theme::key(), 1.5));
                p.setBrush(Qt::NoBrush);
                p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 4, 4);
            }
            p.setFont(hovered ? bold : m_font);
            // Orange text is too pale on a strong orange tint; switch to the normal text colour there.
            const bool strongTint = focusRow >= 0 && m_weights(focusRow, i) > 0.5;
            p.setPen(strongTint ? text : keyText());
            p.drawText(r.adjusted(kChipPad, 0, -kChipPad, 0), Qt::AlignLeft | Qt::AlignVCenter,
                       QFontMetricsF(p.font()).elidedText(keyToken(i), Qt::ElideRight, maxText));
        }
    }
}

} // namespace attention
