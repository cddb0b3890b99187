// Bar chart of one row of the weights model: a QHBarModelMapper keeps it in step with the heatmap.
#include "attentionchart.h"

#include "matrixmodel.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QEvent>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFontMetrics>
#include <QHBarModelMapper>
#include <QSet>
#include <QTextDocumentFragment>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace attention {

// What the mapper reads: MatrixModel itself, cell for cell, not a copy. It adapts two things.
//  - The mapper reads Qt::DisplayRole, where MatrixModel gives text rounded to its precision; a 200-key row
//    would chart in steps of 0.01. Here Display answers with the exact value.
//  - On dataChanged the mapper replaces bars one value at a time, and Qt Charts 6.4 relays out every bar
//    after each one: 0.4 s for a 2,048-key row. Rebuilding the bar set from a reset takes a few ms, so a
//    change that touches the charted row is passed on as a reset, and any other change is dropped.
//  - A row with more keys than AttentionChart::kMaxBars shows only its strongest keys, still in sentence
//    order: a thousand slivers can neither be read nor painted in time for a mouse move.
class ExactValuesModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setSource(MatrixModel *source)
    {
        beginResetModel();
        for (const QMetaObject::Connection &c : m_connections)
            disconnect(c);
        m_connections.clear();
        m_source = source;
        if (source) {
            const auto reset = [this] {
                beginResetModel();
                rebuildColumns();
                endResetModel();
            };
            m_connections = {
                connect(source, &QAbstractItemModel::modelAboutToBeReset, this,
                        [this] { beginResetModel(); }),
                connect(source, &QAbstractItemModel::modelReset, this,
                        [this] {
                            rebuildColumns();
                            endResetModel();
                        }),
                connect(source, &QAbstractItemModel::dataChanged, this,
                        [this, reset](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                            if (m_watchedRow >= topLeft.row() && m_watchedRow <= bottomRight.row())
                                reset();
                        }),
                connect(source, &QAbstractItemModel::headerDataChanged, this,
                        &QAbstractItemModel::headerDataChanged),
                connect(source, &QAbstractItemModel::layoutChanged, this, reset),
                connect(source, &QAbstractItemModel::rowsInserted, this, reset),
                connect(source, &QAbstractItemModel::rowsRemoved, this, reset),
                connect(source, &QAbstractItemModel::columnsInserted, this, reset),
                connect(source, &QAbstractItemModel::columnsRemoved, this, reset),
                connect(source, &QObject::destroyed, this, [this] { setSource(nullptr); }),
            };
        }
        rebuildColumns();
        endResetModel();
    }
    void setWatchedRow(int row)
    {
        if (row == m_watchedRow)
            return;
        m_watchedRow = row;
        if (m_source && m_source->columnCount() > AttentionChart::kMaxBars) {
            beginResetModel(); // another row has other strongest keys
            rebuildColumns();
            endResetModel();
        }
    }
    int sourceColumns() const { return m_source ? m_source->columnCount() : 0; }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return m_source && !parent.isValid() ? m_source->rowCount() : 0;
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return m_source && !parent.isValid() ? static_cast<int>(m_columns.size()) : 0;
    }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (!m_source || !index.isValid() || role != Qt::DisplayRole)
            return {};
        const int column = m_columns.value(index.column(), -1);
        const double v =
            m_source->data(m_source->index(index.row(), column), MatrixModel::ValueRole).toDouble();
        return std::isfinite(v) ? v : 0.0; // a bar cannot be −∞ high; blocked keys have weight 0 anyway
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        if (!m_source)
            return {};
        if (orientation == Qt::Horizontal)
            section = m_columns.value(section, -1);
        return m_source->headerData(section, orientation, role);
    }

private:
    // Which source columns are charted: all of them, or the kMaxBars strongest of the watched row.
    void rebuildColumns()
    {
        m_columns.clear();
        const int n = m_source ? m_source->columnCount() : 0;
        if (n <= AttentionChart::kMaxBars || m_watchedRow < 0 || m_watchedRow >= m_source->rowCount()) {
            for (int c = 0; c < std::min(n, n <= AttentionChart::kMaxBars ? n : AttentionChart::kMaxBars);
                 ++c)
                m_columns << c;
            return;
        }
        const Eigen::RowVectorXd row = m_source->matrix().row(m_watchedRow);
        QList<int> order(n);
        std::iota(order.begin(), order.end(), 0);
        // Strongest first, earlier key first among equals; then back into sentence order.
        std::stable_sort(order.begin(), order.end(), [&row](int a, int b) { return row(a) > row(b); });
        order.resize(AttentionChart::kMaxBars);
        std::sort(order.begin(), order.end());
        m_columns = order;
    }

    QPointer<MatrixModel> m_source;
    QList<QMetaObject::Connection> m_connections;
    int m_watchedRow = -1;
    QList<int> m_columns;
};

namespace {

QFont atLeastMinimum(QFont f, bool bold = false)
{
    if (f.pointSizeF() < theme::kMinimumPointSize)
        f.setPointSizeF(theme::kMinimumPointSize);
    f.setBold(bold);
    return f;
}

} // namespace

AttentionChart::AttentionChart(QWidget *parent)
    : QWidget(parent), m_values(new ExactValuesModel(this)), m_chart(new QChart), m_series(new QBarSeries),
      m_axisX(new QBarCategoryAxis), m_axisY(new QValueAxis), m_mapper(new QHBarModelMapper(this))
{
    // Animations would make the chart lag behind the heatmap after every click.
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->hide();
    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->addSeries(m_series);
    m_series->setBarWidth(0.8);

    m_axisX->setGridLineVisible(false);
    m_axisX->setTruncateLabels(false);
    m_axisY->setRange(0.0, 1.0);
    m_axisY->setTickCount(6);
    m_axisY->setLabelFormat(QStringLiteral("%.1f"));
    m_axisY->setTitleText(tr("weight"));
    updateFonts();
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisY, Qt::AlignLeft);
    m_series->attachAxis(m_axisX);
    m_series->attachAxis(m_axisY);

    m_view = new QChartView(m_chart, this); // takes ownership of the chart, which owns series and axes
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(200);
    m_view->setFocusPolicy(Qt::NoFocus); // nothing to do with the keyboard: the heatmap chooses the row
    setAccessibleName(tr("Bar chart of one query's attention weights"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

    // Each model row is a bar set; setQueryRow narrows the mapping to exactly one row.
    m_mapper->setFirstBarSetRow(-1);
    m_mapper->setLastBarSetRow(-1);
    m_mapper->setFirstColumn(0);
    m_mapper->setColumnCount(-1);
    m_mapper->setSeries(m_series);
    m_mapper->setModel(m_values);

    // Connected after the mapper's own connections, so these run once the bars hold the new values.
    connect(m_series, &QBarSeries::barsetsAdded, this, [this] {
        styleBarSets();
        updateHighlightAndTitle();
    });
    connect(m_values, &QAbstractItemModel::modelReset, this, &AttentionChart::handleModelReset);
    connect(m_values, &QAbstractItemModel::headerDataChanged, this, [this](Qt::Orientation orientation) {
        if (orientation == Qt::Horizontal)
            updateCategories();
    });

    setQueryRow(-1, {});
}

void AttentionChart::setModel(MatrixModel *weights)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = weights;
    m_values->setSource(weights); // a reset: the mapper rebuilds the bars, then handleModelReset runs
    // A precision change must redraw the value in the title. Connected after the adapter, so a change of
    // values has already rebuilt the bars when this runs.
    if (weights)
        connect(weights, &QAbstractItemModel::dataChanged, this, &AttentionChart::updateHighlightAndTitle);
}

void AttentionChart::setQueryRow(int row, const QString &queryToken)
{
    if (row < 0 || row >= m_values->rowCount())
        row = -1;
    m_row = row;
    m_token = row < 0 ? QString() : queryToken;
    m_values->setWatchedRow(row);
    // Empty the range first so the mapper never briefly maps several rows while first and last move.
    m_mapper->setLastBarSetRow(-1);
    m_mapper->setFirstBarSetRow(row);
    m_mapper->setLastBarSetRow(row);
    updateHighlightAndTitle();
}

QBarSet *AttentionChart::barSet() const
{
    return m_series->barSets().value(0, nullptr);
}

void AttentionChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateFonts();
        updateLabelAngle();
    }
}

void AttentionChart::updateFonts()
{
    // The window's zoom reaches the chart through this widget's font; Qt Charts keeps its own fonts, so
    // they are derived from font() again at every change, never below the minimum.
    m_chart->setTitleFont(atLeastMinimum(font(), true));
    const QFont labels = atLeastMinimum(font());
    m_axisX->setLabelsFont(labels);
    m_axisX->setTitleFont(labels);
    m_axisY->setLabelsFont(labels);
    m_axisY->setTitleFont(labels);
}

void AttentionChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateLabelAngle();
}

void AttentionChart::handleModelReset()
{
    updateCategories();
    if (m_row >= m_values->rowCount())
        setQueryRow(-1, {});
    else
        updateHighlightAndTitle();
}

void AttentionChart::styleBarSets()
{
    for (QBarSet *set : m_series->barSets()) {
        set->setColor(theme::key());
        set->setBorderColor(theme::key());
        set->setSelectedColor(theme::key().darker(170));
    }
}

void AttentionChart::updateCategories()
{
    // QBarCategoryAxis refuses duplicate names, but sentences repeat words ("the" … "the"): make the
    // repeats unique with invisible zero-width spaces. Qt Charts draws axis labels as rich text, and the
    // words come from the text and the model file: escaped, so "<img …>" is shown, not loaded.
    QStringList categories;
    QSet<QString> used;
    const int n = m_values->columnCount();
    for (int c = 0; c < n; ++c) {
        QString label = m_values->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString().toHtmlEscaped();
        while (used.contains(label))
            label += QChar(0x200B);
        used.insert(label);
        categories << label;
    }
    // Qt Charts lays the axis out again for every change (tens of milliseconds for 64 keys), and a new
    // sentence reports both a reset and new headers: touch the axis only when the names really changed.
    if (categories == m_axisX->categories())
        return;
    // An empty list must reach the axis too: a blank sentence keeps no names of the last one's keys.
    if (categories.isEmpty())
        m_axisX->clear();
    else
        m_axisX->setCategories(categories);
    // Too many keys to name: no labels, and no axis title either, because Qt Charts misplaces the title
    // of an axis whose labels are hidden. The chart title says what is missing instead.
    const bool labelled = n > 0 && n <= kMaxLabelledKeys;
    m_axisX->setLabelsVisible(labelled);
    m_axisX->setTitleVisible(labelled);
    m_axisX->setTitleText(tr("key"));
    updateLabelAngle();
}

void AttentionChart::updateLabelAngle()
{
    const int n = m_values->columnCount();
    if (n == 0 || m_axisX->categories().isEmpty())
        return;
    // Upright labels when they fit side by side, otherwise turned to read bottom-up. Measured on the words
    // as shown, not on their escaped form.
    const QFontMetrics metrics(m_axisX->labelsFont());
    int widest = 0;
    for (int c = 0; c < n; ++c)
        widest =
            std::max(widest, metrics.horizontalAdvance(m_values->headerData(c, Qt::Horizontal).toString()));
    const qreal plotWidth = m_chart->plotArea().width() > 0 ? m_chart->plotArea().width() : width() * 0.8;
    const qreal perCategory = plotWidth / n;
    const bool crowded = widest + metrics.averageCharWidth() > perCategory;
    m_axisX->setLabelsAngle(crowded && m_axisX->labelsVisible() ? -90 : 0);
}

void AttentionChart::updateHighlightAndTitle()
{
    QBarSet *set = barSet();
    if (m_row < 0 || !set || set->count() == 0) {
        updateValueAxis(0.0);
        setTitle(tr("Select a token"));
        return;
    }
    // The first of equal maxima, as strongestKey in the core does.
    int best = 0;
    for (int j = 1; j < set->count(); ++j)
        if (set->at(j) > set->at(best))
            best = j;
    const int keys = m_values->sourceColumns();
    const bool dense = keys > kMaxBars;
    updateValueAxis(set->at(best));
    set->deselectAllBars();
    const QString query = QStringLiteral("\u201C%1\u201D").arg(m_token.toHtmlEscaped());
    if (set->at(best) <= 0.0) {
        // Every key blocked: say so instead of pointing at an arbitrary zero bar.
        setTitle(tr("Attention of %1: every key is masked").arg(query));
        return;
    }
    set->selectBar(best);
    const int precision = m_model ? m_model->precision() : 2;
    const QString key = m_values->headerData(best, Qt::Horizontal).toString().toHtmlEscaped();
    const QString most = MatrixModel::formatValue(set->at(best), std::max(precision, dense ? 3 : 0));
    setTitle(dense ? tr("Attention of %1: its %2 strongest of %3 keys<br>most on \u201C%4\u201D (%5)")
                         .arg(query, QString::number(set->count()), QString::number(keys), key, most)
                   : tr("Attention of %1<br>most on \u201C%2\u201D (%3)").arg(query, key, most));
}

void AttentionChart::setTitle(const QString &title)
{
    if (m_chart->title() == title) // each new title is laid out as rich text: skip repeats
        return;
    m_chart->setTitle(title);
    setAccessibleDescription(QTextDocumentFragment::fromHtml(title).toPlainText());
}

void AttentionChart::updateValueAxis(double largest)
{
    // Weights share 1 between the keys, so 0..1 shows each bar's true share. With hundreds of keys every
    // bar is a sliver of that; zoom in on the row's own maximum and say so on the axis. Qt Charts lays the
    // whole chart out again on every range change, so the range only moves in steps of 1, 2 or 5.
    const bool zoom = m_values && m_values->sourceColumns() > kMaxBars && largest > 0.0;
    double top = 1.0;
    if (zoom) {
        const double magnitude = std::pow(10.0, std::floor(std::log10(largest * 1.05)));
        for (double step : {1.0, 2.0, 5.0, 10.0})
            if (step * magnitude >= largest * 1.05) {
                top = std::min(1.0, step * magnitude);
                break;
            }
    }
    if (m_axisY->min() != 0.0 || m_axisY->max() != top)
        m_axisY->setRange(0.0, top);
    const QString format = zoom ? QStringLiteral("%g") : QStringLiteral("%.1f");
    if (m_axisY->labelFormat() != format)
        m_axisY->setLabelFormat(format);
    const QString title = zoom ? tr("weight (zoomed in)") : tr("weight");
    if (m_axisY->titleText() != title)
        m_axisY->setTitleText(title);
}

} // namespace attention
