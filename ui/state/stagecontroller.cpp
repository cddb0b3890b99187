// State in, trace out: the only place in the UI that asks the core for a computation.
#include "stagecontroller.h"

#include "modelio.h"

#include <QDateTime>
#include <QUndoCommand>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>

namespace attention {

namespace {

// One change of state, from `before` to `after`. Changes with the same id that come within a pause of
// each other merge, as typing does in a text editor: one undo step per burst of keys.
class StateCommand : public QUndoCommand
{
public:
    StateCommand(StageController *controller, AppState before, AppState after, const QString &text, int id)
        : QUndoCommand(text), m_controller(controller), m_before(std::move(before)), m_after(std::move(after)),
          m_id(id), m_last(QDateTime::currentMSecsSinceEpoch())
    {
    }
    int id() const override { return m_id; }
    void undo() override { m_controller->applyState(m_before); }
    void redo() override { m_controller->applyState(m_after); }
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *next = static_cast<const StateCommand *>(other);
        if (next->m_last - m_last > StageController::kMergePauseMs)
            return false;
        m_after = next->m_after;
        m_last = next->m_last;
        setObsolete(m_after == m_before); // typed and deleted again: nothing to undo
        return true;
    }

private:
    StageController *m_controller;
    AppState m_before;
    AppState m_after;
    int m_id;
    qint64 m_last;
};

bool editsTheMask(Step step)
{
    return step == Step::Mask || step == Step::Softmax;
}

} // namespace

StageController::StageController(std::shared_ptr<const Model> model, QObject *parent, const QString &source)
    : QObject(parent), m_model(std::move(model)), m_undo(new QUndoStack(this))
{
    m_state.model = source;
    m_models.insert(source, m_model);
    connect(&m_watcher, &QFutureWatcher<TraceResult>::finished, this, &StageController::finishRunning);
}

StageController::~StageController()
{
    // A trace still running reads only its own copies (the model is shared): let it end unobserved.
    m_watcher.disconnect(this);
    if (m_running)
        m_future.waitForFinished();
}

const LayerTrace *StageController::layerTrace() const
{
    if (!m_hasTrace || m_state.layer < 0 || m_state.layer >= static_cast<int>(m_trace.layers.size()))
        return nullptr;
    return &m_trace.layers[static_cast<std::size_t>(m_state.layer)];
}

const HeadTrace *StageController::headTrace() const
{
    const LayerTrace *layer = layerTrace();
    if (layer && m_state.head < 0)
        return &m_average;
    if (!layer || m_state.head >= static_cast<int>(layer->heads.size()))
        return nullptr;
    return &layer->heads[static_cast<std::size_t>(m_state.head)];
}

bool StageController::isUpdating() const
{
    return m_pending.has_value() || (m_running && m_runningGeneration == m_generation);
}

TraceOptions StageController::options() const
{
    TraceOptions o;
    o.mask = m_state.mask;
    o.scale = m_state.scale;
    o.swapQK = m_state.swapQK;
    o.customBlocked = m_state.customBlocked;
    return o;
}

void StageController::registerModel(const QString &source, std::shared_ptr<const Model> model)
{
    m_models.insert(source, std::move(model));
}

std::shared_ptr<const Model> StageController::modelFor(const QString &source, QString *error)
{
    if (source == m_state.model && m_model)
        return m_model;
    if (const auto cached = m_models.constFind(source); cached != m_models.constEnd())
        return *cached;
    const ModelLoad loaded = loadModel(source);
    if (!loaded.ok()) {
        *error = loaded.error;
        return nullptr;
    }
    // Built-in models never change: keep them. A file is read again each time it is chosen.
    if (builtinModelNames().contains(source))
        m_models.insert(source, loaded.model);
    return loaded.model;
}

AppState StageController::normalized(const AppState &state) const
{
    return normalizedFor(state, *m_model);
}

AppState StageController::normalizedFor(const AppState &in, const Model &model)
{
    AppState s = in;
    s.layer = std::clamp(s.layer, 0, std::max(0, static_cast<int>(model.layers.size()) - 1));
    s.head = model.headCount() <= 1 ? 0 : std::clamp(s.head, -1, model.headCount() - 1);
    const int n = static_cast<int>(tokenize(s.sentence.toStdString()).size());
    if (s.query >= n)
        s.query = n - 1;
    s.query = std::max(-1, s.query);
    s.key = s.key >= 0 && s.key < n ? s.key : -1;
    if (s.mask == MaskMode::Custom) {
        // A custom mask follows the sentence: the cells that still exist keep their state, new cells start
        // unblocked.
        if (n <= kMaxTokens && (s.customBlocked.rows() != n || s.customBlocked.cols() != n)) {
            BoolMatrix resized = BoolMatrix::Constant(n, n, false);
            const Eigen::Index keep =
                std::min<Eigen::Index>(n, std::min(s.customBlocked.rows(), s.customBlocked.cols()));
            resized.topLeftCorner(keep, keep) = s.customBlocked.topLeftCorner(keep, keep);
            s.customBlocked = resized;
        }
    } else {
        s.customBlocked = BoolMatrix();
    }
    s.decimals = std::clamp(s.decimals, 0, AppState::kMaxDecimals);
    // std::clamp passes NaN through, and a NaN point size leaves every label of the window blank.
    s.zoom = std::isfinite(s.zoom) ? std::clamp(s.zoom, AppState::kMinZoom, AppState::kMaxZoom) : 1.0;
    if (s.maskEdit && !editsTheMask(s.step))
        s.maskEdit = false;
    if (s.maskEdit)
        s.view = StageView::Heatmap;
    return s;
}

QString StageController::applyState(const AppState &requested)
{
    QString error;
    const std::shared_ptr<const Model> model = modelFor(requested.model, &error);
    if (!model)
        return error;
    const bool newModel = model != m_model;
    m_model = model;
    const AppState s = normalizedFor(requested, *model);
    const AppState old = m_state;
    m_state = s;
    if (newModel || !s.sameTraceInputs(old) || (!m_hasTrace && !m_empty && m_problem.isEmpty()))
        recompute();
    else if (s.layer != old.layer || s.head != old.head) {
        updateAverage();
        emit traceChanged();
    }
    if (s.step != old.step)
        emit stepChanged(s.step);
    if (s.query != old.query || s.key != old.key)
        emit selectionChanged(s.query, s.key);
    if (s.projection != old.projection || s.view != old.view || s.panel != old.panel ||
        s.decimals != old.decimals || s.zoom != old.zoom || s.maskEdit != old.maskEdit)
        emit viewChanged();
    return {};
}

QString StageController::change(const AppState &requested, const QString &what, int mergeId)
{
    QString error;
    const std::shared_ptr<const Model> model = modelFor(requested.model, &error);
    if (!model)
        return error;
    // Compare what would be shown: a request that normalizes to the current state is no change.
    const AppState after = normalizedFor(requested, *model);
    if (after == m_state)
        return {};
    m_undo->push(new StateCommand(this, m_state, after, what, mergeId)); // push applies it
    return {};
}

QString StageController::changeWith(const QString &what, int mergeId,
                                    const std::function<void(AppState &)> &edit)
{
    AppState s = m_state;
    edit(s);
    return change(s, what, mergeId);
}

void StageController::recompute()
{
    std::vector<Token> tokens = tokenize(m_state.sentence.toStdString());
    m_empty = tokens.empty();
    ++m_generation;
    m_pending.reset();
    if (m_empty) {
        m_problem.clear();
        m_hasTrace = false;
        m_truncatedFrom = 0;
        emit traceChanged();
        emit updatingChanged(false);
        return;
    }
    Request request;
    request.model = m_model;
    request.options = options();
    // A model with learned positions reads only so many tokens: trace the first ones, and say so.
    const int positions = m_model->maxPositions();
    if (positions > 0 && static_cast<int>(tokens.size()) > positions && tokens.size() <= std::size_t(kMaxTokens)) {
        request.truncatedFrom = static_cast<int>(tokens.size());
        tokens.resize(static_cast<std::size_t>(positions));
        if (request.options.mask == MaskMode::Custom)
            request.options.customBlocked =
                BoolMatrix(request.options.customBlocked.topLeftCorner(positions, positions));
    }
    request.tokens = std::move(tokens);
    // Too many tokens fail at once: no thread for that.
    const int count = static_cast<int>(request.tokens.size());
    if (m_backgroundTokens <= 0 || count <= m_backgroundTokens || count > kMaxTokens) {
        const int truncated = request.truncatedFrom;
        install(traceTokens(request.model, request.tokens, request.options), truncated);
        emit updatingChanged(isUpdating());
        return;
    }
    if (m_running) {
        m_pending = std::move(request); // the latest wins: requests in between are never computed
    } else {
        start(std::move(request));
    }
    emit updatingChanged(true);
}

void StageController::start(Request request)
{
    m_running = true;
    m_runningGeneration = m_generation;
    m_runningTruncatedFrom = request.truncatedFrom;
    m_future = QtConcurrent::run([r = std::move(request)] { return traceTokens(r.model, r.tokens, r.options); });
    m_watcher.setFuture(m_future);
}

void StageController::finishRunning()
{
    // Called by the watcher, or directly by waitForTrace: the second call for one future does nothing.
    if (!m_running || !m_future.isFinished())
        return;
    m_running = false;
    TraceResult result = m_future.takeResult();
    if (m_runningGeneration == m_generation)
        install(std::move(result), m_runningTruncatedFrom);
    if (m_pending) {
        Request next = std::move(*m_pending);
        m_pending.reset();
        start(std::move(next));
    }
    emit updatingChanged(isUpdating());
}

void StageController::waitForTrace()
{
    while (m_running) {
        m_future.waitForFinished();
        finishRunning();
    }
}

void StageController::install(TraceResult result, int truncatedFrom)
{
    if (!result.ok()) {
        // Keep the last good trace on screen and say what is wrong.
        m_problem = QString::fromStdString(result.error);
        emit traceChanged();
        return;
    }
    m_problem.clear();
    m_trace = std::move(result.trace);
    m_hasTrace = true;
    m_truncatedFrom = truncatedFrom;
    updateAverage();
    emit traceChanged();
}

void StageController::updateAverage()
{
    const LayerTrace *layer = layerTrace();
    if (!layer || m_state.head >= 0)
        return;
    m_average = meanOfHeads(*layer);
}

QString StageController::setModelSource(const QString &source)
{
    return changeWith(tr("Model"), -1, [&](AppState &s) { s.model = source; });
}

void StageController::setSentence(const QString &text)
{
    changeWith(tr("Typing"), TypingMerge, [&](AppState &s) { s.sentence = text; });
}

void StageController::setMask(MaskMode mode)
{
    changeWith(tr("Mask"), -1, [&](AppState &s) {
        if (mode == MaskMode::Custom && s.mask != MaskMode::Custom && m_hasTrace && !isStale() && !isUpdating())
            s.customBlocked = m_trace.blocked; // start editing from what is blocked now
        s.mask = mode;
    });
}

void StageController::setScale(bool on)
{
    changeWith(tr("Scaling"), -1, [&](AppState &s) { s.scale = on; });
}

void StageController::setSwapQK(bool on)
{
    changeWith(tr("Swap Q and K"), -1, [&](AppState &s) { s.swapQK = on; });
}

bool StageController::toggleBlocked(int query, int key)
{
    if (!m_hasTrace || isStale() || isUpdating() || m_truncatedFrom > 0)
        return false;
    // The first edit starts from what the trace blocks now; later ones edit the custom mask itself.
    BoolMatrix mask = m_state.mask == MaskMode::Custom ? m_state.customBlocked : m_trace.blocked;
    if (query < 0 || key < 0 || query >= mask.rows() || key >= mask.cols())
        return false;
    mask(query, key) = !mask(query, key);
    changeWith(tr("Edit the mask"), -1, [&](AppState &s) {
        s.customBlocked = std::move(mask);
        s.mask = MaskMode::Custom;
    });
    return true;
}

void StageController::setLayer(int layer)
{
    changeWith(tr("Layer"), -1, [&](AppState &s) { s.layer = layer; });
}

void StageController::setHead(int head)
{
    changeWith(tr("Head"), -1, [&](AppState &s) { s.head = head; });
}

void StageController::setLayerAndHead(int layer, int head)
{
    changeWith(tr("Layer and head"), -1, [&](AppState &s) {
        s.layer = layer;
        s.head = head;
    });
}

void StageController::setStep(Step step)
{
    changeWith(tr("Step"), -1, [&](AppState &s) { s.step = step; });
}

void StageController::nextStep()
{
    const int i = stepIndex(m_state.step);
    if (i + 1 < static_cast<int>(kAllSteps.size()))
        setStep(kAllSteps[static_cast<std::size_t>(i + 1)]);
}

void StageController::previousStep()
{
    const int i = stepIndex(m_state.step);
    if (i > 0)
        setStep(kAllSteps[static_cast<std::size_t>(i - 1)]);
}

void StageController::select(int query, int key)
{
    // A token that is not in the text selects nothing (a shorter text keeps the last token, normalized()).
    const int n = static_cast<int>(tokenize(m_state.sentence.toStdString()).size());
    query = query >= 0 && query < n ? query : -1;
    key = key >= 0 && key < n ? key : -1;
    changeWith(tr("Selection"), SelectionMerge, [&](AppState &s) {
        s.query = query;
        s.key = key;
    });
}

void StageController::setProjection(Projection projection)
{
    changeWith(tr("Projection"), -1, [&](AppState &s) { s.projection = projection; });
}

void StageController::setView(StageView view)
{
    changeWith(tr("Heatmap or lines"), -1, [&](AppState &s) {
        s.view = view;
        if (view != StageView::Heatmap)
            s.maskEdit = false;
    });
}

void StageController::setPanel(SidePanel panel)
{
    changeWith(tr("Panel"), -1, [&](AppState &s) { s.panel = panel; });
}

void StageController::setDecimals(int decimals)
{
    changeWith(tr("Decimals"), DecimalsMerge, [&](AppState &s) { s.decimals = decimals; });
}

void StageController::setZoom(double zoom)
{
    changeWith(tr("Zoom"), ZoomMerge, [&](AppState &s) { s.zoom = zoom; });
}

void StageController::setMaskEdit(bool on)
{
    changeWith(tr("Edit the mask"), -1, [&](AppState &s) {
        s.maskEdit = on;
        if (on) {
            s.view = StageView::Heatmap;
            if (!editsTheMask(s.step))
                s.step = Step::Mask;
        }
    });
}

} // namespace attention
