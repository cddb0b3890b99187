// Comparing states, and reading and writing them as JSON with every value checked.
#include "appstate.h"

#include <QJsonArray>
#include <cmath>

namespace attention {

bool AppState::sameTraceInputs(const AppState &o) const
{
    if (sentence != o.sentence || model != o.model || mask != o.mask || scale != o.scale || swapQK != o.swapQK)
        return false;
    if (mask != MaskMode::Custom)
        return true;
    return customBlocked.rows() == o.customBlocked.rows() && customBlocked.cols() == o.customBlocked.cols() &&
           customBlocked == o.customBlocked;
}

bool AppState::operator==(const AppState &o) const
{
    return sameTraceInputs(o) && layer == o.layer && head == o.head && step == o.step && query == o.query &&
           key == o.key && projection == o.projection && view == o.view && panel == o.panel &&
           decimals == o.decimals && zoom == o.zoom && maskEdit == o.maskEdit;
}

namespace {

// A spelling per enumerator, in the enumerators' order.
using Keys = QList<const char *>;

template <typename Enum>
QString keyOf(Enum value, const Keys &keys)
{
    return QLatin1String(keys.at(static_cast<qsizetype>(value)));
}

template <typename Enum>
bool fromKey(const QString &key, const Keys &keys, Enum *out)
{
    for (qsizetype i = 0; i < keys.size(); ++i)
        if (key == QLatin1String(keys.at(i))) {
            *out = static_cast<Enum>(i);
            return true;
        }
    return false;
}

const Keys kProjections{"q", "k", "v", "all"};
const Keys kPanels{"explain", "grid", "flow", "compare", "code", "scaling", "masking", "complexity", "multihead", "rnn"};
const Keys kMasks{"none", "causal", "custom"};
const Keys kViews{"heatmap", "lines"};

} // namespace

QString projectionKey(Projection p)
{
    return keyOf(p, kProjections);
}
bool projectionFromKey(const QString &key, Projection *p)
{
    return fromKey(key, kProjections, p);
}
QString panelKey(SidePanel p)
{
    return keyOf(p, kPanels);
}
bool panelFromKey(const QString &key, SidePanel *p)
{
    return fromKey(key, kPanels, p);
}
QString maskKey(MaskMode m)
{
    return keyOf(m, kMasks);
}
bool maskFromKey(const QString &key, MaskMode *m)
{
    return fromKey(key, kMasks, m);
}

QJsonObject stateToJson(const AppState &s)
{
    QJsonObject o;
    o[QStringLiteral("sentence")] = s.sentence;
    o[QStringLiteral("model")] = s.model;
    o[QStringLiteral("mask")] = maskKey(s.mask);
    if (s.mask == MaskMode::Custom) {
        // The blocked cells as [query, key] pairs: a 2,048-token causal mask is millions of cells, but a
        // hand-edited one is a few.
        QJsonArray cells;
        for (Eigen::Index i = 0; i < s.customBlocked.rows(); ++i)
            for (Eigen::Index j = 0; j < s.customBlocked.cols(); ++j)
                if (s.customBlocked(i, j))
                    cells.append(QJsonArray{int(i), int(j)});
        o[QStringLiteral("blocked")] = cells;
        o[QStringLiteral("maskSize")] = int(s.customBlocked.rows());
    }
    o[QStringLiteral("scale")] = s.scale;
    o[QStringLiteral("swapQK")] = s.swapQK;
    o[QStringLiteral("layer")] = s.layer + 1;
    o[QStringLiteral("head")] = s.head < 0 ? QJsonValue(QStringLiteral("avg")) : QJsonValue(s.head + 1);
    o[QStringLiteral("step")] = QString::fromStdString(stepKey(s.step));
    o[QStringLiteral("query")] = s.query;
    o[QStringLiteral("key")] = s.key;
    o[QStringLiteral("projection")] = projectionKey(s.projection);
    o[QStringLiteral("view")] = keyOf(s.view, kViews);
    o[QStringLiteral("panel")] = panelKey(s.panel);
    o[QStringLiteral("decimals")] = s.decimals;
    o[QStringLiteral("zoom")] = s.zoom;
    o[QStringLiteral("maskEdit")] = s.maskEdit;
    return o;
}

AppState stateFromJson(const QJsonObject &o, const AppState &base, QStringList *problems)
{
    AppState s = base;
    auto bad = [problems](const char *key) {
        if (problems)
            *problems << QLatin1String(key);
    };
    auto has = [&o](const char *key) { return o.contains(QLatin1String(key)); };
    auto value = [&o](const char *key) { return o.value(QLatin1String(key)); };
    auto readBool = [&](const char *key, bool *out) {
        if (!has(key))
            return;
        if (value(key).isBool())
            *out = value(key).toBool();
        else
            bad(key);
    };
    // An integer from `low` to `high`; JSON numbers are doubles, so 1.5 or 1e300 is no integer.
    auto readInt = [&](const char *key, int low, int high, int *out) {
        if (!has(key))
            return;
        const double d = value(key).toDouble(std::nan(""));
        if (value(key).isDouble() && std::isfinite(d) && d == std::floor(d) && d >= low && d <= high)
            *out = static_cast<int>(d);
        else
            bad(key);
    };
    auto readKey = [&](const char *key, auto parse) {
        if (has(key) && !(value(key).isString() && parse(value(key).toString())))
            bad(key);
    };

    if (has("sentence")) {
        if (value("sentence").isString() && value("sentence").toString().size() <= int(kMaxTextBytes))
            s.sentence = value("sentence").toString();
        else
            bad("sentence");
    }
    if (has("model")) {
        if (value("model").isString() && !value("model").toString().isEmpty() &&
            value("model").toString().size() <= 4096)
            s.model = value("model").toString();
        else
            bad("model");
    }
    readKey("mask", [&](const QString &k) { return maskFromKey(k, &s.mask); });
    if (s.mask == MaskMode::Custom) {
        int size = 0;
        readInt("maskSize", 0, kMaxTokens, &size);
        BoolMatrix blocked = BoolMatrix::Constant(size, size, false);
        bool cellsOk = value("blocked").isArray();
        for (const QJsonValue &cell : value("blocked").toArray()) {
            const QJsonArray pair = cell.toArray();
            const double i = pair.size() == 2 ? pair[0].toDouble(-1) : -1;
            const double j = pair.size() == 2 ? pair[1].toDouble(-1) : -1;
            if (i < 0 || j < 0 || i >= size || j >= size || i != std::floor(i) || j != std::floor(j)) {
                cellsOk = false;
                break;
            }
            blocked(Eigen::Index(i), Eigen::Index(j)) = true;
        }
        if (cellsOk) {
            s.customBlocked = blocked;
        } else {
            bad("blocked");
            s.mask = base.mask == MaskMode::Custom ? MaskMode::None : base.mask;
        }
    }
    readBool("scale", &s.scale);
    readBool("swapQK", &s.swapQK);
    int layer = s.layer + 1;
    readInt("layer", 1, kMaxLayers, &layer);
    s.layer = layer - 1;
    if (has("head") && value("head").toString() == QLatin1String("avg")) {
        s.head = -1;
    } else {
        int head = s.head + 1;
        readInt("head", 1, kMaxHeads, &head);
        s.head = head - 1;
    }
    readKey("step", [&](const QString &k) {
        const std::optional<Step> step = stepFromKey(k.toStdString());
        if (step)
            s.step = *step;
        return step.has_value();
    });
    readInt("query", -1, kMaxTokens - 1, &s.query);
    readInt("key", -1, kMaxTokens - 1, &s.key);
    readKey("projection", [&](const QString &k) { return projectionFromKey(k, &s.projection); });
    readKey("view", [&](const QString &k) { return fromKey(k, kViews, &s.view); });
    readKey("panel", [&](const QString &k) { return panelFromKey(k, &s.panel); });
    readInt("decimals", 0, AppState::kMaxDecimals, &s.decimals);
    if (has("zoom")) {
        const double z = value("zoom").toDouble(std::nan(""));
        if (std::isfinite(z) && z >= AppState::kMinZoom && z <= AppState::kMaxZoom)
            s.zoom = z;
        else
            bad("zoom");
    }
    readBool("maskEdit", &s.maskEdit);
    return s;
}

} // namespace attention
