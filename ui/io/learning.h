// The standard corpus of the trained model (built-in lexicon, fixed corpus seed) and its training
// settings, shared by the command line, the app and the tests.
#pragma once

#include "corpus.h"
#include "train.h"

#include <QString>

namespace attention {

// The corpus seed is fixed so that every run, whatever its --seed, holds out the same nouns and templates.
constexpr std::uint64_t kCorpusSeed = 2026;
constexpr int kTrainSentences = 24000;
constexpr int kHeldOutPairs = 200;

struct CorpusLoad
{
    Corpus corpus;
    QString error;
};

// Reads the lexicon compiled into the programs (":/lexicon/lexicon.txt") and generates the corpus.
CorpusLoad standardCorpus();

// The configuration the shipped model was trained with; `seed` and `steps` come from the command line.
TrainConfig standardTrainConfig(std::uint64_t seed, int steps);

} // namespace attention
