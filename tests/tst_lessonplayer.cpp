// Lessons in the window: every shipped step applies, questions are answered against the trace, the file
// is read again when it changes, a broken edit keeps the lesson, and progress outlives the window.
#include "appstate.h"
#include "comparepanel.h"
#include "sidepanels.h"
#include "lessonio.h"
#include "lessonpanel.h"
#include "lessonplayer.h"
#include "lessons.h"
#include "mainwindow.h"
#include "modelio.h"
#include "stage.h"
#include "stagecontroller.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace attention;

namespace {

std::shared_ptr<const Model> didactic()
{
    return loadModel(QStringLiteral("didactic")).model;
}

const QByteArray kLesson = "---\n"
                           "title: Player test\n"
                           "model: didactic\n"
                           "---\n"
                           "sentence: The animal didn't cross the street because it was too tired.\n"
                           "step: softmax\n"
                           "select: it\n"
                           "expect: it -> animal\n"
                           "\n"
                           "First **step**.\n"
                           "\n"
                           "Question: Where does it look?\n"
                           "answer: click\n"
                           "---\n"
                           "step: scores\n"
                           "mask: causal\n"
                           "head: 1\n"
                           "\n"
                           "Second step.\n"
                           "\n"
                           "Question: How much weight does it give animal?\n"
                           "answer: weight(it, animal) ± 0.01\n"
                           "---\n"
                           "step: weighted-sum\n"
                           "compare: we sat on the bank of the river | the bank gave us a loan | bank\n"
                           "\n"
                           "Third step <img src=\"/etc/passwd\"> stays text.\n"
                           "\n"
                           "Question: What does a row of weights add up to?\n"
                           "- [ ] the number of tokens\n"
                           "- [x] 1\n";

void write(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

} // namespace

class tst_LessonPlayer : public QObject
{
    Q_OBJECT
private slots:
    void everyShippedStepAppliesItsState();
    void stepsAndQuestions();
    void reloadKeepsTheStepAndABrokenEditKeepsTheLesson();
    void progressIsRemembered();
    void malformedLessonLeavesTheOpenOne();
    void theClickerMovesTheLesson();
};

void tst_LessonPlayer::everyShippedStepAppliesItsState()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    LessonPlayer *player = w.lessons()->player();
    int steps = 0;
    for (const QString &path : shippedLessons()) {
        QVERIFY2(w.lessons()->open(path).isEmpty(), qPrintable(path));
        QVERIFY(w.lessons()->dock()->isVisible());
        for (int i = 0; i < player->stepCount(); ++i) {
            QVERIFY(player->goTo(i));
            const LessonStep &step = *player->currentStep();
            w.controller()->waitForTrace();
            // After the step, the window shows exactly the step's state.
            const AppState wanted = w.controller()->normalized(appStateForLessonStep(step.state, w.controller()->state()));
            QVERIFY2(w.controller()->state() == wanted, qPrintable(QStringLiteral("%1 step %2").arg(path).arg(i + 1)));
            QCOMPARE(w.controller()->state().sentence.toStdString(), step.state.sentence);
            QCOMPARE(w.controller()->state().step, step.state.step);
            // Every claim holds on the trace the window shows (not only in the checker's own trace).
            for (const LessonClaim &claim : step.claims)
                QVERIFY2(evaluateClaim(claim.text, *w.controller()->trace(), step.state).empty(),
                         qPrintable(QStringLiteral("%1 step %2: %3").arg(path).arg(i + 1).arg(QString::fromStdString(claim.text))));
            // Two sentences to compare are in the Compare panel.
            if (!step.state.compareA.empty()) {
                const auto fields = w.sidePanels()->compare()->findChildren<QLineEdit *>();
                QStringList texts;
                for (QLineEdit *f : fields)
                    texts << f->text();
                QVERIFY2(texts.contains(QString::fromStdString(step.state.compareA)) &&
                             texts.contains(QString::fromStdString(step.state.compareB)) &&
                             texts.contains(QString::fromStdString(step.state.compareWord)),
                         qPrintable(texts.join(QLatin1Char('|'))));
                QVERIFY2(w.sidePanels()->compare()->problem().isEmpty(), qPrintable(w.sidePanels()->compare()->problem()));
            }
            ++steps;
        }
    }
    QVERIFY(steps > 0);
}

void tst_LessonPlayer::stepsAndQuestions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("test.lesson.md"));
    write(path, kLesson);
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.lessons()->open(path).isEmpty());
    LessonPlayer *player = w.lessons()->player();
    LessonPanel *panel = w.lessons()->panel();
    QCOMPARE(player->stepIndex(), 0);
    QCOMPARE(w.controller()->state().step, Step::Softmax);
    QCOMPARE(w.controller()->state().query, 7);
    QVERIFY(panel->narration()->toPlainText().contains(QStringLiteral("First step")));
    QCOMPARE(panel->position()->text(), QStringLiteral("Step 1 of 3"));
    // Predict, then reveal: the stage is covered until a token is chosen.
    QVERIFY(w.stage()->resultHidden());
    const QList<QAbstractButton *> tokens = panel->answerButtons();
    QCOMPARE(tokens.size(), 12);
    QTest::mouseClick(tokens[5], Qt::LeftButton); // "street": wrong
    QVERIFY(!w.stage()->resultHidden());
    QVERIFY2(panel->feedback()->text().startsWith(QStringLiteral("Not this time")), qPrintable(panel->feedback()->text()));
    QVERIFY(panel->feedback()->text().contains(QStringLiteral("“animal”")));
    QVERIFY(!player->isDone(0));
    QTest::mouseClick(tokens[1], Qt::LeftButton); // "animal": right
    QVERIFY(panel->feedback()->text().startsWith(QStringLiteral("Right")));

    // Next: the state carries over what the step does not change.
    QTest::mouseClick(panel->nextButton(), Qt::LeftButton);
    QCOMPARE(player->stepIndex(), 1);
    QCOMPARE(w.controller()->state().step, Step::Scores);
    QCOMPARE(w.controller()->state().mask, MaskMode::Causal);
    QCOMPARE(w.controller()->state().query, 7);
    QVERIFY(!w.stage()->resultHidden());
    // A number: wrong, unreadable, then right within the tolerance; the value is the trace's own.
    const double expected = w.controller()->headTrace()->weights(7, 1);
    panel->numberField()->setText(QString::number(expected + 0.05, 'f', 2));
    QTest::mouseClick(panel->checkButton(), Qt::LeftButton);
    QVERIFY(panel->feedback()->text().startsWith(QStringLiteral("Not quite")));
    QVERIFY(panel->feedback()->text().contains(QString::number(expected, 'f', 4)));
    panel->numberField()->setText(QStringLiteral("a third"));
    QTest::mouseClick(panel->checkButton(), Qt::LeftButton);
    QVERIFY(panel->feedback()->text().contains(QStringLiteral("Type a number")));
    panel->numberField()->setText(QString::number(expected + 0.008, 'f', 3).replace(QLatin1Char('.'), QLatin1Char(',')));
    QTest::keyClick(panel->numberField(), Qt::Key_Return);
    QVERIFY2(panel->feedback()->text().startsWith(QStringLiteral("Right")), qPrintable(panel->feedback()->text()));

    // Multiple choice, and narration that is text: no HTML image, no file read.
    QTest::mouseClick(panel->nextButton(), Qt::LeftButton);
    QCOMPARE(w.controller()->state().step, Step::WeightedSum);
    QVERIFY(panel->narration()->toPlainText().contains(QStringLiteral("<img src=\"/etc/passwd\">")));
    QStringList compared;
    for (QLineEdit *f : w.sidePanels()->compare()->findChildren<QLineEdit *>())
        compared << f->text();
    QVERIFY2(compared.contains(QStringLiteral("we sat on the bank of the river")) &&
                 compared.contains(QStringLiteral("the bank gave us a loan")) && compared.contains(QStringLiteral("bank")),
             qPrintable(compared.join(QLatin1Char('|'))));
    QVERIFY(!panel->nextButton()->isEnabled());
    const QList<QAbstractButton *> options = panel->answerButtons();
    QCOMPARE(options.size(), 2);
    QTest::mouseClick(panel->checkButton(), Qt::LeftButton);
    QVERIFY(panel->feedback()->text().contains(QStringLiteral("Choose")));
    options[0]->click();
    QTest::mouseClick(panel->checkButton(), Qt::LeftButton);
    QVERIFY(panel->feedback()->text().startsWith(QStringLiteral("Not quite")));
    options[1]->click();
    QTest::mouseClick(panel->checkButton(), Qt::LeftButton);
    QVERIFY(panel->feedback()->text().startsWith(QStringLiteral("Right")));
    QTest::mouseClick(panel->previousButton(), Qt::LeftButton);
    QCOMPARE(player->stepIndex(), 1);
    // Any step from the list.
    QCOMPARE(panel->stepList()->count(), 3);
    QCOMPARE(panel->stepList()->currentIndex(), 1);
    QVERIFY(panel->stepList()->itemText(1).contains(QStringLiteral("2. Scores")));
    panel->stepList()->activated(0);
    QCOMPARE(player->stepIndex(), 0);
    QCOMPARE(w.controller()->state().step, Step::Softmax);
}

void tst_LessonPlayer::reloadKeepsTheStepAndABrokenEditKeepsTheLesson()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.lesson.md"));
    write(path, kLesson);
    MainWindow w(didactic());
    w.show();
    LessonPlayer *player = w.lessons()->player();
    QVERIFY(w.lessons()->open(path, 1).isEmpty());
    QCOMPARE(player->stepIndex(), 1);
    // The teacher edits the second step's text beside the running app: it is read again, at that step.
    QSignalSpy changed(player, &LessonPlayer::lessonChanged);
    QByteArray edited = kLesson;
    edited.replace("Second step.", "Second step, edited.");
    write(path, edited);
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 5000);
    QCOMPARE(player->stepIndex(), 1);
    QVERIFY(w.lessons()->panel()->narration()->toPlainText().contains(QStringLiteral("edited")));
    // A broken edit: the lesson read before stays, and the problem is named.
    QSignalSpy problems(player, &LessonPlayer::problem);
    QByteArray broken = edited;
    broken.replace("step: scores", "step: scoresss");
    write(path, broken);
    QTRY_VERIFY_WITH_TIMEOUT(problems.count() >= 1, 5000);
    QVERIFY2(problems.last().at(0).toString().contains(QStringLiteral("live.lesson.md:15: step 2: step:")),
             qPrintable(problems.last().at(0).toString()));
    QCOMPARE(player->stepCount(), 3);
    QCOMPARE(player->stepIndex(), 1);
    QCOMPARE(w.controller()->state().step, Step::Scores);
    // Fewer steps after an edit: the position is kept within them.
    QVERIFY(player->goTo(2));
    QByteArray shorter = kLesson.left(kLesson.indexOf("---\nstep: weighted-sum"));
    write(path, shorter);
    QTRY_COMPARE_WITH_TIMEOUT(player->stepCount(), 2, 5000);
    QCOMPARE(player->stepIndex(), 1);
}

void tst_LessonPlayer::progressIsRemembered()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.lesson.md"));
    write(path, kLesson);
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    {
        MainWindow w(didactic(), &settings);
        QVERIFY(w.lessons()->open(path).isEmpty());
        LessonPanel *panel = w.lessons()->panel();
        QVERIFY(!w.lessons()->player()->isDone(0));
        QTest::mouseClick(panel->answerButtons()[1], Qt::LeftButton); // right
        QVERIFY(w.lessons()->player()->isDone(0));
        QVERIFY(panel->position()->text().contains(QStringLiteral("done")));
        QVERIFY(panel->stepList()->itemText(0).startsWith(QStringLiteral("✓")));
        QVERIFY(!panel->stepList()->itemText(1).startsWith(QStringLiteral("✓")));
        QVERIFY(!w.lessons()->player()->isDone(1));
    }
    settings.sync();
    QSettings again(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    MainWindow w(didactic(), &again);
    QVERIFY(w.lessons()->open(path).isEmpty());
    QVERIFY(w.lessons()->player()->isDone(0));
    QVERIFY(!w.lessons()->player()->isDone(1));
    // The Lessons menu tells how far each shipped lesson got.
    const QString first = shippedLessons().constFirst();
    QVERIFY(w.lessons()->open(first).isEmpty());
    w.lessons()->player()->markDone(0);
    emit w.lessons()->menu()->aboutToShow();
    QStringList texts;
    for (QAction *a : w.lessons()->menu()->actions())
        texts << a->text();
    const int steps = w.lessons()->player()->stepCount();
    QVERIFY2(texts.filter(QStringLiteral("(1 of %1 steps)").arg(steps)).size() == 1, qPrintable(texts.join(QLatin1Char('|'))));
}

void tst_LessonPlayer::malformedLessonLeavesTheOpenOne()
{
    QTemporaryDir dir;
    const QString good = dir.filePath(QStringLiteral("good.lesson.md"));
    const QString bad = dir.filePath(QStringLiteral("bad.lesson.md"));
    write(good, kLesson);
    write(bad, "---\ntitle: Bad\n---\nsentence: a b\nstep: nope\n");
    MainWindow w(didactic());
    QVERIFY(w.lessons()->open(good).isEmpty());
    const QString error = w.lessons()->open(bad);
    QVERIFY2(error.contains(QStringLiteral("bad.lesson.md:5: step 1: step:")), qPrintable(error));
    QCOMPARE(w.lessons()->player()->path(), good);
    QCOMPARE(QString::fromStdString(w.lessons()->player()->lesson().title), QStringLiteral("Player test"));
    QVERIFY(w.lessons()->open(dir.filePath(QStringLiteral("missing.lesson.md"))).contains(QStringLiteral("No lesson")));
    QVERIFY(!w.lessons()->open(dir.path()).isEmpty()); // a folder
    QCOMPARE(w.lessons()->player()->path(), good);
}

void tst_LessonPlayer::theClickerMovesTheLesson()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.lesson.md"));
    write(path, kLesson);
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.lessons()->open(path).isEmpty());
    LessonPlayer *player = w.lessons()->player();
    // Page Down, the clicker's key, goes to the lesson's next step (and its state), not the stage's.
    QTest::keyClick(&w, Qt::Key_PageDown);
    QCOMPARE(player->stepIndex(), 1);
    QCOMPARE(w.controller()->state().step, Step::Scores);
    QTest::keyClick(&w, Qt::Key_PageDown);
    QCOMPARE(player->stepIndex(), 2);
    QTest::keyClick(&w, Qt::Key_PageDown); // the last step stays
    QCOMPARE(player->stepIndex(), 2);
    QTest::keyClick(&w, Qt::Key_PageUp);
    QCOMPARE(player->stepIndex(), 1);
    // With the lesson closed, the keys move the stage's step again.
    player->close();
    const Step before = w.controller()->state().step;
    QTest::keyClick(&w, Qt::Key_PageDown);
    QCOMPARE(stepIndex(w.controller()->state().step), stepIndex(before) + 1);
}

QTEST_MAIN(tst_LessonPlayer)
#include "tst_lessonplayer.moc"
