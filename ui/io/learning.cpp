// Builds the standard corpus from the built-in lexicon and WordNet.
#include "learning.h"

#include "meaning.h"

#include <QFile>

namespace attention {

CorpusLoad standardCorpus(int trainSentences)
{
    CorpusLoad result;
    QFile file(QStringLiteral(":/lexicon/lexicon.txt"));
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("the built-in lexicon cannot be read");
        return result;
    }
    const LexiconResult lexicon = parseLexicon(file.readAll().toStdString());
    if (!lexicon.error.empty()) {
        result.error = QStringLiteral("lexicon.txt: %1").arg(QString::fromStdString(lexicon.error));
        return result;
    }
    result.wordnet = sharedWordNet();
    if (!result.wordnet) {
        result.error = QStringLiteral("the corpus is made of WordNet's words, and %1")
                           .arg(QString::fromStdString(wordNetStatus()));
        return result;
    }
    result.lexicon = expandLexicon(lexicon.lexicon, *result.wordnet, kWordNetWordsPerCategory);
    result.corpus = generateCorpus(result.lexicon, kCorpusSeed, trainSentences, kHeldOutPairs, result.wordnet.get());
    if (!result.corpus.ok())
        result.error = QStringLiteral("lexicon.txt: %1").arg(QString::fromStdString(result.corpus.error));
    return result;
}

TrainConfig standardTrainConfig(std::uint64_t seed, int steps, const CorpusLoad &corpus)
{
    TrainConfig config;
    config.seed = seed;
    config.steps = steps;
    config.wordnet = corpus.wordnet;
    if (const auto it = corpus.lexicon.categories.find("function_words"); it != corpus.lexicon.categories.end())
        config.ownWords = it->second;
    config.sinusoidal = true;
    config.maxPositions = kMaxTokens;
    config.threads = 2;
    return config;
}

} // namespace attention
