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
constexpr double kSkipWeight = 0.01; // label tints fainter than this are not drawn
constexpr double kDimmed = 0.3;      // with a focus, the other lines keep this share of their opacity
constexpr double kReferenceFontPx = 15.0; // 11 pt at 96 dpi: where lineWidthFor gives 1..8 px

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
    setAccessibleName(tr("Attention lines: no weights"));
    setAccessibleDescription(tr("Queries on the left, keys on the right, one line per weight; "
                                "Up and Down choose the query"));
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    recomputeFonts();
}

double LineView::lineWidthFor(double weight, double fontPx)
{
    if (!(weight >= kLineThreshold))
        return 0.0;
    const double scale = std::clamp(fontPx / kReferenceFontPx, 0.75, 4.0);
    return (1.0 + 7.0 * std::min(weight, 1.0)) * scale;
}

double LineView::lineOpacityFor(double weight)
{
    if (!(weight >= kLineThreshold))
        return 0.0;
    const double t = (std::min(weight, 1.0) - kLineThreshold) / (1.0 - kLineThreshold);
    return 0.15 + 0.85 * t;
}

QColor LineView::headColor(int head)
{
    // Okabe–Ito hues (told apart with the common colour-vision deficiencies) without its yellow, which
    // is unreadable on white, plus a few darker ones; past those, hues a golden angle apart.
    static const QColor palette[] = {
        QColor(0x00, 0x72, 0xB2), // blue
        QColor(0xD5, 0x5E, 0x00), // vermilion
        QColor(0x00, 0x9E, 0x73), // bluish green
        QColor(0xCC, 0x50, 0x9A), // reddish purple
        QColor(0xB0, 0x7C, 0x00), // dark amber
        QColor(0x33, 0x33, 0x33), // near black
        QColor(0x8C, 0x56, 0x4B), // brown
        QColor(0x3F, 0x9B, 0xD6), // sky blue, darkened
    };
    constexpr int known = static_cast<int>(sizeof(palette) / sizeof(palette[0]));
    if (head >= 0 && head < known)
        return palette[head];
    const int hue = static_cast<int>(std::fmod(std::max(head, 0) * 137.508, 360.0));
    return QColor::fromHsv(hue, 220, (head / known) % 2 ? 150 : 190);
}

void LineView::setWeights(const Eigen::MatrixXd &weights, const QStringList &tokens)
{
    m_multiHead = false;
    setMatrices({weights}, tokens);
}

void LineView::setHeadWeights(const std::vector<Eigen::MatrixXd> &heads, const QStringList &tokens)
{
    m_multiHead = true;
    std::vector<Eigen::MatrixXd> same;
    for (const Eigen::MatrixXd &h : heads)
        if (same.empty() || (h.rows() == same.front().rows() && h.cols() == same.front().cols()))
            same.push_back(h);
    setMatrices(std::move(same), tokens);
}

void LineView::setMatrices(std::vector<Eigen::MatrixXd> heads, const QStringList &tokens)
{
    m_heads = std::move(heads);
    if (m_heads.empty())
        m_weights = Eigen::MatrixXd();
    else if (m_heads.size() == 1)
        m_weights = m_heads.front();
    else {
        m_weights = Eigen::MatrixXd::Zero(m_heads.front().rows(), m_heads.front().cols());
        for (const Eigen::MatrixXd &h : m_heads)
            m_weights += h;
        m_weights /= static_cast<double>(m_heads.size());
    }
    m_tokens = tokens;
    setAccessibleName(m_weights.size() == 0 ? tr("Attention lines: no weights")
                                            : tr("Attention lines, %1 queries × %2 keys")
                                                  .arg(m_weights.rows())
                                                  .arg(m_weights.cols()));
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
    if (m_multiHead)
        l.header += fm.height() + kPad; // the legend, on one line of its own below the titles
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

double LineView::headOffset(int head, double rowHeight) const
{
    // Several heads' lines between the same two tokens would lie on top of each other; fan them out a
    // little inside the row.
    const int n = headCount();
    if (n < 2)
        return 0.0;
    const double step = std::min(lineWidthFor(0.5, m_font.pixelSize()), 0.6 * rowHeight / (n - 1));
    return (head - (n - 1) / 2.0) * step;
}

template<typename F>
void LineView::forEachLine(const Hit &hover, F &&visit) const
{
    const int rows = static_cast<int>(m_weights.rows());
    const int cols = static_cast<int>(m_weights.cols());
    if (rows == 0 || cols == 0)
        return;
    int focusRow = -1;
    int focusColumn = -1;
    if (hover.index >= 0 && hover.isKey)
        focusColumn = hover.index < cols ? hover.index : -1;
    else if (hover.index >= 0)
        focusRow = hover.index < rows ? hover.index : -1;
    else
        focusRow = m_selected;
    const bool focus = focusRow >= 0 || focusColumn >= 0;
    const double dim = focus ? kDimmed : 1.0;
    const double px = m_font.pixelSize();
    const auto colorOf = [&](int head, bool keySide) {
        if (m_multiHead)
            return headColor(head);
        return keySide ? theme::key() : theme::query();
    };

    DrawnLine line;
    for (int h = 0; h < headCount(); ++h) {
        const Eigen::MatrixXd &w = m_heads[static_cast<std::size_t>(h)];
        line.head = h;
        line.color = colorOf(h, false);
        line.focused = false;
        // Column-major: walk each key's column so 2,048² weights are read contiguously.
        for (int c = 0; c < cols; ++c)
            for (int r = 0; r < rows; ++r) {
                const double weight = w(r, c);
                if (!(weight >= kLineThreshold) || r == focusRow || c == focusColumn)
                    continue;
                line.query = r;
                line.key = c;
                line.width = lineWidthFor(weight, px);
                line.opacity = lineOpacityFor(weight) * dim;
                visit(static_cast<const DrawnLine &>(line));
            }
    }
    if (!focus)
        return;
    for (int h = 0; h < headCount(); ++h) {
        const Eigen::MatrixXd &w = m_heads[static_cast<std::size_t>(h)];
        line.head = h;
        line.color = colorOf(h, focusColumn >= 0);
        line.focused = true;
        const int n = focusRow >= 0 ? cols : rows;
        for (int i = 0; i < n; ++i) {
            const int r = focusRow >= 0 ? focusRow : i;
            const int c = focusRow >= 0 ? i : focusColumn;
            const double weight = w(r, c);
            if (!(weight >= kLineThreshold))
                continue;
            line.query = r;
            line.key = c;
            // Wider, and never fainter than 0.7: the selected query's lines must read from the back row.
            line.width = std::max(lineWidthFor(weight, px) * 1.25, lineWidthFor(0.25, px));
            line.opacity = std::max(0.7, lineOpacityFor(weight));
            visit(static_cast<const DrawnLine &>(line));
        }
    }
}

QVector<LineView::DrawnLine> LineView::drawnLines() const
{
    QVector<DrawnLine> lines;
    forEachLine(Hit{m_hoverIndex, m_hoverIsKey}, [&](const DrawnLine &line) { lines.push_back(line); });
    return lines;
}

QString LineView::legendText(int head, bool shortForm) const
{
    return shortForm ? QString::number(head + 1) : tr("head %1").arg(head + 1);
}

void LineView::paintLegend(QPainter &p, const Layout &l) const
{
    const QFontMetricsF fm(m_font);
    const double rowTop = l.area.top() + l.header - fm.height() - kPad * 1.5;
    const double swatch = fm.height() * 1.3;
    const double gap = fm.averageCharWidth() * 1.5;
    const double left = l.area.left() + kPad;
    const double available = l.area.width() - 2 * kPad;
    const auto widthOf = [&](bool shortForm) {
        double total = 0.0;
        for (int h = 0; h < headCount(); ++h)
            total += swatch + 4 + fm.horizontalAdvance(legendText(h, shortForm)) + gap;
        return total - gap;
    };
    // "head 1  head 2 …" when it fits, else "1 2 3 …" with the colours doing the work.
    const bool shortForm = widthOf(false) > available;
    double x = left + std::max(0.0, (available - widthOf(shortForm)) / 2);
    p.setFont(m_font);
    for (int h = 0; h < headCount(); ++h) {
        const QString label = legendText(h, shortForm);
        const double itemWidth = swatch + 4 + fm.horizontalAdvance(label);
        if (x + itemWidth > left + available + 0.5) {
            p.setPen(palette().color(QPalette::Text));
            p.drawText(QPointF(x, rowTop + fm.ascent()), QStringLiteral("…"));
            break;
        }
        const double y = rowTop + fm.height() / 2;
        p.setPen(QPen(headColor(h), lineWidthFor(0.6, m_font.pixelSize()), Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(x, y), QPointF(x + swatch, y));
        p.setPen(headColor(h));
        p.drawText(QPointF(x + swatch + 4, rowTop + fm.ascent()), label);
        x += itemWidth + gap;
    }
}

void LineView::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    paintAll(p, layoutFor(rect()), event->rect(), Hit{m_hoverIndex, m_hoverIsKey});
    if (hasFocus())
        theme::drawFocusFrame(p, rect(), this);
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
                        QFontMetricsF(m_font).height() + kPad);
    p.setFont(bold);
    p.setPen(theme::query());
    p.drawText(QRectF(header.left(), header.top(), l.labelWidth - kChipPad, header.height()),
               Qt::AlignRight | Qt::AlignVCenter, tr("queries"));
    p.setPen(keyText());
    p.drawText(QRectF(header.right() - l.labelWidth + kChipPad, header.top(), l.labelWidth, header.height()),
               Qt::AlignLeft | Qt::AlignVCenter, tr("keys"));
    if (rows == 0 || cols == 0)
        return;

    // Which lines stand out: a hovered token's, else the selected query's.
    int focusRow = -1;
    int focusColumn = -1;
    if (hover.index >= 0 && hover.isKey)
        focusColumn = hover.index;
    else if (hover.index >= 0)
        focusRow = hover.index;
    else
        focusRow = m_selected;

    if (m_multiHead)
        paintLegend(p, l);

    // Rows whose label band meets the dirty rectangle (with room for the widest pen).
    const auto rowIndex = [&](double y) {
        return static_cast<int>(std::floor((y - l.area.top() - l.header) / l.rowHeight));
    };
    const double margin = lineWidthFor(1.0, m_font.pixelSize()) * 1.5 + 4;
    const double top = dirty.top() - margin;
    const double bottom = dirty.bottom() + margin;
    const int firstVisible = std::max(0, rowIndex(top));
    const int lastVisible = rowIndex(bottom);

    // Every query's lines by weight, then the focused token's on top over a white casing, so they read
    // even where many others cross.
    int painted = 0;
    forEachLine(hover, [&](const DrawnLine &line) {
        const double y0 = l.y(line.query) + headOffset(line.head, l.rowHeight);
        const double y1 = l.y(line.key) + headOffset(line.head, l.rowHeight);
        if (std::max(y0, y1) < top || std::min(y0, y1) > bottom)
            return;
        const QPointF from(l.lineLeft, y0);
        const QPointF to(l.lineRight, y1);
        if (line.focused) {
            p.setPen(QPen(withAlpha(palette().color(QPalette::Base), 0.85), line.width + 3, Qt::SolidLine,
                          Qt::FlatCap));
            p.drawLine(from, to);
        }
        p.setPen(QPen(withAlpha(line.color, line.opacity), line.width, Qt::SolidLine, Qt::FlatCap));
        p.drawLine(from, to);
        ++painted;
    });
    m_lastPainted = painted;

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
