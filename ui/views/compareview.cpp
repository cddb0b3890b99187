// Everything shown is copied out of the two traces once, so the view never holds a pointer that can dangle.
#include "compareview.h"

#include "attention.h"
#include "compare.h"
#include "labels.h"
#include "layerflowview.h"
#include "report.h"
#include "theme.h"

#include <QFontInfo>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollArea>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace attention {

namespace {

constexpr int kMargin = 10;
constexpr int kColumnGap = 20;
constexpr int kTopKeys = 5;
constexpr int kContext = 8;          // tokens shown either side of the word in a long sentence
constexpr int kTwoColumnWidth = 640; // below this the two sentences stack
constexpr int kMaxLabelWidth = 140;

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

namespace {

// One sentence of the comparison, copied out of its trace.
struct CompareSide
{
    QStringList tokens;
    int token = -1;
    int heads = 0;
    int layers = 0;
    std::vector<int> keys;       // the strongest keys in the last layer, strongest first
    std::vector<double> weights; // their head-averaged weights
    bool fullyMasked = false;
    Eigen::RowVectorXd input;  // (d_model): what layer 1 reads
    Eigen::RowVectorXd output; // (d_model): the final output

    QString word() const { return tokens.value(token); }
};

struct CompareData
{
    bool valid = false;
    QString problem; // shown instead of the comparison when it is not valid
    CompareSide sides[2];
    QStringList features;
    double similarity = 0.0;
    double inputSimilarity = 0.0;
    double range = 1.0; // one colour scale for all four strips
};

} // namespace

class CompareCanvas : public QWidget
{
public:
    explicit CompareCanvas(QWidget *parent) : QWidget(parent)
    {
        QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
        policy.setHeightForWidth(true);
        setSizePolicy(policy);
        updateFonts();
    }

    void setData(CompareData data)
    {
        m_data = std::move(data);
        m_hits.clear();
        updateGeometry();
        update();
    }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return render(nullptr, width); }
    QSize sizeHint() const override { return {720, heightForWidth(720)}; }
    // Narrow enough for the side panel at 1366 × 768 (its scroll area shows no horizontal bar, so a wider
    // minimum would cut the text off at the right instead of wrapping it).
    QSize minimumSizeHint() const override { return {160, 120}; }

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        render(&p, width());
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
    // A strip under the mouse: which sentence, and input or output.
    struct Hit
    {
        QRect rect;
        int side = 0;
        bool output = false;
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
        m_big = m_bold;
        m_big.setPointSizeF(std::max(17.0, base * 1.6));
    }

    QString explanation() const;
    int render(QPainter *p, int width) const;

    CompareData m_data;
    QFont m_font;
    QFont m_bold;
    QFont m_title;
    QFont m_big;
    mutable std::vector<Hit> m_hits; // filled while painting, read by tooltips
};

QString CompareCanvas::explanation() const
{
    const CompareSide &a = m_data.sides[0];
    const CompareSide &b = m_data.sides[1];
    const QString in = vectorpaint::formatNumber(m_data.inputSimilarity);
    const QString out = vectorpaint::formatNumber(m_data.similarity);
    if (std::isnan(m_data.similarity) || std::isnan(m_data.inputSimilarity))
        return CompareView::tr("One of these vectors is all zeros, and a zero vector points nowhere, so the "
                               "angle between them is undefined.");
    const bool sameWord = QString::compare(a.word(), b.word(), Qt::CaseInsensitive) == 0;
    QString start;
    if (std::abs(1.0 - m_data.inputSimilarity) < 5e-4)
        start = CompareView::tr("%1 enters both sentences as the same vector (cosine %2).")
                    .arg(quoted(a.word()), in);
    else if (sameWord)
        start =
            CompareView::tr("%1 enters the two sentences as slightly different vectors (cosine %2) because "
                            "it sits at different positions.")
                .arg(quoted(a.word()), in);
    else
        start = CompareView::tr("%1 and %2 are different words, so their input vectors already differ "
                                "(cosine %3).")
                    .arg(quoted(a.word()), quoted(b.word()), in);
    QString end;
    if (m_data.similarity < m_data.inputSimilarity - 0.01)
        end =
            CompareView::tr("Every layer replaces the vector with a weighted mix of the words it attends to. "
                            "Those words differ between the sentences, so the outputs end up further apart "
                            "(cosine %1): attention has made the vector depend on its context.")
                .arg(out);
    else if (m_data.similarity > m_data.inputSimilarity + 0.01)
        end =
            CompareView::tr("Every layer replaces the vector with a weighted mix of the words it attends to. "
                            "Here the mixes bring the two outputs closer together (cosine %1): the contexts "
                            "pull them the same way.")
                .arg(out);
    else
        end =
            CompareView::tr("Attention mixed in each sentence's words, yet the outputs are about as alike as "
                            "the inputs (cosine %1): in this model, the change of context hardly matters "
                            "for this word.")
                .arg(out);
    return start + QLatin1Char(' ') + end;
}

int CompareCanvas::render(QPainter *p, int width) const
{
    const QFontMetrics fm(m_font);
    const int line = fm.height() + 4;
    const int inner = std::max(160, width - 2 * kMargin);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor muted = mix(palette().color(QPalette::Window), text, 0.7);
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
        y += wrapped(m_font, muted, kMargin, inner, m_data.problem);
        return y + kMargin;
    }

    const CompareSide &first = m_data.sides[0];
    const CompareSide &second = m_data.sides[1];
    const bool sameWord = QString::compare(first.word(), second.word(), Qt::CaseInsensitive) == 0;
    y += wrapped(
        m_title, text, kMargin, inner,
        sameWord
            ? CompareView::tr("%1 in two sentences").arg(quoted(first.word()))
            : CompareView::tr("%1 and %2 in two sentences").arg(quoted(first.word()), quoted(second.word())));
    y += 2;
    y += wrapped(m_font, muted, kMargin, inner,
                 CompareView::tr("Does attention give a word a different vector in a different context?"));
    y += 10;

    // The two sentences: side by side when there is room, else one above the other.
    const bool columns = width >= kTwoColumnWidth;
    const int columnWidth = columns ? (inner - kColumnGap) / 2 : inner;
    const int sectionTop = y;
    int bottom = y;
    const int chipHeight = line + 4;
    for (int s = 0; s < 2; ++s) {
        const CompareSide &side = m_data.sides[s];
        const int x0 = kMargin + (columns ? s * (columnWidth + kColumnGap) : 0);
        if (columns)
            y = sectionTop;
        y += wrapped(m_bold, text, x0, columnWidth, CompareView::tr("Sentence %1").arg(s + 1));
        y += 4;

        // The sentence as words that wrap, the compared word in a query-coloured chip. A long input
        // shows only the words around it: the point is the context, not the whole document.
        const int n = static_cast<int>(side.tokens.size());
        const int firstShown = std::max(0, side.token - kContext);
        const int lastShown = std::min(n - 1, side.token + kContext);
        QStringList words;
        if (firstShown > 0)
            words << QStringLiteral("…");
        for (int i = firstShown; i <= lastShown; ++i)
            words << side.tokens[i];
        if (lastShown < n - 1)
            words << QStringLiteral("…");
        const int highlighted = side.token - firstShown + (firstShown > 0 ? 1 : 0);
        int x = x0;
        const int space = fm.horizontalAdvance(QLatin1Char(' ')) + 6;
        const QFontMetrics boldMetrics(m_bold);
        for (int i = 0; i < words.size(); ++i) {
            // The compared word is bold, so it is measured in bold or its chip would clip it.
            const QFontMetrics &metrics = i == highlighted ? boldMetrics : fm;
            const QString word = metrics.elidedText(words[i], Qt::ElideMiddle, columnWidth - 16);
            const int w = metrics.horizontalAdvance(word) + 12;
            if (x > x0 && x + w > x0 + columnWidth) {
                x = x0;
                y += chipHeight + 4;
            }
            if (p) {
                const QRect chip(x, y, w, chipHeight);
                p->setFont(i == highlighted ? m_bold : m_font);
                if (i == highlighted) {
                    p->save();
                    p->setRenderHint(QPainter::Antialiasing);
                    p->setPen(Qt::NoPen);
                    p->setBrush(theme::query());
                    p->drawRoundedRect(chip, 6, 6);
                    p->restore();
                    p->setPen(Qt::white);
                } else {
                    p->setPen(text);
                }
                p->drawText(chip, Qt::AlignCenter, word);
            }
            x += w + space - 6;
        }
        y += chipHeight + 8;

        // Where the word looked in the last layer: the head-averaged weights, strongest first.
        y += wrapped(m_font, muted, x0, columnWidth,
                     (side.heads > 1 ? CompareView::tr("%1 attends most to (layer %2, mean of %3 heads):")
                                           .arg(quoted(side.word()))
                                           .arg(side.layers)
                                           .arg(side.heads)
                                     : CompareView::tr("%1 attends most to (layer %2):")
                                           .arg(quoted(side.word()))
                                           .arg(side.layers)));
        y += 2;
        if (side.fullyMasked) {
            y += wrapped(m_font, muted, x0, columnWidth,
                         CompareView::tr("Every key is masked for this word, so attention adds nothing."));
        } else {
            int labelWidth = 0;
            for (int k : side.keys)
                labelWidth =
                    std::max(labelWidth, fm.horizontalAdvance(vectorpaint::tokenLabel(side.tokens, k)));
            // +2: elidedText() elides a text given exactly its own advance.
            labelWidth = std::min({labelWidth + 2, kMaxLabelWidth, columnWidth / 3});
            const int numberWidth = fm.horizontalAdvance(QStringLiteral("0.00")) + 8;
            const int trackLeft = x0 + labelWidth + 8;
            const int trackWidth = std::max(20, x0 + columnWidth - numberWidth - trackLeft);
            for (std::size_t i = 0; i < side.keys.size(); ++i) {
                const int key = side.keys[i];
                if (p) {
                    p->setFont(m_font);
                    p->setPen(key == side.token ? theme::query() : theme::key());
                    p->drawText(QRect(x0, y, labelWidth, line), Qt::AlignRight | Qt::AlignVCenter,
                                fm.elidedText(vectorpaint::tokenLabel(side.tokens, key), Qt::ElideMiddle,
                                              labelWidth));
                    vectorpaint::paintWeightBar(*p, QRect(trackLeft, y + 3, trackWidth, line - 6),
                                                side.weights[i], theme::key(), m_font, text);
                }
                y += line;
            }
        }
        bottom = std::max(bottom, y);
        if (!columns && s == 0)
            y += 12;
    }
    y = std::max(bottom, y) + 12;

    // The vectors, inputs above outputs: identical input strips, different output strips.
    const QString labels[2] = {CompareView::tr("sentence 1"), CompareView::tr("sentence 2")};
    const int labelWidth = std::max(fm.horizontalAdvance(labels[0]), fm.horizontalAdvance(labels[1]));
    const int stripLeft = kMargin + labelWidth + 8;
    const int stripWidth = std::max(40, inner - labelWidth - 8);
    auto strips = [&](const QString &heading, bool output) {
        y += wrapped(m_bold, text, kMargin, inner, heading);
        y += 2;
        for (int s = 0; s < 2; ++s) {
            const QRect strip(stripLeft, y + 2, stripWidth, line - 4);
            if (p) {
                p->setFont(m_font);
                p->setPen(muted);
                p->drawText(QRect(kMargin, y, labelWidth, line), Qt::AlignRight | Qt::AlignVCenter,
                            labels[s]);
                const CompareSide &side = m_data.sides[s];
                vectorpaint::paintStrip(*p, strip, output ? side.output : side.input, m_data.range, frame);
                m_hits.push_back({strip, s, output});
            }
            y += line;
        }
        y += 6;
    };
    strips(CompareView::tr("Input vectors of the word (what layer 1 reads)"), false);
    strips(CompareView::tr("Output vectors of the word (after layer %1)").arg(first.layers), true);
    if (p)
        vectorpaint::paintLegend(*p, QRect(stripLeft, y, stripWidth, line), m_data.range, m_font, text);
    y += line + 12;

    y += wrapped(m_big, text, kMargin, inner,
                 CompareView::tr("cosine similarity of the outputs: %1 (inputs: %2)")
                     .arg(vectorpaint::formatNumber(m_data.similarity),
                          vectorpaint::formatNumber(m_data.inputSimilarity)));
    y += 6;
    y += wrapped(m_font, text, kMargin, inner, explanation());
    return y + kMargin;
}

bool CompareCanvas::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    auto *help = static_cast<QHelpEvent *>(event);
    for (const Hit &hit : m_hits) {
        const CompareSide &side = m_data.sides[hit.side];
        const Eigen::RowVectorXd &v = hit.output ? side.output : side.input;
        const int d = vectorpaint::dimensionAt(hit.rect, static_cast<int>(v.size()), help->pos());
        if (d < 0)
            continue;
        const QString what = hit.output ? CompareView::tr("Output of %1 in sentence %2")
                                        : CompareView::tr("Input of %1 in sentence %2");
        // One arg() call each: a word or feature name spelled "%2" must not take the next value's place.
        const QString tip = CompareView::tr("%1, dimension %2: %3")
                                .arg(what.arg(quoted(side.word()), QString::number(hit.side + 1)),
                                     m_data.features.value(d), QString::number(v[d], 'f', 4));
        QToolTip::showText(help->globalPos(), literalToolTip(tip), this, hit.rect);
        return true;
    }
    QToolTip::hideText();
    return true;
}

CompareView::CompareView(QWidget *parent) : QWidget(parent)
{
    setAccessibleName(tr("Compare one word in two sentences"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea(this);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_canvas = new CompareCanvas(this);
    m_scroll->setWidget(m_canvas);
    layout->addWidget(m_scroll);
    clear();
}

void CompareView::clear()
{
    setComparison(nullptr, -1, nullptr, -1);
}

void CompareView::setComparison(const AttentionTrace *left, int leftToken, const AttentionTrace *right,
                                int rightToken)
{
    m_similarity = m_inputSimilarity = std::numeric_limits<double>::quiet_NaN();
    CompareData data;
    const AttentionTrace *traces[2] = {left, right};
    const int tokens[2] = {leftToken, rightToken};
    for (int s = 0; s < 2; ++s) {
        const AttentionTrace *trace = traces[s];
        if (!trace || trace->layers.empty()) {
            data.problem = tr("Type two sentences and pick the same word in each to see how attention "
                              "changes its vector.");
            break;
        }
        if (tokens[s] < 0 || tokens[s] >= trace->tokenCount()) {
            data.problem = tr("Pick a word in sentence %1: token %2 is not in it.").arg(s + 1).arg(tokens[s]);
            break;
        }
    }
    if (data.problem.isEmpty() && left->finalOutput().cols() != right->finalOutput().cols())
        data.problem = tr("The two sentences went through models of different sizes (d_model %1 and %2), so "
                          "their vectors cannot be compared.")
                           .arg(left->finalOutput().cols())
                           .arg(right->finalOutput().cols());

    if (data.problem.isEmpty()) {
        std::vector<Eigen::RowVectorXd> vectors;
        for (int s = 0; s < 2; ++s) {
            const AttentionTrace &trace = *traces[s];
            const int t = tokens[s];
            CompareSide &side = data.sides[s];
            side.tokens = toQStringList(tokenLabels(trace));
            side.token = t;
            side.layers = static_cast<int>(trace.layers.size());
            const LayerTrace &last = trace.layers.back();
            side.heads = static_cast<int>(last.heads.size());
            side.input = trace.layers.front().input.row(t);
            side.output = trace.finalOutput().row(t);
            if (!last.heads.empty()) {
                const Eigen::RowVectorXd row = averageHeadWeightRow(last, t);
                side.fullyMasked = !(row.sum() > 0.0);
                side.keys = strongestKeys(row, kTopKeys);
                for (int k : side.keys)
                    side.weights.push_back(row[k]);
            } else {
                side.fullyMasked = true;
            }
            vectors.push_back(side.input);
            vectors.push_back(side.output);
        }
        m_similarity = cosineSimilarity(data.sides[0].output, data.sides[1].output);
        m_inputSimilarity = cosineSimilarity(data.sides[0].input, data.sides[1].input);
        data.valid = true;
        data.similarity = m_similarity;
        data.inputSimilarity = m_inputSimilarity;
        data.range = vectorpaint::symmetricRange(vectors);
        const int dModel = static_cast<int>(data.sides[0].output.size());
        if (left->model && left->model->d_model == dModel)
            data.features = toQStringList(featureLabels(*left->model));
        for (int d = data.features.size(); d < dModel; ++d)
            data.features << QStringLiteral("d%1").arg(d);
    }
    m_canvas->setData(std::move(data));
    // The canvas's height depends on the data; ask the scroll area to measure it again.
    m_scroll->setWidgetResizable(true);
}

QSize CompareView::sizeHint() const
{
    return {720, 620};
}

} // namespace attention
