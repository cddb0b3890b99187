// Input state in, trace out: the only place in the UI that asks the core for a computation.
#include "stagecontroller.h"

#include <QCoreApplication>
#include <algorithm>

namespace attention {

StageController::StageController(std::shared_ptr<const Model> model, QObject *parent)
    : QObject(parent), m_model(std::move(model))
{
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

TraceOptions StageController::options() const
{
    TraceOptions o;
    o.mask = m_state.mask;
    o.scale = m_state.scale;
    o.swapQK = m_state.swapQK;
    o.customBlocked = m_state.customBlocked;
    return o;
}

void StageController::recompute()
{
    const std::vector<Token> tokens = tokenize(m_state.sentence.toStdString());
    m_empty = tokens.empty();
    if (m_empty) {
        m_problem.clear();
        m_hasTrace = false;
        emit traceChanged();
        return;
    }
    // A custom mask follows the sentence: keep the cells that still exist, new cells start unblocked.
    const int n = static_cast<int>(tokens.size());
    if (m_state.mask == MaskMode::Custom && n <= kMaxTokens &&
        (m_state.customBlocked.rows() != n || m_state.customBlocked.cols() != n)) {
        BoolMatrix resized = BoolMatrix::Constant(n, n, false);
        const Eigen::Index keep = std::min<Eigen::Index>(n, m_state.customBlocked.rows());
        resized.topLeftCorner(keep, keep) = m_state.customBlocked.topLeftCorner(keep, keep);
        m_state.customBlocked = resized;
    }
    TraceResult result = traceTokens(m_model, tokens, options());
    if (!result.ok()) {
        // Keep the last good trace on screen and say what is wrong.
        m_problem = QString::fromStdString(result.error);
        emit traceChanged();
        return;
    }
    m_problem.clear();
    m_trace = std::move(result.trace);
    m_hasTrace = true;
    m_state.layer = std::clamp(m_state.layer, 0, static_cast<int>(m_trace.layers.size()) - 1);
    m_state.head = std::clamp(m_state.head, -1, m_model->headCount() - 1);
    updateAverage();
    clampSelection();
    emit traceChanged();
}

void StageController::updateAverage()
{
    const LayerTrace *layer = layerTrace();
    if (!layer || m_state.head >= 0)
        return;
    m_average = meanOfHeads(*layer);
}

void StageController::clampSelection()
{
    const int n = m_hasTrace ? m_trace.tokenCount() : 0;
    if (m_state.query >= n)
        m_state.query = n - 1;
    if (m_state.key >= n)
        m_state.key = -1;
}

void StageController::setModel(std::shared_ptr<const Model> model)
{
    m_model = std::move(model);
    m_state.layer = 0;
    m_state.head = 0;
    // The old trace belongs to the old model: if the new one cannot trace this text, show nothing stale.
    m_hasTrace = false;
    recompute();
}

void StageController::setSentence(const QString &text)
{
    if (text == m_state.sentence && (m_hasTrace || m_empty))
        return;
    m_state.sentence = text;
    recompute();
}

void StageController::setMask(MaskMode mode)
{
    if (mode == m_state.mask)
        return;
    if (mode == MaskMode::Custom && m_hasTrace && !isStale() &&
        m_state.customBlocked.rows() != m_trace.tokenCount()) // start editing from what is blocked now
        m_state.customBlocked = m_trace.blocked;
    m_state.mask = mode;
    recompute();
}

void StageController::setScale(bool on)
{
    if (on == m_state.scale)
        return;
    m_state.scale = on;
    recompute();
}

void StageController::setSwapQK(bool on)
{
    if (on == m_state.swapQK)
        return;
    m_state.swapQK = on;
    recompute();
}

bool StageController::toggleBlocked(int query, int key)
{
    if (!m_hasTrace || isStale())
        return false;
    // The first edit starts from what the trace blocks now; later ones edit the custom mask itself, whose
    // size follows the text (it may differ from the trace's when a text failed to trace).
    BoolMatrix mask = m_state.mask == MaskMode::Custom ? m_state.customBlocked : m_trace.blocked;
    if (query < 0 || key < 0 || query >= mask.rows() || key >= mask.cols())
        return false;
    mask(query, key) = !mask(query, key);
    m_state.customBlocked = std::move(mask);
    m_state.mask = MaskMode::Custom;
    recompute();
    return true;
}

void StageController::setLayer(int layer)
{
    if (layer == m_state.layer)
        return;
    m_state.layer = std::clamp(layer, 0, std::max(0, static_cast<int>(m_model->layers.size()) - 1));
    updateAverage();
    emit traceChanged();
}

void StageController::setHead(int head)
{
    if (head == m_state.head)
        return;
    m_state.head = std::clamp(head, -1, std::max(0, m_model->headCount() - 1));
    updateAverage();
    emit traceChanged();
}

void StageController::setStep(Step step)
{
    if (step == m_state.step)
        return;
    m_state.step = step;
    emit stepChanged(step);
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
    const int n = m_hasTrace ? m_trace.tokenCount() : 0;
    query = query >= 0 && query < n ? query : -1;
    key = key >= 0 && key < n ? key : -1;
    if (query == m_state.query && key == m_state.key)
        return;
    m_state.query = query;
    m_state.key = key;
    emit selectionChanged(query, key);
}

void StageController::setState(const AppState &state)
{
    const Step oldStep = m_state.step;
    m_state = state;
    recompute();
    if (state.step != oldStep)
        emit stepChanged(state.step);
    emit selectionChanged(m_state.query, m_state.key);
}

} // namespace attention
