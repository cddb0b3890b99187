// Reads the WordNet 3.0 database (Debian's wordnet-base, /usr/share/wordnet) straight from its files:
// words, their senses in frequency order, categories (lexicographer files such as noun.animal),
// hypernyms, similar adjectives and inflections.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace attention {

enum class WordNetPos { Noun = 0, Verb = 1, Adjective = 2, Adverb = 3 };
constexpr int kWordNetPosCount = 4;

// A synset: its part of speech and its byte offset in data.<pos>, as WordNet itself names them
// ("n02084071" is the dog). Packed into one number: pos in the top bits, the offset below.
using SynsetId = std::uint32_t;
constexpr SynsetId kNoSynset = 0;

struct SynsetPointer
{
    std::string symbol; // "@" hypernym, "@i" instance hypernym, "&" similar to, "=" attribute, "\" pertainym…
    SynsetId target = kNoSynset;
};

struct Synset
{
    SynsetId id = kNoSynset;
    WordNetPos pos = WordNetPos::Noun;
    bool satellite = false;          // an adjective satellite ("s"): its head is its "&" pointer
    int lexFile = 0;                 // the lexicographer file: 5 is noun.animal
    std::vector<std::string> words;  // lemmas as written in the file ("hot_dog", "Java"); markers removed
    std::vector<SynsetPointer> pointers;
    std::string gloss;
};

struct IndexEntry
{
    std::vector<SynsetId> senses; // most frequent first
    int taggedSenses = 0;         // senses seen in the tagged corpus: 0 for rare words
};

class WordNet;

struct WordNetLoad
{
    std::shared_ptr<const WordNet> wordnet;
    std::string error;               // empty on success, otherwise a sentence naming the file
    std::vector<std::string> warnings; // lines that were skipped, at most a few

    bool ok() const { return wordnet != nullptr; }
};

class WordNet
{
public:
    // Reads data.{noun,verb,adj,adv}, index.* and *.exc from `directory`. Fails with a readable message
    // when a data or index file is missing or holds no valid entry; malformed lines are skipped (a few are
    // listed in warnings), never trusted.
    static WordNetLoad load(const std::string &directory);

    // The directory the programs use: $ATTENTION_LAB_WORDNET if set, else /usr/share/wordnet.
    static std::string defaultDirectory();

    const std::string &directory() const { return m_directory; }
    std::string description() const; // "WordNet 3.0, 117,659 synsets, from /usr/share/wordnet"
    std::size_t synsetCount() const { return m_synsetCount; }

    // The index entry of a lemma ("dog", "hot_dog": lower case, '_' for spaces), or nullptr.
    const IndexEntry *entry(const std::string &lemma, WordNetPos pos) const;
    // Base forms of an inflected word that WordNet has, as WordNet's morphy finds them: the word itself
    // if indexed, the exception lists ("went" → go, "mice" → mouse), then the suffix rules ("dogs" → dog).
    std::vector<std::string> baseForms(const std::string &word, WordNetPos pos) const;

    // The synset, parsed from its line in data.<pos>; an empty optional-like result (id 0) if the id
    // points at no valid line. Each line is parsed once and kept (safe from several threads): building
    // the corpus asks for the same hypernyms hundreds of thousands of times.
    const Synset &synset(SynsetId id) const;
    // Hypernyms and instance hypernyms ("@", "@i") of a synset.
    std::vector<SynsetId> hypernyms(SynsetId id) const;
    // Every synset below `root` through hyponym links ("~", "~i"), root included, in a fixed order.
    std::vector<SynsetId> hyponymClosure(SynsetId root) const;
    // The id of "dog.n.01" (lemma, pos letter, sense number), or kNoSynset.
    SynsetId byName(const std::string &name) const;
    // Every synset of a part of speech, in file order.
    std::vector<SynsetId> allSynsets(WordNetPos pos) const;

    static std::string key(SynsetId id);          // "n02084071"
    static WordNetPos posOf(SynsetId id) { return static_cast<WordNetPos>(id >> 28); }
    static const char *lexFileName(int lexFile);  // "noun.animal"; "?" when out of range
    static char posLetter(WordNetPos pos);        // n, v, a, r

private:
    std::string m_directory;
    std::string m_data[kWordNetPosCount]; // each data file whole: a synset's id is its line's byte offset
    std::unordered_map<std::string, IndexEntry> m_index[kWordNetPosCount];
    std::unordered_map<std::string, std::vector<std::string>> m_exceptions[kWordNetPosCount];
    std::size_t m_synsetCount = 0;
    Synset parseSynset(SynsetId id) const;
    struct Parsed
    {
        std::mutex mutex;
        std::unordered_map<SynsetId, Synset> synsets; // its elements never move, so references stay valid
    };
    std::unique_ptr<Parsed> m_parsed = std::make_unique<Parsed>();
};

// Lower-cases ASCII and turns spaces and '-' into '_', as WordNet's index spells lemmas.
std::string wordNetLemma(const std::string &word);

} // namespace attention
