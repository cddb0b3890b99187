// A word's vector from the vocabulary, from WordNet, or from its spelling, and how it was found.
#include "meaning.h"

#include "tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>

namespace attention {

namespace {

constexpr int kSensesPerPos = 6;
constexpr double kHypernymDecay = 0.75;
constexpr int kMaxHypernymDepth = 20;

// Features in the order first added, each key once.
class FeatureSet
{
public:
    void add(const std::string &key, double weight, bool own = false)
    {
        if (weight <= 0.0)
            return;
        const auto it = m_at.find(key);
        if (it == m_at.end()) {
            m_at[key] = m_features.size();
            m_features.push_back({key, weight, own});
        } else {
            m_features[it->second].weight += weight;
            m_features[it->second].own = m_features[it->second].own || own;
        }
    }
    std::vector<WeightedFeature> normalized() const
    {
        double total = 0.0;
        for (const WeightedFeature &f : m_features)
            total += f.weight;
        std::vector<WeightedFeature> out = m_features;
        if (total > 0.0)
            for (WeightedFeature &f : out)
                f.weight /= total;
        return out;
    }

private:
    std::map<std::string, std::size_t> m_at;
    std::vector<WeightedFeature> m_features;
};

void addSense(const WordNet &wordnet, const Synset &sense, double weight, FeatureSet &out)
{
    out.add(WordNet::lexFileName(sense.lexFile), weight);
    out.add(WordNet::key(sense.id), weight, true);
    if (sense.pos == WordNetPos::Noun || sense.pos == WordNetPos::Verb) {
        // Breadth first up the hypernyms; a synset reached twice counts once, at its nearest depth.
        std::set<SynsetId> seen = {sense.id};
        std::vector<SynsetId> level = wordnet.hypernyms(sense.id);
        double w = weight * kHypernymDecay;
        for (int depth = 1; depth <= kMaxHypernymDepth && !level.empty(); ++depth, w *= kHypernymDecay) {
            std::vector<SynsetId> next;
            for (SynsetId h : level) {
                if (!seen.insert(h).second)
                    continue;
                out.add(WordNet::key(h), w);
                for (SynsetId up : wordnet.hypernyms(h))
                    next.push_back(up);
            }
            level = std::move(next);
        }
        return;
    }
    // Adjectives and adverbs: the cluster's head; the attribute, the noun or verb it comes from, the
    // adjectives WordNet says to see also ("glad" → cheerful) and the words derived from it ("tired" →
    // tiredness, a noun.state): a head adjective with no satellite above it has only these to share.
    Synset head = sense;
    if (sense.satellite)
        for (const SynsetPointer &p : sense.pointers)
            if (p.symbol == "&") {
                head = wordnet.synset(p.target);
                if (head.id != kNoSynset)
                    out.add(WordNet::key(head.id), weight);
                else
                    head = sense;
                break;
            }
    // A head adjective is its own head: its pointers count once.
    for (const Synset *s : head.id == sense.id ? std::vector<const Synset *>{&sense}
                                               : std::vector<const Synset *>{&sense, &head})
        for (const SynsetPointer &p : s->pointers)
            if (p.symbol == "=" || p.symbol == "\\" || p.symbol == "<" || p.symbol == "^" || p.symbol == "+") {
                const Synset &target = wordnet.synset(p.target);
                if (target.id == kNoSynset)
                    continue;
                out.add(WordNet::key(target.id), 0.5 * weight);
                out.add(WordNet::lexFileName(target.lexFile), 0.25 * weight);
            }
}

bool allDigits(const std::string &word)
{
    bool digit = false;
    for (char c : word) {
        if (c >= '0' && c <= '9')
            digit = true;
        else if (c != '.' && c != ',')
            return false;
    }
    return digit;
}

std::uint64_t fnv1a(const std::string &bytes)
{
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string withoutPossessive(const std::string &word)
{
    for (const char *suffix : {"'s", "\xE2\x80\x99s"}) {
        const std::string s(suffix);
        if (word.size() > s.size() + 1 && word.compare(word.size() - s.size(), s.size(), s) == 0)
            return word.substr(0, word.size() - s.size());
    }
    if (word.size() > 2 && word.back() == '\'' && word[word.size() - 2] == 's')
        return word.substr(0, word.size() - 1);
    return word;
}

bool isOwnWord(const Model &model, const std::string &word)
{
    const auto &own = model.knowledge.ownWords;
    return std::binary_search(own.begin(), own.end(), word) || (!word.empty() && word.front() == '<');
}

// The trained content word whose vector is closest (cosine) to `v`, or empty.
std::string closestTrainedWord(const Model &model, const Eigen::RowVectorXd &v)
{
    const double norm = v.norm();
    if (norm == 0.0 || model.tokenEmbedding.rows() == 0)
        return {};
    double best = -2.0;
    std::string word;
    for (Eigen::Index i = 0; i < model.tokenEmbedding.rows(); ++i) {
        const std::string &w = model.vocabulary[static_cast<std::size_t>(i)];
        if (isOwnWord(model, w))
            continue;
        const double n = model.tokenEmbedding.row(i).norm();
        if (n == 0.0)
            continue;
        const double c = model.tokenEmbedding.row(i).dot(v) / (n * norm);
        if (c > best) {
            best = c;
            word = w;
        }
    }
    return word;
}

std::mutex g_wordnetMutex;
bool g_wordnetTried = false;
std::shared_ptr<const WordNet> g_wordnet;
std::string g_wordnetStatus;

} // namespace

WordFeatures wordNetFeatures(const WordNet &wordnet, const std::string &word)
{
    WordFeatures result;
    std::string lemma = wordNetLemma(withoutPossessive(normalizeForLookup(word)));
    if (allDigits(lemma))
        lemma = "number";
    // 1. The entry of each part of speech, through its base form.
    struct PosEntry
    {
        WordNetPos pos;
        std::string base;
        const IndexEntry *entry;
        double weight;
    };
    std::vector<PosEntry> entries;
    double totalPosWeight = 0.0;
    for (int p = 0; p < kWordNetPosCount; ++p) {
        const WordNetPos pos = static_cast<WordNetPos>(p);
        for (const std::string &base : wordnet.baseForms(lemma, pos))
            if (const IndexEntry *e = wordnet.entry(base, pos); e && !e->senses.empty()) {
                // A word WordNet lists as spelled ("exhausted", an adjective) counts more than a reading
                // through its inflection ("exhausted", the past of exhaust).
                const double weight = (1.0 + e->taggedSenses) * (base == lemma ? 1.0 : 0.25);
                entries.push_back({pos, base, e, weight});
                totalPosWeight += weight;
                break;
            }
    }
    if (entries.empty())
        return result;
    // 2. The most common part of speech names the word's category and base form.
    const PosEntry *main = &entries.front();
    for (const PosEntry &e : entries)
        if (e.weight > main->weight)
            main = &e;
    FeatureSet set;
    for (const PosEntry &e : entries) {
        const double posWeight = e.weight / totalPosWeight;
        const int senses = std::min(static_cast<int>(e.entry->senses.size()), kSensesPerPos);
        double norm = 0.0;
        for (int r = 0; r < senses; ++r)
            norm += 1.0 / ((r + 1.0) * (r + 1.0));
        for (int r = 0; r < senses; ++r) {
            const Synset &sense = wordnet.synset(e.entry->senses[static_cast<std::size_t>(r)]);
            if (sense.id == kNoSynset)
                continue;
            if (&e == main && result.category.empty())
                result.category = WordNet::lexFileName(sense.lexFile);
            addSense(wordnet, sense, posWeight / ((r + 1.0) * (r + 1.0)) / norm, set);
        }
    }
    result.features = set.normalized();
    result.inWordNet = !result.features.empty();
    result.lemma = main->base;
    return result;
}

std::vector<std::pair<int, double>> ngramBuckets(const std::string &normalizedWord, int buckets)
{
    std::map<int, double> counts;
    if (buckets <= 0)
        return {};
    const std::string padded = "<" + normalizedWord + ">";
    int total = 0;
    for (std::size_t n = 3; n <= 5; ++n)
        for (std::size_t i = 0; i + n <= padded.size(); ++i) {
            counts[static_cast<int>(fnv1a(padded.substr(i, n)) % static_cast<std::uint64_t>(buckets))] += 1.0;
            ++total;
        }
    if (total == 0) // a one-byte word: "<a>" is its only trigram
        counts[static_cast<int>(fnv1a(padded) % static_cast<std::uint64_t>(buckets))] += 1.0, total = 1;
    std::vector<std::pair<int, double>> out;
    for (const auto &[bucket, count] : counts)
        out.emplace_back(bucket, count / total);
    return out;
}

Eigen::RowVectorXd composeFeatures(const WordKnowledge &knowledge, int d_model,
                                   const std::vector<WeightedFeature> &features, double *found)
{
    Eigen::RowVectorXd v = Eigen::RowVectorXd::Zero(d_model);
    double weight = 0.0;
    for (const WeightedFeature &f : features) {
        const auto it = knowledge.index.find(f.key);
        if (it == knowledge.index.end())
            continue;
        v += f.weight * knowledge.vectors.row(it->second);
        weight += f.weight;
    }
    if (weight > 0.0)
        v /= weight;
    if (found)
        *found = weight;
    return v;
}

Eigen::RowVectorXd spelledOutVector(const Model &model, const std::string &normalizedWord)
{
    const WordKnowledge &k = model.knowledge;
    const int buckets = k.ngrams.rows() > 0 ? static_cast<int>(k.ngrams.rows()) : 1 << 20;
    const auto grams = ngramBuckets(normalizedWord, buckets);
    Eigen::RowVectorXd v = Eigen::RowVectorXd::Zero(model.d_model);
    if (k.ngrams.rows() > 0) {
        for (const auto &[bucket, weight] : grams)
            v += weight * k.ngrams.row(bucket);
        return v;
    }
    // No learned table: hashed vectors of the n-grams, scaled back to one hashed vector's size.
    for (const auto &[bucket, weight] : grams)
        v += weight * hashedEmbedding("#" + std::to_string(bucket), model.d_model, model.hashedScale);
    double squares = 0.0;
    for (const auto &g : grams)
        squares += g.second * g.second;
    return squares > 0.0 ? Eigen::RowVectorXd(v / std::sqrt(squares)) : v;
}

WordMeaning meaningOf(const Model &model, const std::string &token, bool findLike)
{
    WordMeaning m;
    const std::string normalized = normalizeForLookup(token);
    // 1. The vocabulary, as spelled or through a base form.
    if (const int row = model.lookup(normalized); row >= 0) {
        m.origin.source = WordSource::Vocabulary;
        m.origin.row = row;
        m.origin.asWord = model.vocabulary[static_cast<std::size_t>(row)];
        m.vector = model.tokenEmbedding.row(row);
        return m;
    }
    const bool useWordNet = model.unknownWords == UnknownWords::WordNet;
    if (useWordNet) {
        std::vector<std::string> bases = {withoutPossessive(normalized)};
        if (model.wordnet)
            for (int p = 0; p < kWordNetPosCount; ++p)
                for (const std::string &b : model.wordnet->baseForms(bases.front(), static_cast<WordNetPos>(p)))
                    bases.push_back(b);
        for (const std::string &base : bases)
            if (const int row = model.lookup(base); row >= 0 && !isOwnWord(model, base)) {
                m.origin.source = WordSource::Vocabulary;
                m.origin.row = row;
                m.origin.asWord = base;
                m.vector = model.tokenEmbedding.row(row);
                return m;
            }
        // 2. WordNet.
        if (model.wordnet) {
            const WordFeatures features = wordNetFeatures(*model.wordnet, normalized);
            double found = 0.0;
            if (features.inWordNet) {
                Eigen::RowVectorXd v = composeFeatures(model.knowledge, model.d_model, features.features, &found);
                if (found > 0.0) {
                    m.origin.source = WordSource::WordNet;
                    m.origin.asWord = features.lemma;
                    m.origin.category = features.category;
                    if (findLike)
                        m.origin.like = closestTrainedWord(model, v);
                    m.vector = std::move(v);
                    return m;
                }
            }
        }
    }
    // 3. No meaning to be had: "<unk>", a hashed vector, or the spelling.
    if (model.unknownWords == UnknownWords::UnknownToken) {
        if (const int unk = model.lookup("<unk>"); unk >= 0) {
            m.origin.source = WordSource::UnknownToken;
            m.vector = model.tokenEmbedding.row(unk);
            return m;
        }
    }
    m.origin.source = WordSource::SpelledOut;
    m.origin.noDictionary = useWordNet && !model.wordnet;
    m.vector = useWordNet ? spelledOutVector(model, normalized)
                          : hashedEmbedding(normalized, model.d_model, model.hashedScale);
    return m;
}

std::string originLabel(const WordOrigin &origin)
{
    switch (origin.source) {
    case WordSource::Vocabulary:
        return "trained";
    case WordSource::WordNet: {
        std::string s = "from WordNet: " + origin.category;
        if (!origin.like.empty())
            s += ", like '" + origin.like + "'";
        return s;
    }
    case WordSource::UnknownToken:
        return "unknown: the <unk> vector";
    case WordSource::SpelledOut:
        break;
    }
    return origin.noDictionary ? "spelled out: WordNet is not installed" : "spelled out: not in the dictionary";
}

std::string originExplanation(const WordOrigin &origin, const std::string &token, const std::string &modelName)
{
    const std::string q = "\u201C" + token + "\u201D";
    switch (origin.source) {
    case WordSource::Vocabulary:
        if (!origin.asWord.empty() && origin.asWord != normalizeForLookup(token))
            return q + " is read as \u201C" + origin.asWord + "\u201D, a word the " + modelName +
                   " model has its own vector for: its queries and keys are what that word learned.";
        return q + " has its own vector in the " + modelName +
               " model: its queries and keys are what it learned for this word.";
    case WordSource::WordNet:
        return q + " never occurred in training. Its vector is built from what WordNet says of it (" +
               origin.category + (origin.like.empty() ? std::string() : ", closest to \u201C" + origin.like + "\u201D") +
               "), so it is looked at, and looks, much like trained words of that kind.";
    case WordSource::UnknownToken:
        return q + " is not in the vocabulary of the " + modelName +
               " model, so it gets the shared <unk> vector. Its attention means little.";
    case WordSource::SpelledOut:
        break;
    }
    if (origin.noDictionary)
        return q + " is not in the " + modelName + " model's vocabulary, and the dictionary it would be looked up in "
               "cannot be read (" + wordNetStatus() + "), so its vector is made from its spelling. Its attention "
               "means little; install wordnet-base to give it a meaning.";
    return q + " is not in the vocabulary of the " + modelName +
           " model, nor in the dictionary (a name, a typo, code or another script), so its vector is made "
           "from its spelling. Its attention means little beyond what similar spellings suggest.";
}

std::shared_ptr<const WordNet> sharedWordNet()
{
    std::lock_guard<std::mutex> lock(g_wordnetMutex);
    if (!g_wordnetTried) {
        g_wordnetTried = true;
        WordNetLoad load = WordNet::load(WordNet::defaultDirectory());
        g_wordnet = load.wordnet;
        g_wordnetStatus = load.ok() ? load.wordnet->description() : load.error;
    }
    return g_wordnet;
}

std::string wordNetStatus()
{
    sharedWordNet();
    std::lock_guard<std::mutex> lock(g_wordnetMutex);
    return g_wordnetStatus;
}

} // namespace attention
