// UTF-8 decoding and the word/punctuation tokenizer.
#include "tokenizer.h"

namespace attention {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

enum class CharClass { Space, Word, Mark, Ideograph, Emoji, EmojiJoiner, Apostrophe, Other };

bool inRange(char32_t c, char32_t lo, char32_t hi)
{
    return c >= lo && c <= hi;
}

bool isCombiningMark(char32_t c)
{
    return inRange(c, 0x0300, 0x036F) || inRange(c, 0x0483, 0x0489) || inRange(c, 0x0591, 0x05BD) ||
           inRange(c, 0x0610, 0x061A) || inRange(c, 0x064B, 0x065F) || inRange(c, 0x0900, 0x0903) ||
           inRange(c, 0x093A, 0x094F) || inRange(c, 0x1AB0, 0x1AFF) || inRange(c, 0x1DC0, 0x1DFF) ||
           inRange(c, 0x20D0, 0x20FF) || inRange(c, 0xFE20, 0xFE2F);
}

bool isEmoji(char32_t c)
{
    return inRange(c, 0x1F000, 0x1FAFF) || inRange(c, 0x2600, 0x27BF) || inRange(c, 0x2B00, 0x2BFF) ||
           inRange(c, 0x1F1E6, 0x1F1FF);
}

// Characters that only modify the emoji before them: variation selectors, skin tones, tags, keycap.
bool isEmojiModifier(char32_t c)
{
    return inRange(c, 0xFE00, 0xFE0F) || inRange(c, 0x1F3FB, 0x1F3FF) || inRange(c, 0xE0020, 0xE007F) ||
           c == 0x20E3;
}

bool isIdeograph(char32_t c)
{
    return inRange(c, 0x3040, 0x30FF) || // hiragana, katakana
           inRange(c, 0x3400, 0x4DBF) || // CJK extension A
           inRange(c, 0x4E00, 0x9FFF) || // CJK unified ideographs
           inRange(c, 0xAC00, 0xD7AF) || // hangul syllables
           inRange(c, 0xF900, 0xFAFF) || // CJK compatibility ideographs
           inRange(c, 0x20000, 0x3134F); // CJK extensions B–G
}

bool isPunctuationOrSymbol(char32_t c)
{
    if (c < 0x80)
        return !(inRange(c, '0', '9') || inRange(c, 'a', 'z') || inRange(c, 'A', 'Z') || c == '_');
    return inRange(c, 0x00A1, 0x00BF) || c == 0x00D7 || c == 0x00F7 || inRange(c, 0x2010, 0x2027) ||
           inRange(c, 0x2030, 0x205E) || inRange(c, 0x2070, 0x2BFF) || inRange(c, 0x3000, 0x303F) ||
           inRange(c, 0xFF01, 0xFF0F) || inRange(c, 0xFF1A, 0xFF20) || inRange(c, 0xFF3B, 0xFF40) ||
           inRange(c, 0xFF5B, 0xFF65) || inRange(c, 0xFFF0, 0xFFFF) || c == 0x055D || c == 0x060C ||
           c == 0x061F || c == 0x06D4 || c == 0x0964 || c == 0x0965;
}

bool isSpaceOrControl(char32_t c)
{
    return c <= 0x20 || inRange(c, 0x7F, 0xA0) || c == 0x1680 || inRange(c, 0x2000, 0x200B) ||
           inRange(c, 0x2028, 0x202F) || c == 0x205F || c == 0x3000 || c == 0xFEFF ||
           inRange(c, 0x200E, 0x200F) || inRange(c, 0x2066, 0x2069);
}

CharClass classify(char32_t c)
{
    if (c == 0x200D)
        return CharClass::EmojiJoiner;
    if (isSpaceOrControl(c))
        return CharClass::Space;
    if (c == '\'' || c == 0x2019)
        return CharClass::Apostrophe;
    if (isCombiningMark(c))
        return CharClass::Mark;
    if (isEmojiModifier(c))
        return CharClass::Mark;
    if (isEmoji(c))
        return CharClass::Emoji;
    if (isIdeograph(c))
        return CharClass::Ideograph;
    if (c == kReplacement || isPunctuationOrSymbol(c))
        return CharClass::Other;
    if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return CharClass::Other;
    return CharClass::Word; // letters of every other script, digits, '_'
}

bool isDigit(char32_t c)
{
    return c >= '0' && c <= '9';
}

} // namespace

namespace {

// Decodes and records where each code point starts in the input, plus one final entry at the end.
std::vector<char32_t> decode(const std::string &utf8, std::vector<std::size_t> *byteOffsets)
{
    std::vector<char32_t> out;
    out.reserve(utf8.size());
    if (byteOffsets)
        byteOffsets->clear();
    const auto *s = reinterpret_cast<const unsigned char *>(utf8.data());
    const std::size_t n = utf8.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char b = s[i];
        int length = 0;
        char32_t c = 0;
        char32_t minimum = 0;
        if (byteOffsets)
            byteOffsets->push_back(i);
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            length = 2, c = b & 0x1F, minimum = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            length = 3, c = b & 0x0F, minimum = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            length = 4, c = b & 0x07, minimum = 0x10000;
        } else {
            out.push_back(kReplacement);
            ++i;
            continue;
        }
        bool valid = i + length <= n;
        for (int k = 1; valid && k < length; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                valid = false;
            else
                c = (c << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8 either.
        if (valid && (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)))
            valid = false;
        if (!valid) {
            out.push_back(kReplacement);
            ++i;
            continue;
        }
        out.push_back(c);
        i += length;
    }
    if (byteOffsets)
        byteOffsets->push_back(n);
    return out;
}

} // namespace

std::vector<char32_t> decodeUtf8(const std::string &utf8)
{
    return decode(utf8, nullptr);
}

std::string encodeUtf8(char32_t c)
{
    std::string s;
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
}

std::vector<Token> tokenize(const std::string &utf8)
{
    std::vector<std::size_t> byteOffset;
    const std::vector<char32_t> cps = decode(utf8, &byteOffset);
    const std::size_t n = cps.size();
    std::vector<CharClass> cls(n);
    for (std::size_t i = 0; i < n; ++i)
        cls[i] = classify(cps[i]);

    std::vector<Token> tokens;
    std::size_t i = 0;
    auto push = [&](std::size_t from, std::size_t to) {
        Token t;
        t.start = from;
        t.end = to;
        t.byteStart = byteOffset[from];
        t.byteEnd = byteOffset[to];
        for (std::size_t k = from; k < to; ++k)
            t.text += encodeUtf8(cps[k]);
        tokens.push_back(std::move(t));
    };
    auto isLetter = [&](std::size_t k) { return k < n && cls[k] == CharClass::Word && !isDigit(cps[k]); };

    while (i < n) {
        const CharClass c = cls[i];
        const std::size_t from = i;
        if (c == CharClass::Space || c == CharClass::EmojiJoiner) {
            ++i;
            continue;
        }
        if (c == CharClass::Word || c == CharClass::Mark) {
            ++i;
            while (i < n) {
                if (cls[i] == CharClass::Word || cls[i] == CharClass::Mark) {
                    ++i;
                } else if (cls[i] == CharClass::Apostrophe && isLetter(i - 1) && isLetter(i + 1)) {
                    ++i; // didn't, l'homme
                } else if ((cps[i] == '.' || cps[i] == ',') && isDigit(cps[i - 1]) && i + 1 < n &&
                           isDigit(cps[i + 1])) {
                    ++i; // 3.14, 10,000
                } else {
                    break;
                }
            }
        } else if (c == CharClass::Ideograph) {
            ++i;
            while (i < n && cls[i] == CharClass::Mark)
                ++i;
        } else if (c == CharClass::Emoji) {
            ++i;
            // Regional indicators pair into one flag.
            if (inRange(cps[from], 0x1F1E6, 0x1F1FF) && i < n && inRange(cps[i], 0x1F1E6, 0x1F1FF))
                ++i;
            while (i < n) {
                if (cls[i] == CharClass::Mark) {
                    ++i;
                } else if (cls[i] == CharClass::EmojiJoiner && i + 1 < n && cls[i + 1] == CharClass::Emoji) {
                    i += 2;
                } else {
                    break;
                }
            }
        } else {
            // Punctuation, symbols, a lone apostrophe: a run of the same character is one token.
            ++i;
            while (i < n && cps[i] == cps[from])
                ++i;
            while (i < n && cls[i] == CharClass::Mark)
                ++i;
        }
        push(from, i);
    }
    return tokens;
}

std::vector<Token> tokensFromWords(const std::vector<std::string> &words)
{
    std::vector<Token> tokens;
    tokens.reserve(words.size());
    std::size_t codePoint = 0, byte = 0;
    for (const std::string &word : words) {
        Token t;
        t.text = word;
        t.start = codePoint;
        t.end = codePoint + decodeUtf8(word).size();
        t.byteStart = byte;
        t.byteEnd = byte + word.size();
        codePoint = t.end + 1;
        byte = t.byteEnd + 1;
        tokens.push_back(std::move(t));
    }
    return tokens;
}

std::string normalizeForLookup(const std::string &word)
{
    std::string out;
    out.reserve(word.size());
    for (std::size_t i = 0; i < word.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(word[i]);
        if (c == 0xE2 && i + 2 < word.size() && static_cast<unsigned char>(word[i + 1]) == 0x80 &&
            static_cast<unsigned char>(word[i + 2]) == 0x99) {
            out += '\''; // U+2019 right single quotation mark
            i += 2;
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

} // namespace attention
