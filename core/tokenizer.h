// Splits any UTF-8 text into word and punctuation tokens, keeping each token's spelling and offsets.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace attention {

struct Token
{
    std::string text;          // the token as spelled in the input (valid UTF-8)
    std::size_t start = 0;     // offset of the first character, in Unicode code points
    std::size_t end = 0;       // one past the last character, in code points
    std::size_t byteStart = 0; // the same span in bytes of the UTF-8 input
    std::size_t byteEnd = 0;
};

// Tokenization rules, in order of precedence:
//  1. whitespace and control characters separate tokens and are dropped;
//  2. letters, digits, '_' and combining marks form words; an apostrophe (' or U+2019) between two
//     letters stays inside the word, so "didn't" and "l'homme" are one token each; '.' or ',' between
//     two digits stays inside a number ("3.14");
//  3. each CJK ideograph, kana or hangul syllable is a token of its own (those scripts use no spaces);
//  4. an emoji is one token together with its modifiers, variation selectors and ZWJ sequence;
//  5. any other character is a punctuation token; a run of the same character ("...", "!!") is one.
// Invalid UTF-8 bytes never split a code point: each is read as U+FFFD and becomes a punctuation token.
std::vector<Token> tokenize(const std::string &utf8);

// Tokens for words that are already split (training sentences, tests): each word is one token, with the
// offsets it would have if the words were joined by single spaces.
std::vector<Token> tokensFromWords(const std::vector<std::string> &words);

// Lower-cases ASCII letters and maps the typographic apostrophe to "'" so that "Didn’t" finds "didn't".
std::string normalizeForLookup(const std::string &word);

// Decodes UTF-8 into code points; invalid sequences become U+FFFD, one per bad byte.
std::vector<char32_t> decodeUtf8(const std::string &utf8);
std::string encodeUtf8(char32_t codePoint);

} // namespace attention
