// Classroom mode driven by the keys a presenter uses: F5 / Shift+F5, the clicker, blanking, go to, the
// spotlight's numbers, the presenter window, and a student's sentence typed mid-presentation.
#include "heatmapview.h"
#include "stage.h"
#include "lessonpanel.h"
#include "lessonplayer.h"
#include "lessons.h"
#include "mainwindow.h"
#include "modelio.h"
#include "presentation.h"
#include "stagecontroller.h"

#include <QApplication>
#include <QFile>
#include <QMouseEvent>
#include <QFontInfo>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace attention;

namespace {

std::shared_ptr<const Model> didactic()
{
    return loadModel(QStringLiteral("didactic")).model;
}

QColor centre(QWidget *w)
{
    return w->grab().toImage().pixelColor(w->width() / 2, w->height() / 2);
}

} // namespace

class tst_Classroom : public QObject
{
    Q_OBJECT
private slots:
    void presentsFromTheStartAndFromHere();
    void clickerKeysBlankingAndGoTo();
    void spotlightShowsTheCellsRealValue();
    void presenterWindowAndLessons();
    void typingASentenceMidPresentation();
};

void tst_Classroom::presentsFromTheStartAndFromHere()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.controller()->setStep(Step::Softmax);
    QTest::keyClick(&w, Qt::Key_F5, Qt::ShiftModifier); // from this step
    Presentation *p = w.presentation();
    QVERIFY(p->isPresenting());
    AudienceWindow *a = p->audience();
    QVERIFY(a->isVisible());
    QCOMPARE(w.controller()->state().step, Step::Softmax);
    QVERIFY(a->stepTitle()->text().startsWith(QStringLiteral("6 · Softmax")));
    QCOMPARE(a->sentence()->text(), w.controller()->state().sentence);
    // The audience's heatmap is the step's result, cell for cell.
    QCOMPARE(a->heatmap()->matrix(), w.controller()->headTrace()->weights);
    // Large text: at least 24 px at 1366 × 768 (the audience window fills the screen).
    a->resize(1366, 768);
    QVERIFY(QFontInfo(a->narration()->font()).pixelSize() >= 24);
    QVERIFY(QFontInfo(a->heatmap()->font()).pixelSize() >= 24);
    QVERIFY(QFontInfo(a->sentence()->font()).pixelSize() >= 24);
    QTest::keyClick(a, Qt::Key_Escape);
    QVERIFY(!p->isPresenting());
    // F5: from the start.
    QTest::keyClick(&w, Qt::Key_F5);
    QVERIFY(p->isPresenting());
    QCOMPARE(w.controller()->state().step, Step::Embeddings);
    QTest::keyClick(p->audience(), Qt::Key_Escape);
    QVERIFY(!p->isPresenting());
}

void tst_Classroom::clickerKeysBlankingAndGoTo()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::keyClick(&w, Qt::Key_F5);
    AudienceWindow *a = w.presentation()->audience();
    a->resize(1366, 768);
    int expected = 0;
    // Every clicker key, forward and back, from the audience window and from the main window.
    for (Qt::Key k : {Qt::Key_PageDown, Qt::Key_Right, Qt::Key_Space, Qt::Key_N}) {
        QTest::keyClick(a, k);
        QCOMPARE(stepIndex(w.controller()->state().step), ++expected);
    }
    // In the main window, away from the sentence field (where Left, Backspace and P are the field's).
    w.heatmap()->setFocus();
    for (Qt::Key k : {Qt::Key_PageUp, Qt::Key_Left, Qt::Key_Backspace, Qt::Key_P}) {
        QTest::keyClick(w.heatmap(), k);
        QCOMPARE(stepIndex(w.controller()->state().step), --expected);
    }
    // B and . blank to black, W to white; the same key again shows the stage.
    const QColor stage = centre(a);
    QTest::keyClick(a, Qt::Key_B);
    QCOMPARE(centre(a), QColor(Qt::black));
    QTest::keyClick(a, Qt::Key_B);
    QCOMPARE(centre(a), stage);
    QTest::keyClick(a, Qt::Key_Period);
    QCOMPARE(centre(a), QColor(Qt::black));
    QTest::keyClick(a, Qt::Key_W);
    QCOMPARE(centre(a), QColor(Qt::white));
    QTest::keyClick(a, Qt::Key_W);
    QCOMPARE(centre(a), stage);
    // G, a number, Enter: that step.
    QTest::keyClick(a, Qt::Key_G);
    QTest::keyClick(a, Qt::Key_5);
    QTest::keyClick(a, Qt::Key_Return);
    QCOMPARE(w.controller()->state().step, Step::Mask);
    // Escape on a blank screen brings the stage back; the next one ends.
    QTest::keyClick(a, Qt::Key_B);
    QTest::keyClick(a, Qt::Key_Escape);
    QVERIFY(w.presentation()->isPresenting());
    QCOMPARE(centre(a), stage);
    QTest::keyClick(a, Qt::Key_Escape);
    QVERIFY(!w.presentation()->isPresenting());
    // Not presenting, N is only a key again.
    const Step before = w.controller()->state().step;
    QTest::keyClick(&w, Qt::Key_N);
    QCOMPARE(w.controller()->state().step, before);
}

void tst_Classroom::spotlightShowsTheCellsRealValue()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.controller()->setStep(Step::Softmax);
    QTest::keyClick(&w, Qt::Key_F5, Qt::ShiftModifier);
    AudienceWindow *a = w.presentation()->audience();
    a->resize(1366, 768);
    QVERIFY(QTest::qWaitForWindowExposed(a));
    QTest::keyClick(a, Qt::Key_L);
    QVERIFY(a->spotlightOn());
    HeatmapView *h = a->heatmap();
    QTRY_VERIFY(h->cellRect(7, 1).isValid());
    const QPoint at = h->cellRect(7, 1).center(); // it → animal
    QMouseEvent move(QEvent::MouseMove, at, h->viewport()->mapToGlobal(at), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(h->viewport(), &move);
    QTRY_VERIFY(a->spotlight()->isVisible());
    const double weight = w.controller()->headTrace()->weights(7, 1);
    const QString text = a->spotlight()->text();
    QVERIFY2(text.startsWith(QStringLiteral("weight(it → animal) = %1").arg(weight, 0, 'f', 3)), qPrintable(text));
    QTest::keyClick(a, Qt::Key_L);
    QVERIFY(!a->spotlight()->isVisible());
    QTest::keyClick(a, Qt::Key_Escape);
}

void tst_Classroom::presenterWindowAndLessons()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("class.lesson.md"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("---\ntitle: Class\n---\nsentence: The animal didn't cross the street because it was too tired.\n"
            "step: scores\nselect: it\n\nLook at the scores.\n\nNotes:\nAsk the room first.\n---\n"
            "title: The weights\nstep: softmax\n\nNow the weights.\n---\nstep: output\n\nThe end.\n");
    f.close();
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.lessons()->open(path, 1).isEmpty());
    QTest::keyClick(&w, Qt::Key_F5); // a lesson presents from its first step
    Presentation *p = w.presentation();
    QCOMPARE(w.lessons()->player()->stepIndex(), 0);
    QCOMPARE(w.controller()->state().step, Step::Scores);
    QVERIFY(p->audience()->narration()->toPlainText().contains(QStringLiteral("Look at the scores")));
    QTest::keyClick(p->audience(), Qt::Key_S);
    PresenterWindow *pw = p->presenter();
    QVERIFY(pw && pw->isVisible());
    QCOMPARE(pw->position()->text(), QStringLiteral("Step 1 of 3 · Class"));
    QVERIFY(pw->notes()->toPlainText().contains(QStringLiteral("Ask the room first")));
    QVERIFY2(pw->next()->text().startsWith(QStringLiteral("Next: The weights")), qPrintable(pw->next()->text()));
    QVERIFY(pw->elapsed()->text().contains(QLatin1Char(':')));
    QVERIFY(!pw->clock()->text().isEmpty());
    // The clicker moves the lesson; the presenter window follows.
    QTest::keyClick(pw, Qt::Key_PageDown);
    QCOMPARE(w.lessons()->player()->stepIndex(), 1);
    QCOMPARE(pw->position()->text(), QStringLiteral("Step 2 of 3 · Class"));
    QVERIFY(pw->notes()->toPlainText().contains(QStringLiteral("No notes")));
    QVERIFY(p->audience()->narration()->toPlainText().contains(QStringLiteral("Now the weights")));
    QTest::keyClick(pw, Qt::Key_G);
    QTest::keyClick(pw, Qt::Key_3);
    QTest::keyClick(pw, Qt::Key_Enter);
    QCOMPARE(w.lessons()->player()->stepIndex(), 2);
    QCOMPARE(pw->next()->text(), QStringLiteral("Next: the end of the lesson"));
    QTest::keyClick(pw, Qt::Key_Escape);
    QVERIFY(!p->isPresenting());
}

void tst_Classroom::typingASentenceMidPresentation()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::keyClick(&w, Qt::Key_F5, Qt::ShiftModifier);
    const Step step = w.controller()->state().step;
    // The teacher types a student's sentence: letters, spaces and Backspace go to the field, not the clicker.
    QLineEdit *field = w.sentenceField();
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, QStringLiteral("Java programming is fun  "));
    QTest::keyClick(field, Qt::Key_Backspace);
    QCOMPARE(w.controller()->state().sentence, QStringLiteral("Java programming is fun "));
    QCOMPARE(w.controller()->state().step, step);
    // The clicker's Page Down still moves on, even from the field.
    QTest::keyClick(field, Qt::Key_PageDown);
    QCOMPARE(stepIndex(w.controller()->state().step), stepIndex(step) + 1);
    QTest::keyClick(field, Qt::Key_PageUp);
    QCOMPARE(w.controller()->state().step, step);
    QCOMPARE(w.presentation()->audience()->sentence()->text(), QStringLiteral("Java programming is fun "));
    QCOMPARE(w.presentation()->audience()->heatmap()->matrix().rows(), 4);
    QTest::keyClick(field, Qt::Key_Escape); // Escape still ends the presentation
    QVERIFY(!w.presentation()->isPresenting());
}

QTEST_MAIN(tst_Classroom)
#include "tst_classroom.moc"
