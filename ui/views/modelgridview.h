// The model view: every layer × head of a trace as a small heatmap, plus each layer's head average.
#pragma once

#include <QFont>
#include <QFontMetrics>
#include <QImage>
#include <QRect>
#include <QVector>
#include <QWidget>

namespace attention {

struct AttentionTrace;

class ModelGridView : public QWidget
{
    Q_OBJECT
public:
    explicit ModelGridView(QWidget *parent = nullptr);

    // Builds one thumbnail per head (and per layer average) and keeps nothing else of the trace, so
    // the caller may free it afterwards. nullptr clears the view.
    void setTrace(const AttentionTrace *trace);
    // head == -1 is the layer's "average" column. Out of range clears the outline.
    void setSelected(int layer, int head);
    int selectedLayer() const { return m_selectedLayer; }
    int selectedHead() const { return m_selectedHead; }
    // Outlines that query's row in every thumbnail; -1 = none.
    void setSelectedQuery(int row);
    int selectedQuery() const { return m_selectedQuery; }

    int layerCount() const { return m_layers; }
    int headCount() const { return m_heads; }
    // The thumbnail of (layer, head) in widget coordinates; head -1 = the average column. Empty when out
    // of range.
    QRect cellRect(int layer, int head) const;

    // Thumbnail side in pixels, as laid out for the current size (0 with no trace).
    int thumbnailSide() const { return m_cell; }
    // True when heads run down and layers across (chosen in a tall, narrow space).
    bool isTransposed() const { return m_transposed; }
    // The font the row and column labels use now: the widget's, up to 1.5× larger with large thumbnails.
    QFont labelFont() const { return m_labelFont; }
    // The title above the grid and where it is drawn, wrapped (bold, in labelFont's size), beside the legend.
    QString title() const;
    QRect titleTextRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void headActivated(int layer, int head); // head -1 = the layer's average

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Cell
    {
        int layer = -1;
        int head = -1; // -1 = average
        bool valid() const { return layer >= 0; }
    };

    int columnCount() const { return m_heads + 1; }
    // Index into m_thumbnails; the average is the last column of each layer.
    int thumbnailIndex(int layer, int head) const;
    Cell cellAt(const QPoint &pos) const;
    QString cellName(int layer, int head) const;
    QString columnTitle(int column, bool shortForm) const;
    QString rowTitle(int layer, bool shortForm) const;
    // One way to lay the grid out in the widget.
    struct Arrangement
    {
        bool transposed = false;
        int cell = 0;
        bool shortLabels = false;
        int rowLabelWidth = 0;
        QPoint origin;
        QRect titleRect;
        QFont font;
    };
    Arrangement arrange(bool transposed, const QFont &labelFont) const;
    // (layer, head) shown at grid row / column as drawn.
    Cell cellAtGrid(int gridRow, int gridColumn) const;
    QString gridRowTitle(int gridRow, bool transposed, bool shortForm) const;
    QString gridColumnTitle(int gridColumn, bool transposed, bool shortForm) const;
    int legendWidth(const QFontMetrics &fm) const;
    void updateFonts();
    void updateLayout();
    void setHovered(const Cell &cell);
    void activate(const Cell &cell);

    int m_layers = 0;
    int m_heads = 0;
    int m_tokens = 0;
    int m_thumbnailSize = 0; // pixels per side of each thumbnail image (≤ m_tokens)
    QVector<QImage> m_thumbnails;
    int m_selectedLayer = -1;
    int m_selectedHead = -1;
    int m_selectedQuery = -1;
    Cell m_hovered;

    QFont m_font;
    QFont m_titleFont;
    QFont m_labelFont; // m_font, grown with the thumbnails
    // Layout, recomputed on resize and on a new trace.
    int m_cell = 0;       // thumbnail side in pixels
    QPoint m_origin;      // top-left corner of cell (0, 0)
    int m_pitchX = 0;     // from one column to the next
    int m_pitchY = 0;     // from one row to the next
    int m_averageGap = 0; // extra room before the average column
    bool m_shortLabels = false;
    bool m_transposed = false;
    int m_rowLabelWidth = 0;
    QRect m_titleRect;
};

} // namespace attention
