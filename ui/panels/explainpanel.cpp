// Renders the core's cell explanations as short worked examples in rich text; it never recomputes a number.
#include "explainpanel.h"

#include "labels.h"
#include "report.h"
#include "matrixmodel.h"
#include "stagecontroller.h"
#include "theme.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHash>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace attention {

namespace {

QString span(const QString &text, const QColor &color, bool bold = false)
{
    return QStringLiteral("<span style=\"color:%1;%2\">%3</span>")
        .arg(color.name(), bold ? QStringLiteral("font-weight:bold;") : QString(), text);
}

using TokenName = ExplainPanel::TokenName;
using TokenNames = ExplainPanel::TokenNames;

// “text”, and “text” (#4) for a repeated token; the no-break space keeps the position with its word.
QString quoted(const TokenName &token)
{
    const QString text = QStringLiteral("\u201C%1\u201D").arg(token.text.toHtmlEscaped());
    return token.position < 0 ? text : QStringLiteral("%1&nbsp;(#%2)").arg(text).arg(token.position);
}

// Role-coloured names: the same hue a token has in every other view.
QString queryName(const TokenName &token)
{
    return span(quoted(token), theme::query());
}
QString keyName(const TokenName &token)
{
    return span(quoted(token), theme::key());
}
// q(text), and q(text #4) for a repeated token.
QString vectorName(const QString &symbol, const TokenName &token, const QColor &color)
{
    const QString name =
        token.position < 0
            ? token.text.toHtmlEscaped()
            : QStringLiteral("%1&nbsp;#%2").arg(token.text.toHtmlEscaped()).arg(token.position);
    return span(QStringLiteral("%1(%2)").arg(symbol, name), color);
}

// Names as given, without positions: for the show functions, whose caller chose the labels.
TokenNames plainNames(const QStringList &tokens)
{
    TokenNames out;
    out.reserve(tokens.size());
    for (const QString &t : tokens)
        out.append(TokenName{t});
    return out;
}

// A light background in a role's hue, for the row the explanation is about.
QString tint(const QColor &c)
{
    const auto mix = [](int channel) { return static_cast<int>(channel * 0.18 + 255 * 0.82); };
    return QColor(mix(c.red()), mix(c.green()), mix(c.blue())).name();
}

TokenName tokenAt(const TokenNames &tokens, std::size_t index)
{
    const int i = static_cast<int>(index);
    return i < tokens.size() ? tokens.at(i) : TokenName{QStringLiteral("#%1").arg(i)};
}

// The terms worth listing: all of them when few, else the kMaxTerms largest in size (always including
// `mustShow`), returned in their original order so they still read left to right like the sentence.
std::vector<std::size_t> pickTerms(const std::vector<double> &size, int mustShow = -1)
{
    std::vector<std::size_t> all(size.size());
    std::iota(all.begin(), all.end(), std::size_t(0));
    const std::size_t limit = static_cast<std::size_t>(ExplainPanel::kMaxTerms);
    if (all.size() <= limit)
        return all;
    const auto magnitude = [&](std::size_t i) {
        const double v = std::abs(size[i]);
        return std::isnan(v) ? 0.0 : v;
    };
    std::stable_sort(all.begin(), all.end(),
                     [&](std::size_t a, std::size_t b) { return magnitude(a) > magnitude(b); });
    std::vector<std::size_t> chosen(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(limit));
    if (mustShow >= 0 && std::find(chosen.begin(), chosen.end(), std::size_t(mustShow)) == chosen.end())
        chosen.back() = static_cast<std::size_t>(mustShow);
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

QString moreTerms(std::size_t shown, std::size_t total, const QString &what)
{
    if (shown >= total)
        return {};
    return QStringLiteral("<p><i>… and %1 more %2 with smaller contributions (the sum uses them all)</i></p>")
        .arg(total - shown)
        .arg(what);
}

const QChar kBreak(0x200B); // zero-width space: an invisible line-break opportunity

const QString kTable = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\" border=\"0\">");

} // namespace

ExplainPanel::ExplainPanel(QWidget *parent) : QWidget(parent), m_browser(new QTextBrowser(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_browser);
    m_browser->setOpenLinks(false);
    m_browser->setFrameShape(QFrame::NoFrame);

    applyFont();
    // Numbers in columns line up digit under digit in a fixed-width face.
    const QString mono = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    m_browser->document()->setDefaultStyleSheet(
        QStringLiteral(".num { font-family: '%1'; } th { text-align: left; }").arg(mono));
    showMessage(tr("Click a cell to see where its number comes from."));
}

void ExplainPanel::applyFont()
{
    // Projector-readable: never below the house minimum, whatever the platform default is. Derived from the
    // panel's font each time it changes, so that the window's zoom reaches the text.
    QFont f = font();
    if (f.pointSizeF() < theme::kMinimumPointSize)
        f.setPointSizeF(theme::kMinimumPointSize);
    m_browser->setFont(f);
}

void ExplainPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        applyFont();
}

void ExplainPanel::setPrecision(int decimals)
{
    decimals = std::clamp(decimals, 0, 12);
    if (decimals == m_precision)
        return;
    m_precision = decimals;
    if (m_render)
        m_browser->setHtml(m_render());
}

void ExplainPanel::present(std::function<QString()> render)
{
    m_render = std::move(render);
    m_browser->setHtml(m_render());
}

QString ExplainPanel::number(double value) const
{
    return QStringLiteral("<span class=\"num\">%1</span>").arg(MatrixModel::formatValue(value, m_precision));
}

ExplainPanel::TokenNames ExplainPanel::sentenceNames(const QStringList &tokens)
{
    QHash<QString, int> count;
    for (const QString &t : tokens)
        ++count[t];
    TokenNames out;
    out.reserve(tokens.size());
    for (int i = 0; i < tokens.size(); ++i)
        out.append(TokenName{tokens.at(i), count.value(tokens.at(i)) > 1 ? i : -1});
    return out;
}

QString ExplainPanel::plainText() const
{
    return m_browser->toPlainText().remove(kBreak);
}

void ExplainPanel::showMessage(const QString &html)
{
    present([html] { return QStringLiteral("<p>%1</p>").arg(html); });
}

void ExplainPanel::showScore(const ScoreExplanation &e, const QString &queryToken, const QString &keyToken)
{
    present([this, e, q = TokenName{queryToken}, k = TokenName{keyToken}] { return scoreHtml(e, q, k); });
}

void ExplainPanel::showScale(const ScaleExplanation &e, const QString &queryToken, const QString &keyToken)
{
    present([this, e, q = TokenName{queryToken}, k = TokenName{keyToken}] { return scaleHtml(e, q, k); });
}

void ExplainPanel::showSoftmax(const SoftmaxExplanation &e, const QString &queryToken,
                               const QStringList &keyTokens)
{
    present([this, e, q = TokenName{queryToken}, keys = plainNames(keyTokens)] {
        return softmaxHtml(e, q, keys);
    });
}

void ExplainPanel::showOutput(const OutputExplanation &e, const QString &queryToken,
                              const QStringList &keyTokens, const QString &columnLabel)
{
    present([this, e, q = TokenName{queryToken}, keys = plainNames(keyTokens), columnLabel] {
        return outputHtml(e, q, keys, columnLabel);
    });
}

void ExplainPanel::showMask(const MaskExplanation &e, const QString &queryToken, const QString &keyToken)
{
    present([this, e, q = TokenName{queryToken}, k = TokenName{keyToken}] { return maskHtml(e, q, k); });
}

QString ExplainPanel::scoreHtml(const ScoreExplanation &e, const TokenName &queryToken,
                                const TokenName &keyToken) const
{
    // With the K·Qᵀ mistake the row token contributes its key and the column token its query.
    const QString left = e.swapped ? vectorName(QStringLiteral("k"), queryToken, theme::key())
                                   : vectorName(QStringLiteral("q"), queryToken, theme::query());
    const QString right = e.swapped ? vectorName(QStringLiteral("q"), keyToken, theme::query())
                                    : vectorName(QStringLiteral("k"), keyToken, theme::key());
    QString html = tr("<p><b>Score</b>: how well the query of %1 matches the key of %2. Multiply the two "
                      "vectors component by component and add the products up (the dot product q·k).</p>")
                       .arg(queryName(queryToken), keyName(keyToken));
    if (e.swapped)
        html +=
            QStringLiteral("<p>%1</p>")
                .arg(span(tr("⚠ Q and K are swapped (scores = K·Qᵀ): this cell pairs the <i>key</i> of %1 "
                             "with the <i>query</i> of %2. The roles are reversed, so row %1 no longer "
                             "says where %1 looks.")
                              .arg(quoted(queryToken), quoted(keyToken)),
                          theme::warning(), true));

    const auto factor = [this](double v) {
        return v < 0 ? QStringLiteral("(%1)").arg(number(v)) : number(v);
    };
    const auto vector = [this](const std::vector<double> &v) {
        QStringList parts;
        for (double x : v)
            parts << number(x);
        return QStringLiteral("[%1]").arg(parts.join(QStringLiteral(", ")));
    };
    // Whole vectors only when short enough to read; long ones show their largest terms below.
    if (e.left.size() <= static_cast<std::size_t>(kMaxTerms))
        html += QStringLiteral("<p>%1 = %2<br>%3 = %4</p>").arg(left, vector(e.left), right, vector(e.right));

    const std::vector<std::size_t> shown = pickTerms(e.products);
    QStringList factors;
    QString products;
    for (std::size_t k = 0; k < shown.size(); ++k) {
        const std::size_t c = shown[k];
        // Qt's line breaker finds no break after ")" followed by a space and would then cut a number in
        // half; a zero-width space after each term gives it a clean place to wrap.
        factors << factor(e.left[c]) + QStringLiteral("×") + factor(e.right[c]) + kBreak;
        const double p = e.products[c];
        if (k == 0)
            products = number(p);
        else
            products += (p < 0 ? QStringLiteral(" − ") : QStringLiteral(" + ")) + number(std::abs(p));
    }
    const QString more = shown.size() < e.products.size() ? QStringLiteral(" + …") : QString();
    html += QStringLiteral("<p>%1 · %2<br>= %3%4<br>= %5%4<br>= %6</p>")
                .arg(left, right, factors.join(QStringLiteral(" + ")), more, products,
                     span(number(e.sum), theme::output(), true));
    html += moreTerms(shown.size(), e.products.size(), tr("terms"));
    return html;
}

QString ExplainPanel::scaleHtml(const ScaleExplanation &e, const TokenName &queryToken,
                                const TokenName &keyToken) const
{
    const QString cell = QStringLiteral("score(%1, %2)").arg(queryName(queryToken), keyName(keyToken));
    if (!e.scaling)
        return tr("<p><b>Scale</b>: scaling is switched off, so the score passes through unchanged.</p>"
                  "<p>scaled = %2 = %3</p>"
                  "<p>With scaling on it would be divided by √d_k = √%1 (d_k is the length of each query and "
                  "key vector). Without it, longer vectors give larger scores and softmax turns nearly "
                  "all-or-nothing.</p>")
            .arg(e.d_k)
            .arg(cell, span(number(e.scaled), theme::output(), true));
    return tr("<p><b>Scale</b>: divide the score by √d_k, the square root of d_k = %1 (the length of each "
              "query and key vector). Longer vectors give larger dot products; dividing keeps the scores in "
              "a "
              "range where softmax stays smooth instead of all-or-nothing.</p>"
              "<p>%2 ÷ √d_k<br>= %3 ÷ √%1<br>= %3 ÷ %4<br>= %5</p>")
        .arg(e.d_k)
        .arg(cell, number(e.score), number(e.divisor), span(number(e.scaled), theme::output(), true));
}

QString ExplainPanel::softmaxHtml(const SoftmaxExplanation &e, const TokenName &queryToken,
                                  const TokenNames &keyTokens) const
{
    const TokenName chosen = tokenAt(keyTokens, static_cast<std::size_t>(e.key));
    QString html = tr("<p><b>Softmax</b>: turns row %1 of the masked scores into weights that are all "
                      "positive and add up to 1. The row's largest score is subtracted before exp() so "
                      "nothing can overflow; that does not change the weights.</p>")
                       .arg(queryName(queryToken));
    if (e.fullyMasked)
        html += QStringLiteral("<p>%1</p>")
                    .arg(span(tr("Every key is blocked for %1: all its scores are −∞, so nothing is left to "
                                 "share out. Softmax has no distribution here; the whole row is 0, and so "
                                 "is the output of %1.")
                                  .arg(quoted(queryToken)),
                              theme::warning(), true));

    // 1. The row as a table: key, masked score, exp(score − max); the explained key highlighted.
    const std::vector<std::size_t> shown = pickTerms(e.exps, e.key);
    html += kTable;
    html +=
        tr("<tr><th>key</th><th align=\"right\">score</th><th align=\"right\">exp(score − max)</th></tr>");
    for (std::size_t j : shown) {
        const bool blocked = std::isinf(e.masked[j]) && e.masked[j] < 0;
        const bool selected = static_cast<int>(j) == e.key;
        const QString row =
            selected
                ? QStringLiteral(" style=\"background-color:%1; font-weight:bold;\"").arg(tint(theme::key()))
                : QString();
        const QString exp = blocked ? span(number(0.0), theme::blockedText()) : number(e.exps[j]);
        const QString score = blocked ? span(number(e.masked[j]), theme::blockedText()) : number(e.masked[j]);
        html += QStringLiteral("<tr%1><td>%2</td><td align=\"right\">%3</td><td align=\"right\">%4</td></tr>")
                    .arg(row, keyName(tokenAt(keyTokens, j)), score, exp);
    }
    html += QStringLiteral("</table>");
    html += moreTerms(shown.size(), e.exps.size(), tr("keys"));

    // 2. The sum and this key's share of it.
    const QString weight = span(number(e.weight), theme::output(), true);
    if (e.fullyMasked) {
        html += tr("<p>sum = 0, so there is nothing to divide<br>weight(%1 → %2) = %3</p>")
                    .arg(queryName(queryToken), keyName(chosen), weight);
        return html;
    }
    html += tr("<p>max = %1<br>sum = Σ exp = %2<br>weight(%3 → %4)<br>= exp ÷ sum<br>= %5 ÷ %2<br>= %6</p>")
                .arg(number(e.rowMax), number(e.sum), queryName(queryToken), keyName(chosen),
                     number(e.exps[static_cast<std::size_t>(e.key)]), weight);
    if (std::isinf(e.masked[static_cast<std::size_t>(e.key)]))
        html += tr("<p>%1 is blocked: its score is −∞ and exp(−∞) = 0, so its weight is exactly 0.</p>")
                    .arg(keyName(chosen));
    return html;
}

QString ExplainPanel::outputHtml(const OutputExplanation &e, const TokenName &queryToken,
                                 const TokenNames &keyTokens, const QString &columnLabel) const
{
    const QString column = columnLabel.toHtmlEscaped();
    const QString target = QStringLiteral("output(%1)[%2]").arg(queryName(queryToken), column);
    QString html = tr("<p><b>Weighted sum</b>: %1 goes down column %2 of V. Each key's %3 is multiplied by "
                      "how much %4 attends to that key, and the products are added up: Σ weight × value.</p>")
                       .arg(target, column, span(tr("value"), theme::value()), queryName(queryToken));
    const std::vector<std::size_t> shown = pickTerms(e.products);
    html += kTable;
    html += tr("<tr><th>key</th><th align=\"right\">weight</th><th></th><th align=\"right\">value</th>"
               "<th></th><th align=\"right\">product</th></tr>");
    for (std::size_t j : shown)
        html +=
            QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td>×</td><td align=\"right\">%3</td>"
                           "<td>=</td><td align=\"right\">%4</td></tr>")
                .arg(keyName(tokenAt(keyTokens, j)), number(e.weights[j]),
                     span(number(e.values[j]), theme::value()), number(e.products[j]));
    html += QStringLiteral("</table>");
    html += moreTerms(shown.size(), e.products.size(), tr("terms"));
    html += QStringLiteral("<p>%1<br>= Σ weight × value<br>= %2</p>")
                .arg(target, span(number(e.sum), theme::output(), true));
    return html;
}

QString ExplainPanel::maskHtml(const MaskExplanation &e, const TokenName &queryToken,
                               const TokenName &keyToken) const
{
    QString html =
        tr("<p><b>Mask</b>: may %1 look at %2? (mask: %3)</p>")
            .arg(queryName(queryToken), keyName(keyToken), QString::fromUtf8(maskModeName(e.mode)));
    html += QStringLiteral("<p>%1</p>")
                .arg(e.blocked ? span(tr("Blocked"), theme::warning(), true)
                               : span(tr("Open"), theme::output(), true));
    QString reason = QString::fromStdString(e.reason).toHtmlEscaped();
    if (!reason.isEmpty())
        reason[0] = reason[0].toUpper();
    html += QStringLiteral("<p>%1.</p>").arg(reason);
    html += e.blocked ? tr("<p>Its masked score becomes −∞, and exp(−∞) = 0, so softmax gives %1 a weight of "
                           "exactly 0 in the row of %2.</p>")
                            .arg(keyName(keyToken), queryName(queryToken))
                      : tr("<p>The scaled score passes through unchanged and takes part in the softmax.</p>");
    return html;
}


namespace {

// The matrix `id` of one head, for the cells that are explained per head; nullptr for the others.
const Eigen::MatrixXd *headMatrix(const HeadTrace &h, MatrixId id)
{
    switch (id) {
    case MatrixId::Scores:
        return &h.scores;
    case MatrixId::Scaled:
        return &h.scaled;
    case MatrixId::Mask:
    case MatrixId::Masked:
        return &h.masked;
    case MatrixId::Weights:
        return &h.weights;
    case MatrixId::Output:
        return &h.output;
    default:
        return nullptr;
    }
}

} // namespace

void ExplainPanel::explainCell(const StageController &c, MatrixId panel, int row, int column)
{
    const AttentionTrace *trace = c.trace();
    const HeadTrace *head = c.headTrace();
    if (!trace || !head || row < 0 || row >= trace->tokenCount() || column < 0)
        return;
    const AppState &s = c.state();
    const TokenNames tokens = sentenceNames(toQStringList(tokenLabels(*trace)));
    const int n = trace->tokenCount();
    if (c.averagingHeads()) {
        // Every head's own number for this cell, then their mean: the matrix the views show.
        const LayerTrace *layer = c.layerTrace();
        const Eigen::MatrixXd *mean = headMatrix(*head, panel);
        if (!layer || !mean || row >= mean->rows() || column >= mean->cols())
            return;
        const QString where = mean->cols() == n ? keyName(tokens.at(column)) : QStringLiteral("v%1").arg(column);
        // One pass of arg(): a token's text may itself hold "%4".
        QString html = tr("<p><b>%1</b>, row %2, column %3, averaged over the %4 heads of layer %5:</p><ul>")
                           .arg(matrixNameText(panel).toHtmlEscaped(), queryName(tokens.at(row)), where,
                                QString::number(layer->heads.size()), QString::number(s.layer + 1));
        for (std::size_t h = 0; h < layer->heads.size(); ++h)
            html += tr("<li>head %1: %2</li>").arg(h + 1).arg(number((*headMatrix(layer->heads[h], panel))(row, column)));
        html += tr("</ul><p>mean = <b>%1</b></p><p>Pick a single head to see its arithmetic step by step.</p>")
                    .arg(number((*mean)(row, column)));
        showMessage(html);
        return;
    }
    switch (panel) {
    case MatrixId::Output:
        if (column < head->output.cols())
            present([this, e = explainOutput(*trace, s.layer, s.head, row, column), q = tokens.at(row),
                     tokens,
                     label = QStringLiteral("v%1").arg(column)] { return outputHtml(e, q, tokens, label); });
        return;
    case MatrixId::Scores:
        if (column < n)
            present([this, e = explainScore(*trace, s.layer, s.head, row, column), q = tokens.at(row),
                     k = tokens.at(column)] { return scoreHtml(e, q, k); });
        return;
    case MatrixId::Scaled:
        if (column < n)
            present([this, e = explainScale(*trace, s.layer, s.head, row, column), q = tokens.at(row),
                     k = tokens.at(column)] { return scaleHtml(e, q, k); });
        return;
    case MatrixId::Mask:
    case MatrixId::Masked:
        if (column < n)
            present([this, e = explainMask(*trace, s.layer, s.head, row, column), q = tokens.at(row),
                     k = tokens.at(column)] { return maskHtml(e, q, k); });
        return;
    case MatrixId::Weights:
        if (column < n)
            present([this, e = explainSoftmax(*trace, s.layer, s.head, row, column), q = tokens.at(row),
                     tokens] { return softmaxHtml(e, q, tokens); });
        return;
    default:
        return;
    }
}

void ExplainPanel::explainSelection(const StageController &c)
{
    const AttentionTrace *trace = c.trace();
    const HeadTrace *head = c.headTrace();
    const AppState &s = c.state();
    if (!trace || !head) {
        showMessage(tr("Type a sentence to begin."));
        return;
    }
    const int n = trace->tokenCount();
    if (s.query < 0 || s.query >= n) {
        showMessage(tr("Click a token, or any cell, to see where its number comes from."));
        return;
    }
    if (s.key >= 0 && s.key < n) {
        // The cell of the step's own matrix; steps before the scores explain the scores' cell.
        MatrixId id = MatrixId::Scores;
        switch (s.step) {
        case Step::Scale:
            id = MatrixId::Scaled;
            break;
        case Step::Mask:
            id = MatrixId::Masked;
            break;
        case Step::Softmax:
        case Step::WeightedSum:
        case Step::Output:
            id = MatrixId::Weights;
            break;
        default:
            break;
        }
        explainCell(c, id, s.query, s.key);
        return;
    }
    const TokenNames names = sentenceNames(toQStringList(tokenLabels(*trace)));
    QString html = tr("<p>%1 is the selected query.</p>").arg(queryName(names.at(s.query)));
    if (trace->fullyMasked[static_cast<std::size_t>(s.query)]) {
        html += tr("<p>Every key is blocked for it, so its weights are all 0.</p>");
    } else {
        const Eigen::RowVectorXd row = head->weights.row(s.query);
        const double best = row.maxCoeff();
        // Equal weights are not a preference: name the tie, or the even spread, instead of a winner.
        const double tolerance = 1e-9 * std::max(1.0, std::abs(best));
        QStringList tied;
        int open = 0;
        for (int k = 0; k < n; ++k) {
            if (!trace->blocked(s.query, k))
                ++open;
            if (best - row(k) <= tolerance)
                tied << keyName(names.at(k));
        }
        if (tied.size() == open && open > 1)
            html += tr("<p>Its attention is spread evenly: each of the %1 tokens it may see gets %2.</p>")
                        .arg(open)
                        .arg(number(best));
        else if (tied.size() > 1)
            html += tr("<p>It attends most, and equally, to %1 (weight %2 each).</p>")
                        .arg(tied.join(QStringLiteral(", ")), number(best));
        else
            html += tr("<p>It attends most to %1 (weight %2).</p>").arg(tied.constFirst(), number(best));
    }
    html += tr("<p>Click a cell of its row to see the arithmetic.</p>");
    showMessage(html);
}

} // namespace attention
