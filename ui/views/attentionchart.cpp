// Bar chart of one row of the weights model: a QHBarModelMapper keeps it in step with the heatmap.
#include "attentionchart.h"

#include "matrixmodel.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFontMetrics>
#include <QGraphicsLayout>
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

// Qt Charts' own spacing (ChartAxisElement): between the axis line and its labels, and around an axis
// title. Each of its texts is a QTextDocument, with the document's default margin around the words, and
// is drawn 2 px longer and thicker than the font's advance and height.
constexpr qreal kLabelPadding = 4.0;
constexpr qreal kTitlePadding = 2.0;
constexpr qreal kDocumentMargin = 4.0;
constexpr qreal kTextPadding = 2.0;
// The chart's margins. The layout's own contents margins are set to 0, and the sides have none: at 11 pt a
// 12-token sentence needs 20 px a key, and the dock can be 274 px wide.
constexpr int kSideMargin = 0;
constexpr int kTopMargin = 4;
constexpr int kBottomMargin = 4;
// Qt Charts gives a horizontal axis at most this share of the height under the title, and squeezes it
// (its labels run off the bottom) beyond; the bars keep at least the second share of the chart's height.
constexpr qreal kAxisShare = 0.4;
constexpr qreal kMinPlotShare = 0.4;
// Fonts are lowered from the zoomed size in these steps until the chart fits.
constexpr qreal kPointStep = 0.5;

QFont sized(QFont f, qreal points, bool bold)
{
    f.setPointSizeF(std::max(points, theme::kMinimumPointSize));
    f.setBold(bold);
    return f;
}

// `text` with each %1…%9 replaced by the same-numbered argument, in one pass (an argument that itself holds
// "%2" stays as it is).
QString substitute(const QString &text, const QStringList &args)
{
    QString out;
    for (int i = 0; i < text.size(); ++i) {
        const int n = i + 1 < text.size() ? text.at(i + 1).digitValue() : -1;
        if (text.at(i) == QLatin1Char('%') && n >= 1 && n <= args.size()) {
            out += args.at(n - 1);
            ++i;
        } else {
            out += text.at(i);
        }
    }
    return out;
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
    m_chart->setMargins(QMargins(kSideMargin, kTopMargin, kSideMargin, kBottomMargin));
    // The layout's contents margins (9 px a side from the style) would take room the bars need.
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->addSeries(m_series);
    m_series->setBarWidth(0.8);

    m_axisX->setGridLineVisible(false);
    m_axisX->setTruncateLabels(false);
    m_axisY->setRange(0.0, 1.0);
    m_axisY->setTickCount(6);
    m_axisY->setLabelFormat(QStringLiteral("%.1f"));
    m_axisY->setTitleText(tr("weight"));
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
    // The window's zoom reaches the chart through this widget's font; Qt Charts keeps its own fonts, so
    // they are derived from font() again at every change.
    if (event->type() == QEvent::FontChange)
        fitToSize();
}

void AttentionChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitToSize();
}

qreal AttentionChart::labelPointSize() const
{
    return m_axisX->labelsFont().pointSizeF();
}

qreal AttentionChart::titlePointSize() const
{
    return m_chart->titleFont().pointSizeF();
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
    // Too many keys to name: no labels (and no axis title, see fitToSize). The chart title says what is
    // missing instead.
    const bool labelled = n > 0 && n <= kMaxLabelledKeys;
    m_axisX->setLabelsVisible(labelled);
    m_axisX->setTitleText(tr("key"));
    fitToSize();
}

void AttentionChart::fitToSize()
{
    if (!m_view)
        return; // still in the constructor
    // Qt Charts elides what does not fit (the title to "most on “ani...", the value labels to "..."), hides
    // the first and last key labels when their category is narrower than a label, squeezes the key axis
    // beyond kAxisShare of the height under the title (its labels then run off the bottom), and gives the
    // bars what is left. So the texts are laid out here first, from their font metrics and Qt Charts'
    // spacing:
    //  1. labels and title take the zoomed size, lowered until every key shows side by side, the title
    //     wraps between whole words at the chart's width, no axis is squeezed and the bars keep
    //     kMinPlotShare of the height;
    //  2. the title, a heading, may stay larger where only the labels' width held the size back;
    //  3. an axis title only where it fits: Qt Charts draws the key axis title over turned labels and elides
    //     the value axis title on a short plot. The chart title says what is charted.
    // Nothing goes below theme::kMinimumPointSize: there, Qt Charts does what it can.
    const qreal frame = 2.0 * m_view->frameWidth();
    const qreal chartWidth = std::max<qreal>(0.0, width() - frame);
    const qreal chartHeight = std::max<qreal>(0.0, height() - frame);
    const qreal zoomed = std::max(font().pointSizeF(), theme::kMinimumPointSize);

    QStringList keys; // as shown, not in their escaped form
    if (m_axisX->labelsVisible())
        for (int c = 0; c < m_axisX->count(); ++c)
            keys << m_values->headerData(c, Qt::Horizontal).toString();
    const qsizetype n = keys.size();
    QStringList values;
    const int ticks = std::max(2, m_axisY->tickCount());
    for (int i = 0; i < ticks; ++i) {
        const double v = m_axisY->min() + (m_axisY->max() - m_axisY->min()) * i / (ticks - 1);
        values << QString::asprintf(m_axisY->labelFormat().toLatin1().constData(), v);
    }

    // A Qt Charts text as drawn: one line is the font's height and 2 px, a word its advance and 2 px.
    const auto thickness = [](const QFontMetricsF &m) { return std::ceil(m.height()) + kTextPadding; };
    const auto extent = [](const QFontMetricsF &m, const QString &text) {
        return std::ceil(m.horizontalAdvance(text)) + kTextPadding;
    };
    const auto widestOf = [&](const QFontMetricsF &m, const QStringList &texts) {
        qreal widest = 0.0;
        for (const QString &t : texts)
            widest = std::max(widest, extent(m, t));
        return widest;
    };
    struct KeyAxis
    {
        bool turned = false; // labels read bottom-up
        bool fits = true;    // every label shows, none over its neighbour
        qreal height = 0.0;  // labels and padding, without a title
    };
    const auto keyAxis = [&](qreal points, bool valueTitle) {
        const QFontMetricsF m(sized(font(), points, false));
        const qreal line = thickness(m);
        KeyAxis k;
        k.height = kLabelPadding + line + 1.0;
        if (n == 0)
            return k;
        const qreal valueAxis =
            widestOf(m, values) + kLabelPadding + 2.0 + (valueTitle ? line + 2 * kTitlePadding : 0.0);
        const qreal perKey = (chartWidth - 2 * kSideMargin - valueAxis) / n;
        const qreal widest = widestOf(m, keys);
        // Upright when the words fit side by side with a character to spare, otherwise turned.
        k.turned = widest + m.averageCharWidth() > perKey;
        k.fits = !k.turned || line + 0.5 <= perKey;
        if (k.turned)
            k.height = kLabelPadding + widest + 1.0;
        return k;
    };
    // The title's lines at `points`, broken between words at the chart's width; `whole` is false when a word
    // alone is wider.
    const qreal titleWidth = chartWidth - 2 * kSideMargin - 2 * kDocumentMargin - 2.0;
    const auto wrapTitle = [&](qreal points, bool *whole) {
        const QFontMetricsF m(sized(font(), points, true));
        QStringList lines;
        *whole = true;
        for (int l = 0; l < m_titleWords.size(); ++l) {
            const QStringList &words = m_titleWords.at(l);
            const QStringList &shown = m_titlePlain.at(l);
            QString line, plain;
            for (int i = 0; i < words.size(); ++i) {
                const QString longer = plain.isEmpty() ? shown.at(i) : plain + QLatin1Char(' ') + shown.at(i);
                if (!plain.isEmpty() && m.horizontalAdvance(longer) > titleWidth) {
                    lines << line;
                    line = words.at(i);
                    plain = shown.at(i);
                } else {
                    line = line.isEmpty() ? words.at(i) : line + QLatin1Char(' ') + words.at(i);
                    plain = longer;
                }
                *whole = *whole && m.horizontalAdvance(shown.at(i)) <= titleWidth;
            }
            lines << line;
        }
        return lines;
    };
    const auto titleHeight = [&](qreal points, qsizetype lines) {
        return lines * std::ceil(QFontMetricsF(sized(font(), points, true)).lineSpacing()) + kTextPadding;
    };
    // The plot's height with labels at `labelPoints`, a key axis `keyAxisHeight` tall and a title
    // `titleTall`.
    const auto plotHeight = [&](qreal labelPoints, qreal keyAxisHeight, qreal titleTall) {
        const qreal line = thickness(QFontMetricsF(sized(font(), labelPoints, false)));
        // Above the plot: the margin, the title with its document margins, and half the top value label.
        const qreal top =
            kTopMargin + 1.0 + titleTall + kDocumentMargin + std::max(6.0, line / 2 - kDocumentMargin);
        return chartHeight - top - kBottomMargin - keyAxisHeight;
    };
    // Whether that leaves the bars their share, and no axis squeezed or cut.
    const auto leavesRoom = [&](qreal labelPoints, qreal keyAxisHeight, qreal titleTall) {
        const qreal line = thickness(QFontMetricsF(sized(font(), labelPoints, false)));
        const qreal below = chartHeight - kTopMargin - kBottomMargin - titleTall;
        const qreal axisLimit = kAxisShare * below - 1.0;
        // Qt Charts cuts a value label to "..." when it is thicker than its share of the height.
        const qreal valueLabelLimit = below / ticks - 2 * kLabelPadding;
        return keyAxisHeight <= axisLimit && line <= valueLabelLimit &&
               plotHeight(labelPoints, keyAxisHeight, titleTall) >= kMinPlotShare * chartHeight;
    };

    // 1. One size for the labels and the title: the zoomed one, lowered until everything fits.
    qreal labelPoints = zoomed;
    bool whole = true;
    QStringList lines = wrapTitle(labelPoints, &whole);
    KeyAxis key = keyAxis(labelPoints, false);
    while (
        labelPoints > theme::kMinimumPointSize &&
        !(key.fits && whole && leavesRoom(labelPoints, key.height, titleHeight(labelPoints, lines.size())))) {
        labelPoints = std::max(theme::kMinimumPointSize, labelPoints - kPointStep);
        lines = wrapTitle(labelPoints, &whole);
        key = keyAxis(labelPoints, false);
    }
    const QFont labelFont = sized(font(), labelPoints, false);
    const QFontMetricsF labelMetrics(labelFont);
    // The key title only under upright labels (Qt Charts draws it over turned ones), and with room for it.
    const qreal keyTitleHeight = thickness(labelMetrics) + 2 * kTitlePadding;
    const bool keyTitle =
        n > 0 && !key.turned &&
        leavesRoom(labelPoints, key.height + keyTitleHeight, titleHeight(labelPoints, lines.size()));
    const qreal keyAxisHeight = key.height + (keyTitle ? keyTitleHeight : 0.0);

    // 2. The title, a heading: larger than the labels where the width held them back and it has room.
    qreal titlePoints = zoomed;
    QStringList titleLines = wrapTitle(titlePoints, &whole);
    while (titlePoints > labelPoints &&
           !(whole && leavesRoom(labelPoints, keyAxisHeight, titleHeight(titlePoints, titleLines.size())))) {
        titlePoints = std::max(labelPoints, titlePoints - kPointStep);
        titleLines = wrapTitle(titlePoints, &whole);
    }
    lines = titleLines;

    // 3. The value title, beside the value labels: only if the keys still fit with it, on a plot tall enough
    //    for the whole word.
    const KeyAxis withValueTitle = keyAxis(labelPoints, true);
    const qreal tallestWord = extent(labelMetrics, m_axisY->titleText()) + 2 * kTitlePadding;
    const bool valueTitle =
        withValueTitle.fits && withValueTitle.turned == key.turned &&
        plotHeight(labelPoints, keyAxisHeight, titleHeight(titlePoints, lines.size())) >= tallestWord;

    const QFont titleFont = sized(font(), titlePoints, true);
    if (m_chart->titleFont() != titleFont)
        m_chart->setTitleFont(titleFont);
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(m_axisX), static_cast<QAbstractAxis *>(m_axisY)}) {
        if (axis->labelsFont() != labelFont)
            axis->setLabelsFont(labelFont);
        if (axis->titleFont() != labelFont)
            axis->setTitleFont(labelFont);
    }
    const int angle = key.turned ? -90 : 0;
    if (m_axisX->labelsAngle() != angle)
        m_axisX->setLabelsAngle(angle);
    if (m_axisX->isTitleVisible() != keyTitle)
        m_axisX->setTitleVisible(keyTitle);
    if (m_axisY->isTitleVisible() != valueTitle)
        m_axisY->setTitleVisible(valueTitle);
    const QString title = lines.join(QStringLiteral("<br>"));
    if (m_chart->title() != title) // each new title is laid out as rich text: skip repeats
        m_chart->setTitle(title);
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
        setTitle(tr("Attention of %1: every key is masked"), {query});
        return;
    }
    set->selectBar(best);
    const int precision = m_model ? m_model->precision() : 2;
    const QString key = m_values->headerData(best, Qt::Horizontal).toString().toHtmlEscaped();
    const QString most = MatrixModel::formatValue(set->at(best), std::max(precision, dense ? 3 : 0));
    if (dense)
        setTitle(tr("Attention of %1: its %2 strongest of %3 keys<br>most on \u201C%4\u201D (%5)"),
                 {query, QString::number(set->count()), QString::number(keys), key, most});
    else
        setTitle(tr("Attention of %1<br>most on \u201C%2\u201D (%3)"), {query, key, most});
}

void AttentionChart::setTitle(const QString &templ, const QStringList &args)
{
    // Words are cut from the template before the arguments go in, so a token with spaces stays whole.
    QList<QStringList> words;
    QList<QStringList> plain;
    for (const QString &line : templ.split(QStringLiteral("<br>"))) {
        QStringList lineWords, linePlain;
        for (const QString &word : line.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            lineWords << substitute(word, args);
            linePlain << QTextDocumentFragment::fromHtml(lineWords.last()).toPlainText();
        }
        words << lineWords;
        plain << linePlain;
    }
    if (words == m_titleWords)
        return;
    m_titleWords = words;
    m_titlePlain = plain;
    QStringList lines;
    for (const QStringList &line : words)
        lines << line.join(QLatin1Char(' '));
    setAccessibleDescription(
        QTextDocumentFragment::fromHtml(lines.join(QStringLiteral("<br>"))).toPlainText());
    fitToSize();
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
    bool changed = false;
    if (m_axisY->min() != 0.0 || m_axisY->max() != top) {
        m_axisY->setRange(0.0, top);
        changed = true;
    }
    const QString format = zoom ? QStringLiteral("%g") : QStringLiteral("%.1f");
    if (m_axisY->labelFormat() != format) {
        m_axisY->setLabelFormat(format);
        changed = true;
    }
    const QString title = zoom ? tr("weight (zoomed in)") : tr("weight");
    if (m_axisY->titleText() != title) {
        m_axisY->setTitleText(title);
        changed = true;
    }
    if (changed) // other value labels and axis title: measured again
        fitToSize();
}

} // namespace attention
