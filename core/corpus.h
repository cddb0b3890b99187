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
    // Per category, the WordNet synsets whose words join it ("animal.n.01"), from the '<' lines.
    std::map<std::string, std::vector<std::string>> wordnetRoots;
    // Per category, how many of its words are hand-written (the rest came from WordNet).
    std::map<std::string, std::size_t> handWritten;
};

class WordNet;

// Adds the words of each category's WordNet synsets after its hand-written ones (see the format in
// resources/lexicon/lexicon.txt): for a noun synset, the one-word lemmas whose most common noun sense lies
// under it; for an adjective synset, those whose most common adjective sense is in its cluster. At most
// `perCategory` WordNet words per category, the most common first (then alphabetically), never a
// function word, and never a word the opposite role of a frame (or another sense's cues) already has.
// Deterministic. A root WordNet does not have is skipped.
Lexicon expandLexicon(const Lexicon &lexicon, const WordNet &wordnet, std::size_t perCategory = 250);

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

// java (island, coffee, code), bank (river, money), bat (animal, baseball), python (snake, code), mouse
// (animal, computer) and crane (bird, building site). The cue categories of one word share no word, so a cue
// settles one sense.
const std::vector<AmbiguousWord> &ambiguousWords();

struct Corpus
{
    std::vector<Example> train;
    std::vector<Example> heldOut;             // held-out words in the training templates
    std::vector<Example> heldOutNewTemplates; // held-out words in templates training never saw
    // What the held-out split keeps back, sorted: no training example contains one of these words or
    // was made by one of these templates (Example::frame).
    std::vector<std::string> heldOutWords;
    std::vector<std::string> heldOutFrames;
    std::vector<std::string> trainingWords; // every word of every training sentence, sorted
    std::string error; // empty on success; otherwise which category the lexicon lacks

    bool ok() const { return error.empty(); }
};

// Makes `trainSize` training examples, about 40 % Referent (in twin pairs; "it" with creatures, objects and
// places, "he"/"she" with people), 40 % Sense and 20 % Plain (one word replaced by "<mask>", or a noun's
// WordNet category named at it), shuffled; and a held-out set of `heldOutPairs` Winograd pairs (two
// sentences each, held-out nouns and adjectives only, half of them in held-out-only templates; "it" and
// "he"/"she" frames take turns) followed by 2 · heldOutPairs Sense examples (each with a held-out cue
// word, a third of them in a held-out template too). No training sentence contains a held-out word.
// `wordnet` (may be null) names the categories of plain sentences. Deterministic: the same lexicon and
// seed give the same corpus on every machine.
Corpus generateCorpus(const Lexicon &lexicon, std::uint64_t seed, int trainSize, int heldOutPairs,
                      const WordNet *wordnet = nullptr);

// The pronoun of a Referent example ("it", "he" or "she"), or empty.
std::string pronounOf(const Example &example);

} // namespace attention
