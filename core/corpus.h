// The training and held-out sentences: a plain-text lexicon of word roles and the templates that use it.
#pragma once

#include "example.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attention {

// Words by role, in the order the lexicon file lists them (the order decides which words are held out).
struct Lexicon
{
    std::map<std::string, std::vector<std::string>> categories;
};

struct LexiconResult
{
    Lexicon lexicon;
    std::string error; // empty on success; otherwise "line N: …" naming the first thing that is wrong

    bool ok() const { return error.empty(); }
};

// Reads the format documented at the top of resources/lexicon/lexicon.txt: '#' comment lines, "[name]"
// headers, then words (lower-case a-z) separated by spaces. Fails on a word before any header, a malformed
// header, a category named twice, a category without words, a word that is not lower-case a-z, and a
// word listed twice in one category.
LexiconResult parseLexicon(const std::string &text);

// One sense of an ambiguous word and the lexicon category whose words settle it.
struct WordSense
{
    std::string sense;       // the label is "sense:" + sense
    std::string cueCategory; // e.g. "programming"
};

struct AmbiguousWord
{
    std::string word;         // "java"
    bool withArticle = false; // written "the bank" rather than "bank"
    std::vector<WordSense> senses;
};

// java (island, coffee, code), bank (river, money), bat (animal, baseball), python (snake, code) and
// mouse (animal, computer). The cue categories of one word share no word, so a cue settles one sense.
const std::vector<AmbiguousWord> &ambiguousWords();

struct Corpus
{
    std::vector<Example> train;
    std::vector<Example> heldOut;
    // What the held-out split keeps back, sorted: no training example contains one of these words or
    // was made by one of these templates (Example::frame).
    std::vector<std::string> heldOutWords;
    std::vector<std::string> heldOutFrames;
    std::string error; // empty on success; otherwise which category the lexicon lacks

    bool ok() const { return error.empty(); }
};

// Makes `trainSize` training examples, about 40 % Referent (in twin pairs), 40 % Sense and 20 % Plain
// (one word replaced by "<mask>"), shuffled; and a held-out set of `heldOutPairs` Winograd pairs (two
// sentences each, only held-out nouns, half of them in held-out-only templates) followed by
// 2 · heldOutPairs Sense examples (each in a held-out template, with a held-out cue word, or both).
// Deterministic: the same lexicon and seed give the same corpus on every machine.
Corpus generateCorpus(const Lexicon &lexicon, std::uint64_t seed, int trainSize, int heldOutPairs);

} // namespace attention
