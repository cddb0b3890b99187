// Fuzzes a trace of any sentence with any options on the two built-in models: every weight row of every
// head sums to 1 or belongs to a fully masked query (then it is all 0), and blocked cells are exactly 0.
//
// Input layout (tests/fuzz/README.md has examples):
//   byte 0: bits 0–1 mask (0 none, 1 causal, 2 custom, 3 custom of a wrong shape), bit 2 scale by √d_k,
//           bit 3 swapQK, bit 4 trained model (else didactic), bit 5 padding present,
//           bit 6 split the text at spaces with tokensFromWords (else tokenize)
//   byte 1: length L of the sentence; then L bytes of sentence
//   the rest, bit by bit: one padding bit per token (when bit 5 is set), then the custom mask row by row
//   (missing bits are 0: open).
#include "attention.h"
#include "modelio.h"
#include "tracecheck.h"

#include <QString>
#include <string>
#include <vector>

using namespace attention;

namespace {

std::shared_ptr<const Model> builtin(const char *name)
{
    const ModelLoad load = loadModel(QString::fromLatin1(name));
    FUZZ_CHECK(load.ok(), "the built-in model %s does not load: %s", name, qPrintable(load.error));
    return load.model;
}

std::vector<std::string> splitAtSpaces(const std::string &text)
{
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (c == ' ') {
            if (!word.empty())
                words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty())
        words.push_back(word);
    return words;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const std::shared_ptr<const Model> didactic = builtin("didactic");
    static const std::shared_ptr<const Model> trained = builtin("trained");

    fuzz::ByteReader in(data, size);
    const std::uint8_t flags = in.byte();
    const int maskKind = flags & 3;
    TraceOptions options;
    options.mask = maskKind == 0 ? MaskMode::None : maskKind == 1 ? MaskMode::Causal : MaskMode::Custom;
    options.scale = flags & 4;
    options.swapQK = flags & 8;
    const std::shared_ptr<const Model> &model = (flags & 16) ? trained : didactic;
    const bool withPadding = flags & 32;
    const std::string text = in.bytes(in.byte());
    const std::vector<Token> tokens = (flags & 64) ? tokensFromWords(splitAtSpaces(text)) : tokenize(text);
    const int n = static_cast<int>(tokens.size());

    // The mask the options ask for, worked out here independently of buildMask.
    BoolMatrix expected = BoolMatrix::Constant(n, n, false);
    if (options.mask == MaskMode::Causal)
        for (int i = 0; i < n; ++i)
            for (int j = i + 1; j < n; ++j)
                expected(i, j) = true;
    if (withPadding) {
        options.padding.resize(std::size_t(n));
        for (int j = 0; j < n; ++j)
            options.padding[std::size_t(j)] = in.bit();
    }
    if (options.mask == MaskMode::Custom) {
        const int rows = maskKind == 3 ? n + 1 : n;
        options.customBlocked = BoolMatrix::Constant(rows, n, false);
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < n; ++j)
                options.customBlocked(i, j) = in.bit();
        if (maskKind == 2)
            expected = options.customBlocked;
    }
    for (int j = 0; j < n && withPadding; ++j)
        if (options.padding[std::size_t(j)])
            expected.col(j).setConstant(true);

    const TraceResult r = traceTokens(model, tokens, options);
    if (n == 0) {
        FUZZ_CHECK(!r.ok() && r.error.find("no tokens") != std::string::npos,
                   "no tokens: expected a refusal saying so, got \"%s\"", r.error.c_str());
        return 0;
    }
    if (model->positionEmbedding.size() > 0 && n > model->maxPositions()) {
        FUZZ_CHECK(!r.ok() && r.error.find("positions") != std::string::npos,
                   "%d tokens, %d positions: expected a refusal naming the positions, got \"%s\"", n,
                   model->maxPositions(), r.error.c_str());
        return 0;
    }
    if (maskKind == 3) {
        FUZZ_CHECK(!r.ok() && r.error.find("custom mask") != std::string::npos,
                   "a custom mask of %d × %d for %d tokens: expected a refusal naming it, got \"%s\"", n + 1,
                   n, n, r.error.c_str());
        return 0;
    }
    FUZZ_CHECK(r.ok(), "the trace of %d tokens was refused: %s", n, r.error.c_str());
    fuzz::checkTrace(r.trace, expected);
    return 0;
}
