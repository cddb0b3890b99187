// The "attention against an RNN" deep dive: the hop counts for the chosen pair, the combos, Play with the
// event loop turning, and the RNN's influence numbers from the core.
#include "attention.h"
#include "modelio.h"
#include "rnnpanel.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <cmath>

using namespace attention;

namespace {
const QString kSentence = QStringLiteral("The animal didn't cross the street because it was too tired.");
}

class tst_RnnPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void computesWhenShown();
    void defaultPairIsAnimalAndIt();
    void influenceComesFromTheCore();
    void combosChangeThePath();
    void playRunsToTheEnd();
    void playCanBeInterrupted();
    void firstAndLastWithoutThePair();
    void narrowPanel();

private:
    std::shared_ptr<const Model> m_model;
};

void tst_RnnPanel::initTestCase()
{
    const ModelLoad load = loadModel(QStringLiteral("trained"));
    QVERIFY2(load.ok(), qPrintable(load.error));
    m_model = load.model;
}

void tst_RnnPanel::computesWhenShown()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    QVERIFY(!panel.isComputed());
    QCOMPARE(panel.fromCombo()->count(), 0);
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.isComputed());
    QCOMPARE(panel.fromCombo()->count(), 12);
    // Shown at rest: no animation until Play is pressed.
    QVERIFY(!panel.isPlaying());
    QCOMPARE(panel.progress(), double(panel.rnnHops()));
    // The same input again keeps the user's pair.
    panel.toCombo()->setCurrentIndex(9);
    panel.setInput(m_model, kSentence);
    QCOMPARE(panel.toToken(), 9);
    QCOMPARE(panel.rnnHops(), 8);
    // A new sentence while visible is computed at once.
    panel.setInput(m_model, QStringLiteral("it rains"));
    QVERIFY(panel.isComputed());
    QCOMPARE(panel.tokens(), (QStringList{QStringLiteral("it"), QStringLiteral("rains")}));
}

void tst_RnnPanel::defaultPairIsAnimalAndIt()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.tokens().at(panel.fromToken()), QStringLiteral("animal"));
    QCOMPARE(panel.tokens().at(panel.toToken()), QStringLiteral("it"));
    QCOMPARE(panel.fromToken(), 1);
    QCOMPARE(panel.toToken(), 7);
    QCOMPARE(panel.rnnHops(), rnnPathLength(1, 7));
    QCOMPARE(panel.rnnHops(), 6);
    QCOMPARE(panel.attentionHops(), attentionPathLength(1, 7));
    QCOMPARE(panel.attentionHops(), 1);
    QCOMPARE(panel.rnnSteps(), 12);
    const QString s = panel.summary()->text();
    QVERIFY2(
        s.contains(QStringLiteral("Between “animal” and “it”: 6 hops through the RNN, 1 through attention.")),
        qPrintable(s));
    QVERIFY2(s.contains(QStringLiteral("takes 12 steps")), qPrintable(s));
}

void tst_RnnPanel::influenceComesFromTheCore()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    // The same numbers as the core gives for the sentence's embeddings.
    const std::vector<Token> tokens = tokenize(kSentence.toStdString());
    AttentionTrace embedded;
    embedTokens(*m_model, tokens, embedded);
    const RnnInfluence expected =
        rnnInfluence(embedded.tokenEmbeddings, rnnWeights(m_model->d_model, m_model->d_model), 1);
    const RnnInfluence &shown = panel.influence();
    QCOMPARE(shown.from, 1);
    QCOMPARE(shown.influence.size(), expected.influence.size());
    for (std::size_t j = 0; j < expected.influence.size(); ++j)
        QCOMPARE(shown.influence[j], expected.influence[j]);
    // Measured: from "animal" the influence shrinks at every hop up to "it", and is far smaller there.
    QString figures;
    for (int j = 1; j <= 7; ++j)
        figures += QStringLiteral(" %1").arg(shown.relative[std::size_t(j)], 0, 'f', 4);
    qInfo("relative influence of 'animal' on h_1 … h_7:%s (‖∂h/∂x‖ at 'animal' %.4f, at 'it' %.4f)",
          qPrintable(figures), shown.influence[1], shown.influence[7]);
    for (int j = 2; j <= 7; ++j)
        QVERIFY(shown.influence[std::size_t(j)] < shown.influence[std::size_t(j - 1)]);
    QVERIFY(shown.relative[7] < 0.05); // measured: 1.1 %, about × 0.47 a hop
    QVERIFY(shown.relative[7] > 0);
    QCOMPARE(shown.influence[0], 0.0); // "The" comes before "animal": untouched by it
    const QString percent = QStringLiteral("%1 % of the").arg(100 * shown.relative[7], 0, 'f', 1);
    QVERIFY2(panel.summary()->text().contains(percent),
             qPrintable(panel.summary()->text() + " / " + percent));
}

void tst_RnnPanel::combosChangeThePath()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    // "to" one further: "was", 7 hops.
    panel.toCombo()->setFocus();
    QTest::keyClick(panel.toCombo(), Qt::Key_Down);
    QCOMPARE(panel.toToken(), 8);
    QCOMPARE(panel.rnnHops(), rnnPathLength(1, 8));
    QCOMPARE(panel.rnnHops(), 7);
    QCOMPARE(panel.attentionHops(), 1);
    QVERIFY(panel.summary()->text().contains(QStringLiteral("7 hops through the RNN")));
    // "from" back to "The": 8 hops, and the influence now follows "The".
    panel.fromCombo()->setFocus();
    QTest::keyClick(panel.fromCombo(), Qt::Key_Up);
    QCOMPARE(panel.fromToken(), 0);
    QCOMPARE(panel.rnnHops(), rnnPathLength(0, 8));
    QCOMPARE(panel.influence().from, 0);
    QCOMPARE(panel.influence().relative[0], 1.0);
    // The same token twice: no path, nothing to play.
    QTest::keyClick(panel.toCombo(), Qt::Key_Home);
    QCOMPARE(panel.toToken(), 0);
    QCOMPARE(panel.rnnHops(), 0);
    QCOMPARE(panel.attentionHops(), attentionPathLength(0, 0));
    QVERIFY(!panel.playButton()->isEnabled());
    // Picked the other way round, the path is the same length.
    QTest::keyClick(panel.fromCombo(), Qt::Key_End);
    QCOMPARE(panel.fromToken(), 11);
    QCOMPARE(panel.rnnHops(), 11);
    QCOMPARE(panel.influence().from, 0);
}

void tst_RnnPanel::playRunsToTheEnd()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy finished(&panel, &RnnPanel::playFinished);
    int ticks = 0;
    QTimer loop;
    connect(&loop, &QTimer::timeout, [&] { ++ticks; });
    loop.start(10);
    QTest::mouseClick(panel.playButton(), Qt::LeftButton);
    QVERIFY(panel.isPlaying());
    QCOMPARE(panel.playButton()->text(), QStringLiteral("&Stop"));
    QVERIFY(panel.progress() < 1.0);
    const int ticksAtStart = ticks;
    // The animation runs on the event loop: the timer keeps firing while it plays (the condition is false
    // at first, so the wait turns the loop at least once before the animation can be done).
    QTRY_VERIFY_WITH_TIMEOUT(panel.progress() >= 1.0, 20000);
    QVERIFY(ticks > ticksAtStart);
    QVERIFY(panel.status()->text().contains(QStringLiteral("of 6")));
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isPlaying(), 20000);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(panel.progress(), 6.0);
    QCOMPARE(panel.playButton()->text(), QStringLiteral("&Replay"));
}

void tst_RnnPanel::playCanBeInterrupted()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy finished(&panel, &RnnPanel::playFinished);
    QTest::mouseClick(panel.playButton(), Qt::LeftButton);
    QVERIFY(panel.isPlaying());
    // The button stops it at once, at the end of the path.
    QTest::mouseClick(panel.playButton(), Qt::LeftButton);
    QVERIFY(!panel.isPlaying());
    QCOMPARE(panel.progress(), 6.0);
    QCOMPARE(finished.count(), 0);
    // A combo moved during a run stops it too and shows the new pair.
    QTest::mouseClick(panel.playButton(), Qt::LeftButton);
    QVERIFY(panel.isPlaying());
    panel.toCombo()->setFocus();
    QTest::keyClick(panel.toCombo(), Qt::Key_Up);
    QVERIFY(!panel.isPlaying());
    QCOMPARE(panel.rnnHops(), 5);
    QCOMPARE(panel.progress(), 5.0);
}

void tst_RnnPanel::firstAndLastWithoutThePair()
{
    RnnPanel panel;
    panel.setInput(m_model, QStringLiteral("The cat sat on the mat ."));
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.fromToken(), 0);
    QCOMPARE(panel.toToken(), 6);
    QCOMPARE(panel.rnnHops(), 6);
    QCOMPARE(panel.rnnSteps(), 7);
    // No model or a blank sentence: nothing to compare, nothing breaks.
    panel.setInput(m_model, QStringLiteral("   "));
    QCOMPARE(panel.rnnHops(), 0);
    QVERIFY(!panel.playButton()->isEnabled());
    panel.setInput(nullptr, kSentence);
    QCOMPARE(panel.rnnHops(), 0);
}

void tst_RnnPanel::narrowPanel()
{
    RnnPanel panel;
    panel.setInput(m_model, kSentence);
    panel.resize(420, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    // The controls fit the width; the rows of tokens scroll sideways instead of being cut.
    QVERIFY(panel.playButton()->geometry().right() <= 420);
    QVERIFY(panel.toCombo()->mapTo(&panel, QPoint(panel.toCombo()->width(), 0)).x() <= 420);
    QVERIFY(panel.minimumSizeHint().width() <= 420);
}

QTEST_MAIN(tst_RnnPanel)
#include "tst_rnnpanel.moc"
