// The WordNet reader: index and exception files parsed at load, synset lines parsed on demand from the
// data files held in memory (WordNet names each synset by its line's byte offset).
#include "wordnet.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace attention {

namespace {

const char *const kPosFile[kWordNetPosCount] = {"noun", "verb", "adj", "adv"};

// The 45 lexicographer files of WordNet 3.0, by number (lexnames(5WN)).
const char *const kLexFiles[] = {
    "adj.all",           "adj.pert",          "adv.all",        "noun.Tops",         "noun.act",
    "noun.animal",       "noun.artifact",     "noun.attribute", "noun.body",         "noun.cognition",
    "noun.communication", "noun.event",       "noun.feeling",   "noun.food",         "noun.group",
    "noun.location",     "noun.motive",       "noun.object",    "noun.person",       "noun.phenomenon",
    "noun.plant",        "noun.possession",   "noun.process",   "noun.quantity",     "noun.relation",
    "noun.shape",        "noun.state",        "noun.substance", "noun.time",         "verb.body",
    "verb.change",       "verb.cognition",    "verb.communication", "verb.competition", "verb.consumption",
    "verb.contact",      "verb.creation",     "verb.emotion",   "verb.motion",       "verb.perception",
    "verb.possession",   "verb.social",       "verb.stative",   "verb.weather",      "adj.ppl"};
constexpr int kLexFileCount = static_cast<int>(sizeof(kLexFiles) / sizeof(kLexFiles[0]));

constexpr std::uint32_t kOffsetMask = (1u << 28) - 1;

SynsetId makeId(WordNetPos pos, std::uint32_t offset)
{
    return (static_cast<std::uint32_t>(pos) << 28) | (offset & kOffsetMask);
}

bool posFromLetter(char c, WordNetPos *pos)
{
    switch (c) {
    case 'n': *pos = WordNetPos::Noun; return true;
    case 'v': *pos = WordNetPos::Verb; return true;
    case 'a':
    case 's': *pos = WordNetPos::Adjective; return true;
    case 'r': *pos = WordNetPos::Adverb; return true;
    default: return false;
    }
}

bool readWhole(const std::string &path, std::string *out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    *out = buffer.str();
    return true;
}

// Splits a line at single spaces; runs of spaces give no empty fields.
std::vector<std::string> fields(const std::string &line)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (i > start)
            out.push_back(line.substr(start, i - start));
    }
    return out;
}

bool parseDecimal(const std::string &s, long long limit, long long *value)
{
    if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    *value = std::atoll(s.c_str());
    return *value <= limit;
}

bool parseHex(const std::string &s, long long *value)
{
    if (s.empty() || s.size() > 4)
        return false;
    long long v = 0;
    for (char c : s) {
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        v = v * 16 + digit;
    }
    *value = v;
    return true;
}

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Morphy's suffix rules (morph(7WN)), in its order.
const std::vector<std::pair<std::string, std::string>> &suffixRules(WordNetPos pos)
{
    static const std::vector<std::pair<std::string, std::string>> noun = {
        {"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"},
        {"ies", "y"}};
    static const std::vector<std::pair<std::string, std::string>> verb = {
        {"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}};
    static const std::vector<std::pair<std::string, std::string>> adjective = {
        {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
    static const std::vector<std::pair<std::string, std::string>> none;
    switch (pos) {
    case WordNetPos::Noun: return noun;
    case WordNetPos::Verb: return verb;
    case WordNetPos::Adjective: return adjective;
    case WordNetPos::Adverb: return none;
    }
    return none;
}

} // namespace

std::string wordNetLemma(const std::string &word)
{
    std::string out = word;
    for (char &c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        else if (c == ' ' || c == '-')
            c = '_';
    }
    return out;
}

std::string WordNet::defaultDirectory()
{
    const char *override = std::getenv("ATTENTION_LAB_WORDNET");
    return override && *override ? std::string(override) : std::string("/usr/share/wordnet");
}

const char *WordNet::lexFileName(int lexFile)
{
    return lexFile >= 0 && lexFile < kLexFileCount ? kLexFiles[lexFile] : "?";
}

char WordNet::posLetter(WordNetPos pos)
{
    static const char letters[] = {'n', 'v', 'a', 'r'};
    return letters[static_cast<int>(pos)];
}

std::string WordNet::key(SynsetId id)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%c%08u", posLetter(posOf(id)), static_cast<unsigned>(id & kOffsetMask));
    return buffer;
}

WordNetLoad WordNet::load(const std::string &directory)
{
    WordNetLoad result;
    auto wordnet = std::shared_ptr<WordNet>(new WordNet());
    wordnet->m_directory = directory;
    const std::string dir = directory.empty() || directory.back() == '/' ? directory : directory + "/";
    auto warn = [&](const std::string &message) {
        if (result.warnings.size() < 5)
            result.warnings.push_back(message);
    };
    for (int p = 0; p < kWordNetPosCount; ++p) {
        const WordNetPos pos = static_cast<WordNetPos>(p);
        const std::string dataPath = dir + "data." + kPosFile[p];
        const std::string indexPath = dir + "index." + kPosFile[p];
        if (!readWhole(dataPath, &wordnet->m_data[p])) {
            result.error = "WordNet is not installed or cannot be read: " + dataPath +
                           " is missing (install the package wordnet-base)";
            return result;
        }
        std::string indexText;
        if (!readWhole(indexPath, &indexText)) {
            result.error = "WordNet cannot be read: " + indexPath + " is missing (install the package wordnet-base)";
            return result;
        }
        // 1. The index: "lemma pos synset_cnt p_cnt [ptr…] sense_cnt tagsense_cnt offset…". Lines that start
        //    with a space are the licence.
        std::istringstream lines(indexText);
        std::string line;
        int number = 0;
        while (std::getline(lines, line)) {
            ++number;
            if (line.empty() || line[0] == ' ')
                continue;
            const std::vector<std::string> f = fields(line);
            long long synsets = 0, pointers = 0, tagged = 0;
            bool ok = f.size() >= 6 && parseDecimal(f[2], 100000, &synsets) && parseDecimal(f[3], 1000, &pointers) &&
                      synsets > 0 && static_cast<long long>(f.size()) == 6 + pointers + synsets &&
                      parseDecimal(f[5 + pointers], 100000, &tagged);
            IndexEntry entry;
            for (long long s = 0; ok && s < synsets; ++s) {
                long long offset = 0;
                const std::string &o = f[static_cast<std::size_t>(6 + pointers + s)];
                ok = o.size() == 8 && parseDecimal(o, kOffsetMask, &offset) &&
                     offset < static_cast<long long>(wordnet->m_data[p].size());
                entry.senses.push_back(makeId(pos, static_cast<std::uint32_t>(offset)));
            }
            if (!ok) {
                warn(indexPath + ": line " + std::to_string(number) + " is not an index entry; skipped");
                continue;
            }
            entry.taggedSenses = static_cast<int>(tagged);
            wordnet->m_index[p][f[0]] = std::move(entry);
        }
        if (wordnet->m_index[p].empty()) {
            result.error = "WordNet cannot be read: " + indexPath + " holds no valid entry";
            return result;
        }
        // 2. Exceptions ("mice mouse"): optional, a missing file only loses irregular forms.
        std::string exceptions;
        if (readWhole(dir + kPosFile[p] + ".exc", &exceptions)) {
            std::istringstream exc(exceptions);
            while (std::getline(exc, line)) {
                std::vector<std::string> f = fields(line);
                if (f.size() >= 2)
                    wordnet->m_exceptions[p][f[0]].assign(f.begin() + 1, f.end());
            }
        }
        // 3. Count the synset lines (each starts with its own 8-digit offset).
        const std::string &data = wordnet->m_data[p];
        for (std::size_t at = 0; at < data.size();) {
            const std::size_t end = std::min(data.find('\n', at), data.size());
            if (end > at && data[at] != ' ')
                ++wordnet->m_synsetCount;
            at = end + 1;
        }
    }
    result.wordnet = std::move(wordnet);
    return result;
}

std::string WordNet::description() const
{
    std::ostringstream out;
    out << "WordNet 3.0 (" << m_synsetCount << " synsets) from " << m_directory;
    return out.str();
}

const IndexEntry *WordNet::entry(const std::string &lemma, WordNetPos pos) const
{
    const auto &index = m_index[static_cast<int>(pos)];
    const auto it = index.find(lemma);
    return it == index.end() ? nullptr : &it->second;
}

std::vector<std::string> WordNet::baseForms(const std::string &word, WordNetPos pos) const
{
    std::vector<std::string> out;
    const std::string lemma = wordNetLemma(word);
    auto add = [&](const std::string &candidate) {
        if (!candidate.empty() && entry(candidate, pos) &&
            std::find(out.begin(), out.end(), candidate) == out.end())
            out.push_back(candidate);
    };
    add(lemma);
    const auto &exceptions = m_exceptions[static_cast<int>(pos)];
    if (const auto it = exceptions.find(lemma); it != exceptions.end())
        for (const std::string &base : it->second)
            add(base);
    for (const auto &[suffix, ending] : suffixRules(pos))
        if (endsWith(lemma, suffix) && lemma.size() > suffix.size() + 1)
            add(lemma.substr(0, lemma.size() - suffix.size()) + ending);
    // Nouns and adjectives also end in "ful" ("boxesful") rarely; morphy's other rules are left out.
    return out;
}

const Synset &WordNet::synset(SynsetId id) const
{
    std::lock_guard<std::mutex> lock(m_parsed->mutex);
    auto found = m_parsed->synsets.find(id);
    if (found == m_parsed->synsets.end())
        found = m_parsed->synsets.emplace(id, parseSynset(id)).first;
    return found->second;
}

Synset WordNet::parseSynset(SynsetId id) const
{
    Synset s;
    const int p = static_cast<int>(posOf(id));
    if (p < 0 || p >= kWordNetPosCount)
        return s;
    const std::string &data = m_data[p];
    const std::size_t offset = id & kOffsetMask;
    if (offset >= data.size() || (offset > 0 && data[offset - 1] != '\n'))
        return s;
    const std::size_t end = std::min(data.find('\n', offset), data.size());
    const std::string line = data.substr(offset, end - offset);
    const std::size_t bar = line.find(" | ");
    const std::vector<std::string> f = fields(line.substr(0, bar));
    // "offset lex_filenum ss_type w_cnt word lex_id … p_cnt ptr… [frames] | gloss"
    long long ownOffset = 0, lexFile = 0, words = 0;
    WordNetPos pos;
    if (f.size() < 6 || !parseDecimal(f[0], kOffsetMask, &ownOffset) || static_cast<std::size_t>(ownOffset) != offset ||
        !parseDecimal(f[1], 99, &lexFile) || f[2].size() != 1 || !posFromLetter(f[2][0], &pos) ||
        !parseHex(f[3], &words) || words <= 0)
        return s;
    std::size_t at = 4;
    for (long long w = 0; w < words; ++w, at += 2) {
        if (at + 1 >= f.size())
            return s;
        std::string word = f[at];
        if (const auto paren = word.find('('); paren != std::string::npos)
            word.erase(paren); // adjective markers: "big(a)", "galore(ip)"
        s.words.push_back(word);
    }
    long long pointers = 0;
    if (at >= f.size() || !parseDecimal(f[at], 999, &pointers))
        return {};
    ++at;
    for (long long k = 0; k < pointers; ++k, at += 4) {
        long long targetOffset = 0;
        WordNetPos targetPos;
        if (at + 3 >= f.size() + 0 || f[at + 2].size() != 1 || !posFromLetter(f[at + 2][0], &targetPos) ||
            !parseDecimal(f[at + 1], kOffsetMask, &targetOffset))
            return {};
        s.pointers.push_back({f[at], makeId(targetPos, static_cast<std::uint32_t>(targetOffset))});
    }
    s.id = id;
    s.pos = pos;
    s.satellite = f[2][0] == 's';
    s.lexFile = static_cast<int>(lexFile);
    if (bar != std::string::npos)
        s.gloss = line.substr(bar + 3);
    while (!s.gloss.empty() && (s.gloss.back() == ' ' || s.gloss.back() == '\r'))
        s.gloss.pop_back();
    return s;
}

std::vector<SynsetId> WordNet::hypernyms(SynsetId id) const
{
    std::vector<SynsetId> out;
    for (const SynsetPointer &p : synset(id).pointers)
        if (p.symbol == "@" || p.symbol == "@i")
            out.push_back(p.target);
    return out;
}

std::vector<SynsetId> WordNet::hyponymClosure(SynsetId root) const
{
    std::vector<SynsetId> out;
    std::set<SynsetId> seen;
    std::vector<SynsetId> stack = {root};
    while (!stack.empty()) {
        const SynsetId s = stack.back();
        stack.pop_back();
        if (!seen.insert(s).second)
            continue;
        const Synset synset = this->synset(s);
        if (synset.id == kNoSynset)
            continue;
        out.push_back(s);
        for (auto it = synset.pointers.rbegin(); it != synset.pointers.rend(); ++it)
            if (it->symbol == "~" || it->symbol == "~i")
                stack.push_back(it->target);
    }
    return out;
}

SynsetId WordNet::byName(const std::string &name) const
{
    const auto dot2 = name.rfind('.');
    if (dot2 == std::string::npos || dot2 == 0)
        return kNoSynset;
    const auto dot1 = name.rfind('.', dot2 - 1);
    if (dot1 == std::string::npos || dot2 - dot1 != 2)
        return kNoSynset;
    WordNetPos pos;
    long long sense = 0;
    if (!posFromLetter(name[dot1 + 1], &pos) || !parseDecimal(name.substr(dot2 + 1), 1000, &sense) || sense < 1)
        return kNoSynset;
    const IndexEntry *e = entry(wordNetLemma(name.substr(0, dot1)), pos);
    if (!e || sense > static_cast<long long>(e->senses.size()))
        return kNoSynset;
    return e->senses[static_cast<std::size_t>(sense - 1)];
}

std::vector<SynsetId> WordNet::allSynsets(WordNetPos pos) const
{
    std::vector<SynsetId> out;
    const std::string &data = m_data[static_cast<int>(pos)];
    for (std::size_t at = 0; at < data.size();) {
        const std::size_t end = std::min(data.find('\n', at), data.size());
        if (end > at && data[at] >= '0' && data[at] <= '9')
            out.push_back(makeId(pos, static_cast<std::uint32_t>(at)));
        at = end + 1;
    }
    return out;
}

} // namespace attention
