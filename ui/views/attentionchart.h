// A bar chart of one query's attention weights, read through a model mapper from the views' own model.
#pragma once

#include <QPointer>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QChart;
class QChartView;
class QHBarModelMapper;
class QValueAxis;
QT_END_NAMESPACE

namespace attention {

class MatrixModel;
class ExactValuesModel;

class AttentionChart : public QWidget
{
    Q_OBJECT
public:
    explicit AttentionChart(QWidget *parent = nullptr);

    // weights: (n_queries, n_keys), not owned. Its horizontal header names the keys.
    void setModel(MatrixModel *weights);
    MatrixModel *model() const { return m_model; }
    // Charts model row `row`; -1 shows the empty state. Rows outside the model count as -1.
    void setQueryRow(int row, const QString &queryToken);
    int queryRow() const { return m_row; }

    // The bar set of the current row, or nullptr in the empty state. The mapper replaces it when the
    // model resets, so do not keep the pointer.
    QBarSet *barSet() const;
    QChartView *chartView() const { return m_view; }

    // The point size of the key labels and of the title as laid out for the current size: the widget's
    // font (the window's zoom), lowered as far as needed, never below theme::kMinimumPointSize.
    qreal labelPointSize() const;
    qreal titlePointSize() const;

    // Above this many keys the category labels would overlap into a grey smear, so they are hidden.
    static constexpr int kMaxLabelledKeys = 64;
    // A row with more keys charts only its strongest ones (in sentence order), and says so in the title.
    static constexpr int kMaxBars = 40;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void styleBarSets();
    void updateCategories();
    void fitToSize();
    void updateHighlightAndTitle();
    void updateValueAxis(double largest);
    // `templ` is a translated title whose lines are separated by <br> and whose words by spaces; each %1…%9
    // is replaced by the same-numbered escaped argument, kept whole when the title wraps.
    void setTitle(const QString &templ, const QStringList &args = {});
    void handleModelReset();

    QPointer<MatrixModel> m_model;
    ExactValuesModel *m_values = nullptr; // m_model as the mapper should read it; see attentionchart.cpp
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QBarSeries *m_series = nullptr;
    QBarCategoryAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    QHBarModelMapper *m_mapper = nullptr;
    int m_row = -1;
    QString m_token;
    // The title as words (HTML) per line, with each word's text as shown; wrapped to the width by fitToSize.
    QList<QStringList> m_titleWords;
    QList<QStringList> m_titlePlain;
};

} // namespace attention
