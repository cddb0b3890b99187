// The attention heatmap: queries (rows) × keys (columns), readable from 3 tokens to 2,048.
#pragma once

#include <Eigen/Dense>
#include <QAbstractScrollArea>
#include <QFont>
#include <QImage>
#include <QStringList>

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

    void setCellSize(double pixels);
    double cellSize() const { return m_cell; }
    void zoomIn();
    void zoomOut();
    void fitToView();
    // Scrolls the selected row and cell into view (after a new matrix or a fit).
    void revealSelection();

    void setMaskEditMode(bool on);
    bool maskEditMode() const { return m_maskEdit; }

    bool numbersVisible() const;
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

private:
    // Where each part goes, in the coordinates of whatever painter draws it.
    struct Frame
    {
        double cell = 1.0;
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

    Margins marginsFor(double cell) const;
    Margins marginsWith(bool rotatedLabels) const;
    BarExtents barExtents() const;
    int bannerHeight() const;
    bool rotatedColumnLabels(double cell) const;
    int labelStride(double cell, bool rotated) const;
    double maxLabelWidth() const;
    // How cell numbers are drawn at a given cell size.
    struct NumberStyle
    {
        QFont font;
        double squeeze = 1.0; // horizontal scale, down to 0.8, so "−2.70" fits 48 px at 11 pt
        bool fits = false;
    };
    NumberStyle numberStyleFor(double cell) const;
    void scanValues();
    void rebuildImage();
    void recomputeNumberTemplate();
    void recomputeFonts();
    void applyCellSize(double pixels, const QPointF &anchor);
    QString rowLabel(int row) const;
    QString columnLabel(int column) const;
    double legendMinimumHeight() const;
    void updateLayout();
    void layoutForNewSize();
    void updateScrollBars();
    void scrollToCell(int row, int column);
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
    QImage m_image; // one pixel per cell; scaled without smoothing so cells stay crisp
    bool m_automaticRange = true;
    double m_lo = 0.0;
    double m_hi = 1.0;
    bool m_hasBlocked = false;
    QString m_legendTitle = tr("value");
    int m_precision = 2;
    QString m_numberTemplate = QStringLiteral("0.00"); // the widest number the matrix can print
    double m_cell = 48.0;
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
    NumberStyle m_numberStyle;
    double m_rowLabelWidth = 0.0;    // widest row label, before eliding
    double m_columnLabelWidth = 0.0; // widest column label, before eliding
    Margins m_margins;
    int m_extraRight = 0; // unused width when the matrix is narrower than the view: the legend hugs the cells
    bool m_fitPending = false; // a large matrix keeps fitting the view until the user zooms
    QSize m_fittedSize;        // contentsRect() at the last fit
    bool m_inLayout = false;
    bool m_inViewResize = false; // QAbstractScrollArea is laying out for a resize of the view
};

} // namespace attention
