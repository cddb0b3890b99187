// One function lays the flow out and paints it, so the scroll height and the picture can never disagree.
#include "layerflowview.h"

#include "attention.h"
#include "colormap.h"
#include "compare.h"
#include "labels.h"
#include "report.h"
#include "theme.h"

#include <QFontInfo>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QImage>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace attention {

namespace {

constexpr int kMargin = 10;
constexpr int kPad = 8;             // inside a layer's box
constexpr int kTopKeys = 3;         // more would not fit a narrow dock, and the rest are usually tiny
constexpr int kMaxLabelWidth = 140; // a long token is elided rather than squeezing the bars

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QString quoted(const QString &s)
{
    return QStringLiteral("“%1”").arg(s);
}

} // namespace

namespace vectorpaint {

double symmetricRange(const std::vector<Eigen::RowVectorXd> &vectors)
{
    double range = 0.0;
    for (const Eigen::RowVectorXd &v : vectors)
        if (v.size() > 0)
            range = std::max(range, v.cwiseAbs().maxCoeff());
    return std::isfinite(range) && range > 0.0 ? range : 1.0;
}

void paintStrip(QPainter &p, const QRect &r, const Eigen::RowVectorXd &v, double range, const QColor &frame)
{
    if (v.size() == 0 || r.isEmpty())
        return;
    // One pixel per dimension, stretched without smoothing: each dimension stays a crisp cell.
    QImage image(static_cast<int>(v.size()), 1, QImage::Format_RGB32);
    for (int i = 0; i < v.size(); ++i)
        image.setPixel(i, 0, viridis((v[i] + range) / (2.0 * range)).rgb());
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(r, image);
    p.setPen(frame);
    p.setBrush(Qt::NoBrush);
    p.drawRect(r.adjusted(0, 0, -1, -1));
    p.restore();
}

int dimensionAt(const QRect &r, int dims, const QPoint &pos)
{
    if (dims <= 0 || !r.contains(pos))
        return -1;
    return std::clamp((pos.x() - r.left()) * dims / std::max(1, r.width()), 0, dims - 1);
}

int paintLegend(QPainter &p, const QRect &r, double range, const QFont &font, const QColor &text)
{
    const QFontMetrics fm(font);
    const QString low = QStringLiteral("−") + formatNumber(range, 1);
    const QString high = QStringLiteral("+") + formatNumber(range, 1);
    const int barWidth = 72;
    const QRect bar(r.left() + fm.horizontalAdvance(low) + 4, r.center().y() - 6, barWidth, 12);
    p.save();
    p.setFont(font);
    p.setPen(text);
    p.drawText(QRect(r.left(), r.top(), bar.left() - r.left(), r.height()), Qt::AlignLeft | Qt::AlignVCenter,
               low);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, viridis(i / 8.0));
    p.fillRect(bar, gradient);
    p.drawText(QRect(bar.right() + 5, r.top(), fm.horizontalAdvance(high) + 2, r.height()),
               Qt::AlignLeft | Qt::AlignVCenter, high);
    p.restore();
    return bar.right() + 5 + fm.horizontalAdvance(high) - r.left();
}

void paintWeightBar(QPainter &p, const QRect &r, double weight, const QColor &color, const QFont &font,
                    const QColor &text)
{
    const double w = std::clamp(std::isfinite(weight) ? weight : 0.0, 0.0, 1.0);
    p.save();
    // A faint track shows where 1.0 would reach, so a bar's length reads as a share of the whole.
    QColor track = text;
    track.setAlphaF(0.10f);
    p.fillRect(r, track);
    const int length = w > 0.0 ? std::max(2, static_cast<int>(std::lround(w * r.width()))) : 0;
    p.fillRect(QRect(r.left(), r.top(), length, r.height()), color);
    p.setFont(font);
    p.setPen(text);
    const QString number = formatNumber(weight);
    const int numberWidth = QFontMetrics(font).horizontalAdvance(number) + 2;
    // Inside the track's empty end when the bar is long, else just right of the bar.
    const int x = std::min(r.left() + length + 4, r.right() + 6);
    p.drawText(QRect(x, r.top() - 4, numberWidth, r.height() + 8), Qt::AlignLeft | Qt::AlignVCenter, number);
    p.restore();
}

QString tokenLabel(const QStringList &tokens, int index)
{
    const QString text = tokens.value(index);
    return tokens.count(text) > 1 ? QStringLiteral("%1 #%2").arg(text).arg(index) : text;
}

QString formatNumber(double value, int decimals)
{
    if (std::isnan(value))
        return LayerFlowView::tr("undefined");
    // "−0.00" would suggest a sign the rounded number no longer has.
    const QString s = QString::number(value, 'f', decimals);
    if (s.toDouble() == 0.0)
        return QString::number(0.0, 'f', decimals);
    return value < 0 ? QStringLiteral("−") + s.mid(1) : s;
}

} // namespace vectorpaint

namespace {

// What the canvas shows, copied out of the trace for the followed token only.
struct FlowStep
{
    int heads = 0;
    std::vector<int> keys;                        // the strongest keys, strongest first
    std::vector<double> weights;                  // their head-averaged weights
    std::vector<std::vector<double>> headWeights; // per shown key, each head's own weight
    bool fullyMasked = false;
    Eigen::RowVectorXd output; // (d_model): the token's row of the layer's output
    double change = 0.0;       // ‖out − in‖
    double cosine = 0.0;       // cos(in, out)
};

struct FlowData
{
    bool valid = false;
    int token = -1;
    QStringList tokens;
    QStringList features;
    bool positions = false;
    Eigen::RowVectorXd input;    // (d_model): what layer 1 reads for the token
    std::vector<FlowStep> steps; // layer 1 first
    double range = 1.0;          // one colour scale for every strip
};

} // namespace

class LayerFlowCanvas : public QWidget
{
public:
    explicit LayerFlowCanvas(LayerFlowView *view) : QWidget(view), m_view(view)
    {
        QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
        policy.setHeightForWidth(true);
        setSizePolicy(policy);
        setMouseTracking(true);
        updateFonts();
    }

    void setData(FlowData data)
    {
        m_data = std::move(data);
        m_hits.clear();
        updateGeometry();
        update();
    }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return render(nullptr, width); }
    QSize sizeHint() const override { return {400, heightForWidth(400)}; }
    QSize minimumSizeHint() const override { return {240, 120}; }

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        render(&p, width());
    }
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override
    {
        const Hit *hit = hitAt(event->position().toPoint());
        setCursor(hit && hit->key >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        QWidget::mouseMoveEvent(event);
    }
    void changeEvent(QEvent *event) override
    {
        QWidget::changeEvent(event);
        if (event->type() == QEvent::FontChange) {
            updateFonts();
            updateGeometry();
        }
        if (event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange)
            update();
    }

private:
    // A place the mouse can ask about: a key's bar (key ≥ 0) or a vector strip (key −1).
    struct Hit
    {
        QRect rect;
        int layer = -1; // -1 = the input embedding
        int key = -1;
        int rank = -1; // position among the layer's shown keys
    };

    void updateFonts()
    {
        const double base = QFontInfo(font()).pointSizeF();
        m_font = font();
        m_font.setPointSizeF(std::max(theme::kMinimumPointSize, base));
        m_bold = m_font;
        m_bold.setBold(true);
        m_title = m_bold;
        m_title.setPointSizeF(std::max(13.0, base * 1.2));
    }

    const Hit *hitAt(const QPoint &pos) const
    {
        for (const Hit &hit : m_hits)
            if (hit.rect.contains(pos))
                return &hit;
        return nullptr;
    }

    int render(QPainter *p, int width) const;

    LayerFlowView *m_view = nullptr;
    FlowData m_data;
    QFont m_font;
    QFont m_bold;
    QFont m_title;
    mutable std::vector<Hit> m_hits; // filled while painting, read by tooltips and clicks
};

int LayerFlowCanvas::render(QPainter *p, int width) const
{
    const QFontMetrics fm(m_font);
    const int line = fm.height() + 4;
    const int inner = std::max(120, width - 2 * kMargin);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor window = palette().color(QPalette::Window);
    const QColor muted = mix(window, text, 0.7);
    const QColor frame = palette().color(QPalette::Mid);
    int y = kMargin;
    if (p)
        m_hits.clear();

    // Text wrapped to `w` at (x, y); returns its height. Measures only when there is no painter.
    auto wrapped = [&](const QFont &f, const QColor &c, int x, int w, const QString &s) {
        const int flags = Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap;
        const QRect bounds = QFontMetrics(f).boundingRect(QRect(x, y, w, 100000), flags, s);
        if (p) {
            p->setFont(f);
            p->setPen(c);
            p->drawText(QRect(x, y, w, bounds.height()), flags, s);
        }
        return bounds.height();
    };

    if (!m_data.valid) {
        y += wrapped(m_font, muted, kMargin, inner,
                     LayerFlowView::tr("No trace yet: type a sentence and pick a token to follow it up "
                                       "through the layers."));
        return y + kMargin;
    }

    const QString word = quoted(m_data.tokens.value(m_data.token));
    const int layers = static_cast<int>(m_data.steps.size());
    y += wrapped(
        m_title, text, kMargin, inner,
        layers == 1
            ? LayerFlowView::tr("Following %1 (token %2) up through 1 layer").arg(word).arg(m_data.token)
            : LayerFlowView::tr("Following %1 (token %2) up through %3 layers")
                  .arg(word)
                  .arg(m_data.token)
                  .arg(layers));
    y += 2;
    const int heads = m_data.steps.empty() ? 0 : m_data.steps.front().heads;
    y +=
        wrapped(m_font, muted, kMargin, inner,
                heads > 1 ? LayerFlowView::tr("Read from the bottom up. Bars: the weights it gives, averaged "
                                              "over each layer's %1 heads.")
                                .arg(heads)
                          : LayerFlowView::tr("Read from the bottom up. Bars: the weights it gives."));
    y += 8;

    // One label column for key names and the strips' "input"/"output", so bars and strips line up.
    const QString outputLabel = LayerFlowView::tr("output");
    const QString inputLabel = LayerFlowView::tr("input");
    int labelWidth = std::max(fm.horizontalAdvance(outputLabel), fm.horizontalAdvance(inputLabel));
    for (const FlowStep &step : m_data.steps)
        for (int k : step.keys)
            labelWidth =
                std::max(labelWidth, fm.horizontalAdvance(vectorpaint::tokenLabel(m_data.tokens, k)));
    // +2: elidedText() elides a text given exactly its own advance.
    labelWidth = std::min({labelWidth + 2, kMaxLabelWidth, inner / 3});
    const int numberWidth = fm.horizontalAdvance(QStringLiteral("0.00")) + 8;

    const int x0 = kMargin + kPad;
    const int w0 = inner - 2 * kPad;
    const int trackLeft = x0 + labelWidth + 8;
    const int trackWidth = std::max(20, x0 + w0 - numberWidth - trackLeft);
    const int stripWidth = std::max(20, x0 + w0 - trackLeft);

    auto stripRow = [&](const QString &label, const Eigen::RowVectorXd &v, int layer) {
        const QRect strip(trackLeft, y + 2, stripWidth, line - 4);
        if (p) {
            p->setFont(m_font);
            p->setPen(muted);
            p->drawText(QRect(x0, y, labelWidth, line), Qt::AlignRight | Qt::AlignVCenter, label);
            vectorpaint::paintStrip(*p, strip, v, m_data.range, frame);
            m_hits.push_back({strip, layer, -1, -1});
        }
        y += line;
    };
    auto box = [&](int top) {
        if (p) {
            p->save();
            p->setRenderHint(QPainter::Antialiasing);
            p->setPen(QPen(frame, 1));
            p->setBrush(Qt::NoBrush);
            p->drawRoundedRect(QRectF(kMargin + 0.5, top + 0.5, inner - 1, y - top - 1), 6, 6);
            p->restore();
        }
    };
    auto arrow = [&] {
        if (p) {
            p->setFont(m_bold);
            p->setPen(muted);
            p->drawText(QRect(kMargin, y, inner, line), Qt::AlignCenter, QStringLiteral("↑"));
        }
        y += line;
    };

    // The last layer on top, as the data flows upward.
    for (int l = layers - 1; l >= 0; --l) {
        const FlowStep &step = m_data.steps[static_cast<std::size_t>(l)];
        const int top = y;
        y += kPad;
        y += wrapped(m_bold, text, x0, w0, LayerFlowView::tr("Layer %1 · attends most to").arg(l + 1));
        y += 2;
        if (step.fullyMasked || step.keys.empty()) {
            y += wrapped(m_font, muted, x0, w0,
                         LayerFlowView::tr("Every key is masked for this token, so its attention adds "
                                           "nothing here."));
        }
        for (std::size_t i = 0; i < step.keys.size() && !step.fullyMasked; ++i) {
            const int key = step.keys[i];
            if (p) {
                p->setFont(m_font);
                // The followed token itself in the query colour; other keys in the key colour.
                p->setPen(key == m_data.token ? theme::query() : theme::key());
                p->drawText(
                    QRect(x0, y, labelWidth, line), Qt::AlignRight | Qt::AlignVCenter,
                    fm.elidedText(vectorpaint::tokenLabel(m_data.tokens, key), Qt::ElideMiddle, labelWidth));
                vectorpaint::paintWeightBar(*p, QRect(trackLeft, y + 3, trackWidth, line - 6),
                                            step.weights[i], theme::key(), m_font, text);
                m_hits.push_back({QRect(x0, y, w0, line), l, key, static_cast<int>(i)});
            }
            y += line;
        }
        y += 4;
        stripRow(outputLabel, step.output, l);
        y += 2;
        // No-break spaces keep each "name = value" whole when a narrow dock wraps the line.
        const QString change =
            LayerFlowView::tr("change: ‖out\u00A0−\u00A0in‖\u00A0=\u00A0%1 · "
                              "cos(in,\u00A0out)\u00A0=\u00A0%2")
                .arg(vectorpaint::formatNumber(step.change), vectorpaint::formatNumber(step.cosine));
        y += wrapped(m_font, text, x0, w0, change);
        y += kPad;
        box(top);
        arrow();
    }

    const int top = y;
    y += kPad;
    const QString inputTitle =
        m_data.positions
            ? LayerFlowView::tr("Input: the embedding of %1 plus position %2").arg(word).arg(m_data.token)
            : LayerFlowView::tr("Input: the embedding of %1 (this model has no positions)").arg(word);
    y += wrapped(m_bold, text, x0, w0, inputTitle);
    y += 4;
    stripRow(inputLabel, m_data.input, -1);
    y += kPad - 4;
    box(top);

    y += 8;
    if (p) {
        const int used =
            vectorpaint::paintLegend(*p, QRect(kMargin, y, inner, line), m_data.range, m_font, text);
        p->setFont(m_font);
        p->setPen(muted);
        const QRect rest(kMargin + used + 10, y, inner - used - 10, line);
        p->drawText(rest, Qt::AlignLeft | Qt::AlignVCenter,
                    fm.elidedText(LayerFlowView::tr("shared colour scale"), Qt::ElideRight, rest.width()));
    }
    y += line;
    return y + kMargin;
}

bool LayerFlowCanvas::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    auto *help = static_cast<QHelpEvent *>(event);
    const Hit *hit = hitAt(help->pos());
    if (!hit || !m_data.valid) {
        QToolTip::hideText();
        return true;
    }
    const QString word = quoted(m_data.tokens.value(m_data.token));
    QString tip;
    if (hit->key >= 0) {
        const FlowStep &step = m_data.steps[static_cast<std::size_t>(hit->layer)];
        const auto rank = static_cast<std::size_t>(hit->rank);
        QStringList perHead;
        for (double w : step.headWeights[rank])
            perHead << QString::number(w, 'f', 3);
        tip =
            LayerFlowView::tr("In layer %1, %2 gives %3 a weight of %4: the mean of its heads' weights %5.\n"
                              "Click to follow %3.")
                .arg(QString::number(hit->layer + 1), word,
                     quoted(vectorpaint::tokenLabel(m_data.tokens, hit->key)),
                     QString::number(step.weights[rank], 'f', 4), perHead.join(QStringLiteral(", ")));
    } else {
        const Eigen::RowVectorXd &v =
            hit->layer < 0 ? m_data.input : m_data.steps[static_cast<std::size_t>(hit->layer)].output;
        const int d = vectorpaint::dimensionAt(hit->rect, static_cast<int>(v.size()), help->pos());
        if (d < 0) {
            QToolTip::hideText();
            return true;
        }
        const QString where =
            hit->layer < 0
                ? LayerFlowView::tr("Input vector of %1").arg(word)
                : LayerFlowView::tr("Output of layer %1 for %2").arg(QString::number(hit->layer + 1), word);
        tip = LayerFlowView::tr("%1, dimension %2: %3")
                  .arg(where, m_data.features.value(d), QString::number(v[d], 'f', 4));
    }
    QToolTip::showText(help->globalPos(), literalToolTip(tip), this, hit->rect);
    return true;
}

void LayerFlowCanvas::mousePressEvent(QMouseEvent *event)
{
    const Hit *hit = hitAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && hit && hit->key >= 0) {
        const int key = hit->key; // setToken() rebuilds the hits
        m_view->setToken(key);
        emit m_view->tokenClicked(key);
        return;
    }
    QWidget::mousePressEvent(event);
}

LayerFlowView::LayerFlowView(QWidget *parent) : QWidget(parent)
{
    setAccessibleName(tr("Layer flow: one token through every layer"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea(this);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_canvas = new LayerFlowCanvas(this);
    m_scroll->setWidget(m_canvas);
    layout->addWidget(m_scroll);
    rebuild();
}

void LayerFlowView::setTrace(const AttentionTrace *trace)
{
    m_trace = trace;
    rebuild();
}

void LayerFlowView::setToken(int index)
{
    m_token = std::max(index, 0);
    rebuild();
}

int LayerFlowView::token() const
{
    if (!m_trace || m_trace->tokenCount() == 0)
        return -1;
    return std::min(m_token, m_trace->tokenCount() - 1);
}

QSize LayerFlowView::sizeHint() const
{
    return {420, 560};
}

void LayerFlowView::rebuild()
{
    FlowData data;
    const int t = token();
    if (t >= 0 && !m_trace->layers.empty() && m_trace->layers.front().input.rows() > t) {
        const AttentionTrace &trace = *m_trace;
        data.valid = true;
        data.token = t;
        data.tokens = toQStringList(tokenLabels(trace));
        const int dModel = static_cast<int>(trace.layers.front().input.cols());
        if (trace.model && trace.model->d_model == dModel)
            data.features = toQStringList(featureLabels(*trace.model));
        for (int d = data.features.size(); d < dModel; ++d)
            data.features << QStringLiteral("d%1").arg(d);
        data.positions = trace.positionEmbeddings.size() > 0;
        data.input = trace.layers.front().input.row(t);
        std::vector<Eigen::RowVectorXd> vectors{data.input};
        for (const LayerTrace &layer : trace.layers) {
            FlowStep step;
            step.heads = static_cast<int>(layer.heads.size());
            const bool masked = t < static_cast<int>(trace.fullyMasked.size()) && trace.fullyMasked[t];
            if (!layer.heads.empty()) {
                const Eigen::RowVectorXd row = averageHeadWeightRow(layer, t);
                step.fullyMasked = masked || !(row.sum() > 0.0);
                step.keys = strongestKeys(row, kTopKeys);
                for (int k : step.keys) {
                    step.weights.push_back(row[k]);
                    std::vector<double> perHead;
                    for (const HeadTrace &head : layer.heads)
                        perHead.push_back(head.weights(t, k));
                    step.headWeights.push_back(std::move(perHead));
                }
            }
            step.output = layer.output.row(t);
            step.change = distance(layer.input.row(t), step.output);
            step.cosine = cosineSimilarity(layer.input.row(t), step.output);
            vectors.push_back(step.output);
            data.steps.push_back(std::move(step));
        }
        data.range = vectorpaint::symmetricRange(vectors);
    }
    m_canvas->setData(std::move(data));
    // The canvas's height depends on the data; ask the scroll area to measure it again.
    m_scroll->setWidgetResizable(true);
}

} // namespace attention
