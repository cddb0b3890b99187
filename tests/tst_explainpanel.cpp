// The explanation panel shows the trace's numbers as worked arithmetic; the chart follows the weights model.
#include "attentionchart.h"
#include "explainpanel.h"
#include "matrixmodel.h"
#include "stagecontroller.h"
#include "testmodels.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QTest>
#include <QTextBrowser>

using namespace attention;
using attention::testing::handWorkedModel;
using attention::testing::randomModel;

namespace {
AttentionTrace handWorked(const TraceOptions &options = {})
{
    TraceResult r = traceText(handWorkedModel(), "a b c", options);
    if (!r.ok())
        qFatal("hand-worked trace failed: %s", r.error.c_str());
    return r.trace;
}

const QStringList kAbc = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};

QStringList numbered(int n, const QString &prefix)
{
    QStringList out;
    for (int i = 0; i < n; ++i)
        out << prefix + QString::number(i);
    return out;
}

// A sentence that repeats "the", "cat", "saw" and "dog"; "and" and "." occur once.
const QString kRepeating = QStringLiteral("the cat saw the dog and the dog saw the cat .");

// A random model (one layer, two heads) whose words are the sentence's, and "<".
std::shared_ptr<Model> repeatingModel()
{
    auto m = randomModel(4, 2, 1, 2, 7, false);
    m->vocabulary = {"the", "cat", "saw", "dog", "and", ".", "<"};
    m->indexVocabulary();
    return m;
}

// How the panel should name token i of the trace: with its position when its text repeats.
QString expectedName(const AttentionTrace &trace, int i)
{
    const std::string &text = trace.tokens[static_cast<std::size_t>(i)].text;
    const auto same = std::count_if(trace.tokens.begin(), trace.tokens.end(),
                                    [&](const Token &t) { return t.text == text; });
    const QString quoted = QStringLiteral("\u201C%1\u201D").arg(QString::fromStdString(text));
    return same > 1 ? QStringLiteral("%1 (#%2)").arg(quoted).arg(i) : quoted;
}

// The keys row `query` of the weights gives most (equal within the panel's tolerance), in sentence order.
QList<int> strongestKeys(const Eigen::MatrixXd &weights, int query)
{
    const double max = weights.row(query).maxCoeff();
    QList<int> keys;
    for (int k = 0; k < weights.cols(); ++k)
        if (max - weights(query, k) <= 1e-9 * std::max(1.0, std::abs(max)))
            keys << k;
    return keys;
}

// What the panel says about the strongest keys of a row that has some but not all keys tied.
QString attendsMost(const AttentionTrace &trace, const QList<int> &keys)
{
    QStringList names;
    for (int k : keys)
        names << expectedName(trace, k);
    return keys.size() == 1 ? QStringLiteral("It attends most to %1 (weight").arg(names.constFirst())
                            : QStringLiteral("It attends most, and equally, to %1 (weight")
                                  .arg(names.join(QStringLiteral(", ")));
}

int pixelsOf(const QImage &image, const QColor &color)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            count += image.pixelColor(x, y).rgb() == color.rgb();
    return count;
}
} // namespace

class tst_ExplainPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void scoreListsProductsAndSum();
    void swappedScoreWarns();
    void longDotProductIsShortened();
    void scaleShowsTheDivision();
    void softmaxShowsBlockedKeys();
    void fullyMaskedRowIsExplained();
    void outputListsEveryTerm();
    void maskGivesTheReason();
    void precisionRedraws();
    void fontsAreProjectorSized();
    void selectionNamesRepeatedTokensByPosition();
    void cellNamesRepeatedTokensByPosition();
    void chartShowsTheSelectedRow();
    void chartFollowsTheModel();
    void chartEmptyStateAndDenseRows();
    void chartRendersBars();
};

void tst_ExplainPanel::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void tst_ExplainPanel::scoreListsProductsAndSum()
{
    // q_a = [1, 0], k_c = [2, 1]: 1×2 + 0×1 = 2 + 0 = 2.
    ExplainPanel panel;
    panel.showScore(explainScore(handWorked(), 0, 0, 0, 2), QStringLiteral("a"), QStringLiteral("c"));
    const QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("q(a) = [1.00, 0.00]")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("k(c) = [2.00, 1.00]")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 1.00×2.00 + 0.00×1.00")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 2.00 + 0.00")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 2.00\n")) || text.endsWith(QStringLiteral("= 2.00")),
             qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("swapped")));
}

void tst_ExplainPanel::swappedScoreWarns()
{
    TraceOptions options;
    options.swapQK = true;
    ExplainPanel panel;
    panel.showScore(explainScore(handWorked(options), 0, 0, 0, 2), QStringLiteral("a"), QStringLiteral("c"));
    const QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("swapped")), qPrintable(text));
    // The row token now contributes its key: k(a) = [2, 0], q(c) = [1, 1].
    QVERIFY2(text.contains(QStringLiteral("k(a) · q(c)")), qPrintable(text));
    QVERIFY2(panel.browser()->toHtml().contains(theme::warning().name(), Qt::CaseInsensitive),
             "no red warning");
}

void tst_ExplainPanel::longDotProductIsShortened()
{
    const TraceResult r = traceText(randomModel(20, 20, 1, 1, 5, false), "w1 w2 w3");
    QVERIFY(r.ok());
    ExplainPanel panel;
    panel.showScore(explainScore(r.trace, 0, 0, 0, 1), QStringLiteral("w1"), QStringLiteral("w2"));
    const QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("… and 8 more terms")), qPrintable(text));
    QCOMPARE(text.count(QStringLiteral("×")), ExplainPanel::kMaxTerms);
}

void tst_ExplainPanel::scaleShowsTheDivision()
{
    // score(c, c) = 3, √2 = 1.41, 3 / √2 = 2.12.
    ExplainPanel panel;
    panel.showScale(explainScale(handWorked(), 0, 0, 2, 2), QStringLiteral("c"), QStringLiteral("c"));
    QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("= 3.00 ÷ √2")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 3.00 ÷ 1.41")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 2.12")), qPrintable(text));

    TraceOptions unscaled;
    unscaled.scale = false;
    panel.showScale(explainScale(handWorked(unscaled), 0, 0, 2, 2), QStringLiteral("c"), QStringLiteral("c"));
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("switched off")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 3.00")), qPrintable(text));
}

void tst_ExplainPanel::softmaxShowsBlockedKeys()
{
    // Causal row b: scaled [0, 0.71, −∞], max 0.71, exps [0.49, 1, 0], sum 1.49, weight(b→a) = 0.33.
    TraceOptions options;
    options.mask = MaskMode::Causal;
    const AttentionTrace t = handWorked(options);
    ExplainPanel panel;
    panel.showSoftmax(explainSoftmax(t, 0, 0, 1, 0), QStringLiteral("b"), kAbc);
    QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("−∞")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("max = 0.71")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("sum = Σ exp = 1.49")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 0.49 ÷ 1.49")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 0.33")), qPrintable(text));

    panel.showSoftmax(explainSoftmax(t, 0, 0, 1, 2), QStringLiteral("b"), kAbc);
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("exp(−∞) = 0")), qPrintable(text));
}

void tst_ExplainPanel::fullyMaskedRowIsExplained()
{
    TraceOptions options;
    options.mask = MaskMode::Custom;
    options.customBlocked = BoolMatrix::Constant(3, 3, false);
    options.customBlocked.row(0).setConstant(true);
    ExplainPanel panel;
    panel.showSoftmax(explainSoftmax(handWorked(options), 0, 0, 0, 1), QStringLiteral("a"), kAbc);
    const QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("nothing is left")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("weight(“a” → “b”) = 0.00")), qPrintable(text));
}

void tst_ExplainPanel::outputListsEveryTerm()
{
    // output(a)[k1] = 0.45×0 + 0.11×2 + 0.45×2 = 0 + 0.22 + 0.89 = 1.11.
    ExplainPanel panel;
    panel.showOutput(explainOutput(handWorked(), 0, 0, 0, 1), QStringLiteral("a"), kAbc,
                     QStringLiteral("k1"));
    QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("0.22")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("0.89")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("= 1.11")), qPrintable(text));

    // Twenty keys: the twelve largest products are listed, the other eight counted.
    const TraceResult r = traceText(randomModel(4, 4, 1, 1, 25, false),
                                    "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19");
    QVERIFY(r.ok());
    panel.showOutput(explainOutput(r.trace, 0, 0, 3, 0), QStringLiteral("w3"), numbered(20, "w"),
                     QStringLiteral("k0"));
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("… and 8 more terms")), qPrintable(text));
}

void tst_ExplainPanel::maskGivesTheReason()
{
    TraceOptions options;
    options.mask = MaskMode::Causal;
    ExplainPanel panel;
    panel.showMask(explainMask(handWorked(options), 0, 0, 0, 2), QStringLiteral("a"), QStringLiteral("c"));
    const QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("Blocked")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("causal mask hides the future")), qPrintable(text));
}

void tst_ExplainPanel::precisionRedraws()
{
    ExplainPanel panel;
    panel.showScore(explainScore(handWorked(), 0, 0, 0, 2), QStringLiteral("a"), QStringLiteral("c"));
    panel.setPrecision(4);
    QVERIFY2(panel.plainText().contains(QStringLiteral("1.0000×2.0000")), qPrintable(panel.plainText()));
    panel.showMessage(QStringLiteral("Click a cell to see where its number comes from."));
    QCOMPARE(panel.plainText(), QStringLiteral("Click a cell to see where its number comes from."));
}

void tst_ExplainPanel::fontsAreProjectorSized()
{
    ExplainPanel panel;
    QVERIFY(panel.browser()->font().pointSizeF() >= theme::kMinimumPointSize);
    AttentionChart chart;
    QVERIFY(chart.chartView()->chart()->titleFont().pointSizeF() >= theme::kMinimumPointSize);
    for (QAbstractAxis *axis : chart.chartView()->chart()->axes())
        QVERIFY(axis->labelsFont().pointSizeF() >= theme::kMinimumPointSize);
}

void tst_ExplainPanel::selectionNamesRepeatedTokensByPosition()
{
    StageController c(repeatingModel());
    c.setSentence(kRepeating);
    c.waitForTrace();
    const AttentionTrace *trace = c.trace();
    QVERIFY(trace);
    QCOMPARE(trace->tokenCount(), 12);
    QCOMPARE(QString::fromStdString(trace->tokens[3].text), QStringLiteral("the"));

    // Query "the" at position 3: it and the key it attends most to are named as the token strip numbers
    // them (from 0); the key is the argmax of the real weights of its row.
    ExplainPanel panel;
    c.select(3);
    panel.explainSelection(c);
    QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("\u201Cthe\u201D (#3) is the selected query.")), qPrintable(text));
    QList<int> keys = strongestKeys(c.headTrace()->weights, 3);
    QVERIFY(keys.size() < 12);
    QVERIFY2(text.contains(attendsMost(*trace, keys)), qPrintable(text));

    // "and" occurs once: its plain name, without a position.
    c.select(5);
    panel.explainSelection(c);
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("\u201Cand\u201D is the selected query.")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("\u201Cand\u201D (#")), qPrintable(text));
    keys = strongestKeys(c.headTrace()->weights, 5);
    QVERIFY(keys.size() < 12);
    QVERIFY2(text.contains(attendsMost(*trace, keys)), qPrintable(text));
}

void tst_ExplainPanel::cellNamesRepeatedTokensByPosition()
{
    StageController c(repeatingModel());
    c.setSentence(kRepeating);
    c.waitForTrace();
    const AttentionTrace *trace = c.trace();
    QVERIFY(trace);
    QCOMPARE(trace->tokenCount(), 12);
    const QString the3 = QStringLiteral("\u201Cthe\u201D (#3)");

    // The softmax of row "the" #3 at the key it attends most to: both named with their positions, every
    // repeated key of the table too, the unique ones plain.
    const int best = strongestKeys(c.headTrace()->weights, 3).constFirst();
    ExplainPanel panel;
    panel.explainCell(c, MatrixId::Weights, 3, best);
    QString text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("weight(%1 \u2192 %2)").arg(the3, expectedName(*trace, best))),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("\u201Cdog\u201D (#7)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("\u201Cand\u201D")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("\u201Cand\u201D (#")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("\u201C.\u201D (#")), qPrintable(text));

    // Unique row and column: plain names. The score's vectors carry the position too when repeated.
    panel.explainCell(c, MatrixId::Scores, 5, 11);
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("the query of \u201Cand\u201D matches the key of \u201C.\u201D.")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("q(and) \u00B7 k(.)")), qPrintable(text));
    panel.explainCell(c, MatrixId::Scores, 3, 9);
    text = panel.plainText();
    QVERIFY2(
        text.contains(QStringLiteral("the query of %1 matches the key of \u201Cthe\u201D (#9).").arg(the3)),
        qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("q(the #3) \u00B7 k(the #9)")), qPrintable(text));

    // The mask of a repeated row and a unique column.
    panel.explainCell(c, MatrixId::Mask, 7, 5);
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("may \u201Cdog\u201D (#7) look at \u201Cand\u201D?")),
             qPrintable(text));

    // The average of the two heads names its row and column the same way.
    c.setHead(-1);
    QVERIFY(c.averagingHeads());
    panel.explainCell(c, MatrixId::Weights, 0, 5);
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("row \u201Cthe\u201D (#0), column \u201Cand\u201D, averaged")),
             qPrintable(text));
    panel.explainCell(c, MatrixId::Weights, 11, 10);
    text = panel.plainText();
    QVERIFY2(text.contains(QStringLiteral("row \u201C.\u201D, column \u201Ccat\u201D (#10), averaged")),
             qPrintable(text));

    // A repeated "<" is shown as text, not read as markup.
    c.setHead(0);
    c.setSentence(QStringLiteral("dog < the < cat"));
    c.waitForTrace();
    QCOMPARE(c.trace()->tokenCount(), 5);
    panel.explainCell(c, MatrixId::Scores, 1, 3);
    text = panel.plainText();
    QVERIFY2(text.contains(
                 QStringLiteral("the query of \u201C<\u201D (#1) matches the key of \u201C<\u201D (#3).")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("q(< #1) \u00B7 k(< #3)")), qPrintable(text));
}

void tst_ExplainPanel::chartShowsTheSelectedRow()
{
    Eigen::MatrixXd w(3, 3);
    w << 0.5, 0.25, 0.25, 0.1, 0.3, 0.6, 1.0 / 3, 1.0 / 3, 1.0 / 3;
    MatrixModel model;
    model.setMatrix(w, kAbc, kAbc);
    AttentionChart chart;
    chart.setModel(&model);
    QCOMPARE(chart.queryRow(), -1);
    QVERIFY(!chart.barSet());

    chart.setQueryRow(1, QStringLiteral("b"));
    QCOMPARE(chart.queryRow(), 1);
    QBarSet *set = chart.barSet();
    QVERIFY(set);
    QCOMPARE(set->count(), 3);
    // Exact values, not the model's two-decimal display text (== on purpose: QCOMPARE of doubles is fuzzy).
    for (int j = 0; j < 3; ++j)
        QVERIFY(set->at(j) == w(1, j));
    QCOMPARE(set->selectedBars(), QList<int>{2});
    const QString title = chart.chartView()->chart()->title();
    QVERIFY2(title.contains(QStringLiteral("Attention of “b”")), qPrintable(title));
    QVERIFY2(title.contains(QStringLiteral("most on “c” (0.60)")), qPrintable(title));
}

void tst_ExplainPanel::chartFollowsTheModel()
{
    Eigen::MatrixXd w(3, 3);
    w << 0.5, 0.25, 0.25, 0.1, 0.3, 0.6, 1.0 / 3, 1.0 / 3, 1.0 / 3;
    MatrixModel model;
    model.setMatrix(w, kAbc, kAbc);
    AttentionChart chart;
    chart.setModel(&model);
    chart.setQueryRow(1, QStringLiteral("b"));

    // Same shape: MatrixModel emits dataChanged, and the mapper updates the bars in place.
    Eigen::MatrixXd w2(3, 3);
    w2 << 0.2, 0.2, 0.6, 0.7, 0.2, 0.1, 0.0, 0.5, 0.5;
    model.setMatrix(w2, kAbc, kAbc);
    QVERIFY(chart.barSet());
    for (int j = 0; j < 3; ++j)
        QCOMPARE(chart.barSet()->at(j), w2(1, j));
    QCOMPARE(chart.barSet()->selectedBars(), QList<int>{0});

    // New shape: modelReset; the mapper rebuilds the bar set from the same row.
    const QStringList abcd = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                              QStringLiteral("d")};
    Eigen::MatrixXd w3 = Eigen::MatrixXd::Constant(4, 4, 0.1);
    w3.row(1) << 0.1, 0.2, 0.3, 0.4;
    model.setMatrix(w3, abcd, abcd);
    QVERIFY(chart.barSet());
    QCOMPARE(chart.barSet()->count(), 4);
    for (int j = 0; j < 4; ++j)
        QCOMPARE(chart.barSet()->at(j), w3(1, j));
    QCOMPARE(chart.barSet()->color(), theme::key());
    QCOMPARE(chart.barSet()->selectedBars(), QList<int>{3});
    auto *axis = qobject_cast<QBarCategoryAxis *>(chart.chartView()->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(axis);
    QCOMPARE(axis->count(), 4);

    // Shrinking below the selected row leaves the chart empty instead of showing a stale row.
    model.setMatrix(Eigen::MatrixXd::Constant(1, 1, 1.0), {QStringLiteral("a")}, {QStringLiteral("a")});
    QCOMPARE(chart.queryRow(), -1);
    QVERIFY(!chart.barSet());
}

void tst_ExplainPanel::chartEmptyStateAndDenseRows()
{
    AttentionChart chart;
    QCOMPARE(chart.chartView()->chart()->title(), QStringLiteral("Select a token"));

    // 100 keys, with repeated words: only the 40 strongest keys of the row are charted, in sentence order,
    // each with its own category, and the title says how many were left out.
    const int n = 100;
    QStringList labels;
    for (int i = 0; i < n; ++i)
        labels << (i % 2 ? QStringLiteral("the") : QStringLiteral("w%1").arg(i));
    // Row 7: key j weighs (j + 1) / 5050 (1 + 2 + … + 100 = 5050), so the strongest 40 are keys 60…99.
    Eigen::MatrixXd weights = Eigen::MatrixXd::Constant(n, n, 1.0 / n);
    for (int j = 0; j < n; ++j)
        weights(7, j) = (j + 1) / 5050.0;
    MatrixModel model;
    model.setMatrix(weights, labels, labels);
    chart.setModel(&model);
    chart.setQueryRow(7, QStringLiteral("the"));
    QCOMPARE(chart.barSet()->count(), AttentionChart::kMaxBars);
    QCOMPARE(chart.barSet()->at(0), 61 / 5050.0);
    QCOMPARE(chart.barSet()->at(39), 100 / 5050.0);
    auto *axis = qobject_cast<QBarCategoryAxis *>(chart.chartView()->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(axis);
    QCOMPARE(axis->count(), AttentionChart::kMaxBars);
    QVERIFY(axis->at(0).startsWith(QStringLiteral("w60")));
    QVERIFY(chart.chartView()->chart()->title().contains(QStringLiteral("40 strongest of 100 keys")));
    // Another row has other strongest keys: row 8 is uniform, so the first 40 keys (ties keep order).
    chart.setQueryRow(8, QStringLiteral("w8"));
    QCOMPARE(axis->count(), AttentionChart::kMaxBars);
    QVERIFY(axis->at(0).startsWith(QStringLiteral("w0")));

    chart.setQueryRow(-1, {});
    QVERIFY(!chart.barSet());
    QCOMPARE(chart.chartView()->chart()->title(), QStringLiteral("Select a token"));
}

void tst_ExplainPanel::chartRendersBars()
{
    Eigen::MatrixXd w(3, 3);
    w << 0.5, 0.25, 0.25, 0.1, 0.3, 0.6, 1.0 / 3, 1.0 / 3, 1.0 / 3;
    MatrixModel model;
    model.setMatrix(w, kAbc, kAbc);
    AttentionChart chart;
    chart.resize(360, 300);
    chart.setModel(&model);
    chart.setQueryRow(0, QStringLiteral("a"));
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QImage image = chart.grab().toImage().convertToFormat(QImage::Format_RGB32);
    // Plain key-orange bars, and the highlighted maximum in its darker shade.
    QVERIFY(pixelsOf(image, theme::key()) > 100);
    QVERIFY(pixelsOf(image, theme::key().darker(170)) > 100);
}

QTEST_MAIN(tst_ExplainPanel)
#include "tst_explainpanel.moc"
