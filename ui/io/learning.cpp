// Builds the standard corpus from the built-in lexicon.
#include "learning.h"

#include <QFile>

namespace attention {

CorpusLoad standardCorpus()
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
    result.corpus = generateCorpus(lexicon.lexicon, kCorpusSeed, kTrainSentences, kHeldOutPairs);
    return result;
}

TrainConfig standardTrainConfig(std::uint64_t seed, int steps)
{
    TrainConfig config;
    config.seed = seed;
    config.steps = steps;
    return config;
}

} // namespace attention
