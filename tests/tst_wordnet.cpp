// The WordNet reader and the meanings built from it: categories, base forms, synonyms, words WordNet
// lacks, and broken or missing database files.
#include "meaning.h"
#include "wordnet.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace attention;

namespace {

// The system's WordNet (Debian's wordnet-base, installed by tools/setup).
std::shared_ptr<const WordNet> system()
{
    static const WordNetLoad load = WordNet::load("/usr/share/wordnet");
    return load.wordnet;
}

bool hasFeature(const WordFeatures &f, const std::string &key)
{
    return std::any_of(f.features.begin(), f.features.end(),
                       [&](const WeightedFeature &w) { return w.key == key; });
}

double weightOf(const WordFeatures &f, const std::string &key)
{
    for (const WeightedFeature &w : f.features)
        if (w.key == key)
            return w.weight;
    return 0.0;
}

void write(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class tst_WordNet : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void category();
    void baseForms();
    void synonymsShareASynset();
    void satelliteLeadsToItsHead();
    void headAdjectiveReadsItsLinks();
    void wordWordNetLacks();
    void featuresAreNormalized();
    void namedSynsets();
    void missingDirectory();
    void malformedFiles();
    void ngramsOfSimilarSpellings();
    void modelWithoutWordNetSpellsOut();
};

void tst_WordNet::initTestCase()
{
    QVERIFY2(system(), "WordNet is not installed in /usr/share/wordnet (tools/setup installs wordnet-base)");
    // WordNet 3.0 has 82,115 noun, 13,767 verb, 18,156 adjective and 3,621 adverb synsets.
    QCOMPARE(system()->synsetCount(), std::size_t(117659));
}

void tst_WordNet::category()
{
    // index.noun: "elephant n 2 … 02503517 06881662"; data.noun line 02503517 has lex_filenum 05.
    const IndexEntry *e = system()->entry("elephant", WordNetPos::Noun);
    QVERIFY(e);
    QCOMPARE(e->senses.size(), std::size_t(2));
    QCOMPARE(WordNet::key(e->senses.front()), std::string("n02503517"));
    const Synset s = system()->synset(e->senses.front());
    QCOMPARE(std::string(WordNet::lexFileName(s.lexFile)), std::string("noun.animal"));
    QCOMPARE(s.words.front(), std::string("elephant"));
    QCOMPARE(wordNetFeatures(*system(), "Elephant").category, std::string("noun.animal"));
    // Its hypernym chain reaches animal.n.01 (n00015388), which every creature of the corpus shares.
    QVERIFY(hasFeature(wordNetFeatures(*system(), "elephant"), "n00015388"));
    QVERIFY(hasFeature(wordNetFeatures(*system(), "horse"), "n00015388"));
}

void tst_WordNet::baseForms()
{
    // The suffix rules ("dogs" → dog), the exception lists ("went" → go, "mice" → mouse).
    QCOMPARE(system()->baseForms("dogs", WordNetPos::Noun), (std::vector<std::string>{"dog"}));
    QCOMPARE(system()->baseForms("mice", WordNetPos::Noun), (std::vector<std::string>{"mouse"}));
    QCOMPARE(system()->baseForms("went", WordNetPos::Verb), (std::vector<std::string>{"go"}));
    QCOMPARE(wordNetFeatures(*system(), "dogs").lemma, std::string("dog"));
    QCOMPARE(wordNetFeatures(*system(), "cat's").lemma, std::string("cat"));
    QCOMPARE(wordNetFeatures(*system(), "went").category, std::string("verb.motion"));
}

void tst_WordNet::synonymsShareASynset()
{
    // car.n.01 (n02958343) lists "car, auto, automobile, machine, motorcar": the first sense of both.
    const WordFeatures car = wordNetFeatures(*system(), "car");
    const WordFeatures automobile = wordNetFeatures(*system(), "automobile");
    QVERIFY(hasFeature(car, "n02958343"));
    QVERIFY(hasFeature(automobile, "n02958343"));
    // automobile has one sense, so its own synset carries more weight than in car (five senses).
    QVERIFY(weightOf(automobile, "n02958343") > weightOf(car, "n02958343"));
}

void tst_WordNet::satelliteLeadsToItsHead()
{
    // The first adjective sense of "exhausted" is a satellite similar to the head tired.a.01 (its "&"
    // pointer in data.adj), so it carries tired's head synset: an unseen adjective reads like a trained one.
    const SynsetId tired = system()->byName("tired.a.01");
    QVERIFY(tired != kNoSynset);
    QVERIFY(hasFeature(wordNetFeatures(*system(), "exhausted"), WordNet::key(tired)));
    QVERIFY(hasFeature(wordNetFeatures(*system(), "tired"), WordNet::key(tired)));
    QVERIFY(!hasFeature(wordNetFeatures(*system(), "wide"), WordNet::key(tired)));
}

void tst_WordNet::headAdjectiveReadsItsLinks()
{
    // glad.a.01 (01361414) heads its own cluster, so no head above it links it to other adjectives; its
    // "^" (see also) pointer leads to cheerful.a.01 (00362467) and its "+" to the noun gladness
    // (07527167, noun.feeling). tired.a.01 (02431729) derives tiredness (14016361, noun.state).
    const WordFeatures glad = wordNetFeatures(*system(), "glad");
    QVERIFY(hasFeature(glad, "a00362467"));
    QVERIFY(hasFeature(glad, "n07527167"));
    QVERIFY(hasFeature(glad, "noun.feeling"));
    // Half the weight of its own synset from its first sense, a little more from a later sense's head.
    const double ratio = weightOf(glad, "a00362467") / weightOf(glad, "a01361414");
    QVERIFY2(ratio >= 0.5 && ratio < 0.6, qPrintable(QString::number(ratio)));
    const WordFeatures tired = wordNetFeatures(*system(), "tired");
    QVERIFY(hasFeature(tired, "n14016361"));
    QVERIFY(hasFeature(tired, "noun.state"));
    // "exhausted", a satellite of tired, shares tired's derived noun through its head.
    QVERIFY(hasFeature(wordNetFeatures(*system(), "exhausted"), "n14016361"));
}

void tst_WordNet::wordWordNetLacks()
{
    for (const char *word : {"zorblat", "Alice", "std::vector", "猫", ""}) {
        const WordFeatures f = wordNetFeatures(*system(), word);
        QVERIFY2(!f.inWordNet, word);
        QVERIFY(f.features.empty());
    }
    QVERIFY(!system()->entry("zorblat", WordNetPos::Noun));
    QVERIFY(system()->baseForms("zorblats", WordNetPos::Noun).empty());
}

void tst_WordNet::featuresAreNormalized()
{
    for (const char *word : {"dog", "bank", "high", "quickly", "42"}) {
        const WordFeatures f = wordNetFeatures(*system(), word);
        QVERIFY2(f.inWordNet, word);
        double sum = 0.0;
        for (const WeightedFeature &w : f.features) {
            QVERIFY(w.weight > 0.0);
            sum += w.weight;
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-12);
    }
    // Digits read as "number".
    QCOMPARE(wordNetFeatures(*system(), "2048").lemma, std::string("number"));
}

void tst_WordNet::namedSynsets()
{
    QCOMPARE(WordNet::key(system()->byName("dog.n.01")), std::string("n02084071"));
    QCOMPARE(system()->byName("dog.n.99"), kNoSynset);
    QCOMPARE(system()->byName("nonsense"), kNoSynset);
    // animal.n.01's hyponyms hold the dog, and start at the root itself.
    const std::vector<SynsetId> below = system()->hyponymClosure(system()->byName("animal.n.01"));
    QCOMPARE(WordNet::key(below.front()), std::string("n00015388"));
    QVERIFY(std::find(below.begin(), below.end(), system()->byName("dog.n.01")) != below.end());
}

void tst_WordNet::missingDirectory()
{
    const WordNetLoad load = WordNet::load("/nonexistent/wordnet");
    QVERIFY(!load.ok());
    QVERIFY2(load.error.find("/nonexistent/wordnet/data.noun") != std::string::npos, load.error.c_str());
    QVERIFY(load.error.find("wordnet-base") != std::string::npos);
}

void tst_WordNet::malformedFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString d = dir.path() + "/";
    // A data file whose lines are garbage and an index that points past it: read, never trusted.
    const QByteArray data = "00000000 xx n zz garbage\n00000025 05 n 01 cat 0 001 @ 99999999 n 0000 | a cat\n";
    for (const char *pos : {"noun", "verb", "adj", "adv"}) {
        write(d + "data." + pos, data);
        write(d + "index." + pos, QByteArray("cat n 1 1 @ 1 0 00000025\nbad line\ndog n 1 0 1 0 99999999\n"));
    }
    write(d + "noun.exc", "\n\ncats\n");
    const WordNetLoad load = WordNet::load(dir.path().toStdString());
    QVERIFY2(load.ok(), load.error.c_str());
    QVERIFY(!load.warnings.empty()); // "bad line" and the out-of-range dog
    QVERIFY(load.wordnet->entry("cat", WordNetPos::Noun));
    QVERIFY(!load.wordnet->entry("dog", WordNetPos::Noun));
    // The garbage line is no synset; cat's hypernym points nowhere and is simply not followed.
    const WordFeatures cat = wordNetFeatures(*load.wordnet, "cat");
    QVERIFY(cat.inWordNet);
    QCOMPARE(cat.category, std::string("noun.animal"));
    QCOMPARE(load.wordnet->synset(0).id, kNoSynset);
    QCOMPARE(load.wordnet->synset(3).id, kNoSynset);
    QCOMPARE(load.wordnet->hyponymClosure(123456).size(), std::size_t(0));

    // An index without a single valid entry is an error that names the file.
    for (const char *pos : {"noun", "verb", "adj", "adv"})
        write(d + "index." + pos, "only garbage\n");
    const WordNetLoad broken = WordNet::load(dir.path().toStdString());
    QVERIFY(!broken.ok());
    QVERIFY2(broken.error.find("index.noun holds no valid entry") != std::string::npos, broken.error.c_str());
}

void tst_WordNet::ngramsOfSimilarSpellings()
{
    // "<elephant>" and its typo "<elefant>" share the n-grams "<el", "ele", "<ele", "ant", "nt>" and
    // "ant>", so their vectors are closer than those of unrelated words.
    Model m;
    m.d_model = 256; // wide, so that the hashed vectors of different n-grams are nearly orthogonal
    m.unknownWords = UnknownWords::WordNet;
    const Eigen::RowVectorXd a = spelledOutVector(m, "elephant");
    const Eigen::RowVectorXd b = spelledOutVector(m, "elefant");
    const Eigen::RowVectorXd c = spelledOutVector(m, "zorblat");
    const auto cosine = [](const Eigen::RowVectorXd &x, const Eigen::RowVectorXd &y) {
        return x.dot(y) / (x.norm() * y.norm());
    };
    // 6 shared of 21 and 18 n-grams: a cosine near 6 / √(21·18) = 0.31; unrelated words near 0.
    QVERIFY(cosine(a, b) > 0.2);
    QVERIFY(std::abs(cosine(a, c)) < 0.15);
    QVERIFY(spelledOutVector(m, "elephant") == a); // deterministic
    double sum = 0.0;
    for (const auto &[bucket, weight] : ngramBuckets("cat", 512)) {
        QVERIFY(bucket >= 0 && bucket < 512);
        sum += weight;
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-12);
}

void tst_WordNet::modelWithoutWordNetSpellsOut()
{
    // A WordNet model whose database could not be read: its vocabulary works, other words are spelled
    // out and say why.
    Model m;
    m.name = "m";
    m.d_model = 4;
    m.vocabulary = {"cat"};
    m.indexVocabulary();
    m.tokenEmbedding = Eigen::MatrixXd::Ones(1, 4);
    m.unknownWords = UnknownWords::WordNet;
    QCOMPARE(meaningOf(m, "Cat").origin.source, WordSource::Vocabulary);
    const WordMeaning dog = meaningOf(m, "dog");
    QCOMPARE(dog.origin.source, WordSource::SpelledOut);
    QVERIFY(dog.origin.noDictionary);
    QCOMPARE(originLabel(dog.origin), std::string("spelled out: WordNet is not installed"));
    QVERIFY(originExplanation(dog.origin, "dog", "m").find("wordnet-base") != std::string::npos);
    QCOMPARE(dog.vector.size(), Eigen::Index(4));
    // With WordNet attached, the same word has a meaning as soon as the model knows one of its features.
    m.wordnet = system();
    m.knowledge.keys = {"noun.animal"};
    m.knowledge.vectors = Eigen::MatrixXd::Constant(1, 4, 0.5);
    m.knowledge.indexKeys();
    const WordMeaning known = meaningOf(m, "dogs");
    QCOMPARE(known.origin.source, WordSource::WordNet);
    QCOMPARE(known.origin.asWord, std::string("dog"));
    QCOMPARE(known.origin.like, std::string("cat"));
    QCOMPARE(originLabel(known.origin), std::string("from WordNet: noun.animal, like 'cat'"));
    QVERIFY(known.vector.isApprox(Eigen::RowVectorXd::Constant(4, 0.5)));
}

QTEST_APPLESS_MAIN(tst_WordNet)
#include "tst_wordnet.moc"
