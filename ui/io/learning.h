// The standard corpus of the trained model (built-in lexicon expanded through WordNet, fixed corpus seed)
// and its training settings, shared by the command line, the app and the tests.
#pragma once

#include "corpus.h"
#include "train.h"
#include "wordnet.h"

#include <QString>
#include <memory>

namespace attention {

// The corpus seed is fixed so that every run, whatever its --seed, holds out the same words and templates.
constexpr std::uint64_t kCorpusSeed = 2026;
constexpr int kTrainSentences = 240000;
constexpr int kHeldOutPairs = 200;
// WordNet words added to each lexicon category (the most common first).
constexpr std::size_t kWordNetWordsPerCategory = 250;

struct CorpusLoad
{
    Corpus corpus;
    Lexicon lexicon; // expanded through WordNet
    std::shared_ptr<const WordNet> wordnet;
    QString error;
};

// Reads the lexicon compiled into the programs (":/lexicon/lexicon.txt"), expands it through WordNet
// (sharedWordNet(): WordNet::defaultDirectory()) and generates the corpus. Fails, saying so, when WordNet
// cannot be read: the corpus is made of its words. `trainSentences` below kTrainSentences makes a smaller
// corpus from the same lexicon and seed, for quick experiments; the shipped model uses them all.
CorpusLoad standardCorpus(int trainSentences = kTrainSentences);

// The configuration the shipped model was trained with; `seed` and `steps` come from the command line,
// the word knowledge from `corpus`.
TrainConfig standardTrainConfig(std::uint64_t seed, int steps, const CorpusLoad &corpus);

} // namespace attention
