// Deep dive: what O(n²) costs. Times attention on this computer for n from 256 to 32,768 (d = 64) with the
// app's own cores and draws each point as it comes: the time with its fit a·n², and the memory of the plain
// path (all n × n scores) against the streaming path's (one tile at a time).
// The measurements run in a worker process, the app's command-line program (`attention-lab-cli bench
// --complexity`, one JSON line per point), so the window's own process stays idle and responsive; Cancel
// kills that process. When it cannot be started or stops unexpectedly, the panel says so and measures the
// remaining sizes in this process, off the GUI thread (QtConcurrent).
// Nothing is measured until Run is pressed (or run() called).
#pragma once

#include "complexity.h"

#include <QByteArray>
#include <QFuture>
#include <QFutureWatcher>
#include <QList>
#include <QProcess>
#include <QString>
#include <QWidget>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace attention {

class ComplexityPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComplexityPanel(QWidget *parent = nullptr);
    ~ComplexityPanel() override; // cancels a run under way and waits for it (at most one call of a path)

    // 256, 512, … 32,768: the plain path is skipped where its scores pass plainLimitBytes().
    static QList<int> defaultSizes();
    static constexpr int kD = 64;

    // Starts measuring these sizes (in order) off the GUI thread; false when a run is already under way.
    // The series are cleared first. Each point is appended as soon as it is measured.
    bool run(const QList<int> &sizes);
    bool run() { return run(defaultSizes()); }
    // Stops the run, keeping the points measured so far, and emits finished(true): the worker process is
    // terminated (killed after 1 s); in this process the run ends after the call under way (the plain and
    // streaming paths stop within a block of rows).
    void cancel();
    bool isRunning() const;

    // The worker program: by default attention-lab-cli beside the application's executable.
    void setWorkerProgram(const QString &program) { m_workerProgram = program; }
    QString workerProgram() const { return m_workerProgram; }
    // The worker process of the run under way, or null (no run, or the run is measuring in this process).
    QProcess *workerProcess() const { return m_worker; }
    // true while the run under way measures in this process (the worker could not be used).
    bool isRunningInProcess() const { return m_running && !m_worker; }

    int threads() const { return m_threads; }
    std::size_t plainLimitBytes() const { return m_plainLimit; }
    const QList<ComplexityPoint> &points() const { return m_points; }
    QuadraticFit plainFit() const;
    QuadraticFit streamingFit() const;

    QPushButton *runButton() const { return m_runButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *fitLabel() const { return m_fitLabel; }
    QLabel *machineLabel() const { return m_machineLabel; }
    QLabel *statusLabel() const { return m_status; }
    // Empty and hidden unless the worker process could not be used: then it says why.
    QLabel *noticeLabel() const { return m_notice; }
    // Time in ms against n; the fits are curves a·n² over 0 … the largest n.
    QLineSeries *plainTimeSeries() const { return m_plainTime; }
    QLineSeries *streamingTimeSeries() const { return m_streamTime; }
    QLineSeries *plainFitSeries() const { return m_plainFit; }
    QLineSeries *streamingFitSeries() const { return m_streamFit; }
    // Memory in MiB against n.
    QLineSeries *plainMemorySeries() const { return m_plainMemory; }
    QLineSeries *streamingMemorySeries() const { return m_streamMemory; }

signals:
    void pointMeasured(int n);
    void finished(bool cancelled);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fitContent(); // the scrolled content as tall as its wrapped texts need at the current width
    void onResults(int begin, int end);
    void onFinished();
    bool startWorker(); // false when the program cannot be started
    void startInProcess(const QList<int> &sizes);
    void onWorkerOutput();
    void onWorkerFinished(int exitCode, QProcess::ExitStatus status);
    void workerFailed(const QString &why); // notice, then measure the remaining sizes in this process
    void stopWorker(bool wait);
    double doneWeight() const; // the share of the run's n² weight already measured, 0 to 1
    void addPoint(const ComplexityPoint &p);
    void updateTexts();
    void setRunning(bool running);

    QScrollArea *m_scroll;
    QWidget *m_content;
    QPushButton *m_runButton;
    QPushButton *m_cancelButton;
    QProgressBar *m_progress;
    QLabel *m_status;
    QLabel *m_notice;
    QLabel *m_fitLabel;
    QLabel *m_machineLabel;
    QLabel *m_capLabel;
    QChartView *m_timeView;
    QChartView *m_memoryView;
    QLineSeries *m_plainTime;
    QLineSeries *m_streamTime;
    QLineSeries *m_plainFit;
    QLineSeries *m_streamFit;
    QLineSeries *m_plainMemory;
    QLineSeries *m_streamMemory;
    QValueAxis *m_timeX;
    QValueAxis *m_timeY;
    QValueAxis *m_memoryX;
    QValueAxis *m_memoryY;

    double m_topMs = 0; // the largest time and memory measured in this run (the axes round them up)
    double m_topMiB = 0;
    int m_threads = 1;
    std::size_t m_plainLimit = 0;
    QList<int> m_sizes;
    QList<ComplexityPoint> m_points;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QFuture<ComplexityPoint> m_future;
    QFutureWatcher<ComplexityPoint> m_watcher;
    bool m_running = false;

    QString m_workerProgram;
    QProcess *m_worker = nullptr;
    QByteArray m_workerBuffer;
    bool m_workerCancelled = false;
};

} // namespace attention
