// Fuzzes the tokenizer with any bytes: spans must tile the input in order, and every token must be the
// input's own text at its span (exactly, for valid UTF-8; with U+FFFD for each invalid byte otherwise).
#include "fuzzcheck.h"
#include "tokenizer.h"

#include <string>

using namespace attention;

namespace {

// An independent check of strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool isValidUtf8(const std::string &s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t c = 0, minimum = 0;
        if (b < 0x80)
            len = 1, c = b;
        else if (b >= 0xC2 && b <= 0xDF)
            len = 2, c = b & 0x1Fu, minimum = 0x80;
        else if (b >= 0xE0 && b <= 0xEF)
            len = 3, c = b & 0x0Fu, minimum = 0x800;
        else if (b >= 0xF0 && b <= 0xF4)
            len = 4, c = b & 0x07u, minimum = 0x10000;
        else
            return false;
        if (i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cont = static_cast<unsigned char>(s[i + k]);
            if ((cont & 0xC0u) != 0x80u)
                return false;
            c = (c << 6) | (cont & 0x3Fu);
        }
        if (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

// The text a span should give: the input's code points there, each invalid byte as U+FFFD.
std::string reencoded(const std::string &bytes)
{
    std::string out;
    for (char32_t c : decodeUtf8(bytes))
        out += encodeUtf8(c);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char *>(data), size);
    const bool valid = isValidUtf8(input);
    const std::vector<Token> tokens = tokenize(input);

    // Decoding must agree with the independent check: U+FFFD appears only where the input has it.
    const std::vector<char32_t> cps = decodeUtf8(input);
    if (valid)
        FUZZ_CHECK(reencoded(input) == input, "valid UTF-8 must decode and encode back to the same bytes");

    std::size_t prevByteEnd = 0, prevEnd = 0, codePointsBefore = 0;
    for (std::size_t t = 0; t < tokens.size(); ++t) {
        const Token &tok = tokens[t];
        // 1. Spans are non-empty, strictly increasing and do not overlap, in bytes and in code points.
        FUZZ_CHECK(tok.byteStart < tok.byteEnd && tok.byteEnd <= size,
                   "token %zu has byte span [%zu, %zu) of %zu", t, tok.byteStart, tok.byteEnd, size);
        FUZZ_CHECK(tok.start < tok.end, "token %zu has code-point span [%zu, %zu)", t, tok.start, tok.end);
        FUZZ_CHECK(tok.byteStart >= prevByteEnd && tok.start >= prevEnd,
                   "token %zu starts at byte %zu / code point %zu, before the previous end %zu / %zu", t,
                   tok.byteStart, tok.start, prevByteEnd, prevEnd);
        // 2. What lies between two tokens is only separators: it gives no token of its own.
        const std::string gap = input.substr(prevByteEnd, tok.byteStart - prevByteEnd);
        FUZZ_CHECK(tokenize(gap).empty(), "the %zu bytes before token %zu hold a token", gap.size(), t);
        // 3. Code-point offsets count the code points of the bytes before the span.
        codePointsBefore += decodeUtf8(gap).size();
        FUZZ_CHECK(tok.start == codePointsBefore,
                   "token %zu starts at code point %zu; the bytes before hold %zu", t, tok.start,
                   codePointsBefore);
        const std::string span = input.substr(tok.byteStart, tok.byteEnd - tok.byteStart);
        const std::size_t spanCodePoints = decodeUtf8(span).size();
        FUZZ_CHECK(tok.end - tok.start == spanCodePoints,
                   "token %zu spans %zu code points; its bytes hold %zu", t, tok.end - tok.start,
                   spanCodePoints);
        codePointsBefore += spanCodePoints;
        // 4. The token's text is its span: the same bytes for valid UTF-8, U+FFFD per bad byte otherwise.
        if (valid)
            FUZZ_CHECK(tok.text == span, "token %zu is \"%s\"; the input there is \"%s\"", t,
                       tok.text.c_str(), span.c_str());
        else
            FUZZ_CHECK(tok.text == reencoded(span), "token %zu is \"%s\", not its span decoded", t,
                       tok.text.c_str());
        FUZZ_CHECK(isValidUtf8(tok.text), "token %zu is not valid UTF-8", t);
        // 5. A token read on its own is the same single token (nothing depends on its neighbours).
        const std::vector<Token> alone = tokenize(tok.text);
        FUZZ_CHECK(alone.size() == 1 && alone[0].text == tok.text,
                   "token %zu \"%s\" read on its own gives %zu tokens", t, tok.text.c_str(), alone.size());
        prevByteEnd = tok.byteEnd;
        prevEnd = tok.end;
    }
    const std::string tail = input.substr(prevByteEnd);
    FUZZ_CHECK(tokenize(tail).empty(), "the %zu bytes after the last token hold a token", tail.size());
    FUZZ_CHECK(codePointsBefore + decodeUtf8(tail).size() == cps.size(),
               "the spans and gaps hold a different number of code points from the input (%zu)", cps.size());

    // 6. The lookup spelling keeps valid UTF-8 valid, and normalizing twice changes nothing more.
    const std::string normalized = normalizeForLookup(input);
    if (valid)
        FUZZ_CHECK(isValidUtf8(normalized), "normalizeForLookup broke valid UTF-8");
    FUZZ_CHECK(normalizeForLookup(normalized) == normalized, "normalizeForLookup is not idempotent");
    return 0;
}
