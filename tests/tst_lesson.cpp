// Lessons: the reader, the checker against real traces, the shipped course, and the command line's check.
#include "lesson.h"
#include "lessonio.h"
#include "modelio.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <set>

using namespace attention;

namespace {

const char *kClassic = "The animal didn't cross the street because it was too tired.";

ModelLoader builtinLoader()
{
    return lessonModelLoader(QString());
}

std::string lesson(const std::string &steps, const std::string &header = "title: Test\nmodel: didactic\n")
{
    return "---\n" + header + "---\n" + steps;
}

QString messages(const std::vector<LessonProblem> &problems)
{
    QStringList out;
    for (const LessonProblem &p : problems)
        out << QString::fromStdString(formatProblem("t", p));
    return out.join(QLatin1Char('\n'));
}

struct Cli
{
    int code;
    QByteArray out, err;
};

Cli runCli(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(CLI_PATH), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace

class tst_Lesson : public QObject
{
    Q_OBJECT
private slots:
    void stepsCarryOverWhatTheyDoNotChange();
    void narrationNotesAndQuestions();
    void malformedLessonsNameEachProblem_data();
    void malformedLessonsNameEachProblem();
    void hostileTextIsRefusedCleanly();
    void claimsAreCheckedAgainstTheTrace();
    void claimsOnTheTrainedModelLayerByLayer();
    void questionsAreAnsweredFromTheTrace();
    void everyShippedLessonIsSound();
    void commandLineChecksAndExitCodes();
};

void tst_Lesson::stepsCarryOverWhatTheyDoNotChange()
{
    const LessonParse p = parseLesson(lesson(std::string("sentence: ") + kClassic +
                                             "\nstep: softmax\nselect: it\nmask: causal\n\nOne.\n---\n"
                                             "step: 3\nhead: avg\n\nTwo.\n---\nsentence: Java programming is fun.\n\nThree.\n"));
    QVERIFY2(p.ok(), qPrintable(messages(p.problems)));
    QCOMPARE(p.lesson.title, std::string("Test"));
    QCOMPARE(p.lesson.steps.size(), std::size_t(3));
    const LessonState &a = p.lesson.steps[0].state, &b = p.lesson.steps[1].state, &c = p.lesson.steps[2].state;
    QCOMPARE(a.step, Step::Softmax);
    QCOMPARE(a.query, std::string("it"));
    QCOMPARE(a.mask, MaskMode::Causal);
    QCOMPARE(a.model, std::string("didactic")); // from the header
    // Step 2 names the step and the head; the sentence, the selection and the mask carry over.
    QCOMPARE(b.step, Step::Scores);
    QCOMPARE(b.head, 0);
    QCOMPARE(b.sentence, a.sentence);
    QCOMPARE(b.query, std::string("it"));
    QCOMPARE(b.mask, MaskMode::Causal);
    // A new sentence has new tokens: the selection goes, the rest stays.
    QCOMPARE(c.sentence, std::string("Java programming is fun."));
    QCOMPARE(c.query, std::string());
    QCOMPARE(c.step, Step::Scores);
    QCOMPARE(p.lesson.steps[2].narration, std::string("Three."));
    // CRLF line ends and a byte-order mark read the same.
    std::string dos = "\xEF\xBB\xBF" + lesson(std::string("sentence: ") + kClassic + "\nstep: softmax\n\nOne.\n");
    for (std::size_t i = 0; (i = dos.find('\n', i)) != std::string::npos; i += 2)
        dos.replace(i, 1, "\r\n");
    const LessonParse d = parseLesson(dos);
    QVERIFY2(d.ok(), qPrintable(messages(d.problems)));
    QCOMPARE(d.lesson.steps[0].state.sentence, std::string(kClassic));
    QCOMPARE(d.lesson.steps[0].narration, std::string("One."));
}

void tst_Lesson::narrationNotesAndQuestions()
{
    const LessonParse p = parseLesson(lesson(
        std::string("sentence: ") + kClassic +
        "\nstep: softmax\nselect: it\n\n# A heading\n\n- a list with *emphasis*: weights\n\nNotes:\nAsk first.\n"
        "Then point.\n\nQuestion: What does a row add up to?\n- [ ] n\n- [x] 1\n- [ ] √d_k\nexplain: Softmax makes it so.\n"
        "---\nQuestion: Where does \"it\" look?\nanswer: click\n---\nQuestion: Compute it.\nanswer: weight(it, animal) ± 0.01\n"));
    QVERIFY2(p.ok(), qPrintable(messages(p.problems)));
    const LessonStep &s = p.lesson.steps[0];
    QVERIFY(s.narration.find("# A heading") == 0);
    QCOMPARE(s.notes, std::string("Ask first.\nThen point."));
    QCOMPARE(s.question.kind, QuestionKind::Choice);
    QCOMPARE(s.question.text, std::string("What does a row add up to?"));
    QCOMPARE(s.question.options.size(), std::size_t(3));
    QCOMPARE(s.question.correct, (std::vector<bool>{false, true, false}));
    QCOMPARE(s.question.explanation, std::string("Softmax makes it so."));
    QCOMPARE(p.lesson.steps[1].question.kind, QuestionKind::Click);
    QCOMPARE(p.lesson.steps[1].question.answer, std::string());
    QCOMPARE(p.lesson.steps[2].question.kind, QuestionKind::Number);
    QCOMPARE(p.lesson.steps[2].question.answer, std::string("weight(it, animal)"));
    QCOMPARE(p.lesson.steps[2].question.tolerance, 0.01);
}

void tst_Lesson::malformedLessonsNameEachProblem_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("where"); // line:step:field
    QTest::addColumn<QString>("says");
    const QString s = QStringLiteral("sentence: %1\n").arg(QLatin1String(kClassic));
    const auto row = [](const char *name, const QString &text, const char *where, const char *says) {
        QTest::newRow(name) << text << QString::fromLatin1(where) << QString::fromUtf8(says);
    };
    row("no header", QStringLiteral("sentence: x\n"), "1:0:file", "header");
    row("unclosed header", QStringLiteral("---\ntitle: x\n"), "1:0:header", "closing");
    row("no title", QStringLiteral("---\nmodel: didactic\n---\n") + s, "1:0:title", "no title");
    row("unknown header key", QStringLiteral("---\ntitle: x\ncolour: red\n---\n") + s, "3:0:colour", "unknown header key");
    row("unknown step key", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("colour: red\n"), "5:1:colour",
        "unknown key");
    row("bad step", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("step: softmaxx\n"), "5:1:step",
        "“softmaxx” is not a step");
    row("bad mask", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("mask: future\n"), "5:1:mask", "not a mask");
    row("bad switch", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("scale: maybe\n"), "5:1:scale",
        "neither on nor off");
    row("zoom out of range", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("zoom: 900%\n"), "5:1:zoom",
        "60% to 300%");
    row("decimals", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("decimals: 9\n"), "5:1:decimals", "0 to 6");
    row("panel", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("panel: chat\n"), "5:1:panel", "not one of");
    row("no sentence", QStringLiteral("---\ntitle: x\n---\nstep: softmax\n"), "4:1:sentence", "no sentence yet");
    row("setting after narration", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("\nText.\nselect: it\n"),
        "7:1:select", "after the narration");
    row("empty step", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("---\n---\n") + s, "6:2:file",
        "empty step");
    row("one option", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("\nQuestion: Which?\n- [x] a\n"),
        "6:1:question", "at least two options");
    row("nothing marked right", QStringLiteral("---\ntitle: x\n---\n") + s +
                                    QStringLiteral("\nQuestion: Which?\n- [ ] a\n- [ ] b\n"),
        "6:1:question", "no option is marked right");
    row("no answer", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("\nQuestion: Which?\n"), "6:1:answer",
        "neither options");
    row("token not in sentence", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("select: elephant\n"),
        "5:1:select", "“elephant” is not a token of the sentence");
    row("position spelled wrong", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("select: it#3\n"),
        "5:1:select", "token 3 is “cross”");
    row("layer out of range", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("layer: 2\n"), "5:1:layer",
        "has 1 layer");
    row("head out of range", QStringLiteral("---\ntitle: x\nmodel: trained\n---\n") + s + QStringLiteral("head: 3\n"),
        "6:1:head", "has 2 head");
    row("unknown model", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("model: nosuch\n"), "5:1:model",
        "nosuch");
    row("failing claim", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("expect: it -> street\n"),
        "5:1:expect", "“it” attends most to “animal” (0.39), not to “street” (0.09)");
    row("bad claim", QStringLiteral("---\ntitle: x\n---\n") + s + QStringLiteral("expect: it is tired\n"), "5:1:expect",
        "not a claim");
    row("wrong click answer", QStringLiteral("---\ntitle: x\n---\n") + s +
                                  QStringLiteral("select: it\n\nQuestion: Where?\nanswer: click street\n"),
        "7:1:answer", "attends most to “animal”");
    row("number answer not computable", QStringLiteral("---\ntitle: x\n---\n") + s +
                                            QStringLiteral("\nQuestion: How much?\nanswer: weight(it, zebra)\n"),
        "6:1:answer", "“zebra” is not a token");
    row("compare word missing", QStringLiteral("---\ntitle: x\n---\n") + s +
                                    QStringLiteral("compare: the bank | the river | money\n"),
        "5:1:compare", "“money” is not a token");
}

void tst_Lesson::malformedLessonsNameEachProblem()
{
    QFETCH(QString, text);
    QFETCH(QString, where);
    QFETCH(QString, says);
    const LessonParse parse = parseLesson(text.toStdString());
    const std::vector<LessonProblem> problems = checkLesson(parse, builtinLoader());
    bool found = false;
    for (const LessonProblem &p : problems)
        found = found || (QStringLiteral("%1:%2:%3").arg(p.line).arg(p.step).arg(QString::fromStdString(p.field)) == where &&
                          QString::fromStdString(p.message).contains(says));
    QVERIFY2(found, qPrintable(QStringLiteral("wanted %1 “%2”, got:\n%3").arg(where, says, messages(problems))));
}

void tst_Lesson::hostileTextIsRefusedCleanly()
{
    // Not UTF-8, too large, a NUL, nothing at all, a flood of steps: a message each, never a crash.
    QVERIFY(!parseLesson("---\ntitle: \xFF\xFE\n---\n").ok());
    QVERIFY(QString::fromStdString(parseLesson("---\ntitle: \xC3\n---\n").problems[0].message).contains(QStringLiteral("UTF-8")));
    QVERIFY(!parseLesson(std::string(kMaxLessonBytes + 1, 'a')).ok());
    QVERIFY(!parseLesson(std::string("---\ntitle: a\0b\n---\n", 20)).ok());
    QVERIFY(!parseLesson("").ok());
    QVERIFY(!parseLesson("---\ntitle: x\n---\n").ok()); // no steps
    std::string many = "---\ntitle: x\n---\n";
    for (int i = 0; i < kMaxLessonSteps + 20; ++i)
        many += "sentence: a b\n---\n";
    const LessonParse p = parseLesson(many);
    QCOMPARE(int(p.lesson.steps.size()), kMaxLessonSteps);
    QVERIFY(QString::fromStdString(p.problems.back().message).contains(QStringLiteral("at most 500 steps")));
    // A claim cannot run away: malformed expressions are messages.
    const LessonParse q = parseLesson(lesson(std::string("sentence: ") + kClassic +
                                             "\nexpect: weight(it\nexpect: weight(,,,) > 1\nexpect: rowsum() = \nexpect: ->\n"));
    const std::vector<LessonProblem> problems = checkLesson(q, builtinLoader());
    QCOMPARE(int(problems.size()), 4);
    for (const LessonProblem &pr : problems)
        QCOMPARE(pr.field, std::string("expect"));
}

void tst_Lesson::claimsAreCheckedAgainstTheTrace()
{
    LessonState s;
    s.sentence = kClassic;
    s.step = Step::Softmax;
    TraceResult r = traceLessonState(s, builtinLoader());
    QVERIFY(r.ok());
    const Eigen::MatrixXd w = lessonWeights(r.trace, s);
    const double itAnimal = w(7, 1);
    QVERIFY(itAnimal > 0.3 && itAnimal < 0.5); // the didactic model: 0.39
    QCOMPARE(evaluateClaim("it -> animal", r.trace, s), std::string());
    QCOMPARE(evaluateClaim("\"it\" -> \u201Canimal\u201D", r.trace, s), std::string());
    QCOMPARE(evaluateClaim("it#7 -> animal#1", r.trace, s), std::string());
    QVERIFY(!evaluateClaim("it -> street", r.trace, s).empty());
    QCOMPARE(evaluateClaim("weight(it, animal) > 0.3", r.trace, s), std::string());
    QVERIFY(!evaluateClaim("weight(it, animal) > 0.5", r.trace, s).empty());
    QCOMPARE(evaluateClaim("weight(it, animal) > weight(it, street)", r.trace, s), std::string());
    QVERIFY(!evaluateClaim("weight(it, animal) < weight(it, street)", r.trace, s).empty());
    // "=" holds as far as the number is written, or within the stated tolerance.
    const std::string two = QString::number(itAnimal, 'f', 2).toStdString();
    QCOMPARE(evaluateClaim("weight(it, animal) = " + two, r.trace, s), std::string());
    QVERIFY(!evaluateClaim("weight(it, animal) = " + QString::number(itAnimal + 0.02, 'f', 2).toStdString(), r.trace, s)
                 .empty());
    QCOMPARE(evaluateClaim("weight(it, animal) = " + QString::number(itAnimal + 0.02, 'f', 2).toStdString() + " ± 0.03",
                           r.trace, s),
             std::string());
    QCOMPARE(evaluateClaim("rowsum(it) = 1", r.trace, s), std::string());
    QCOMPARE(evaluateClaim("rowsum(because) = 1 ± 1e-9", r.trace, s), std::string());
    // Scores are Q·Kᵀ; scaled divides them by √d_k = √8.
    const HeadTrace &h = r.trace.layers[0].heads[0];
    QVERIFY(std::abs(h.scaled(7, 1) - h.scores(7, 1) / std::sqrt(8.0)) < 1e-12);
    QCOMPARE(evaluateClaim("score(it, animal) > scaled(it, animal)", r.trace, s), std::string());
    // With the causal mask, "it" cannot see what comes after it.
    s.mask = MaskMode::Causal;
    r = traceLessonState(s, builtinLoader());
    QCOMPARE(evaluateClaim("weight(it, tired) = 0", r.trace, s), std::string());
    QCOMPARE(evaluateClaim("weight(The, The) = 1", r.trace, s), std::string());
}

void tst_Lesson::claimsOnTheTrainedModelLayerByLayer()
{
    // The example of every lesson on "it": the trained model's last layer, averaged over its heads.
    LessonState s;
    s.model = "trained";
    s.sentence = kClassic;
    s.layer = 2;
    s.head = 0;
    TraceResult r = traceLessonState(s, builtinLoader());
    QVERIFY(r.ok());
    QCOMPARE(evaluateClaim("it -> animal", r.trace, s), std::string());
    const Eigen::MatrixXd mean = lessonWeights(r.trace, s);
    const Eigen::MatrixXd h1 = r.trace.layers[1].heads[0].weights, h2 = r.trace.layers[1].heads[1].weights;
    QVERIFY(((h1 + h2) / 2 - mean).cwiseAbs().maxCoeff() < 1e-12);
    s.sentence = "The animal didn't cross the street because it was too wide.";
    r = traceLessonState(s, builtinLoader());
    QCOMPARE(evaluateClaim("it -> street", r.trace, s), std::string());
}

void tst_Lesson::questionsAreAnsweredFromTheTrace()
{
    const LessonParse p = parseLesson(lesson(std::string("sentence: ") + kClassic +
                                             "\nselect: it\n\nQuestion: Where?\nanswer: click\n---\n"
                                             "Question: How much?\nanswer: weight(it, animal) ± 0.01\n"));
    QVERIFY(p.ok());
    const TraceResult r = traceLessonState(p.lesson.steps[0].state, builtinLoader());
    std::string error;
    QCOMPARE(clickAnswer(p.lesson.steps[0], r.trace, &error), 1); // animal
    const std::optional<double> v = numberAnswer(p.lesson.steps[1], r.trace, &error);
    QVERIFY(v);
    QCOMPARE(*v, lessonWeights(r.trace, p.lesson.steps[1].state)(7, 1));
    const double tol = p.lesson.steps[1].question.tolerance;
    bool readable = false;
    QVERIFY(numberMatches(QString::number(*v, 'f', 2).toStdString(), *v, tol, &readable) && readable);
    QVERIFY(numberMatches(QString::number(*v + 0.009, 'f', 3).replace('.', ',').toStdString(), *v, tol));
    QVERIFY(!numberMatches(QString::number(*v + 0.02, 'f', 2).toStdString(), *v, tol, &readable) && readable);
    QVERIFY(!numberMatches("about a third", *v, tol, &readable) && !readable);
    QVERIFY(checkLesson(p, builtinLoader()).empty());
}

void tst_Lesson::everyShippedLessonIsSound()
{
    const QStringList lessons = shippedLessons();
    QVERIFY(!lessons.isEmpty());
    int steps = 0, claims = 0;
    std::set<std::string> panels;
    for (const QString &path : lessons) {
        const LessonFile file = readLesson(path);
        QVERIFY2(file.error.isEmpty(), qPrintable(file.error));
        const QStringList problems = checkLessonFile(path);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY2(!file.parse.lesson.title.empty(), qPrintable(path));
        steps += int(file.parse.lesson.steps.size());
        for (const LessonStep &s : file.parse.lesson.steps) {
            claims += int(s.claims.size());
            panels.insert(s.state.panel);
        }
        // Each lesson ends with a question.
        QVERIFY2(file.parse.lesson.steps.back().question.kind != QuestionKind::None, qPrintable(path));
    }
    qInfo("%lld lessons, %d steps, %d claims checked", static_cast<long long>(lessons.size()), steps, claims);
    // The course opens every deep dive from the lesson that talks about it.
    for (const char *dive : {"scaling", "masking", "complexity", "multihead", "rnn"})
        QVERIFY2(panels.count(dive) == 1, dive);
    QVERIFY(claims >= int(lessons.size()));
}

void tst_Lesson::commandLineChecksAndExitCodes()
{
    // The shipped course: no output, exit 0.
    Cli all = runCli({QStringLiteral("lessons"), QStringLiteral("--check")});
    QVERIFY2(all.code == 0, all.out.constData());
    QVERIFY(all.out.isEmpty());
    // A bad file: one line per problem, file:line: step N: field: message, and exit 1.
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.lesson.md"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(lesson(std::string("sentence: ") + kClassic + "\nselect: elephant\nexpect: it -> street\n").c_str());
    f.close();
    Cli one = runCli({QStringLiteral("lessons"), QStringLiteral("--check"), bad});
    QCOMPARE(one.code, 1);
    const QStringList lines = QString::fromUtf8(one.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(bad + QStringLiteral(":6: step 1: select: ")), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(bad + QStringLiteral(":7: step 1: expect: ")), qPrintable(lines[1]));
    // A file that is not there, and a folder, are problems too; a wrong option is a usage error (2).
    Cli missing = runCli({QStringLiteral("lessons"), QStringLiteral("--check"), dir.filePath(QStringLiteral("none.md"))});
    QCOMPARE(missing.code, 1);
    QVERIFY(!missing.out.isEmpty());
    QCOMPARE(runCli({QStringLiteral("lessons"), QStringLiteral("--check"), dir.path()}).code, 1);
    QCOMPARE(runCli({QStringLiteral("lessons"), QStringLiteral("--frobnicate")}).code, 2);
    // A model beside the lesson is found there.
    QVERIFY(QFile::copy(QStringLiteral(":/models/didactic.json"), dir.filePath(QStringLiteral("mine.json"))));
    const QString beside = dir.filePath(QStringLiteral("beside.lesson.md"));
    QFile g(beside);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(lesson(std::string("sentence: ") + kClassic + "\nselect: it\nexpect: it -> animal\n",
                   "title: Beside\nmodel: mine.json\n")
                .c_str());
    g.close();
    Cli ok = runCli({QStringLiteral("lessons"), QStringLiteral("--check"), beside});
    QVERIFY2(ok.code == 0, ok.out.constData());
}

QTEST_MAIN(tst_Lesson)
#include "tst_lesson.moc"
