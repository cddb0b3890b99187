// The lexicon parser and the sentence templates that turn word roles into training and held-out examples.
#include "corpus.h"

#include "wordnet.h"

#include <algorithm>
#include <cctype>
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

// "animal.n.01", "body_of_water.n.01".
bool isSynsetName(const std::string &name)
{
    const auto dot2 = name.rfind('.');
    if (dot2 == std::string::npos || dot2 < 3 || name.size() != dot2 + 3)
        return false;
    if (name[dot2 - 2] != '.' || std::string("nvar").find(name[dot2 - 1]) == std::string::npos)
        return false;
    if (!std::isdigit(static_cast<unsigned char>(name[dot2 + 1])) ||
        !std::isdigit(static_cast<unsigned char>(name[dot2 + 2])))
        return false;
    const std::string lemma = name.substr(0, dot2 - 2);
    return !lemma.empty() && std::all_of(lemma.begin(), lemma.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_' || c == '-' || (c >= '0' && c <= '9');
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
// In pronoun frames {P} is the pronoun (it, he or she) and {H} the possessive that goes with X (his, her).

struct Template
{
    const char *id;
    const char *text;
    bool heldOutOnly; // used only in the held-out set: sentences of a shape training never saw
};

// A Winograd-style frame: the pronoun means X when the adjective comes from xAdjectives, Y when it comes
// from yAdjectives. Nothing but the adjective settles it, so the twin sentences differ in one word.
// A people frame draws X and Y from one gender's people and uses "he" or "she".
struct ReferentFrame
{
    const char *name;
    const char *xNouns, *yNouns;
    const char *xAdjectives, *yAdjectives;
    bool people;
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
         false,
         {
             {"didnt", "the {X} didn't cross the {Y} because {P} was too {A} .", false},
             {"did-not", "the {X} did not cross the {Y} because {P} was too {A} .", false},
             {"refused", "the {X} refused to cross the {Y} because {P} was too {A} .", false},
             {"couldnt-so", "the {X} couldn't cross the {Y} because {P} was so {A} .", false},
             {"would-not-since", "the {X} would not cross the {Y} since {P} was too {A} .", false},
             // The way first: the answer cannot be "the first noun".
             {"too-hard-for", "the {Y} was too hard for the {X} to cross because {P} was so {A} .", false},
             {"stopped-at", "the {X} stopped at the {Y} and did not cross , because {P} was too {A} .", false},
             {"after-rain", "after the rain , the {X} didn't cross the {Y} because {P} was too {A} , so we waited .",
              false},
             {"my-wanted", "my {X} wanted to go home , but did not cross the {Y} because {P} was too {A} .", false},
             {"unable", "the {X} was unable to cross the {Y} because {P} was too {A} .", true},
             {"impossible-for", "crossing the {Y} was impossible for the {X} because {P} was too {A} .", true},
         }},
        {"jump",
         "creatures",
         "obstacles",
         "creature_adjectives",
         "high_adjectives",
         false,
         {
             {"refused-over", "my {X} refused to jump over the {Y} because {P} was too {A} .", false},
             {"could-not-over", "the {X} could not jump over the {Y} because {P} was so {A} .", false},
             {"didnt-over", "the {X} didn't jump over the {Y} since {P} was too {A} .", false},
             {"too-for", "the {Y} was too much for the {X} to jump because {P} was so {A} .", false},
             {"tried", "the {X} tried to jump over the {Y} , but {P} was too {A} .", false},
             {"would-not-leap", "the {X} would not leap over the {Y} because {P} was too {A} .", true},
             {"failed", "the {X} failed to get over the {Y} because {P} was too {A} .", true},
         }},
        {"fit",
         "objects",
         "containers",
         "big_adjectives",
         "small_adjectives",
         false,
         {
             {"doesnt-fit-in", "the {X} doesn't fit in the {Y} because {P} is too {A} .", false},
             {"does-not-fit-into", "the {X} does not fit into the {Y} because {P} is too {A} .", false},
             {"wont-go-in", "the {X} won't go in the {Y} because {P} is too {A} .", false},
             {"cant-hold", "the {Y} can't hold the {X} because {P} is too {A} .", false},
             {"would-not-fit-inside", "the {X} would not fit inside the {Y} since {P} was too {A} .", false},
             {"tried-to-put", "i tried to put the {X} into the {Y} , but {P} was too {A} .", false},
             {"did-not-fit-so", "the {X} did not fit in the {Y} because {P} was so {A} .", true},
             {"could-not-hold", "the {Y} could not hold the {X} because {P} was too {A} .", true},
         }},
        {"carry",
         "creatures",
         "objects",
         "weak_adjectives",
         "load_adjectives",
         false,
         {
             {"could-not-carry", "the {X} could not carry the {Y} because {P} was too {A} .", false},
             {"couldnt-lift-so", "the {X} couldn't lift the {Y} because {P} was so {A} .", false},
             {"failed-to-pick-up", "the {X} failed to pick up the {Y} because {P} was too {A} .", false},
             {"not-carried-by", "the {Y} could not be carried by the {X} because {P} was too {A} .", false},
             {"not-able-since", "the {X} was not able to lift the {Y} since {P} was too {A} .", true},
             {"too-much-for", "the {Y} was too much for the {X} to carry because {P} was so {A} .", true},
         }},
        {"pour",
         "vessels",
         "vessels",
         "empty_adjectives",
         "full_adjectives",
         false,
         {
             {"poured-until", "we poured water from the {X} into the {Y} until {P} was {A} .", false},
             {"she-poured", "she poured the milk from the {X} into the {Y} until {P} was {A} .", false},
             {"kept-pouring", "he kept pouring juice from the {X} into the {Y} until {P} was {A} .", false},
             {"filled", "they filled the {Y} from the {X} , and soon {P} was {A} .", false},
             {"emptied-into", "i emptied the {X} into the {Y} until {P} was {A} .", true},
         }},
        {"chase",
         "creatures",
         "creatures",
         "chaser_adjectives",
         "chased_adjectives",
         false,
         {
             {"up-the-tree", "the {X} chased the {Y} up the tree because {P} was {A} .", false},
             {"across-the-yard", "the {X} chased the {Y} across the yard because {P} was so {A} .", false},
             {"ran-after", "the {X} ran after the {Y} because {P} was very {A} .", false},
             {"was-chased", "the {Y} was chased by the {X} because {P} was {A} .", false},
             {"hunted", "the {X} hunted the {Y} all night because {P} was so {A} .", true},
         }},
        {"lift",
         "gendered",
         "gendered",
         "weak_adjectives",
         "heavy_adjectives",
         true,
         {
             {"couldnt-his", "the {X} couldn't lift {H} {Y} because {P} was so {A} .", false},
             {"could-not", "the {X} could not lift the {Y} because {P} was too {A} .", false},
             {"tried-carry", "the {X} tried to carry {H} {Y} , but {P} was too {A} .", false},
             {"not-carried-by", "the {Y} could not be carried by the {X} because {P} was so {A} .", false},
             {"unable", "the {X} was unable to lift {H} {Y} because {P} was so {A} .", true},
         }},
        {"thank",
         "gendered",
         "gendered",
         "grateful_adjectives",
         "kind_adjectives",
         true,
         {
             {"thanked", "the {X} thanked the {Y} because {P} was so {A} .", false},
             {"thanked-his", "the {X} thanked {H} {Y} since {P} was very {A} .", false},
             {"wrote-to", "the {X} wrote a letter to the {Y} to say thanks because {P} was so {A} .", false},
             {"wanted-to-thank", "the {X} wanted to thank the {Y} because {P} was really {A} .", true},
         }},
        {"walk",
         "gendered",
         "ways",
         "creature_adjectives",
         "way_adjectives",
         true,
         {
             {"didnt-cross", "the {X} didn't cross the {Y} because {P} was too {A} .", false},
             {"refused", "the {X} refused to walk along the {Y} because {P} was too {A} .", false},
             {"stayed-home", "my {X} stayed home and didn't take the {Y} , because {P} was too {A} .", false},
             {"could-not-walk", "the {X} could not walk across the {Y} since {P} was so {A} .", true},
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
        {"i-went", "i went to see {W} with the {P} , and there was a {C} .", false},
        {"next-to", "next to the {C} , the {P} found a note about {W} .", true},
        {"asked-about", "the {P} asked about {W} while pointing at the {C} .", true},
    };
    return templates;
}

// Ordinary sentences, one slot of which is masked or has its category named. Slots name lexicon
// categories; {D1} and {D2} are two different words of one noun or cue category, so words of a domain
// learn to keep company. They use the function words, so that each of them has a trained vector.
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
        {"what-is", "what is a {things} ?", false},
        {"is-a", "a {things} is a kind of {things} .", false},
        {"why-do", "why do {people} {verbs} the {things} ?", false},
        {"can-you", "can you {verbs} the {things} for me , please ?", false},
        {"i-think", "i think that the {things} is very {qualities} .", false},
        {"she-said", "she said her {things} was {qualities} , but he didn't agree .", false},
        {"they-wanted", "they wanted to {verbs} a {qualities} {things} with us .", false},
        {"how-does", "how does the {things} {verbs} the {things} ?", false},
        {"yesterday", "yesterday my {male_people} and i went to the {things} .", false},
        {"story", "once upon a time , a {qualities} {creatures} lived near a {ways} .", false},
        {"where", "where is your {things} ? it isn't here .", false},
        {"when", "when we were young , we would {verbs} every {things} .", false},
        {"who", "who is the {female_people} with the {objects} ?", false},
        {"if", "if you {verbs} the {things} , it will be {qualities} .", false},
        {"their", "their {things} is bigger than our {things} , isn't it ?", false},
        {"we-can", "we can't {verbs} this {things} because it's too {qualities} .", false},
        {"him", "i gave him the {objects} and told them about it .", false},
        {"those", "those {things} are not as {qualities} as these .", false},
        {"should", "you should never {verbs} a {things} without asking .", false},
        {"which", "which {things} do you like more , this one or that one ?", false},
        {"between", "the {things} between the {things} and the {things} is mine .", false},
        {"during", "during the day , she often reads about {things} and {things} .", false},
        {"also", "he also has a {qualities} {creatures} at home .", false},
        {"there", "there are many {things} in the {things} , aren't there ?", false},
        {"might", "it might be {qualities} , or it may not be .", false},
        {"whose", "whose {objects} is on the {things} under the window ?", false},
        {"through", "we walked through the {ways} and then up the hill .", false},
        {"doesnt", "it doesn't matter what the {people} thinks about {things} .", false},
        {"im", "i'm sure you're right , but we're still {qualities} .", false},
        {"thanks", "thanks for the {objects} ! thank you so much !", false},
        {"only", "only the {people} knows how to {verbs} the {things} .", false},
        {"must", "everyone must {verbs} something each day .", false},
        {"theyre", "they're sure it's the {things} , aren't they ?", false},
        {"wasnt", "it wasn't {qualities} , and the {things} wasn't either .", false},
        {"dont", "don't {verbs} the {things} ! i won't do it again .", false},
        {"hadnt", "she hadn't seen the {things} before ; he couldn't wait .", false},
        {"shouldnt", "you shouldn't {verbs} it ; we wouldn't either .", false},
        {"numbers", "there were 2 {things} and 10 {things} in 2024 .", false},
        {"others", "others asked whether we would walk toward the {things} , though it was late .", false},
        {"model-words", "the {model_words} and the {model_words} are parts of the model .", false},
        {"model-question", "what does the {model_words} do with the {things} ?", false},
        {"model-use", "we use {model_words} to {verbs} the {things} .", false},
    };
    return templates;
}

// The categories of the nouns the pronoun frames choose between.
const std::vector<std::string> kNounCategories = {"creatures", "ways", "objects", "containers",
                                                  "obstacles", "vessels", "male_people", "female_people"};

// Categories whose every fourth word is kept back for the held-out set (see the lexicon's header).
std::vector<std::string> heldOutCategories()
{
    std::vector<std::string> names = kNounCategories;
    for (const ReferentFrame &f : referentFrames())
        for (const char *a : {f.xAdjectives, f.yAdjectives})
            if (std::find(names.begin(), names.end(), a) == names.end())
                names.push_back(a);
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
    std::set<std::string> names = {"people", "function_words"};
    for (const ReferentFrame &f : referentFrames()) {
        names.insert({f.xAdjectives, f.yAdjectives});
        for (const char *n : {f.xNouns, f.yNouns})
            if (std::string(n) != "gendered")
                names.insert(n);
    }
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
    std::map<std::string, int> at; // slot name → position of its filler's last token (the last one's)
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

// The lexicon split in two: words training may use, and the words kept back for the held-out set.
struct Split
{
    std::map<std::string, std::vector<std::string>> train, heldOut;
    std::set<std::string> heldOutWords;
};

// Every word the templates spell out themselves ("filled", "tree"): such a word cannot be held out.
std::set<std::string> templateWords()
{
    std::set<std::string> out;
    auto add = [&](const char *text) {
        std::istringstream tokens(text);
        std::string token;
        while (tokens >> token)
            if (token.front() != '{')
                out.insert(token);
    };
    for (const ReferentFrame &f : referentFrames())
        for (const Template &t : f.templates)
            add(t.text);
    for (const Template &t : senseTemplates())
        add(t.text);
    for (const Template &t : plainTemplates())
        add(t.text);
    for (const AmbiguousWord &w : ambiguousWords())
        out.insert(w.word); // in every ambiguous-word sentence
    return out;
}

Split splitLexicon(const Lexicon &lexicon)
{
    Split split;
    const std::set<std::string> literal = templateWords();
    for (const std::string &name : heldOutCategories()) {
        const std::vector<std::string> &words = lexicon.categories.at(name);
        // Every fourth word, not counting the templates' own words.
        std::size_t counted = 0;
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (literal.count(words[i]) || ++counted % 4 != 0)
                continue;
            split.heldOut[name].push_back(words[i]);
            split.heldOutWords.insert(words[i]);
        }
    }
    // A held-out word stays out of training in every category, not only the one that held it out.
    for (const auto &[name, words] : lexicon.categories)
        for (const std::string &word : words)
            if (split.heldOutWords.count(word) == 0)
                split.train[name].push_back(word);
    // The held-out sets use only words no other role of theirs could give away.
    for (auto &[name, words] : split.heldOut)
        split.heldOut[name] = words;
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

// The pairs of categories that must share no word: the two roles of a frame, and two senses' cues.
std::vector<std::pair<std::string, std::string>> exclusivePairs()
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const ReferentFrame &f : referentFrames()) {
        if (std::string(f.xNouns) != f.yNouns && std::string(f.xNouns) != "gendered" &&
            std::string(f.yNouns) != "gendered")
            pairs.emplace_back(f.xNouns, f.yNouns);
        pairs.emplace_back(f.xAdjectives, f.yAdjectives);
    }
    pairs.emplace_back("male_people", "female_people");
    for (const AmbiguousWord &word : ambiguousWords())
        for (std::size_t a = 0; a < word.senses.size(); ++a)
            for (std::size_t b = a + 1; b < word.senses.size(); ++b)
                pairs.emplace_back(word.senses[a].cueCategory, word.senses[b].cueCategory);
    return pairs;
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
    for (const auto &[a, b] : exclusivePairs()) {
        const std::string w = sharedWord(lexicon, a, b);
        if (!w.empty())
            return "'" + w + "' is in both [" + a + "] and [" + b + "], so it cannot say what the pronoun (or the "
                   "ambiguous word) means";
    }
    return {};
}

// Replaces the pronoun frame slots and returns the example.
Example referentExample(const ReferentFrame &frame, const Template &t, const std::string &x, const std::string &y,
                        const std::string &adjective, bool meansX, int pairId, const std::string &pronoun,
                        const std::string &possessive)
{
    const Filled f = fill(t.text, {{"X", x}, {"Y", y}, {"A", adjective}, {"P", pronoun}, {"H", possessive}});
    Example e;
    e.words = f.words;
    e.kind = ExampleKind::Referent;
    e.position = f.at.at("P");
    e.antecedent = f.at.at(meansX ? "X" : "Y");
    e.distractor = f.at.at(meansX ? "Y" : "X");
    e.label = f.words[static_cast<std::size_t>(e.antecedent)];
    e.pairId = pairId;
    e.frame = std::string(frame.name) + ":" + t.id;
    return e;
}

// Twin sentences: same template and nouns, one adjective that points the pronoun at X and one at Y.
void addPair(std::vector<Example> &out, SplitMix &random, const ReferentFrame &frame, const Template &t,
             const std::map<std::string, std::vector<std::string>> &words, int pairId)
{
    std::string xCategory = frame.xNouns, yCategory = frame.yNouns, pronoun = "it", possessive = "its";
    if (frame.people) {
        const bool male = random.below(2) == 0;
        pronoun = male ? "he" : "she";
        possessive = male ? "his" : "her";
        if (xCategory == "gendered")
            xCategory = male ? "male_people" : "female_people";
        if (yCategory == "gendered")
            yCategory = male ? "male_people" : "female_people";
    }
    const std::string &x = random.pick(words.at(xCategory));
    std::string y = random.pick(words.at(yCategory));
    while (y == x)
        y = random.pick(words.at(yCategory));
    const std::string &adjectiveX = random.pick(words.at(frame.xAdjectives));
    const std::string &adjectiveY = random.pick(words.at(frame.yAdjectives));
    out.push_back(referentExample(frame, t, x, y, adjectiveX, true, pairId, pronoun, possessive));
    out.push_back(referentExample(frame, t, x, y, adjectiveY, false, pairId, pronoun, possessive));
}

Example senseExample(const Template &t, const AmbiguousWord &word, const WordSense &sense, const std::string &cue,
                     const std::string &person)
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

// The WordNet category of a noun ("noun.animal"), or the lexicon category when WordNet is not there.
std::string nounCategory(const WordNet *wordnet, const std::string &word, const std::string &fallback)
{
    if (wordnet)
        if (const IndexEntry *e = wordnet->entry(word, WordNetPos::Noun); e && !e->senses.empty()) {
            const Synset s = wordnet->synset(e->senses.front());
            if (s.id != kNoSynset)
                return WordNet::lexFileName(s.lexFile);
        }
    return fallback;
}

Example plainExample(SplitMix &random, const std::map<std::string, std::vector<std::string>> &words,
                     const WordNet *wordnet)
{
    const Template &t = random.pick(plainTemplates());
    // 1. Fill every slot; {D1} and {D2} share one randomly chosen noun or cue category.
    const std::string domainName = random.pick(heldOutCategories());
    const std::vector<std::string> &domain = words.at(domainName);
    const std::vector<std::string> slots = slotsOf(t.text);
    std::map<std::string, std::string> values;
    std::map<std::string, std::string> categoryOf; // slot → its lexicon category
    int n = 0;
    for (const std::string &slot : slots) {
        if (isDomainSlot(slot))
            continue;
        values[slot] = random.pick(words.at(slot));
        categoryOf[slot] = slot;
        ++n;
    }
    values["D1"] = random.pick(domain);
    values["D2"] = random.pick(domain);
    while (values["D2"] == values["D1"] && domain.size() > 1)
        values["D2"] = random.pick(domain);
    // A template may use one category twice ("a {things} is a kind of {things}"): fill it word by word.
    Filled f;
    {
        std::istringstream tokens(t.text);
        std::string token;
        while (tokens >> token) {
            if (token.size() > 2 && token.front() == '{' && token.back() == '}') {
                const std::string slot = token.substr(1, token.size() - 2);
                const std::string word = f.at.count(slot) && !isDomainSlot(slot) ? random.pick(words.at(slot))
                                                                                  : values.at(slot);
                f.words.push_back(word);
                f.at[slot] = static_cast<int>(f.words.size()) - 1;
            } else {
                f.words.push_back(token);
            }
        }
    }
    Example e;
    e.words = f.words;
    e.kind = ExampleKind::Plain;
    // 2a. Half the time, name the WordNet category of a noun in the sentence ("category:noun.animal" at
    //     "lamb"). The label is about the word, not about attention; it teaches what kind of thing it is.
    std::vector<std::string> nounSlots;
    for (const std::string &slot : slots) {
        const std::string category = isDomainSlot(slot) ? domainName : slot;
        if (category == "things" || category == "people" ||
            std::find(kNounCategories.begin(), kNounCategories.end(), category) != kNounCategories.end())
            nounSlots.push_back(slot);
    }
    if (!nounSlots.empty() && random.below(2) == 0) {
        const std::string &slot = random.pick(nounSlots);
        e.position = f.at.at(slot);
        e.label = "category:" + nounCategory(wordnet, e.words[static_cast<std::size_t>(e.position)],
                                             isDomainSlot(slot) ? domainName : slot);
        e.frame = std::string("plain-category:") + t.id;
        return e;
    }
    // 2b. Otherwise hide one function word: the model must guess it from the rest. (Content words are
    //     named by category instead, which keeps the classes few.)
    const std::vector<std::string> &function = words.at("function_words");
    std::vector<int> candidates;
    for (int i = 0; i + 1 < static_cast<int>(e.words.size()); ++i)
        if (std::find(function.begin(), function.end(), e.words[static_cast<std::size_t>(i)]) != function.end())
            candidates.push_back(i);
    if (candidates.empty())
        candidates.push_back(f.at.at(random.pick(slots)));
    e.position = random.pick(candidates);
    e.label = e.words[static_cast<std::size_t>(e.position)];
    e.words[static_cast<std::size_t>(e.position)] = "<mask>";
    e.frame = std::string("plain:") + t.id;
    (void)n;
    return e;
}

std::vector<Template> templatesOf(const std::vector<Template> &all, bool heldOutOnly)
{
    std::vector<Template> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const Template &t) { return t.heldOutOnly == heldOutOnly; });
    return out;
}

bool isPlainWord(const std::string &w)
{
    return w.size() >= 3 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
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
        if (line.front() == '<') {
            if (current.empty())
                return fail(number, "WordNet synsets ('<' line) come before any [category] header");
            std::istringstream names(line.substr(1));
            std::string name;
            int count = 0;
            while (names >> name) {
                if (!isSynsetName(name))
                    return fail(number, "'" + name +
                                            "' is not a WordNet synset name such as animal.n.01 (lemma, n/v/a/r, "
                                            "two-digit sense)");
                lexicon.wordnetRoots[current].push_back(name);
                ++count;
            }
            if (count == 0)
                return fail(number, "a '<' line names no WordNet synset");
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
    for (const auto &[name, words] : lexicon.categories)
        lexicon.handWritten[name] = words.size();
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

Lexicon expandLexicon(const Lexicon &lexicon, const WordNet &wordnet, std::size_t perCategory)
{
    Lexicon out = lexicon;
    std::set<std::string> functionWords; // and the ambiguous words, which must not be their own cues
    if (const auto it = lexicon.categories.find("function_words"); it != lexicon.categories.end())
        functionWords.insert(it->second.begin(), it->second.end());
    for (const AmbiguousWord &w : ambiguousWords())
        functionWords.insert(w.word);
    // Words WordNet files under a role that a classroom should not read in a generated sentence.
    if (const auto it = lexicon.categories.find("never_from_wordnet"); it != lexicon.categories.end())
        functionWords.insert(it->second.begin(), it->second.end());
    // 1. Each category's WordNet words: most common first, then alphabetically.
    std::map<std::string, std::set<std::string>> added;
    for (const auto &[name, roots] : lexicon.wordnetRoots) {
        if (out.categories.count(name) == 0)
            continue;
        std::map<std::string, int> candidates; // word → tagged senses
        for (const std::string &root : roots) {
            const SynsetId id = wordnet.byName(root);
            if (id == kNoSynset)
                continue;
            const WordNetPos pos = WordNet::posOf(id);
            std::set<SynsetId> members;
            if (pos == WordNetPos::Adjective) {
                // The cluster: the head (a satellite's own head) and every satellite similar to it.
                Synset head = wordnet.synset(id);
                if (head.satellite)
                    for (const SynsetPointer &p : head.pointers)
                        if (p.symbol == "&") {
                            head = wordnet.synset(p.target);
                            break;
                        }
                members.insert(head.id);
                for (const SynsetPointer &p : head.pointers)
                    if (p.symbol == "&")
                        members.insert(p.target);
            } else {
                const std::vector<SynsetId> below = wordnet.hyponymClosure(id);
                members.insert(below.begin(), below.end());
            }
            for (SynsetId member : members) {
                const Synset &s = wordnet.synset(member);
                for (const std::string &lemma : s.words) {
                    const std::string word = wordNetLemma(lemma);
                    if (!isPlainWord(word) || lemma != word || functionWords.count(word))
                        continue; // multi-word, capitalized (a name) or a function word
                    const IndexEntry *e = wordnet.entry(word, pos);
                    if (!e || e->senses.empty() || members.count(e->senses.front()) == 0)
                        continue; // its most common sense is something else
                    // A word more common in another part of speech ("fly", "well") would mislead.
                    bool otherMoreCommon = false;
                    for (int p = 0; p < kWordNetPosCount; ++p)
                        if (static_cast<WordNetPos>(p) != pos)
                            if (const IndexEntry *o = wordnet.entry(word, static_cast<WordNetPos>(p)))
                                otherMoreCommon = otherMoreCommon || o->taggedSenses > e->taggedSenses;
                    if (!otherMoreCommon)
                        candidates[word] = e->taggedSenses;
                }
            }
        }
        std::vector<std::pair<int, std::string>> ranked;
        for (const auto &[word, tagged] : candidates)
            ranked.emplace_back(-tagged, word);
        std::sort(ranked.begin(), ranked.end());
        std::vector<std::string> &list = out.categories[name];
        for (const auto &[negativeTagged, word] : ranked) {
            if (added[name].size() >= perCategory)
                break;
            if (std::find(list.begin(), list.end(), word) != list.end())
                continue;
            list.push_back(word);
            added[name].insert(word);
        }
    }
    // 2. A WordNet word may not take the opposite role's place: drop it where the other category has it.
    for (const auto &[a, b] : exclusivePairs()) {
        if (out.categories.count(a) == 0 || out.categories.count(b) == 0)
            continue;
        for (const auto &[mine, other] : {std::pair{a, b}, std::pair{b, a}}) {
            std::vector<std::string> &list = out.categories[mine];
            const std::vector<std::string> &theirs = out.categories[other];
            const std::set<std::string> &fromWordNet = added[mine]; // C++17 lambdas cannot capture a binding
            list.erase(std::remove_if(list.begin(), list.end(),
                                      [&](const std::string &w) {
                                          return fromWordNet.count(w) > 0 &&
                                                 std::find(theirs.begin(), theirs.end(), w) != theirs.end();
                                      }),
                       list.end());
        }
    }
    return out;
}

std::string pronounOf(const Example &example)
{
    if (example.kind != ExampleKind::Referent || example.position < 0 ||
        example.position >= static_cast<int>(example.words.size()))
        return {};
    return example.words[static_cast<std::size_t>(example.position)];
}

Corpus generateCorpus(const Lexicon &lexicon, std::uint64_t seed, int trainSize, int heldOutPairs,
                      const WordNet *wordnet)
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

    // 1. Training: Winograd pairs (40 % of the sentences), ambiguous words (40 %), ordinary sentences (the
    //    rest). Only training words: no sentence of any kind holds a held-out word.
    trainSize = std::max(trainSize, 0);
    const int trainPairs = trainSize / 5;
    const int trainSenses = trainSize * 2 / 5;
    for (int i = 0; i < trainPairs; ++i) {
        const ReferentFrame &frame = random.pick(frames);
        const Template t = random.pick(templatesOf(frame.templates, false));
        addPair(corpus.train, random, frame, t, split.train, pairId++);
    }
    for (int i = 0; i < trainSenses; ++i) {
        const AmbiguousWord &word = random.pick(ambiguousWords());
        const WordSense &sense = random.pick(word.senses);
        const Template &t = random.pick(trainSense);
        const std::string &cue = random.pick(split.train.at(sense.cueCategory));
        corpus.train.push_back(senseExample(t, word, sense, cue, random.pick(split.train.at("people"))));
    }
    while (static_cast<int>(corpus.train.size()) < trainSize)
        corpus.train.push_back(plainExample(random, split.train, wordnet));
    // Fisher–Yates with our own stream: std::shuffle's order differs between standard libraries.
    for (std::size_t i = corpus.train.size(); i > 1; --i)
        std::swap(corpus.train[i - 1], corpus.train[static_cast<std::size_t>(random.below(static_cast<int>(i)))]);
    std::set<std::string> vocabulary;
    for (const Example &e : corpus.train) {
        vocabulary.insert(e.words.begin(), e.words.end());
        if (e.kind == ExampleKind::Plain && e.label.rfind("category:", 0) != 0)
            vocabulary.insert(e.label);
    }
    corpus.trainingWords.assign(vocabulary.begin(), vocabulary.end());

    // 2. Held-out pairs: nouns and adjectives training never saw, in the training templates; the frames
    //    take turns. Then as many pairs again in the held-out-only templates, each in turn.
    for (int i = 0; i < std::max(heldOutPairs, 0); ++i) {
        const ReferentFrame &frame = frames[static_cast<std::size_t>(i) % frames.size()];
        addPair(corpus.heldOut, random, frame, random.pick(templatesOf(frame.templates, false)), split.heldOut,
                pairId++);
    }
    for (int i = 0; i < std::max(heldOutPairs, 0); ++i) {
        const ReferentFrame &frame = frames[static_cast<std::size_t>(i) % frames.size()];
        const int round = i / static_cast<int>(frames.size());
        const std::vector<Template> heldOutTemplates = templatesOf(frame.templates, true);
        addPair(corpus.heldOutNewTemplates, random, frame,
                heldOutTemplates[static_cast<std::size_t>(round) % heldOutTemplates.size()], split.heldOut, pairId++);
    }

    // 3. Held-out ambiguous words, each with a cue word training never saw: 2 · heldOutPairs in training
    //    templates, and heldOutPairs in the held-out ones.
    for (int i = 0; i < 3 * std::max(heldOutPairs, 0); ++i) {
        const bool newTemplate = i >= 2 * heldOutPairs;
        const AmbiguousWord &word = random.pick(ambiguousWords());
        const WordSense &sense = random.pick(word.senses);
        const Template &t = newTemplate ? heldOutSense[static_cast<std::size_t>(i) % heldOutSense.size()]
                                        : random.pick(trainSense);
        const std::string &cue = random.pick(split.heldOut.at(sense.cueCategory));
        (newTemplate ? corpus.heldOutNewTemplates : corpus.heldOut)
            .push_back(senseExample(t, word, sense, cue, random.pick(split.train.at("people"))));
    }
    return corpus;
}

} // namespace attention
