// Converts a trace into JSON; every number is written at full precision.
#include "tracejson.h"

#include <QJsonArray>
#include <cmath>

namespace attention {

namespace {

QJsonValue cell(double v)
{
    if (std::isinf(v))
        return v < 0 ? QStringLiteral("-inf") : QStringLiteral("inf");
    if (std::isnan(v))
        return QStringLiteral("nan");
    return v;
}

QJsonArray rowJson(const Eigen::RowVectorXd &v)
{
    QJsonArray a;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        a.append(cell(v(i)));
    return a;
}

QJsonArray matrixJson(const Eigen::MatrixXd &m)
{
    QJsonArray rows;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        rows.append(rowJson(m.row(r)));
    return rows;
}

Eigen::MatrixXd identity(Eigen::Index n)
{
    return Eigen::MatrixXd::Identity(n, n);
}

} // namespace

QJsonObject traceToJson(const AttentionTrace &trace)
{
    const Model &model = *trace.model;
    QJsonArray tokens;
    for (int i = 0; i < trace.tokenCount(); ++i) {
        const Token &t = trace.tokens[static_cast<std::size_t>(i)];
        tokens.append(QJsonObject{{"text", QString::fromStdString(t.text)},
                                  {"start", static_cast<qint64>(t.start)},
                                  {"end", static_cast<qint64>(t.end)},
                                  {"known", bool(trace.known[static_cast<std::size_t>(i)])}});
    }
    QJsonObject modelJson{{"name", QString::fromStdString(model.name)},
                          {"d_model", model.d_model},
                          {"layers", static_cast<int>(model.layers.size())},
                          {"heads", model.headCount()},
                          {"d_k", model.d_k}};
    if (!model.featureNames.empty()) {
        QJsonArray names;
        for (const std::string &n : model.featureNames)
            names.append(QString::fromStdString(n));
        modelJson.insert("features", names);
    }
    QJsonObject options{{"mask", maskModeName(trace.options.mask)},
                        {"scale", trace.options.scale},
                        {"swap_qk", trace.options.swapQK}};
    QJsonArray fully;
    for (bool b : trace.fullyMasked)
        fully.append(b);

    QJsonArray layers;
    for (std::size_t l = 0; l < trace.layers.size(); ++l) {
        const LayerTrace &lt = trace.layers[l];
        const LayerWeights &lw = model.layers[l];
        QJsonArray heads;
        for (std::size_t h = 0; h < lt.heads.size(); ++h) {
            const HeadTrace &ht = lt.heads[h];
            const HeadWeights &hw = lw.heads[h];
            QJsonObject head{{"W_Q", matrixJson(hw.W_Q)},       {"W_K", matrixJson(hw.W_K)},
                             {"W_V", matrixJson(hw.W_V)},       {"Q", matrixJson(ht.Q)},
                             {"K", matrixJson(ht.K)},           {"V", matrixJson(ht.V)},
                             {"scores", matrixJson(ht.scores)}, {"scaled", matrixJson(ht.scaled)},
                             {"masked", matrixJson(ht.masked)}, {"weights", matrixJson(ht.weights)},
                             {"output", matrixJson(ht.output)}, {"divisor", ht.divisor}};
            if (hw.b_Q.size() > 0)
                head.insert("b_Q", rowJson(hw.b_Q));
            if (hw.b_K.size() > 0)
                head.insert("b_K", rowJson(hw.b_K));
            if (hw.b_V.size() > 0)
                head.insert("b_V", rowJson(hw.b_V));
            heads.append(head);
        }
        QJsonObject layer{{"input", matrixJson(lt.input)},
                          {"heads", heads},
                          {"W_O", matrixJson(lw.W_O.size() > 0 ? lw.W_O : identity(lt.concat.cols()))},
                          {"attention_output", matrixJson(lt.attentionOutput)},
                          {"output", matrixJson(lt.output)}};
        if (lw.b_O.size() > 0)
            layer.insert("b_O", rowJson(lw.b_O));
        if (lt.heads.size() > 1)
            layer.insert("concat", matrixJson(lt.concat));
        if (lt.ffHidden.size() > 0)
            layer.insert("ff_hidden", matrixJson(lt.ffHidden));
        layers.append(layer);
    }
    QJsonObject root{{"tokens", tokens},
                     {"model", modelJson},
                     {"options", options},
                     {"fully_masked", fully},
                     {"token_embeddings", matrixJson(trace.tokenEmbeddings)},
                     {"layers", layers}};
    if (trace.positionEmbeddings.size() > 0)
        root.insert("position_embeddings", matrixJson(trace.positionEmbeddings));
    return root;
}

} // namespace attention
