// Model files: the built-in didactic model, round trips, and clear errors for malformed files.
#include "attention.h"
#include "modelio.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

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
    void didacticModelIsReadable();
    void overflowingModelIsRefusedNotTraced();
    void didacticItFindsAnimal();
    void didacticJavaFindsProgramming();
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
                                       << QStringLiteral("unknown_words: must be \"hashed\" or \"unk\"");
    QTest::newRow("unk without entry") << edited("\"features\"", "\"unknown_words\": \"unk\", \"features\"")
                                       << QStringLiteral("the vocabulary has no \"<unk>\" entry");
    QTest::newRow("no embeddings") << edited("{ \"cat\": [1, 0], \"sat\": [0, 1] }", "{}")
                                   << QStringLiteral("embeddings: is empty");
    QTest::newRow("version 2") << edited("\"version\": 1", "\"version\": 2")
                               << QStringLiteral("version: must be 1");
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

QTEST_GUILESS_MAIN(tst_ModelIo)
#include "tst_modelio.moc"
