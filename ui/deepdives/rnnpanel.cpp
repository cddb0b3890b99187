#include "rnnpanel.h"

#include "attention.h"
#include "theme.h"
#include "tokenizer.h"

#include <QComboBox>
#include <QEasingCurve>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QVariantAnimation>
#include <algorithm>
#include <cmath>

namespace attention {

namespace {
QString quoted(const QString &token)
{
    return QStringLiteral("“%1”").arg(token);
}

// Within each hop the motion eases in and out; the hops follow each other at an even pace.
double easedHops(double hops)
{
    static const QEasingCurve curve(QEasingCurve::InOutSine);
    const double whole = std::floor(hops);
    return whole + curve.valueForProgress(hops - whole);
}
} // namespace

// The two rows of tokens: the RNN's chain of hidden states on top, attention's all-pairs links below.
class RnnPanel::Canvas : public QWidget
{
public:
    explicit Canvas(RnnPanel *panel) : QWidget(panel), m_panel(panel)
    {
        setAttribute(Qt::WA_OpaquePaintEvent, false);
    }

    void relayout()
    {
        const QFontMetricsF fm(font());
        const double pad = std::ceil(fm.height() * 0.3);
        const double percentWidth = fm.horizontalAdvance(QStringLiteral("100 %")) + 4;
        m_gap = std::ceil(fm.height() * 0.9); // room for the arrow between two hidden states
        m_boxHeight = std::ceil(fm.height() + pad);
        m_x.clear();
        m_w.clear();
        double x = 8;
        for (const QString &t : m_panel->m_tokens) {
            const double w = std::max(fm.horizontalAdvance(t) + 2 * pad, percentWidth);
            m_x.push_back(x);
            m_w.push_back(w);
            x += w + m_gap;
        }
        const double line = fm.height();
        m_rnnTitle = 4;
        m_rnnRow = m_rnnTitle + line + 14; // room for the moving dot above the boxes
        m_barTop = m_rnnRow + m_boxHeight + 4;
        m_barHeight = std::ceil(line * 1.6);
        m_attentionTitle = m_barTop + m_barHeight + line + 14;
        m_attentionRow = m_attentionTitle + line + 6;
        m_arcDepth = std::ceil(line * 3);
        const int width = int(std::ceil(std::max(
            x - m_gap + 8,
            std::max(fm.horizontalAdvance(rnnTitle()), fm.horizontalAdvance(attentionTitle())) + 16)));
        const int height = int(std::ceil(m_attentionRow + m_boxHeight + m_arcDepth + 8));
        setMinimumSize(width, height);
        updateGeometry();
        update();
    }

    QSize sizeHint() const override { return minimumSize(); }

    QString rnnTitle() const
    {
        return RnnPanel::tr("RNN: %1 steps, one after another").arg(m_panel->m_tokens.size());
    }
    QString attentionTitle() const { return RnnPanel::tr("Attention: every pair in 1 step"); }

    // Scrolls the scroll area so that token i of both rows is in view.
    void reveal(QScrollArea *scroll, int i) const
    {
        if (i < 0 || i >= int(m_x.size()))
            return;
        const double w = m_w[std::size_t(i)];
        scroll->ensureVisible(int(m_x[std::size_t(i)] + w / 2), int(m_rnnRow), int(w / 2 + m_gap), 0);
    }

    QPointF rnnCentre(int i) const
    {
        return {m_x[std::size_t(i)] + m_w[std::size_t(i)] / 2, m_rnnRow + m_boxHeight / 2};
    }

    QPainterPath attentionArc(int a, int b) const
    {
        const double y = m_attentionRow + m_boxHeight;
        const double xa = m_x[std::size_t(a)] + m_w[std::size_t(a)] / 2;
        const double xb = m_x[std::size_t(b)] + m_w[std::size_t(b)] / 2;
        const double depth = std::min(m_arcDepth, 8 + std::abs(xb - xa) * 0.25);
        QPainterPath path(QPointF(xa, y));
        path.cubicTo(QPointF(xa, y + depth * 1.33), QPointF(xb, y + depth * 1.33), QPointF(xb, y));
        return path;
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        const RnnPanel &p = *m_panel;
        const int n = int(p.m_tokens.size());
        if (n == 0 || int(m_x.size()) != n)
            return;
        QPainter g(this);
        g.setRenderHint(QPainter::Antialiasing);
        const QFontMetricsF fm(font());
        const QColor text = palette().color(QPalette::WindowText);
        const QColor faint = palette().color(QPalette::Mid);
        const QColor path = theme::value();
        const int from = p.fromToken(), to = p.toToken();
        const int lo = std::min(from, to), hi = std::max(from, to);
        const bool pair = lo >= 0 && hi > lo;
        const double done =
            p.m_rnnHops > 0 ? easedHops(std::clamp(p.m_progress, 0.0, double(p.m_rnnHops))) : 0.0;
        QFont bold = font();
        bold.setBold(true);

        auto drawBox = [&](int i, double y) {
            const QRectF r(m_x[std::size_t(i)], y, m_w[std::size_t(i)], m_boxHeight);
            const bool chosen = pair && (i == lo || i == hi);
            const bool between = pair && i > lo && i < hi;
            g.setPen(QPen(chosen ? (i == from ? theme::key() : theme::query()) : faint, chosen ? 3 : 1));
            g.setBrush(palette().color(between || chosen ? QPalette::Base : QPalette::Window));
            g.drawRoundedRect(r.adjusted(1, 1, -1, -1), 4, 4);
            g.setPen(pair && (i < lo || i > hi) ? faint.darker(130) : text);
            g.setFont(chosen ? bold : font());
            g.drawText(r, Qt::AlignCenter, p.m_tokens[i]);
            g.setFont(font());
        };

        // The RNN: h passes from each token to the next, one step at a time.
        g.setPen(text);
        g.setFont(bold);
        // The rows' titles stay at the left of what is shown, however far the rows are scrolled.
        const double left = visibleRegion().boundingRect().left() + 8;
        g.drawText(QPointF(left, m_rnnTitle + fm.ascent()), rnnTitle());
        g.setFont(font());
        for (int i = 0; i < n; ++i)
            drawBox(i, m_rnnRow);
        for (int i = 0; i + 1 < n; ++i) {
            const double x1 = m_x[std::size_t(i)] + m_w[std::size_t(i)] + 2;
            const double x2 = m_x[std::size_t(i + 1)] - 2;
            const double y = m_rnnRow + m_boxHeight / 2;
            const bool onPath = pair && i >= lo && i < hi;
            const bool passed = onPath && i - lo < done;
            g.setPen(QPen(passed ? path : onPath ? text : faint, passed ? 3 : 1.5));
            g.drawLine(QPointF(x1, y), QPointF(x2, y));
            g.drawLine(QPointF(x2, y), QPointF(x2 - 5, y - 4));
            g.drawLine(QPointF(x2, y), QPointF(x2 - 5, y + 4));
        }
        // How much of the earlier token is left in each later hidden state, relative to its own step.
        if (pair && int(p.m_influence.relative.size()) == n) {
            for (int j = lo; j <= hi; ++j) {
                if (j - lo > done + 1e-9)
                    break;
                const double share = p.m_influence.relative[std::size_t(j)];
                const double x = m_x[std::size_t(j)];
                const double w = m_w[std::size_t(j)];
                const double h = std::max(1.0, share * m_barHeight);
                QColor fill = path;
                fill.setAlphaF(0.25 + 0.75 * share);
                g.setPen(Qt::NoPen);
                g.setBrush(fill);
                g.drawRect(QRectF(x + w * 0.2, m_barTop + m_barHeight - h, w * 0.6, h));
                g.setPen(text);
                g.drawText(QRectF(x - m_gap / 2, m_barTop + m_barHeight, w + m_gap, fm.height()),
                           Qt::AlignCenter,
                           QStringLiteral("%1 %").arg(share * 100, 0, 'f', share < 0.095 ? 1 : 0));
            }
            if (p.isPlaying() && p.m_rnnHops > 0) {
                const int k = std::min(int(std::floor(done)), p.m_rnnHops - 1);
                const double t = std::clamp(done - k, 0.0, 1.0);
                const QPointF a = rnnCentre(lo + k), b = rnnCentre(std::min(lo + k + 1, hi));
                const QPointF dot = a + (b - a) * t;
                g.setPen(Qt::NoPen);
                g.setBrush(path);
                g.drawEllipse(QPointF(dot.x(), m_rnnRow - 6), 5, 5);
            }
        }

        // Attention: every pair is one link, all computed in the same step.
        g.setPen(text);
        g.setFont(bold);
        g.drawText(QPointF(left, m_attentionTitle + fm.ascent()), attentionTitle());
        g.setFont(font());
        QColor link = faint;
        link.setAlphaF(n > 20 ? 0.25 : 0.45);
        g.setBrush(Qt::NoBrush);
        g.setPen(QPen(link, 1));
        for (int a = 0; a < n; ++a)
            for (int b = a + 1; b < n; ++b)
                if (!(a == lo && b == hi))
                    g.drawPath(attentionArc(a, b));
        if (pair) {
            const QPainterPath arc = attentionArc(lo, hi);
            const double reached = p.isPlaying() ? easedHops(std::clamp(p.m_progress, 0.0, 1.0)) : 1.0;
            g.setPen(QPen(path, 3));
            if (reached >= 1.0) {
                g.drawPath(arc);
            } else {
                QPainterPath part(arc.pointAtPercent(0));
                const int pieces = 40;
                for (int s = 1; s <= pieces; ++s)
                    part.lineTo(arc.pointAtPercent(reached * s / pieces));
                g.drawPath(part);
                g.setPen(Qt::NoPen);
                g.setBrush(path);
                g.drawEllipse(arc.pointAtPercent(reached), 5, 5);
            }
        }
        for (int i = 0; i < n; ++i)
            drawBox(i, m_attentionRow);
    }

    void changeEvent(QEvent *event) override
    {
        QWidget::changeEvent(event);
        if (event->type() == QEvent::FontChange)
            relayout();
    }

private:
    RnnPanel *m_panel;
    std::vector<double> m_x, m_w;
    double m_gap = 18, m_boxHeight = 24;
    double m_rnnTitle = 0, m_rnnRow = 0, m_barTop = 0, m_barHeight = 0, m_attentionTitle = 0,
           m_attentionRow = 0, m_arcDepth = 0;
};

RnnPanel::RnnPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("rnnPanel"));
    auto *v = new QVBoxLayout(this);
    auto *title = new QLabel(tr("<b>Attention against an RNN</b>"), this);
    m_intro = new QLabel(
        tr("A recurrent network reads a sentence one token at a time: each hidden state needs the one "
           "before it, so a word reaches a later one only hop by hop, fading a little at every step. "
           "Attention compares every pair of tokens directly, all in one step."),
        this);
    m_intro->setWordWrap(true);
    v->addWidget(title);
    v->addWidget(m_intro);

    auto *controls = new QGridLayout;
    auto *fromLabel = new QLabel(tr("From"), this);
    auto *toLabel = new QLabel(tr("to"), this);
    m_fromCombo = new QComboBox(this);
    m_toCombo = new QComboBox(this);
    m_fromCombo->setAccessibleName(tr("From token"));
    m_toCombo->setAccessibleName(tr("To token"));
    m_fromCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_toCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    fromLabel->setBuddy(m_fromCombo);
    toLabel->setBuddy(m_toCombo);
    m_play = new QPushButton(tr("&Play"), this);
    m_play->setEnabled(false);
    // One above the other: side by side, "because (token 7)" and its partner do not fit a 360 px dock.
    auto *pick = new QGridLayout;
    pick->addWidget(fromLabel, 0, 0);
    pick->addWidget(m_fromCombo, 0, 1, Qt::AlignLeft);
    pick->addWidget(toLabel, 1, 0);
    pick->addWidget(m_toCombo, 1, 1, Qt::AlignLeft);
    pick->setColumnStretch(1, 1);
    controls->addLayout(pick, 0, 0, 1, 2);
    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    controls->addWidget(m_play, 1, 0, Qt::AlignLeft | Qt::AlignTop);
    controls->addWidget(m_status, 1, 1);
    controls->setColumnStretch(1, 1);
    v->addLayout(controls);

    m_summary = new QLabel(this);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    v->addWidget(m_summary);

    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_canvas = new Canvas(this);
    m_canvas->setAccessibleName(tr("The sentence as an RNN's chain of steps and as attention's links"));
    m_scroll->setWidget(m_canvas);
    // A scroll moves the cells but not the titles: the whole canvas is drawn again.
    connect(m_scroll->horizontalScrollBar(), &QScrollBar::valueChanged, m_canvas,
            qOverload<>(&QWidget::update));
    v->addWidget(m_scroll);
    auto *legend =
        new QLabel(tr("The bars under the RNN say how much the first chosen token still moves each later "
                      "hidden state: the size of ∂h/∂x, as a share of its effect on its own state."),
                   this);
    legend->setWordWrap(true);
    v->addWidget(legend);
    v->addStretch(1);

    m_animation = new QVariantAnimation(this);
    m_animation->setEasingCurve(QEasingCurve::Linear); // each hop eases on its own (easedHops)
    connect(m_animation, &QVariantAnimation::valueChanged, this, [this](const QVariant &value) {
        if (m_animation->state() == QAbstractAnimation::Running)
            setProgress(value.toDouble());
    });
    connect(m_animation, &QVariantAnimation::finished, this, [this] {
        setProgress(m_rnnHops);
        emit playFinished();
    });
    connect(m_play, &QPushButton::clicked, this, [this] {
        if (isPlaying())
            stop();
        else
            play();
    });
    auto changed = [this] { pairChanged(); };
    connect(m_fromCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, changed);
    connect(m_toCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, changed);
    updateStatus();
}

RnnPanel::~RnnPanel() = default;

void RnnPanel::setInput(std::shared_ptr<const Model> model, const QString &sentence)
{
    // The same words through the same model: nothing to redo, and the chosen pair stays.
    if (model == m_model && sentence == m_sentence && (m_model || m_computed))
        return;
    m_animation->stop();
    m_model = std::move(model);
    m_sentence = sentence;
    m_computed = false;
    if (isVisible())
        compute();
}

void RnnPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_computed)
        compute();
}

void RnnPanel::compute()
{
    m_computed = true;
    m_tokens.clear();
    m_embeddings.resize(0, 0);
    m_influence = {};
    if (m_model && m_model->d_model > 0) {
        std::vector<Token> tokens = tokenize(m_sentence.toStdString());
        std::size_t cap = kMaxTokens;
        if (m_model->positionEmbedding.size() > 0)
            cap = std::min(cap, std::size_t(m_model->maxPositions()));
        if (tokens.size() > cap)
            tokens.resize(cap);
        if (!tokens.empty()) {
            AttentionTrace embedded;
            embedTokens(*m_model, tokens, embedded);
            m_embeddings = embedded.tokenEmbeddings; // the RNN reads the words; its order is its own steps
            for (const Token &t : tokens)
                m_tokens << QString::fromStdString(t.text);
        }
        if (m_weights.wx.cols() != m_model->d_model)
            m_weights = rnnWeights(m_model->d_model, m_model->d_model);
    }
    // The default pair: "animal" and the first "it" after it, else the first and last tokens.
    int from = -1, to = -1;
    for (int i = 0; i < m_tokens.size() && from < 0; ++i)
        if (m_tokens[i].compare(QStringLiteral("animal"), Qt::CaseInsensitive) == 0)
            from = i;
    for (int i = std::max(from, 0); from >= 0 && i < m_tokens.size() && to < 0; ++i)
        if (m_tokens[i].compare(QStringLiteral("it"), Qt::CaseInsensitive) == 0)
            to = i;
    if (from < 0 || to < 0) {
        from = 0;
        to = int(m_tokens.size()) - 1;
    }
    for (QComboBox *c : {m_fromCombo, m_toCombo}) {
        const QSignalBlocker block(c);
        c->clear();
        // Numbered from 0, as the token strip numbers them.
        for (int i = 0; i < m_tokens.size(); ++i)
            c->addItem(tr("%1 (token %2)").arg(m_tokens[i]).arg(i));
    }
    {
        const QSignalBlocker a(m_fromCombo), b(m_toCombo);
        m_fromCombo->setCurrentIndex(from);
        m_toCombo->setCurrentIndex(to);
    }
    m_canvas->relayout();
    m_scroll->setFixedHeight(m_canvas->minimumHeight() +
                             m_scroll->horizontalScrollBar()->sizeHint().height() + 2);
    pairChanged();
}

int RnnPanel::fromToken() const
{
    return m_fromCombo->currentIndex();
}

int RnnPanel::toToken() const
{
    return m_toCombo->currentIndex();
}

bool RnnPanel::isPlaying() const
{
    return m_animation->state() == QAbstractAnimation::Running;
}

void RnnPanel::pairChanged()
{
    m_animation->stop();
    const int from = fromToken(), to = toToken();
    const bool ok = from >= 0 && to >= 0 && !m_tokens.isEmpty();
    m_rnnHops = ok ? rnnPathLength(from, to) : 0;
    m_attentionHops = ok ? attentionPathLength(from, to) : 0;
    const int lo = std::min(from, to), hi = std::max(from, to);
    m_influence = ok ? rnnInfluence(m_embeddings, m_weights, lo) : RnnInfluence{};
    m_progress = m_rnnHops; // at rest the whole path is drawn
    m_play->setEnabled(m_rnnHops > 0);
    m_play->setText(tr("&Play"));
    const int n = int(m_tokens.size());
    if (!ok) {
        m_summary->setText(m_model ? tr("Type a sentence to compare the two.") : QString());
    } else if (m_rnnHops == 0) {
        m_summary->setText(tr("Pick two different tokens to see the path between them."));
    } else {
        const double self = m_influence.influence[std::size_t(lo)];
        const double left = m_influence.influence[std::size_t(hi)];
        m_summary->setText(tr("Between %1 and %2: %3 hops through the RNN, %4 through attention.\n"
                              "For the whole sentence the RNN takes %5 steps, one after another; attention "
                              "takes 1 for all %5 tokens.\n"
                              "What is left of %1 in the RNN's state at %2: ‖∂h/∂x‖ = %6, %7 % of the %8 it "
                              "had on its own step.")
                               .arg(quoted(m_tokens[lo]), quoted(m_tokens[hi]))
                               .arg(m_rnnHops)
                               .arg(m_attentionHops)
                               .arg(n)
                               .arg(left, 0, 'g', 3)
                               .arg(self > 0 ? 100 * left / self : 0.0, 0, 'f', 1)
                               .arg(self, 0, 'g', 3));
    }
    updateStatus();
    m_canvas->setAccessibleDescription(m_summary->text());
    if (ok) {
        // Both chosen tokens in view when they fit, the earlier one at least.
        m_canvas->reveal(m_scroll, hi);
        m_canvas->reveal(m_scroll, lo);
    }
    m_canvas->update();
}

void RnnPanel::play()
{
    if (m_rnnHops <= 0)
        return;
    m_animation->stop();
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(double(m_rnnHops));
    m_animation->setDuration(m_rnnHops * kHopMs);
    setProgress(0.0);
    m_animation->start();
    m_play->setText(tr("&Stop"));
    updateStatus();
}

void RnnPanel::stop()
{
    if (!isPlaying())
        return;
    m_animation->stop();
    setProgress(m_rnnHops);
}

void RnnPanel::setProgress(double hops)
{
    const int before = int(std::floor(m_progress));
    m_progress = hops;
    if (!isPlaying())
        m_play->setText(m_rnnHops > 0 ? tr("&Replay") : tr("&Play"));
    if (int(std::floor(hops)) != before || !isPlaying()) {
        updateStatus();
        // The token the hidden state is heading for stays in view (a calm scroll, once per hop).
        if (isPlaying())
            m_canvas->reveal(m_scroll, std::min(fromToken(), toToken()) +
                                           std::min(int(std::floor(hops)) + 1, m_rnnHops));
    }
    m_canvas->update();
}

void RnnPanel::updateStatus()
{
    if (m_rnnHops <= 0) {
        m_status->clear();
        return;
    }
    if (isPlaying()) {
        const int done = std::min(int(std::floor(m_progress)), m_rnnHops);
        m_status->setText(tr("RNN: hop %1 of %2. Attention: %3.")
                              .arg(done)
                              .arg(m_rnnHops)
                              .arg(m_progress >= 1.0 ? tr("there in 1") : tr("on its way")));
    } else {
        m_status->setText(
            tr("Play sends both at once: one hop for attention, %1 for the RNN.").arg(m_rnnHops));
    }
}

} // namespace attention
