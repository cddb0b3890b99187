#include "complexitypanel.h"
#include "fastattention.h"

#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPen>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QScrollArea>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace attention {

namespace {
const QColor kPlainColor(214, 96, 77);
const QColor kStreamColor(67, 147, 195);
constexpr double kMiB = 1024.0 * 1024.0;

QString count(long long n)
{
    return QLocale().toString(n);
}
QString mib(std::size_t bytes)
{
    const double m = double(bytes) / kMiB;
    return QLocale().toString(m, 'f', m < 10 ? 1 : 0) + QStringLiteral(" MiB");
}
QString msText(double ms)
{
    return QLocale().toString(ms, 'f', ms < 10 ? 2 : (ms < 100 ? 1 : 0)) + QStringLiteral(" ms");
}

QLineSeries *makeSeries(const QString &name, const QColor &color, bool dashed)
{
    auto *s = new QLineSeries;
    s->setName(name);
    QPen pen(color);
    pen.setWidthF(dashed ? 1.5 : 2.5);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    s->setPen(pen);
    s->setPointsVisible(!dashed);
    return s;
}

QChartView *makeChart(QWidget *parent, const QString &title, const QList<QLineSeries *> &series,
                      QValueAxis *x, QValueAxis *y)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    for (QLineSeries *s : series)
        chart->addSeries(s);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries *s : series) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(240);
    return view;
}

// One line of `attention-lab-cli bench --complexity` as a point; false when it is not a point (progress,
// end).
bool pointFromJson(const QJsonObject &o, ComplexityPoint *p)
{
    if (!o.contains(QStringLiteral("plain")) || !o.contains(QStringLiteral("n")))
        return false;
    p->n = o.value(QStringLiteral("n")).toInt();
    p->d = o.value(QStringLiteral("d")).toInt();
    p->threads = o.value(QStringLiteral("threads")).toInt(1);
    const QString kernel = o.value(QStringLiteral("kernel")).toString();
    p->kernel =
        kernel == QLatin1String("avx2") ? "avx2" : (kernel == QLatin1String("generic") ? "generic" : "");
    const QJsonObject plain = o.value(QStringLiteral("plain")).toObject();
    p->plainSkipped = plain.value(QStringLiteral("skipped")).toBool();
    p->plainEstimateBytes = std::size_t(double(p->n) * p->n * sizeof(float));
    if (p->plainSkipped) {
        p->plainEstimateBytes = std::size_t(plain.value(QStringLiteral("estimate_bytes")).toDouble());
    } else if (plain.contains(QStringLiteral("ms"))) {
        p->plainRan = true;
        p->plainMs = plain.value(QStringLiteral("ms")).toDouble();
        p->plainBytes = std::size_t(plain.value(QStringLiteral("bytes")).toDouble());
        p->plainRuns = plain.value(QStringLiteral("runs")).toInt();
    }
    const QJsonObject stream = o.value(QStringLiteral("streaming")).toObject();
    if (stream.contains(QStringLiteral("ms"))) {
        p->streamingRan = true;
        p->streamingMs = stream.value(QStringLiteral("ms")).toDouble();
        p->streamingBytes = std::size_t(stream.value(QStringLiteral("bytes")).toDouble());
        p->streamingRuns = stream.value(QStringLiteral("runs")).toInt();
    }
    return p->n > 0;
}

QValueAxis *makeAxis(const QString &title, const QString &format)
{
    auto *a = new QValueAxis;
    a->setTitleText(title);
    a->setLabelFormat(format);
    a->setTickCount(5);
    a->setRange(0, 1);
    return a;
}
} // namespace

QList<int> ComplexityPanel::defaultSizes()
{
    return {256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
}

ComplexityPanel::ComplexityPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("complexityPanel"));
    m_threads = std::max(1, QThread::idealThreadCount());
    m_plainLimit = defaultPlainLimitBytes();
    m_workerProgram = QCoreApplication::applicationDirPath() + QStringLiteral("/attention-lab-cli");

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    m_scroll = scroll;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    m_content = content;
    scroll->setWidget(content);
    auto *v = new QVBoxLayout(content);

    auto *title = new QLabel(tr("<b>What does O(n²) cost?</b>"), content);
    auto *intro = new QLabel(
        tr("Every token is scored against every other token: n² scores. Press Run to time one head "
           "(d = %1) on this computer, from %2 to %3 tokens. The plain way keeps all n² scores in memory; "
           "the streaming way keeps one tile of them at a time.")
            .arg(kD)
            .arg(count(defaultSizes().front()))
            .arg(count(defaultSizes().back())),
        content);
    intro->setWordWrap(true);
    v->addWidget(title);
    v->addWidget(intro);

    auto *buttons = new QHBoxLayout;
    m_runButton = new QPushButton(tr("&Run"), content);
    m_cancelButton = new QPushButton(tr("&Cancel"), content);
    m_cancelButton->setEnabled(false);
    m_progress = new QProgressBar(content);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setAccessibleName(tr("Measurement progress"));
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_progress, 1);
    v->addLayout(buttons);

    m_status = new QLabel(tr("Not run yet."), content);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    v->addWidget(m_status);
    m_notice = new QLabel(content);
    m_notice->setWordWrap(true);
    m_notice->setTextFormat(Qt::PlainText);
    m_notice->hide();
    v->addWidget(m_notice);

    m_plainTime = makeSeries(tr("plain (n × n)"), kPlainColor, false);
    m_streamTime = makeSeries(tr("streaming"), kStreamColor, false);
    m_plainFit = makeSeries(tr("a·n² fit"), kPlainColor, true);
    m_streamFit = makeSeries(tr("a·n² fit"), kStreamColor, true);
    m_timeX = makeAxis(tr("n (tokens)"), QStringLiteral("%d"));
    m_timeY = makeAxis(tr("ms"), QStringLiteral("%.0f"));
    m_timeView = makeChart(content, tr("Time (dashed: the a·n² fits)"),
                           {m_plainTime, m_plainFit, m_streamTime, m_streamFit}, m_timeX, m_timeY);
    // Two entries in the legend, not four: at the dock's narrowest its names would be cut short.
    for (QLineSeries *fit : {m_plainFit, m_streamFit})
        for (QLegendMarker *marker : m_timeView->chart()->legend()->markers(fit))
            marker->setVisible(false);
    v->addWidget(m_timeView, 1);

    m_fitLabel = new QLabel(content);
    m_fitLabel->setWordWrap(true);
    m_fitLabel->setTextFormat(Qt::PlainText);
    v->addWidget(m_fitLabel);

    m_plainMemory = makeSeries(tr("plain (n × n)"), kPlainColor, false);
    m_streamMemory = makeSeries(tr("streaming"), kStreamColor, false);
    m_memoryX = makeAxis(tr("n (tokens)"), QStringLiteral("%d"));
    m_memoryY = makeAxis(tr("MiB"), QStringLiteral("%.0f"));
    m_memoryView =
        makeChart(content, tr("Working memory"), {m_plainMemory, m_streamMemory}, m_memoryX, m_memoryY);
    v->addWidget(m_memoryView, 1);

    const std::size_t biggest = std::size_t(defaultSizes().back()) * std::size_t(defaultSizes().back()) * 4;
    m_capLabel = new QLabel(content);
    m_capLabel->setWordWrap(true);
    m_capLabel->setTextFormat(Qt::PlainText);
    m_capLabel->setText(
        tr("Memory counts each path's own buffers, as the path reports them (the inputs and the output are "
           "the same for both). The plain path is skipped where its scores would pass %1 (a quarter of the "
           "free memory, at most 2 GiB): at %2 tokens they alone would take %3.%4")
            .arg(mib(m_plainLimit))
            .arg(count(defaultSizes().back()))
            .arg(mib(biggest))
            .arg(biggest > m_plainLimit ? tr(" The streaming path goes on.") : QString()));
    v->addWidget(m_capLabel);

    m_machineLabel = new QLabel(content);
    m_machineLabel->setWordWrap(true);
    m_machineLabel->setTextFormat(Qt::PlainText);
    m_machineLabel->setText(tr("The measurements run in a separate process, so this window never stalls. "
                               "Kernel: %1, %2 threads. A time is the median of up to 3 runs (one run from "
                               "250 ms). Other programs running at the same time make it slower.")
                                .arg(QString::fromLatin1(attentionKernelName()))
                                .arg(m_threads));
    v->addWidget(m_machineLabel);

    connect(m_runButton, &QPushButton::clicked, this, [this] { run(); });
    connect(m_cancelButton, &QPushButton::clicked, this, &ComplexityPanel::cancel);
    connect(&m_watcher, &QFutureWatcher<ComplexityPoint>::resultsReadyAt, this, &ComplexityPanel::onResults);
    connect(&m_watcher, &QFutureWatcher<ComplexityPoint>::progressValueChanged, m_progress,
            &QProgressBar::setValue);
    connect(&m_watcher, &QFutureWatcher<ComplexityPoint>::finished, this, &ComplexityPanel::onFinished);
    updateTexts();
    scroll->viewport()->installEventFilter(this);
}

bool ComplexityPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize)
        fitContent();
    return QWidget::eventFilter(watched, event);
}

void ComplexityPanel::fitContent()
{
    // A scroll area sizes its widget from the layout's minimum size, which ignores how tall wrapped text
    // becomes at a given width; without this the texts would be squeezed under the charts.
    // Each wrapped text is held at the height it needs at the width it will have, then the whole content.
    QLayout *layout = m_content->layout();
    if (!layout)
        return;
    const QMargins margins = layout->contentsMargins();
    const int width = m_scroll->viewport()->width() - margins.left() - margins.right();
    for (QLabel *label : m_content->findChildren<QLabel *>(QString(), Qt::FindDirectChildrenOnly))
        if (label->wordWrap() && !label->isHidden()) {
            // A label's heightForWidth never goes below its minimum height: clear it first, or a height set
            // at a narrow width would stay when the panel widens (a gap under the text).
            label->setMinimumHeight(0);
            label->setMinimumHeight(std::max(0, label->heightForWidth(width)));
        }
    if (layout->hasHeightForWidth())
        m_content->setMinimumHeight(layout->heightForWidth(m_scroll->viewport()->width()));
}

ComplexityPanel::~ComplexityPanel()
{
    stopWorker(true);
    if (m_cancel)
        m_cancel->store(true);
    m_watcher.disconnect(this);
    m_future.waitForFinished();
}

bool ComplexityPanel::isRunning() const
{
    return m_running;
}

void ComplexityPanel::setRunning(bool running)
{
    m_running = running;
    m_runButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
}

bool ComplexityPanel::run(const QList<int> &sizes)
{
    if (m_running || sizes.isEmpty())
        return false;
    m_sizes = sizes;
    m_points.clear();
    for (QLineSeries *s : {m_plainTime, m_streamTime, m_plainFit, m_streamFit, m_plainMemory, m_streamMemory})
        s->clear();
    const int top = *std::max_element(sizes.begin(), sizes.end());
    m_timeX->setRange(0, top);
    m_memoryX->setRange(0, top);
    m_timeY->setRange(0, 1);
    m_memoryY->setRange(0, 1);
    m_topMs = m_topMiB = 0;
    m_progress->setValue(0);
    m_status->setText(tr("Measuring n = %1…").arg(count(sizes.front())));
    updateTexts();

    m_notice->clear();
    m_notice->hide();
    setRunning(true);
    m_workerCancelled = false;
    if (!startWorker())
        workerFailed(tr("The measuring program %1 was not found").arg(m_workerProgram));
    return true;
}

double ComplexityPanel::doneWeight() const
{
    double total = 0, done = 0;
    for (int i = 0; i < m_sizes.size(); ++i) {
        const double w = double(m_sizes[i]) * m_sizes[i];
        total += w;
        if (i < m_points.size())
            done += w;
    }
    return total > 0 ? done / total : 0;
}

bool ComplexityPanel::startWorker()
{
    const QFileInfo program(m_workerProgram);
    if (m_workerProgram.isEmpty() || !program.isFile() || !program.isExecutable())
        return false;
    QStringList ns;
    for (int n : m_sizes)
        ns << QString::number(n);
    m_worker = new QProcess(this);
    m_workerBuffer.clear();
    m_worker->setProcessChannelMode(QProcess::SeparateChannels);
    m_worker->setStandardInputFile(QProcess::nullDevice());
#ifdef Q_OS_LINUX
    // The worker dies with this process, even when this one is killed.
    m_worker->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    connect(m_worker, &QProcess::readyReadStandardOutput, this, &ComplexityPanel::onWorkerOutput);
    connect(m_worker, &QProcess::finished, this, &ComplexityPanel::onWorkerFinished);
    QProcess *worker = m_worker;
    connect(
        m_worker, &QProcess::errorOccurred, this,
        [this, worker](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart && worker == m_worker)
                workerFailed(tr("The measuring program %1 could not be started (%2)")
                                 .arg(m_workerProgram, worker->errorString()));
        },
        Qt::QueuedConnection);
    m_worker->start(m_workerProgram,
                    {QStringLiteral("bench"), QStringLiteral("--complexity"), QStringLiteral("--n"),
                     ns.join(QLatin1Char(',')), QStringLiteral("--d"), QString::number(kD),
                     QStringLiteral("--threads"), QString::number(std::min(m_threads, 256)),
                     QStringLiteral("--plain-limit-bytes"), QString::number(qulonglong(m_plainLimit))});
    return true;
}

void ComplexityPanel::onWorkerOutput()
{
    if (!m_worker)
        return;
    m_workerBuffer += m_worker->readAllStandardOutput();
    for (int end; (end = m_workerBuffer.indexOf('\n')) >= 0;) {
        const QByteArray line = m_workerBuffer.left(end);
        m_workerBuffer.remove(0, end + 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        ComplexityPoint p;
        if (pointFromJson(o, &p)) {
            if (m_points.size() < m_sizes.size() && p.n == m_sizes[m_points.size()]) {
                addPoint(p);
                m_progress->setValue(int(1000.0 * doneWeight()));
            }
        } else if (o.contains(QStringLiteral("progress")) && m_points.size() < m_sizes.size()) {
            double total = 0;
            for (int n : m_sizes)
                total += double(n) * n;
            const double n = m_sizes[m_points.size()];
            const double f = std::clamp(o.value(QStringLiteral("progress")).toDouble(), 0.0, 1.0);
            m_progress->setValue(int(1000.0 * (doneWeight() + f * n * n / total)));
        }
    }
}

void ComplexityPanel::onWorkerFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_worker)
        return;
    onWorkerOutput(); // the lines still buffered
    const bool cancelled = m_workerCancelled;
    const QString errors = QString::fromLocal8Bit(m_worker->readAllStandardError()).trimmed();
    m_worker->deleteLater();
    m_worker = nullptr;
    if (cancelled || (status == QProcess::NormalExit && exitCode == 0 && m_points.size() == m_sizes.size())) {
        onFinished();
        return;
    }
    QString why = status == QProcess::CrashExit
                      ? tr("The measuring process stopped unexpectedly")
                      : tr("The measuring process ended with code %1").arg(exitCode);
    if (!errors.isEmpty())
        why += QStringLiteral(" (") + errors.section(QLatin1Char('\n'), -1) + QLatin1Char(')');
    workerFailed(why);
}

void ComplexityPanel::workerFailed(const QString &why)
{
    if (m_worker) {
        m_worker->disconnect(this);
        m_worker->kill();
        m_worker->deleteLater();
        m_worker = nullptr;
    }
    if (!m_running)
        return;
    if (m_workerCancelled) { // cancelled before the failure was known
        onFinished();
        return;
    }
    m_notice->setText(why + tr(": measuring in this process instead, where the window may respond more "
                               "slowly during a run."));
    m_notice->show();
    fitContent();
    startInProcess(m_sizes.mid(m_points.size()));
}

void ComplexityPanel::stopWorker(bool wait)
{
    if (!m_worker)
        return;
    m_worker->disconnect(this);
    m_worker->kill();
    if (wait)
        m_worker->waitForFinished(2000);
    delete m_worker;
    m_worker = nullptr;
}

void ComplexityPanel::startInProcess(const QList<int> &sizes)
{
    if (sizes.isEmpty()) {
        onFinished();
        return;
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const std::shared_ptr<std::atomic<bool>> cancel = m_cancel;
    const int threads = m_threads;
    const std::size_t limit = m_plainLimit;
    const std::vector<int> ns(sizes.begin(), sizes.end());
    // Progress is shared out by n², the way the time grows, over the whole run (some sizes may be measured).
    double total = 0;
    for (int n : m_sizes)
        total += double(n) * n;
    const double measured = doneWeight() * total;
    m_future =
        QtConcurrent::run([cancel, threads, limit, ns, total, measured](QPromise<ComplexityPoint> &promise) {
            promise.setProgressRange(0, 1000);
            double done = measured;
            for (int n : ns) {
                if (cancel->load())
                    return;
                const double weight = double(n) * n;
                ComplexityOptions o;
                o.plainLimitBytes = limit;
                o.progress = [&promise, done, weight, total](double f) {
                    promise.setProgressValue(int(1000.0 * (done + f * weight) / total));
                };
                const ComplexityPoint p = measureComplexity(n, kD, threads, cancel.get(), o);
                if (p.cancelled)
                    return;
                promise.addResult(p);
                done += weight;
                promise.setProgressValue(int(1000.0 * done / total));
            }
        });
    m_watcher.setFuture(m_future);
}

void ComplexityPanel::cancel()
{
    if (!m_running)
        return;
    if (m_worker) {
        m_workerCancelled = true;
        m_worker->terminate();
        QProcess *worker = m_worker;
        QTimer::singleShot(1000, worker, [worker] { worker->kill(); });
        m_status->setText(tr("Stopping the measuring process…"));
        return;
    }
    if (!m_cancel)
        return;
    m_cancel->store(true);
    m_status->setText(tr("Stopping after the run under way…"));
}

void ComplexityPanel::onResults(int begin, int end)
{
    for (int i = begin; i < end; ++i)
        addPoint(m_watcher.resultAt(i));
}

void ComplexityPanel::addPoint(const ComplexityPoint &p)
{
    m_points.append(p);
    double &topMs = m_topMs, &topMiB = m_topMiB;
    if (p.plainRan) {
        m_plainTime->append(p.n, p.plainMs);
        m_plainMemory->append(p.n, double(p.plainBytes) / kMiB);
        topMs = std::max(topMs, p.plainMs);
        topMiB = std::max(topMiB, double(p.plainBytes) / kMiB);
    }
    if (p.streamingRan) {
        m_streamTime->append(p.n, p.streamingMs);
        m_streamMemory->append(p.n, double(p.streamingBytes) / kMiB);
        topMs = std::max(topMs, p.streamingMs);
        topMiB = std::max(topMiB, double(p.streamingBytes) / kMiB);
    }
    m_timeY->setRange(0, topMs * 1.05);
    m_timeY->applyNiceNumbers();
    m_timeY->setLabelFormat(topMs < 10 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
    m_memoryY->setRange(0, topMiB * 1.05);
    m_memoryY->applyNiceNumbers();
    m_memoryY->setLabelFormat(topMiB < 10 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));

    QString line = tr("n = %1: ").arg(count(p.n));
    if (p.plainRan)
        line += tr("plain %1, %2; ").arg(msText(p.plainMs), mib(p.plainBytes));
    else if (p.plainSkipped)
        line += tr("plain skipped (it would need %1); ").arg(mib(p.plainEstimateBytes));
    if (p.streamingRan)
        line += tr("streaming %1, %2.").arg(msText(p.streamingMs), mib(p.streamingBytes));
    const int next = m_points.size();
    if (next < m_sizes.size())
        line += QLatin1Char('\n') + tr("Measuring n = %1…").arg(count(m_sizes[next]));
    m_status->setText(line);
    updateTexts();
    emit pointMeasured(p.n);
}

QuadraticFit ComplexityPanel::plainFit() const
{
    std::vector<FitPoint> pts;
    for (const ComplexityPoint &p : m_points)
        if (p.plainRan)
            pts.push_back({double(p.n), p.plainMs});
    return fitQuadratic(pts);
}

QuadraticFit ComplexityPanel::streamingFit() const
{
    std::vector<FitPoint> pts;
    for (const ComplexityPoint &p : m_points)
        if (p.streamingRan)
            pts.push_back({double(p.n), p.streamingMs});
    return fitQuadratic(pts);
}

void ComplexityPanel::updateTexts()
{
    if (m_points.isEmpty()) {
        m_fitLabel->setText(tr("The fit appears once points are measured."));
        return;
    }
    const double top = m_timeX->max();
    auto curve = [top](QLineSeries *s, const QuadraticFit &f) {
        QList<QPointF> pts;
        if (f.ok)
            for (int i = 0; i <= 64; ++i) {
                const double n = top * i / 64.0;
                pts.append(QPointF(n, f.at(n)));
            }
        s->replace(pts);
    };
    const QuadraticFit plain = plainFit(), stream = streamingFit();
    curve(m_plainFit, plain);
    curve(m_streamFit, stream);
    // The measured ratio of the last two sizes of a path where one is twice the other.
    auto measuredDoubling = [this](bool plainPath) -> QString {
        const ComplexityPoint *prev = nullptr;
        QString text;
        for (const ComplexityPoint &p : m_points) {
            const bool ran = plainPath ? p.plainRan : p.streamingRan;
            if (!ran)
                continue;
            if (prev && p.n == 2 * prev->n) {
                const double r = plainPath ? p.plainMs / prev->plainMs : p.streamingMs / prev->streamingMs;
                text = tr(" (measured: %1 → %2 took %3× as long)")
                           .arg(count(prev->n), count(p.n))
                           .arg(QLocale().toString(r, 'f', 1));
            }
            prev = &p;
        }
        return text;
    };
    auto describe = [](const QString &name, const QuadraticFit &f) {
        // a in ms per token², shown in nanoseconds: time ≈ 2.5 ns · n².
        return tr("%1: time ≈ %2 ns · n², R² = %3; doubling n takes %4× as long")
            .arg(name)
            .arg(QLocale().toString(f.a * 1e6, 'g', 3))
            .arg(QLocale().toString(f.r2, 'f', 3))
            .arg(QLocale().toString(f.doublingRatio(1024), 'f', 1));
    };
    QStringList lines;
    if (plain.ok)
        lines << describe(tr("Plain"), plain) + measuredDoubling(true) + QLatin1Char('.');
    if (stream.ok)
        lines << describe(tr("Streaming"), stream) + measuredDoubling(false) + QLatin1Char('.');
    // Memory at the largest n each path reached.
    const ComplexityPoint *lastPlain = nullptr, *lastStream = nullptr;
    for (const ComplexityPoint &p : m_points) {
        if (p.plainRan)
            lastPlain = &p;
        if (p.streamingRan)
            lastStream = &p;
    }
    if (lastPlain && lastPlain->streamingRan)
        lines
            << tr("Memory at %1 tokens: plain %2, streaming %3. Doubling n multiplies the plain path's by 4, "
                  "the streaming path's by at most 2.")
                   .arg(count(lastPlain->n), mib(lastPlain->plainBytes))
                   .arg(mib(lastPlain->streamingBytes));
    if (lastStream && (!lastPlain || lastStream->n > lastPlain->n))
        lines << tr("Streaming at %1 tokens: %2.").arg(count(lastStream->n), mib(lastStream->streamingBytes));
    m_fitLabel->setText(lines.join(QLatin1Char('\n')));
    fitContent();
}

void ComplexityPanel::onFinished()
{
    const bool cancelled = m_points.size() < m_sizes.size();
    setRunning(false);
    if (cancelled)
        m_status->setText(tr("Cancelled: %1 of %2 sizes measured.").arg(m_points.size()).arg(m_sizes.size()));
    else
        m_status->setText(tr("Done: %1 sizes measured.").arg(m_points.size()));
    if (!cancelled)
        m_progress->setValue(m_progress->maximum());
    emit finished(cancelled);
}

} // namespace attention
