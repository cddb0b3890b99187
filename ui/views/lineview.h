// The "head view": queries on the left, keys on the right, one line per weight (after BertViz).
#pragma once

#include <Eigen/Dense>
#include <QColor>
#include <QFont>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

namespace attention {

class LineView : public QWidget
{
    Q_OBJECT
public:
    explicit LineView(QWidget *parent = nullptr);

    // weights: (n_queries, n_keys), values 0..1; tokens name the queries and the keys.
    void setWeights(const Eigen::MatrixXd &weights, const QStringList &tokens);
    // Several heads at once, one colour per head (headColor), with a legend; every matrix (n_queries,
    // n_keys) of the same shape. Hovering and selecting work as with one head; the key tints show the
    // heads' average.
    void setHeadWeights(const std::vector<Eigen::MatrixXd> &heads, const QStringList &tokens);
    int headCount() const { return static_cast<int>(m_heads.size()); }
    // -1 = none: every query's lines drawn by weight. Otherwise the other lines dim and that query's
    // lines are drawn on top, stronger.
    void setSelectedQuery(int row);
    int selectedQuery() const { return m_selected; }
    int hoveredToken() const { return m_hoverIndex; }
    bool hoveredTokenIsKey() const { return m_hoverIsKey; }
    // Where a token's label sits in the widget: a query on the left, a key on the right.
    QRect tokenRect(int index, bool isKey) const;

    void paintExport(QPainter &painter, const QRect &target) const;
    QSize exportSizeHint() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // Weights below this draw no line: they are noise, and 2,048² of them would be slow.
    static constexpr double kLineThreshold = 0.02;
    // Pen width for a weight (0..1) with labels of fontPx pixels: 1 to 8 px at a 15 px font, growing
    // with the font so a zoomed window (a projector) gets bolder lines. 0 below kLineThreshold.
    static double lineWidthFor(double weight, double fontPx);
    // Opacity for a weight: 0.15 (at the threshold) to 1 (weight 1). 0 below kLineThreshold.
    static double lineOpacityFor(double weight);
    // The colour of head `head` (0-based) with several heads: distinct hues dark enough for white.
    static QColor headColor(int head);

    // One line as the view draws it, in drawing order (later lines on top).
    struct DrawnLine
    {
        int head = 0;
        int query = 0;
        int key = 0;
        double width = 0.0;
        double opacity = 0.0;
        QColor color;
        bool focused = false; // the selected (or hovered) token's lines, drawn last and stronger
    };
    // Every line a paint of the whole widget draws now (no clipping), for inspection.
    QVector<DrawnLine> drawnLines() const;
    // How many segments the last paint actually stroked (after clipping to the repainted band).
    int lastPaintedLineCount() const { return m_lastPainted; }

signals:
    void queryClicked(int row);
    void tokenHovered(int row); // -1 when leaving

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    // Where the two token columns and the lines go inside some rectangle.
    struct Layout
    {
        QRectF area;
        double header = 0.0;
        double rowHeight = 0.0;
        double labelWidth = 0.0;
        double lineLeft = 0.0;  // where lines leave the query labels
        double lineRight = 0.0; // where they reach the key labels
        double y(int index) const { return area.top() + header + (index + 0.5) * rowHeight; }
        QRectF queryRect(int index) const;
        QRectF keyRect(int index) const;
    };
    // A token under the mouse: which one, and on which side.
    struct Hit
    {
        int index = -1;
        bool isKey = false;
    };

    int tokenCount() const;
    QString queryToken(int row) const;
    QString keyToken(int column) const;
    Layout layoutFor(const QRectF &area) const;
    double minimumRowHeight() const;
    double preferredRowHeight() const;
    Hit hitAt(const QPointF &pos) const;
    void setMatrices(std::vector<Eigen::MatrixXd> heads, const QStringList &tokens);
    template<typename F>
    void forEachLine(const Hit &hover, F &&visit) const;
    double headOffset(int head, double rowHeight) const;
    QString legendText(int head, bool shortForm) const;
    void paintLegend(QPainter &p, const Layout &l) const;
    void setHover(const Hit &hit);
    void paintAll(QPainter &p, const Layout &l, const QRectF &dirty, const Hit &hover) const;
    void recomputeFonts();

    Eigen::MatrixXd m_weights;              // the one head, or the heads' average
    std::vector<Eigen::MatrixXd> m_heads;   // what the lines show; one entry for setWeights
    bool m_multiHead = false;
    QStringList m_tokens;
    int m_selected = -1;
    int m_hoverIndex = -1;
    bool m_hoverIsKey = false;
    QFont m_font;              // pixel-sized, so exports measure text as the screen does
    double m_tokenWidth = 0.0; // widest token label, before eliding
    mutable int m_lastPainted = 0;
};

} // namespace attention
