// Thumbnails are built once per trace and drawn unsmoothed, so a 6 × 8 model repaints as fast as one head.
#include "modelgridview.h"

#include "attention.h"
#include "colormap.h"
#include "compare.h"
#include "theme.h"

#include <QFontInfo>
#include <QFontMetrics>
#include <QHash>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <tuple>
#include <vector>

namespace attention {

namespace {

constexpr int kMargin = 8;
constexpr int kGap = 6;            // between thumbnails
constexpr int kAverageGap = 10;    // extra, so the average column reads as something apart
constexpr int kLabelGap = 8;       // row labels to the first thumbnail
constexpr int kMinCell = 12;       // below this a thumbnail shows nothing but noise
constexpr int kMaxCell = 320;      // larger adds nothing: the heatmap view is one click away
constexpr int kMaxThumbnail = 192; // image pixels per side; long inputs are pooled down to this
constexpr int kLegendBarWidth = 64;
constexpr int kTitleLegendGap = 8;

// Viridis looked up once: a thumbnail of 192 × 192 would otherwise build 36,864 QColors.
const std::array<QRgb, 256> &viridisTable()
{
    static const std::array<QRgb, 256> table = [] {
        std::array<QRgb, 256> t{};
        for (int i = 0; i < 256; ++i)
            t[static_cast<std::size_t>(i)] = viridis(i / 255.0).rgb();
        return t;
    }();
    return table;
}

QRgb weightColor(double w)
{
    const int i = std::clamp(static_cast<int>(w * 255.0 + 0.5), 0, 255);
    return viridisTable()[static_cast<std::size_t>(i)];
}

// weights: (n, n) in 0..1; blocked: (n, n) or empty. With size < n, each pixel shows the largest weight
// of its block of cells (max, not mean, so one sharp weight in a long row stays visible), and is grey
// only when every cell of the block is blocked.
QImage thumbnail(const Eigen::MatrixXd &weights, const BoolMatrix &blocked, int size)
{
    const int n = static_cast<int>(weights.rows());
    const bool haveMask = blocked.rows() == weights.rows() && blocked.cols() == weights.cols();
    const auto pixels = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    std::vector<double> best(pixels, -1.0);
    std::vector<char> allBlocked(pixels, haveMask ? 1 : 0);
    // One pass in Eigen's column-major order: 2,048² weights are read once, contiguously.
    for (int c = 0; c < n; ++c) {
        const int px = static_cast<int>(static_cast<long long>(c) * size / n);
        for (int r = 0; r < n; ++r) {
            const std::size_t i = static_cast<std::size_t>(static_cast<long long>(r) * size / n) * size + px;
            best[i] = std::max(best[i], weights(r, c));
            if (haveMask && !blocked(r, c))
                allBlocked[i] = 0;
        }
    }
    QImage image(size, size, QImage::Format_RGB32);
    const QRgb grey = theme::blocked().rgb();
    for (int py = 0; py < size; ++py) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(py));
        for (int px = 0; px < size; ++px) {
            const std::size_t i = static_cast<std::size_t>(py) * size + px;
            line[px] = allBlocked[i] ? grey : weightColor(best[i]);
        }
    }
    return image;
}

} // namespace

ModelGridView::ModelGridView(QWidget *parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(tr("Model view: attention weights of every layer and head"));
    updateFonts();
}

void ModelGridView::setTrace(const AttentionTrace *trace)
{
    m_thumbnails.clear();
    m_layers = m_heads = m_tokens = m_thumbnailSize = 0;
    if (trace && !trace->layers.empty() && trace->tokenCount() > 0) {
        m_layers = static_cast<int>(trace->layers.size());
        for (const LayerTrace &layer : trace->layers)
            m_heads = std::max(m_heads, static_cast<int>(layer.heads.size()));
        m_tokens = trace->tokenCount();
        m_thumbnailSize = std::min(m_tokens, kMaxThumbnail);
        m_thumbnails.resize(m_layers * columnCount());
        for (int l = 0; l < m_layers; ++l) {
            const LayerTrace &layer = trace->layers[static_cast<std::size_t>(l)];
            for (int h = 0; h < static_cast<int>(layer.heads.size()); ++h)
                m_thumbnails[thumbnailIndex(l, h)] = thumbnail(
                    layer.heads[static_cast<std::size_t>(h)].weights, trace->blocked, m_thumbnailSize);
            if (!layer.heads.empty())
                m_thumbnails[thumbnailIndex(l, -1)] =
                    thumbnail(averageHeadWeights(layer), trace->blocked, m_thumbnailSize);
        }
    }
    if (m_selectedLayer >= m_layers || m_selectedHead >= m_heads)
        m_selectedLayer = m_selectedHead = -1;
    if (m_selectedQuery >= m_tokens)
        m_selectedQuery = -1;
    m_hovered = {};
    updateLayout();
    updateGeometry();
    update();
}

void ModelGridView::setSelected(int layer, int head)
{
    if (layer < 0 || layer >= m_layers || head < -1 || head >= m_heads)
        layer = head = -1;
    m_selectedLayer = layer;
    m_selectedHead = head;
    if (layer >= 0)
        setAccessibleDescription(tr("Selected: %1").arg(cellName(layer, head)));
    update();
}

void ModelGridView::setSelectedQuery(int row)
{
    m_selectedQuery = row >= 0 && row < m_tokens ? row : -1;
    update();
}

int ModelGridView::thumbnailIndex(int layer, int head) const
{
    return layer * columnCount() + (head < 0 ? m_heads : head);
}

QRect ModelGridView::cellRect(int layer, int head) const
{
    if (layer < 0 || layer >= m_layers || head < -1 || head >= m_heads || m_cell <= 0)
        return {};
    const int column = head < 0 ? m_heads : head;
    const int gridColumn = m_transposed ? layer : column;
    const int gridRow = m_transposed ? column : layer;
    const int x = m_origin.x() + gridColumn * m_pitchX + (!m_transposed && head < 0 ? m_averageGap : 0);
    const int y = m_origin.y() + gridRow * m_pitchY + (m_transposed && head < 0 ? m_averageGap : 0);
    return {x, y, m_cell, m_cell};
}

ModelGridView::Cell ModelGridView::cellAt(const QPoint &pos) const
{
    for (int l = 0; l < m_layers; ++l)
        for (int h = -1; h < m_heads; ++h)
            if (cellRect(l, h).contains(pos))
                return {l, h};
    return {};
}

QString ModelGridView::cellName(int layer, int head) const
{
    if (head >= 0)
        return tr("layer %1, head %2").arg(layer + 1).arg(head + 1);
    return m_heads == 1 ? tr("layer %1, average of its one head").arg(layer + 1)
                        : tr("layer %1, average of its %2 heads").arg(layer + 1).arg(m_heads);
}

QString ModelGridView::columnTitle(int column, bool shortForm) const
{
    if (column >= m_heads)
        return shortForm ? tr("avg") : tr("Average");
    return shortForm ? tr("H%1").arg(column + 1) : tr("Head %1").arg(column + 1);
}

QString ModelGridView::rowTitle(int layer, bool shortForm) const
{
    return shortForm ? tr("L%1").arg(layer + 1) : tr("Layer %1").arg(layer + 1);
}

QString ModelGridView::title() const
{
    return tr("Every layer and head · click one to open it");
}

int ModelGridView::legendWidth(const QFontMetrics &fm) const
{
    return fm.horizontalAdvance(QStringLiteral("0")) + kLegendBarWidth +
           fm.horizontalAdvance(tr("1 weight")) + 12;
}

QRect ModelGridView::titleTextRect() const
{
    return m_titleRect.adjusted(0, 0, -legendWidth(QFontMetrics(m_labelFont)) - kTitleLegendGap, 0);
}

QSize ModelGridView::sizeHint() const
{
    return {600, 400};
}

QSize ModelGridView::minimumSizeHint() const
{
    const QFontMetrics fm(m_font);
    const int columns = std::max(1, columnCount());
    const int rows = std::max(1, m_layers);
    const int width = 2 * kMargin + fm.horizontalAdvance(rowTitle(rows - 1, true)) + kLabelGap +
                      columns * (kMinCell + kGap) + kAverageGap;
    const int height = 2 * kMargin + 2 * (fm.height() + 4) + rows * (kMinCell + kGap);
    return {std::max(width, 160), std::max(height, 100)};
}

void ModelGridView::updateFonts()
{
    // Relative to the widget's font, so the window's zoom grows the labels, but never below the minimum.
    const double base = QFontInfo(font()).pointSizeF();
    m_font = font();
    m_font.setPointSizeF(std::max(theme::kMinimumPointSize, base));
    m_titleFont = m_font;
    m_titleFont.setBold(true);
    m_labelFont = m_font;
}

ModelGridView::Cell ModelGridView::cellAtGrid(int gridRow, int gridColumn) const
{
    const int layer = m_transposed ? gridColumn : gridRow;
    const int column = m_transposed ? gridRow : gridColumn;
    return {layer, column >= m_heads ? -1 : column};
}

QString ModelGridView::gridRowTitle(int gridRow, bool transposed, bool shortForm) const
{
    return transposed ? columnTitle(gridRow, shortForm) : rowTitle(gridRow, shortForm);
}

QString ModelGridView::gridColumnTitle(int gridColumn, bool transposed, bool shortForm) const
{
    return transposed ? rowTitle(gridColumn, shortForm) : columnTitle(gridColumn, shortForm);
}

ModelGridView::Arrangement ModelGridView::arrange(bool transposed, const QFont &labelFont) const
{
    Arrangement a;
    a.transposed = transposed;
    a.font = labelFont;
    const QFontMetrics fm(labelFont);
    const int lineHeight = fm.height() + 4;
    // The title wraps beside the legend rather than losing its end in a narrow dock.
    QFont titleFont = labelFont;
    titleFont.setBold(true);
    const int titleWidth = std::max(1, width() - 2 * kMargin - legendWidth(fm) - kTitleLegendGap);
    const int titleHeight = QFontMetrics(titleFont)
                                .boundingRect(QRect(0, 0, titleWidth, 1 << 20), Qt::TextWordWrap, title())
                                .height();
    a.titleRect = QRect(kMargin, kMargin, std::max(0, width() - 2 * kMargin),
                        std::max(lineHeight, titleHeight + 4));
    const int rows = transposed ? columnCount() : m_layers;
    const int columns = transposed ? m_layers : columnCount();
    const int extraX = transposed ? 0 : kAverageGap; // the average column, set apart
    const int extraY = transposed ? kAverageGap : 0; // or the average row
    int top = a.titleRect.bottom() + 1 + lineHeight + 4; // title, then the column headers
    const int availableHeight = height() - kMargin - top;
    // The largest square cell that fits, for labels of a given width.
    auto cellFor = [&](int labelWidth) {
        const int w =
            (width() - 2 * kMargin - labelWidth - kLabelGap - (columns - 1) * kGap - extraX) / columns;
        const int h = (availableHeight - (rows - 1) * kGap - extraY) / rows;
        return std::clamp(std::min(w, h), kMinCell, kMaxCell);
    };
    auto widest = [&](bool shortForm) {
        int labels = 0, headers = 0;
        for (int r = 0; r < rows; ++r)
            labels = std::max(labels, fm.horizontalAdvance(gridRowTitle(r, transposed, shortForm)));
        for (int c = 0; c < columns; ++c)
            headers = std::max(headers, fm.horizontalAdvance(gridColumnTitle(c, transposed, shortForm)));
        return std::pair<int, int>(labels, headers);
    };
    // "Layer 1" / "Head 1" when they fit above and beside the cells, else "L1" / "H1".
    auto [labelWidth, headerWidth] = widest(false);
    a.cell = cellFor(labelWidth);
    a.shortLabels = headerWidth > a.cell + kGap - 2;
    if (a.shortLabels) {
        std::tie(labelWidth, headerWidth) = widest(true);
        a.cell = cellFor(labelWidth);
    }
    a.rowLabelWidth = labelWidth;

    // Centre the labels and the grid together when there is room to spare.
    const int gridWidth = columns * a.cell + (columns - 1) * kGap + extraX;
    const int used = labelWidth + kLabelGap + gridWidth;
    const int left = kMargin + std::max(0, (width() - 2 * kMargin - used) / 2);
    // Spare height goes above and below the grid alike, so it sits in the middle of a tall dock.
    const int gridHeight = rows * a.cell + (rows - 1) * kGap + extraY;
    top += std::max(0, (availableHeight - gridHeight) / 2);
    a.origin = QPoint(left + labelWidth + kLabelGap, top);
    return a;
}

void ModelGridView::updateLayout()
{
    m_labelFont = m_font;
    m_titleRect = QRect(kMargin, kMargin, std::max(0, width() - 2 * kMargin), QFontMetrics(m_font).height() + 4);
    m_cell = 0;
    m_transposed = false;
    if (m_layers == 0)
        return;

    // Layers down and heads across, or (in a tall, narrow dock) heads down and layers across: whichever
    // gives the larger thumbnails. Ties keep layers down.
    Arrangement best = arrange(false, m_font);
    const Arrangement across = arrange(true, m_font);
    if (across.cell > best.cell)
        best = across;
    // Large thumbnails get larger labels (up to 1.5×), so a projected grid stays legible from the back.
    const double scale = std::clamp(best.cell / 100.0, 1.0, 1.5);
    if (scale > 1.05) {
        QFont larger = m_font;
        larger.setPointSizeF(m_font.pointSizeF() * scale);
        const Arrangement grown = arrange(best.transposed, larger);
        if (grown.cell >= best.cell * 0.9)
            best = grown;
    }
    m_transposed = best.transposed;
    m_labelFont = best.font;
    m_titleFont = m_labelFont;
    m_titleFont.setBold(true);
    m_titleRect = best.titleRect;
    m_cell = best.cell;
    m_shortLabels = best.shortLabels;
    m_rowLabelWidth = best.rowLabelWidth;
    m_pitchX = m_cell + kGap;
    m_pitchY = m_cell + kGap;
    m_averageGap = kAverageGap;
    m_origin = best.origin;
}

void ModelGridView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateLayout();
}

void ModelGridView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateFonts();
        updateLayout();
        updateGeometry();
        update();
    } else if (event->type() == QEvent::PaletteChange) {
        update();
    }
}

void ModelGridView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (hasFocus()) {
        // A solid frame as thick as a stroke of the text, so the keyboard's place reads on a projector.
        const double width = std::max(2.0, QFontMetricsF(m_font).height() / 9.0);
        p.setPen(QPen(palette().color(QPalette::Highlight), width));
        p.drawRect(QRectF(rect()).adjusted(width / 2, width / 2, -width / 2, -width / 2));
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform, false); // cells stay crisp squares
    const QColor text = palette().color(QPalette::WindowText);
    const QFontMetrics fm(m_labelFont);

    if (m_layers == 0) {
        p.setFont(m_font);
        p.setPen(text);
        p.drawText(rect().adjusted(kMargin, kMargin, -kMargin, -kMargin), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No trace yet: type a sentence to see every layer and head here."));
        return;
    }

    // Title on the left, wrapped to as many lines as it needs; the colour legend on the right, level with
    // the title's first line.
    const QString legendLow = QStringLiteral("0");
    const QString legendHigh = tr("1 weight");
    const int barWidth = kLegendBarWidth;
    const int legendWidth = this->legendWidth(fm);
    const QRect legend(m_titleRect.right() - legendWidth + 1, m_titleRect.top(), legendWidth,
                       fm.height() + 4);
    p.setFont(m_labelFont);
    p.setPen(text);
    p.drawText(legend, Qt::AlignLeft | Qt::AlignVCenter, legendLow);
    const QRect bar(legend.left() + fm.horizontalAdvance(legendLow) + 4, legend.center().y() - 6, barWidth,
                    12);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, viridis(i / 8.0));
    p.fillRect(bar, gradient);
    p.drawText(legend.adjusted(bar.right() - legend.left() + 5, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
               legendHigh);
    p.setFont(m_titleFont);
    p.drawText(titleTextRect(), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, title());

    // Column headers and row labels.
    p.setFont(m_labelFont);
    p.setPen(text);
    const int headerTop = m_titleRect.bottom() + 1;
    const int gridColumns = m_transposed ? m_layers : columnCount();
    const int gridRows = m_transposed ? columnCount() : m_layers;
    for (int c = 0; c < gridColumns; ++c) {
        const Cell first = cellAtGrid(0, c);
        const QRect cell = cellRect(first.layer, first.head);
        // Ends above the cells so the selection outline, drawn just outside a cell, never touches it.
        const QRect header(cell.left() - kGap / 2, headerTop, cell.width() + kGap,
                           m_origin.y() - 4 - headerTop);
        p.drawText(header, Qt::AlignHCenter | Qt::AlignBottom,
                   fm.elidedText(gridColumnTitle(c, m_transposed, m_shortLabels), Qt::ElideRight,
                                 header.width()));
    }
    for (int r = 0; r < gridRows; ++r) {
        const Cell first = cellAtGrid(r, 0);
        const QRect cell = cellRect(first.layer, first.head);
        const QRect label(cell.left() - kLabelGap - m_rowLabelWidth, cell.top(), m_rowLabelWidth,
                          cell.height());
        p.drawText(label, Qt::AlignRight | Qt::AlignVCenter, gridRowTitle(r, m_transposed, m_shortLabels));
    }

    // The thumbnails, each framed so a dark (near-zero) heatmap still shows its edge.
    const QColor frame = palette().color(QPalette::Mid);
    for (int l = 0; l < m_layers; ++l)
        for (int h = -1; h < m_heads; ++h) {
            const QRect cell = cellRect(l, h);
            const QImage &image = m_thumbnails[thumbnailIndex(l, h)];
            if (image.isNull()) { // this layer has fewer heads than the widest one
                p.fillRect(cell, theme::blocked());
                p.setPen(theme::blockedText());
                p.drawText(cell, Qt::AlignCenter, QStringLiteral("—"));
                continue;
            }
            p.drawImage(cell, image);
            p.setPen(frame);
            p.setBrush(Qt::NoBrush);
            p.drawRect(cell.adjusted(0, 0, -1, -1));
        }

    // The selected query's row across every thumbnail: query purple inside a white edge, because purple
    // alone vanishes against viridis's dark end.
    if (m_selectedQuery >= 0) {
        p.setBrush(Qt::NoBrush);
        for (int l = 0; l < m_layers; ++l)
            for (int h = -1; h < m_heads; ++h) {
                const QRect cell = cellRect(l, h);
                const double rowHeight = double(cell.height()) / m_tokens;
                const double band = std::max(rowHeight, 4.0);
                const QRectF row(cell.left() + 1, cell.top() + (m_selectedQuery + 0.5) * rowHeight - band / 2,
                                 cell.width() - 2, band);
                p.setPen(QPen(Qt::white, 1.5));
                p.drawRect(row.adjusted(-2, -2, 2, 2));
                p.setPen(QPen(theme::query(), 2.5));
                p.drawRect(row);
            }
    }

    p.setRenderHint(QPainter::Antialiasing);
    if (m_hovered.valid() && !(m_hovered.layer == m_selectedLayer && m_hovered.head == m_selectedHead)) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(cellRect(m_hovered.layer, m_hovered.head)).adjusted(-2, -2, 2, 2));
    }
    if (m_selectedLayer >= 0) {
        p.setPen(QPen(theme::selection(), 3));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(cellRect(m_selectedLayer, m_selectedHead)).adjusted(-2.5, -2.5, 2.5, 2.5));
    }
}

bool ModelGridView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const Cell cell = cellAt(help->pos());
        if (!cell.valid()) {
            QToolTip::hideText();
            return true;
        }
        QString tip = tr("Attention weights of %1: queries down, keys across. Click to open it.")
                          .arg(cellName(cell.layer, cell.head));
        if (m_thumbnailSize < m_tokens)
            tip += QLatin1Char('\n') + tr("%1 tokens drawn as %2 × %2 pixels: each pixel shows the largest "
                                          "weight of its block.")
                                           .arg(m_tokens)
                                           .arg(m_thumbnailSize);
        QToolTip::showText(help->globalPos(), tip, this, cellRect(cell.layer, cell.head));
        return true;
    }
    return QWidget::event(event);
}

void ModelGridView::setHovered(const Cell &cell)
{
    if (cell.layer == m_hovered.layer && cell.head == m_hovered.head)
        return;
    m_hovered = cell;
    setCursor(cell.valid() ? Qt::PointingHandCursor : Qt::ArrowCursor);
    update();
}

void ModelGridView::activate(const Cell &cell)
{
    setSelected(cell.layer, cell.head);
    emit headActivated(cell.layer, cell.head);
}

void ModelGridView::mousePressEvent(QMouseEvent *event)
{
    const Cell cell = cellAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && cell.valid()) {
        activate(cell);
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void ModelGridView::mouseMoveEvent(QMouseEvent *event)
{
    setHovered(cellAt(event->position().toPoint()));
    QWidget::mouseMoveEvent(event);
}

void ModelGridView::leaveEvent(QEvent *event)
{
    setHovered({});
    QWidget::leaveEvent(event);
}

void ModelGridView::keyPressEvent(QKeyEvent *event)
{
    if (m_layers == 0) {
        QWidget::keyPressEvent(event);
        return;
    }
    // Columns 0..heads-1 are the heads, column `heads` the average, so arrows walk the grid as drawn.
    int layer = std::max(m_selectedLayer, 0);
    int column = m_selectedLayer < 0 ? 0 : (m_selectedHead < 0 ? m_heads : m_selectedHead);
    // With heads down and layers across, the arrows follow the grid as drawn.
    int key = event->key();
    if (m_transposed) {
        static const QHash<int, int> swap = {{Qt::Key_Left, Qt::Key_Up},
                                             {Qt::Key_Right, Qt::Key_Down},
                                             {Qt::Key_Up, Qt::Key_Left},
                                             {Qt::Key_Down, Qt::Key_Right}};
        key = swap.value(key, key);
    }
    switch (key) {
    case Qt::Key_Left:
        column = std::max(column - 1, 0);
        break;
    case Qt::Key_Right:
        column = std::min(column + 1, m_heads);
        break;
    case Qt::Key_Up:
        layer = std::max(layer - 1, 0);
        break;
    case Qt::Key_Down:
        layer = std::min(layer + 1, m_layers - 1);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (m_selectedLayer >= 0)
            activate({m_selectedLayer, m_selectedHead});
        return;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    setSelected(layer, column == m_heads ? -1 : column);
}

} // namespace attention
