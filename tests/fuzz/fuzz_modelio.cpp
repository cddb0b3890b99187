// Fuzzes the model loader with any bytes. A file that loads must save and load again to the same bytes,
// and the reloaded model must trace a sentence: finite numbers throughout, or a clear refusal.
#include "attention.h"
#include "modelio.h"
#include "tracecheck.h"

#include <QByteArray>
#include <QString>
#include <string>
#include <vector>

using namespace attention;

namespace {

// Traces `tokens` and checks the outcome: a refusal must say why, a trace must keep every promise.
void traceAndCheck(const std::shared_ptr<const Model> &model, const std::vector<Token> &tokens)
{
    const int n = static_cast<int>(tokens.size());
    const TraceResult r = traceTokens(model, tokens);
    if (n == 0) {
        FUZZ_CHECK(!r.ok(), "a trace of no tokens succeeded");
        return;
    }
    if (model->positionEmbedding.size() > 0 && n > model->maxPositions()) {
        FUZZ_CHECK(!r.ok() && r.error.find("positions") != std::string::npos,
                   "%d tokens with %d positions: expected a refusal naming the positions, got \"%s\"", n,
                   model->maxPositions(), r.error.c_str());
        return;
    }
    if (!r.ok()) {
        // The only other refusal a valid model may get: its numbers overflow.
        FUZZ_CHECK(r.error.find("not finite") != std::string::npos, "the trace was refused: \"%s\"",
                   r.error.c_str());
        return;
    }
    fuzz::checkTrace(r.trace, BoolMatrix::Constant(n, n, false));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString source = QStringLiteral("fuzz.json");
    const ModelLoad first = parseModel(json, source);
    if (!first.ok()) {
        FUZZ_CHECK(first.error.startsWith(source + ": ") && first.error.size() > source.size() + 2,
                   "a refusal must name the file and the problem: \"%s\"", qPrintable(first.error));
        return 0;
    }
    FUZZ_CHECK(first.error.isEmpty(), "a model loaded with an error: \"%s\"", qPrintable(first.error));
    FUZZ_CHECK(validateModel(*first.model).empty(), "a loaded model fails validateModel: %s",
               validateModel(*first.model).c_str());

    // 1. Save, load the saved text, save again: the second load must succeed and the bytes must agree.
    const QByteArray saved = serializeModel(*first.model);
    const ModelLoad second = parseModel(saved, QStringLiteral("saved.json"));
    FUZZ_CHECK(second.ok(), "the saved model does not load again: %s", qPrintable(second.error));
    const QByteArray savedAgain = serializeModel(*second.model);
    FUZZ_CHECK(savedAgain == saved, "saving the reloaded model gives other bytes (%lld vs %lld)",
               static_cast<long long>(savedAgain.size()), static_cast<long long>(saved.size()));

    // 2. Trace with the reloaded model: a few of its own words and one it does not know, then a sentence.
    const std::shared_ptr<const Model> model = second.model;
    std::vector<std::string> words;
    for (std::size_t i = 0; i < model->vocabulary.size() && words.size() < 3; ++i)
        words.push_back(model->vocabulary[i]);
    words.push_back("zqxv");
    traceAndCheck(model, tokensFromWords(words));
    traceAndCheck(model, tokenize("The animal didn't cross the street because it was too tired."));
    return 0;
}
