// Deep dive: why several heads. The heads of one layer side by side as heatmaps of their weights for the
// same sentence, each with what it attends to most (read from its weights), then the concatenation of
// their outputs and the W_O projection that makes the layer's attention output, as matrices.
#pragma once

#include "attention.h"
#include "deepdive.h"

#include <Eigen/Dense>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QScrollArea;

namespace attention {

class HeatmapView;
class MatrixPanel;

// What one head's weights say, computed from the numbers alone (rows are queries, columns keys).
// What a head does (its pattern, computed in core/deepdive.h), with the words the panel shows for it.
struct HeadSummary : HeadPattern
{
    // The chosen query's favourite key and its weight (-1 when the query is out of range or sees nothing).
    int queryTop = -1;
    double queryTopWeight = 0;
    QString pattern; // "mostly itself", "mostly the previous token", "spread out", …
    QString text;    // the lines shown under the head's heatmap
};

class HeadsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit HeadsPanel(QWidget *parent = nullptr);

    // Shows layer `layer` of `trace` (query `query` followed in each head; -1 for none), drawn now if the
    // panel is visible, else when it is next shown. W_O and b_O are read from trace->model (the weights the
    // trace was made with), or from `model` when the trace names none. The panel keeps the pointers to read
    // another layer when its combo changes: call again after every new trace (StageController::traceChanged),
    // and with nullptr before the trace goes away. It draws the trace's numbers and computes no attention.
    void setTrace(const AttentionTrace *trace, const Model *model, int layer, int query);
    // True while a trace waits to be drawn until the panel is shown.
    bool isPending() const { return m_pending; }

    int layer() const { return m_layer; }
    int query() const { return m_query; }
    int headCount() const { return int(m_heads.size()); }
    HeatmapView *headView(int head) const;
    QLabel *headLabel(int head) const;
    QPushButton *headButton(int head) const;
    const HeadSummary &headSummary(int head) const;
    QComboBox *layerCombo() const { return m_layerCombo; }
    MatrixPanel *concatPanel() const { return m_concat; }
    MatrixPanel *projectionPanel() const
    {
        return m_projection;
    }                                                     // W_O (the identity when the model has none)
    MatrixPanel *biasPanel() const { return m_bias; }     // b_O; hidden when the model has none
    MatrixPanel *outputPanel() const { return m_output; } // the layer's attention output

    // Reads a head's weights (see HeadSummary); `tokens` name the rows and columns in the text.
    static HeadSummary summarize(const Eigen::MatrixXd &weights, const QStringList &tokens, int query);

signals:
    // A head's heatmap (or its button) was clicked: StageController::setLayerAndHead(layer, head).
    void headChosen(int layer, int head);
    // The layer combo moved to `layer` (the panel already shows it).
    void layerChosen(int layer);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    struct Head
    {
        QWidget *box = nullptr;
        QLabel *title = nullptr;
        HeatmapView *view = nullptr;
        QLabel *label = nullptr;
        QPushButton *button = nullptr;
        HeadSummary summary;
    };
    void rebuild();
    void ensureHeads(int count);
    void reflow();
    void clear();

    const AttentionTrace *m_trace = nullptr;
    const Model *m_model = nullptr;
    int m_layer = 0;
    int m_query = -1;
    int m_columns = 0;
    bool m_pending = false;

    QScrollArea *m_scroll;
    QWidget *m_layerRow;
    QComboBox *m_layerCombo;
    QLabel *m_empty;
    QLabel *m_headsIntro;
    QWidget *m_headsArea;
    QGridLayout *m_grid;
    std::vector<Head> m_heads;
    QLabel *m_matricesIntro;
    MatrixPanel *m_concat;
    QLabel *m_times;
    MatrixPanel *m_projection;
    QLabel *m_plus;
    MatrixPanel *m_bias;
    QLabel *m_equals;
    MatrixPanel *m_output;
    QLabel *m_check;
};

} // namespace attention
