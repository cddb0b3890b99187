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
constexpr double kMaxFitCell = 60.0; // fitting never makes cells bigger than this (at 11 pt)
constexpr int kPad = 8;              // space between the parts of the figure
constexpr int kAllLabelsTokens = 48; // up to this many, labels are never elided
constexpr int kLabelMaxChars = 12;   // beyond it, labels longer than this are elided
constexpr int kBarWidth = 16;
constexpr double kNumberPad = 2.0; // a number's clearance inside its cell, both sides together
constexpr double kMinSqueeze = 0.7;
constexpr double kMinLabelAngle = 30.0; // rotated column labels climb at least this steeply
constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxBarHeight = 320.0;
constexpr double kMinBarHeight = 80.0;
constexpr int kVectorExportCells = 64 * 64;
constexpr int kMaxExportSide = 4096;    // exportSizeHint's cap on the matrix part
constexpr int kMaxPrescaledSide = 2048; // larger exports draw the one image scaled by the painter

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

// "/" strokes across a cell; computed segments instead of a clip per cell, so SVG stays small.
void appendHatch(QVector<QLineF> &lines, const QRectF &cell)
{
    // Unantialiased lines cover the pixel below/right of their end points; stay inside the cell.
    const QRectF r = cell.adjusted(0, 0, -1, -1);
    const double w = r.width();
    const double h = r.height();
    const double step = std::max(5.0, std::min(w, h) / 6.0);
    // The stroke x + y = c, cut to the rectangle [0, w] × [0, h].
    for (double c = step; c < w + h; c += step) {
        const double x0 = std::max(0.0, c - h);
        const double x1 = std::min(c, w);
        lines.append(QLineF(r.left() + x0, r.top() + c - x0, r.left() + x1, r.top() + c - x1));
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
    updateAccessibleText();
}

void HeatmapView::updateAccessibleText()
{
    // What a screen reader says: the matrix (its legend title) and its shape, then the selected cell.
    setAccessibleName(
        m_values.size() == 0
            ? tr("Heatmap: empty")
            : tr("Heatmap of %1, %2 × %3").arg(m_legendTitle).arg(m_values.rows()).arg(m_values.cols()));
    setAccessibleDescription(m_selectedRow >= 0 && m_selectedColumn >= 0
                                 ? tr("Selected %1").arg(cellToolTip(m_selectedRow, m_selectedColumn))
                                 : tr("Arrow keys move between the cells"));
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
    updateAccessibleText();
    // A matrix of a new shape fits the view (small ones with big numbers, large ones whole); one of the
    // same shape (a toggle, a mask edit) keeps the user's zoom, if they zoomed.
    if (!sameShape)
        m_fitPending = true;
    if (m_fitPending) {
        fitToView();
    } else {
        chooseLabelFont(false, contentsRect().size());
        updateLayout();
        revealSelection();
    }
}

void HeatmapView::revealSelection()
{
    if (m_selectedRow >= 0 && !m_clicking)
        scrollToCell(m_selectedRow, m_selectedColumn, true);
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
    updateAccessibleText();
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
    m_imageDirty = true;
    // A hidden view (another tab, a closed dock) waits: the image is rebuilt when it is shown or painted.
    if (isVisible())
        ensureImage();
    viewport()->update();
    update();
}

void HeatmapView::ensureImage() const
{
    if (!m_imageDirty)
        return;
    m_imageDirty = false;
    ++m_imageRebuilds;
    const int rows = static_cast<int>(m_values.rows());
    const int cols = static_cast<int>(m_values.cols());
    if (rows == 0 || cols == 0) {
        m_image = QImage();
        return;
    }
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
    // The window's text zoom sets the widget's font; labels and numbers follow it, never below 11 pt.
    const QFont f = font();
    const int dpi = std::max(1, logicalDpiY());
    double points = f.pointSizeF();
    if (points <= 0) // pixel-sized font: convert back to points to apply the minimum
        points = f.pixelSize() * 72.0 / dpi;
    m_minPx = static_cast<int>(std::ceil(theme::kMinimumPointSize * dpi / 72.0 - 1e-9));
    m_basePx = std::max(m_minPx, static_cast<int>(std::ceil(points * dpi / 72.0 - 1e-9)));
    m_labelFont = f;
    m_labelFont.setPixelSize(m_basePx);
    setLabelPixelSize(-1); // measure at this size
}

void HeatmapView::setLabelPixelSize(int px)
{
    if (px > 0) {
        if (m_labelFont.pixelSize() == px)
            return;
        m_labelFont.setPixelSize(px);
    }
    // Measured in bold: the selected row's and column's labels are bold and must fit too.
    QFont bold = m_labelFont;
    bold.setBold(true);
    const QFontMetricsF fm(bold);
    m_rowLabelWidth = 0.0;
    for (int r = 0; r < m_values.rows(); ++r)
        m_rowLabelWidth = std::max(m_rowLabelWidth, fm.horizontalAdvance(rowLabel(r)));
    m_columnLabelWidth = 0.0;
    m_columnWidths.resize(static_cast<int>(m_values.cols()));
    for (int c = 0; c < m_values.cols(); ++c) {
        m_columnWidths[c] = fm.horizontalAdvance(columnLabel(c));
        m_columnLabelWidth = std::max(m_columnLabelWidth, m_columnWidths[c]);
    }
}

bool HeatmapView::elideLabels() const
{
    return std::max(m_values.rows(), m_values.cols()) > kAllLabelsTokens;
}

double HeatmapView::maxLabelWidth() const
{
    // Up to 48 tokens a label is as wide as it is; beyond, 12 characters, then "…".
    const double chars = QFontMetricsF(m_labelFont).averageCharWidth() * kLabelMaxChars;
    if (!elideLabels())
        return std::min(std::max(m_rowLabelWidth, m_columnLabelWidth) + 2, std::max(chars, m_labelRoom));
    return chars;
}

double HeatmapView::maxColumnLabelWidth() const
{
    // A few columns (a 300 × 8 result's dimensions) keep their names whole, whatever the rows.
    if (m_values.cols() <= kAllLabelsTokens && elideLabels())
        return std::min(
            m_columnLabelWidth + 2,
            std::max(QFontMetricsF(m_labelFont).averageCharWidth() * kLabelMaxChars, m_labelRoom));
    return maxLabelWidth();
}

double HeatmapView::columnAngle(double cw) const
{
    // Upright when the widest label fits its column; otherwise rotated just steeply enough that
    // neighbours one column apart do not overlap (cw·sin θ ≥ a line), and at most vertical.
    if (std::min(m_columnLabelWidth, maxColumnLabelWidth()) + 6.0 <= cw)
        return 0.0;
    const double lh = QFontMetricsF(m_labelFont).height();
    const double s = std::clamp(lh / std::max(cw, 1e-9), std::sin(kMinLabelAngle * kPi / 180), 1.0);
    return std::asin(s) * 180 / kPi;
}

int HeatmapView::rowStride(double ch) const
{
    // Neighbouring labels are ch apart; a line of text needs its height, so show every k-th.
    const double needed = QFontMetricsF(m_labelFont).height();
    return std::max(1, static_cast<int>(std::ceil(needed / ch - 1e-6)));
}

int HeatmapView::columnStride(double cw, double angle) const
{
    if (angle <= 0)
        return 1; // upright labels are narrower than their columns
    const double across = cw * std::sin(angle * kPi / 180);
    const double needed = QFontMetricsF(m_labelFont).height();
    return std::max(1, static_cast<int>(std::ceil(needed / across - 1e-6)));
}

int HeatmapView::rowLabelStride() const
{
    return rowStride(m_cellH);
}

int HeatmapView::columnLabelStride() const
{
    return columnStride(m_cellW, columnAngle(m_cellW));
}

QString HeatmapView::shownRowLabel(int row, const QFontMetricsF &fm, double width) const
{
    return fm.elidedText(rowLabel(row), Qt::ElideRight, width + 0.5);
}

QString HeatmapView::shownColumnLabel(int column, const QFontMetricsF &fm, double cw, double angle) const
{
    return fm.elidedText(columnLabel(column), Qt::ElideRight, angle <= 0 ? cw - 2 : maxColumnLabelWidth());
}

bool HeatmapView::labelsElided() const
{
    QFont bold = m_labelFont;
    bold.setBold(true);
    const QFontMetricsF fm(bold);
    const double rowWidth = m_margins.left - 2.0 * kPad;
    const double angle = columnAngle(m_cellW);
    for (int r = 0; r < m_values.rows(); ++r)
        if (shownRowLabel(r, fm, rowWidth) != rowLabel(r))
            return true;
    for (int c = 0; c < m_values.cols(); ++c)
        if (shownColumnLabel(c, fm, m_cellW, angle) != columnLabel(c))
            return true;
    return false;
}

HeatmapView::NumberStyle HeatmapView::numberStyleFor(double cw, double ch) const
{
    // Numbers grow with the cells (a projector wants them big) but never shrink below 11 pt, and follow
    // the widget's font: a zoomed window draws them bigger.
    NumberStyle style;
    int px = std::clamp(static_cast<int>(std::min(cw * 0.3, ch * 0.6)), m_basePx, 2 * m_basePx);
    style.font = m_labelFont;
    style.font.setBold(false);
    const auto width = [&] {
        const QFontMetricsF fm(style.font);
        return std::max(fm.horizontalAdvance(m_numberTemplate), fm.horizontalAdvance(QStringLiteral("−∞")));
    };
    const auto height = [&] { return QFontMetricsF(style.font).height(); };
    for (;; --px) {
        style.font.setPixelSize(px);
        if (px <= m_minPx || (width() + kNumberPad <= cw && height() <= ch))
            break;
    }
    // At the smallest size, squeeze the letters a little rather than show no numbers. A painter scale,
    // not QFont::setStretch, because it needs no condensed face and survives SVG export.
    style.squeeze = std::clamp((cw - kNumberPad) / width(), kMinSqueeze, 1.0);
    // One line of text high is enough: the digits sit inside ascent + descent.
    style.fits = width() * style.squeeze + kNumberPad <= cw + 1e-9 && height() <= ch + 0.5;
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

HeatmapView::Margins HeatmapView::marginsFor(double cw) const
{
    const QFontMetricsF fm(m_labelFont);
    const double lh = fm.height();
    QFont bold = m_labelFont;
    bold.setBold(true);
    const QFontMetricsF fmBold(bold);
    Margins m;
    if (m_values.size() == 0)
        return m;

    // Row labels whole (measured in bold, as the selected one is drawn); beyond 48 tokens, 12 characters.
    const double rowText =
        elideLabels()
            ? std::min(fmBold.horizontalAdvance(QString(kLabelMaxChars, QChar('x'))), m_rowLabelWidth)
            : std::min(m_rowLabelWidth, maxLabelWidth());
    double left = rowText + 2 * kPad + 1;
    const double corner =
        std::max(fm.horizontalAdvance(m_rowAxisTitle), fm.horizontalAdvance(m_columnAxisTitle));
    if (corner > 0)
        left = std::max(left, corner + kPad + lh);
    m.left = static_cast<int>(std::ceil(left));

    const double angle = columnAngle(cw);
    const double colText = std::min(m_columnLabelWidth, maxColumnLabelWidth());
    const double sinA = std::sin(angle * kPi / 180);
    const double cosA = std::cos(angle * kPi / 180);
    double top = angle > 0 ? colText * sinA + lh * cosA + kPad + 4 : lh + kPad;
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
    right += 2 * kPad;
    // Rotated labels climb to the right: the last columns' labels reach past the cells, over the legend.
    if (angle > 0) {
        const double cols = static_cast<double>(m_values.cols());
        for (int c = 0; c < m_columnWidths.size(); ++c) {
            const double reach =
                std::min(m_columnWidths[c], colText) * cosA + lh * sinA / 2 - (cols - c - 0.5) * cw;
            right = std::max(right, reach + kPad);
        }
    }
    m.right = static_cast<int>(std::ceil(right));
    return m;
}

double HeatmapView::maxFitCell() const
{
    // A bigger window font makes bigger cells (60 px at 11 pt).
    return kMaxFitCell * m_basePx / std::max(1, m_minPx);
}

QSizeF HeatmapView::fittedCells(const QSize &avail) const
{
    if (m_values.size() == 0)
        return {m_cellW, m_cellH};
    const double cols = static_cast<double>(m_values.cols());
    const double rows = static_cast<double>(m_values.rows());
    const double cap = std::min(maxFitCell(), kMaxCell);
    // Width and height fit independently: the width depends on the row labels and the legend, and
    // (through the rotated labels' reach) a little on itself, which settles in a few rounds; the height
    // then follows from the column labels' angle at that width. Shave a hair off so rounding never
    // brings back a scroll bar.
    double cw = cap;
    for (int round = 0; round < 4; ++round) {
        const Margins m = marginsFor(cw);
        cw = std::clamp((avail.width() - m.left - m.right) / cols * (1 - 1e-9), kMinCell, cap);
    }
    const Margins m = marginsFor(cw);
    const double w = (avail.width() - m.left - m.right) / cols * (1 - 1e-9);
    cw = std::clamp(std::min(cw, w), kMinCell, cap);
    const Margins mm = marginsFor(cw);
    const double ch =
        std::clamp((avail.height() - mm.top - mm.bottom - bannerHeight()) / rows * (1 - 1e-9), kMinCell, cap);
    return {cw, ch};
}

void HeatmapView::chooseLabelFont(bool fitting, const QSize &avail)
{
    m_labelRoom = 0.4 * avail.width();
    // Beyond 48 tokens the labels take the smallest readable size (11 pt: at a zoom, more of them show)
    // and thin out (every k-th) or elide.
    if (elideLabels() || m_values.size() == 0) {
        setLabelPixelSize(m_values.size() == 0 ? m_basePx : std::min(m_basePx, m_minPx));
        return;
    }
    // Up to 48, the largest size from the widget's font down to 11 pt at which every row and column
    // gets its whole label; if none does, 11 pt (and then every k-th label).
    for (int px = m_basePx; px >= m_minPx; --px) {
        setLabelPixelSize(px);
        const QSizeF cells = fitting ? fittedCells(avail) : QSizeF(m_cellW, m_cellH);
        const Margins m = marginsFor(cells.width());
        const bool fits = rowStride(cells.height()) == 1 &&
                          columnStride(cells.width(), columnAngle(cells.width())) == 1 &&
                          (!fitting || (m.left <= avail.width() * 0.4 && m.top <= avail.height() * 0.45));
        if (fits)
            return;
    }
    setLabelPixelSize(m_minPx);
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
    m_labelRoom = 0.4 * contentsRect().width();
    m_margins = marginsFor(m_cellW);
    m_numberStyle = numberStyleFor(m_cellW, m_cellH);
    // The view decides both scroll bars here, from the whole widget's size, and forces them on or off.
    // Qt's "as needed" bars decide later, from ranges set for the viewport as it was before the bars
    // changed it; they could disagree with this layout and with each other, and each answer resized the
    // viewport, which laid out again: the bars came and went forever. Forced bars are a function of the
    // widget's size and the cell size only, so laying out again at the same size changes nothing.
    const QRect avail = contentsRect();
    const int contentWidth = static_cast<int>(std::ceil(m_values.cols() * m_cellW - 1e-6));
    const int contentHeight = static_cast<int>(std::ceil(m_values.rows() * m_cellH - 1e-6));
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
    const int w = static_cast<int>(std::ceil(m_values.cols() * m_cellW - 1e-6));
    const int h = static_cast<int>(std::ceil(m_values.rows() * m_cellH - 1e-6));
    horizontalScrollBar()->setRange(0, std::max(0, w - vp.width()));
    horizontalScrollBar()->setPageStep(vp.width());
    horizontalScrollBar()->setSingleStep(std::max(16, static_cast<int>(m_cellW)));
    verticalScrollBar()->setRange(0, std::max(0, h - vp.height()));
    verticalScrollBar()->setPageStep(vp.height());
    verticalScrollBar()->setSingleStep(std::max(16, static_cast<int>(m_cellH)));
}

QPoint HeatmapView::cellAt(const QPoint &viewportPos) const
{
    if (m_values.size() == 0 || !viewport()->rect().contains(viewportPos))
        return {-1, -1};
    // A pixel belongs to the cell that holds its centre, the same rule the unsmoothed image follows.
    const double x = viewportPos.x() + 0.5 + horizontalScrollBar()->value();
    const double y = viewportPos.y() + 0.5 + verticalScrollBar()->value();
    const int c = static_cast<int>(std::floor(x / m_cellW));
    const int r = static_cast<int>(std::floor(y / m_cellH));
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
    const int left = static_cast<int>(std::ceil(column * m_cellW - h - 0.5));
    const int right = static_cast<int>(std::ceil((column + 1) * m_cellW - h - 0.5)) - 1;
    const int top = static_cast<int>(std::ceil(row * m_cellH - v - 0.5));
    const int bottom = static_cast<int>(std::ceil((row + 1) * m_cellH - v - 0.5)) - 1;
    return QRect(QPoint(left, top), QPoint(right, bottom));
}

HeatmapView::Frame HeatmapView::screenFrame() const
{
    Frame f;
    const QRect vp = viewport()->geometry();
    f.cw = m_cellW;
    f.ch = m_cellH;
    f.angle = columnAngle(m_cellW);
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
    // The same fit as the screen's, into the target less a pad all round: whole labels, whole matrix.
    const QSize avail(target.width() - 2 * kPad, target.height() - 2 * kPad);
    double cw = m_cellW;
    for (int round = 0; round < 4; ++round) {
        const Margins m = marginsFor(cw);
        cw = std::max(kMinCell, (avail.width() - m.left - m.right) / double(cols) * (1 - 1e-9));
    }
    const Margins m = marginsFor(cw);
    const double ch = std::max(kMinCell, (avail.height() - m.top - m.bottom) / double(rows) * (1 - 1e-9));
    f.cw = cw;
    f.ch = ch;
    f.angle = columnAngle(cw);
    f.origin = QPointF(target.left() + kPad + m.left, target.top() + kPad + m.top);
    f.cellArea = QRectF(f.origin, QSizeF(cols * cw, rows * ch));
    f.rowLabelArea = QRectF(target.left() + kPad, f.origin.y(), m.left, rows * ch);
    f.columnLabelArea = QRectF(f.origin.x(), target.top() + kPad, cols * cw + m.right, m.top);
    f.legendArea =
        QRectF(f.cellArea.right(), f.origin.y(), m.right, std::max(rows * ch, legendMinimumHeight()));
    f.vector = static_cast<qint64>(rows) * cols <= kVectorExportCells;
    return f;
}

QSize HeatmapView::exportSizeHint() const
{
    const int rows = static_cast<int>(m_values.rows());
    const int cols = static_cast<int>(m_values.cols());
    if (rows == 0 || cols == 0)
        return {200, 100};
    const QScopedValueRollback<double> whole(m_labelRoom, std::numeric_limits<double>::infinity());
    // A 2,048-token matrix at a zoomed-in cell size would be a 100,000-pixel image; cap the long side.
    const double cap = std::max(kMinCell, double(kMaxExportSide) / std::max(rows, cols));
    const double cw = std::min(m_cellW, cap);
    const double ch = std::min(m_cellH, cap);
    const Margins m = marginsFor(cw);
    // Rounded up by a pixel so that exportFrame, fitting this size again, finds cells no smaller.
    const double w = 2 * kPad + m.left + cols * cw + m.right + 1;
    const double h = 2 * kPad + m.top + std::max(rows * ch + m.bottom, legendMinimumHeight()) + 1;
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
    applyCellSize(QSizeF(pixels, pixels), QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
}

void HeatmapView::applyCellSize(const QSizeF &cells, const QPointF &anchor)
{
    // Keep the matrix point under `anchor` (viewport coordinates) where it is.
    const double cx = (anchor.x() + horizontalScrollBar()->value()) / m_cellW;
    const double cy = (anchor.y() + verticalScrollBar()->value()) / m_cellH;
    m_cellW = std::clamp(cells.width(), kMinCell, kMaxCell);
    m_cellH = std::clamp(cells.height(), kMinCell, kMaxCell);
    if (!m_fitPending)
        chooseLabelFont(false, contentsRect().size());
    updateLayout();
    horizontalScrollBar()->setValue(static_cast<int>(std::lround(cx * m_cellW - anchor.x())));
    verticalScrollBar()->setValue(static_cast<int>(std::lround(cy * m_cellH - anchor.y())));
}

namespace {
double zoomed(double cell, double factor)
{
    const double next = cell * factor;
    return next >= 8 ? std::round(next) : next;
}
} // namespace

void HeatmapView::zoomIn()
{
    // Both sides grow by the same factor, so cells keep the shape the fit gave them.
    m_fitPending = false;
    applyCellSize(QSizeF(zoomed(m_cellW, kZoomStep), zoomed(m_cellH, kZoomStep)),
                  QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
}

void HeatmapView::zoomOut()
{
    m_fitPending = false;
    applyCellSize(QSizeF(zoomed(m_cellW, 1 / kZoomStep), zoomed(m_cellH, 1 / kZoomStep)),
                  QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
}

void HeatmapView::fitToView()
{
    if (m_values.size() == 0)
        return;
    const QRect avail = contentsRect();
    m_fittedSize = avail.size();
    // The whole matrix, width and height fitted independently. The answer depends on the size, the
    // labels and the fonts alone, not on the cells before, so fitting again at the same size changes
    // nothing, and the forced scroll bars stay off.
    chooseLabelFont(true, avail.size());
    const QSizeF cells = fittedCells(avail.size());
    const bool keepPending = m_fitPending;
    m_fitPending = true; // applyCellSize keeps the font just chosen
    applyCellSize(cells, QPointF(0, 0));
    horizontalScrollBar()->setValue(0);
    verticalScrollBar()->setValue(0);
    revealSelection();
    m_fitPending = keepPending;
}

void HeatmapView::scrollToCell(int row, int column, bool gently)
{
    const QSize vp = viewport()->size();
    if (gently) {
        const QPoint centre = cellRect(row, std::max(0, column)).center();
        if (centre.y() >= 0 && centre.y() < vp.height())
            row = -1;
        if (column < 0 || (centre.x() >= 0 && centre.x() < vp.width()))
            column = -1;
    }
    // A little context around the cell, so its outline and enlarged label are not cut at the edge.
    const int context = std::min(vp.height() / 4, static_cast<int>(QFontMetricsF(m_labelFont).height() / 2));
    if (row >= 0) {
        const int top = static_cast<int>(std::floor(row * m_cellH)) - context;
        const int bottom = static_cast<int>(std::ceil((row + 1) * m_cellH)) + context;
        QScrollBar *bar = verticalScrollBar();
        if (top < bar->value())
            bar->setValue(top);
        else if (bottom > bar->value() + vp.height())
            bar->setValue(bottom - vp.height());
    }
    if (column >= 0) {
        const int left = static_cast<int>(std::floor(column * m_cellW)) - context;
        const int right = static_cast<int>(std::ceil((column + 1) * m_cellW)) + context;
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
    if (m_fitPending && contentsRect().size() != m_fittedSize) {
        fitToView();
    } else {
        updateLayout();
        revealSelection();
    }
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
    updateAccessibleText();
    if (row >= 0) {
        if (!m_clicking)
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
    const int row = static_cast<int>(std::floor(y / m_cellH));
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
        if (hasFocus())
            theme::drawFocusFrame(p, rect(), this);
        return handled;
    }
    case QEvent::FocusIn:
    case QEvent::FocusOut:
        update(); // the focus frame, drawn over the margins and the cells alike
        viewport()->update();
        break;
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
    // What the click sets off (a new matrix, the window selecting the cell again) does not scroll either.
    const QScopedValueRollback<bool> clicking(m_clicking, true);
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
        const double factor = std::pow(kZoomStep, delta / 120.0);
        applyCellSize(QSizeF(zoomed(m_cellW, factor), zoomed(m_cellH, factor)), event->position());
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
        // The window's text zoom: labels, numbers and cells scale with the font. A fitted view fits
        // again; cells the user zoomed scale by the same factor as the font.
        const int before = m_basePx;
        recomputeFonts();
        if (m_fitPending) {
            fitToView();
        } else {
            const double factor = double(m_basePx) / std::max(1, before);
            applyCellSize(QSizeF(m_cellW * factor, m_cellH * factor), QPointF(0, 0));
            revealSelection();
        }
    } else if (event->type() == QEvent::PaletteChange) {
        update();
        viewport()->update();
    }
}

void HeatmapView::showEvent(QShowEvent *event)
{
    QAbstractScrollArea::showEvent(event);
    ensureImage(); // what changed while hidden
}

void HeatmapView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    const QPoint offset = viewport()->geometry().topLeft();
    p.translate(-offset); // the frame is in widget coordinates, shared with the margins
    const Frame f = screenFrame();
    for (const QRect &r : event->region())
        paintCells(p, f, QRectF(r.translated(offset)));
    if (hasFocus()) // the same frame as over the margins, where it crosses the cells
        theme::drawFocusFrame(p, rect(), this);
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
    const auto [c0, c1] = cellSpan(area.left(), area.right(), f.origin.x(), f.cw, cols);
    const auto [r0, r1] = cellSpan(area.top(), area.bottom(), f.origin.y(), f.ch, rows);
    if (c0 > c1 || r0 > r1)
        return;
    ensureImage();
    const double cw = f.cw;
    const double ch = f.ch;
    const double cell = std::min(cw, ch);
    const auto rectOf = [&](int r, int c) {
        return QRectF(f.origin.x() + c * cw, f.origin.y() + r * ch, cw, ch);
    };

    p.save();
    p.setClipRect(area, Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QRectF target(f.origin.x() + c0 * cw, f.origin.y() + r0 * ch, (c1 - c0 + 1) * cw,
                        (r1 - r0 + 1) * ch);
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
    } else if (!f.interactive && cols * cw <= kMaxPrescaledSide && rows * ch <= kMaxPrescaledSide &&
               cell >= 2) {
        // Exports: scale up here, so an SVG viewer's smoothing cannot blur the cell edges.
        const QImage big =
            m_image.scaled(static_cast<int>(std::round(cols * cw)), static_cast<int>(std::round(rows * ch)),
                           Qt::IgnoreAspectRatio, Qt::FastTransformation);
        p.drawImage(QRectF(f.origin, QSizeF(cols * cw, rows * ch)), big);
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

    const NumberStyle numbers = f.interactive ? m_numberStyle : numberStyleFor(cw, ch);
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
        p.drawRect(QRectF(f.origin.x(), f.origin.y() + m_selectedRow * ch, cols * cw, ch)
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
    const int stride = rowStride(f.ch);
    const auto [r0, r1] = cellSpan(area.top(), area.bottom(), f.origin.y(), f.ch, rows);
    const int hover = f.interactive ? m_hoverRow : -1;
    const QColor color = m_rowLabelColor.isValid() ? m_rowLabelColor : palette().color(QPalette::Text);
    const double textWidth = area.width() - 2 * kPad;
    QFont bold = m_labelFont;
    bold.setBold(true);

    // Only rows whose centre is shown get a label; it may overhang the strip by half a line.
    const auto shown = [&](int r) {
        const double cy = f.origin.y() + (r + 0.5) * f.ch;
        return r >= 0 && r < rows && cy >= area.top() && cy <= area.bottom();
    };
    p.save();
    p.setClipRect(area.adjusted(0, -lh / 2, 0, lh / 2), Qt::IntersectClip);
    const auto labelRect = [&](int r) {
        const double cy = f.origin.y() + (r + 0.5) * f.ch;
        return QRectF(area.left() + kPad, cy - lh / 2, textWidth, lh);
    };
    // Every stride-th label, minus those that would collide with an emphasised one.
    const auto nearEmphasis = [&](int r) {
        for (int e : {m_selectedRow, hover})
            if (e >= 0 && e != r && std::abs(e - r) * f.ch < lh)
                return true;
        return false;
    };
    p.setFont(m_labelFont);
    p.setPen(color);
    for (int r = r0 - r0 % stride; r <= r1; r += stride) {
        if (r == m_selectedRow || r == hover || nearEmphasis(r) || !shown(r))
            continue;
        p.drawText(labelRect(r), Qt::AlignRight | Qt::AlignVCenter, shownRowLabel(r, fm, textWidth));
    }
    p.setFont(bold);
    const QFontMetricsF fmBold(bold);
    for (int r : {hover, m_selectedRow}) {
        if (!shown(r))
            continue;
        const QString text = shownRowLabel(r, fmBold, textWidth);
        if (r == m_selectedRow) {
            // The query-purple frame ties the label to its outlined row.
            const double h = std::max(lh, f.ch);
            const double w = fmBold.horizontalAdvance(text) + 8;
            const QRectF frame(area.right() - kPad + 4 - w, f.origin.y() + (r + 0.5) * f.ch - h / 2, w, h);
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
    const bool rotated = f.angle > 0;
    const int stride = columnStride(f.cw, f.angle);
    const double sinA = std::sin(f.angle * kPi / 180);
    const double cosA = std::cos(f.angle * kPi / 180);
    const auto [c0, c1] = cellSpan(area.left(), f.cellArea.right(), f.origin.x(), f.cw, cols);
    // Only columns whose centre is shown get a label (rotated ones dip left into the corner a little).
    const auto shown = [&](int c) {
        const double cx = f.origin.x() + (c + 0.5) * f.cw;
        return c >= 0 && c < cols && cx >= area.left() && cx <= f.cellArea.right();
    };
    const int hover = f.interactive ? m_hoverColumn : -1;
    const int selected = m_selectedRow >= 0 ? m_selectedColumn : -1;
    const QColor color = m_columnLabelColor.isValid() ? m_columnLabelColor : palette().color(QPalette::Text);
    QFont bold = m_labelFont;
    bold.setBold(true);

    p.save();
    // Rotated labels dip left into the corner and climb right over the legend, as far as the margin.
    p.setClipRect(area.adjusted(-lh, 0, lh, 0), Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    const auto draw = [&](int c, const QFont &font) {
        const QFontMetricsF metrics(font);
        const double cx = f.origin.x() + (c + 0.5) * f.cw;
        const QString text = shownColumnLabel(c, metrics, f.cw, f.angle);
        if (!rotated) {
            p.drawText(QRectF(cx - f.cw / 2, area.top(), f.cw, area.bottom() - area.top() - 4),
                       Qt::AlignHCenter | Qt::AlignBottom, text);
            return;
        }
        p.save();
        // The text starts at its column, its lower left corner at the bottom of the strip.
        p.translate(cx, area.bottom() - lh / 2 * cosA - 4);
        p.rotate(-f.angle);
        p.drawText(QRectF(0, -lh / 2, metrics.horizontalAdvance(text) + 2, lh),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
        p.restore();
    };
    const double spacing = rotated ? f.cw * sinA : f.cw;
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
    const QScopedValueRollback<double> whole(m_labelRoom, std::numeric_limits<double>::infinity());
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
