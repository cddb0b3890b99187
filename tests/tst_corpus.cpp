// The lexicon, the generated corpus and its held-out split, and the evaluation's counting.
#include "compare.h"
#include "corpus.h"
#include "evaluate.h"
#include "tokenizer.h"
#include "train.h"

#include <QFile>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <set>

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the repository root, so the test can read resources/lexicon/lexicon.txt"
#endif

using namespace attention;

namespace {

std::string shippedLexiconText()
{
    QFile file(QStringLiteral(SOURCE_DIR "/resources/lexicon/lexicon.txt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

Lexicon shippedLexicon()
{
    return parseLexicon(shippedLexiconText()).lexicon;
}

// Small enough to run in a moment, large enough that every template and category comes up.
constexpr int kTrainSize = 3000;
constexpr int kHeldOutPairs = 120;

const Corpus &shippedCorpus()
{
    static const Corpus corpus = generateCorpus(shippedLexicon(), 42, kTrainSize, kHeldOutPairs);
    return corpus;
}

std::vector<const Example *> allExamples(const Corpus &c)
{
    std::vector<const Example *> out;
    for (const Example &e : c.train)
        out.push_back(&e);
    for (const Example &e : c.heldOut)
        out.push_back(&e);
    for (const Example &e : c.heldOutNewTemplates)
        out.push_back(&e);
    return out;
}

std::string joined(const std::vector<std::string> &words)
{
    std::string out;
    for (const std::string &w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

// The adjective of a pronoun pair: the one word in which the twins differ.
std::string adjectiveOf(const Example &e, const std::vector<Example> &set)
{
    for (const Example &twin : set)
        if (twin.pairId == e.pairId && &twin != &e)
            for (std::size_t i = 0; i < e.words.size(); ++i)
                if (e.words[i] != twin.words[i])
                    return e.words[i];
    return {};
}

bool sameExample(const Example &a, const Example &b)
{
    return a.words == b.words && a.kind == b.kind && a.position == b.position && a.label == b.label &&
           a.antecedent == b.antecedent && a.distractor == b.distractor && a.pairId == b.pairId &&
           a.cue == b.cue && a.frame == b.frame;
}

bool contains(const std::vector<std::string> &list, const std::string &word)
{
    return std::find(list.begin(), list.end(), word) != list.end();
}

// A two-layer model that resolves "it" by construction, so every count evaluate() makes is known.
// Features: 0 pronoun, 1 creature noun, 2 way noun, 3 creature adjective, 4 way adjective,
//           5 and 6 what the pronoun read in layer 1 (creature / way adjective).
// Layer 1: "it" queries adjectives (score s²/√2 = 11.3 against 0 for every other key) and copies
//          the adjective's kind into features 5–6 through W_O and the residual.
// Layer 2: "it" queries the noun of that kind (again 11.3 against 0).
// Every other word is "<unk>" with a zero vector, so it queries nothing and is never looked at.
std::shared_ptr<Model> resolvingModel()
{
    const double s = 4.0;
    auto m = std::make_shared<Model>();
    m->name = "resolving";
    m->d_model = 7;
    m->d_k = 2;
    m->vocabulary = {"it", "animal", "street", "tired", "wide", "<unk>"};
    m->indexVocabulary();
    m->unknownWords = UnknownWords::UnknownToken;
    m->tokenEmbedding = Eigen::MatrixXd::Zero(6, 7);
    for (int i = 0; i < 5; ++i)
        m->tokenEmbedding(i, i) = 1.0;

    LayerWeights first;
    HeadWeights read;
    read.W_Q = Eigen::MatrixXd::Zero(7, 2);
    read.W_K = Eigen::MatrixXd::Zero(7, 2);
    read.W_V = Eigen::MatrixXd::Zero(7, 2);
    read.W_Q(0, 0) = s;
    read.W_K(3, 0) = read.W_K(4, 0) = s;
    read.W_V(3, 0) = read.W_V(4, 1) = 1.0;
    first.heads.push_back(read);
    first.W_O = Eigen::MatrixXd::Zero(2, 7);
    first.W_O(0, 5) = first.W_O(1, 6) = 1.0;
    first.residual = true;

    LayerWeights second;
    HeadWeights resolve;
    resolve.W_Q = Eigen::MatrixXd::Zero(7, 2);
    resolve.W_K = Eigen::MatrixXd::Zero(7, 2);
    resolve.W_V = Eigen::MatrixXd::Zero(7, 2);
    resolve.W_Q(5, 0) = resolve.W_Q(6, 1) = s;
    resolve.W_K(1, 0) = resolve.W_K(2, 1) = s;
    second.heads.push_back(resolve);
    second.W_O = Eigen::MatrixXd::Zero(2, 7);
    second.residual = true;

    m->layers = {first, second};
    return m;
}

Example referent(const std::string &adjective, int antecedent, int distractor, int pairId)
{
    Example e;
    e.words = {"the",     "animal", "didn't", "cross", "the",     "street",
               "because", "it",     "was",    "too",   adjective, "."};
    e.kind = ExampleKind::Referent;
    e.position = 7;
    e.antecedent = antecedent;
    e.distractor = distractor;
    e.label = e.words[static_cast<std::size_t>(antecedent)];
    e.pairId = pairId;
    return e;
}

Example sense(int cue)
{
    Example e = referent("tired", 1, 5, -1);
    e.kind = ExampleKind::Sense;
    e.label = "sense:test";
    e.antecedent = e.distractor = -1;
    e.cue = cue;
    return e;
}

} // namespace

class tst_Corpus : public QObject
{
    Q_OBJECT
private slots:
    void shippedLexiconParses();
    void lexiconErrors_data();
    void lexiconErrors();
    void lexiconFormat();
    void missingCategoryIsAnError();
    void deterministic();
    void sizes();
    void referentExamples();
    void twinsDifferOnlyInTheAdjective();
    void positionIsNoShortcut();
    void senseExamples();
    void plainExamples();
    void heldOutWordsNeverTrain();
    void heldOutTemplatesNeverTrain();
    void tokenizerAgrees();
    void fitsTheModel();
    void averageHeadsByHand();
    void evaluateCounts();
};

void tst_Corpus::shippedLexiconParses()
{
    const std::string text = shippedLexiconText();
    QVERIFY2(!text.empty(), "cannot read resources/lexicon/lexicon.txt");
    const LexiconResult result = parseLexicon(text);
    QVERIFY2(result.ok(), result.error.c_str());
    // Hand-written words first (at least 5 per category); WordNet adds more (tst_train checks the
    // expanded lexicon).
    for (const auto &[name, words] : result.lexicon.categories)
        QVERIFY2(words.size() >= 5, ("[" + name + "] has fewer than 5 words").c_str());
    QCOMPARE(result.lexicon.wordnetRoots.at("creatures"), (std::vector<std::string>{"animal.n.01"}));
    QCOMPARE(result.lexicon.handWritten.at("creatures"), result.lexicon.categories.at("creatures").size());
    // The words the lessons show must stay in training: they sit before the every-fourth held-out slot.
    for (const char *word : {"animal", "street", "trophy", "suitcase", "river", "money", "coffee", "code"})
        QVERIFY2(!contains(shippedCorpus().heldOutWords, word), word);
}

void tst_Corpus::lexiconErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("start");
    QTest::newRow("word before any category") << "# words\ndog cat\n[creatures]\nfox\n"
                                              << "line 2:";
    QTest::newRow("empty category, then another") << "[a]\nx\n\n[b]\n# nothing\n[c]\ny\n"
                                                  << "line 4:";
    QTest::newRow("empty category at the end") << "[a]\nx\n[b]\n\n"
                                               << "line 3:";
    QTest::newRow("duplicate category") << "[a]\nx\n[b]\ny\n[a]\nz\n"
                                        << "line 5:";
    QTest::newRow("unclosed header") << "[a]\nx\n[b\ny\n"
                                     << "line 3:";
    QTest::newRow("capital letter") << "[a]\nx Dog\n"
                                    << "line 2:";
    QTest::newRow("apostrophe") << "[a]\nx\ndidn't\n"
                                << "line 3:";
    QTest::newRow("word twice in a category") << "[a]\nx y\nz\ny\n"
                                              << "line 4:";
    QTest::newRow("no category at all") << "# only a comment\n"
                                        << "line 1:";
}

void tst_Corpus::lexiconErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, start);
    const LexiconResult result = parseLexicon(text.toStdString());
    QVERIFY(!result.ok());
    QVERIFY2(result.error.rfind(start.toStdString(), 0) == 0, result.error.c_str());
    QVERIFY(result.lexicon.categories.empty());
}

void tst_Corpus::lexiconFormat()
{
    // Comments, blank lines, CRLF, several lines per category; order within a category is kept.
    const LexiconResult result = parseLexicon("# c\r\n\r\n[b]\r\n  z y \r\nx\r\n[a_1]\r\nw\r\n");
    QVERIFY2(result.ok(), result.error.c_str());
    QCOMPARE(result.lexicon.categories.size(), std::size_t(2));
    QCOMPARE(result.lexicon.categories.at("b"), (std::vector<std::string>{"z", "y", "x"}));
    QCOMPARE(result.lexicon.categories.at("a_1"), (std::vector<std::string>{"w"}));
}

void tst_Corpus::missingCategoryIsAnError()
{
    Lexicon lexicon = shippedLexicon();
    lexicon.categories.erase("ways");
    const Corpus corpus = generateCorpus(lexicon, 1, 100, 10);
    QVERIFY(!corpus.ok());
    QVERIFY2(corpus.error.find("[ways]") != std::string::npos, corpus.error.c_str());
    QVERIFY(corpus.train.empty() && corpus.heldOut.empty());
}

void tst_Corpus::deterministic()
{
    const Lexicon lexicon = shippedLexicon();
    const Corpus a = generateCorpus(lexicon, 7, 500, 30);
    const Corpus b = generateCorpus(lexicon, 7, 500, 30);
    const Corpus c = generateCorpus(lexicon, 8, 500, 30);
    QCOMPARE(a.train.size(), b.train.size());
    QCOMPARE(a.heldOut.size(), b.heldOut.size());
    for (std::size_t i = 0; i < a.train.size(); ++i)
        QVERIFY(sameExample(a.train[i], b.train[i]));
    for (std::size_t i = 0; i < a.heldOut.size(); ++i)
        QVERIFY(sameExample(a.heldOut[i], b.heldOut[i]));
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a.train.size(); ++i)
        differ += sameExample(a.train[i], c.train[i]) ? 0 : 1;
    QVERIFY(differ > a.train.size() / 2);
    // The held-out words and templates belong to the lexicon and the code, not to the seed.
    QCOMPARE(a.heldOutWords, c.heldOutWords);
    QCOMPARE(a.heldOutFrames, c.heldOutFrames);
}

void tst_Corpus::sizes()
{
    const Corpus &corpus = shippedCorpus();
    QVERIFY2(corpus.ok(), corpus.error.c_str());
    QCOMPARE(static_cast<int>(corpus.train.size()), kTrainSize);
    int referents = 0, senses = 0, plains = 0;
    for (const Example &e : corpus.train)
        (e.kind == ExampleKind::Referent ? referents : e.kind == ExampleKind::Sense ? senses : plains) += 1;
    // 40 % / 40 % / 20 %, as generateCorpus documents.
    QCOMPARE(referents, kTrainSize * 2 / 5);
    QCOMPARE(senses, kTrainSize * 2 / 5);
    QCOMPARE(plains, kTrainSize / 5);

    std::set<int> pairIds;
    int heldReferents = 0, heldSenses = 0;
    for (const Example &e : corpus.heldOut) {
        QVERIFY(e.kind != ExampleKind::Plain);
        if (e.kind == ExampleKind::Referent) {
            ++heldReferents;
            pairIds.insert(e.pairId);
        } else {
            ++heldSenses;
        }
    }
    QCOMPARE(heldReferents, 2 * kHeldOutPairs);
    QCOMPARE(static_cast<int>(pairIds.size()), kHeldOutPairs);
    QCOMPARE(heldSenses, 2 * kHeldOutPairs);
    // As many pairs again, and half as many ambiguous words, in the held-out templates.
    int newReferents = 0, newSenses = 0;
    for (const Example &e : corpus.heldOutNewTemplates)
        (e.kind == ExampleKind::Referent ? newReferents : newSenses) += 1;
    QCOMPARE(newReferents, 2 * kHeldOutPairs);
    QCOMPARE(newSenses, kHeldOutPairs);
    QCOMPARE(generateCorpus(shippedLexicon(), 1, 0, 0).train.size(), std::size_t(0));
}

void tst_Corpus::referentExamples()
{
    for (const Example *e : allExamples(shippedCorpus())) {
        if (e->kind != ExampleKind::Referent)
            continue;
        const int n = static_cast<int>(e->words.size());
        QVERIFY(e->position >= 0 && e->position < n);
        QVERIFY(e->antecedent >= 0 && e->antecedent < n);
        QVERIFY(e->distractor >= 0 && e->distractor < n);
        // "it" with creatures, objects and places; "he" or "she" with people.
        const std::string pronoun = pronounOf(*e);
        QVERIFY2(pronoun == "it" || pronoun == "he" || pronoun == "she", joined(e->words).c_str());
        QCOMPARE(std::count(e->words.begin(), e->words.end(), pronoun), std::ptrdiff_t(1));
        QCOMPARE(e->words[static_cast<std::size_t>(e->antecedent)], e->label);
        QVERIFY(e->antecedent != e->distractor);
        QVERIFY(e->pairId >= 0);
        QVERIFY(!e->frame.empty());
    }
}

void tst_Corpus::twinsDifferOnlyInTheAdjective()
{
    std::map<int, std::vector<const Example *>> pairs;
    for (const Example *e : allExamples(shippedCorpus()))
        if (e->kind == ExampleKind::Referent)
            pairs[e->pairId].push_back(e);
    for (const auto &[id, twins] : pairs) {
        QCOMPARE(twins.size(), std::size_t(2));
        const Example &a = *twins[0], &b = *twins[1];
        QCOMPARE(a.frame, b.frame);
        QCOMPARE(a.words.size(), b.words.size());
        int different = 0;
        for (std::size_t i = 0; i < a.words.size(); ++i)
            different += a.words[i] == b.words[i] ? 0 : 1;
        QCOMPARE(different, 1); // the adjective
        // Same nouns, opposite answers.
        QCOMPARE(a.antecedent, b.distractor);
        QCOMPARE(a.distractor, b.antecedent);
        QVERIFY(a.label != b.label);
    }
}

void tst_Corpus::positionIsNoShortcut()
{
    // In every frame the same role (the creature that crosses, the object that fits, the creature that
    // carries) is sometimes the first noun of the sentence and sometimes the second.
    const Lexicon lexicon = shippedLexicon();
    const std::map<std::string, std::string> role = {
        {"cross", "creatures"}, {"fit", "objects"}, {"carry", "creatures"}, {"jump", "creatures"}};
    std::map<std::string, std::set<bool>> roleComesFirst;
    for (const Example *e : allExamples(shippedCorpus())) {
        if (e->kind != ExampleKind::Referent)
            continue;
        const std::string frame = e->frame.substr(0, e->frame.find(':'));
        if (role.count(frame) && contains(lexicon.categories.at(role.at(frame)), e->label))
            roleComesFirst[frame].insert(e->antecedent < e->distractor);
    }
    for (const auto &[frame, category] : role)
        QVERIFY2(roleComesFirst[frame].size() == 2, frame.c_str());
}

void tst_Corpus::senseExamples()
{
    const Lexicon lexicon = shippedLexicon();
    std::set<std::string> labels;
    bool cueBefore = false, cueAfter = false;
    for (const Example *e : allExamples(shippedCorpus())) {
        if (e->kind != ExampleKind::Sense)
            continue;
        const int n = static_cast<int>(e->words.size());
        QVERIFY(e->position >= 0 && e->position < n);
        QVERIFY(e->cue >= 0 && e->cue < n);
        QVERIFY(e->cue != e->position);
        cueBefore = cueBefore || e->cue < e->position;
        cueAfter = cueAfter || e->cue > e->position;
        labels.insert(e->label);
        // The word is ambiguous, the label is one of its senses, and the cue belongs to that sense only.
        const std::string &word = e->words[static_cast<std::size_t>(e->position)];
        const std::string &cue = e->words[static_cast<std::size_t>(e->cue)];
        const auto &words = ambiguousWords();
        const auto entry =
            std::find_if(words.begin(), words.end(), [&](const AmbiguousWord &w) { return w.word == word; });
        QVERIFY2(entry != words.end(), word.c_str());
        int settledBy = 0;
        bool labelIsASense = false;
        for (const WordSense &s : entry->senses) {
            const bool inCategory = contains(lexicon.categories.at(s.cueCategory), cue);
            settledBy += inCategory ? 1 : 0;
            if (e->label == "sense:" + s.sense) {
                labelIsASense = true;
                QVERIFY2(inCategory, (cue + " does not settle " + e->label).c_str());
            }
        }
        QVERIFY(labelIsASense);
        QCOMPARE(settledBy, 1);
    }
    QVERIFY(cueBefore && cueAfter);
    // Every sense of every ambiguous word appears.
    for (const AmbiguousWord &w : ambiguousWords())
        for (const WordSense &s : w.senses)
            QVERIFY2(labels.count("sense:" + s.sense), s.sense.c_str());
}

void tst_Corpus::plainExamples()
{
    const Lexicon lexicon = shippedLexicon();
    int categories = 0;
    for (const Example &e : shippedCorpus().train) {
        if (e.kind != ExampleKind::Plain)
            continue;
        if (e.label.rfind("category:", 0) == 0) {
            // The word at the position belongs to the named category, and nothing is hidden.
            const auto &words = lexicon.categories.at(e.label.substr(9));
            ++categories;
            QVERIFY(std::find(words.begin(), words.end(), e.words[static_cast<std::size_t>(e.position)]) !=
                    words.end());
            QCOMPARE(std::count(e.words.begin(), e.words.end(), std::string("<mask>")), std::ptrdiff_t(0));
            continue;
        }
        QCOMPARE(e.words[static_cast<std::size_t>(e.position)], std::string("<mask>"));
        QCOMPARE(std::count(e.words.begin(), e.words.end(), std::string("<mask>")), std::ptrdiff_t(1));
        QVERIFY(!e.label.empty() && e.label != "<mask>");
    }
    QVERIFY(categories > 100); // both kinds of plain sentence are made
}

void tst_Corpus::heldOutWordsNeverTrain()
{
    // A held-out word is in no training sentence of any kind: the model knows it only through WordNet.
    const Corpus &corpus = shippedCorpus();
    const std::set<std::string> heldOut(corpus.heldOutWords.begin(), corpus.heldOutWords.end());
    QVERIFY(!heldOut.empty());
    for (const Example &e : corpus.train) {
        QVERIFY2(heldOut.count(e.label) == 0, e.label.c_str());
        for (const std::string &w : e.words)
            QVERIFY2(heldOut.count(w) == 0, ("a held-out word in a " + e.frame + " sentence: " + joined(e.words)).c_str());
    }
    for (const std::string &w : corpus.trainingWords)
        QVERIFY2(heldOut.count(w) == 0, w.c_str());
    // Every held-out pair uses held-out nouns and adjectives only; a quarter of each noun category is
    // held out.
    for (const std::vector<Example> *set : {&corpus.heldOut, &corpus.heldOutNewTemplates})
        for (const Example &e : *set)
            if (e.kind == ExampleKind::Referent) {
                QVERIFY(heldOut.count(e.words[static_cast<std::size_t>(e.antecedent)]));
                QVERIFY(heldOut.count(e.words[static_cast<std::size_t>(e.distractor)]));
                QVERIFY(heldOut.count(adjectiveOf(e, *set)));
            } else {
                QVERIFY(heldOut.count(e.words[static_cast<std::size_t>(e.cue)]));
            }
    const Lexicon lexicon = shippedLexicon();
    for (const char *category : {"creatures", "ways", "objects", "containers"}) {
        const auto &words = lexicon.categories.at(category);
        const auto held = std::count_if(words.begin(), words.end(),
                                        [&](const std::string &w) { return heldOut.count(w) > 0; });
        // Every fourth word that is not a template's own word ("tree", "filled").
        QVERIFY2(held >= 4, category); // some may be held out by another category that lists them too
    }
}

void tst_Corpus::heldOutTemplatesNeverTrain()
{
    const Corpus &corpus = shippedCorpus();
    std::set<std::string> trainFrames, heldFrames;
    for (const Example &e : corpus.train)
        trainFrames.insert(e.frame);
    for (const Example &e : corpus.heldOut)
        heldFrames.insert(e.frame);
    for (const Example &e : corpus.heldOutNewTemplates)
        heldFrames.insert(e.frame);
    std::set<std::string> frameKinds;
    for (const std::string &frame : corpus.heldOutFrames) {
        QVERIFY2(trainFrames.count(frame) == 0, frame.c_str());
        QVERIFY2(heldFrames.count(frame) == 1, (frame + " is never tested").c_str());
        frameKinds.insert(frame.substr(0, frame.find(':')));
    }
    // Each Winograd frame and the ambiguous words keep at least one template back.
    QCOMPARE(frameKinds, (std::set<std::string>{"ambiguous", "carry", "chase", "cross", "fit", "jump", "lift",
                                                "pour", "thank", "walk"}));
}

void tst_Corpus::tokenizerAgrees()
{
    // The GUI traces the typed sentence: it must see exactly the example's tokens. A Plain example is
    // checked with its word restored, since "<mask>" is a training-only token.
    for (const Example *e : allExamples(shippedCorpus())) {
        std::vector<std::string> words = e->words;
        if (e->kind == ExampleKind::Plain && e->label.rfind("category:", 0) != 0)
            words[static_cast<std::size_t>(e->position)] = e->label;
        std::vector<std::string> tokens;
        for (const Token &t : tokenize(joined(words)))
            tokens.push_back(t.text);
        QVERIFY2(tokens == words, joined(words).c_str());
        QVERIFY(words.back() == "." || words.back() == "?" || words.back() == "!");
    }
}

void tst_Corpus::fitsTheModel()
{
    // The trainer's default model has TrainConfig::maxPositions positions; every sentence must fit.
    for (const Example *e : allExamples(shippedCorpus()))
        QVERIFY(static_cast<int>(e->words.size()) <= TrainConfig{}.maxPositions);
}

void tst_Corpus::averageHeadsByHand()
{
    LayerTrace layer;
    QCOMPARE(averageHeadWeights(layer).size(), Eigen::Index(0));
    layer.heads.resize(2);
    layer.heads[0].weights = (Eigen::MatrixXd(2, 2) << 1.0, 0.0, 0.5, 0.5).finished();
    layer.heads[1].weights = (Eigen::MatrixXd(2, 2) << 0.0, 1.0, 0.25, 0.75).finished();
    // Cell by cell (a + b) / 2: (1 + 0)/2, (0 + 1)/2, (0.5 + 0.25)/2, (0.5 + 0.75)/2.
    const Eigen::MatrixXd expected = (Eigen::MatrixXd(2, 2) << 0.5, 0.5, 0.375, 0.625).finished();
    QVERIFY(averageHeadWeights(layer).isApprox(expected, 1e-12));
}

void tst_Corpus::evaluateCounts()
{
    const auto model = resolvingModel();
    std::vector<Example> examples = {
        referent("tired", 1, 5, 0), // pair 0: both right
        referent("wide", 5, 1, 0),
        referent("tired", 1, 5, 1), // pair 1: the twin's answer is deliberately wrong, so the pair fails
        referent("wide", 1, 5, 1),
        sense(10), // cue "tired": "it" reads it in layer 1
        sense(1),  // cue "animal": "it" reads it in layer 2
        sense(0),  // cue "the": no layer looks there
    };
    Example plain = referent("tired", 1, 5, 2);
    plain.kind = ExampleKind::Plain;
    examples.push_back(plain); // ignored

    // The construction works as claimed: in layer 1, "it" gives e^11.31 / (e^11.31 + 11) > 0.999 to "tired".
    const TraceResult traced =
        traceText(model, "the animal didn't cross the street because it was too tired .");
    QVERIFY(traced.ok());
    QVERIFY(averageHeadWeights(traced.trace.layers[0])(7, 10) > 0.999);
    QVERIFY(averageHeadWeights(traced.trace.layers[1])(7, 1) > 0.999);

    const EvalReport report = evaluate(model, examples);
    QCOMPARE(report.pairs, 2);
    QCOMPARE(report.pairsCorrect, 1);
    QCOMPARE(report.senseTotal, 3);
    QCOMPARE(report.senseCorrect, 2);
    QCOMPARE(report.pairAccuracy(), 0.5);
    QVERIFY(std::abs(report.senseAccuracy() - 2.0 / 3.0) < 1e-12);
    QCOMPARE(report.failures.size(), std::size_t(2));
    QVERIFY(report.failures[0].find("too wide") != std::string::npos);
    QVERIFY(report.failures[1].find("sense:test") != std::string::npos);

    const EvalReport empty = evaluate(model, {});
    QCOMPARE(empty.pairAccuracy(), 0.0);
    QCOMPARE(empty.senseAccuracy(), 0.0);
}

QTEST_APPLESS_MAIN(tst_Corpus)
#include "tst_corpus.moc"
