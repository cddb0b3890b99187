// The same word in two sentences, side by side: attention makes its output vector depend on the context.
#pragma once

#include <QWidget>
#include <limits>

class QScrollArea;

namespace attention {

struct AttentionTrace;
class CompareCanvas;

class CompareView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(QWidget *parent = nullptr);

    // Two traces and the index of the word in each. Everything shown is copied out here, so the
    // traces may be freed afterwards. A null trace or an index out of range clears the view and says why.
    void setComparison(const AttentionTrace *left, int leftToken, const AttentionTrace *right,
                       int rightToken);
    void clear();

    // The cosine of the word's two final output vectors; NaN when unset, and when either is all zeros.
    double similarity() const { return m_similarity; }
    // The cosine of the two vectors layer 1 reads (embedding + position): 1 for the same word in a model
    // without positions.
    double inputSimilarity() const { return m_inputSimilarity; }

    QSize sizeHint() const override;

private:
    double m_similarity = std::numeric_limits<double>::quiet_NaN();
    double m_inputSimilarity = std::numeric_limits<double>::quiet_NaN();
    QScrollArea *m_scroll = nullptr;
    CompareCanvas *m_canvas = nullptr;
};

} // namespace attention
