// Follows one token up through the layers: what it attends to in each, and how its vector changes.
#pragma once

#include <Eigen/Dense>
#include <QColor>
#include <QRect>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

class QFont;
class QPainter;
class QScrollArea;

namespace attention {

struct AttentionTrace;
class LayerFlowCanvas;

class LayerFlowView : public QWidget
{
    Q_OBJECT
public:
    explicit LayerFlowView(QWidget *parent = nullptr);

    // The trace stays the caller's and must outlive its use here: setToken() reads it again.
    // Set nullptr before freeing it. The followed token is kept, clamped to the new length.
    void setTrace(const AttentionTrace *trace);
    // Out of range is clamped (99 in a 12-token sentence follows token 11), so a stale index from
    // another view can never point past the sentence.
    void setToken(int index);
    // -1 without a trace.
    int token() const;

    QSize sizeHint() const override;

signals:
    // The learner clicked a key's bar: that token is now followed.
    void tokenClicked(int index);

private:
    void rebuild();

    const AttentionTrace *m_trace = nullptr;
    int m_token = 0;
    QScrollArea *m_scroll = nullptr;
    LayerFlowCanvas *m_canvas = nullptr;
};

// Drawing shared with CompareView, so a vector and a weight read the same way in both views.
namespace vectorpaint {

// The largest |value| of all vectors, so strips that are compared share one colour scale (never 0).
double symmetricRange(const std::vector<Eigen::RowVectorXd> &vectors);
// One cell per dimension, viridis from −range (dark purple) through 0 (teal) to +range (yellow), drawn
// unsmoothed and framed.
void paintStrip(QPainter &p, const QRect &r, const Eigen::RowVectorXd &v, double range, const QColor &frame);
// The dimension of a strip of `dims` cells drawn in `r` under `pos`; -1 outside.
int dimensionAt(const QRect &r, int dims, const QPoint &pos);
// "−2.4 ▮▮▮ +2.4" for the strips' colour scale, left-aligned in `r`; returns the width used.
int paintLegend(QPainter &p, const QRect &r, double range, const QFont &font, const QColor &text);
// A weight as a horizontal bar: `r` is the track (1.0 fills it), the number goes right of the bar.
void paintWeightBar(QPainter &p, const QRect &r, double weight, const QColor &color, const QFont &font,
                    const QColor &text);
// A token's text, with "#index" added when the same spelling occurs more than once in the sentence,
// so two bars for "the" can be told apart.
QString tokenLabel(const QStringList &tokens, int index);
// "0.42", or "undefined" for NaN (the cosine of a zero vector).
QString formatNumber(double value, int decimals = 2);

} // namespace vectorpaint

} // namespace attention
