#include "headspanel.h"

#include "heatmapview.h"
#include "labels.h"
#include "matrixmodel.h"
#include "matrixview.h"
#include "report.h"
#include "theme.h"

#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace attention {

namespace {
// A head's pattern is named when its share reaches this (on average over the queries).
constexpr double kPatternShare = 0.4;
// A head whose rows keep this much of their largest possible entropy is "spread out".
constexpr double kSpreadOut = 0.8;
// Each head's heatmap is at least this wide; the heads go side by side as long as they fit.
constexpr int kHeadWidth = 220;

QString quoted(const QStringList &tokens, int i)
{
    return i >= 0 && i < tokens.size() ? QStringLiteral("“%1”").arg(tokens[i]) : QStringLiteral("?");
}

// The matrices stay small: at most this many rows show, the rest scroll inside the view.
constexpr int kRowsShown = 8;

void fitHeight(MatrixPanel *panel)
{
    MatrixView *v = panel->view();
    const int rows = std::min(int(panel->model()->matrix().rows()), kRowsShown);
    v->setFixedHeight(v->horizontalHeader()->sizeHint().height() +
                      v->verticalHeader()->defaultSectionSize() * rows +
                      v->horizontalScrollBar()->sizeHint().height() + 2 * v->frameWidth() + 2);
}

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(share * 100.0, 0, 'f', 0);
}
} // namespace

HeadSummary HeadsPanel::summarize(const Eigen::MatrixXd &w, const QStringList &tokens, int query)
{
    HeadSummary s;
    static_cast<HeadPattern &>(s) = headPattern(w);
    const int n = int(w.rows());
    if (n == 0 || w.cols() == 0 || s.mostKey < 0)
        return s;

    // The pattern with the largest share names the head, if it is large enough.
    struct Candidate
    {
        double share;
        QString name;
    };
    const Candidate candidates[] = {
        {s.self, tr("mostly itself")},
        {s.hasPrevious ? s.previous : 0.0, tr("mostly the previous token")},
        {s.hasNext ? s.next : 0.0, tr("mostly the next token")},
        {s.mostKeyShare, tr("mostly %1, from every token").arg(quoted(tokens, s.mostKey))},
    };
    const Candidate *best =
        std::max_element(std::begin(candidates), std::end(candidates),
                         [](const Candidate &a, const Candidate &b) { return a.share < b.share; });
    QString line;
    if (best->share >= kPatternShare) {
        s.pattern = best->name;
        line = tr("%1%2: %3 of a row on average.")
                   .arg(s.pattern.left(1).toUpper(), s.pattern.mid(1), percent(best->share));
    } else if (s.spread >= kSpreadOut) {
        s.pattern = tr("spread out");
        line = tr("Spread out: its rows keep %1 of the most even spread.").arg(percent(s.spread));
    } else if (s.pairQuery >= 0) {
        s.pattern = tr("no single habit");
        line = tr("No single habit; its strongest link is %1 → %2 (%3).")
                   .arg(quoted(tokens, s.pairQuery), quoted(tokens, s.pairKey))
                   .arg(s.pairWeight, 0, 'f', 2);
    } else {
        s.pattern = tr("mostly itself");
        line = tr("Only itself to look at.");
    }
    QStringList lines{line};
    if (s.pairQuery >= 0 && s.pattern != tr("no single habit"))
        lines << tr("Strongest link to another token: %1 → %2 (%3).")
                     .arg(quoted(tokens, s.pairQuery), quoted(tokens, s.pairKey))
                     .arg(s.pairWeight, 0, 'f', 2);
    if (query >= 0 && query < n && w.row(query).sum() > 0) {
        Eigen::Index top = 0;
        s.queryTopWeight = w.row(query).maxCoeff(&top);
        s.queryTop = int(top);
        lines << tr("%1 looks most at %2 (%3).")
                     .arg(quoted(tokens, query), quoted(tokens, s.queryTop))
                     .arg(s.queryTopWeight, 0, 'f', 2);
    }
    s.text = lines.join(QLatin1Char('\n'));
    return s;
}

HeadsPanel::HeadsPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("headsPanel"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    outer->addWidget(m_scroll);
    auto *content = new QWidget(m_scroll);
    auto *v = new QVBoxLayout(content);

    auto *title = new QLabel(tr("<b>Why several heads?</b>"), content);
    auto *intro =
        new QLabel(tr("Each head has its own W_Q, W_K and W_V, so each weighs the same sentence its own way. "
                      "Here are the heads of one layer, side by side. Click a head to show it on the stage."),
                   content);
    intro->setWordWrap(true);
    v->addWidget(title);
    v->addWidget(intro);

    m_layerRow = new QWidget(content);
    auto *layerRow = new QHBoxLayout(m_layerRow);
    layerRow->setContentsMargins(0, 0, 0, 0);
    auto *layerLabel = new QLabel(tr("Layer"), m_layerRow);
    m_layerCombo = new QComboBox(m_layerRow);
    m_layerCombo->setAccessibleName(tr("Layer"));
    layerLabel->setBuddy(m_layerCombo);
    layerRow->addWidget(layerLabel);
    layerRow->addWidget(m_layerCombo);
    layerRow->addStretch(1);
    m_layerRow->hide();
    v->addWidget(m_layerRow);

    m_empty = new QLabel(tr("Type a sentence to see its heads."), content);
    m_empty->setWordWrap(true);
    v->addWidget(m_empty);

    m_headsIntro = new QLabel(content);
    m_headsIntro->setWordWrap(true);
    m_headsIntro->setTextFormat(Qt::PlainText);
    v->addWidget(m_headsIntro);
    m_headsArea = new QWidget(content);
    m_grid = new QGridLayout(m_headsArea);
    m_grid->setContentsMargins(0, 0, 0, 0);
    v->addWidget(m_headsArea);

    m_matricesIntro = new QLabel(content);
    m_matricesIntro->setWordWrap(true);
    m_matricesIntro->setTextFormat(Qt::PlainText);
    v->addWidget(m_matricesIntro);
    auto small = [&](MatrixId id, const QString &name, MatrixRole role) {
        auto *p = new MatrixPanel(id, name, role, content);
        p->model()->setPrecision(2);
        // Its title ("concat (12 × 32) [head 1 out | head 2 out]") wraps in a narrow dock instead of
        // widening the whole panel past it.
        if (auto *title = p->findChild<QLabel *>(QString(), Qt::FindDirectChildrenOnly))
            title->setWordWrap(true);
        v->addWidget(p);
        return p;
    };
    auto op = [&](const QString &text) {
        auto *l = new QLabel(text, content);
        l->setTextFormat(Qt::PlainText);
        QFont f = l->font();
        f.setBold(true);
        l->setFont(f);
        v->addWidget(l);
        return l;
    };
    m_concat = small(MatrixId::Concat, tr("concat"), MatrixRole::Output);
    m_times = op(tr("· W_O"));
    m_projection = small(MatrixId::W_O, tr("W_O"), MatrixRole::Weight);
    m_plus = op(tr("+ b_O (added to every row)"));
    m_bias = small(MatrixId::W_O, tr("b_O"), MatrixRole::Weight);
    m_equals = op(tr("= the layer's attention output"));
    m_output = small(MatrixId::AttentionOutput, tr("attention output"), MatrixRole::Output);
    m_check = new QLabel(content);
    m_check->setWordWrap(true);
    m_check->setTextFormat(Qt::PlainText);
    v->addWidget(m_check);
    v->addStretch(1);
    m_scroll->setWidget(content);
    m_scroll->viewport()->installEventFilter(this);

    connect(m_layerCombo, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        if (index == m_layer || !m_trace)
            return;
        m_layer = index;
        rebuild();
        emit layerChosen(index);
    });
    clear();
}

HeatmapView *HeadsPanel::headView(int head) const
{
    return head >= 0 && head < headCount() ? m_heads[std::size_t(head)].view : nullptr;
}

QLabel *HeadsPanel::headLabel(int head) const
{
    return head >= 0 && head < headCount() ? m_heads[std::size_t(head)].label : nullptr;
}

QPushButton *HeadsPanel::headButton(int head) const
{
    return head >= 0 && head < headCount() ? m_heads[std::size_t(head)].button : nullptr;
}

const HeadSummary &HeadsPanel::headSummary(int head) const
{
    static const HeadSummary none;
    return head >= 0 && head < headCount() ? m_heads[std::size_t(head)].summary : none;
}

void HeadsPanel::setTrace(const AttentionTrace *trace, const Model *model, int layer, int query)
{
    m_trace = trace && !trace->layers.empty() ? trace : nullptr;
    // The weights the trace was computed with: W_O must match its heads even when the caller's model is
    // already another one.
    m_model = m_trace ? (m_trace->model ? m_trace->model.get() : model) : nullptr;
    if (!m_model)
        m_trace = nullptr;
    m_layer = layer;
    m_query = query;
    m_pending = m_trace != nullptr;
    if (!m_trace)
        clear();
    else if (isVisible())
        rebuild();
}

void HeadsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_pending && m_trace)
        rebuild();
}

void HeadsPanel::clear()
{
    m_trace = nullptr;
    m_model = nullptr;
    m_pending = false;
    ensureHeads(0);
    m_layerRow->hide();
    m_empty->show();
    m_headsIntro->hide();
    m_matricesIntro->hide();
    for (QWidget *w : std::initializer_list<QWidget *>{m_concat, m_times, m_projection, m_plus, m_bias,
                                                       m_equals, m_output, m_check})
        w->hide();
}

void HeadsPanel::ensureHeads(int count)
{
    while (headCount() > count) {
        delete m_heads.back().box;
        m_heads.pop_back();
    }
    while (headCount() < count) {
        const int h = headCount();
        Head head;
        head.box = new QWidget(m_headsArea);
        auto *v = new QVBoxLayout(head.box);
        v->setContentsMargins(0, 0, 0, 0);
        head.title = new QLabel(head.box);
        head.title->setTextFormat(Qt::PlainText);
        QFont bold = head.title->font();
        bold.setBold(true);
        head.title->setFont(bold);
        head.view = new HeatmapView(head.box);
        head.view->setObjectName(QStringLiteral("head%1").arg(h + 1));
        head.view->setMinimumSize(kHeadWidth - 20, 200);
        head.view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        head.view->setColorRange(0.0, 1.0);
        head.view->setLegendTitle(tr("weight"));
        head.view->setLabelColors(theme::query(), theme::key());
        head.view->setToolTip(tr("Click to show head %1 on the stage").arg(h + 1));
        head.label = new QLabel(head.box);
        head.label->setTextFormat(Qt::PlainText);
        head.label->setWordWrap(true);
        head.label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        head.button = new QPushButton(tr("Show head %1 on the stage").arg(h + 1), head.box);
        v->addWidget(head.title);
        v->addWidget(head.view);
        v->addWidget(head.label);
        v->addWidget(head.button, 0, Qt::AlignLeft);
        v->addStretch(1);
        connect(head.view, &HeatmapView::cellClicked, this, [this, h](int, int) {
            // The click chooses the head; the cells keep showing this panel's query.
            if (HeatmapView *view = headView(h))
                view->setSelection(m_query, headSummary(h).queryTop);
            emit headChosen(m_layer, h);
        });
        connect(head.button, &QPushButton::clicked, this, [this, h] { emit headChosen(m_layer, h); });
        m_heads.push_back(head);
    }
    m_columns = 0;
    reflow();
}

void HeadsPanel::reflow()
{
    const int width = m_scroll->viewport()->width() - 24;
    const int columns = std::clamp(width / kHeadWidth, 1, std::max(1, std::min(headCount(), 3)));
    if (columns == m_columns)
        return;
    m_columns = columns;
    for (const Head &h : m_heads)
        m_grid->removeWidget(h.box);
    for (int i = 0; i < headCount(); ++i)
        m_grid->addWidget(m_heads[std::size_t(i)].box, i / columns, i % columns);
    for (int c = 0; c < 3; ++c)
        m_grid->setColumnStretch(c, c < columns ? 1 : 0);
}

bool HeadsPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize)
        reflow();
    return QWidget::eventFilter(watched, event);
}

void HeadsPanel::rebuild()
{
    m_pending = false;
    m_layer = std::clamp(m_layer, 0, int(m_trace->layers.size()) - 1);
    if (m_query < 0 || m_query >= m_trace->tokenCount())
        m_query = -1;
    const AttentionTrace &trace = *m_trace;
    const Model &model = *m_model;
    const LayerTrace &layer = trace.layers[std::size_t(m_layer)];
    const int heads = int(layer.heads.size());
    const QStringList tokens = toQStringList(tokenLabels(trace));

    const int layers = int(trace.layers.size());
    if (m_layerCombo->count() != layers) {
        m_layerCombo->clear();
        for (int l = 0; l < layers; ++l)
            m_layerCombo->addItem(tr("Layer %1 of %2").arg(l + 1).arg(layers));
    }
    m_layerCombo->setCurrentIndex(m_layer);
    m_layerRow->setVisible(layers > 1);
    m_empty->hide();

    m_headsIntro->setText(heads == 1
                              ? tr("This layer has one head: with one head, one pattern has to serve every "
                                   "purpose. A model with more heads shows them side by side here.")
                              : tr("The %1 heads of layer %2, on the same %3 tokens. Rows are queries, "
                                   "columns keys; each row sums to 1.")
                                    .arg(heads)
                                    .arg(m_layer + 1)
                                    .arg(trace.tokenCount()));
    m_headsIntro->show();
    ensureHeads(heads);
    for (int h = 0; h < heads; ++h) {
        Head &head = m_heads[std::size_t(h)];
        const Eigen::MatrixXd &w = layer.heads[std::size_t(h)].weights;
        head.summary = summarize(w, tokens, m_query);
        head.title->setText(tr("Head %1: %2").arg(h + 1).arg(head.summary.pattern));
        head.view->setAxisTitles(tr("queries ↓"), tr("keys →"));
        // Tall enough for every row's label of a sentence, within reason: longer ones label every k-th row.
        const int rowHeight = head.view->fontMetrics().height() + 4;
        head.view->setFixedHeight(std::clamp(120 + int(w.rows()) * rowHeight, 240, 440));
        head.view->setMatrix(w, tokens, tokens);
        head.view->setSelection(m_query, head.summary.queryTop);
        head.view->setAccessibleName(
            tr("Weights of head %1 of layer %2: %3").arg(h + 1).arg(m_layer + 1).arg(head.summary.pattern));
        head.label->setText(head.summary.text);
    }

    // concat · W_O + b_O = attention output, with the numbers of the trace.
    const int dk = heads > 0 ? int(layer.heads.front().output.cols()) : 0;
    QStringList concatColumns;
    for (int h = 0; h < heads; ++h)
        for (int c = 0; c < dk; ++c)
            concatColumns << QStringLiteral("h%1·%2").arg(h + 1).arg(c);
    const QStringList features = toQStringList(featureLabels(model));
    const LayerWeights &lw = model.layers[std::size_t(m_layer)];
    const bool identity = lw.W_O.size() == 0;
    m_matricesIntro->setText(
        tr("Each head gives an n × d_k output (%1 × %2). Side by side they make one n × heads·d_k matrix (%1 "
           "× %3), "
           "and W_O (%3 × %4) mixes the heads' features into the layer's attention output (%1 × %4).")
            .arg(trace.tokenCount())
            .arg(dk)
            .arg(layer.concat.cols())
            .arg(model.d_model));
    m_matricesIntro->show();
    m_concat->setSubtitle(heads > 1 ? tr("[%1]").arg([&] {
        QStringList parts;
        for (int h = 0; h < heads; ++h)
            parts << tr("head %1 out").arg(h + 1);
        return parts.join(QStringLiteral(" | "));
    }())
                                    : tr("the head's output"));
    m_concat->setMatrix(layer.concat, tokens, concatColumns);
    m_projection->setSubtitle(identity ? tr("none in this model: the identity") : QString());
    m_projection->setMatrix(identity ? Eigen::MatrixXd::Identity(layer.concat.cols(), model.d_model) : lw.W_O,
                            concatColumns, features);
    const bool bias = lw.b_O.size() > 0;
    if (bias)
        m_bias->setMatrix(lw.b_O, {tr("every row")}, features);
    m_output->setMatrix(layer.attentionOutput, tokens, features);
    for (MatrixPanel *p : {m_concat, m_projection, m_bias, m_output})
        fitHeight(p);
    for (QWidget *w : std::initializer_list<QWidget *>{m_concat, m_times, m_projection, m_equals, m_output})
        w->show();
    m_plus->setVisible(bias);
    m_bias->setVisible(bias);
    m_check->setText(heads > 1
                         ? tr("Without W_O, head 1 could only ever fill the first %1 features and head 2 the "
                              "next ones. W_O lets every feature of the output read from every head.")
                               .arg(dk)
                         : QString());
    m_check->setVisible(heads > 1);
}

} // namespace attention
