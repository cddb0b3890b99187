#include "complexitypanel.h"
#include "fastattention.h"

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPen>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QScrollArea>
#include <QThread>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

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
    m_runButton = new QPushButton(tr("Run"), content);
    m_cancelButton = new QPushButton(tr("Cancel"), content);
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

    m_plainTime = makeSeries(tr("plain (n × n)"), kPlainColor, false);
    m_streamTime = makeSeries(tr("streaming"), kStreamColor, false);
    m_plainFit = makeSeries(tr("a·n² fit"), kPlainColor, true);
    m_streamFit = makeSeries(tr("a·n² fit"), kStreamColor, true);
    m_timeX = makeAxis(tr("n (tokens)"), QStringLiteral("%d"));
    m_timeY = makeAxis(tr("ms"), QStringLiteral("%.0f"));
    m_timeView = makeChart(content, tr("Time"), {m_plainTime, m_plainFit, m_streamTime, m_streamFit}, m_timeX,
                           m_timeY);
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
    m_machineLabel->setText(tr("Kernel: %1, %2 threads. A time is the median of up to 3 runs (one run from "
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
        if (label->wordWrap())
            label->setMinimumHeight(label->heightForWidth(width));
    if (layout->hasHeightForWidth())
        m_content->setMinimumHeight(layout->heightForWidth(m_scroll->viewport()->width()));
}

ComplexityPanel::~ComplexityPanel()
{
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

    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const std::shared_ptr<std::atomic<bool>> cancel = m_cancel;
    const int threads = m_threads;
    const std::size_t limit = m_plainLimit;
    const std::vector<int> ns(sizes.begin(), sizes.end());
    m_future = QtConcurrent::run([cancel, threads, limit, ns](QPromise<ComplexityPoint> &promise) {
        // Progress is shared out by n², the way the time grows.
        double total = 0;
        for (int n : ns)
            total += double(n) * n;
        promise.setProgressRange(0, 1000);
        double done = 0;
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
    setRunning(true);
    return true;
}

void ComplexityPanel::cancel()
{
    if (!m_running || !m_cancel)
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
