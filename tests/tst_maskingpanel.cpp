// The masking deep dive's panel, driven through its real controls: Back and Next reveal one token at a
// time, Play steps on its own while the event loop keeps turning, the mask toggle turns the earlier
// positions' changes from all zero to real sizes, and the chosen position sets which positions are shown.
#include "maskingpanel.h"
#include "modelio.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <cmath>

using namespace attention;

namespace {

std::shared_ptr<const Model> shipped(const char *name)
{
    return loadModel(QString::fromLatin1(name)).model;
}

void click(QPushButton *b)
{
    QVERIFY(b->isEnabled());
    QTest::mouseClick(b, Qt::LeftButton);
}

} // namespace

class tst_MaskingPanel : public QObject
{
    Q_OBJECT
private slots:
    void nothingIsComputedUntilShown();
    void backAndNextRevealOneTokenAtATime();
    void theHeadComboChoosesTheWeights();
    void playStepsToTheEnd();
    void theMaskTurnsTheChangesOff();
    void thePositionAndTheWordChooseTheExperiment();
    void narrowPanel();
};

void tst_MaskingPanel::nothingIsComputedUntilShown()
{
    MaskingPanel panel;
    panel.setInput(shipped("didactic"), QString());
    QVERIFY(!panel.isComputed());
    QCOMPARE(panel.tokenCount(), 0);
    QCOMPARE(panel.changeBars()->count(), 0);
    QVERIFY(panel.shownPositions().isEmpty());
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.isComputed());
    QCOMPARE(panel.sentence(), QString::fromUtf8(defaultMaskingSentence()));
    QCOMPARE(panel.tokenCount(), 12);
    // While it is visible, new input is computed at once.
    panel.setInput(shipped("didactic"), QStringLiteral("The cat sat on the mat."));
    QVERIFY(panel.isComputed());
    QCOMPARE(panel.tokenCount(), 7);
    panel.hide();
    panel.setInput(shipped("trained"), QStringLiteral("The dog ran."));
    QVERIFY(!panel.isComputed());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.tokenCount(), 4);
}

void tst_MaskingPanel::backAndNextRevealOneTokenAtATime()
{
    const auto model = shipped("didactic");
    QVERIFY(model);
    MaskingPanel panel;
    panel.setInput(model, QString());
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    TraceOptions o;
    o.mask = MaskMode::Causal;
    const TraceResult causal = traceText(model, defaultMaskingSentence(), o);
    QVERIFY(causal.ok());
    const Eigen::MatrixXd weights = causal.trace.layers.back().heads[0].weights;

    QCOMPARE(panel.step(), 1);
    QCOMPARE(panel.grid()->revealed(), 1);
    QCOMPARE(panel.grid()->shownCellCount(), 1);
    QVERIFY(!panel.backButton()->isEnabled());
    for (int t = 2; t <= 5; ++t) {
        click(panel.nextButton());
        QCOMPARE(panel.step(), t);
        QCOMPARE(panel.grid()->revealed(), t);
        QCOMPARE(panel.grid()->shownCellCount(), t * (t + 1) / 2);
    }
    // Step 5: "The animal didn't cross the" exist. Row 4 sees keys 0…4, never a later one.
    QVERIFY(panel.grid()->cellShown(4, 0) && panel.grid()->cellShown(4, 4));
    QVERIFY(!panel.grid()->cellShown(3, 4)); // the future of "cross"
    QVERIFY(!panel.grid()->cellShown(5, 0)); // "street" is not written yet
    double sum = 0;
    for (int j = 0; j <= 4; ++j) {
        QCOMPARE(panel.decoding().weights(4, j), weights(4, j));
        QCOMPARE(panel.decoding().newest[std::size_t(j)], weights(4, j));
        sum += panel.decoding().newest[std::size_t(j)];
    }
    QVERIFY(std::abs(sum - 1) < 1e-12);
    QVERIFY(panel.stepLabel()->text().contains(QStringLiteral("Step 5 of 12")));
    QVERIFY(panel.stepLabel()->text().contains(QStringLiteral("“the”")));
    click(panel.backButton());
    QCOMPARE(panel.step(), 4);
    QCOMPARE(panel.grid()->shownCellCount(), 10);
    QVERIFY(!panel.grid()->cellShown(4, 0));
    // Keyboard: Space on the focused button steps too.
    panel.nextButton()->setFocus();
    QTest::keyClick(panel.nextButton(), Qt::Key_Space);
    QCOMPARE(panel.step(), 5);
    for (int t = 6; t <= 12; ++t)
        click(panel.nextButton());
    QCOMPARE(panel.step(), 12);
    QVERIFY(!panel.nextButton()->isEnabled());
    QCOMPARE(panel.grid()->shownCellCount(), 78);
    // The grid draws every cell inside itself.
    QVERIFY(panel.grid()->rect().contains(panel.grid()->cellRect(11, 11).toAlignedRect()));
}

void tst_MaskingPanel::theHeadComboChoosesTheWeights()
{
    const auto model = shipped("trained");
    QVERIFY(model);
    MaskingPanel panel;
    panel.setInput(model, QString());
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    TraceOptions o;
    o.mask = MaskMode::Causal;
    const TraceResult causal = traceText(model, defaultMaskingSentence(), o);
    QVERIFY(causal.ok());
    for (int t = 2; t <= 8; ++t)
        click(panel.nextButton());
    QCOMPARE(panel.step(), 8);               // "it" is the newest
    QCOMPARE(panel.headCombo()->count(), 6); // two layers: the average and two heads each
    QCOMPARE(panel.decoding().weights(7, 1), averageHeadWeights(causal.trace.layers[1])(7, 1));
    panel.headCombo()->setFocus();
    QTest::keyClick(panel.headCombo(), Qt::Key_Down); // layer 2, head 1
    QCOMPARE(panel.headCombo()->currentText(), QStringLiteral("Layer 2, head 1"));
    QCOMPARE(panel.step(), 8);
    for (int j = 0; j < 8; ++j)
        QCOMPARE(panel.decoding().weights(7, j), causal.trace.layers[1].heads[0].weights(7, j));
    QVERIFY(std::abs(panel.decoding().weights(7, 1) - averageHeadWeights(causal.trace.layers[1])(7, 1)) >
            1e-6);
}

void tst_MaskingPanel::playStepsToTheEnd()
{
    MaskingPanel panel;
    panel.setInput(shipped("didactic"), QString());
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    int turns = 0;
    QTimer beat;
    beat.setInterval(10);
    QObject::connect(&beat, &QTimer::timeout, [&turns] { ++turns; });
    beat.start();
    click(panel.playButton());
    QVERIFY(panel.isPlaying());
    QCOMPARE(panel.playButton()->text(), QStringLiteral("&Pause"));
    // It goes on by itself, one token at a time, and stops at the end.
    QTRY_VERIFY_WITH_TIMEOUT(panel.step() >= 3, 20000);
    QVERIFY(panel.step() < 12 || !panel.isPlaying());
    const int turnsAtThree = turns;
    QTRY_VERIFY_WITH_TIMEOUT(panel.step() == 12 && !panel.isPlaying(), 60000);
    QCOMPARE(panel.playButton()->text(), QStringLiteral("&Play"));
    QCOMPARE(panel.grid()->shownCellCount(), 78);
    // The event loop kept turning while it played: the 10 ms beat ran many times between the steps.
    QVERIFY2(turns - turnsAtThree > 20, qPrintable(QString::number(turns - turnsAtThree)));
    // Play at the end starts over; Pause stops it; hiding the panel stops it too.
    click(panel.playButton());
    QCOMPARE(panel.step(), 1);
    QVERIFY(panel.isPlaying());
    click(panel.playButton());
    QVERIFY(!panel.isPlaying());
    click(panel.playButton());
    QVERIFY(panel.isPlaying());
    panel.hide();
    QVERIFY(!panel.isPlaying());
}

void tst_MaskingPanel::theMaskTurnsTheChangesOff()
{
    const auto model = shipped("trained");
    QVERIFY(model);
    MaskingPanel panel;
    panel.setInput(model, QString());
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.tabs()->setCurrentIndex(1);
    QVERIFY(panel.maskToggle()->isVisible());
    QVERIFY(panel.maskToggle()->isChecked());
    QCOMPARE(panel.position(), 10); // "tired"
    QCOMPARE(panel.replacementCombo()->currentText(), QStringLiteral("wide"));
    QCOMPARE(panel.changeBars()->count(), 10);
    for (int i = 0; i < 10; ++i)
        QVERIFY(panel.shownChanges()[std::size_t(i)] <= 1e-12);
    QVERIFY(panel.cheatingSummary()->text().startsWith(QStringLiteral("Mask on")));
    // The chart lists the sentence from the top: the bar set and the axis run from "too" back to "The".
    QCOMPARE(panel.positionsAxis()->categories().first(), QStringLiteral("too"));
    QCOMPARE(panel.shownPositions().first(), QStringLiteral("The"));

    const CheatingResult expected = cheatingExperiment(model, tokenize(defaultMaskingSentence()), 10, "wide");
    QVERIFY(expected.ok());
    panel.maskToggle()->setFocus();
    QTest::keyClick(panel.maskToggle(), Qt::Key_Space);
    QVERIFY(!panel.maskToggle()->isChecked());
    QCOMPARE(panel.changeBars()->count(), 10);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(panel.shownChanges()[std::size_t(i)], expected.unmasked[std::size_t(i)]);
        QVERIFY(panel.shownChanges()[std::size_t(i)] > 1.0); // every earlier position moves (8.0 to 17.2)
    }
    QVERIFY(panel.cheatingSummary()->text().startsWith(QStringLiteral("Mask off")));
    QVERIFY(panel.cheatingSummary()->text().contains(QStringLiteral("“it” changes most")));
    QTest::keyClick(panel.maskToggle(), Qt::Key_Space);
    for (int i = 0; i < 10; ++i)
        QVERIFY(panel.shownChanges()[std::size_t(i)] <= 1e-12);

    // Compare one head's attention output instead of the final output.
    panel.measureCombo()->setFocus();
    QTest::keyClick(panel.measureCombo(), Qt::Key_Down); // layer 1 attention output
    QCOMPARE(panel.measureCombo()->currentText(), QStringLiteral("Layer 1 attention output"));
    QTest::keyClick(panel.maskToggle(), Qt::Key_Space);
    CheatingOptions o;
    o.measure = CheatingMeasure::AttentionOutput;
    o.choice = HeadChoice{0, -1};
    const CheatingResult layer1 =
        cheatingExperiment(model, tokenize(defaultMaskingSentence()), 10, "wide", o);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(panel.shownChanges()[std::size_t(i)], layer1.unmasked[std::size_t(i)]);
}

void tst_MaskingPanel::thePositionAndTheWordChooseTheExperiment()
{
    const auto model = shipped("didactic");
    QVERIFY(model);
    MaskingPanel panel;
    panel.setInput(model, QString());
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.tabs()->setCurrentIndex(1);
    panel.maskToggle()->setFocus();
    QTest::keyClick(panel.maskToggle(), Qt::Key_Space); // mask off
    QCOMPARE(panel.shownPositions().size(), 10);
    QCOMPARE(panel.shownPositions().last(), QStringLiteral("too"));
    // The didactic model's queries other than "it" spread evenly, so nine positions change alike (0.059).
    QVERIFY2(panel.cheatingSummary()->text().contains(QStringLiteral("9 positions change most (0.06)")),
             qPrintable(panel.cheatingSummary()->text()));
    // Up one: "too" is changed, so the bars are the 9 positions before it.
    panel.positionCombo()->setFocus();
    QTest::keyClick(panel.positionCombo(), Qt::Key_Up);
    QCOMPARE(panel.position(), 9);
    QCOMPARE(panel.changeBars()->count(), 9);
    QCOMPARE(panel.shownPositions().size(), 9);
    QCOMPARE(panel.shownPositions().last(), QStringLiteral("was"));
    QCOMPARE(panel.shownPositions().first(), QStringLiteral("The"));
    // Home: the second token, "animal"; only "The" comes before it.
    QTest::keyClick(panel.positionCombo(), Qt::Key_Home);
    QCOMPARE(panel.position(), 1);
    QCOMPARE(panel.shownPositions(), QStringList{QStringLiteral("The")});
    for (int k = 0; k < 4; ++k)
        QTest::keyClick(panel.positionCombo(), Qt::Key_Down);
    QCOMPARE(panel.position(), 5); // "street"
    QCOMPARE(panel.shownPositions().at(4), QStringLiteral("the"));
    // Type a word of one's own.
    QLineEdit *edit = panel.replacementCombo()->lineEdit();
    QVERIFY(edit);
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("river"));
    QCOMPARE(panel.cheating().changed[5].text, std::string("river"));
    const CheatingResult expected = cheatingExperiment(model, tokenize(defaultMaskingSentence()), 5, "river");
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(panel.shownChanges()[std::size_t(i)], expected.unmasked[std::size_t(i)]);
        QVERIFY(panel.shownChanges()[std::size_t(i)] > 1e-6);
    }
    // Two words cannot replace one token: the summary says so and no bar is drawn.
    QTest::keyClicks(edit, QStringLiteral(" way"));
    QCOMPARE(panel.changeBars()->count(), 0);
    QVERIFY(panel.cheatingSummary()->text().contains(QStringLiteral("single word")));
    // A new sentence: the last word is the default, and a repeated word is numbered (categories must differ).
    panel.setInput(model, QStringLiteral("the dog saw the cat"));
    QCOMPARE(panel.position(), 4);
    QCOMPARE(panel.shownPositions(), (QStringList{QStringLiteral("the"), QStringLiteral("dog"),
                                                  QStringLiteral("saw"), QStringLiteral("the (4)")}));
    QCOMPARE(panel.changeBars()->count(), 4);
    QVERIFY(!panel.maskToggle()->isChecked()); // the toggle stays as the learner left it
}

void tst_MaskingPanel::narrowPanel()
{
    MaskingPanel panel;
    panel.setInput(shipped("didactic"), QString());
    panel.resize(420, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.width() <= 440);
    // The grid keeps cells big enough to read; its scroll area takes what does not fit.
    const QRectF cell = panel.grid()->cellRect(0, 0);
    QVERIFY2(cell.width() >= panel.grid()->fontMetrics().height(), qPrintable(QString::number(cell.width())));
    QVERIFY(QRectF(panel.grid()->rect()).contains(panel.grid()->cellRect(11, 11)));
    QVERIFY(panel.grid()->width() >= panel.grid()->minimumSizeHint().width());
}

QTEST_MAIN(tst_MaskingPanel)
#include "tst_maskingpanel.moc"
