// The Code panel: every step lit on lines that exist and do that step, in the pseudocode and in the C++
// compiled in from core/attention.cpp, which must be the file on disk; the panel follows the controller.
#include "clipping.h"
#include "codepanel.h"
#include "mainwindow.h"
#include "modelio.h"
#include "sidepanels.h"
#include "stagecontroller.h"
#include "testmodels.h"

#include <QDockWidget>
#include <QFile>
#include <QFontInfo>
#include <QRegularExpression>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QTextBlock>
#include <QTextEdit>

using namespace attention;
using View = CodePanel::View;

Q_DECLARE_METATYPE(attention::Step)
Q_DECLARE_METATYPE(attention::CodePanel::View)

namespace {
QString fileOnDisk()
{
    QFile file(QStringLiteral(ATTENTION_CPP_PATH));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}
} // namespace

class tst_CodePanel : public QObject
{
    Q_OBJECT
private slots:
    void embeddedSourceIsTheFileOnDisk();
    void markersNameKnownSteps();
    void everyStepHasItsLines_data();
    void everyStepHasItsLines();
    void litLinesFollowTheController();
    void litLinesScrollIntoView();
    void switchedOffStepsAreDimmed();
    void swapRewritesThePseudocodeScores();
    void monospaceAtTheZoomedSize();
    void controlsAreNamed();
    void panelStateRaisesTheCodeDock();
};

void tst_CodePanel::embeddedSourceIsTheFileOnDisk()
{
    const QString disk = fileOnDisk();
    QVERIFY(!disk.isEmpty());
    QCOMPARE(CodePanel::embeddedSource(), disk);
}

void tst_CodePanel::markersNameKnownSteps()
{
    QStringList problems;
    const QList<CodeLine> excerpt = CodePanel::sourceExcerpt(CodePanel::embeddedSource(), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    // The markers are read, not shown; and the excerpt is one head's functions, not the whole file.
    for (const CodeLine &line : excerpt)
        QVERIFY2(!line.text.contains(QStringLiteral("// step:")), qPrintable(line.text));
    QVERIFY(excerpt.size() < CodePanel::embeddedSource().count('\n') / 2);
    QStringList signatures;
    for (const CodeLine &line : excerpt)
        if (line.number > 0 && !line.text.isEmpty() && !line.text.at(0).isSpace() &&
            line.text != QStringLiteral("{") && line.text != QStringLiteral("}"))
            signatures << line.text.section('(', 0, 0);
    QCOMPARE(
        signatures,
        (QStringList{QStringLiteral("Eigen::MatrixXd maskedSoftmax"), QStringLiteral("HeadTrace computeHead"),
                     QStringLiteral("LayerTrace computeLayer"), QStringLiteral("TraceResult traceTokens")}));
    // An unknown key is reported with its line, not taken for a step.
    const QList<CodeLine> lines =
        CodePanel::sourceExcerpt(QStringLiteral("int f()\n{\n    return 1; // step: sofmax\n}\n"), &problems);
    QCOMPARE(problems, QStringList{QStringLiteral("line 3: unknown step “sofmax”")});
    QVERIFY(lines.isEmpty());
}

void tst_CodePanel::everyStepHasItsLines_data()
{
    QTest::addColumn<View>("view");
    QTest::addColumn<Step>("step");
    QTest::addColumn<QString>("operation"); // a pattern that one of the step's lines must contain
    const QList<std::pair<Step, QString>> pseudo = {
        {Step::Embeddings, QStringLiteral("embed\\(tokens\\) \\+ positions")},
        {Step::QKV, QStringLiteral("X @ W_Q")},
        {Step::Scores, QStringLiteral("Q @ K\\.T")},
        {Step::Scale, QStringLiteral("/ sqrt\\(d_k\\)")},
        {Step::Mask, QStringLiteral("\\+ mask")},
        {Step::Softmax, QStringLiteral("softmax\\(|exp\\(")},
        {Step::WeightedSum, QStringLiteral("weights @ V")},
        {Step::Output, QStringLiteral("@ W_O")},
    };
    const QList<std::pair<Step, QString>> cpp = {
        {Step::Embeddings, QStringLiteral("tokenEmbeddings|positionEmbeddings")},
        {Step::QKV, QStringLiteral("input \\* head\\.W_Q")},
        {Step::Scores, QStringLiteral("t\\.Q \\* t\\.K\\.transpose\\(\\)")},
        {Step::Scale, QStringLiteral("std::sqrt|/ t\\.divisor")},
        {Step::Mask, QStringLiteral("kMinusInfinity")},
        {Step::Softmax, QStringLiteral("exp\\(\\)|maskedSoftmax")},
        {Step::WeightedSum, QStringLiteral("t\\.weights \\* t\\.V")},
        {Step::Output, QStringLiteral("layer\\.W_O")},
    };
    for (const auto &[step, pattern] : pseudo)
        QTest::addRow("pseudocode %s", stepKey(step).c_str()) << View::Pseudocode << step << pattern;
    for (const auto &[step, pattern] : cpp)
        QTest::addRow("c++ %s", stepKey(step).c_str()) << View::Cpp << step << pattern;
}

void tst_CodePanel::everyStepHasItsLines()
{
    QFETCH(View, view);
    QFETCH(Step, step);
    QFETCH(QString, operation);
    CodePanel panel;
    panel.showStep(step);
    const QList<int> lit = panel.litLines(view);
    QVERIFY(!lit.isEmpty());
    const QStringList file = fileOnDisk().split('\n');
    const QTextDocument *document = panel.editor(view)->document();
    bool found = false;
    for (int block : lit) {
        // The line exists in the listing shown, and (for the C++) at its number in the file.
        QVERIFY(block >= 0 && block < document->blockCount());
        const CodeLine &line = panel.lines(view).at(block);
        QCOMPARE(document->findBlockByNumber(block).text(), line.text);
        QCOMPARE(line.step, std::optional<Step>(step));
        if (view == View::Cpp) {
            QVERIFY(line.number >= 1 && line.number <= file.size());
            // As in the file, but for the marker comment the panel reads and does not show.
            const QString inFile = file.at(line.number - 1);
            QVERIFY2(inFile.startsWith(line.text), qPrintable(inFile));
            QVERIFY2(inFile.mid(line.text.size())
                         .contains(QRegularExpression(QStringLiteral("^\\s*(// step: [a-z-]+)?$"))),
                     qPrintable(inFile));
        }
        found = found || line.text.contains(QRegularExpression(operation));
    }
    QVERIFY2(found, qPrintable(QStringLiteral("no lit line of %1 matches %2")
                                   .arg(QString::fromStdString(stepKey(step)), operation)));
}

void tst_CodePanel::litLinesFollowTheController()
{
    StageController controller(testing::handWorkedModel());
    controller.setSentence(QStringLiteral("a b c"));
    CodePanel panel;
    panel.follow(&controller);
    QCOMPARE(panel.step(), controller.state().step);

    controller.setStep(Step::Scores);
    const QList<int> scores = panel.litLines(View::Cpp);
    const QList<int> pseudoScores = panel.litLines(View::Pseudocode);
    controller.setStep(Step::Softmax);
    QCOMPARE(panel.step(), Step::Softmax);
    const QList<int> softmax = panel.litLines(View::Cpp);
    QVERIFY(!softmax.isEmpty());
    QVERIFY(softmax != scores);
    QVERIFY(panel.litLines(View::Pseudocode) != pseudoScores);
    // The pseudocode's softmax: the call in head() and the two lines of softmax() (lines 15, 20 and 21).
    QList<int> numbers;
    for (int block : panel.litLines(View::Pseudocode))
        numbers << panel.lines(View::Pseudocode).at(block).number;
    QCOMPARE(numbers, (QList<int>{15, 20, 21}));
    // The editor's own highlights are the lit lines, one full-width background each.
    const QList<QTextEdit::ExtraSelection> marks = panel.editor(View::Cpp)->extraSelections();
    QList<int> highlighted;
    for (const QTextEdit::ExtraSelection &mark : marks)
        if (mark.format.hasProperty(QTextFormat::FullWidthSelection))
            highlighted << mark.cursor.blockNumber();
    QCOMPARE(highlighted, softmax);
    QVERIFY(panel.caption().startsWith(QStringLiteral("Softmax, lines ")));
}

void tst_CodePanel::litLinesScrollIntoView()
{
    CodePanel panel;
    panel.resize(360, 260);
    panel.tabs()->setCurrentIndex(1);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *editor = panel.editor(View::Cpp);
    // A block is in view when it lies between the blocks under the viewport's top and bottom edges.
    const auto visible = [editor](int block) {
        return editor->cursorForPosition(QPoint(4, 4)).blockNumber() <= block &&
               editor->cursorForPosition(QPoint(4, editor->viewport()->height() - 4)).blockNumber() >= block;
    };
    // Embeddings sit in traceTokens, the last function: far below the first screen of the listing.
    panel.showStep(Step::Embeddings);
    QTRY_VERIFY(visible(panel.litLines(View::Cpp).first()));
    panel.showStep(Step::Softmax);
    QTRY_VERIFY(visible(panel.litLines(View::Cpp).first()));
    QVERIFY(!visible(panel.litLines(View::Cpp).first() + 200));
}

void tst_CodePanel::switchedOffStepsAreDimmed()
{
    CodePanel panel;
    panel.showOptions(MaskMode::None, true, false);
    QList<int> mask;
    const QList<CodeLine> &lines = panel.lines(View::Cpp);
    for (qsizetype i = 0; i < lines.size(); ++i)
        if (lines[i].step == Step::Mask)
            mask << static_cast<int>(i);
    QVERIFY(!mask.isEmpty());
    QCOMPARE(panel.dimmedLines(View::Cpp), mask);
    panel.showOptions(MaskMode::Causal, true, false);
    QVERIFY(panel.dimmedLines(View::Cpp).isEmpty());
    // Without scaling the pseudocode's two scale lines (d_k and the division) dim.
    panel.showOptions(MaskMode::Causal, false, false);
    QCOMPARE(panel.dimmedLines(View::Pseudocode), (QList<int>{11, 12}));
}

void tst_CodePanel::swapRewritesThePseudocodeScores()
{
    CodePanel panel;
    panel.showStep(Step::Scores);
    const int block = panel.litLines(View::Pseudocode).first();
    const QTextDocument *document = panel.editor(View::Pseudocode)->document();
    QVERIFY(document->findBlockByNumber(block).text().contains(QStringLiteral("Q @ K.T")));
    panel.showOptions(MaskMode::None, true, true);
    QVERIFY(document->findBlockByNumber(block).text().contains(QStringLiteral("K @ Q.T")));
    QCOMPARE(panel.litLines(View::Pseudocode).first(), block);
}

void tst_CodePanel::monospaceAtTheZoomedSize()
{
    CodePanel panel;
    QFont zoomed = panel.font();
    zoomed.setPointSizeF(16.5); // 150 % of the app's 11 pt
    panel.setFont(zoomed);
    for (View view : {View::Pseudocode, View::Cpp}) {
        const QFont f = panel.editor(view)->font();
        QCOMPARE(f.pointSizeF(), 16.5);
        QVERIFY(QFontInfo(f).fixedPitch() || f.fixedPitch());
    }
    // Never below the house minimum, whatever the platform's default.
    zoomed.setPointSizeF(7.0);
    panel.setFont(zoomed);
    QCOMPARE(panel.editor(View::Cpp)->font().pointSizeF(), 11.0);
}

void tst_CodePanel::controlsAreNamed()
{
    CodePanel panel;
    panel.resize(300, 500);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY2(testing::unnamedControls(&panel).isEmpty(),
             qPrintable(testing::unnamedControls(&panel).join(", ")));
    for (View view : {View::Pseudocode, View::Cpp})
        QVERIFY(!panel.editor(view)->accessibleName().isEmpty());
}

void tst_CodePanel::panelStateRaisesTheCodeDock()
{
    const ModelLoad load = loadModel(QStringLiteral("didactic"));
    QVERIFY(load.model);
    MainWindow w(load.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto *dock = w.findChild<QDockWidget *>(QStringLiteral("codeDock"));
    QVERIFY(dock);
    QCOMPARE(dock->windowTitle(), QStringLiteral("Code"));
    QCOMPARE(w.sidePanels()->dock(SidePanel::Code), dock);

    AppState s = w.controller()->state();
    s.panel = SidePanel::Code;
    s.step = Step::Mask;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(dock->isVisible() && !dock->visibleRegion().isEmpty());
    QCOMPARE(w.sidePanels()->code()->step(), Step::Mask);
    // And back: another panel in front hides the Code dock's contents behind its tab.
    s.panel = SidePanel::Explain;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(dock->visibleRegion().isEmpty());
    // A zoom while it waits there still leaves room for both tab titles (the dock keeps its old width).
    s.zoom = 2.0;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    const QTabBar *bar = w.sidePanels()->code()->tabs()->tabBar();
    QTRY_VERIFY(bar->rect().contains(bar->tabRect(1)));
    QCOMPARE(panelKey(SidePanel::Code), QStringLiteral("code"));
    SidePanel parsed = SidePanel::Explain;
    QVERIFY(panelFromKey(QStringLiteral("code"), &parsed));
    QCOMPARE(parsed, SidePanel::Code);
}

QTEST_MAIN(tst_CodePanel)
#include "tst_codepanel.moc"
