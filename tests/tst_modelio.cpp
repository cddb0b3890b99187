// Model files: the built-in didactic model, round trips, and clear errors for malformed files.
#include "attention.h"
#include "meaning.h"
#include "modelio.h"
#include "testmodels.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace attention;

namespace {

// A valid two-word model in the file format; the tests break one field at a time.
QByteArray validModel()
{
    return R"({
  "format": "attention-lab-model", "version": 1, "name": "tiny", "d_model": 2, "d_k": 2,
  "features": ["x", "y"],
  "embeddings": { "cat": [1, 0], "sat": [0, 1] },
  "layers": [ { "heads": [ { "W_Q": [[1, 0], [0, 1]], "W_K": [[1, 0], [0, 1]], "W_V": [[1, 0], [0, 1]] } ] } ]
})";
}

QByteArray edited(const QByteArray &from, const QByteArray &to)
{
    QByteArray text = validModel();
    Q_ASSERT(text.contains(from));
    return text.replace(from, to);
}

// A model file with `d_model`, `d_k`, `words` words each mapped to `row`, and one layer of `heads` heads
// whose matrices are `weightRows` rows of `weightRow` (plus `layerExtra` inside the layer object).
QByteArray sizedModel(int d_model, int d_k, int words, const QByteArray &row, int heads,
                      const QByteArray &weight, const QByteArray &layerExtra = {}, int layers = 1)
{
    QByteArray json =
        "{\"format\": \"attention-lab-model\", \"version\": 1, \"name\": \"big\", \"d_model\": " +
        QByteArray::number(d_model) + ", \"d_k\": " + QByteArray::number(d_k) + ", \"embeddings\": {";
    for (int i = 0; i < words; ++i)
        json += (i ? ", \"w" : "\"w") + QByteArray::number(i) + "\": " + row;
    QByteArray head = "{\"W_Q\": " + weight + ", \"W_K\": " + weight + ", \"W_V\": " + weight + "}";
    QByteArray layer = "{" + layerExtra + "\"heads\": [" + head;
    for (int h = 1; h < heads; ++h)
        layer += ", " + head;
    layer += "]}";
    json += "}, \"layers\": [" + layer;
    for (int l = 1; l < layers; ++l)
        json += ", " + layer;
    return json + "]}";
}

// `count` copies of `item`, comma-separated, in brackets.
QByteArray listOf(int count, const QByteArray &item)
{
    QByteArray out = "[";
    for (int i = 0; i < count; ++i)
        out += (i ? ", " : "") + item;
    return out + "]";
}

// Two models are the same when every number and name is: the vocabulary may come back in another order
// (a JSON object's keys are sorted), so words are matched by name.
void compareModels(const Model &a, const Model &b)
{
    QCOMPARE(a.name, b.name);
    QCOMPARE(a.description, b.description);
    QCOMPARE(a.d_model, b.d_model);
    QCOMPARE(a.d_k, b.d_k);
    QCOMPARE(a.featureNames, b.featureNames);
    QCOMPARE(a.vocabulary.size(), b.vocabulary.size());
    for (std::size_t i = 0; i < a.vocabulary.size(); ++i) {
        const int j = b.lookup(a.vocabulary[i]);
        QVERIFY2(j >= 0, a.vocabulary[i].c_str());
        QVERIFY(a.tokenEmbedding.row(static_cast<Eigen::Index>(i)) == b.tokenEmbedding.row(j));
    }
    QVERIFY(a.positionEmbedding == b.positionEmbedding);
    QVERIFY(a.unknownWords == b.unknownWords);
    QCOMPARE(a.hashedScale, b.hashedScale);
    QCOMPARE(a.layers.size(), b.layers.size());
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        const LayerWeights &x = a.layers[l], &y = b.layers[l];
        QCOMPARE(x.heads.size(), y.heads.size());
        for (std::size_t h = 0; h < x.heads.size(); ++h) {
            const HeadWeights &p = x.heads[h], &q = y.heads[h];
            QVERIFY(p.W_Q == q.W_Q && p.W_K == q.W_K && p.W_V == q.W_V);
            QVERIFY(p.b_Q == q.b_Q && p.b_K == q.b_K && p.b_V == q.b_V);
        }
        QVERIFY(x.W_O == y.W_O && x.b_O == y.b_O && x.residual == y.residual);
        QVERIFY(x.norm1.gamma == y.norm1.gamma && x.norm1.beta == y.norm1.beta);
        QCOMPARE(x.norm1.epsilon, y.norm1.epsilon);
        QVERIFY(x.W_1 == y.W_1 && x.b_1 == y.b_1 && x.W_2 == y.W_2 && x.b_2 == y.b_2);
        QVERIFY(x.norm2.gamma == y.norm2.gamma && x.norm2.beta == y.norm2.beta);
        QCOMPARE(x.norm2.epsilon, y.norm2.epsilon);
    }
    QCOMPARE(a.classes, b.classes);
    QVERIFY(a.W_cls == b.W_cls && a.b_cls == b.b_cls);
}

int argmaxInRow(const Eigen::MatrixXd &m, Eigen::Index row)
{
    Eigen::Index best = 0;
    m.row(row).maxCoeff(&best);
    return static_cast<int>(best);
}

int indexOf(const AttentionTrace &t, const std::string &word, int occurrence = 0)
{
    for (int i = 0; i < t.tokenCount(); ++i)
        if (t.tokens[static_cast<std::size_t>(i)].text == word && occurrence-- == 0)
            return i;
    return -1;
}

} // namespace

class tst_ModelIo : public QObject
{
    Q_OBJECT
private slots:
    void validFileLoads();
    void malformed_data();
    void malformed();
    void missingFileNamesThePath();
    void roundTripKeepsEveryNumber();
    void roundTripWithoutEachOptionalPart_data();
    void roundTripWithoutEachOptionalPart();
    void oversizedModelsAreRefused_data();
    void oversizedModelsAreRefused();
    void filesThatAreNotModelsAreRefusedUnread();
    void didacticModelIsReadable();
    void overflowingModelIsRefusedNotTraced();
    void didacticItFindsAnimal();
    void didacticJavaFindsProgramming();
    void trainedTraceRecomputesFromTheJson_data();
    void trainedTraceRecomputesFromTheJson();
    void didacticKnowsWordNetWords();
};

void tst_ModelIo::validFileLoads()
{
    const ModelLoad m = parseModel(validModel(), "tiny.json");
    QVERIFY2(m.ok(), qPrintable(m.error));
    QCOMPARE(m.model->name, std::string("tiny"));
    QCOMPARE(m.model->lookup("CAT"), m.model->lookup("cat"));
    QVERIFY(m.model->lookup("dog") < 0);
}

void tst_ModelIo::malformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected"); // a part of the one-line error
    QTest::newRow("not json") << QByteArray("{ \"format\": ")
                              << QStringLiteral("tiny.json: line 1, column 13: not valid JSON");
    QTest::newRow("array root") << QByteArray("[1, 2]")
                                << QStringLiteral("tiny.json: the file must hold one JSON object");
    QTest::newRow("empty file") << QByteArray("") << QStringLiteral("not valid JSON");
    QTest::newRow("wrong format") << edited("attention-lab-model", "other")
                                  << QStringLiteral("format: must be");
    QTest::newRow("d_model text") << edited("\"d_model\": 2", "\"d_model\": \"two\"")
                                  << QStringLiteral("d_model: expected a number, found text");
    QTest::newRow("d_model zero") << edited("\"d_model\": 2", "\"d_model\": 0")
                                  << QStringLiteral("d_model: must be a whole number");
    QTest::newRow("d_k missing") << edited("\"d_k\": 2,", "") << QStringLiteral("tiny.json: d_k: missing");
    QTest::newRow("short embedding") << edited("\"cat\": [1, 0]", "\"cat\": [1]")
                                     << QStringLiteral("embeddings.\"cat\": expected 2 numbers, found 1");
    QTest::newRow("text in embedding")
        << edited("\"sat\": [0, 1]", "\"sat\": [0, \"1\"]")
        << QStringLiteral("embeddings.\"sat\"[1]: expected a number, found text");
    QTest::newRow("feature count") << edited("[\"x\", \"y\"]", "[\"x\"]")
                                   << QStringLiteral("features: expected 2 names (d_model), found 1");
    QTest::newRow("W_K short row") << edited("\"W_K\": [[1, 0], [0, 1]]", "\"W_K\": [[1, 0], [0]]")
                                   << QStringLiteral(
                                          "layers[0].heads[0].W_K[1]: expected 2 numbers, found 1");
    QTest::newRow("W_V missing") << edited(", \"W_V\": [[1, 0], [0, 1]]", "")
                                 << QStringLiteral("layers[0].heads[0].W_V: missing");
    QTest::newRow("W_Q rows") << edited("\"W_Q\": [[1, 0], [0, 1]]", "\"W_Q\": [[1, 0]]")
                              << QStringLiteral("layers[0].heads[0].W_Q: expected 2 rows, found 1");
    QTest::newRow("no layers") << edited("\"layers\": [", "\"layers\": [], \"x\": [")
                               << QStringLiteral("layers: expected a non-empty list of layers");
    QTest::newRow("heads not list") << edited("\"heads\": [", "\"heads\": 3, \"h\": [")
                                    << QStringLiteral("layers[0].heads: expected a non-empty list of heads");
    QTest::newRow("residual text") << edited("\"heads\"", "\"residual\": \"yes\", \"heads\"")
                                   << QStringLiteral(
                                          "layers[0].residual: expected true or false, found text");
    QTest::newRow("bad unknown_words") << edited("\"features\"", "\"unknown_words\": \"zero\", \"features\"")
                                       << QStringLiteral("unknown_words: must be \"hashed\", \"unk\" or \"wordnet\"");
    QTest::newRow("unk without entry") << edited("\"features\"", "\"unknown_words\": \"unk\", \"features\"")
                                       << QStringLiteral("the vocabulary has no \"<unk>\" entry");
    QTest::newRow("no embeddings") << edited("{ \"cat\": [1, 0], \"sat\": [0, 1] }", "{}")
                                   << QStringLiteral("embeddings: is empty");
    QTest::newRow("version 2") << edited("\"version\": 1", "\"version\": 2")
                               << QStringLiteral("version: must be 1");
    // Text fields that used to turn anything else into "" (or into the default) without a word.
    QTest::newRow("feature number") << edited("[\"x\", \"y\"]", "[\"x\", 2]")
                                    << QStringLiteral("features[1]: expected text, found a number");
    QTest::newRow("description list") << edited("\"features\"", "\"description\": [], \"features\"")
                                      << QStringLiteral("description: expected text, found a list");
    QTest::newRow("unknown_words number") << edited("\"features\"", "\"unknown_words\": 1, \"features\"")
                                          << QStringLiteral("unknown_words: expected text, found a number");
    QTest::newRow("class number") << edited(
                                         "\"features\"",
                                         "\"classifier\": {\"classes\": [\"a\", 3], \"W\": [[0, 0], [0, 0]], "
                                         "\"b\": [0, 0]}, \"features\"")
                                  << QStringLiteral("classifier.classes[1]: expected text, found a number");
    // Parts of a feed-forward block without its W_1 were dropped silently, and lost on saving.
    QTest::newRow("W_2 without W_1") << edited("\"heads\"", "\"W_2\": [[1, 0], [0, 1]], \"heads\"")
                                     << QStringLiteral("layers[0].W_2: found without W_1");
    QTest::newRow("W_1 of empty rows") << edited("\"heads\"", "\"W_1\": [[], []], \"W_2\": [], \"heads\"")
                                       << QStringLiteral("layers[0].W_1: has rows of no numbers");
    QTest::newRow("epsilon zero")
        << edited("\"heads\"", "\"norm1\": {\"gamma\": [1, 1], \"beta\": [0, 0], \"epsilon\": 0}, \"heads\"")
        << QStringLiteral("layers[0].norm1.epsilon: must be a finite number greater than 0");
    QTest::newRow("nested too deep") << QByteArray(100000, '[') + QByteArray(100000, ']')
                                     << QStringLiteral("not valid JSON (too deeply nested document)");
}

void tst_ModelIo::malformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const ModelLoad m = parseModel(json, QStringLiteral("tiny.json"));
    QVERIFY(!m.ok());
    QVERIFY2(m.error.contains(expected), qPrintable(m.error));
    QVERIFY(m.error.startsWith(QStringLiteral("tiny.json")));
    QVERIFY(!m.error.contains('\n'));
}

void tst_ModelIo::missingFileNamesThePath()
{
    const ModelLoad m = loadModel(QStringLiteral("/nonexistent/model.json"));
    QVERIFY(!m.ok());
    QVERIFY2(m.error.contains(QStringLiteral("/nonexistent/model.json: no such model file")),
             qPrintable(m.error));
    QTemporaryDir dir;
    QVERIFY(!loadModel(dir.path()).ok()); // a folder is not a model file
}

void tst_ModelIo::roundTripKeepsEveryNumber()
{
    const ModelLoad original = loadModel(QStringLiteral("didactic"));
    QVERIFY2(original.ok(), qPrintable(original.error));
    auto model = std::make_shared<Model>(*original.model);
    // Add the optional parts so they round-trip too, with numbers that are not round in binary.
    model->layers[0].W_O = Eigen::MatrixXd::Identity(8, 8) * 0.1;
    model->layers[0].b_O = Eigen::RowVectorXd::Constant(8, 1.0 / 3.0);
    model->layers[0].heads[0].b_Q = Eigen::RowVectorXd::LinSpaced(8, -0.7, 0.7);
    const QByteArray bytes = serializeModel(*model);
    const ModelLoad back = parseModel(bytes, QStringLiteral("round-trip"));
    QVERIFY2(back.ok(), qPrintable(back.error));
    QVERIFY(back.model->tokenEmbedding.rows() == model->tokenEmbedding.rows());
    for (std::size_t i = 0; i < model->vocabulary.size(); ++i) {
        const int j = back.model->lookup(model->vocabulary[i]);
        QVERIFY(j >= 0);
        QVERIFY(back.model->tokenEmbedding.row(j) == model->tokenEmbedding.row(static_cast<Eigen::Index>(i)));
    }
    QVERIFY(back.model->layers[0].b_O == model->layers[0].b_O); // exact, bit for bit
    QVERIFY(back.model->layers[0].heads[0].b_Q == model->layers[0].heads[0].b_Q);
    QCOMPARE(serializeModel(*back.model), bytes); // deterministic bytes
}

void tst_ModelIo::roundTripWithoutEachOptionalPart_data()
{
    QTest::addColumn<QString>("without");
    for (const char *part : {"nothing", "b_Q", "b_K", "b_V", "W_O", "b_O", "norm1", "norm2", "b_1", "b_2",
                             "b_1 and b_2", "feed-forward", "residual", "positions", "features", "classifier",
                             "description", "hashed_scale", "unk"})
        QTest::newRow(part) << QString::fromLatin1(part);
}

void tst_ModelIo::roundTripWithoutEachOptionalPart()
{
    // Every optional part present (heads × d_k = d_model, so W_O may go), then one taken away: saving and
    // loading again must give the same model, and saving that the same bytes.
    QFETCH(QString, without);
    Model model = *attention::testing::randomModel(4, 2, 2, 2, 5, true);
    model.description = "every optional part";
    model.featureNames = {"f0", "f1", "f2", "f3"};
    model.positionEmbedding = Eigen::MatrixXd::Constant(6, 4, 0.125);
    model.classes = {"yes", "no"};
    model.W_cls = Eigen::MatrixXd::Constant(4, 2, -0.5);
    model.b_cls = Eigen::RowVectorXd::Constant(2, 0.25);
    model.hashedScale = 0.7;
    for (LayerWeights &layer : model.layers) {
        for (HeadWeights &head : layer.heads) {
            if (without == "b_Q")
                head.b_Q.resize(0);
            if (without == "b_K")
                head.b_K.resize(0);
            if (without == "b_V")
                head.b_V.resize(0);
        }
        if (without == "W_O")
            layer.W_O.resize(0, 0);
        if (without == "b_O")
            layer.b_O.resize(0);
        if (without == "norm1")
            layer.norm1 = {};
        if (without == "norm2")
            layer.norm2 = {};
        if (without == "b_1" || without == "b_1 and b_2")
            layer.b_1.resize(0);
        if (without == "b_2" || without == "b_1 and b_2")
            layer.b_2.resize(0);
        if (without == "feed-forward") {
            layer.W_1.resize(0, 0);
            layer.b_1.resize(0);
            layer.W_2.resize(0, 0);
            layer.b_2.resize(0);
        }
        if (without == "residual")
            layer.residual = false;
    }
    if (without == "positions")
        model.positionEmbedding.resize(0, 0);
    if (without == "features")
        model.featureNames.clear();
    if (without == "classifier") {
        model.classes.clear();
        model.W_cls.resize(0, 0);
        model.b_cls.resize(0);
    }
    if (without == "description")
        model.description.clear();
    if (without == "hashed_scale")
        model.hashedScale = 0.0;
    if (without == "unk") {
        model.vocabulary.push_back("<unk>");
        model.indexVocabulary();
        model.tokenEmbedding.conservativeResize(model.tokenEmbedding.rows() + 1, Eigen::NoChange);
        model.tokenEmbedding.bottomRows(1).setConstant(0.5);
        model.unknownWords = UnknownWords::UnknownToken;
    }
    QCOMPARE(validateModel(model), std::string());
    const QByteArray bytes = serializeModel(model);
    const ModelLoad back = parseModel(bytes, QStringLiteral("saved.json"));
    QVERIFY2(back.ok(), qPrintable(back.error));
    compareModels(model, *back.model);
    QCOMPARE(serializeModel(*back.model), bytes);
}

void tst_ModelIo::oversizedModelsAreRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    const QByteArray identity2 = "[[1, 0], [0, 1]]";
    // Each of these used to be allocated before a single row was read: 10,000 × 10^6 doubles is 80 GB, and
    // std::bad_alloc ended the program.
    QTest::newRow("d_model 10^6")
        << sizedModel(1000000, 2, 10000, "[]", 1, identity2)
        << QStringLiteral("d_model: must be a whole number from 1 to 4096 (the limit), found 1000000");
    QTest::newRow("d_k 10^6") << sizedModel(1000, 1000000, 1, listOf(1000, "0"), 1, listOf(1000, "[]"))
                              << QStringLiteral(
                                     "d_k: must be a whole number from 1 to 4096 (the limit), found 1000000");
    // Within the limits, rows are checked before the matrix is made (4096 × 10,000 would be 328 MB).
    QTest::newRow("empty rows at the limit")
        << sizedModel(4096, 2, 10000, "[]", 1, identity2)
        << QStringLiteral("embeddings.\"w0\": expected 4096 numbers, found 0");
    QTest::newRow("W_Q of empty rows")
        << sizedModel(2, 4096, 1, "[0, 0]", 1, "[[], []]")
        << QStringLiteral("layers[0].heads[0].W_Q[0]: expected 4096 numbers, found 0");
    QTest::newRow("positions") << sizedModel(2, 2, 1, "[0, 0]", 1, identity2)
                                      .replace("\"layers\"",
                                               "\"positions\": " + listOf(10000, "[]") + ", \"layers\"")
                               << QStringLiteral("positions: has 10000 rows; the limit is 8192 positions");
    QTest::newRow("heads") << sizedModel(2, 2, 1, "[0, 0]", 65, identity2,
                                         "\"W_O\": " + listOf(130, "[0, 0]") + ", ")
                           << QStringLiteral("layers[0].heads: has 65 heads; the limit is 64");
    QTest::newRow("layers") << sizedModel(2, 2, 1, "[0, 0]", 1, identity2, {}, 65)
                            << QStringLiteral("layers: has 65 layers; the limit is 64");
    QTest::newRow("vocabulary") << sizedModel(2, 2, 100001, "[0, 0]", 1, identity2)
                                << QStringLiteral("embeddings: has 100001 words; the limit is 100000 words");
    QTest::newRow("feed-forward")
        << sizedModel(2, 2, 1, "[0, 0]", 1, identity2,
                      "\"W_1\": [" + listOf(16385, "0") + ", []], \"W_2\": [], ")
        << QStringLiteral("layers[0].W_1: has 16385 columns; the limit for the feed-forward width is 16384");
    QTest::newRow("whole file")
        << QByteArray((32 << 20) + 1, ' ')
        << QStringLiteral("is 33554433 bytes; the limit for a model file is 33554432 bytes (32 MiB)");
}

void tst_ModelIo::oversizedModelsAreRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const ModelLoad m = parseModel(json, QStringLiteral("big.json"));
    QVERIFY(!m.ok());
    QVERIFY2(m.error.startsWith(QStringLiteral("big.json: ") + expected), qPrintable(m.error));
}

void tst_ModelIo::filesThatAreNotModelsAreRefusedUnread()
{
    QTemporaryDir dir;
    // A folder, a device that never ends and a pipe nobody writes to (opening it would block forever).
    const QString fifo = dir.filePath(QStringLiteral("pipe.json"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const QList<QPair<QString, QString>> cases = {
        {dir.path(), QStringLiteral("%1: is a folder, not a model file").arg(dir.path())},
        {QStringLiteral("/dev/zero"),
         QStringLiteral("/dev/zero: is not a regular file (a device, pipe or socket), so not a model file")},
        {fifo, QStringLiteral("%1: is not a regular file (a device, pipe or socket), so not a model file")
                   .arg(fifo)}};
    for (const auto &[path, message] : cases) {
        const ModelLoad m = loadModel(path);
        QVERIFY(!m.ok());
        QCOMPARE(m.error, message);
    }
    // A file past the limit is refused from its size: a sparse file of 40 MB costs no disk and no reading.
    const QString huge = dir.filePath(QStringLiteral("huge.json"));
    QFile file(huge);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.resize(40 << 20));
    file.close();
    const ModelLoad m = loadModel(huge);
    QVERIFY(!m.ok());
    QCOMPARE(m.error,
             QStringLiteral("%1: is 41943040 bytes; the limit for a model file is 33554432 bytes (32 MiB)")
                 .arg(huge));
    // The built-in models are well within every limit.
    for (const QString &name : builtinModelNames())
        QVERIFY2(loadModel(name).ok(), qPrintable(name));
}

void tst_ModelIo::overflowingModelIsRefusedNotTraced()
{
    // Every number is finite, but a gamma of 1e300 overflows the second layer norm's output: the trace
    // says so instead of filling the views with NaN.
    const ModelLoad loaded =
        parseModel(edited("\"heads\"", "\"residual\": true, \"W_1\": [[1e300, 1e300], "
                                       "[1e300, 1e300]], \"W_2\": [[1e300, 1e300], [1e300, 1e300]], "
                                       "\"heads\""),
                   QStringLiteral("big.json"));
    QVERIFY2(loaded.ok(), qPrintable(loaded.error));
    const TraceResult r = traceText(loaded.model, "cat sat");
    QVERIFY(!r.ok());
    QVERIFY2(r.error.find("overflows") != std::string::npos, r.error.c_str());
}

void tst_ModelIo::didacticModelIsReadable()
{
    const ModelLoad m = loadModel(QStringLiteral("didactic"));
    QVERIFY2(m.ok(), qPrintable(m.error));
    QCOMPARE(m.model->d_model, 8);
    QCOMPARE(m.model->featureNames.size(), std::size_t(8));
    QVERIFY(m.model->vocabulary.size() >= 200);
    QCOMPARE(m.model->layers.size(), std::size_t(1));
    QCOMPARE(m.model->headCount(), 1);
    for (const char *w : {"the", "animal", "didn't", "street", "it", "tired", "java", "programming", "."})
        QVERIFY2(m.model->lookup(w) >= 0, w);
}

void tst_ModelIo::didacticItFindsAnimal()
{
    const ModelLoad m = loadModel(QStringLiteral("didactic"));
    QVERIFY(m.ok());
    const TraceResult r = traceText(m.model, "The animal didn't cross the street because it was too tired.");
    QVERIFY(r.ok());
    QCOMPARE(r.trace.tokenCount(), 12);
    for (bool known : r.trace.known)
        QVERIFY(known);
    const int it = indexOf(r.trace, "it");
    const int animal = indexOf(r.trace, "animal");
    QCOMPARE(argmaxInRow(r.trace.layers[0].heads[0].weights, it), animal);
    // Strictly: the runner-up is clearly below.
    const Eigen::RowVectorXd row = r.trace.layers[0].heads[0].weights.row(it);
    QVERIFY(row(animal) > 2 * row(indexOf(r.trace, "street")));
}

void tst_ModelIo::didacticJavaFindsProgramming()
{
    const ModelLoad m = loadModel(QStringLiteral("didactic"));
    const TraceResult r = traceText(m.model, "Java programming is fun.");
    QVERIFY(r.ok());
    QCOMPARE(argmaxInRow(r.trace.layers[0].heads[0].weights, indexOf(r.trace, "Java")),
             indexOf(r.trace, "programming"));
}

void tst_ModelIo::trainedTraceRecomputesFromTheJson_data()
{
    QTest::addColumn<int>("tokens");
    QTest::newRow("32") << 32;
    QTest::newRow("512") << 512;
    QTest::newRow("2048") << 2048;
}

void tst_ModelIo::trainedTraceRecomputesFromTheJson()
{
    // The positions are not stored but computed: recompute the first layer's input X = E + P, and the
    // first head's weights, from the JSON file alone (the sinusoid's formula, plain Eigen).
    QFETCH(int, tokens);
    QFile file(QStringLiteral(":/models/trained.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray json = file.readAll();
    const QJsonObject root = QJsonDocument::fromJson(json).object();
    const QJsonObject positions = root["positions"].toObject();
    QCOMPARE(positions["encoding"].toString(), QStringLiteral("sinusoidal"));
    QCOMPARE(positions["count"].toInt(), 2048);
    const double base = positions["base"].toDouble(), scale = positions["scale"].toDouble();
    const int d = root["d_model"].toInt();
    const QJsonObject embeddings = root["embeddings"].toObject();

    const ModelLoad m = parseModel(json, QStringLiteral("trained.json"));
    QVERIFY2(m.ok(), qPrintable(m.error));
    const char *cycle[] = {"the", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "too", "tired", "."};
    std::vector<std::string> words;
    for (int i = 0; i < tokens; ++i)
        words.push_back(cycle[i % 12]);
    const TraceResult r = traceTokens(m.model, tokensFromWords(words));
    QVERIFY2(r.ok(), r.error.c_str());
    Eigen::MatrixXd X(tokens, d);
    for (int i = 0; i < tokens; ++i) {
        const QJsonArray e = embeddings[QString::fromLatin1(cycle[i % 12])].toArray();
        QCOMPARE(e.size(), d);
        for (int j = 0; j < d; ++j) {
            // PE(p, 2k) = sin(p / base^(2k/d)), PE(p, 2k+1) = cos(p / base^(2k/d)), times scale.
            const double angle = i / std::pow(base, 2.0 * (j / 2) / d);
            X(i, j) = e.at(j).toDouble() + scale * (j % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    }
    QVERIFY((X - r.trace.layers[0].input).cwiseAbs().maxCoeff() < 1e-12);
    const QJsonObject head = root["layers"].toArray()[0].toObject()["heads"].toArray()[0].toObject();
    auto matrix = [](const QJsonValue &v) {
        const QJsonArray rows = v.toArray();
        Eigen::MatrixXd out(rows.size(), rows.at(0).toArray().size());
        for (int i = 0; i < rows.size(); ++i)
            for (int j = 0; j < out.cols(); ++j)
                out(i, j) = rows.at(i).toArray().at(j).toDouble();
        return out;
    };
    auto row = [](const QJsonValue &v) {
        const QJsonArray a = v.toArray();
        Eigen::RowVectorXd out(a.size());
        for (int i = 0; i < a.size(); ++i)
            out(i) = a.at(i).toDouble();
        return out;
    };
    Eigen::MatrixXd Q = X * matrix(head["W_Q"]), K = X * matrix(head["W_K"]);
    Q.rowwise() += row(head["b_Q"]);
    K.rowwise() += row(head["b_K"]);
    // The last query's row of the softmax, and the first one's.
    for (int q : {0, tokens - 1}) {
        Eigen::RowVectorXd s = Q.row(q) * K.transpose() / std::sqrt(double(Q.cols()));
        Eigen::RowVectorXd w = (s.array() - s.maxCoeff()).exp();
        w /= w.sum();
        QVERIFY((w - r.trace.layers[0].heads[0].weights.row(q)).cwiseAbs().maxCoeff() < 1e-9);
    }
}

void tst_ModelIo::didacticKnowsWordNetWords()
{
    // "elephant" is not in the didactic model's hand-set list: WordNet's noun.animal makes it an animate
    // noun there too, so "it" still finds it.
    const ModelLoad m = loadModel(QStringLiteral("didactic"));
    QVERIFY(m.ok());
    const TraceResult r = traceText(m.model, "The elephant didn't cross the bridge because it was too tired.");
    QVERIFY(r.ok());
    QCOMPARE(r.trace.origins[1].source, WordSource::WordNet);
    QCOMPARE(r.trace.origins[1].category, std::string("noun.animal"));
    const int noun = m.model->featureNames.empty() ? -1 : 0;
    QCOMPARE(noun, 0);
    QVERIFY(r.trace.tokenEmbeddings(1, 0) > 0.5); // noun
    QVERIFY(r.trace.tokenEmbeddings(1, 1) > 0.5); // animate
    QCOMPARE(argmaxInRow(r.trace.layers[0].heads[0].weights, 7), 1);
    // A word WordNet does not have is spelled out and flagged.
    const TraceResult z = traceText(m.model, "zorblat");
    QCOMPARE(z.trace.origins[0].source, WordSource::SpelledOut);
    QVERIFY(!z.trace.known[0]);
}

QTEST_GUILESS_MAIN(tst_ModelIo)
#include "tst_modelio.moc"
