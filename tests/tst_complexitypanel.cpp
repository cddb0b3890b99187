// The complexity deep dive's panel: the real Run button measures off the GUI thread, one point per size in
// each series as it comes, while the event loop keeps turning; Cancel stops a long run with the points so
// far; destroying the panel during a run is safe; nothing runs before Run.
#include "complexitypanel.h"
#include "fastattention.h"

#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace attention;

class tst_ComplexityPanel : public QObject
{
    Q_OBJECT
private slots:
    void nothingRunsBeforeRun();
    void runButtonMeasuresEverySize();
    void cancelKeepsThePointsSoFar();
    void cancelInsideTheLongestStreamingRun();
    void destroyedDuringARun();
};

void tst_ComplexityPanel::nothingRunsBeforeRun()
{
    ComplexityPanel panel;
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(50);
    QVERIFY(!panel.isRunning());
    QVERIFY(panel.points().isEmpty());
    QCOMPARE(panel.plainTimeSeries()->count(), 0);
    QCOMPARE(panel.progressBar()->value(), 0);
    QVERIFY(panel.runButton()->isEnabled());
    QVERIFY(!panel.cancelButton()->isEnabled());
    QVERIFY(panel.machineLabel()->text().contains(QString::fromLatin1(attentionKernelName())));
    QCOMPARE(ComplexityPanel::defaultSizes().back(), 32768);
    QVERIFY(ComplexityPanel::defaultSizes().contains(16384));
}

void tst_ComplexityPanel::runButtonMeasuresEverySize()
{
    ComplexityPanel panel;
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    QSignalSpy measured(&panel, &ComplexityPanel::pointMeasured);

    // The Run button starts the default sizes; this test stops that and runs small ones.
    const QList<int> sizes = {64, 128, 256, 512, 1024, 2048};
    int ticks = 0;
    QTimer timer;
    timer.setInterval(2);
    connect(&timer, &QTimer::timeout, this, [&] {
        if (panel.isRunning())
            ++ticks;
    });
    timer.start();
    QVERIFY(panel.run(sizes));
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.runButton()->isEnabled());
    QVERIFY(panel.cancelButton()->isEnabled());
    QVERIFY(!panel.run(sizes)); // one run at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    // The event loop turned while the measurements ran on another thread.
    QVERIFY2(ticks > 0, qPrintable(QString::number(ticks)));

    QCOMPARE(measured.count(), sizes.size());
    QCOMPARE(panel.points().size(), sizes.size());
    for (QLineSeries *s : {panel.plainTimeSeries(), panel.streamingTimeSeries(), panel.plainMemorySeries(),
                           panel.streamingMemorySeries()}) {
        QCOMPARE(s->count(), sizes.size());
        for (int i = 0; i < s->count(); ++i) {
            QCOMPARE(int(s->at(i).x()), sizes[i]);
            QVERIFY(s->at(i).y() > 0);
        }
    }
    // Memory rises with n: ×4 per doubling for the plain path, at most ×2 for the streaming one.
    for (int i = 1; i < sizes.size(); ++i) {
        const double plain = panel.plainMemorySeries()->at(i).y() / panel.plainMemorySeries()->at(i - 1).y();
        const double stream =
            panel.streamingMemorySeries()->at(i).y() / panel.streamingMemorySeries()->at(i - 1).y();
        QVERIFY2(std::abs(plain - 4.0) < 0.05, qPrintable(QString::number(plain)));
        QVERIFY2(stream > 1.0 && stream <= 2.0 + 1e-9, qPrintable(QString::number(stream)));
    }
    // The fit curves are drawn and described, with the numbers of the fit itself.
    QVERIFY(panel.plainFitSeries()->count() > 2);
    QVERIFY(panel.streamingFitSeries()->count() > 2);
    const QuadraticFit fit = panel.plainFit();
    QVERIFY(fit.ok && fit.a > 0);
    QCOMPARE(fit.points, sizes.size());
    QVERIFY(std::abs(panel.plainFitSeries()->at(64).y() - fit.at(2048)) < 1e-9 * fit.at(2048));
    QVERIFY2(panel.fitLabel()->text().contains(QStringLiteral("n², R² = ")),
             qPrintable(panel.fitLabel()->text()));
    QVERIFY(panel.fitLabel()->text().contains(QStringLiteral("4.0× as long")));
    QCOMPARE(panel.progressBar()->value(), panel.progressBar()->maximum());
    QVERIFY(panel.runButton()->isEnabled());
    QVERIFY(!panel.isRunning());

    // The real Run button starts a run (the default sizes); Cancel stops it.
    QTest::mouseClick(panel.runButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QCOMPARE(panel.points().size(), 0);
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
    QCOMPARE(finished.at(1).at(0).toBool(), true);
    QVERIFY(panel.points().size() < ComplexityPanel::defaultSizes().size());
}

void tst_ComplexityPanel::cancelKeepsThePointsSoFar()
{
    ComplexityPanel panel;
    panel.show();
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    const QList<int> sizes = {256, 512, 4096, 8192, 16384, 32768};
    QVERIFY(panel.run(sizes));
    QTRY_VERIFY_WITH_TIMEOUT(panel.points().size() >= 2, 60000);
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    const int kept = panel.points().size();
    QVERIFY2(kept >= 2 && kept < sizes.size(), qPrintable(QString::number(kept)));
    QCOMPARE(panel.streamingTimeSeries()->count(), kept);
    QVERIFY(!panel.isRunning());
    QVERIFY(panel.runButton()->isEnabled());
    QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("Cancelled")));
}

void tst_ComplexityPanel::cancelInsideTheLongestStreamingRun()
{
    // n = 32,768 alone: the plain path is over the memory cap (4 GiB of scores), the streaming path takes
    // seconds; Cancel once the progress bar has moved stops it inside that one run.
    ComplexityPanel panel;
    panel.show();
    QVERIFY(std::size_t(32768) * 32768 * 4 > panel.plainLimitBytes());
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    QVERIFY(panel.run({32768}));
    QTRY_VERIFY_WITH_TIMEOUT(panel.progressBar()->value() > 0, 60000);
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QCOMPARE(panel.points().size(), 0);
    QVERIFY(panel.progressBar()->value() < panel.progressBar()->maximum());
}

void tst_ComplexityPanel::destroyedDuringARun()
{
    auto *panel = new ComplexityPanel;
    panel->show();
    QVERIFY(panel->run({512, 8192, 16384}));
    QTRY_VERIFY_WITH_TIMEOUT(panel->points().size() >= 1, 60000);
    QVERIFY(panel->isRunning());
    delete panel; // cancels and waits: no crash, no result delivered to a dead panel
    QTest::qWait(50);
}

QTEST_MAIN(tst_ComplexityPanel)
#include "tst_complexitypanel.moc"
