// Holds the input state (sentence, model, options, selection, step) and recomputes the trace from it.
#pragma once

#include "appstate.h"

#include <QObject>
#include <QString>
#include <memory>

namespace attention {


class StageController : public QObject
{
    Q_OBJECT
public:
    explicit StageController(std::shared_ptr<const Model> model, QObject *parent = nullptr);

    const AppState &state() const { return m_state; }
    const Model &model() const { return *m_model; }
    std::shared_ptr<const Model> modelPointer() const { return m_model; }
    // The last good trace, or nullptr before any sentence has been traced.
    const AttentionTrace *trace() const { return m_hasTrace ? &m_trace : nullptr; }
    // The selected layer and head of the last good trace. With head -1 (average of heads), headTrace()
    // is the element-wise mean of the layer's heads, every matrix of it.
    const LayerTrace *layerTrace() const;
    const HeadTrace *headTrace() const;
    bool averagingHeads() const { return m_state.head < 0; }
    // Why the current text has no fresh trace: empty when it has one.
    QString problem() const { return m_problem; }
    // True when the text is blank: the views show an empty state, not an error.
    bool isEmpty() const { return m_empty; }

    void setModel(std::shared_ptr<const Model> model);
    void setSentence(const QString &text);
    void setMask(MaskMode mode);
    void setScale(bool on);
    void setSwapQK(bool on);
    // Blocks or unblocks one query × key cell. The first edit turns the current mask into a custom one.
    // Refused (false) for a cell outside the mask, and while the trace shown is stale: its cells belong to
    // the last text that worked, not to the text being edited.
    bool toggleBlocked(int query, int key);
    // True when the text has a problem and the views still show the last good trace of another text.
    bool isStale() const { return m_hasTrace && !m_problem.isEmpty(); }
    void setLayer(int layer);
    void setHead(int head);
    void setStep(Step step);
    void nextStep();
    void previousStep();
    void select(int query, int key = -1);
    // Applies a whole state at once (lessons, restored sessions, headless rendering).
    void setState(const AppState &state);

signals:
    void traceChanged(); // a new trace, or the problem/empty state changed
    void stepChanged(Step step);
    void selectionChanged(int query, int key);

private:
    void recompute();
    TraceOptions options() const;
    void clampSelection();
    void updateAverage();

    std::shared_ptr<const Model> m_model;
    AppState m_state;
    AttentionTrace m_trace;
    HeadTrace m_average; // the mean of the selected layer's heads, when averaging
    bool m_hasTrace = false;
    bool m_empty = true;
    QString m_problem;
};

} // namespace attention
