// The controller: input state in, trace out — custom masks, failures that keep the last good trace,
// selections that follow the sentence, and the average of heads.
#include "modelio.h"
#include "testmodels.h"
#include "stagecontroller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUndoStack>
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
    void aModelWithFewerPositionsTracesTheFirstTokens();
    void maskClicksOnAStaleTraceAreRefused();
    void toggleChecksTheMaskItIndexes();
    void stateRoundTripsThroughJson();
    void applyStateShowsExactlyTheState();
    void applyStateNormalizesWhatCannotBeShown();
    void everyKindOfChangeIsUndoneAndRedone();
    void typingMergesIntoOneUndoStepPerPause();
    void longTextIsTracedOffTheGuiThreadTheLatestWinning();
    void aModelThatDoesNotLoadChangesNothing();
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

void tst_StageController::aModelWithFewerPositionsTracesTheFirstTokens()
{
    // A model with 3 positions cannot trace 4 tokens: it traces the first 3 and says how many there were.
    auto small = randomModel(4, 2, 1, 1, 10, false);
    small->positionEmbedding = Eigen::MatrixXd::Random(3, 4);
    StageController c(randomModel(4, 2, 2, 2, 10, true));
    c.registerModel(QStringLiteral("small"), small);
    c.setSentence(QStringLiteral("w1 w2 w3 w4"));
    c.setLayerAndHead(1, -1);
    QVERIFY(c.setModelSource(QStringLiteral("small")).isEmpty());
    QCOMPARE(c.state().model, QStringLiteral("small"));
    QVERIFY(c.trace());
    QCOMPARE(c.trace()->tokenCount(), 3);
    QCOMPARE(c.truncatedFrom(), 4);
    QVERIFY(c.problem().isEmpty());
    QCOMPARE(c.trace()->model.get(), small.get()); // the old model's trace is not what is shown
    QCOMPARE(c.state().layer, 0);                   // within the new model: 1 layer, 1 head
    QCOMPARE(c.state().head, 0);
    c.setSentence(QStringLiteral("w1 w2"));
    QCOMPARE(c.trace()->tokenCount(), 2);
    QCOMPARE(c.truncatedFrom(), 0);
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
    c.applyState(s);
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


namespace {
// A model with 2 layers of 3 heads and 12 words w0 … w11, known to the controller as "test".
StageController *twoLayerController(QObject *parent)
{
    auto *c = new StageController(randomModel(6, 3, 2, 3, 12, true), parent, QStringLiteral("test"));
    return c;
}
} // namespace

void tst_StageController::applyStateShowsExactlyTheState()
{
    QObject owner;
    StageController *c = twoLayerController(&owner);
    QRandomGenerator random(20261202);
    for (int round = 0; round < 300; ++round) {
        AppState s;
        s.model = QStringLiteral("test");
        const int n = 1 + random.bounded(9);
        QStringList words;
        for (int i = 0; i < n; ++i)
            words << QStringLiteral("w%1").arg(random.bounded(12));
        s.sentence = words.join(QLatin1Char(' '));
        s.mask = static_cast<MaskMode>(random.bounded(3));
        if (s.mask == MaskMode::Custom) {
            s.customBlocked = BoolMatrix::Constant(n, n, false);
            for (int k = 0; k < n; ++k)
                s.customBlocked(random.bounded(n), random.bounded(n)) = true;
        }
        s.scale = random.bounded(2) == 1;
        s.swapQK = random.bounded(2) == 1;
        s.layer = random.bounded(2);
        s.head = random.bounded(4) - 1;
        s.step = kAllSteps[static_cast<std::size_t>(random.bounded(static_cast<int>(kAllSteps.size())))];
        s.query = random.bounded(n + 1) - 1;
        s.key = s.query < 0 ? -1 : random.bounded(n + 1) - 1;
        s.projection = static_cast<Projection>(random.bounded(4));
        s.view = static_cast<StageView>(random.bounded(2));
        s.panel = static_cast<SidePanel>(random.bounded(4));
        s.decimals = random.bounded(AppState::kMaxDecimals + 1);
        s.zoom = 0.6 + 0.1 * random.bounded(24);
        s.maskEdit = (s.step == Step::Mask || s.step == Step::Softmax) && s.view == StageView::Heatmap &&
                     random.bounded(2) == 1;
        QVERIFY(c->applyState(s).isEmpty());
        QVERIFY2(c->state() == s, qPrintable(QStringLiteral("round %1: %2 %3")
                                                 .arg(round)
                                                 .arg(s.sentence,
                                                      QString::fromUtf8(QJsonDocument(stateToJson(c->state()))
                                                                            .toJson(QJsonDocument::Compact)))));
        // The trace shown is the trace of that state.
        QVERIFY(c->trace());
        QCOMPARE(c->trace()->tokenCount(), n);
        QCOMPARE(c->trace()->options.scale, s.scale);
        QCOMPARE(c->trace()->options.swapQK, s.swapQK);
        if (s.mask == MaskMode::Custom)
            QVERIFY(c->trace()->blocked == s.customBlocked);
        if (s.head >= 0)
            QVERIFY(c->headTrace() == &c->trace()->layers[std::size_t(s.layer)].heads[std::size_t(s.head)]);
        else
            QVERIFY(c->headTrace()->weights.isApprox(meanOfHeads(c->trace()->layers[std::size_t(s.layer)]).weights));
    }
}

void tst_StageController::applyStateNormalizesWhatCannotBeShown()
{
    QObject owner;
    StageController *c = twoLayerController(&owner);
    AppState s;
    s.model = QStringLiteral("test");
    s.sentence = QStringLiteral("w1 w2 w3");
    s.layer = 7;
    s.head = 9;
    s.query = 5;
    s.key = 4;
    s.decimals = 40;
    s.zoom = std::nan("");
    s.step = Step::Output;
    s.maskEdit = true; // clicks on the Output heatmap do not edit the mask
    s.mask = MaskMode::Custom;
    s.customBlocked = BoolMatrix::Constant(5, 5, true);
    QVERIFY(c->applyState(s).isEmpty());
    const AppState &shown = c->state();
    QCOMPARE(shown.layer, 1);
    QCOMPARE(shown.head, 2);
    QCOMPARE(shown.query, 2);
    QCOMPARE(shown.key, -1);
    QCOMPARE(shown.decimals, AppState::kMaxDecimals);
    QCOMPARE(shown.zoom, 1.0);
    QVERIFY(!shown.maskEdit);
    QCOMPARE(shown.customBlocked.rows(), Eigen::Index(3));
    QVERIFY(shown == c->normalized(s));
    // Mask editing on the Softmax step forces the heatmap, where the clicks go.
    s.step = Step::Softmax;
    s.view = StageView::Lines;
    QVERIFY(c->applyState(s).isEmpty());
    QVERIFY(c->state().maskEdit);
    QCOMPARE(c->state().view, StageView::Heatmap);
}

void tst_StageController::everyKindOfChangeIsUndoneAndRedone()
{
    QObject owner;
    StageController *c = twoLayerController(&owner);
    c->setSentence(QStringLiteral("w1 w2 w3 w4"));
    c->undoStack()->clear();
    const QList<QPair<const char *, std::function<void()>>> changes = {
        {"sentence", [c] { c->setSentence(QStringLiteral("w5 w6 w7")); }},
        {"mask", [c] { c->setMask(MaskMode::Causal); }},
        {"mask cell", [c] { c->toggleBlocked(1, 0); }},
        {"scale", [c] { c->setScale(false); }},
        {"swap", [c] { c->setSwapQK(true); }},
        {"layer", [c] { c->setLayer(1); }},
        {"head", [c] { c->setHead(-1); }},
        {"step", [c] { c->setStep(Step::Softmax); }},
        {"next step", [c] { c->nextStep(); }},
        {"selection", [c] { c->select(2, 1); }},
        {"projection", [c] { c->setProjection(Projection::Value); }},
        {"view", [c] { c->setView(StageView::Lines); }},
        {"panel", [c] { c->setPanel(SidePanel::Grid); }},
        {"decimals", [c] { c->setDecimals(4); }},
        {"zoom", [c] { c->setZoom(1.5); }},
        {"mask editing", [c] { c->setMaskEdit(true); }},
    };
    QList<AppState> history{c->state()};
    for (const auto &[what, apply] : changes) {
        const int before = c->undoStack()->count();
        apply();
        QVERIFY2(c->state() != history.last(), what);
        QVERIFY2(c->undoStack()->count() == before + 1, what);
        history << c->state();
        // Changes of one kind a moment apart would merge: each kind here is its own entry.
        QTest::qWait(StageController::kMergePauseMs + 50);
    }
    // Back through every change, then forward again: each step shows exactly the state it showed.
    for (int i = history.size() - 2; i >= 0; --i) {
        c->undoStack()->undo();
        QVERIFY2(c->state() == history.at(i), changes.at(i).first);
    }
    QCOMPARE(c->trace()->tokenCount(), 4);
    QCOMPARE(c->trace()->options.mask, MaskMode::None);
    for (int i = 1; i < history.size(); ++i) {
        c->undoStack()->redo();
        QVERIFY2(c->state() == history.at(i), changes.at(i - 1).first);
    }
    QCOMPARE(c->trace()->options.mask, MaskMode::Custom);
    QVERIFY(c->trace()->blocked(1, 0));
}

void tst_StageController::typingMergesIntoOneUndoStepPerPause()
{
    QObject owner;
    StageController *c = twoLayerController(&owner);
    c->setSentence(QStringLiteral("w1"));
    c->undoStack()->clear();
    for (const char *text : {"w1 ", "w1 w", "w1 w2", "w1 w2 w3"})
        c->setSentence(QString::fromLatin1(text));
    QCOMPARE(c->undoStack()->count(), 1);
    QTest::qWait(StageController::kMergePauseMs + 100);
    c->setSentence(QStringLiteral("w1 w2 w3 w4"));
    QCOMPARE(c->undoStack()->count(), 2);
    c->undoStack()->undo();
    QCOMPARE(c->state().sentence, QStringLiteral("w1 w2 w3"));
    QCOMPARE(c->trace()->tokenCount(), 3);
    c->undoStack()->undo();
    QCOMPARE(c->state().sentence, QStringLiteral("w1"));
    QCOMPARE(c->trace()->tokenCount(), 1);
    // Typed and deleted again within a pause: nothing to undo.
    c->undoStack()->clear();
    c->setSentence(QStringLiteral("w1 w2"));
    c->setSentence(QStringLiteral("w1"));
    QCOMPARE(c->undoStack()->count(), 0);
}

void tst_StageController::longTextIsTracedOffTheGuiThreadTheLatestWinning()
{
    QObject owner;
    StageController *c = twoLayerController(&owner);
    c->setBackgroundThreshold(4);
    c->setSentence(QStringLiteral("w1 w2"));
    QVERIFY(!c->isUpdating()); // short: traced at once
    QCOMPARE(c->trace()->tokenCount(), 2);
    QString text = QStringLiteral("w1 w2 w3 w4");
    c->setSentence(text);
    QVERIFY(!c->isUpdating()); // 4 tokens: still at once
    QSignalSpy traced(c, &StageController::traceChanged);
    QSignalSpy updating(c, &StageController::updatingChanged);
    for (int k = 5; k <= 10; ++k) {
        text += QStringLiteral(" w%1").arg(k);
        c->setSentence(text);
        QCOMPARE(c->state().sentence, text); // the state follows at once
    }
    QVERIFY(c->isUpdating());
    // Up to 4 tokens were traced at once; the last of those stays shown until the new one is ready.
    QCOMPARE(c->trace()->tokenCount(), 4);
    c->waitForTrace();
    QVERIFY(!c->isUpdating());
    QCOMPARE(c->trace()->tokenCount(), 10);
    // The keys typed while a trace ran were never computed one by one: only the latest was shown.
    QCOMPARE(traced.count(), 1);
    QVERIFY(updating.count() >= 2);
    QCOMPARE(updating.first().first().toBool(), true);
    QCOMPARE(updating.last().first().toBool(), false);
    // A short text typed while a long one is traced is shown at once; the long result is dropped.
    c->setSentence(text + QStringLiteral(" w11"));
    c->setSentence(QStringLiteral("w3"));
    QCOMPARE(c->trace()->tokenCount(), 1);
    QVERIFY(!c->isUpdating());
    QTest::qWait(50);
    c->waitForTrace();
    QCOMPARE(c->trace()->tokenCount(), 1);
}

void tst_StageController::aModelThatDoesNotLoadChangesNothing()
{
    QObject owner;
    StageController *c = twoLayerController(&owner);
    c->setSentence(QStringLiteral("w1 w2 w3"));
    const AppState before = c->state();
    const int entries = c->undoStack()->count();
    const QString error = c->setModelSource(QStringLiteral("/nonexistent/model.json"));
    QVERIFY2(error.contains(QStringLiteral("model.json")), qPrintable(error));
    QVERIFY(c->state() == before);
    QCOMPARE(c->undoStack()->count(), entries);
    AppState s = before;
    s.model = QStringLiteral("/nonexistent/model.json");
    QVERIFY(!c->applyState(s).isEmpty());
    QVERIFY(c->state() == before);
}

QTEST_GUILESS_MAIN(tst_StageController)
#include "tst_stagecontroller.moc"
