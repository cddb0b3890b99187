// The one controller: it holds the AppState, applies a whole state in one call, keeps the undo history,
// and recomputes the trace from the state (off the GUI thread for long text, the latest request winning).
#pragma once

#include "appstate.h"

#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

class QUndoStack;

namespace attention {

class StageController : public QObject
{
    Q_OBJECT
public:
    // `model` is the model that `source` names (a built-in name or a model file); it is the state's model.
    explicit StageController(std::shared_ptr<const Model> model, QObject *parent = nullptr,
                             const QString &source = QStringLiteral("didactic"));
    ~StageController() override;

    const AppState &state() const { return m_state; }

    // Shows exactly `state`, once normalized (see normalized()): afterwards state() == normalized(state).
    // Loads the model it names when that is not the current one. Returns what went wrong, or "" on
    // success; on failure nothing changes. No undo entry is made: lessons, restored sessions, undo itself.
    QString applyState(const AppState &state);
    // A change a person makes: applied as applyState does, and pushed on the undo stack as `what`. Changes
    // with the same `mergeId` that follow each other within kMergePauseMs become one entry (typing).
    QString change(const AppState &state, const QString &what, int mergeId = -1);
    QUndoStack *undoStack() const { return m_undo; }
    static constexpr int kMergePauseMs = 1000;
    enum MergeId { TypingMerge = 1, SelectionMerge, ZoomMerge, DecimalsMerge };

    // The state as it would be shown: layer and head within the model, selection within the text, decimals
    // and zoom within their ranges, a custom mask the size of the text, mask editing only on the steps
    // whose heatmap shows the mask (Mask, Softmax) and only in the heatmap.
    AppState normalized(const AppState &state) const;

    const Model &model() const { return *m_model; }
    std::shared_ptr<const Model> modelPointer() const { return m_model; }
    // Makes `model` known under `source`, so that a state naming `source` uses it (tests, trained files).
    void registerModel(const QString &source, std::shared_ptr<const Model> model);

    // The last good trace, or nullptr before any sentence has been traced. Its token count may differ from
    // the state's text while isUpdating() or isStale(): views check indices against trace()->tokenCount().
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
    // True when the text has a problem and the views still show the last good trace of another text.
    bool isStale() const { return m_hasTrace && !m_problem.isEmpty(); }
    // When the model has fewer positions than the text has tokens, the first ones are traced: this is how
    // many tokens the text has in all (0 when the whole text is traced).
    int truncatedFrom() const { return m_truncatedFrom; }
    // True while a trace of the current state is being computed off the GUI thread; the views keep showing
    // the last one until it is ready.
    bool isUpdating() const;
    // Blocks until the current state's trace is ready (tests, headless rendering, exports).
    void waitForTrace();
    // Longer texts are traced off the GUI thread; 0 traces everything on the calling thread.
    void setBackgroundThreshold(int tokens) { m_backgroundTokens = tokens; }
    static constexpr int kBackgroundTokens = 128;

    // Changes a person makes, each one an undoable change().
    QString setModelSource(const QString &source);
    void setSentence(const QString &text);
    void setMask(MaskMode mode);
    void setScale(bool on);
    void setSwapQK(bool on);
    // Blocks or unblocks one query × key cell. The first edit turns the current mask into a custom one.
    // Refused (false) for a cell outside the mask, and while the trace shown is stale or updating: its
    // cells belong to another text than the one being edited.
    bool toggleBlocked(int query, int key);
    void setLayer(int layer);
    void setHead(int head);
    void setLayerAndHead(int layer, int head);
    void setStep(Step step);
    void nextStep();
    void previousStep();
    void select(int query, int key = -1);
    void setProjection(Projection projection);
    void setView(StageView view);
    void setPanel(SidePanel panel);
    void setDecimals(int decimals);
    void setZoom(double zoom);
    void setMaskEdit(bool on);

signals:
    void traceChanged();         // a new trace, or the problem/empty/updating state changed
    void stepChanged(Step step); // the step shown
    void selectionChanged(int query, int key);
    void viewChanged();          // projection, heatmap or lines, side panel, decimals, zoom, mask editing
    void updatingChanged(bool updating);

private:
    struct Request
    {
        std::shared_ptr<const Model> model;
        std::vector<Token> tokens;
        TraceOptions options;
        int truncatedFrom = 0;
    };
    void recompute();
    void start(Request request);
    void finishRunning();
    void install(TraceResult result, int truncatedFrom);
    TraceOptions options() const;
    static AppState normalizedFor(const AppState &state, const Model &model);
    void updateAverage();
    std::shared_ptr<const Model> modelFor(const QString &source, QString *error);
    QString changeWith(const QString &what, int mergeId, const std::function<void(AppState &)> &edit);

    std::shared_ptr<const Model> m_model;
    QHash<QString, std::shared_ptr<const Model>> m_models; // by source: built-ins load once
    AppState m_state;
    AttentionTrace m_trace;
    HeadTrace m_average; // the mean of the selected layer's heads, when averaging
    bool m_hasTrace = false;
    bool m_empty = true;
    int m_truncatedFrom = 0;
    QString m_problem;
    QUndoStack *m_undo = nullptr;

    int m_backgroundTokens = kBackgroundTokens;
    quint64 m_generation = 0; // of the latest request: an older result is dropped
    bool m_running = false;
    quint64 m_runningGeneration = 0;
    int m_runningTruncatedFrom = 0;
    QFuture<TraceResult> m_future;
    QFutureWatcher<TraceResult> m_watcher;
    std::optional<Request> m_pending; // asked for while another trace runs: only the latest is kept
};

} // namespace attention
