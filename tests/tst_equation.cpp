// The equation is true: for every step, head and the average of heads, the operands on screen, combined by
// the operators on screen, give the result on screen. And the whole equation can be drawn as one picture.
#include "attention.h"
#include "equationview.h"
#include "labels.h"
#include "matrixmodel.h"
#include "modelio.h"
#include "stagecontroller.h"

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <cmath>

using namespace attention;

namespace {

std::shared_ptr<const Model> trained()
{
    static const ModelLoad loaded = loadModel(QStringLiteral("trained"));
    return loaded.model;
}

// Sixteen tokens the trained model knows.
const QString kSixteen = QStringLiteral("the cat sat on the mat and the dog sat on the rug by the door");

constexpr double kTolerance = 1e-9;

const Eigen::MatrixXd &shown(const MatrixPanel *p)
{
    return p->model()->matrix();
}

// What checkEquation found: the first problem (empty when the equation holds) and how much it compared.
struct Check
{
    QString problem;
    int equations = 0; // operand-operator-result relations checked
    long cells = 0;    // result cells compared
};

// Compares a computed matrix with a shown one, −∞ with −∞; records the first difference.
void expectEqual(Check &check, const QString &what, const Eigen::MatrixXd &computed,
                 const Eigen::MatrixXd &result)
{
    if (!check.problem.isEmpty())
        return;
    ++check.equations;
    if (computed.rows() != result.rows() || computed.cols() != result.cols() || result.size() == 0) {
        check.problem = QStringLiteral("%1: %2 × %3 computed, %4 × %5 shown")
                            .arg(what)
                            .arg(computed.rows())
                            .arg(computed.cols())
                            .arg(result.rows())
                            .arg(result.cols());
        return;
    }
    for (Eigen::Index r = 0; r < result.rows(); ++r)
        for (Eigen::Index c = 0; c < result.cols(); ++c) {
            const double a = computed(r, c), b = result(r, c);
            ++check.cells;
            const bool same = std::isinf(a) || std::isinf(b) ? a == b : std::abs(a - b) <= kTolerance;
            if (!same) {
                check.problem = QStringLiteral("%1: cell (%2, %3) is %4 by the operands, %5 shown")
                                    .arg(what)
                                    .arg(r)
                                    .arg(c)
                                    .arg(a, 0, 'g', 17)
                                    .arg(b, 0, 'g', 17);
                return;
            }
        }
}

void expect(Check &check, bool condition, const QString &what)
{
    if (check.problem.isEmpty() && !condition)
        check.problem = what;
}

QString names(const QList<MatrixPanel *> &panels)
{
    QStringList out;
    for (const MatrixPanel *p : panels)
        out << p->name();
    return out.join(QStringLiteral(", "));
}

// Expects exactly `ids` as the operand panels, in that order (the main panels, not a head's copies).
void expectOperands(Check &check, const EquationView &view, const QList<MatrixPanel *> &panels)
{
    expect(check, view.visiblePanels() == panels,
           QStringLiteral("operands [%1], expected [%2]").arg(names(view.visiblePanels()), names(panels)));
}

// The mean of the heads' own panels of `id`, after checking that every head has one, shown, with its own
// numbers, and that the operator says "1/heads".
Eigen::MatrixXd meanOfHeadPanels(Check &check, const EquationView &view, const LayerTrace &layer, MatrixId id)
{
    const int heads = static_cast<int>(layer.heads.size());
    expect(check, view.operatorTexts().contains(QStringLiteral("1/%1 · (").arg(heads)),
           QStringLiteral("no \"1/%1 · (\" among the operators %2")
               .arg(heads)
               .arg(view.operatorTexts().join(' ')));
    Eigen::MatrixXd sum;
    for (int h = 0; h < heads; ++h) {
        const MatrixPanel *p = view.headPanel(id, h);
        expect(check, p && view.visiblePanels().contains(p),
               QStringLiteral("no panel of head %1").arg(h + 1));
        if (!p)
            return {};
        expect(check, view.headOf(p) == h && p->id() == id,
               QStringLiteral("head %1's panel says otherwise").arg(h + 1));
        // The panel titled "… of head h" holds head h's numbers.
        const HeadTrace &ht = layer.heads[static_cast<std::size_t>(h)];
        const Eigen::MatrixXd &own = id == MatrixId::Q         ? ht.Q
                                     : id == MatrixId::K       ? ht.K
                                     : id == MatrixId::V       ? ht.V
                                     : id == MatrixId::Scores  ? ht.scores
                                     : id == MatrixId::Scaled  ? ht.scaled
                                     : id == MatrixId::Masked  ? ht.masked
                                     : id == MatrixId::Weights ? ht.weights
                                                               : ht.output;
        expect(check, shown(p) == own,
               QStringLiteral("%1 does not hold head %2's matrix").arg(p->name()).arg(h + 1));
        sum = h == 0 ? shown(p) : Eigen::MatrixXd(sum + shown(p));
    }
    return sum / double(heads);
}

// Reads the equation the view shows and checks it numerically. Returns what does not hold, or "".
Check checkEquation(const EquationView &view, const StageController &c)
{
    Check check;
    const AppState &s = c.state();
    const AttentionTrace &trace = *c.trace();
    const LayerTrace &layer = *c.layerTrace();
    const Model &model = *trace.model;
    const LayerWeights &lw = model.layers[static_cast<std::size_t>(s.layer)];
    const bool averaging = s.head < 0;
    const HeadWeights *hw = averaging ? nullptr : &lw.heads[static_cast<std::size_t>(s.head)];
    const QStringList ops = view.operatorTexts();
    MatrixPanel *result = view.resultPanel();
    if (!result)
        return {QStringLiteral("no result"), 0, 0};
    auto P = [&view](MatrixId id) { return view.panel(id); };
    // The result is the controller's, so the heatmap draws what the trace computed.
    const HeadTrace expected = averaging ? meanOfHeads(layer) : layer.heads[static_cast<std::size_t>(s.head)];

    switch (s.step) {
    case Step::Embeddings:
        expect(check, result == P(MatrixId::X), QStringLiteral("the result is not X"));
        if (s.layer > 0) {
            expectOperands(check, view, {P(MatrixId::LayerOutput)});
            expectEqual(check, QStringLiteral("layer output of the previous layer = X"),
                        trace.layers[static_cast<std::size_t>(s.layer - 1)].output,
                        shown(P(MatrixId::LayerOutput)));
            expectEqual(check, QStringLiteral("layer output = X"), shown(P(MatrixId::LayerOutput)),
                        shown(result));
        } else {
            expectOperands(check, view, {P(MatrixId::E), P(MatrixId::P)});
            expect(check, ops == QStringList({QStringLiteral("+"), QStringLiteral("=")}), ops.join(' '));
            expectEqual(check, QStringLiteral("E + P = X"), shown(P(MatrixId::E)) + shown(P(MatrixId::P)),
                        shown(result));
        }
        expectEqual(check, QStringLiteral("X is the layer's input"), layer.input, shown(result));
        break;
    case Step::QKV: {
        QList<QPair<MatrixId, MatrixId>> rows = {
            {MatrixId::W_Q, MatrixId::Q}, {MatrixId::W_K, MatrixId::K}, {MatrixId::W_V, MatrixId::V}};
        if (view.projection() != Projection::All)
            rows = {rows.at(int(view.projection()))};
        expect(check, result == P(rows.first().second),
               QStringLiteral("the result is %1").arg(result->name()));
        for (const auto &[w, y] : rows) {
            const MatrixPanel *out = P(y);
            expect(check, out == result || view.visiblePanels().contains(out),
                   QStringLiteral("%1 not shown").arg(out->name()));
            if (averaging) {
                expectEqual(check, QStringLiteral("mean of the heads' %1").arg(out->name()),
                            meanOfHeadPanels(check, view, layer, y), shown(out));
            } else {
                const MatrixPanel *x = P(MatrixId::X), *weight = P(w), *bias = view.biasPanel(w);
                expect(check, view.visiblePanels().contains(x) && view.visiblePanels().contains(weight),
                       QStringLiteral("X or %1 not shown").arg(weight->name()));
                Eigen::MatrixXd computed = shown(x) * shown(weight);
                const Eigen::RowVectorXd &b = w == MatrixId::W_Q   ? hw->b_Q
                                              : w == MatrixId::W_K ? hw->b_K
                                                                   : hw->b_V;
                // With a bias in the model, the equation must show it: X·W alone is not Q.
                expect(check, (b.size() > 0) == view.visiblePanels().contains(bias),
                       QStringLiteral("bias %1 shown: %2, in the model: %3")
                           .arg(bias->name())
                           .arg(view.visiblePanels().contains(bias))
                           .arg(b.size() > 0));
                if (view.visiblePanels().contains(bias)) {
                    expect(check, shown(bias).rows() == 1, QStringLiteral("a bias is one row"));
                    computed.rowwise() += Eigen::RowVectorXd(shown(bias).row(0));
                    expect(check, Eigen::MatrixXd(shown(bias)) == Eigen::MatrixXd(b),
                           QStringLiteral("the bias is the model's"));
                }
                expectEqual(check, QStringLiteral("X · %1 (+ b) = %2").arg(weight->name(), out->name()),
                            computed, shown(out));
                expectEqual(check, QStringLiteral("%1 is the trace's").arg(out->name()),
                            y == MatrixId::Q   ? expected.Q
                            : y == MatrixId::K ? expected.K
                                               : expected.V,
                            shown(out));
            }
        }
        break;
    }
    case Step::Scores:
    case Step::Scale:
    case Step::Mask:
    case Step::Softmax:
    case Step::WeightedSum: {
        const MatrixId id = s.step == Step::Scores    ? MatrixId::Scores
                            : s.step == Step::Scale   ? MatrixId::Scaled
                            : s.step == Step::Mask    ? MatrixId::Masked
                            : s.step == Step::Softmax ? MatrixId::Weights
                                                      : MatrixId::Output;
        expect(check, result == P(id), QStringLiteral("the result is %1").arg(result->name()));
        const Eigen::MatrixXd &fromTrace = id == MatrixId::Scores    ? expected.scores
                                           : id == MatrixId::Scaled  ? expected.scaled
                                           : id == MatrixId::Masked  ? expected.masked
                                           : id == MatrixId::Weights ? expected.weights
                                                                     : expected.output;
        expectEqual(check, QStringLiteral("%1 is the trace's").arg(result->name()), fromTrace, shown(result));
        if (averaging) {
            expect(check, view.visiblePanels().size() == static_cast<int>(layer.heads.size()),
                   QStringLiteral("operands [%1]").arg(names(view.visiblePanels())));
            expectEqual(check, QStringLiteral("mean of the heads' %1").arg(result->name()),
                        meanOfHeadPanels(check, view, layer, id), shown(result));
            break;
        }
        if (s.step == Step::Scores) {
            MatrixPanel *a = P(s.swapQK ? MatrixId::K : MatrixId::Q);
            MatrixPanel *b = P(s.swapQK ? MatrixId::QT : MatrixId::KT);
            expectOperands(check, view, {a, b});
            expect(check, ops == QStringList({QStringLiteral("·"), QStringLiteral("=")}), ops.join(' '));
            expectEqual(check, QStringLiteral("%1 · %2 = scores").arg(a->name(), b->name()),
                        shown(a) * shown(b), shown(result));
            // Kᵀ is the transpose of the head's K (and Qᵀ of its Q).
            expectEqual(check, QStringLiteral("%1 is a transpose").arg(b->name()),
                        Eigen::MatrixXd((s.swapQK ? expected.Q : expected.K).transpose()), shown(b));
        } else if (s.step == Step::Scale) {
            expectOperands(check, view, {P(MatrixId::Scores)});
            // "÷ √d_k\n= ÷ divisor": the divisor read from the operator is the trace's, and divides.
            const QString op = ops.value(0);
            const double divisor = expected.divisor;
            if (s.scale) {
                expect(check, op.startsWith(QStringLiteral("÷ √%1\n= ÷ ").arg(model.d_k)), op);
                bool ok = false;
                const double read = op.section(QStringLiteral("÷ "), -1).toDouble(&ok);
                expect(check,
                       ok && std::abs(read - divisor) < 0.005 && divisor == std::sqrt(double(model.d_k)),
                       QStringLiteral("divisor %1 shown, %2 used").arg(read).arg(divisor));
            } else {
                expect(check, op.startsWith(QStringLiteral("÷ 1")) && divisor == 1.0, op);
            }
            expectEqual(check, QStringLiteral("scores ÷ divisor = scaled"),
                        shown(P(MatrixId::Scores)) / divisor, shown(result));
        } else if (s.step == Step::Mask) {
            expectOperands(check, view, {P(MatrixId::Scaled), P(MatrixId::Mask)});
            expect(check, ops == QStringList({QStringLiteral("+"), QStringLiteral("=")}), ops.join(' '));
            expectEqual(check, QStringLiteral("the mask is the trace's"), additiveMask(trace.blocked),
                        shown(P(MatrixId::Mask)));
            expectEqual(check, QStringLiteral("scaled + mask = masked"),
                        shown(P(MatrixId::Scaled)) + shown(P(MatrixId::Mask)), shown(result));
        } else if (s.step == Step::Softmax) {
            expectOperands(check, view, {P(MatrixId::Masked)});
            expect(check, ops.value(0) == QStringLiteral("softmax"), ops.join(' '));
            // Row by row, from the numbers on screen: exp(x − max) / Σ exp(x − max), −∞ giving 0.
            const Eigen::MatrixXd &m = shown(P(MatrixId::Masked));
            Eigen::MatrixXd soft = Eigen::MatrixXd::Zero(m.rows(), m.cols());
            for (Eigen::Index r = 0; r < m.rows(); ++r) {
                const double top = m.row(r).maxCoeff();
                if (std::isinf(top))
                    continue;
                for (Eigen::Index k = 0; k < m.cols(); ++k)
                    soft(r, k) = std::isinf(m(r, k)) ? 0.0 : std::exp(m(r, k) - top);
                soft.row(r) /= soft.row(r).sum();
            }
            expectEqual(check, QStringLiteral("softmax(masked) = weights"), soft, shown(result));
        } else {
            expectOperands(check, view, {P(MatrixId::Weights), P(MatrixId::V)});
            expect(check, ops == QStringList({QStringLiteral("·"), QStringLiteral("=")}), ops.join(' '));
            expectEqual(check, QStringLiteral("weights · V = output"),
                        shown(P(MatrixId::Weights)) * shown(P(MatrixId::V)), shown(result));
        }
        break;
    }
    case Step::Output: {
        expect(check, result == P(MatrixId::AttentionOutput),
               QStringLiteral("the result is %1").arg(result->name()));
        MatrixPanel *bias = view.biasPanel(MatrixId::W_O);
        QList<MatrixPanel *> operands = {P(MatrixId::Concat), P(MatrixId::W_O)};
        if (lw.b_O.size() > 0)
            operands << bias;
        expectOperands(check, view, operands);
        Eigen::MatrixXd computed = shown(P(MatrixId::Concat)) * shown(P(MatrixId::W_O));
        if (lw.b_O.size() > 0) {
            expect(check, Eigen::MatrixXd(shown(bias)) == Eigen::MatrixXd(lw.b_O),
                   QStringLiteral("b_O is the model's"));
            computed.rowwise() += Eigen::RowVectorXd(shown(bias).row(0));
        }
        expectEqual(check, QStringLiteral("concat · W_O (+ b_O) = attention output"), computed,
                    shown(result));
        expectEqual(check, QStringLiteral("attention output is the trace's"), layer.attentionOutput,
                    shown(result));
        // concat is every head's output side by side, whichever head is selected.
        Eigen::Index column = 0;
        for (const HeadTrace &h : layer.heads) {
            expectEqual(check, QStringLiteral("concat holds each head"),
                        shown(P(MatrixId::Concat)).middleCols(column, h.output.cols()), h.output);
            column += h.output.cols();
        }
        break;
    }
    }
    return check;
}

} // namespace

class tst_Equation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void everyStepHoldsForEachHeadAndTheAverage();
    void theCheckCatchesAFalseEquation();
    void averagingShowsEachHeadAndTheirMean();
    void panelsAreIdentifiedByTheirMatrix();
    void projectionButtonsAskTheState();
    void wholeEquationHasEveryCell();
};

void tst_Equation::initTestCase()
{
    QVERIFY(trained());
    QVERIFY(trained()->layers.size() >= 2);
    QVERIFY(trained()->layers[0].heads.size() >= 2);
}

void tst_Equation::everyStepHoldsForEachHeadAndTheAverage()
{
    StageController c(trained());
    EquationView view(&c);
    view.resize(1600, 600);
    view.show();
    c.setSentence(kSixteen);
    QVERIFY(c.trace());
    QCOMPARE(c.trace()->tokenCount(), 16);
    int equations = 0;
    long cells = 0;
    int states = 0;
    // Plain; then causal with scaling off and the swap (−∞ in the mask, K·Qᵀ, ÷ 1).
    for (int variant = 0; variant < 2; ++variant) {
        c.setMask(variant ? MaskMode::Causal : MaskMode::None);
        c.setScale(variant == 0);
        c.setSwapQK(variant == 1);
        for (int layer = 0; layer < static_cast<int>(c.trace()->layers.size()); ++layer)
            for (int head : {0, 1, -1}) {
                c.setLayer(layer);
                c.setHead(head);
                for (Step step : kAllSteps) {
                    c.setStep(step);
                    for (Projection p :
                         {Projection::Query, Projection::Key, Projection::Value, Projection::All}) {
                        if (step != Step::QKV && p != Projection::Query)
                            continue;
                        view.setProjection(p);
                        view.refresh();
                        const Check check = checkEquation(view, c);
                        QVERIFY2(
                            check.problem.isEmpty(),
                            qPrintable(
                                QStringLiteral("layer %1, head %2, %3, projection %4, variant %5: %6")
                                    .arg(layer + 1)
                                    .arg(head < 0 ? QStringLiteral("average") : QString::number(head + 1))
                                    .arg(stepTitleText(step))
                                    .arg(int(p))
                                    .arg(variant)
                                    .arg(check.problem)));
                        QVERIFY(check.equations > 0);
                        equations += check.equations;
                        cells += check.cells;
                        ++states;
                    }
                }
            }
    }
    // 2 variants × 2 layers × 3 heads × (7 steps + 4 projections).
    QCOMPARE(states, 2 * 2 * 3 * 11);
    qInfo("%d equations held in %d states, %ld result cells compared within %g", equations, states, cells,
          kTolerance);
}

void tst_Equation::theCheckCatchesAFalseEquation()
{
    // The check is not vacuous: the largest cell of row 1 of the first operand, changed by 0.01, makes it
    // fail on every step, for a head and for the average.
    StageController c(trained());
    EquationView view(&c);
    c.setSentence(kSixteen);
    for (int head : {0, -1})
        for (Step step : kAllSteps) {
            c.setHead(head);
            c.setStep(step);
            view.refresh();
            QVERIFY(checkEquation(view, c).problem.isEmpty());
            MatrixPanel *operand = view.visiblePanels().first();
            Eigen::MatrixXd wrong = shown(operand);
            const Eigen::Index r = std::min<Eigen::Index>(1, wrong.rows() - 1);
            Eigen::Index col = 0;
            for (Eigen::Index k = 0; k < wrong.cols(); ++k)
                if (std::isfinite(wrong(r, k)) && wrong(r, k) > wrong(r, col))
                    col = k;
            wrong(r, col) += 0.01;
            QStringList rows, columns;
            for (int i = 0; i < wrong.rows(); ++i)
                rows << operand->model()->headerData(i, Qt::Vertical).toString();
            for (int i = 0; i < wrong.cols(); ++i)
                columns << operand->model()->headerData(i, Qt::Horizontal).toString();
            operand->setMatrix(wrong, rows, columns);
            const QString problem = checkEquation(view, c).problem;
            QVERIFY2(!problem.isEmpty(), qPrintable(stepTitleText(step)));
        }
    // The false equation of old: with the average, mean(Q) · mean(K)ᵀ is not the mean of the scores.
    c.setHead(-1);
    const HeadTrace mean = meanOfHeads(*c.layerTrace());
    QVERIFY((mean.Q * mean.K.transpose() - mean.scores).cwiseAbs().maxCoeff() > 1e-3);
    QVERIFY((maskedSoftmax(mean.masked) - mean.weights).cwiseAbs().maxCoeff() > 1e-3);
}

void tst_Equation::averagingShowsEachHeadAndTheirMean()
{
    StageController c(trained());
    EquationView view(&c);
    view.show();
    c.setSentence(kSixteen);
    c.setLayer(1);
    c.setHead(-1);
    c.setStep(Step::Scores);
    view.refresh();
    const int heads = static_cast<int>(c.layerTrace()->heads.size());
    // 1/h · ( scores of head 1 + scores of head 2 ) = scores
    QStringList expectedOps{QStringLiteral("1/%1 · (").arg(heads)};
    for (int h = 1; h < heads; ++h)
        expectedOps << QStringLiteral("+");
    expectedOps << QStringLiteral(")") << QStringLiteral("=");
    QCOMPARE(view.operatorTexts(), expectedOps);
    QCOMPARE(view.visiblePanels().size(), heads);
    for (int h = 0; h < heads; ++h) {
        MatrixPanel *p = view.headPanel(MatrixId::Scores, h);
        QVERIFY(p && p->isVisible());
        QCOMPARE(p->name(), QStringLiteral("scores of head %1").arg(h + 1));
        QCOMPARE(shown(p), c.layerTrace()->heads[static_cast<std::size_t>(h)].scores);
    }
    QCOMPARE(view.resultPanel(), view.panel(MatrixId::Scores));
    QCOMPARE(shown(view.resultPanel()), c.headTrace()->scores);
    // Neither Q nor Kᵀ is shown: their means do not multiply to the mean scores.
    QVERIFY(!view.panel(MatrixId::Q)->isVisible() && !view.panel(MatrixId::KT)->isVisible());
    // A single head again: Q · Kᵀ, and no head's copy left on screen.
    c.setHead(1);
    view.refresh();
    QCOMPARE(view.visiblePanels(), (QList<MatrixPanel *>{view.panel(MatrixId::Q), view.panel(MatrixId::KT)}));
    QVERIFY(!view.headPanel(MatrixId::Scores, 0));
    // The embeddings of layer 2 are layer 1's output, not E + P.
    c.setStep(Step::Embeddings);
    view.refresh();
    QCOMPARE(view.visiblePanels(), (QList<MatrixPanel *>{view.panel(MatrixId::LayerOutput)}));
    QCOMPARE(shown(view.resultPanel()), c.trace()->layers[0].output);
}

void tst_Equation::panelsAreIdentifiedByTheirMatrix()
{
    StageController c(trained());
    EquationView view(&c);
    view.resize(1600, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    c.setSentence(kSixteen);
    for (int i = 0; i < kMatrixCount; ++i) {
        const auto id = static_cast<MatrixId>(i);
        QVERIFY(view.panel(id));
        QCOMPARE(view.panel(id)->id(), id);
        QCOMPARE(view.panel(id)->name(), matrixNameText(id));
    }
    QCOMPARE(view.biasPanel(MatrixId::W_Q)->id(), MatrixId::W_Q);
    QCOMPARE(view.biasPanel(MatrixId::W_Q)->name(), QStringLiteral("b_Q"));
    // A click on a cell names the matrix and the cell; a head's copy names its matrix too.
    c.setStep(Step::Mask);
    view.refresh();
    QApplication::processEvents();
    QSignalSpy activated(&view, &EquationView::cellActivated);
    MatrixPanel *mask = view.panel(MatrixId::Mask);
    QTest::mouseClick(mask->view()->viewport(), Qt::LeftButton, {},
                      mask->view()->visualRect(mask->model()->index(2, 1)).center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).value<MatrixId>(), MatrixId::Mask);
    QCOMPARE(activated.at(0).at(1).toInt(), 2);
    QCOMPARE(activated.at(0).at(2).toInt(), 1);
    c.setHead(-1);
    view.refresh();
    QApplication::processEvents();
    MatrixPanel *second = view.headPanel(MatrixId::Masked, 1);
    QVERIFY(second);
    QTest::mouseClick(second->view()->viewport(), Qt::LeftButton, {},
                      second->view()->visualRect(second->model()->index(0, 0)).center());
    QCOMPARE(activated.count(), 2);
    QCOMPARE(activated.at(1).at(0).value<MatrixId>(), MatrixId::Masked);
}

void tst_Equation::projectionButtonsAskTheState()
{
    StageController c(trained());
    EquationView view(&c);
    view.show();
    c.setSentence(kSixteen);
    c.setStep(Step::QKV);
    view.refresh();
    QSignalSpy requested(&view, &EquationView::projectionRequested);
    auto *keyButton =
        view.findChild<QToolButton *>(QStringLiteral("projection-%1").arg(int(Projection::Key)));
    QVERIFY(keyButton);
    keyButton->click();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).value<Projection>(), Projection::Key);
    // Nobody applied it: the view still shows Q, and says so.
    QCOMPARE(view.projection(), Projection::Query);
    QVERIFY(!keyButton->isChecked());
    QCOMPARE(view.resultPanel(), view.panel(MatrixId::Q));
    // The state sets it: no request is emitted, the button follows.
    view.setProjection(Projection::Key);
    QCOMPARE(requested.count(), 1);
    QVERIFY(keyButton->isChecked());
    QCOMPARE(view.resultPanel(), view.panel(MatrixId::K));
}

void tst_Equation::wholeEquationHasEveryCell()
{
    StageController c(trained());
    EquationView view(&c);
    view.resize(900, 400); // smaller than most equations: on screen they scroll, the picture does not
    view.show();
    c.setSentence(kSixteen);
    QCOMPARE(c.trace()->tokenCount(), 16);
    for (int head : {0, -1})
        for (Step step : kAllSteps) {
            c.setHead(head);
            c.setStep(step);
            view.setProjection(step == Step::QKV ? Projection::All : Projection::Query);
            view.refresh();
            const QString where = QStringLiteral("%1, head %2").arg(stepTitleText(step)).arg(head);
            QList<MatrixPanel *> panels = view.visiblePanels();
            if (!panels.contains(view.resultPanel()))
                panels << view.resultPanel(); // the picture draws the result, not "shown below ↓"
            const QSize size = view.wholeSize();
            const QRect picture(QPoint(), size);
            QImage image(size, QImage::Format_ARGB32);
            image.fill(Qt::transparent);
            {
                QPainter painter(&image);
                view.renderWhole(&painter);
            }
            int wide = 0;
            QList<QRect> tables;
            for (MatrixPanel *p : std::as_const(panels)) {
                const int rows = p->model()->rowCount(), columns = p->model()->columnCount();
                QVERIFY2(rows > 0 && columns > 0, qPrintable(where + p->name()));
                const QRect first = view.wholeCellRect(p, 0, 0);
                const QRect last = view.wholeCellRect(p, rows - 1, columns - 1);
                // The full table: every column at the view's own column width, every row at its height.
                const QRect table = first.united(last);
                QCOMPARE(first.width() + 1, p->view()->horizontalHeader()->defaultSectionSize());
                QCOMPARE(first.height() + 1, p->view()->verticalHeader()->defaultSectionSize());
                QCOMPARE(table.width() + 1, columns * (first.width() + 1));
                QCOMPARE(table.height() + 1, rows * (first.height() + 1));
                QVERIFY2(picture.contains(table), qPrintable(where + p->name()));
                QVERIFY(view.wholeCellRect(p, rows, 0).isEmpty());
                for (const QRect &other : std::as_const(tables))
                    QVERIFY2(!other.intersects(table), qPrintable(where + p->name()));
                tables << table;
                // The corner cells are painted in their heatmap colours (no selection: no tint).
                for (const auto &[r, col] : {std::pair{0, 0}, std::pair{rows - 1, columns - 1}}) {
                    const QColor fill = p->model()
                                            ->data(p->model()->index(r, col), Qt::BackgroundRole)
                                            .value<QBrush>()
                                            .color();
                    const QRect cell = view.wholeCellRect(p, r, col);
                    QCOMPARE(image.pixelColor(cell.topLeft() + QPoint(1, 1)).rgb(), fill.rgb());
                }
                wide = std::max(wide, table.width());
            }
            // At least one table is wider than the view itself, X being 32 features wide: nothing is cut.
            if (step == Step::Embeddings || step == Step::Output)
                QVERIFY2(wide > view.width(), qPrintable(where));
        }
}

QTEST_MAIN(tst_Equation)
#include "tst_equation.moc"
