// The attention heatmap: queries (rows) × keys (columns), readable from 3 tokens to 2,048.
#pragma once

#include <Eigen/Dense>
#include <QAbstractScrollArea>
#include <QFont>
#include <QImage>
#include <QStringList>
#include <QVector>
#include <algorithm>
#include <limits>

namespace attention {

class HeatmapView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    // The view turns its scroll bars on and off itself (as ScrollBarAlwaysOn or ScrollBarAlwaysOff policies,
    // decided with the layout), so that a layout settles in one pass at every size.
    explicit HeatmapView(QWidget *parent = nullptr);

    // values: (rows, cols). A cell equal to −∞ is blocked (masked): grey, hatched, "−∞" when numbers show.
    void setMatrix(const Eigen::MatrixXd &values, const QStringList &rowLabels,
                   const QStringList &columnLabels);
    const Eigen::MatrixXd &matrix() const { return m_values; }

    // The colour scale: a fixed range (0..1 for weights) or the matrix's finite min..max (the default).
    void setColorRange(double lo, double hi);
    void setAutomaticColorRange();
    double colorMinimum() const { return m_lo; }
    double colorMaximum() const { return m_hi; }
    // The word under the legend's colour bar, e.g. "weight" or "score".
    void setLegendTitle(const QString &title);
    QString legendTitle() const { return m_legendTitle; }
    // Label text colours, e.g. theme::query() and theme::key() when rows are queries and columns keys.
    // An invalid colour means the palette's text colour (the default).
    void setLabelColors(const QColor &rows, const QColor &columns);
    // Short axis names shown in the top-left corner, e.g. "queries ↓" and "keys →". Empty hides them.
    void setAxisTitles(const QString &rows, const QString &columns);

    void setPrecision(int decimals);
    int precision() const { return m_precision; }

    // -1 = none. The row gets a query-purple outline, the cell the pink selection outline.
    void setSelection(int row, int column);
    int selectedRow() const { return m_selectedRow; }
    int selectedColumn() const { return m_selectedColumn; }

    // Square cells of `pixels` (the user's zoom). Fitting the view sizes width and height independently,
    // so cells may be wider than tall: cellSize() is the smaller side, cellWidth()/cellHeight() each side.
    void setCellSize(double pixels);
    double cellSize() const { return std::min(m_cellW, m_cellH); }
    double cellWidth() const { return m_cellW; }
    double cellHeight() const { return m_cellH; }
    void zoomIn();
    void zoomOut();
    void fitToView();
    // Scrolls the selected row and cell into view (after a new matrix or a fit).
    void revealSelection();

    void setMaskEditMode(bool on);
    bool maskEditMode() const { return m_maskEdit; }

    bool numbersVisible() const;
    // The fonts the screen draws with now: the labels' (between theme::kMinimumPointSize and the widget's
    // font) and the cell numbers' (never below theme::kMinimumPointSize). Pixel-sized.
    QFont labelFont() const { return m_labelFont; }
    QFont numberFont() const { return m_numberStyle.font; }
    // True when some row or column label on screen is shortened with "…" (only beyond 48 tokens).
    bool labelsElided() const;
    // Every k-th row / column gets a label: 1 when every label is drawn.
    int rowLabelStride() const;
    int columnLabelStride() const;
    // The column labels' angle in degrees: 0 upright, up to 90 when the columns are narrow.
    double columnLabelAngle() const { return columnAngle(m_cellW); }
    // How often the one-pixel-per-cell image was recomputed (it waits while the view is hidden).
    int imageRebuilds() const { return m_imageRebuilds; }
    // (column, row) as QPoint(x = column, y = row), or (-1, -1) outside the cells.
    QPoint cellAt(const QPoint &viewportPos) const;
    // In viewport coordinates.
    QRect cellRect(int row, int column) const;

    // The whole heatmap (labels, cells, legend) regardless of scrolling, for PNG/SVG export.
    void paintExport(QPainter &painter, const QRect &target) const;
    QSize exportSizeHint() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void cellHovered(int row, int column); // (-1, -1) when the mouse leaves the cells
    void cellClicked(int row, int column);
    void rowLabelClicked(int row);

protected:
    bool event(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    // Where each part goes, in the coordinates of whatever painter draws it.
    struct Frame
    {
        double cw = 1.0;    // cell width
        double ch = 1.0;    // cell height
        double angle = 0.0; // column labels, degrees
        QPointF origin;         // top-left corner of cell (0, 0)
        QRectF cellArea;        // the part of the cells that is shown
        QRectF rowLabelArea;    // left of the cells, as tall as cellArea
        QRectF columnLabelArea; // above the cells, as wide as cellArea plus the legend
        QRectF legendArea;
        bool vector = false;      // one rectangle per cell instead of the image (small exports)
        bool interactive = false; // draw the hover outline
    };
    struct Margins
    {
        int left = 0;
        int top = 0; // column labels only; the mask-edit banner comes on top of it
        int right = 0;
        int bottom = 0; // room for the last row's label, which is centred on its row
    };
    struct Span
    {
        int first = 0;
        int last = -1; // inclusive
    };

    struct BarExtents
    {
        int horizontal = 0; // the height the horizontal bar takes from the viewport
        int vertical = 0;   // the width the vertical bar takes
    };

    Margins marginsFor(double cw) const;
    BarExtents barExtents() const;
    int bannerHeight() const;
    double columnAngle(double cw) const;
    int rowStride(double ch) const;
    int columnStride(double cw, double angle) const;
    bool elideLabels() const;
    double maxColumnLabelWidth() const;
    double maxLabelWidth() const;
    QString shownRowLabel(int row, const QFontMetricsF &fm, double width) const;
    QString shownColumnLabel(int column, const QFontMetricsF &fm, double cw, double angle) const;
    // Cells that show the whole matrix in `avail` with the current label font.
    QSizeF fittedCells(const QSize &avail) const;
    double maxFitCell() const;
    void setLabelPixelSize(int px);
    void chooseLabelFont(bool fitting, const QSize &avail);
    // How cell numbers are drawn at a given cell size.
    struct NumberStyle
    {
        QFont font;
        double squeeze = 1.0; // horizontal scale, down to 0.7, so "0.00" fits 26 px at 11 pt
        bool fits = false;
    };
    NumberStyle numberStyleFor(double cw, double ch) const;
    void scanValues();
    // Marks the image stale; it is recomputed now only if the view is visible, else on show or paint.
    void rebuildImage();
    void ensureImage() const;
    void recomputeNumberTemplate();
    void recomputeFonts();
    void updateAccessibleText();
    void applyCellSize(const QSizeF &cells, const QPointF &anchor);
    QString rowLabel(int row) const;
    QString columnLabel(int column) const;
    double legendMinimumHeight() const;
    void updateLayout();
    void layoutForNewSize();
    void updateScrollBars();
    // gently: leave it be if the cell's centre is already shown.
    void scrollToCell(int row, int column, bool gently = false);
    void setHovered(int row, int column);
    void moveSelection(int dRow, int dColumn);
    QRect rowLabelStrip() const;
    QRect columnLabelStrip() const;
    QRect legendStrip() const;
    QRect bannerRect() const;
    Frame screenFrame() const;
    Frame exportFrame(const QRect &target) const;
    int rowLabelAt(const QPoint &widgetPos) const;
    QRgb colorOf(double value) const;
    QString cellToolTip(int row, int column) const;

    void paintCells(QPainter &p, const Frame &f, const QRectF &dirty) const;
    void paintRowLabels(QPainter &p, const Frame &f) const;
    void paintColumnLabels(QPainter &p, const Frame &f) const;
    void paintLegend(QPainter &p, const QRectF &area) const;
    void paintBanner(QPainter &p, const QRect &area) const;
    void paintMargins(QPainter &p) const;
    void paintCorner(QPainter &p, const QRectF &area) const;

    Eigen::MatrixXd m_values;
    QStringList m_rowLabels;
    QStringList m_columnLabels;
    mutable QImage m_image; // one pixel per cell; scaled without smoothing so cells stay crisp
    mutable bool m_imageDirty = true;
    mutable int m_imageRebuilds = 0;
    bool m_automaticRange = true;
    double m_lo = 0.0;
    double m_hi = 1.0;
    bool m_hasBlocked = false;
    QString m_legendTitle = tr("value");
    int m_precision = 2;
    QString m_numberTemplate = QStringLiteral("0.00"); // the widest number the matrix can print
    double m_cellW = 48.0;
    double m_cellH = 48.0;
    int m_selectedRow = -1;
    int m_selectedColumn = -1;
    int m_hoverRow = -1;
    int m_hoverColumn = -1;
    bool m_maskEdit = false;
    QColor m_rowLabelColor;
    QColor m_columnLabelColor;
    QString m_rowAxisTitle;
    QString m_columnAxisTitle;
    QFont m_labelFont; // pixel-sized so PNG and SVG exports measure text as the screen does
    int m_basePx = 15; // the widget's font in pixels, at least theme::kMinimumPointSize
    int m_minPx = 15;  // theme::kMinimumPointSize in pixels
    NumberStyle m_numberStyle;
    double m_rowLabelWidth = 0.0;    // widest row label in bold, before eliding
    double m_columnLabelWidth = 0.0; // widest column label in bold, before eliding
    QVector<double> m_columnWidths;  // each column label in bold, before eliding
    Margins m_margins;
    int m_extraRight = 0; // unused width when the matrix is narrower than the view: the legend hugs the cells
    bool m_fitPending = false; // a large matrix keeps fitting the view until the user zooms
    QSize m_fittedSize;        // contentsRect() at the last fit
    // On screen, whole labels may take at most this many pixels (40 % of the view's width, never less
    // than 12 characters); longer ones are elided. Exports lift the limit: they draw every label whole.
    mutable double m_labelRoom = std::numeric_limits<double>::infinity();
    bool m_clicking = false; // a click selects the cell under the mouse: no scrolling under it
    bool m_inLayout = false;
    bool m_inViewResize = false; // QAbstractScrollArea is laying out for a resize of the view
};

} // namespace attention
