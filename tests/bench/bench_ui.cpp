// Speed of the things a learner feels: a keystroke at 64 tokens, hovering the heatmap at 1,024 tokens,
// and a whole new trace at 2,048 tokens. Run: build/tests/bench/bench_ui (offscreen), see the README.
#include "attention.h"
#include "heatmapview.h"
#include "mainwindow.h"
#include "modelio.h"

#include <QApplication>
#include <QLineEdit>
#include <QTest>
#include <sys/resource.h>

using namespace attention;

namespace {

QString words(int n)
{
    static const QStringList pool = {"the",     "animal", "street", "it",   "was",  "tired",
                                     "because", "river",  "bank",   "java", "code", "money",
                                     "dog",     "cat",    "ran",    "over", "and",  "a"};
    QStringList out;
    for (int i = 0; i < n; ++i)
        out << pool.at(i % pool.size());
    return out.join(' ');
}

std::shared_ptr<const Model> didactic()
{
    static const ModelLoad loaded = loadModel(QStringLiteral("didactic"));
    return loaded.model;
}

long peakRssKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

class bench_Ui : public QObject
{
    Q_OBJECT
private slots:
    void coreTrace_data();
    void coreTrace();
    void keystrokeToRepaint64Tokens();
    void hoverHeatmap1024Tokens();
    void newSentence2048Tokens();
    void cleanupTestCase();
};

void bench_Ui::coreTrace_data()
{
    QTest::addColumn<int>("tokens");
    for (int n : {12, 64, 512, 1024, 2048})
        QTest::newRow(qPrintable(QStringLiteral("%1 tokens").arg(n))) << n;
}

void bench_Ui::coreTrace()
{
    QFETCH(int, tokens);
    const std::string text = words(tokens).toStdString();
    auto model = didactic();
    QBENCHMARK
    {
        const TraceResult r = traceText(model, text);
        QVERIFY(r.ok());
    }
}

void bench_Ui::keystrokeToRepaint64Tokens()
{
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(words(63));
    w.sentenceField()->setFocus();
    w.sentenceField()->end(false);
    bool add = true;
    // One iteration = one keystroke (a letter, or its deletion) and a full synchronous repaint.
    QBENCHMARK
    {
        QTest::keyClick(w.sentenceField(), add ? Qt::Key_S : Qt::Key_Backspace);
        add = !add;
        w.repaint();
    }
    QVERIFY(w.controller()->trace()->tokenCount() == 63);
}

void bench_Ui::hoverHeatmap1024Tokens()
{
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(words(1024));
    w.controller()->setStep(Step::Softmax);
    HeatmapView *h = w.heatmap();
    h->setCellSize(6);
    QWidget *viewport = h->viewport();
    int k = 0;
    // One iteration = one mouse move onto a new cell, the explanation it triggers, and the repaint.
    QBENCHMARK
    {
        const QRect cell = h->cellRect(k % 40, (k * 7) % 40);
        QTest::mouseMove(viewport, cell.center());
        viewport->repaint();
        ++k;
    }
}

void bench_Ui::newSentence2048Tokens()
{
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.controller()->setStep(Step::Softmax);
    const QString a = words(2048);
    const QString b = QStringLiteral("dog ") + words(2047);
    bool flip = false;
    QBENCHMARK
    {
        w.setSentence(flip ? a : b);
        flip = !flip;
        w.repaint();
    }
    QCOMPARE(w.controller()->trace()->tokenCount(), 2048);
}

void bench_Ui::cleanupTestCase()
{
    qInfo("peak resident memory: %ld MiB", peakRssKiB() / 1024);
}

QTEST_MAIN(bench_Ui)
#include "bench_ui.moc"
