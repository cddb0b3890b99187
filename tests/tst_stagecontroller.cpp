// The controller: input state in, trace out — custom masks, failures that keep the last good trace,
// selections that follow the sentence, and the average of heads.
#include "modelio.h"
#include "testmodels.h"
#include "stagecontroller.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace attention;
using attention::testing::randomModel;

class tst_StageController : public QObject
{
    Q_OBJECT
private slots:
    void blankTextIsTheEmptyStateNotAnError();
    void tooLongTextKeepsTheLastGoodTrace();
    void firstMaskEditStartsFromWhatIsBlocked();
    void customMaskFollowsTheSentenceLength();
    void selectionIsClampedWhenTheSentenceShrinks();
    void averageOfHeadsIsTheMeanOfEveryMatrix();
    void aModelThatCannotTraceTheTextLeavesNoStaleTrace();
    void maskClicksOnAStaleTraceAreRefused();
    void toggleChecksTheMaskItIndexes();
    void stateRoundTripsThroughJson();
    void unusableJsonValuesKeepTheBaseAndAreNamed();
};

namespace {
// Words w0 … w10; w0's embedding is 1e200, which is finite (a model may hold it) but its query · key is
// 1e400, beyond the largest double: any text with w0 fails to trace with "overflows".
std::shared_ptr<Model> modelWithAnOverflowingWord()
{
    auto m = randomModel(4, 2, 1, 1, 11, false);
    m->tokenEmbedding.row(0).setConstant(1e200);
    return m;
}
const QString kTenTokens = QStringLiteral("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10");
} // namespace

void tst_StageController::blankTextIsTheEmptyStateNotAnError()
{
    StageController c(randomModel(4, 2, 1, 2, 10, false));
    QSignalSpy changed(&c, &StageController::traceChanged);
    c.setSentence(QStringLiteral("   \t"));
    QCOMPARE(changed.count(), 1);
    QVERIFY(c.isEmpty());
    QVERIFY(c.problem().isEmpty());
    QVERIFY(!c.trace());
}

void tst_StageController::tooLongTextKeepsTheLastGoodTrace()
{
    StageController c(randomModel(4, 2, 1, 2, 10, false));
    c.setSentence(QStringLiteral("w1 w2 w3"));
    QCOMPARE(c.trace()->tokenCount(), 3);
    c.setSentence(QStringLiteral("w1 ").repeated(kMaxTokens + 1));
    QVERIFY(c.problem().contains(QString::number(kMaxTokens)));
    QCOMPARE(c.trace()->tokenCount(), 3); // still the last good one
    c.setSentence(QStringLiteral("w4 w5"));
    QVERIFY(c.problem().isEmpty());
    QCOMPARE(c.trace()->tokenCount(), 2);
}

void tst_StageController::firstMaskEditStartsFromWhatIsBlocked()
{
    StageController c(randomModel(4, 2, 1, 1, 10, false));
    c.setSentence(QStringLiteral("w1 w2 w3 w4"));
    c.setMask(MaskMode::Causal);
    QVERIFY(c.trace()->blocked(0, 3));
    // Unblocking one future cell keeps every other causal cell blocked.
    c.toggleBlocked(0, 3);
    QCOMPARE(c.state().mask, MaskMode::Custom);
    QVERIFY(!c.trace()->blocked(0, 3));
    QVERIFY(c.trace()->blocked(0, 1));
    QVERIFY(c.trace()->blocked(2, 3));
    QVERIFY(c.headTrace()->weights(0, 3) > 0.0);
    QCOMPARE(c.headTrace()->weights(0, 1), 0.0);
    // Out-of-range cells are ignored.
    c.toggleBlocked(9, 0);
    QVERIFY(!c.trace()->blocked(0, 3));
}

void tst_StageController::customMaskFollowsTheSentenceLength()
{
    StageController c(randomModel(4, 2, 1, 1, 10, false));
    c.setSentence(QStringLiteral("w1 w2 w3"));
    c.toggleBlocked(1, 2);
    QVERIFY(c.trace()->blocked(1, 2));
    // One more word: the old cells keep their state, the new row and column start open.
    c.setSentence(QStringLiteral("w1 w2 w3 w4"));
    QVERIFY(c.problem().isEmpty());
    QCOMPARE(c.trace()->blocked.rows(), Eigen::Index(4));
    QVERIFY(c.trace()->blocked(1, 2));
    QVERIFY(!c.trace()->blocked(3, 3));
    // Fewer words: the mask shrinks with them.
    c.setSentence(QStringLiteral("w1 w2"));
    QCOMPARE(c.trace()->blocked.rows(), Eigen::Index(2));
}

void tst_StageController::selectionIsClampedWhenTheSentenceShrinks()
{
    StageController c(randomModel(4, 2, 1, 1, 10, false));
    c.setSentence(QStringLiteral("w1 w2 w3 w4 w5"));
    c.select(4, 3);
    QCOMPARE(c.state().query, 4);
    c.setSentence(QStringLiteral("w1 w2"));
    QCOMPARE(c.state().query, 1);
    QCOMPARE(c.state().key, -1);
    c.select(7, 0); // out of range: nothing selected
    QCOMPARE(c.state().query, -1);
}

void tst_StageController::averageOfHeadsIsTheMeanOfEveryMatrix()
{
    StageController c(randomModel(6, 3, 2, 2, 10, true));
    c.setSentence(QStringLiteral("w1 w2 w3 w4"));
    c.setLayer(1);
    c.setHead(-1);
    QVERIFY(c.averagingHeads());
    const LayerTrace &layer = c.trace()->layers[1];
    const HeadTrace *mean = c.headTrace();
    QVERIFY(mean);
    // (head 1 + head 2) / 2, computed here from the trace.
    QVERIFY(mean->weights.isApprox((layer.heads[0].weights + layer.heads[1].weights) / 2.0, 1e-14));
    QVERIFY(mean->Q.isApprox((layer.heads[0].Q + layer.heads[1].Q) / 2.0, 1e-14));
    QVERIFY(mean->output.isApprox((layer.heads[0].output + layer.heads[1].output) / 2.0, 1e-14));
    for (Eigen::Index i = 0; i < mean->weights.rows(); ++i)
        QVERIFY(std::abs(mean->weights.row(i).sum() - 1.0) < 1e-12);
    // The mean follows the layer.
    c.setLayer(0);
    QVERIFY(c.headTrace()->weights.isApprox(
        (c.trace()->layers[0].heads[0].weights + c.trace()->layers[0].heads[1].weights) / 2.0, 1e-14));
}

void tst_StageController::aModelThatCannotTraceTheTextLeavesNoStaleTrace()
{
    // A model with 3 positions cannot trace 4 tokens: after switching to it nothing old is shown.
    auto small = randomModel(4, 2, 1, 1, 10, false);
    small->positionEmbedding = Eigen::MatrixXd::Zero(3, 4);
    StageController c(randomModel(4, 2, 2, 2, 10, true));
    c.setSentence(QStringLiteral("w1 w2 w3 w4"));
    c.setHead(-1);
    c.setModel(small);
    QVERIFY(!c.trace());
    QVERIFY(c.problem().contains(QStringLiteral("3 positions")));
    QCOMPARE(c.state().layer, 0);
    QCOMPARE(c.state().head, 0);
    c.setSentence(QStringLiteral("w1 w2"));
    QVERIFY(c.trace());
}

void tst_StageController::maskClicksOnAStaleTraceAreRefused()
{
    StageController c(modelWithAnOverflowingWord());
    c.setSentence(kTenTokens);
    QVERIFY(c.problem().isEmpty());
    QVERIFY(c.toggleBlocked(3, 3));
    QCOMPARE(c.state().mask, MaskMode::Custom);
    // The overflowing word alone: the trace fails, the last good one (10 tokens) stays on screen.
    c.setSentence(QStringLiteral("w0"));
    QVERIFY2(c.problem().contains(QStringLiteral("overflows")), qPrintable(c.problem()));
    QCOMPARE(c.trace()->tokenCount(), 10);
    QCOMPARE(c.state().customBlocked.rows(), Eigen::Index(1)); // the mask follows the text, not the trace
    // A click on the stale heatmap's cell belongs to a text that is gone: nothing changes, and the
    // 1 × 1 mask of the new text is not written out of bounds.
    QVERIFY(!c.toggleBlocked(3, 3));
    QVERIFY(!c.toggleBlocked(0, 0)); // (0, 0) exists in both, but the stale cell is another token's
    QCOMPARE(c.state().customBlocked.rows(), Eigen::Index(1));
    QCOMPARE(c.state().customBlocked.cols(), Eigen::Index(1));
    QVERIFY(!c.state().customBlocked(0, 0));
    // Once the text traces again the mask can be edited again. The edit at (3, 3) is gone: the mask followed
    // the 1-token text and kept only its (0, 0).
    c.setSentence(kTenTokens);
    QVERIFY(c.problem().isEmpty());
    QVERIFY(!c.trace()->blocked(3, 3));
    QVERIFY(c.toggleBlocked(3, 3));
    QVERIFY(c.trace()->blocked(3, 3));
}

void tst_StageController::toggleChecksTheMaskItIndexes()
{
    // Clicks outside the n × n mask are refused and say so (false), and a click inside edits the custom
    // mask. (The case of a mask whose size differs from the trace on screen arises only while the text
    // fails to trace: maskClicksOnAStaleTraceAreRefused covers it.)
    StageController c(randomModel(4, 2, 1, 1, 10, false));
    c.setSentence(QStringLiteral("w1 w2 w3 w4"));
    AppState s = c.state();
    s.mask = MaskMode::Custom;
    s.customBlocked = BoolMatrix::Constant(4, 4, false);
    c.setState(s);
    QVERIFY(c.problem().isEmpty());
    QVERIFY(c.toggleBlocked(3, 2));
    QVERIFY(c.trace()->blocked(3, 2));
    QVERIFY(!c.toggleBlocked(4, 0));
    QVERIFY(!c.toggleBlocked(0, 4));
    QVERIFY(!c.toggleBlocked(-1, 0));
    QCOMPARE(c.trace()->blocked.rows(), Eigen::Index(4));
}

void tst_StageController::stateRoundTripsThroughJson()
{
    AppState s;
    s.sentence = QStringLiteral("The animal didn't cross the street because it was too tired.");
    s.model = QStringLiteral("trained");
    s.mask = MaskMode::Custom;
    s.customBlocked = BoolMatrix::Constant(12, 12, false);
    s.customBlocked(7, 1) = true;
    s.customBlocked(11, 4) = true;
    s.scale = false;
    s.swapQK = true;
    s.layer = 1;
    s.head = -1;
    s.step = Step::WeightedSum;
    s.query = 7;
    s.key = 1;
    s.projection = Projection::All;
    s.view = StageView::Lines;
    s.panel = SidePanel::Compare;
    s.decimals = 4;
    s.zoom = 1.5;
    s.maskEdit = true;
    QStringList problems;
    const AppState back = stateFromJson(stateToJson(s), AppState(), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(", ")));
    QVERIFY(back == s);
    QCOMPARE(back.customBlocked.count(), 2);
    QVERIFY(back.customBlocked(11, 4));
    // Every field takes part in the comparison: changing any one of them makes the states differ.
    AppState other = back;
    other.customBlocked(0, 0) = true;
    QVERIFY(!(other == s));
    QVERIFY(!other.sameTraceInputs(s));
    other = back;
    other.zoom = 1.25;
    QVERIFY(other != s);
    QVERIFY(other.sameTraceInputs(s)); // the zoom changes nothing the trace depends on
}

void tst_StageController::unusableJsonValuesKeepTheBaseAndAreNamed()
{
    AppState base;
    base.layer = 1;
    base.zoom = 1.2;
    base.step = Step::Softmax;
    QJsonObject json;
    json[QStringLiteral("layer")] = 1.5;       // no integer
    json[QStringLiteral("zoom")] = 1e300;      // out of range
    json[QStringLiteral("step")] = QStringLiteral("banana");
    json[QStringLiteral("scale")] = QStringLiteral("true"); // a string, not a boolean
    json[QStringLiteral("head")] = QStringLiteral("avg");
    json[QStringLiteral("mask")] = QStringLiteral("custom");
    json[QStringLiteral("maskSize")] = 3;
    json[QStringLiteral("blocked")] = QJsonArray{QJsonArray{0, 5}}; // outside the 3 × 3 mask
    QStringList problems;
    const AppState s = stateFromJson(json, base, &problems);
    QCOMPARE(s.layer, 1);
    QCOMPARE(s.zoom, 1.2);
    QCOMPARE(s.step, Step::Softmax);
    QCOMPARE(s.scale, true);
    QCOMPARE(s.head, -1); // the one usable value is read
    QCOMPARE(s.mask, MaskMode::None);
    problems.sort();
    QCOMPARE(problems, (QStringList{QStringLiteral("blocked"), QStringLiteral("layer"), QStringLiteral("scale"),
                                    QStringLiteral("step"), QStringLiteral("zoom")}));
}

QTEST_GUILESS_MAIN(tst_StageController)
#include "tst_stagecontroller.moc"
