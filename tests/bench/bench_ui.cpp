// Speed of the things a learner feels: a keystroke at 64 tokens, hovering the heatmap at 1,024 tokens
// (in the window, and the heatmap alone),
// and a whole new trace at 2,048 tokens. Run: build/tests/bench/bench_ui (offscreen), see the README.
#include "attention.h"
#include "heatmapview.h"
#include "mainwindow.h"
#include "modelio.h"

#include <QApplication>
#include <QLineEdit>
#include <QMouseEvent>
#include <QSignalSpy>
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

// The k-th point of a walk over the visible cells: every step lands on another cell.
QPoint spot(const QWidget *viewport, int k)
{
    const int w = std::max(1, viewport->width() - 40);
    const int h = std::max(1, viewport->height() - 40);
    return {20 + (k * 37) % w, 20 + (k * 53) % h};
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
    void hoverHeatmapView1024Tokens();
    void hoverParts_data();
    void hoverParts();
    void newSentence2048Tokens();
    void keystrokeWhileTracing2048Tokens();
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
    QTest::qWait(400); // let the step's 200 ms fade finish: it is not part of a hover
    QSignalSpy hovered(h, &HeatmapView::cellHovered);
    int k = 0;
    // One iteration = one mouse move onto a new cell, the explanation it triggers, and the repaint.
    QBENCHMARK
    {
        QTest::mouseMove(viewport, spot(viewport, k));
        viewport->repaint();
        ++k;
    }
    QVERIFY(hovered.count() >= k / 2); // the walk really moved from cell to cell
}

void bench_Ui::hoverHeatmapView1024Tokens()
{
    // The heatmap on its own, numbers on (the slowest case per repainted cell); it was a timed test with a
    // 16 ms bound, which a loaded machine missed. Here it is a figure to read, not a pass or fail.
    std::srand(2);
    const Eigen::MatrixXd m = Eigen::MatrixXd::Random(1024, 1024).cwiseAbs();
    HeatmapView view;
    view.resize(1200, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(m, {}, {});
    view.setCellSize(40);
    QVERIFY(view.numbersVisible());
    QSignalSpy hovered(&view, &HeatmapView::cellHovered);
    int k = 0;
    // One iteration = one mouse move and the repaint it scheduled.
    QBENCHMARK
    {
        // Kept within 300 × 200 so the points stay on the small offscreen screen even at scale factor 2.
        QTest::mouseMove(view.viewport(), QPoint(5 + (k * 31) % 300, 5 + (k * 17) % 200));
        view.viewport()->repaint();
        ++k;
    }
    QVERIFY(hovered.count() >= k / 2);
}

void bench_Ui::hoverParts_data()
{
    QTest::addColumn<int>("part");
    QTest::newRow("mouse move only") << 0;
    QTest::newRow("hover handler only") << 3;
    QTest::newRow("heatmap repaint only") << 1;
    QTest::newRow("window repaint only") << 2;
}

void bench_Ui::hoverParts()
{
    QFETCH(int, part);
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(words(1024));
    w.controller()->setStep(Step::Softmax);
    HeatmapView *h = w.heatmap();
    h->setCellSize(6);
    QTest::qWait(400); // let the step's 200 ms fade finish
    QSignalSpy hovered(h, &HeatmapView::cellHovered);
    int k = 0;
    QBENCHMARK
    {
        if (part == 0)
            QTest::mouseMove(h->viewport(), spot(h->viewport(), k));
        else if (part == 1)
            h->viewport()->repaint();
        else if (part == 2)
            w.repaint();
        else {
            const QPoint p = spot(h->viewport(), k);
            QMouseEvent move(QEvent::MouseMove, p, h->viewport()->mapToGlobal(p), Qt::NoButton, Qt::NoButton,
                             Qt::NoModifier);
            QApplication::sendEvent(h->viewport(), &move);
        }
        ++k;
    }
    if (part == 0 || part == 3)
        QVERIFY(hovered.count() >= k / 2);
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
        w.controller()->waitForTrace(); // traced off the GUI thread: the whole wait counts here
        flip = !flip;
        w.repaint();
    }
    QCOMPARE(w.controller()->trace()->tokenCount(), 2048);
}

void bench_Ui::keystrokeWhileTracing2048Tokens()
{
    // What a person typing into a 2,048-token text waits for: the GUI thread's share of one keystroke,
    // with the repaint. The trace runs on another thread meanwhile; the keys that come during it merge.
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.controller()->setStep(Step::Softmax);
    w.setSentence(words(2047));
    w.controller()->waitForTrace();
    w.sentenceField()->setFocus();
    w.sentenceField()->end(false);
    bool add = true;
    QBENCHMARK
    {
        QTest::keyClick(w.sentenceField(), add ? Qt::Key_S : Qt::Key_Backspace);
        add = !add;
        w.repaint();
    }
    w.controller()->waitForTrace();
    QCOMPARE(w.controller()->trace()->tokenCount(), 2047);
}

void bench_Ui::cleanupTestCase()
{
    qInfo("peak resident memory: %ld MiB", peakRssKiB() / 1024);
}

QTEST_MAIN(bench_Ui)
#include "bench_ui.moc"
