// Heatmap painting and interaction: one scaled image for the cells, labels and legend in viewport margins.
#include "heatmapview.h"

#include "colormap.h"
#include "labels.h"
#include "matrixmodel.h"
#include "theme.h"

#include <QCursor>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLinearGradient>
#include <QLocale>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace attention {

namespace {

constexpr double kMinCell = 1.0;
constexpr double kMaxCell = 120.0;
constexpr double kZoomStep = 1.25;
constexpr Eigen::Index kAutoFitRows = 64;       // larger matrices start fitted to the view
constexpr double kMaxFitCell = 60.0;            // fitting never makes cells bigger than this
constexpr double kMinFitCellWithNumbers = 36.0; // nor, for small matrices, too small for numbers
constexpr int kPad = 8;                         // space between the parts of the figure
constexpr int kLabelMaxChars = 12;              // labels longer than this are elided
constexpr int kBarWidth = 16;
constexpr double kNumberPad = 4.0; // a number's clearance inside its cell, both sides together
constexpr double kMinSqueeze = 0.8;
constexpr double kMaxBarHeight = 320.0;
constexpr double kMinBarHeight = 80.0;
constexpr int kVectorExportCells = 64 * 64;
constexpr int kMaxExportSide = 4096;    // exportSizeHint's cap on the matrix part
constexpr int kMaxPrescaledSide = 2048; // larger exports draw the one image scaled by the painter
// −60° column labels: they climb to the right, so they need height 0.87·w and overlap sideways less.
constexpr double kSin60 = 0.8660254037844386;
constexpr double kCos60 = 0.5;

bool isBlocked(double v)
{
    return std::isinf(v) && v < 0;
}

// Viridis sampled 256 times: building a 2,048² image must not call QColor 4 million times.
const std::array<QRgb, 256> &viridisTable()
{
    static const std::array<QRgb, 256> table = [] {
        std::array<QRgb, 256> t{};
        for (int i = 0; i < 256; ++i)
            t[i] = viridis(i / 255.0).rgb();
        return t;
    }();
    return table;
}

// The cells [first, last] a painter-coordinate interval [a, b) touches, clamped to [0, count).
std::pair<int, int> cellSpan(double a, double b, double origin, double cell, int count)
{
    const int first = std::max(0, static_cast<int>(std::floor((a - origin) / cell)));
    const int last = std::min(count - 1, static_cast<int>(std::ceil((b - origin) / cell)) - 1);
    return {first, last};
}

// "/" strokes across a square cell; computed segments instead of a clip per cell, so SVG stays small.
void appendHatch(QVector<QLineF> &lines, const QRectF &cell)
{
    // Unantialiased lines cover the pixel below/right of their end points; stay inside the cell.
    const QRectF r = cell.adjusted(0, 0, -1, -1);
    const double s = r.width();
    const double step = std::max(5.0, s / 6.0);
    for (double c = step; c < 2 * s; c += step) {
        if (c <= s)
            lines.append(QLineF(r.left(), r.top() + c, r.left() + c, r.top()));
        else
            lines.append(QLineF(r.left() + c - s, r.bottom(), r.right(), r.top() + c - s));
    }
}

QColor hatchColor()
{
    return QColor(255, 255, 255, 150);
}

} // namespace

HeatmapView::HeatmapView(QWidget *parent) : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true); // also turns it on for the viewport
    viewport()->setMouseTracking(true);
    viewport()->setBackgroundRole(QPalette::Base);
    setFrameShape(QFrame::NoFrame);
    recomputeFonts();
    updateLayout();
}

void HeatmapView::setMatrix(const Eigen::MatrixXd &values, const QStringList &rowLabels,
                            const QStringList &columnLabels)
{
    const bool sameShape = values.rows() == m_values.rows() && values.cols() == m_values.cols();
    m_values = values;
    m_rowLabels = rowLabels;
    m_columnLabels = columnLabels;
    if (m_selectedRow >= m_values.rows() || m_selectedColumn >= m_values.cols())
        m_selectedRow = m_selectedColumn = -1;
    m_hoverRow = m_hoverColumn = -1;

    scanValues();
    recomputeNumberTemplate();
    recomputeFonts();
    rebuildImage();
    // A matrix of a new shape fits the view (small ones with big numbers, large ones whole); one of the
    // same shape (a toggle, a mask edit) keeps the user's zoom, if they zoomed.
    if (!sameShape)
        m_fitPending = true;
    if (m_fitPending)
        fitToView();
    else
        updateLayout();
}

void HeatmapView::revealSelection()
{
    if (m_selectedRow >= 0)
        scrollToCell(m_selectedRow, m_selectedColumn);
}

void HeatmapView::scanValues()
{
    m_hasBlocked = false;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (Eigen::Index i = 0; i < m_values.size(); ++i) {
        const double v = m_values.data()[i];
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        } else if (isBlocked(v)) {
            m_hasBlocked = true;
        }
    }
    if (m_automaticRange) {
        m_lo = std::isfinite(lo) ? lo : 0.0;
        m_hi = std::isfinite(hi) ? hi : 1.0;
    }
}

void HeatmapView::setColorRange(double lo, double hi)
{
    if (lo > hi)
        std::swap(lo, hi);
    m_automaticRange = false;
    m_lo = lo;
    m_hi = hi;
    rebuildImage();
    updateLayout(); // tick labels can change the legend's width
}

void HeatmapView::setAutomaticColorRange()
{
    m_automaticRange = true;
    scanValues();
    rebuildImage();
    updateLayout();
}

void HeatmapView::setLegendTitle(const QString &title)
{
    m_legendTitle = title;
    updateLayout();
}

void HeatmapView::setLabelColors(const QColor &rows, const QColor &columns)
{
    m_rowLabelColor = rows;
    m_columnLabelColor = columns;
    update();
}

void HeatmapView::setAxisTitles(const QString &rows, const QString &columns)
{
    m_rowAxisTitle = rows;
    m_columnAxisTitle = columns;
    updateLayout();
}

void HeatmapView::setPrecision(int decimals)
{
    m_precision = std::clamp(decimals, 0, 12);
    recomputeNumberTemplate();
    updateLayout();
}

QString HeatmapView::rowLabel(int row) const
{
    return row < m_rowLabels.size() ? m_rowLabels.at(row) : QString::number(row);
}

QString HeatmapView::columnLabel(int column) const
{
    return column < m_columnLabels.size() ? m_columnLabels.at(column) : QString::number(column);
}

QRgb HeatmapView::colorOf(double value) const
{
    if (std::isnan(value) || isBlocked(value))
        return theme::blocked().rgb();
    const double t = m_hi > m_lo ? (value - m_lo) / (m_hi - m_lo) : 0.5;
    return viridisTable()[static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0))];
}

void HeatmapView::rebuildImage()
{
    const int rows = static_cast<int>(m_values.rows());
    const int cols = static_cast<int>(m_values.cols());
    if (rows == 0 || cols == 0) {
        m_image = QImage();
    } else {
        m_image = QImage(cols, rows, QImage::Format_RGB32);
        // A row-major copy lets both the matrix and the image be read in memory order.
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> values = m_values;
        for (int r = 0; r < rows; ++r) {
            auto *line = reinterpret_cast<QRgb *>(m_image.scanLine(r));
            const double *source = values.data() + static_cast<std::ptrdiff_t>(r) * cols;
            for (int c = 0; c < cols; ++c)
                line[c] = colorOf(source[c]);
        }
    }
    viewport()->update();
    update();
}

void HeatmapView::recomputeNumberTemplate()
{
    // All digits are equally wide in the fonts we ship with, so one string of zeros with the most
    // integer digits (and a minus sign if any value is negative) is as wide as the widest number.
    double largest = 0.0;
    double smallest = 0.0;
    for (Eigen::Index i = 0; i < m_values.size(); ++i) {
        const double v = m_values.data()[i];
        if (std::isfinite(v)) {
            largest = std::max(largest, std::abs(v));
            smallest = std::min(smallest, v);
        }
    }
    // Tiny negatives print as 0.00 without a sign, so ask the formatter rather than test v < 0.
    const bool negative = MatrixModel::formatValue(smallest, m_precision).startsWith(QChar(0x2212));
    const QString widest = MatrixModel::formatValue(negative ? -largest : largest, m_precision);
    m_numberTemplate.clear();
    for (QChar ch : widest)
        m_numberTemplate += ch.isDigit() ? QChar('0') : ch;
    if (m_numberTemplate.isEmpty())
        m_numberTemplate = QStringLiteral("0");
}

void HeatmapView::recomputeFonts()
{
    QFont f = font();
    double points = f.pointSizeF();
    if (points <= 0) // pixel-sized font: convert back to points to apply the minimum
        points = f.pixelSize() * 72.0 / std::max(1, logicalDpiY());
    points = std::max(points, theme::kMinimumPointSize);
    f.setPixelSize(static_cast<int>(std::ceil(points * logicalDpiY() / 72.0)));
    m_labelFont = f;

    const QFontMetricsF fm(m_labelFont);
    m_rowLabelWidth = 0.0;
    for (int r = 0; r < m_values.rows(); ++r)
        m_rowLabelWidth = std::max(m_rowLabelWidth, fm.horizontalAdvance(rowLabel(r)));
    m_columnLabelWidth = 0.0;
    for (int c = 0; c < m_values.cols(); ++c)
        m_columnLabelWidth = std::max(m_columnLabelWidth, fm.horizontalAdvance(columnLabel(c)));
}

double HeatmapView::maxLabelWidth() const
{
    return QFontMetricsF(m_labelFont).averageCharWidth() * kLabelMaxChars;
}

bool HeatmapView::rotatedColumnLabels(double cell) const
{
    return std::min(m_columnLabelWidth, maxLabelWidth()) + 6.0 > cell;
}

int HeatmapView::labelStride(double cell, bool rotated) const
{
    // Neighbouring labels are `cell` apart (rotated ones cell·sin 60° apart, measured across the text);
    // a line of text needs its line spacing, so show every k-th.
    const double across = rotated ? cell * kSin60 : cell;
    const double needed = QFontMetricsF(m_labelFont).height();
    return std::max(1, static_cast<int>(std::ceil(needed / across - 1e-9)));
}

HeatmapView::NumberStyle HeatmapView::numberStyleFor(double cell) const
{
    // Numbers grow with the cells (a projector wants them big) but never shrink below the label font.
    NumberStyle style;
    const int minPx = m_labelFont.pixelSize();
    int px = std::clamp(static_cast<int>(cell * 0.3), minPx, 2 * minPx);
    style.font = m_labelFont;
    const auto width = [&] {
        const QFontMetricsF fm(style.font);
        return std::max(fm.horizontalAdvance(m_numberTemplate), fm.horizontalAdvance(QStringLiteral("−∞")));
    };
    for (;; --px) {
        style.font.setPixelSize(px);
        if (px <= minPx || width() + kNumberPad <= cell)
            break;
    }
    // At the smallest size, squeeze the letters a little rather than show no numbers. A painter scale,
    // not QFont::setStretch, because it needs no condensed face and survives SVG export.
    style.squeeze = std::clamp((cell - kNumberPad) / width(), kMinSqueeze, 1.0);
    style.fits = width() * style.squeeze + kNumberPad <= cell + 1e-9 &&
                 QFontMetricsF(style.font).height() + 2.0 <= cell;
    return style;
}

bool HeatmapView::numbersVisible() const
{
    return m_numberStyle.fits;
}

double HeatmapView::legendMinimumHeight() const
{
    const double lh = QFontMetricsF(m_labelFont).height();
    return 2 * lh + 4 + kMinBarHeight + (m_hasBlocked ? lh + kBarWidth + 4 : 0) + kPad;
}

HeatmapView::Margins HeatmapView::marginsFor(double cell) const
{
    return marginsWith(rotatedColumnLabels(cell));
}

HeatmapView::Margins HeatmapView::marginsWith(bool rotatedLabels) const
{
    const QFontMetricsF fm(m_labelFont);
    const double lh = fm.height();
    QFont bold = m_labelFont;
    bold.setBold(true);
    const QFontMetricsF fmBold(bold);
    Margins m;
    if (m_values.size() == 0)
        return m;

    // Bold (the selected label) is wider than regular text; leave room so it is not elided.
    const double rowText =
        std::min(fmBold.horizontalAdvance(QString(kLabelMaxChars, QChar('x'))), m_rowLabelWidth * 1.1);
    double left = rowText + 2 * kPad;
    const double corner =
        std::max(fm.horizontalAdvance(m_rowAxisTitle), fm.horizontalAdvance(m_columnAxisTitle));
    if (corner > 0)
        left = std::max(left, corner + kPad + lh);
    m.left = static_cast<int>(std::ceil(left));

    const double colText = std::min(m_columnLabelWidth * 1.1, maxLabelWidth());
    double top = rotatedLabels ? colText * kSin60 + lh * (kCos60 + 0.25) + kPad + 4 : lh + kPad;
    if (!m_rowAxisTitle.isEmpty() || !m_columnAxisTitle.isEmpty())
        top = std::max(top, 2.5 * lh + kPad);
    m.top = static_cast<int>(std::ceil(top));
    m.bottom = static_cast<int>(std::ceil(lh / 2));

    double ticks = 0.0;
    for (double v : {m_lo, m_hi, (m_lo + m_hi) / 2})
        ticks = std::max(ticks, fm.horizontalAdvance(MatrixModel::formatValue(v, m_precision)));
    double right = kBarWidth + 6 + ticks;
    right = std::max(right, fmBold.horizontalAdvance(m_legendTitle));
    if (m_hasBlocked)
        right = std::max(right, kBarWidth + 6 + fm.horizontalAdvance(tr("−∞ masked")));
    m.right = static_cast<int>(std::ceil(right + 2 * kPad));
    return m;
}

int HeatmapView::bannerHeight() const
{
    return m_maskEdit ? static_cast<int>(std::ceil(QFontMetricsF(m_labelFont).height())) + 12 : 0;
}

QRect HeatmapView::rowLabelStrip() const
{
    const QRect vp = viewport()->geometry();
    return QRect(vp.left() - m_margins.left, vp.top(), m_margins.left, vp.height());
}

QRect HeatmapView::columnLabelStrip() const
{
    const QRect vp = viewport()->geometry();
    return QRect(vp.left(), vp.top() - m_margins.top, vp.width() + m_extraRight + m_margins.right,
                 m_margins.top);
}

QRect HeatmapView::legendStrip() const
{
    const QRect vp = viewport()->geometry();
    return QRect(vp.right() + 1, vp.top(), m_extraRight + m_margins.right, vp.height());
}

QRect HeatmapView::bannerRect() const
{
    const QRect vp = viewport()->geometry();
    const int h = bannerHeight();
    return QRect(vp.left() - m_margins.left, vp.top() - m_margins.top - h,
                 m_margins.left + vp.width() + m_extraRight + m_margins.right, h);
}

void HeatmapView::updateLayout()
{
    if (m_inLayout)
        return;
    m_inLayout = true;
    m_margins = marginsFor(m_cell);
    m_numberStyle = numberStyleFor(m_cell);
    // The view decides both scroll bars here, from the whole widget's size, and forces them on or off.
    // Qt's "as needed" bars decide later, from ranges set for the viewport as it was before the bars
    // changed it; they could disagree with this layout and with each other, and each answer resized the
    // viewport, which laid out again: the bars came and went forever. Forced bars are a function of the
    // widget's size and the cell size only, so laying out again at the same size changes nothing.
    const QRect avail = contentsRect();
    const int contentWidth = static_cast<int>(std::ceil(m_values.cols() * m_cell - 1e-6));
    const int contentHeight = static_cast<int>(std::ceil(m_values.rows() * m_cell - 1e-6));
    const int width = avail.width() - m_margins.left - m_margins.right;
    const int height = avail.height() - m_margins.top - bannerHeight() - m_margins.bottom;
    const BarExtents bars = barExtents();
    bool horizontal = false;
    bool vertical = false;
    // Each bar can only make the other one more needed, so two passes reach the answer.
    for (int pass = 0; pass < 2; ++pass) {
        vertical = contentHeight > height - (horizontal ? bars.horizontal : 0);
        horizontal = contentWidth > width - (vertical ? bars.vertical : 0);
    }
    // When the matrix is narrower than the view, give the spare width to the legend's margin so the
    // legend sits next to the cells instead of at the far edge.
    m_extraRight = std::max(0, width - (vertical ? bars.vertical : 0) - contentWidth);
    const Qt::ScrollBarPolicy hPolicy = horizontal ? Qt::ScrollBarAlwaysOn : Qt::ScrollBarAlwaysOff;
    const Qt::ScrollBarPolicy vPolicy = vertical ? Qt::ScrollBarAlwaysOn : Qt::ScrollBarAlwaysOff;
    if (horizontalScrollBarPolicy() != hPolicy)
        setHorizontalScrollBarPolicy(hPolicy);
    if (verticalScrollBarPolicy() != vPolicy)
        setVerticalScrollBarPolicy(vPolicy);
    setViewportMargins(m_margins.left, m_margins.top + bannerHeight(), m_margins.right + m_extraRight,
                       m_margins.bottom);
    updateScrollBars();
    m_inLayout = false;
    viewport()->update();
    update();
}

HeatmapView::BarExtents HeatmapView::barExtents() const
{
    // As QAbstractScrollArea lays them out: a bar's size hint, or nothing for bars drawn over the content.
    BarExtents e;
    QStyleOptionSlider option;
    option.initFrom(horizontalScrollBar());
    if (style()->pixelMetric(QStyle::PM_ScrollView_ScrollBarOverlap, &option, horizontalScrollBar()) == 0)
        e.horizontal = horizontalScrollBar()->sizeHint().height();
    option.initFrom(verticalScrollBar());
    if (style()->pixelMetric(QStyle::PM_ScrollView_ScrollBarOverlap, &option, verticalScrollBar()) == 0)
        e.vertical = verticalScrollBar()->sizeHint().width();
    return e;
}

void HeatmapView::updateScrollBars()
{
    const QSize vp = viewport()->size();
    const int w = static_cast<int>(std::ceil(m_values.cols() * m_cell - 1e-6));
    const int h = static_cast<int>(std::ceil(m_values.rows() * m_cell - 1e-6));
    const int step = std::max(16, static_cast<int>(m_cell));
    horizontalScrollBar()->setRange(0, std::max(0, w - vp.width()));
    horizontalScrollBar()->setPageStep(vp.width());
    horizontalScrollBar()->setSingleStep(step);
    verticalScrollBar()->setRange(0, std::max(0, h - vp.height()));
    verticalScrollBar()->setPageStep(vp.height());
    verticalScrollBar()->setSingleStep(step);
}

QPoint HeatmapView::cellAt(const QPoint &viewportPos) const
{
    if (m_values.size() == 0 || !viewport()->rect().contains(viewportPos))
        return {-1, -1};
    // A pixel belongs to the cell that holds its centre, the same rule the unsmoothed image follows.
    const double x = viewportPos.x() + 0.5 + horizontalScrollBar()->value();
    const double y = viewportPos.y() + 0.5 + verticalScrollBar()->value();
    const int c = static_cast<int>(std::floor(x / m_cell));
    const int r = static_cast<int>(std::floor(y / m_cell));
    if (x < 0 || y < 0 || c >= m_values.cols() || r >= m_values.rows())
        return {-1, -1};
    return {c, r};
}

QRect HeatmapView::cellRect(int row, int column) const
{
    if (row < 0 || column < 0 || row >= m_values.rows() || column >= m_values.cols())
        return {};
    const double h = horizontalScrollBar()->value();
    const double v = verticalScrollBar()->value();
    const int left = static_cast<int>(std::ceil(column * m_cell - h - 0.5));
    const int right = static_cast<int>(std::ceil((column + 1) * m_cell - h - 0.5)) - 1;
    const int top = static_cast<int>(std::ceil(row * m_cell - v - 0.5));
    const int bottom = static_cast<int>(std::ceil((row + 1) * m_cell - v - 0.5)) - 1;
    return QRect(QPoint(left, top), QPoint(right, bottom));
}

HeatmapView::Frame HeatmapView::screenFrame() const
{
    Frame f;
    const QRect vp = viewport()->geometry();
    f.cell = m_cell;
    f.origin = QPointF(vp.left() - horizontalScrollBar()->value(), vp.top() - verticalScrollBar()->value());
    f.cellArea = vp;
    f.rowLabelArea = rowLabelStrip();
    f.columnLabelArea = columnLabelStrip();
    f.legendArea = legendStrip();
    f.interactive = true;
    return f;
}

HeatmapView::Frame HeatmapView::exportFrame(const QRect &target) const
{
    Frame f;
    const int rows = static_cast<int>(m_values.rows());
    const int cols = static_cast<int>(m_values.cols());
    // The margins depend on the cell size (labels rotate when cells shrink), so settle it in a few rounds.
    double cell = m_cell;
    Margins m = marginsFor(cell);
    for (int round = 0; round < 3; ++round) {
        const double w = (target.width() - 2.0 * kPad - m.left - m.right) / cols;
        const double h = (target.height() - 2.0 * kPad - m.top - m.bottom) / rows;
        cell = std::max(kMinCell, std::min(w, h));
        m = marginsFor(cell);
    }
    f.cell = cell;
    f.origin = QPointF(target.left() + kPad + m.left, target.top() + kPad + m.top);
    f.cellArea = QRectF(f.origin, QSizeF(cols * cell, rows * cell));
    f.rowLabelArea = QRectF(target.left() + kPad, f.origin.y(), m.left, rows * cell);
    f.columnLabelArea = QRectF(f.origin.x(), target.top() + kPad, cols * cell + m.right, m.top);
    f.legendArea =
        QRectF(f.cellArea.right(), f.origin.y(), m.right, std::max(rows * cell, legendMinimumHeight()));
    f.vector = static_cast<qint64>(rows) * cols <= kVectorExportCells;
    return f;
}

QSize HeatmapView::exportSizeHint() const
{
    const int rows = static_cast<int>(m_values.rows());
    const int cols = static_cast<int>(m_values.cols());
    if (rows == 0 || cols == 0)
        return {200, 100};
    // A 2,048-token matrix at a zoomed-in cell size would be a 100,000-pixel image; cap the long side.
    const double cell = std::min(m_cell, std::max(kMinCell, double(kMaxExportSide) / std::max(rows, cols)));
    const Margins m = marginsFor(cell);
    const double w = 2 * kPad + m.left + cols * cell + m.right;
    const double h = 2 * kPad + m.top + std::max(rows * cell + m.bottom, legendMinimumHeight());
    return {static_cast<int>(std::ceil(w)), static_cast<int>(std::ceil(h))};
}

QSize HeatmapView::sizeHint() const
{
    const QSize hint = exportSizeHint();
    return {std::min(hint.width(), 900), std::min(hint.height() + bannerHeight(), 700)};
}

QSize HeatmapView::minimumSizeHint() const
{
    return {200, 150};
}

void HeatmapView::setCellSize(double pixels)
{
    m_fitPending = false;
    applyCellSize(pixels, QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
}

void HeatmapView::applyCellSize(double pixels, const QPointF &anchor)
{
    pixels = std::clamp(pixels, kMinCell, kMaxCell);
    // Keep the matrix point under `anchor` (viewport coordinates) where it is.
    const double cx = (anchor.x() + horizontalScrollBar()->value()) / m_cell;
    const double cy = (anchor.y() + verticalScrollBar()->value()) / m_cell;
    m_cell = pixels;
    updateLayout();
    horizontalScrollBar()->setValue(static_cast<int>(std::lround(cx * m_cell - anchor.x())));
    verticalScrollBar()->setValue(static_cast<int>(std::lround(cy * m_cell - anchor.y())));
}

void HeatmapView::zoomIn()
{
    const double next = m_cell * kZoomStep;
    setCellSize(next >= 8 ? std::round(next) : next);
}

void HeatmapView::zoomOut()
{
    const double next = m_cell / kZoomStep;
    setCellSize(next >= 8 ? std::round(next) : next);
}

void HeatmapView::fitToView()
{
    if (m_values.size() == 0)
        return;
    const QRect avail = contentsRect();
    m_fittedSize = avail.size();
    // Small matrices keep cells big enough for their numbers (scrolling if they must); large ones shrink as
    // far as it takes to show them whole.
    const double floor = m_values.rows() <= kAutoFitRows ? kMinFitCellWithNumbers : kMinCell;
    const auto fitWith = [&](const Margins &m) {
        const double w = (avail.width() - m.left - m.right) / double(m_values.cols());
        const double h = (avail.height() - m.top - m.bottom - bannerHeight()) / double(m_values.rows());
        // Shave a hair off so rounding never brings back a scroll bar.
        return std::clamp(std::min(w, h) * (1 - 1e-9), floor, kMaxFitCell);
    };
    // The margins depend on the cell size only through the column labels: upright, or rotated when the
    // cells are too narrow for them. Rotated labels need the taller margin, so their cells are no bigger:
    // if upright labels do not fit the cells they allow, rotated ones fit theirs. The answer depends on
    // the size alone, not on the cells before, so fitting again at the same size changes nothing.
    double cell = fitWith(marginsWith(false));
    if (rotatedColumnLabels(cell))
        cell = fitWith(marginsWith(true));
    const bool keepPending = m_fitPending;
    applyCellSize(cell, QPointF(0, 0));
    horizontalScrollBar()->setValue(0);
    verticalScrollBar()->setValue(0);
    revealSelection();
    m_fitPending = keepPending;
}

void HeatmapView::scrollToCell(int row, int column)
{
    const QSize vp = viewport()->size();
    // A little context around the cell, so its outline and enlarged label are not cut at the edge.
    const int context = std::min(vp.height() / 4, static_cast<int>(QFontMetricsF(m_labelFont).height() / 2));
    if (row >= 0) {
        const int top = static_cast<int>(std::floor(row * m_cell)) - context;
        const int bottom = static_cast<int>(std::ceil((row + 1) * m_cell)) + context;
        QScrollBar *bar = verticalScrollBar();
        if (top < bar->value())
            bar->setValue(top);
        else if (bottom > bar->value() + vp.height())
            bar->setValue(bottom - vp.height());
    }
    if (column >= 0) {
        const int left = static_cast<int>(std::floor(column * m_cell)) - context;
        const int right = static_cast<int>(std::ceil((column + 1) * m_cell)) + context;
        QScrollBar *bar = horizontalScrollBar();
        if (left < bar->value())
            bar->setValue(left);
        else if (right > bar->value() + vp.width())
            bar->setValue(right - vp.width());
    }
}

void HeatmapView::scrollContentsBy(int dx, int dy)
{
    viewport()->scroll(dx, dy);
    if (dy != 0)
        update(rowLabelStrip());
    if (dx != 0)
        update(columnLabelStrip());
    // Wheel scrolling moves the cells under a still mouse; keep the hovered cell honest.
    if (viewport()->underMouse()) {
        const QPoint cell = cellAt(viewport()->mapFromGlobal(QCursor::pos()));
        setHovered(cell.y(), cell.x());
    }
}

void HeatmapView::resizeEvent(QResizeEvent *event)
{
    // Only the viewport's resizes arrive here: the view's own come to event().
    QAbstractScrollArea::resizeEvent(event);
    if (!m_inLayout && !m_inViewResize)
        layoutForNewSize();
}

void HeatmapView::layoutForNewSize()
{
    // A pending fit fits again only when the view has a new size, never for what its own layout did.
    if (m_fitPending && contentsRect().size() != m_fittedSize)
        fitToView();
    else
        updateLayout();
}

void HeatmapView::setSelection(int row, int column)
{
    if (row < 0 || row >= m_values.rows())
        row = -1;
    if (column < 0 || column >= m_values.cols() || row < 0)
        column = -1;
    if (row == m_selectedRow && column == m_selectedColumn)
        return;
    const auto band = [this](int r) {
        const QRect first = cellRect(r, 0);
        return QRect(0, first.top(), viewport()->width(), first.height()).adjusted(0, -4, 0, 4);
    };
    if (m_selectedRow >= 0)
        viewport()->update(band(m_selectedRow));
    m_selectedRow = row;
    m_selectedColumn = column;
    if (row >= 0) {
        scrollToCell(row, column);
        viewport()->update(band(row));
    }
    update(rowLabelStrip());
    update(columnLabelStrip());
}

void HeatmapView::setHovered(int row, int column)
{
    if (row == m_hoverRow && column == m_hoverColumn)
        return;
    const int oldRow = m_hoverRow;
    const int oldColumn = m_hoverColumn;
    m_hoverRow = row;
    m_hoverColumn = column;
    // Only the two cells and the label strips change; repainting just those keeps hover O(1) in n.
    if (oldRow >= 0)
        viewport()->update(cellRect(oldRow, oldColumn));
    if (row >= 0)
        viewport()->update(cellRect(row, column));
    if (row != oldRow)
        update(rowLabelStrip());
    if (column != oldColumn)
        update(columnLabelStrip());
    emit cellHovered(row, column);
}

void HeatmapView::setMaskEditMode(bool on)
{
    if (on == m_maskEdit)
        return;
    m_maskEdit = on;
    if (on)
        viewport()->setCursor(Qt::PointingHandCursor);
    else
        viewport()->unsetCursor();
    updateLayout();
}

void HeatmapView::moveSelection(int dRow, int dColumn)
{
    if (m_values.size() == 0)
        return;
    const int row = m_selectedRow < 0 ? 0 : std::clamp(m_selectedRow + dRow, 0, int(m_values.rows()) - 1);
    const int column =
        m_selectedColumn < 0 ? 0 : std::clamp(m_selectedColumn + dColumn, 0, int(m_values.cols()) - 1);
    setSelection(row, column);
    // In mask-edit mode a click toggles a mask, so walking with the arrows must not.
    if (!m_maskEdit)
        emit cellClicked(row, column);
}

QString HeatmapView::cellToolTip(int row, int column) const
{
    const double v = m_values(row, column);
    QString value =
        isBlocked(v) ? tr("−∞ (masked)") : QString::number(v, 'g', QLocale::FloatingPointShortest);
    value.replace(QChar('-'), QChar(0x2212));
    return QStringLiteral("%1 → %2: %3").arg(rowLabel(row), columnLabel(column), value);
}

int HeatmapView::rowLabelAt(const QPoint &widgetPos) const
{
    const QRect strip = rowLabelStrip();
    if (!strip.contains(widgetPos) || m_values.size() == 0)
        return -1;
    const double y = widgetPos.y() - strip.top() + 0.5 + verticalScrollBar()->value();
    const int row = static_cast<int>(std::floor(y / m_cell));
    return row >= 0 && row < m_values.rows() ? row : -1;
}

bool HeatmapView::event(QEvent *event)
{
    // QAbstractScrollArea sends viewport events to the virtual handlers; events on the frame itself
    // (our label and legend margins) arrive only here.
    switch (event->type()) {
    case QEvent::Paint: {
        const bool handled = QAbstractScrollArea::event(event);
        QPainter p(this);
        paintMargins(p);
        return handled;
    }
    case QEvent::MouseButtonPress: {
        auto *me = static_cast<QMouseEvent *>(event);
        const int row = rowLabelAt(me->position().toPoint());
        if (row >= 0 && me->button() == Qt::LeftButton) {
            setFocus(Qt::MouseFocusReason);
            emit rowLabelClicked(row);
            return true;
        }
        break;
    }
    case QEvent::MouseButtonRelease:
        if (rowLabelAt(static_cast<QMouseEvent *>(event)->position().toPoint()) >= 0)
            return true;
        break;
    case QEvent::MouseMove: {
        auto *me = static_cast<QMouseEvent *>(event);
        if (rowLabelAt(me->position().toPoint()) >= 0)
            setCursor(Qt::PointingHandCursor);
        else
            unsetCursor();
        break;
    }
    case QEvent::ToolTip: {
        auto *he = static_cast<QHelpEvent *>(event);
        const int row = rowLabelAt(he->pos());
        if (row >= 0)
            QToolTip::showText(he->globalPos(), literalToolTip(rowLabel(row)), this);
        else
            QToolTip::hideText();
        return true;
    }
    case QEvent::Resize: {
        // QAbstractScrollArea lays out its bars and viewport here, and resizes the viewport from within
        // that layout, whose second pass still shows the bars it chose before; laying out from the
        // viewport's resize would toggle them once more. So lay out once, after Qt's layout is done.
        {
            const QScopedValueRollback<bool> guard(m_inViewResize, true);
            QAbstractScrollArea::event(event);
        }
        layoutForNewSize();
        return true;
    }
    default:
        break;
    }
    return QAbstractScrollArea::event(event);
}

bool HeatmapView::viewportEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::ToolTip: {
        auto *he = static_cast<QHelpEvent *>(event);
        const QPoint cell = cellAt(he->pos());
        if (cell.x() >= 0)
            QToolTip::showText(he->globalPos(), literalToolTip(cellToolTip(cell.y(), cell.x())), viewport(),
                               cellRect(cell.y(), cell.x()));
        else
            QToolTip::hideText();
        return true;
    }
    case QEvent::Leave:
        setHovered(-1, -1);
        break;
    default:
        break;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void HeatmapView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint cell = cellAt(event->position().toPoint());
    setHovered(cell.y(), cell.x());
}

void HeatmapView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const QPoint cell = cellAt(event->position().toPoint());
    if (cell.x() < 0)
        return;
    setSelection(cell.y(), cell.x());
    emit cellClicked(cell.y(), cell.x());
}

void HeatmapView::mouseReleaseEvent(QMouseEvent *event)
{
    // The press did the work; accept the release so it does not travel to the parent.
    event->setAccepted(event->button() == Qt::LeftButton);
}

void HeatmapView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    const int delta = event->angleDelta().y();
    if (delta != 0) {
        m_fitPending = false;
        const double next = m_cell * std::pow(kZoomStep, delta / 120.0);
        applyCellSize(next >= 8 ? std::round(next) : next, event->position());
    }
    event->accept();
}

void HeatmapView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Left:
        moveSelection(0, -1);
        break;
    case Qt::Key_Right:
        moveSelection(0, 1);
        break;
    case Qt::Key_Up:
        moveSelection(-1, 0);
        break;
    case Qt::Key_Down:
        moveSelection(1, 0);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (m_selectedRow >= 0 && m_selectedColumn >= 0)
            emit cellClicked(m_selectedRow, m_selectedColumn);
        else
            moveSelection(0, 0);
        break;
    case Qt::Key_PageUp:
    case Qt::Key_PageDown:
        // A presentation clicker sends these; let them reach the window's lesson navigation.
        QWidget::keyPressEvent(event);
        return;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

void HeatmapView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        recomputeFonts();
        updateLayout();
    } else if (event->type() == QEvent::PaletteChange) {
        update();
        viewport()->update();
    }
}

void HeatmapView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    const QPoint offset = viewport()->geometry().topLeft();
    p.translate(-offset); // the frame is in widget coordinates, shared with the margins
    const Frame f = screenFrame();
    for (const QRect &r : event->region())
        paintCells(p, f, QRectF(r.translated(offset)));
}

void HeatmapView::paintMargins(QPainter &p) const
{
    const QRect vp = viewport()->geometry();
    const QRect all(vp.left() - m_margins.left, vp.top() - m_margins.top - bannerHeight(),
                    m_margins.left + vp.width() + m_extraRight + m_margins.right,
                    vp.height() + m_margins.top + bannerHeight() + m_margins.bottom);
    const QBrush base = palette().base();
    p.fillRect(QRect(all.topLeft(), QPoint(all.right(), vp.top() - 1)), base);
    p.fillRect(QRect(QPoint(all.left(), vp.bottom() + 1), all.bottomRight()), base);
    p.fillRect(rowLabelStrip(), base);
    p.fillRect(legendStrip(), base);
    if (m_values.size() == 0)
        return;
    const Frame f = screenFrame();
    paintRowLabels(p, f);
    paintColumnLabels(p, f);
    paintLegend(p, f.legendArea);
    if (m_maskEdit)
        paintBanner(p, bannerRect());
    paintCorner(p,
                QRectF(vp.left() - m_margins.left, vp.top() - m_margins.top, m_margins.left, m_margins.top));
}

void HeatmapView::paintCorner(QPainter &p, const QRectF &area) const
{
    // Axis names in the empty corner. The first row and column labels may overhang into the corner's
    // bottom and right edges by half a line, so keep clear of those.
    const double lh = QFontMetricsF(m_labelFont).height();
    const QRectF corner = area.adjusted(kPad, 0, -lh, -lh / 2 - 2);
    p.save();
    p.setFont(m_labelFont);
    p.setPen(m_columnLabelColor.isValid() ? m_columnLabelColor : palette().color(QPalette::Text));
    p.drawText(corner.adjusted(0, 0, 0, -lh), Qt::AlignRight | Qt::AlignBottom, m_columnAxisTitle);
    p.setPen(m_rowLabelColor.isValid() ? m_rowLabelColor : palette().color(QPalette::Text));
    p.drawText(corner, Qt::AlignRight | Qt::AlignBottom, m_rowAxisTitle);
    p.restore();
}

void HeatmapView::paintCells(QPainter &p, const Frame &f, const QRectF &dirty) const
{
    const int rows = static_cast<int>(m_values.rows());
    const int cols = static_cast<int>(m_values.cols());
    const QRectF area = dirty & f.cellArea;
    if (rows == 0 || cols == 0 || area.isEmpty())
        return;
    const auto [c0, c1] = cellSpan(area.left(), area.right(), f.origin.x(), f.cell, cols);
    const auto [r0, r1] = cellSpan(area.top(), area.bottom(), f.origin.y(), f.cell, rows);
    if (c0 > c1 || r0 > r1)
        return;
    const double cell = f.cell;
    const auto rectOf = [&](int r, int c) {
        return QRectF(f.origin.x() + c * cell, f.origin.y() + r * cell, cell, cell);
    };

    p.save();
    p.setClipRect(area, Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QRectF target(f.origin.x() + c0 * cell, f.origin.y() + r0 * cell, (c1 - c0 + 1) * cell,
                        (r1 - r0 + 1) * cell);
    if (f.vector) {
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c) {
                const double v = m_values(r, c);
                const QColor color = isBlocked(v) || std::isnan(v)
                                         ? theme::blocked()
                                         : viridis(m_hi > m_lo ? (v - m_lo) / (m_hi - m_lo) : 0.5);
                // Overlap the next cell by half a pixel: SVG renderers anti-alias shared edges into seams.
                const double overlapX = c + 1 < cols ? 0.5 : 0.0;
                const double overlapY = r + 1 < rows ? 0.5 : 0.0;
                p.fillRect(rectOf(r, c).adjusted(0, 0, overlapX, overlapY), color);
            }
    } else if (!f.interactive && cols * cell <= kMaxPrescaledSide && rows * cell <= kMaxPrescaledSide &&
               cell >= 2) {
        // Exports: scale up here, so an SVG viewer's smoothing cannot blur the cell edges.
        const QImage big = m_image.scaled(static_cast<int>(std::round(cols * cell)),
                                          static_cast<int>(std::round(rows * cell)), Qt::IgnoreAspectRatio,
                                          Qt::FastTransformation);
        p.drawImage(QRectF(f.origin, QSizeF(cols * cell, rows * cell)), big);
    } else {
        p.drawImage(target, m_image, QRectF(c0, r0, c1 - c0 + 1, r1 - r0 + 1));
    }

    // Hatch the blocked cells so "masked" does not depend on seeing grey.
    if (m_hasBlocked && cell >= 6) {
        QVector<QLineF> lines;
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c)
                if (isBlocked(m_values(r, c)))
                    appendHatch(lines, rectOf(r, c));
        if (!lines.isEmpty()) {
            p.setPen(QPen(hatchColor(), 1.0));
            p.drawLines(lines);
        }
    }

    const NumberStyle numbers = f.interactive ? m_numberStyle : numberStyleFor(cell);
    if (numbers.fits) {
        p.save();
        p.setFont(numbers.font);
        p.scale(numbers.squeeze, 1.0);
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c) {
                const double v = m_values(r, c);
                const QRectF box = rectOf(r, c);
                p.setPen(isBlocked(v) ? theme::blockedText() : textColorOn(QColor(colorOf(v))));
                p.drawText(
                    QRectF(box.x() / numbers.squeeze, box.y(), box.width() / numbers.squeeze, box.height()),
                    Qt::AlignCenter, MatrixModel::formatValue(v, m_precision));
            }
        p.restore();
    }

    p.setRenderHint(QPainter::Antialiasing, true);
    p.setBrush(Qt::NoBrush);
    if (f.interactive && m_hoverRow >= 0 && cell >= 4) {
        const QColor under(colorOf(m_values(m_hoverRow, m_hoverColumn)));
        p.setPen(QPen(textColorOn(under), 1.5));
        p.drawRect(rectOf(m_hoverRow, m_hoverColumn).adjusted(1, 1, -1, -1));
    }
    if (m_selectedRow >= 0) {
        // Tiny cells get outlines drawn outside them, or the outline would hide the cell.
        const double in = cell >= 8 ? 1.0 : -2.0;
        p.setPen(QPen(theme::query(), 2.0));
        p.drawRect(QRectF(f.origin.x(), f.origin.y() + m_selectedRow * cell, cols * cell, cell)
                       .adjusted(in, in, -in, -in));
        if (m_selectedColumn >= 0) {
            const double inCell = cell >= 8 ? 1.5 : -2.0;
            p.setPen(QPen(theme::selection(), 3.0));
            p.drawRect(rectOf(m_selectedRow, m_selectedColumn).adjusted(inCell, inCell, -inCell, -inCell));
        }
    }
    p.restore();
}

void HeatmapView::paintRowLabels(QPainter &p, const Frame &f) const
{
    const int rows = static_cast<int>(m_values.rows());
    const QRectF area = f.rowLabelArea;
    const QFontMetricsF fm(m_labelFont);
    const double lh = fm.height();
    const int stride = labelStride(f.cell, false);
    const auto [r0, r1] = cellSpan(area.top(), area.bottom(), f.origin.y(), f.cell, rows);
    const int hover = f.interactive ? m_hoverRow : -1;
    const QColor color = m_rowLabelColor.isValid() ? m_rowLabelColor : palette().color(QPalette::Text);
    const double textWidth = area.width() - 2 * kPad;
    QFont bold = m_labelFont;
    bold.setBold(true);

    // Only rows whose centre is shown get a label; it may overhang the strip by half a line.
    const auto shown = [&](int r) {
        const double cy = f.origin.y() + (r + 0.5) * f.cell;
        return r >= 0 && r < rows && cy >= area.top() && cy <= area.bottom();
    };
    p.save();
    p.setClipRect(area.adjusted(0, -lh / 2, 0, lh / 2), Qt::IntersectClip);
    const auto labelRect = [&](int r) {
        const double cy = f.origin.y() + (r + 0.5) * f.cell;
        return QRectF(area.left() + kPad, cy - lh / 2, textWidth, lh);
    };
    // Every stride-th label, minus those that would collide with an emphasised one.
    const auto nearEmphasis = [&](int r) {
        for (int e : {m_selectedRow, hover})
            if (e >= 0 && e != r && std::abs(e - r) * f.cell < lh)
                return true;
        return false;
    };
    p.setFont(m_labelFont);
    p.setPen(color);
    for (int r = r0 - r0 % stride; r <= r1; r += stride) {
        if (r == m_selectedRow || r == hover || nearEmphasis(r) || !shown(r))
            continue;
        p.drawText(labelRect(r), Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(rowLabel(r), Qt::ElideRight, textWidth));
    }
    p.setFont(bold);
    const QFontMetricsF fmBold(bold);
    for (int r : {hover, m_selectedRow}) {
        if (!shown(r))
            continue;
        const QString text = fmBold.elidedText(rowLabel(r), Qt::ElideRight, textWidth);
        if (r == m_selectedRow) {
            // The query-purple frame ties the label to its outlined row.
            const double h = std::max(lh, f.cell);
            const double w = fmBold.horizontalAdvance(text) + 8;
            const QRectF frame(area.right() - kPad + 4 - w, f.origin.y() + (r + 0.5) * f.cell - h / 2, w, h);
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(QPen(theme::query(), 2.0));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(frame.adjusted(1, 1, -1, -1), 3, 3);
        }
        p.setPen(r == m_selectedRow ? theme::query() : color);
        p.drawText(labelRect(r), Qt::AlignRight | Qt::AlignVCenter, text);
    }
    p.restore();
}

void HeatmapView::paintColumnLabels(QPainter &p, const Frame &f) const
{
    const int cols = static_cast<int>(m_values.cols());
    const QRectF area = f.columnLabelArea;
    const QFontMetricsF fm(m_labelFont);
    const double lh = fm.height();
    const bool rotated = rotatedColumnLabels(f.cell);
    const int stride = labelStride(f.cell, rotated);
    const double maxWidth = maxLabelWidth();
    const auto [c0, c1] = cellSpan(area.left(), f.cellArea.right(), f.origin.x(), f.cell, cols);
    // Only columns whose centre is shown get a label (rotated ones dip left into the corner a little).
    const auto shown = [&](int c) {
        const double cx = f.origin.x() + (c + 0.5) * f.cell;
        return c >= 0 && c < cols && cx >= area.left() && cx <= f.cellArea.right();
    };
    const int hover = f.interactive ? m_hoverColumn : -1;
    const int selected = m_selectedRow >= 0 ? m_selectedColumn : -1;
    const QColor color = m_columnLabelColor.isValid() ? m_columnLabelColor : palette().color(QPalette::Text);
    QFont bold = m_labelFont;
    bold.setBold(true);

    p.save();
    p.setClipRect(area.adjusted(-lh, 0, 0, 0), Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    const auto draw = [&](int c, const QFont &font) {
        const QFontMetricsF metrics(font);
        const double cx = f.origin.x() + (c + 0.5) * f.cell;
        if (!rotated) {
            const QString text = metrics.elidedText(columnLabel(c), Qt::ElideRight, f.cell - 2);
            p.drawText(QRectF(cx - f.cell / 2, area.top(), f.cell, area.bottom() - area.top() - 4),
                       Qt::AlignHCenter | Qt::AlignBottom, text);
            return;
        }
        const QString text = metrics.elidedText(columnLabel(c), Qt::ElideRight, maxWidth);
        p.save();
        p.translate(cx, area.bottom() - lh * 0.25 - 4);
        p.rotate(-60);
        p.drawText(QRectF(0, -lh / 2, metrics.horizontalAdvance(text) + 2, lh),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
        p.restore();
    };
    const double spacing = rotated ? f.cell * kSin60 : f.cell;
    const auto nearEmphasis = [&](int c) {
        for (int e : {selected, hover})
            if (e >= 0 && e != c && std::abs(e - c) * spacing < lh)
                return true;
        return false;
    };
    p.setFont(m_labelFont);
    p.setPen(color);
    for (int c = c0 - c0 % stride; c <= c1; c += stride)
        if (c != selected && c != hover && !nearEmphasis(c) && shown(c))
            draw(c, m_labelFont);
    p.setFont(bold);
    for (int c : {hover, selected}) {
        if (!shown(c))
            continue;
        p.setPen(c == selected ? theme::selection() : color);
        draw(c, bold);
    }
    p.restore();
}

void HeatmapView::paintLegend(QPainter &p, const QRectF &area) const
{
    const QFontMetricsF fm(m_labelFont);
    const double lh = fm.height();
    QFont bold = m_labelFont;
    bold.setBold(true);
    const QColor text = palette().color(QPalette::Text);

    p.save();
    p.setClipRect(area, Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setFont(bold);
    p.setPen(text);
    p.drawText(QRectF(area.left() + kPad, area.top(), area.width() - kPad, lh),
               Qt::AlignLeft | Qt::AlignVCenter, m_legendTitle);

    // Half a line above and below the bar, so the end tick labels are not clipped.
    const double spare = area.height() - (2 * lh + 4) - (m_hasBlocked ? lh + kBarWidth + 4 : 0);
    const double barHeight = std::clamp(spare, 2 * lh, kMaxBarHeight);
    const QRectF bar(area.left() + kPad, area.top() + lh + 4 + lh / 2, kBarWidth, barHeight);
    // High values at the top, as on every chart axis.
    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 16; ++i)
        gradient.setColorAt(i / 16.0, viridis(i / 16.0));
    p.fillRect(bar, gradient);
    p.setPen(QPen(palette().color(QPalette::Mid), 1.0));
    p.drawRect(bar);

    p.setFont(m_labelFont);
    const auto tick = [&](double value, double y) {
        p.setPen(QPen(text, 1.0));
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        p.drawText(QRectF(bar.right() + 6, y - lh / 2, area.right() - bar.right() - 6, lh),
                   Qt::AlignLeft | Qt::AlignVCenter, MatrixModel::formatValue(value, m_precision));
    };
    tick(m_hi, bar.top());
    tick(m_lo, bar.bottom());
    if (bar.height() >= 3 * lh)
        tick((m_lo + m_hi) / 2, bar.center().y());

    if (m_hasBlocked) {
        const QRectF swatch(bar.left(), bar.bottom() + lh, kBarWidth, kBarWidth);
        p.fillRect(swatch, theme::blocked());
        QVector<QLineF> lines;
        appendHatch(lines, swatch);
        p.setPen(QPen(hatchColor(), 1.0));
        p.drawLines(lines);
        p.setPen(text);
        p.drawText(
            QRectF(swatch.right() + 6, swatch.center().y() - lh / 2, area.right() - swatch.right() - 6, lh),
            Qt::AlignLeft | Qt::AlignVCenter, tr("−∞ masked"));
    }
    p.restore();
}

void HeatmapView::paintBanner(QPainter &p, const QRect &area) const
{
    QColor tint = theme::selection();
    tint.setAlpha(40);
    p.fillRect(area, palette().base());
    p.fillRect(area, tint);
    QFont bold = m_labelFont;
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRectF(area).adjusted(kPad, 0, -kPad, 0), Qt::AlignLeft | Qt::AlignVCenter,
               QFontMetricsF(bold).elidedText(tr("Click a cell to block or unblock it"), Qt::ElideRight,
                                              area.width() - 2 * kPad));
}

void HeatmapView::paintExport(QPainter &painter, const QRect &target) const
{
    painter.save();
    painter.fillRect(target, palette().base());
    if (m_values.size() > 0) {
        const Frame f = exportFrame(target);
        paintCells(painter, f, f.cellArea);
        paintRowLabels(painter, f);
        paintColumnLabels(painter, f);
        paintLegend(painter, f.legendArea);
        paintCorner(painter, QRectF(f.rowLabelArea.left(), f.columnLabelArea.top(), f.rowLabelArea.width(),
                                    f.columnLabelArea.height()));
    }
    painter.restore();
}

} // namespace attention
