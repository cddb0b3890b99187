// The complexity deep dive's panel: the real Run button measures in a worker process (attention-lab-cli
// bench --complexity), one point per size in each series as it comes, while this process's event loop keeps
// turning and nothing is measured in this process; Cancel kills the worker and keeps the points so far; destroying the
// panel during a run kills the worker; a missing or crashing worker falls back to measuring in this process
// (off the GUI thread), which still finishes; nothing runs before Run.
#include "complexitypanel.h"
#include "fastattention.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <sys/types.h>

using namespace attention;

namespace {
// The panel's worker is the command-line program built beside the tests' (the app's directory has none here).
void useCli(ComplexityPanel &panel)
{
    panel.setWorkerProgram(QStringLiteral(CLI_PATH));
}

bool processGone(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

QByteArray commandLine(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().replace('\0', ' ');
}
} // namespace

class tst_ComplexityPanel : public QObject
{
    Q_OBJECT
private slots:
    void nothingRunsBeforeRun();
    void runButtonMeasuresEverySize();
    void cancelKeepsThePointsSoFar();
    void cancelInsideTheLongestStreamingRun();
    void destroyedDuringARun();
    void runGoesThroughTheWorkerProcess();
    void cancelKillsTheWorker();
    void altRStartsARun();
    void missingWorkerFallsBackInProcess();
    void crashingWorkerFallsBackWithThePointsSoFar();
};

void tst_ComplexityPanel::nothingRunsBeforeRun()
{
    ComplexityPanel panel;
    useCli(panel);
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
    QVERIFY(!panel.workerProcess());
    QVERIFY(panel.noticeLabel()->isHidden());
    QVERIFY(panel.machineLabel()->text().contains(QString::fromLatin1(attentionKernelName())));
    QVERIFY(panel.machineLabel()->text().contains(QStringLiteral("separate process")));
    QCOMPARE(panel.runButton()->text(), QStringLiteral("&Run"));
    QCOMPARE(panel.cancelButton()->text(), QStringLiteral("&Cancel"));
    QCOMPARE(ComplexityPanel::defaultSizes().back(), 32768);
    QVERIFY(ComplexityPanel::defaultSizes().contains(16384));
}

void tst_ComplexityPanel::runButtonMeasuresEverySize()
{
    ComplexityPanel panel;
    useCli(panel);
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
    QVERIFY(panel.workerProcess());
    QVERIFY(!panel.isRunningInProcess());
    QVERIFY(!panel.runButton()->isEnabled());
    QVERIFY(panel.cancelButton()->isEnabled());
    QVERIFY(!panel.run(sizes)); // one run at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(panel.noticeLabel()->isHidden(), qPrintable(panel.noticeLabel()->text()));
    QVERIFY(!panel.workerProcess());
    // The event loop turned while the measurements ran in the worker.
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
    useCli(panel);
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
    useCli(panel);
    panel.show();
    QVERIFY(std::size_t(32768) * 32768 * 4 > panel.plainLimitBytes());
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    QVERIFY(panel.run({32768}));
    QVERIFY(panel.workerProcess());
    QTRY_VERIFY_WITH_TIMEOUT(panel.progressBar()->value() > 0, 60000);
    QVERIFY(panel.progressBar()->value() < panel.progressBar()->maximum());
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 2000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QCOMPARE(panel.points().size(), 0);
    QVERIFY(panel.progressBar()->value() < panel.progressBar()->maximum());
}

void tst_ComplexityPanel::destroyedDuringARun()
{
    auto *panel = new ComplexityPanel;
    useCli(*panel);
    panel->show();
    QVERIFY(panel->run({512, 8192, 16384}));
    QTRY_VERIFY_WITH_TIMEOUT(panel->points().size() >= 1, 60000);
    QVERIFY(panel->isRunning());
    QVERIFY(panel->workerProcess());
    const qint64 pid = panel->workerProcess()->processId();
    delete panel; // kills the worker and waits: no crash, no result delivered to a dead panel
    QVERIFY2(processGone(pid), qPrintable(QString::number(pid)));
    QTest::qWait(50);

    // The same in this process (no worker): the destructor cancels and waits for the call under way.
    panel = new ComplexityPanel;
    panel->setWorkerProgram(QString());
    panel->show();
    QVERIFY(panel->run({512, 8192, 16384}));
    QVERIFY(panel->isRunningInProcess());
    QTRY_VERIFY_WITH_TIMEOUT(panel->points().size() >= 1, 60000);
    delete panel;
    QTest::qWait(50);
}

void tst_ComplexityPanel::runGoesThroughTheWorkerProcess()
{
    ComplexityPanel panel;
    useCli(panel);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    int ticks = 0;
    QTimer timer;
    timer.setInterval(10);
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    timer.start();
    const QList<int> sizes = {1024, 2048, 4096, 8192};
    // The timer's ticks when each point arrives: they grow from point to point, so the event loop kept
    // turning while the worker measured (a count of events, not a speed).
    QList<int> ticksAtPoint;
    connect(&panel, &ComplexityPanel::pointMeasured, this, [&] { ticksAtPoint << ticks; });
    QVERIFY(panel.run(sizes));
    QProcess *worker = panel.workerProcess();
    QVERIFY(worker);
    QVERIFY(!panel.isRunningInProcess()); // the measuring is the child's, not this process's
    QCOMPARE(worker->program(), QStringLiteral(CLI_PATH));
    QVERIFY(worker->waitForStarted(5000));
    const qint64 pid = worker->processId();
    QVERIFY(pid > 0 && pid != QCoreApplication::applicationPid());
    const QString asked = worker->arguments().join(QLatin1Char(' '));
    QVERIFY2(asked.contains(QStringLiteral("bench --complexity --n 1024,2048,4096,8192 --d 64")), qPrintable(asked));
    // The child's own command line, once the kernel shows it (right after the start it can still be empty).
    QTRY_VERIFY2(commandLine(pid).contains("bench --complexity --n 1024,2048,4096,8192 --d 64"),
                 commandLine(pid).constData());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(panel.points().size(), sizes.size());
    QVERIFY(processGone(pid));
    QCOMPARE(ticksAtPoint.size(), sizes.size());
    QVERIFY2(ticksAtPoint.last() > ticksAtPoint.first(),
             qPrintable(QStringLiteral("ticks %1 … %2").arg(ticksAtPoint.first()).arg(ticksAtPoint.last())));
    for (const ComplexityPoint &p : panel.points()) {
        QVERIFY(p.plainRan && p.plainMs > 0 && p.streamingRan && p.streamingMs > 0);
        QCOMPARE(p.plainBytes, std::size_t(p.n) * p.n * sizeof(float));
        QCOMPARE(QByteArray(p.kernel), QByteArray(attentionKernelName()));
        QCOMPARE(p.threads, panel.threads());
    }
    QVERIFY(panel.fitLabel()->text().contains(QStringLiteral("4.0× as long")));
}

void tst_ComplexityPanel::cancelKillsTheWorker()
{
    ComplexityPanel panel;
    useCli(panel);
    panel.show();
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    const QList<int> sizes = {256, 512, 16384, 32768};
    QVERIFY(panel.run(sizes));
    QTRY_VERIFY_WITH_TIMEOUT(panel.points().size() >= 2, 60000);
    QVERIFY(panel.workerProcess());
    const qint64 pid = panel.workerProcess()->processId();
    panel.cancel();
    // A generous wait: the 32,768 run alone would take many seconds, so finishing at all with fewer points
    // than sizes shows the kill (how fast it comes is not a test's business).
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QVERIFY(processGone(pid));
    QVERIFY(!panel.workerProcess());
    const int kept = panel.points().size();
    QVERIFY2(kept >= 2 && kept < sizes.size(), qPrintable(QString::number(kept)));
    QCOMPARE(panel.plainTimeSeries()->count(), kept);
    QCOMPARE(panel.streamingMemorySeries()->count(), kept);
    QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("Cancelled")));
    QVERIFY(panel.noticeLabel()->isHidden()); // a cancel is no failure: nothing falls back
    QTest::qWait(300);
    QCOMPARE(panel.points().size(), kept);
    QVERIFY(!panel.isRunning());
}

void tst_ComplexityPanel::altRStartsARun()
{
    ComplexityPanel panel;
    useCli(panel);
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    // Through the window, as the window system delivers keys, so that the buttons' mnemonics are shortcuts.
    // A mnemonic presses its button as a click animated for 100 ms.
    QTest::keyClick(panel.windowHandle(), Qt::Key_R, Qt::AltModifier);
    QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 2000);
    QVERIFY(panel.workerProcess());
    QTest::keyClick(panel.windowHandle(), Qt::Key_C, Qt::AltModifier);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 2000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
}

void tst_ComplexityPanel::missingWorkerFallsBackInProcess()
{
    ComplexityPanel panel;
    panel.setWorkerProgram(QStringLiteral("/no/such/dir/attention-lab-cli"));
    panel.show();
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    const QList<int> sizes = {64, 128, 256, 512};
    int ticks = 0;
    QTimer timer;
    timer.setInterval(2);
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    timer.start();
    QVERIFY(panel.run(sizes));
    QVERIFY(panel.isRunning());
    QVERIFY(panel.isRunningInProcess());
    QVERIFY(!panel.noticeLabel()->isHidden());
    QVERIFY2(
        panel.noticeLabel()->text().contains(QStringLiteral("/no/such/dir/attention-lab-cli was not found")),
        qPrintable(panel.noticeLabel()->text()));
    QVERIFY(panel.noticeLabel()->text().contains(QStringLiteral("measuring in this process")));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(panel.points().size(), sizes.size());
    QCOMPARE(panel.plainTimeSeries()->count(), sizes.size());
    QVERIFY(ticks > 0);
    QCOMPARE(panel.progressBar()->value(), panel.progressBar()->maximum());

    // A program that exists but fails (exit code 1, no lines) falls back the same way.
    ComplexityPanel other;
    other.setWorkerProgram(QStringLiteral("/bin/false"));
    QSignalSpy otherFinished(&other, &ComplexityPanel::finished);
    QVERIFY(other.run({64, 128}));
    QTRY_COMPARE_WITH_TIMEOUT(otherFinished.count(), 1, 60000);
    QCOMPARE(otherFinished.at(0).at(0).toBool(), false);
    QCOMPARE(other.points().size(), 2);
    QVERIFY2(other.noticeLabel()->text().contains(QStringLiteral("ended with code 1")),
             qPrintable(other.noticeLabel()->text()));
}

void tst_ComplexityPanel::crashingWorkerFallsBackWithThePointsSoFar()
{
    // A worker that measures one size (the real program, on the first n only) and then crashes.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString script = dir.filePath(QStringLiteral("crashing-worker"));
    QFile f(script);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#!/bin/sh\n\"" CLI_PATH
            "\" bench --complexity --n 64 --d 64 --threads 1 | head -n -1\nkill -SEGV $$\n");
    f.close();
    QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

    ComplexityPanel panel;
    panel.setWorkerProgram(script);
    panel.show();
    QSignalSpy finished(&panel, &ComplexityPanel::finished);
    QSignalSpy measured(&panel, &ComplexityPanel::pointMeasured);
    QVERIFY(panel.run({64, 128, 256}));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(measured.count(), 3);
    QCOMPARE(panel.points().size(), 3);
    QCOMPARE(panel.points().at(0).n, 64);
    QCOMPARE(panel.points().at(2).n, 256);
    QCOMPARE(panel.plainMemorySeries()->count(), 3);
    QVERIFY2(panel.noticeLabel()->text().contains(QStringLiteral("stopped unexpectedly")),
             qPrintable(panel.noticeLabel()->text()));
}

QTEST_MAIN(tst_ComplexityPanel)
#include "tst_complexitypanel.moc"
