// Everything a person or a lesson can set, as one value. A lesson step is one of these plus narration; the
// settings keep one; undo and redo move between two of them.
#pragma once

#include "attention.h"
#include "steps.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace attention {

// Which projection the Q, K, V step shows.
enum class Projection { Query, Key, Value, All };
// What the stage draws under the equation.
enum class StageView { Heatmap, Lines };
// The side panel in front on the right.
enum class SidePanel { Explain, Grid, Flow, Compare, Code, Scaling, Masking, Complexity, Heads, Rnn };

struct AppState
{
    QString sentence;
    QString model = QStringLiteral("didactic"); // a built-in model's name, or a model file
    MaskMode mask = MaskMode::None;
    BoolMatrix customBlocked; // (n, n), read when mask == Custom
    bool scale = true;
    bool swapQK = false;
    int layer = 0;
    int head = 0; // -1 = the average of the layer's heads
    Step step = Step::Embeddings;
    int query = -1; // selected query token, -1 = none
    int key = -1;   // selected key token (a cell is query × key), -1 = none
    Projection projection = Projection::Query;
    StageView view = StageView::Heatmap;
    SidePanel panel = SidePanel::Explain;
    int decimals = 2;
    double zoom = 1.0;
    bool maskEdit = false; // clicks on the heatmap block and unblock cells

    static constexpr int kMaxDecimals = 6;
    static constexpr double kMinZoom = 0.6;
    static constexpr double kMaxZoom = 3.0;

    bool operator==(const AppState &other) const;
    bool operator!=(const AppState &other) const { return !(*this == other); }
    // Only the parts that the trace depends on: the text, the model and the options.
    bool sameTraceInputs(const AppState &other) const;
};

// The state as JSON, for the settings. Layers and heads count from 1 there, as everywhere a person reads
// them; the head of the average is "avg".
QJsonObject stateToJson(const AppState &state);
// Reads what stateToJson wrote. Every value is checked: one that is missing keeps its value in `base`, one
// that is not usable too, and its key is added to `problems`.
AppState stateFromJson(const QJsonObject &json, const AppState &base, QStringList *problems);

// The spellings used by the settings, the command line and the lessons.
QString projectionKey(Projection projection);
bool projectionFromKey(const QString &key, Projection *projection);
QString panelKey(SidePanel panel);
bool panelFromKey(const QString &key, SidePanel *panel);
QString maskKey(MaskMode mode);
bool maskFromKey(const QString &key, MaskMode *mode);

} // namespace attention
