// The lexicon parser and the sentence templates that turn word roles into training and held-out examples.
#include "corpus.h"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <set>
#include <sstream>

namespace attention {

namespace {

// --- The lexicon ---------------------------------------------------------------------------------

std::string trim(const std::string &s)
{
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

// Only plain lower-case words: anything else would be split or normalized by the tokenizer, and the
// examples would no longer hold exactly the tokens the app shows.
bool isLexiconWord(const std::string &word)
{
    return !word.empty() &&
           std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool isCategoryName(const std::string &name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string lineError(int line, const std::string &message)
{
    return "line " + std::to_string(line) + ": " + message;
}

// --- Randomness ----------------------------------------------------------------------------------

// splitmix64: the same seed gives the same stream with every compiler and standard library, which
// std::uniform_int_distribution does not promise.
class SplitMix
{
public:
    explicit SplitMix(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next()
    {
        m_state += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // [0, n): draws above the largest multiple of n are redrawn, so no value is favoured.
    int below(int n)
    {
        assert(n > 0 && "below() needs a positive bound");
        const auto range = static_cast<std::uint64_t>(n);
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
        std::uint64_t x = next();
        while (x >= limit)
            x = next();
        return static_cast<int>(x % range);
    }

    template <typename T> const T &pick(const std::vector<T> &items)
    {
        assert(!items.empty() && "cannot pick from an empty list");
        return items[static_cast<std::size_t>(below(static_cast<int>(items.size())))];
    }

private:
    std::uint64_t m_state;
};

// --- Templates -----------------------------------------------------------------------------------
// Written as the tokenizer splits them: lower case, one space between tokens, the final "." a token.
// "{X}" is a slot; its filler may be several tokens ("the bank"), and the slot's position is its last.

struct Template
{
    const char *id;
    const char *text;
    bool heldOutOnly; // used only in the held-out set: sentences of a shape training never saw
};

// A Winograd-style frame: "it" means X when the adjective comes from xAdjectives, Y when it comes from
// yAdjectives. Nothing but the adjective's category settles it, so the twin sentences differ in one word.
struct ReferentFrame
{
    const char *name;
    const char *xNouns, *yNouns;
    const char *xAdjectives, *yAdjectives;
    std::vector<Template> templates;
};

const std::vector<ReferentFrame> &referentFrames()
{
    static const std::vector<ReferentFrame> frames = {
        {"cross",
         "creatures",
         "ways",
         "creature_adjectives",
         "way_adjectives",
         {
             {"didnt", "the {X} didn't cross the {Y} because it was too {A} .", false},
             {"did-not", "the {X} did not cross the {Y} because it was too {A} .", false},
             {"refused", "the {X} refused to cross the {Y} because it was too {A} .", false},
             {"couldnt-so", "the {X} couldn't cross the {Y} because it was so {A} .", false},
             {"would-not-since", "the {X} would not cross the {Y} since it was too {A} .", false},
             // The way first: the answer cannot be "the first noun".
             {"too-hard-for", "the {Y} was too hard for the {X} to cross because it was so {A} .", false},
             {"stopped-at", "the {X} stopped at the {Y} and did not cross , because it was too {A} .", false},
             {"unable", "the {X} was unable to cross the {Y} because it was too {A} .", true},
             {"impossible-for", "crossing the {Y} was impossible for the {X} because it was too {A} .", true},
         }},
        {"fit",
         "objects",
         "containers",
         "big_adjectives",
         "small_adjectives",
         {
             {"doesnt-fit-in", "the {X} doesn't fit in the {Y} because it is too {A} .", false},
             {"does-not-fit-into", "the {X} does not fit into the {Y} because it is too {A} .", false},
             {"wont-go-in", "the {X} won't go in the {Y} because it is too {A} .", false},
             {"cant-hold", "the {Y} can't hold the {X} because it is too {A} .", false},
             {"would-not-fit-inside", "the {X} would not fit inside the {Y} since it was too {A} .", false},
             {"did-not-fit-so", "the {X} did not fit in the {Y} because it was so {A} .", true},
             {"could-not-hold", "the {Y} could not hold the {X} because it was too {A} .", true},
         }},
        {"carry",
         "creatures",
         "objects",
         "creature_adjectives",
         "load_adjectives",
         {
             {"could-not-carry", "the {X} could not carry the {Y} because it was too {A} .", false},
             {"couldnt-lift-so", "the {X} couldn't lift the {Y} because it was so {A} .", false},
             {"failed-to-pick-up", "the {X} failed to pick up the {Y} because it was too {A} .", false},
             {"not-carried-by", "the {Y} could not be carried by the {X} because it was too {A} .", false},
             {"not-able-since", "the {X} was not able to lift the {Y} since it was too {A} .", true},
             {"too-much-for", "the {Y} was too much for the {X} to carry because it was so {A} .", true},
         }},
    };
    return frames;
}

// Ambiguous-word sentences: {W} is the word, {C} the cue that settles its sense, {P} a bystander that
// settles nothing. The cue comes before the word in some templates and after it in others, in both sets.
const std::vector<Template> &senseTemplates()
{
    static const std::vector<Template> templates = {
        {"talking", "the {P} kept talking about {W} and the {C} .", false},
        {"reminded", "the {C} reminded the {P} of {W} .", false},
        {"after-we-saw", "after we saw the {C} , we talked about {W} for hours .", false},
        {"on-my-mind", "{W} was on my mind when the {P} showed me the {C} .", false},
        {"because-of", "because of the {C} , the {P} could only think of {W} .", false},
        {"wrote-about", "the {P} wrote about {W} and mentioned the {C} twice .", false},
        {"next-to", "next to the {C} , the {P} found a note about {W} .", true},
        {"asked-about", "the {P} asked about {W} while pointing at the {C} .", true},
    };
    return templates;
}

// Ordinary sentences, one slot of which is masked. Slots name lexicon categories; {D1} and {D2} are two
// different words of one cue category, so words of a domain learn to keep company.
const std::vector<Template> &plainTemplates()
{
    static const std::vector<Template> templates = {
        {"cross", "the {creature_adjectives} {creatures} crossed the {way_adjectives} {ways} .", false},
        {"walked", "the {creatures} walked slowly along the {ways} .", false},
        {"put", "the {people} put the {objects} in the {containers} .", false},
        {"too-big", "the {objects} is too {big_adjectives} for the {containers} .", false},
        {"too-small", "the {containers} is too {small_adjectives} for the {objects} .", false},
        {"carried", "the {creatures} carried the {objects} across the {ways} .", false},
        {"too-heavy", "the {objects} was too {load_adjectives} for the {creatures} to carry .", false},
        {"felt", "the {creatures} felt {creature_adjectives} all day .", false},
        {"way-was", "the {ways} was {way_adjectives} after the storm .", false},
        {"saw", "the {people} saw the {D1} and the {D2} .", false},
        {"near", "we talked about the {D1} near the {D2} .", false},
    };
    return templates;
}

// The categories of the nouns the pronoun frames choose between.
const std::vector<std::string> kNounCategories = {"creatures", "ways", "objects", "containers"};

// Categories whose every fourth word is kept back for the held-out set (see the lexicon's header).
std::vector<std::string> heldOutCategories()
{
    std::vector<std::string> names = {"creatures", "ways", "objects", "containers"};
    for (const AmbiguousWord &word : ambiguousWords())
        for (const WordSense &sense : word.senses)
            if (std::find(names.begin(), names.end(), sense.cueCategory) == names.end())
                names.push_back(sense.cueCategory);
    return names;
}

// The slot names of a template, in order: "{ways}" gives "ways".
std::vector<std::string> slotsOf(const char *text)
{
    std::vector<std::string> slots;
    std::istringstream tokens(text);
    std::string token;
    while (tokens >> token)
        if (token.size() > 2 && token.front() == '{' && token.back() == '}')
            slots.push_back(token.substr(1, token.size() - 2));
    return slots;
}

bool isDomainSlot(const std::string &slot)
{
    return slot == "D1" || slot == "D2";
}

std::vector<std::string> requiredCategories()
{
    std::set<std::string> names = {"people"};
    for (const ReferentFrame &f : referentFrames())
        names.insert({f.xNouns, f.yNouns, f.xAdjectives, f.yAdjectives});
    for (const std::string &name : heldOutCategories())
        names.insert(name);
    for (const Template &t : plainTemplates())
        for (const std::string &slot : slotsOf(t.text))
            if (!isDomainSlot(slot))
                names.insert(slot);
    return {names.begin(), names.end()};
}

struct Filled
{
    std::vector<std::string> words;
    std::map<std::string, int> at; // slot name → position of its filler's last token
};

Filled fill(const char *text, const std::map<std::string, std::string> &values)
{
    Filled out;
    std::istringstream tokens(text);
    std::string token;
    while (tokens >> token) {
        if (token.size() > 2 && token.front() == '{' && token.back() == '}') {
            const std::string slot = token.substr(1, token.size() - 2);
            const auto value = values.find(slot);
            assert(value != values.end() && "every slot of a template needs a value");
            std::istringstream filler(value->second);
            std::string word;
            while (filler >> word)
                out.words.push_back(word);
            out.at[slot] = static_cast<int>(out.words.size()) - 1;
        } else {
            out.words.push_back(token);
        }
    }
    return out;
}

int find(const std::vector<std::string> &words, const std::string &word)
{
    const auto it = std::find(words.begin(), words.end(), word);
    return it == words.end() ? -1 : static_cast<int>(it - words.begin());
}

// The lexicon split in two: words training may use, and the words kept back for the held-out set.
struct Split
{
    std::map<std::string, std::vector<std::string>> train, heldOut;
    std::set<std::string> heldOutWords;
};

Split splitLexicon(const Lexicon &lexicon)
{
    Split split;
    for (const std::string &name : heldOutCategories()) {
        const std::vector<std::string> &words = lexicon.categories.at(name);
        for (std::size_t i = 3; i < words.size(); i += 4) {
            split.heldOut[name].push_back(words[i]);
            split.heldOutWords.insert(words[i]);
        }
    }
    // A held-out word stays out of training in every category, not only the one that held it out.
    for (const auto &[name, words] : lexicon.categories)
        for (const std::string &word : words)
            if (split.heldOutWords.count(word) == 0)
                split.train[name].push_back(word);
    return split;
}

// A word in both categories, or empty.
std::string sharedWord(const Lexicon &lexicon, const std::string &a, const std::string &b)
{
    const auto &other = lexicon.categories.at(b);
    for (const std::string &w : lexicon.categories.at(a))
        if (std::find(other.begin(), other.end(), w) != other.end())
            return w;
    return {};
}

std::string checkLexicon(const Lexicon &lexicon)
{
    for (const std::string &name : requiredCategories())
        if (lexicon.categories.count(name) == 0)
            return "the lexicon has no category [" + name + "]";
    for (const std::string &name : heldOutCategories())
        if (lexicon.categories.at(name).size() < 4)
            return "category [" + name + "] needs at least 4 words, so that one can be held out";
    // A word in both roles of a frame, or in two senses' cues, would make the answer a coin toss.
    for (const ReferentFrame &f : referentFrames())
        for (const auto &[a, b] : {std::pair{f.xNouns, f.yNouns}, std::pair{f.xAdjectives, f.yAdjectives}}) {
            const std::string w = sharedWord(lexicon, a, b);
            if (!w.empty())
                return "'" + w + "' is in both [" + a + "] and [" + b +
                       "], so it cannot say what \"it\" means";
        }
    for (const AmbiguousWord &word : ambiguousWords())
        for (std::size_t a = 0; a < word.senses.size(); ++a)
            for (std::size_t b = a + 1; b < word.senses.size(); ++b) {
                const std::string &ca = word.senses[a].cueCategory, &cb = word.senses[b].cueCategory;
                const std::string w = sharedWord(lexicon, ca, cb);
                if (!w.empty())
                    return "'" + w + "' is in both [" + ca + "] and [" + cb +
                           "], so it cannot settle the sense of " + word.word;
            }
    return {};
}

Example referentExample(const ReferentFrame &frame, const Template &t, const std::string &x,
                        const std::string &y, const std::string &adjective, bool meansX, int pairId)
{
    const Filled f = fill(t.text, {{"X", x}, {"Y", y}, {"A", adjective}});
    Example e;
    e.words = f.words;
    e.kind = ExampleKind::Referent;
    e.position = find(f.words, "it");
    e.antecedent = f.at.at(meansX ? "X" : "Y");
    e.distractor = f.at.at(meansX ? "Y" : "X");
    e.label = f.words[static_cast<std::size_t>(e.antecedent)];
    e.pairId = pairId;
    e.frame = std::string(frame.name) + ":" + t.id;
    return e;
}

// Twin sentences: same template and nouns, one adjective that points "it" at X and one that points at Y.
void addPair(std::vector<Example> &out, SplitMix &random, const ReferentFrame &frame, const Template &t,
             const std::map<std::string, std::vector<std::string>> &nouns,
             const std::map<std::string, std::vector<std::string>> &adjectives, int pairId)
{
    const std::string &x = random.pick(nouns.at(frame.xNouns));
    std::string y = random.pick(nouns.at(frame.yNouns));
    while (y == x)
        y = random.pick(nouns.at(frame.yNouns));
    const std::string &adjectiveX = random.pick(adjectives.at(frame.xAdjectives));
    const std::string &adjectiveY = random.pick(adjectives.at(frame.yAdjectives));
    out.push_back(referentExample(frame, t, x, y, adjectiveX, true, pairId));
    out.push_back(referentExample(frame, t, x, y, adjectiveY, false, pairId));
}

Example senseExample(const Template &t, const AmbiguousWord &word, const WordSense &sense,
                     const std::string &cue, const std::string &person)
{
    const std::string phrase = word.withArticle ? "the " + word.word : word.word;
    const Filled f = fill(t.text, {{"W", phrase}, {"C", cue}, {"P", person}});
    Example e;
    e.words = f.words;
    e.kind = ExampleKind::Sense;
    e.position = f.at.at("W");
    e.cue = f.at.at("C");
    e.label = "sense:" + sense.sense;
    e.frame = std::string("ambiguous:") + t.id;
    return e;
}

Example plainExample(SplitMix &random, const std::map<std::string, std::vector<std::string>> &words)
{
    const Template &t = random.pick(plainTemplates());
    // 1. Fill every slot; {D1} and {D2} share one randomly chosen noun or cue category.
    const std::string domainName = random.pick(heldOutCategories());
    const std::vector<std::string> &domain = words.at(domainName);
    const std::vector<std::string> slots = slotsOf(t.text);
    std::map<std::string, std::string> values;
    for (const std::string &slot : slots)
        if (!isDomainSlot(slot))
            values[slot] = random.pick(words.at(slot));
    values["D1"] = random.pick(domain);
    values["D2"] = random.pick(domain);
    while (values["D2"] == values["D1"])
        values["D2"] = random.pick(domain);
    const Filled f = fill(t.text, values);
    Example e;
    e.words = f.words;
    e.kind = ExampleKind::Plain;
    // 2a. Half the time, name the category of a noun in the sentence ("category:ways" at "lane"). The
    //     label is about the word, not about attention; it teaches every noun, held-out ones included,
    //     what kind of thing it is, which is what the pronoun frames later ask of it.
    std::vector<std::string> nounSlots;
    for (const std::string &slot : slots) {
        const std::string category = isDomainSlot(slot) ? domainName : slot;
        if (std::find(kNounCategories.begin(), kNounCategories.end(), category) != kNounCategories.end())
            nounSlots.push_back(slot);
    }
    if (!nounSlots.empty() && random.below(2) == 0) {
        const std::string &slot = random.pick(nounSlots);
        e.position = f.at.at(slot);
        e.label = "category:" + (isDomainSlot(slot) ? domainName : slot);
        e.frame = std::string("plain-category:") + t.id;
        return e;
    }
    // 2b. Otherwise hide one slot's word: the model must guess it from the rest of the sentence.
    e.position = f.at.at(random.pick(slots));
    e.label = e.words[static_cast<std::size_t>(e.position)];
    e.words[static_cast<std::size_t>(e.position)] = "<mask>";
    e.frame = std::string("plain:") + t.id;
    return e;
}

std::vector<Template> templatesOf(const std::vector<Template> &all, bool heldOutOnly)
{
    std::vector<Template> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const Template &t) { return t.heldOutOnly == heldOutOnly; });
    return out;
}

} // namespace

LexiconResult parseLexicon(const std::string &text)
{
    LexiconResult result;
    Lexicon &lexicon = result.lexicon;
    std::map<std::string, int> headerLine; // category → line of its header
    std::string current;                   // the category words go to; empty before the first header
    std::istringstream lines(text);
    std::string raw;
    int number = 0;
    // On failure the caller gets the message and no half-read lexicon.
    auto fail = [&](int line, const std::string &message) {
        result.error = lineError(line, message);
        lexicon = {};
        return result;
    };
    // An empty category is only known once the next header (or the end) arrives; name its header's line.
    auto currentIsEmpty = [&] { return !current.empty() && lexicon.categories[current].empty(); };
    while (std::getline(lines, raw)) {
        ++number;
        const std::string line = trim(raw);
        if (line.empty() || line.front() == '#')
            continue;
        if (line.front() == '[') {
            const std::string name = line.size() >= 2 ? line.substr(1, line.size() - 2) : std::string();
            if (line.back() != ']' || !isCategoryName(name))
                return fail(number,
                            "\"" + line +
                                "\" is not a category header; write [name] with lower-case letters, digits "
                                "and '_'");
            if (currentIsEmpty())
                return fail(headerLine[current], "category [" + current + "] has no words");
            const auto seen = headerLine.find(name);
            if (seen != headerLine.end())
                return fail(number, "category [" + name + "] appears twice (first on line " +
                                        std::to_string(seen->second) + ")");
            headerLine[name] = number;
            lexicon.categories[name];
            current = name;
            continue;
        }
        std::istringstream words(line);
        std::string word;
        while (words >> word) {
            if (current.empty())
                return fail(number, "the word '" + word + "' comes before any [category] header");
            if (!isLexiconWord(word))
                return fail(number,
                            "'" + word +
                                "' is not a word of lower-case letters a-z (one token: no capitals, digits "
                                "or punctuation)");
            std::vector<std::string> &list = lexicon.categories[current];
            if (std::find(list.begin(), list.end(), word) != list.end())
                return fail(number, "'" + word + "' is already in [" + current + "]");
            list.push_back(word);
        }
    }
    if (currentIsEmpty())
        return fail(headerLine[current], "category [" + current + "] has no words");
    if (lexicon.categories.empty())
        return fail(std::max(number, 1), "the lexicon has no [category]");
    return result;
}

const std::vector<AmbiguousWord> &ambiguousWords()
{
    static const std::vector<AmbiguousWord> words = {
        {"java", false, {{"island", "geography"}, {"coffee", "coffee"}, {"code", "programming"}}},
        {"bank", true, {{"river", "nature"}, {"money", "money"}}},
        {"bat", true, {{"animal", "night"}, {"baseball", "sports"}}},
        {"python", false, {{"snake", "reptiles"}, {"code", "programming"}}},
        {"mouse", true, {{"animal", "rodents"}, {"computer", "computer"}}},
    };
    return words;
}

Corpus generateCorpus(const Lexicon &lexicon, std::uint64_t seed, int trainSize, int heldOutPairs)
{
    Corpus corpus;
    corpus.error = checkLexicon(lexicon);
    if (!corpus.error.empty())
        return corpus;
    const Split split = splitLexicon(lexicon);
    // Two different words are drawn from some categories at once ({D1} and {D2}).
    for (const auto &[name, words] : lexicon.categories)
        if (split.train.count(name) == 0 || split.train.at(name).size() < 2) {
            corpus.error = "category [" + name +
                           "] keeps fewer than 2 words for training once the held-out "
                           "words are taken out";
            return corpus;
        }
    corpus.heldOutWords.assign(split.heldOutWords.begin(), split.heldOutWords.end());
    for (const ReferentFrame &frame : referentFrames())
        for (const Template &t : templatesOf(frame.templates, true))
            corpus.heldOutFrames.push_back(std::string(frame.name) + ":" + t.id);
    for (const Template &t : templatesOf(senseTemplates(), true))
        corpus.heldOutFrames.push_back(std::string("ambiguous:") + t.id);
    std::sort(corpus.heldOutFrames.begin(), corpus.heldOutFrames.end());

    SplitMix random(seed);
    const auto &frames = referentFrames();
    const std::vector<Template> trainSense = templatesOf(senseTemplates(), false);
    const std::vector<Template> heldOutSense = templatesOf(senseTemplates(), true);
    int pairId = 0;

    // 1. Training: Winograd pairs (40 % of the sentences), ambiguous words (40 %), masked words (the rest).
    trainSize = std::max(trainSize, 0);
    const int trainPairs = trainSize / 5;
    const int trainSenses = trainSize * 2 / 5;
    for (int i = 0; i < trainPairs; ++i) {
        const ReferentFrame &frame = random.pick(frames);
        const Template t = random.pick(templatesOf(frame.templates, false));
        addPair(corpus.train, random, frame, t, split.train, split.train, pairId++);
    }
    for (int i = 0; i < trainSenses; ++i) {
        const AmbiguousWord &word = random.pick(ambiguousWords());
        const WordSense &sense = random.pick(word.senses);
        const Template &t = random.pick(trainSense);
        const std::string &cue = random.pick(split.train.at(sense.cueCategory));
        corpus.train.push_back(senseExample(t, word, sense, cue, random.pick(split.train.at("people"))));
    }
    while (static_cast<int>(corpus.train.size()) < trainSize)
        corpus.train.push_back(plainExample(random, lexicon.categories));
    // Fisher–Yates with our own stream: std::shuffle's order differs between standard libraries.
    for (std::size_t i = corpus.train.size(); i > 1; --i)
        std::swap(corpus.train[i - 1],
                  corpus.train[static_cast<std::size_t>(random.below(static_cast<int>(i)))]);

    // 2. Held-out pairs: nouns training never saw. The frames take turns, and every other pair of a frame
    //    uses its held-out-only templates in turn, so each of them is tested even in a small set.
    for (int i = 0; i < std::max(heldOutPairs, 0); ++i) {
        const ReferentFrame &frame = frames[static_cast<std::size_t>(i) % frames.size()];
        const int round = i / static_cast<int>(frames.size());
        const std::vector<Template> heldOutTemplates = templatesOf(frame.templates, true);
        const Template t =
            round % 2 == 0 ? heldOutTemplates[static_cast<std::size_t>(round / 2) % heldOutTemplates.size()]
                           : random.pick(templatesOf(frame.templates, false));
        // Adjectives are not held out: an unseen adjective could not tell the model which noun is meant.
        addPair(corpus.heldOut, random, frame, t, split.heldOut, split.train, pairId++);
    }

    // 3. Held-out ambiguous words, in turn: a held-out template with a known cue, a known template with a
    //    held-out cue, and both held out.
    for (int i = 0; i < 2 * std::max(heldOutPairs, 0); ++i) {
        const int variant = i % 3;
        const AmbiguousWord &word = random.pick(ambiguousWords());
        const WordSense &sense = random.pick(word.senses);
        const Template &t = variant == 1
                                ? random.pick(trainSense)
                                : heldOutSense[static_cast<std::size_t>(i / 3) % heldOutSense.size()];
        const auto &cues = variant == 0 ? split.train : split.heldOut;
        const std::string &cue = random.pick(cues.at(sense.cueCategory));
        corpus.heldOut.push_back(senseExample(t, word, sense, cue, random.pick(split.train.at("people"))));
    }
    return corpus;
}

} // namespace attention
