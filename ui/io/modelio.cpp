// JSON model files: every field is checked, and an error names the file, the field and the problem.
#include "modelio.h"

#include "meaning.h"

#include "inputlimits.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <new>

namespace attention {

namespace {

// Thrown inside the parser only, caught in parseModel and turned into its error text.
struct FieldError
{
    QString field;
    QString message;
};

[[noreturn]] void fail(const QString &field, const QString &message)
{
    throw FieldError{field, message};
}

QString kindOf(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("true/false");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("text");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

double number(const QJsonValue &v, const QString &field)
{
    if (!v.isDouble())
        fail(field, QStringLiteral("expected a number, found %1").arg(kindOf(v)));
    return v.toDouble();
}

QString text(const QJsonValue &v, const QString &field)
{
    if (!v.isString())
        fail(field, QStringLiteral("expected text, found %1").arg(kindOf(v)));
    return v.toString();
}

// A whole number from 1 to `limit`, the limit named in the message (inputlimits.h).
int positiveInt(const QJsonObject &o, const QString &key, const QString &field, int limit)
{
    if (!o.contains(key))
        fail(field, QStringLiteral("missing"));
    const double d = number(o.value(key), field);
    if (!(d >= 1 && d <= limit) || d != static_cast<double>(static_cast<int>(d)))
        fail(field, QStringLiteral("must be a whole number from 1 to %1 (the limit), found %2")
                        .arg(limit)
                        .arg(d, 0, 'g', 17));
    return static_cast<int>(d);
}

// A list of at most `limit` entries; `unit` names them in the message ("layers", "heads").
QJsonArray listOf(const QJsonValue &v, const QString &field, qsizetype limit, const QString &unit)
{
    if (!v.isArray() || v.toArray().isEmpty())
        fail(field, QStringLiteral("expected a non-empty list of %1").arg(unit));
    const QJsonArray a = v.toArray();
    if (a.size() > limit)
        fail(field, QStringLiteral("has %1 %2; the limit is %3").arg(a.size()).arg(unit).arg(limit));
    return a;
}

// Checks that `v` is a list of `want` numbers without allocating anything, so that a matrix is only made
// once every row has been seen to fit it.
void checkVector(const QJsonValue &v, const QString &field, Eigen::Index want)
{
    if (!v.isArray())
        fail(field, QStringLiteral("expected a list of numbers, found %1").arg(kindOf(v)));
    const qsizetype size = v.toArray().size();
    if (want >= 0 && size != want)
        fail(field, QStringLiteral("expected %1 numbers, found %2").arg(want).arg(size));
}

Eigen::RowVectorXd vectorOf(const QJsonValue &v, const QString &field, Eigen::Index want)
{
    checkVector(v, field, want);
    const QJsonArray a = v.toArray();
    Eigen::RowVectorXd out(a.size());
    for (qsizetype i = 0; i < a.size(); ++i)
        out(i) = number(a.at(i), QStringLiteral("%1[%2]").arg(field).arg(i));
    return out;
}

Eigen::MatrixXd matrixOf(const QJsonValue &v, const QString &field, Eigen::Index rows, Eigen::Index cols)
{
    if (!v.isArray())
        fail(field, QStringLiteral("expected a list of rows, found %1").arg(kindOf(v)));
    const QJsonArray a = v.toArray();
    if (rows >= 0 && a.size() != rows)
        fail(field, QStringLiteral("expected %1 rows, found %2").arg(rows).arg(a.size()));
    if (a.isEmpty())
        fail(field, QStringLiteral("has no rows"));
    const Eigen::Index width = cols >= 0 ? cols : (a.at(0).isArray() ? a.at(0).toArray().size() : 0);
    if (width == 0 && a.at(0).isArray())
        fail(field, QStringLiteral("has rows of no numbers"));
    // Every row first: a claimed width (d_model, d_k) must be met before rows × width is allocated.
    for (qsizetype r = 0; r < a.size(); ++r)
        checkVector(a.at(r), QStringLiteral("%1[%2]").arg(field).arg(r), width);
    Eigen::MatrixXd out(a.size(), width);
    for (qsizetype r = 0; r < a.size(); ++r)
        out.row(r) = vectorOf(a.at(r), QStringLiteral("%1[%2]").arg(field).arg(r), width);
    return out;
}

// An optional vector: absent means empty.
Eigen::RowVectorXd optionalVector(const QJsonObject &o, const QString &key, const QString &prefix,
                                  Eigen::Index want)
{
    if (!o.contains(key))
        return {};
    return vectorOf(o.value(key), prefix + "." + key, want);
}

LayerNormWeights normOf(const QJsonObject &o, const QString &key, const QString &prefix, int d)
{
    LayerNormWeights norm;
    if (!o.contains(key))
        return norm;
    const QString field = prefix + "." + key;
    if (!o.value(key).isObject())
        fail(field,
             QStringLiteral("expected an object with gamma and beta, found %1").arg(kindOf(o.value(key))));
    const QJsonObject n = o.value(key).toObject();
    for (const char *part : {"gamma", "beta"})
        if (!n.contains(QLatin1String(part)))
            fail(field + "." + part, QStringLiteral("missing"));
    norm.gamma = vectorOf(n.value("gamma"), field + ".gamma", d);
    norm.beta = vectorOf(n.value("beta"), field + ".beta", d);
    if (n.contains("epsilon")) {
        norm.epsilon = number(n.value("epsilon"), field + ".epsilon");
        if (!(norm.epsilon > 0) || !std::isfinite(norm.epsilon))
            fail(field + ".epsilon", QStringLiteral("must be a finite number greater than 0"));
    }
    return norm;
}

QJsonObject requireObject(const QJsonValue &v, const QString &field)
{
    if (!v.isObject())
        fail(field, QStringLiteral("expected an object, found %1").arg(kindOf(v)));
    return v.toObject();
}

QJsonValue require(const QJsonObject &o, const QString &key, const QString &field)
{
    if (!o.contains(key))
        fail(field, QStringLiteral("missing"));
    return o.value(key);
}

std::shared_ptr<Model> modelFromJson(const QJsonObject &root)
{
    auto model = std::make_shared<Model>();
    if (root.value("format").toString() != QLatin1String("attention-lab-model"))
        fail("format", QStringLiteral("must be \"attention-lab-model\""));
    if (root.value("version").toInt() != 1)
        fail("version", QStringLiteral("must be 1; this program reads version 1 only"));
    const QJsonValue name = require(root, "name", "name");
    if (!name.isString() || name.toString().trimmed().isEmpty())
        fail("name", QStringLiteral("must be non-empty text"));
    model->name = name.toString().toStdString();
    if (root.contains("description"))
        model->description = text(root.value("description"), "description").toStdString();
    // The sizes are checked against their limits before anything of that size is allocated.
    const int d = positiveInt(root, "d_model", "d_model", kMaxDModel);
    const int dk = positiveInt(root, "d_k", "d_k", kMaxDK);
    model->d_model = d;
    model->d_k = dk;

    if (root.contains("features")) {
        const QJsonValue f = root.value("features");
        if (!f.isArray())
            fail("features", QStringLiteral("expected a list of names, found %1").arg(kindOf(f)));
        const QJsonArray names = f.toArray();
        if (names.size() != d)
            fail("features",
                 QStringLiteral("expected %1 names (d_model), found %2").arg(d).arg(names.size()));
        for (qsizetype i = 0; i < names.size(); ++i)
            model->featureNames.push_back(
                text(names.at(i), QStringLiteral("features[%1]").arg(i)).toStdString());
    }

    const QString unknown =
        root.contains("unknown_words") ? text(root.value("unknown_words"), "unknown_words") : "hashed";
    if (unknown == QLatin1String("hashed"))
        model->unknownWords = UnknownWords::Hashed;
    else if (unknown == QLatin1String("unk"))
        model->unknownWords = UnknownWords::UnknownToken;
    else if (unknown == QLatin1String("wordnet"))
        model->unknownWords = UnknownWords::WordNet;
    else
        fail("unknown_words",
             QStringLiteral("must be \"hashed\", \"unk\" or \"wordnet\", found \"%1\"").arg(unknown));
    if (root.contains("hashed_scale"))
        model->hashedScale = number(root.value("hashed_scale"), "hashed_scale");

    const QJsonObject embeddings = requireObject(require(root, "embeddings", "embeddings"), "embeddings");
    if (embeddings.isEmpty())
        fail("embeddings", QStringLiteral("is empty: a model needs a vocabulary"));
    if (embeddings.size() > kMaxVocabulary)
        fail(
            "embeddings",
            QStringLiteral("has %1 words; the limit is %2 words").arg(embeddings.size()).arg(kMaxVocabulary));
    for (auto it = embeddings.begin(); it != embeddings.end(); ++it)
        checkVector(it.value(), QStringLiteral("embeddings.\"%1\"").arg(it.key()), d);
    model->tokenEmbedding.resize(embeddings.size(), d);
    int row = 0;
    for (auto it = embeddings.begin(); it != embeddings.end(); ++it, ++row) {
        const QString word = it.key();
        if (word.isEmpty())
            fail("embeddings", QStringLiteral("has an empty word"));
        model->vocabulary.push_back(word.toStdString());
        model->tokenEmbedding.row(row) =
            vectorOf(it.value(), QStringLiteral("embeddings.\"%1\"").arg(word), d);
    }
    model->indexVocabulary();
    if (root.contains("positions")) {
        const QJsonValue positions = root.value("positions");
        if (positions.isArray() && positions.toArray().size() > kMaxPositions)
            fail("positions", QStringLiteral("has %1 rows; the limit is %2 positions")
                                  .arg(positions.toArray().size())
                                  .arg(kMaxPositions));
        if (positions.isObject()) {
            // {"encoding": "sinusoidal", "count": N, "base": B, "scale": S}: computed, not stored.
            const QJsonObject p = positions.toObject();
            const QString encoding = text(require(p, "encoding", "positions.encoding"), "positions.encoding");
            if (encoding != QLatin1String("sinusoidal"))
                fail("positions.encoding", QStringLiteral("must be \"sinusoidal\", found \"%1\"").arg(encoding));
            model->positions.kind = PositionEncoding::Kind::Sinusoidal;
            model->positions.count = positiveInt(p, "count", "positions.count", kMaxPositions);
            model->positions.base = p.contains("base") ? number(p.value("base"), "positions.base") : 10000.0;
            model->positions.scale = p.contains("scale") ? number(p.value("scale"), "positions.scale") : 1.0;
            if (!(model->positions.base > 1.0 && model->positions.base < 1e12))
                fail("positions.base", QStringLiteral("must be a number above 1"));
            if (!(std::abs(model->positions.scale) <= 100.0))
                fail("positions.scale", QStringLiteral("must be a number from -100 to 100"));
            model->positionEmbedding = sinusoidalPositions(model->positions.count, d, model->positions.base,
                                                           model->positions.scale);
        } else {
            model->positionEmbedding = matrixOf(positions, "positions", -1, d);
            model->positions.kind = PositionEncoding::Kind::Table;
            model->positions.count = static_cast<int>(model->positionEmbedding.rows());
        }
    }
    if (root.contains("word_knowledge")) {
        // What the model knows of words outside its vocabulary (meaning.h).
        const QJsonObject k = requireObject(root.value("word_knowledge"), "word_knowledge");
        WordKnowledge &knowledge = model->knowledge;
        if (k.contains("built_from"))
            knowledge.builtFrom = text(k.value("built_from"), "word_knowledge.built_from").toStdString();
        if (k.contains("features")) {
            const QJsonObject features = requireObject(k.value("features"), "word_knowledge.features");
            if (features.size() > kMaxVocabulary)
                fail("word_knowledge.features",
                     QStringLiteral("has %1 keys; the limit is %2").arg(features.size()).arg(kMaxVocabulary));
            for (auto it = features.begin(); it != features.end(); ++it)
                checkVector(it.value(), QStringLiteral("word_knowledge.features.\"%1\"").arg(it.key()), d);
            knowledge.vectors.resize(features.size(), d);
            int r = 0;
            for (auto it = features.begin(); it != features.end(); ++it, ++r) {
                knowledge.keys.push_back(it.key().toStdString());
                knowledge.vectors.row(r) =
                    vectorOf(it.value(), QStringLiteral("word_knowledge.features.\"%1\"").arg(it.key()), d);
            }
            knowledge.indexKeys();
        }
        if (k.contains("ngrams")) {
            const QJsonValue ngrams = k.value("ngrams");
            if (ngrams.isArray() && ngrams.toArray().size() > kMaxVocabulary)
                fail("word_knowledge.ngrams", QStringLiteral("has too many rows; the limit is %1").arg(kMaxVocabulary));
            knowledge.ngrams = matrixOf(ngrams, "word_knowledge.ngrams", -1, d);
        }
        if (k.contains("own_words")) {
            const QJsonValue own = k.value("own_words");
            if (!own.isArray())
                fail("word_knowledge.own_words", QStringLiteral("expected a list of words, found %1").arg(kindOf(own)));
            const QJsonArray words = own.toArray();
            for (qsizetype i = 0; i < words.size(); ++i)
                knowledge.ownWords.push_back(
                    text(words.at(i), QStringLiteral("word_knowledge.own_words[%1]").arg(i)).toStdString());
            std::sort(knowledge.ownWords.begin(), knowledge.ownWords.end());
        }
    }
    if (model->unknownWords == UnknownWords::WordNet)
        model->wordnet = sharedWordNet(); // null when WordNet is not installed: such words are spelled out

    const QJsonArray layers = listOf(require(root, "layers", "layers"), "layers", kMaxLayers, "layers");
    for (qsizetype l = 0; l < layers.size(); ++l) {
        const QString lp = QStringLiteral("layers[%1]").arg(l);
        const QJsonObject lo = requireObject(layers.at(l), lp);
        LayerWeights layer;
        const QJsonArray heads =
            listOf(require(lo, "heads", lp + ".heads"), lp + ".heads", kMaxHeads, "heads");
        for (qsizetype h = 0; h < heads.size(); ++h) {
            const QString hp = QStringLiteral("%1.heads[%2]").arg(lp).arg(h);
            const QJsonObject ho = requireObject(heads.at(h), hp);
            HeadWeights w;
            w.W_Q = matrixOf(require(ho, "W_Q", hp + ".W_Q"), hp + ".W_Q", d, dk);
            w.W_K = matrixOf(require(ho, "W_K", hp + ".W_K"), hp + ".W_K", d, dk);
            w.W_V = matrixOf(require(ho, "W_V", hp + ".W_V"), hp + ".W_V", d, dk);
            w.b_Q = optionalVector(ho, "b_Q", hp, dk);
            w.b_K = optionalVector(ho, "b_K", hp, dk);
            w.b_V = optionalVector(ho, "b_V", hp, dk);
            layer.heads.push_back(std::move(w));
        }
        const Eigen::Index concat = heads.size() * dk;
        if (lo.contains("W_O"))
            layer.W_O = matrixOf(lo.value("W_O"), lp + ".W_O", concat, d);
        layer.b_O = optionalVector(lo, "b_O", lp, d);
        if (lo.contains("residual")) {
            if (!lo.value("residual").isBool())
                fail(lp + ".residual",
                     QStringLiteral("expected true or false, found %1").arg(kindOf(lo.value("residual"))));
            layer.residual = lo.value("residual").toBool();
        }
        layer.norm1 = normOf(lo, "norm1", lp, d);
        if (lo.contains("W_1")) {
            // The feed-forward width is whatever the first row of W_1 says: bounded before it is used.
            const QJsonValue w1 = lo.value("W_1");
            const QJsonValue first = w1.isArray() ? w1.toArray().at(0) : QJsonValue();
            const Eigen::Index ff = first.isArray() ? first.toArray().size() : -1;
            if (ff > kMaxFeedForward)
                fail(lp + ".W_1", QStringLiteral("has %1 columns; the limit for the feed-forward width is %2")
                                      .arg(ff)
                                      .arg(kMaxFeedForward));
            layer.W_1 = matrixOf(w1, lp + ".W_1", d, ff);
            layer.b_1 = optionalVector(lo, "b_1", lp, ff);
            layer.W_2 = matrixOf(require(lo, "W_2", lp + ".W_2"), lp + ".W_2", ff, d);
            layer.b_2 = optionalVector(lo, "b_2", lp, d);
        } else {
            for (const char *part : {"b_1", "W_2", "b_2"})
                if (lo.contains(QLatin1String(part)))
                    fail(lp + "." + part,
                         QStringLiteral("found without W_1: a feed-forward block needs W_1"));
        }
        layer.norm2 = normOf(lo, "norm2", lp, d);
        model->layers.push_back(std::move(layer));
    }
    if (root.contains("classifier")) {
        const QJsonObject c = requireObject(root.value("classifier"), "classifier");
        const QJsonValue classes = require(c, "classes", "classifier.classes");
        if (!classes.isArray() || classes.toArray().isEmpty())
            fail("classifier.classes", QStringLiteral("expected a non-empty list of names"));
        const QJsonArray names = classes.toArray();
        for (qsizetype i = 0; i < names.size(); ++i)
            model->classes.push_back(
                text(names.at(i), QStringLiteral("classifier.classes[%1]").arg(i)).toStdString());
        const auto n = static_cast<Eigen::Index>(model->classes.size());
        model->W_cls = matrixOf(require(c, "W", "classifier.W"), "classifier.W", d, n);
        model->b_cls = vectorOf(require(c, "b", "classifier.b"), "classifier.b", n);
    }
    // The core's own check catches what the format cannot express (heads × d_k vs d_model, …).
    const std::string problem = validateModel(*model);
    if (!problem.empty())
        fail(QString(), QString::fromStdString(problem));
    return model;
}

QJsonArray toJson(const Eigen::RowVectorXd &v)
{
    QJsonArray a;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        a.append(v(i));
    return a;
}

QJsonArray toJson(const Eigen::MatrixXd &m)
{
    QJsonArray rows;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        rows.append(toJson(Eigen::RowVectorXd(m.row(r))));
    return rows;
}

QJsonObject toJson(const LayerNormWeights &norm)
{
    return QJsonObject{{"gamma", toJson(norm.gamma)}, {"beta", toJson(norm.beta)}, {"epsilon", norm.epsilon}};
}

QString lineAndColumn(const QByteArray &text, int offset)
{
    int line = 1, column = 1;
    for (int i = 0; i < offset && i < text.size(); ++i) {
        if (text.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

} // namespace

ModelLoad parseModel(const QByteArray &json, const QString &source)
{
    ModelLoad result;
    if (static_cast<std::size_t>(json.size()) > kMaxModelFileBytes) {
        result.error = QStringLiteral("%1: is %2 bytes; the limit for a model file is %3 bytes (%4 MiB)")
                           .arg(source)
                           .arg(json.size())
                           .arg(kMaxModelFileBytes)
                           .arg(kMaxModelFileBytes >> 20);
        return result;
    }
    try {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            result.error = QStringLiteral("%1: %2: not valid JSON (%3)")
                               .arg(source, lineAndColumn(json, parseError.offset), parseError.errorString());
            return result;
        }
        if (!doc.isObject()) {
            result.error = QStringLiteral("%1: the file must hold one JSON object").arg(source);
            return result;
        }
        result.model = modelFromJson(doc.object());
    } catch (const FieldError &e) {
        result.error = e.field.isEmpty() ? QStringLiteral("%1: %2").arg(source, e.message)
                                         : QStringLiteral("%1: %2: %3").arg(source, e.field, e.message);
    } catch (const std::bad_alloc &) {
        // The limits keep a model far below this; a machine already short of memory can still get here.
        result.model.reset();
        result.error = QStringLiteral("%1: not enough memory to load this model").arg(source);
    }
    return result;
}

FileRead readFileWithLimit(const QString &path, qint64 limit, const QString &shown, const QString &what,
                           bool regularOnly)
{
    FileRead result;
    const QFileInfo info(path);
    if (info.isDir()) {
        result.error = QStringLiteral("%1: is a folder, not %2").arg(shown, what);
        return result;
    }
    // A pipe or a device (a FIFO, /dev/zero) would block or never end: a model file must be a file.
    if (regularOnly && info.exists() && !info.isFile()) {
        result.error = QStringLiteral("%1: is not a regular file (a device, pipe or socket), so not %2")
                           .arg(shown, what);
        return result;
    }
    const QString tooBig = QStringLiteral("the limit for %1 is %2 bytes (%3)")
                               .arg(what)
                               .arg(limit)
                               .arg(limit >= (1 << 20) ? QStringLiteral("%1 MiB").arg(limit >> 20)
                                                       : QStringLiteral("%1 KiB").arg(limit >> 10));
    if (info.isFile() && info.size() > limit) {
        result.error = QStringLiteral("%1: is %2 bytes; %3").arg(shown).arg(info.size()).arg(tooBig);
        return result;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("%1: cannot be read (%2)").arg(shown, file.errorString());
        return result;
    }
    // Read in chunks up to one byte past the limit: a stream (or a file that grew) is refused as soon as
    // it is too long, without reading the rest.
    char chunk[65536];
    while (result.bytes.size() <= limit) {
        const qint64 want = std::min<qint64>(sizeof chunk, limit + 1 - result.bytes.size());
        const qint64 got = file.read(chunk, want);
        if (got < 0) {
            result.error = QStringLiteral("%1: cannot be read (%2)").arg(shown, file.errorString());
            result.bytes.clear();
            return result;
        }
        if (got == 0)
            break;
        result.bytes.append(chunk, got);
    }
    if (result.bytes.size() > limit) {
        result.error = QStringLiteral("%1: is more than %2 bytes; %3").arg(shown).arg(limit).arg(tooBig);
        result.bytes.clear();
    }
    return result;
}

QStringList builtinModelNames()
{
    // The trained model ships too, but a build without its file still works with the didactic one.
    QStringList names = {QStringLiteral("didactic")};
    if (QFile::exists(QStringLiteral(":/models/trained.json")))
        names << QStringLiteral("trained");
    return names;
}

ModelLoad loadModel(const QString &nameOrPath)
{
    QString path = nameOrPath;
    QString shown = nameOrPath;
    if (builtinModelNames().contains(nameOrPath)) {
        path = QStringLiteral(":/models/%1.json").arg(nameOrPath);
        shown = QStringLiteral("built-in model \"%1\"").arg(nameOrPath);
    }
    ModelLoad result;
    if (!QFileInfo::exists(path)) {
        result.error = QStringLiteral("%1: no such model file (built-in models: %2)")
                           .arg(shown, builtinModelNames().join(QStringLiteral(", ")));
        return result;
    }
    try {
        const FileRead file = readFileWithLimit(path, static_cast<qint64>(kMaxModelFileBytes), shown,
                                                QStringLiteral("a model file"), true);
        if (!file.ok()) {
            result.error = file.error;
            return result;
        }
        return parseModel(file.bytes, shown);
    } catch (const std::bad_alloc &) {
        result.error = QStringLiteral("%1: not enough memory to load this model").arg(shown);
        return result;
    }
}

QByteArray serializeModel(const Model &model)
{
    QJsonObject root{{"format", "attention-lab-model"},
                     {"version", 1},
                     {"name", QString::fromStdString(model.name)},
                     {"description", QString::fromStdString(model.description)},
                     {"d_model", model.d_model},
                     {"d_k", model.d_k},
                     {"unknown_words", model.unknownWords == UnknownWords::Hashed         ? "hashed"
                                       : model.unknownWords == UnknownWords::UnknownToken ? "unk"
                                                                                          : "wordnet"},
                     {"hashed_scale", model.hashedScale}};
    if (!model.featureNames.empty()) {
        QJsonArray names;
        for (const std::string &n : model.featureNames)
            names.append(QString::fromStdString(n));
        root.insert("features", names);
    }
    QJsonObject embeddings;
    for (std::size_t i = 0; i < model.vocabulary.size(); ++i)
        embeddings.insert(QString::fromStdString(model.vocabulary[i]),
                          toJson(Eigen::RowVectorXd(model.tokenEmbedding.row(static_cast<Eigen::Index>(i)))));
    root.insert("embeddings", embeddings);
    if (model.positions.kind == PositionEncoding::Kind::Sinusoidal)
        root.insert("positions", QJsonObject{{"encoding", "sinusoidal"},
                                             {"count", model.positions.count},
                                             {"base", model.positions.base},
                                             {"scale", model.positions.scale}});
    else if (model.positionEmbedding.size() > 0)
        root.insert("positions", toJson(model.positionEmbedding));
    const WordKnowledge &knowledge = model.knowledge;
    if (!knowledge.keys.empty() || knowledge.ngrams.size() > 0 || !knowledge.builtFrom.empty() ||
        !knowledge.ownWords.empty()) {
        QJsonObject k;
        if (!knowledge.builtFrom.empty())
            k.insert("built_from", QString::fromStdString(knowledge.builtFrom));
        if (!knowledge.keys.empty()) {
            QJsonObject features;
            for (std::size_t i = 0; i < knowledge.keys.size(); ++i)
                features.insert(QString::fromStdString(knowledge.keys[i]),
                                toJson(Eigen::RowVectorXd(knowledge.vectors.row(static_cast<Eigen::Index>(i)))));
            k.insert("features", features);
        }
        if (knowledge.ngrams.size() > 0)
            k.insert("ngrams", toJson(knowledge.ngrams));
        if (!knowledge.ownWords.empty()) {
            QJsonArray own;
            for (const std::string &w : knowledge.ownWords)
                own.append(QString::fromStdString(w));
            k.insert("own_words", own);
        }
        root.insert("word_knowledge", k);
    }
    QJsonArray layers;
    for (const LayerWeights &layer : model.layers) {
        QJsonArray heads;
        for (const HeadWeights &w : layer.heads) {
            QJsonObject h{{"W_Q", toJson(w.W_Q)}, {"W_K", toJson(w.W_K)}, {"W_V", toJson(w.W_V)}};
            if (w.b_Q.size() > 0)
                h.insert("b_Q", toJson(w.b_Q));
            if (w.b_K.size() > 0)
                h.insert("b_K", toJson(w.b_K));
            if (w.b_V.size() > 0)
                h.insert("b_V", toJson(w.b_V));
            heads.append(h);
        }
        QJsonObject l{{"heads", heads}, {"residual", layer.residual}};
        if (layer.W_O.size() > 0)
            l.insert("W_O", toJson(layer.W_O));
        if (layer.b_O.size() > 0)
            l.insert("b_O", toJson(layer.b_O));
        if (layer.norm1.gamma.size() > 0)
            l.insert("norm1", toJson(layer.norm1));
        if (layer.hasFeedForward()) {
            // The biases are optional in the file as in the model: an empty one is left out, never "[]".
            l.insert("W_1", toJson(layer.W_1));
            if (layer.b_1.size() > 0)
                l.insert("b_1", toJson(layer.b_1));
            l.insert("W_2", toJson(layer.W_2));
            if (layer.b_2.size() > 0)
                l.insert("b_2", toJson(layer.b_2));
        }
        if (layer.norm2.gamma.size() > 0)
            l.insert("norm2", toJson(layer.norm2));
        layers.append(l);
    }
    root.insert("layers", layers);
    if (!model.classes.empty()) {
        QJsonArray classes;
        for (const std::string &c : model.classes)
            classes.append(QString::fromStdString(c));
        root.insert(
            "classifier",
            QJsonObject{{"classes", classes}, {"W", toJson(model.W_cls)}, {"b", toJson(model.b_cls)}});
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace attention
