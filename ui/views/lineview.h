// The "head view": queries on the left, keys on the right, one line per weight (after BertViz).
#pragma once

#include <Eigen/Dense>
#include <QFont>
#include <QStringList>
#include <QWidget>

namespace attention {

class LineView : public QWidget
{
    Q_OBJECT
public:
    explicit LineView(QWidget *parent = nullptr);

    // weights: (n_queries, n_keys), values 0..1; tokens name the queries and the keys.
    void setWeights(const Eigen::MatrixXd &weights, const QStringList &tokens);
    // -1 = none: every line drawn faintly. Otherwise only that query's lines, strongly.
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
    void setHover(const Hit &hit);
    void paintAll(QPainter &p, const Layout &l, const QRectF &dirty, const Hit &hover) const;
    void recomputeFonts();

    Eigen::MatrixXd m_weights;
    QStringList m_tokens;
    int m_selected = -1;
    int m_hoverIndex = -1;
    bool m_hoverIsKey = false;
    QFont m_font;              // pixel-sized, so exports measure text as the screen does
    double m_tokenWidth = 0.0; // widest token label, before eliding
};

} // namespace attention
