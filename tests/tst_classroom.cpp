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

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QMouseEvent>
#include <QFontInfo>
#include <QHash>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <cmath>

using namespace attention;

namespace {

std::shared_ptr<const Model> didactic()
{
    return loadModel(QStringLiteral("didactic")).model;
}

// CLASSROOM_GRAB=DIR saves what the windows show, to look at them as a room would.
void saveGrab(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("CLASSROOM_GRAB");
    if (!dir.isEmpty())
        w->grab().save(dir + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
}

QColor commonestColour(const QImage &image, const QRect &r)
{
    QHash<QRgb, int> counts;
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            ++counts[image.pixel(x, y)];
    QRgb best = 0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() > counts.value(best))
            best = it.key();
    return QColor(best);
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
    void viewMenuPresentGroup();
    void clickerKeysBlankingAndGoTo();
    void spotlightShowsTheCellsRealValue();
    void presenterWindowAndLessons();
    void typingASentenceMidPresentation();
    void teacherRevealsTheAnswerToTheRoom();
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
    QVERIFY(QFontInfo(a->stepTitle()->font()).pixelSize() >= 24);
    saveGrab(a, "audience-softmax");
    QTest::keyClick(a, Qt::Key_Escape);
    QVERIFY(!p->isPresenting());
    // F5: from the start.
    QTest::keyClick(&w, Qt::Key_F5);
    QVERIFY(p->isPresenting());
    QCOMPARE(w.controller()->state().step, Step::Embeddings);
    QTest::keyClick(p->audience(), Qt::Key_Escape);
    QVERIFY(!p->isPresenting());
}

void tst_Classroom::viewMenuPresentGroup()
{
    MainWindow w(didactic());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QAction *fromStart = nullptr, *fromHere = nullptr, *end = nullptr;
    for (QAction *a : w.findChildren<QAction *>()) {
        if (a->shortcut() == QKeySequence(Qt::Key_F5))
            fromStart = a;
        if (a->shortcut() == QKeySequence(Qt::SHIFT | Qt::Key_F5))
            fromHere = a;
        if (a->text() == QStringLiteral("&End the presentation"))
            end = a;
    }
    QVERIFY(fromStart && fromHere && end);
    QVERIFY(!end->isEnabled()); // Escape stays the mask editor's until a presentation runs
    w.controller()->setStep(Step::Scale);
    fromHere->trigger();
    QVERIFY(w.presentation()->isPresenting());
    QCOMPARE(w.controller()->state().step, Step::Scale);
    QVERIFY(end->isEnabled());
    end->trigger();
    QVERIFY(!w.presentation()->isPresenting());
    QVERIFY(!end->isEnabled());
    fromStart->trigger();
    QCOMPARE(w.controller()->state().step, Step::Embeddings);
    end->trigger();
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
    // weights(7, 1) read from the controller's trace, printed with three decimals as the card does.
    QCOMPARE(text.section(QLatin1Char('\n'), 0, 0), QStringLiteral("weight(it → animal) = %1").arg(weight, 0, 'f', 3));
    QCOMPARE(text.section(QLatin1Char('\n'), 1, 1),
             QStringLiteral("e^masked(it → animal) ÷ the sum of e^masked(it → each key);"));
    QVERIFY(!a->spotlight()->cardRect().intersects(a->spotlight()->magnifiedRect()));
    // The enlarged cell: the value, in the colour the heatmap paints that cell (the commonest colour of the
    // cell's own pixels: its number and outlines take fewer).
    QCOMPARE(a->spotlight()->value(), QString::number(weight, 'f', h->precision() + 1));
    const QRect big = a->spotlight()->magnifiedRect();
    QVERIFY(big.width() >= 3 * h->cellRect(7, 1).width());
    QVERIFY(a->rect().contains(big) && a->rect().contains(a->spotlight()->cardRect()));
    const QColor drawn = commonestColour(h->viewport()->grab().toImage(), h->cellRect(7, 1));
    const QColor enlarged = a->grab().toImage().pixelColor(big.left() + 8, big.top() + 8);
    QVERIFY2(std::abs(drawn.red() - enlarged.red()) <= 2 && std::abs(drawn.green() - enlarged.green()) <= 2 &&
                 std::abs(drawn.blue() - enlarged.blue()) <= 2,
             qPrintable(drawn.name() + QLatin1Char(' ') + enlarged.name()));
    saveGrab(a, "audience-spotlight");
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
    saveGrab(pw, "presenter");
    saveGrab(p->audience(), "audience-lesson");
    // The preview is the next step (the weights) drawn from its own trace, not the scores on screen now.
    const Eigen::MatrixXd previewed = pw->preview()->matrix();
    QVERIFY(pw->preview()->isVisible());
    QCOMPARE(previewed.rows(), 12);
    QVERIFY(!previewed.isApprox(p->audience()->heatmap()->matrix()));
    QCOMPARE(pw->previewText()->text(), QStringLiteral("Now the weights."));
    // The clicker moves the lesson; the presenter window follows.
    QTest::keyClick(pw, Qt::Key_PageDown);
    QCOMPARE(w.lessons()->player()->stepIndex(), 1);
    QVERIFY(p->audience()->heatmap()->matrix().isApprox(previewed));
    for (int r = 0; r < previewed.rows(); ++r)
        QVERIFY(std::abs(previewed.row(r).sum() - 1.0) < 1e-9); // softmax rows, as the preview promised
    QCOMPARE(pw->position()->text(), QStringLiteral("Step 2 of 3 · Class"));
    QVERIFY(pw->notes()->toPlainText().contains(QStringLiteral("No notes")));
    QVERIFY(p->audience()->narration()->toPlainText().contains(QStringLiteral("Now the weights")));
    QTest::keyClick(pw, Qt::Key_G);
    QTest::keyClick(pw, Qt::Key_3);
    QTest::keyClick(pw, Qt::Key_Enter);
    QCOMPARE(w.lessons()->player()->stepIndex(), 2);
    QCOMPARE(pw->next()->text(), QStringLiteral("Next: the end of the lesson"));
    QVERIFY(!pw->preview()->isVisible());
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

void tst_Classroom::teacherRevealsTheAnswerToTheRoom()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("quiz.lesson.md"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("---\ntitle: Quiz\n---\nsentence: The animal didn't cross the street because it was too tired.\n"
            "step: softmax\nselect: it\n\nGuess first.\n\nQuestion: Which word does \"it\" attend to most?\n"
            "answer: click\nexplain: The animal is the one that is tired.\n---\n"
            "\nWhat do the weights do?\n\nQuestion: Each row of weights\n- [ ] sums to 0\n- [x] sums to 1\n"
            "- [ ] is negative\n");
    f.close();
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    MainWindow w(didactic(), &settings);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.lessons()->open(path, 1).isEmpty());
    QTest::keyClick(&w, Qt::Key_F5);
    Presentation *p = w.presentation();
    AudienceWindow *a = p->audience();
    QTest::keyClick(a, Qt::Key_S);
    PresenterWindow *pw = p->presenter();
    // Predict, then reveal, for the room: the result is covered and the question read out; no answer yet.
    QVERIFY(a->resultCovered());
    QVERIFY(a->cover()->geometry().contains(a->heatmap()->geometry().center()));
    QVERIFY(a->narration()->toPlainText().contains(QStringLiteral("Which word does \"it\" attend to most?")));
    QVERIFY(!a->answer()->isVisible());
    QVERIFY(w.stage()->resultHidden());
    QVERIFY(pw->questionHint()->text().contains(QStringLiteral("Press R")));
    QVERIFY(!w.lessons()->player()->isDone(0));
    saveGrab(a, "audience-question");
    QTest::keyClick(pw, Qt::Key_R);
    QVERIFY(p->revealed());
    QVERIFY(!a->resultCovered());
    QVERIFY(!w.stage()->resultHidden());
    QVERIFY(a->answer()->isVisible());
    // The didactic model gives "it" 0.39 on "animal": the answer is the trace's, with the explanation.
    QCOMPARE(a->answer()->text(), QStringLiteral("“it” attends most to “animal”: a weight of 0.39.\nThe animal is the one that is tired."));
    QVERIFY(pw->questionHint()->text().startsWith(QStringLiteral("Revealed to the room: “it” attends most to “animal”")));
    QVERIFY(w.lessons()->player()->isDone(0));
    saveGrab(a, "audience-revealed");
    // The next step's question is a choice: lettered for the room, and a new step starts unrevealed.
    QTest::keyClick(pw, Qt::Key_PageDown);
    QVERIFY(!p->revealed());
    QVERIFY(!a->resultCovered());
    QVERIFY(a->narration()->toPlainText().contains(QStringLiteral("B. sums to 1")));
    QVERIFY(!a->answer()->isVisible());
    QTest::keyClick(a, Qt::Key_R);
    QCOMPARE(a->answer()->text(), QStringLiteral("The answer: B. sums to 1."));
    // Back to the first step: its question is asked again, covered.
    QTest::keyClick(a, Qt::Key_PageUp);
    QVERIFY(a->resultCovered());
    QVERIFY(!a->answer()->isVisible());
    QTest::keyClick(a, Qt::Key_Escape);
}

QTEST_MAIN(tst_Classroom)
#include "tst_classroom.moc"
