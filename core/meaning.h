// Every word gets a meaning: the vocabulary's own vector, else one built from what WordNet knows of the
// word (its categories, synonyms, hypernyms and similar adjectives), else one built from its spelling.
#pragma once

#include "model.h"
#include "wordnet.h"

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

namespace attention {

struct WeightedFeature
{
    std::string key;   // "noun.animal" (a category) or "n02084071" (a synset)
    double weight = 0; // the features of one word sum to 1
    bool own = false;  // one of the word's own synsets (shared only with its synonyms)
};

struct WordFeatures
{
    bool inWordNet = false;
    std::string lemma;    // the base form WordNet has ("dog" for "dogs")
    std::string category; // the category of its most common sense, "noun.animal"
    std::vector<WeightedFeature> features; // in a fixed order; each key once
};

// What WordNet knows of `word`, as weighted features. Senses weigh 1, 1/4, 1/9… in WordNet's frequency
// order (at most 6 per part of speech); parts of speech weigh by how often their senses were seen in the
// tagged corpus. Each sense gives its category, its synset, and then:
//   nouns and verbs: every hypernym, 0.75^depth (so "mammal" counts more than "entity");
//   adjectives: the head of a satellite's cluster ("exhausted" → tired), and the attribute it measures
//   ("wide" → width), its see-also adjectives ("glad" → cheerful) and derived words ("tired" →
//   tiredness), pertainyms and participles (the noun or verb), each half weight.
// Digits read as the word "number". Deterministic; empty features when WordNet has no base form.
WordFeatures wordNetFeatures(const WordNet &wordnet, const std::string &word);

// The hashed character n-grams (3 to 5 bytes of "<word>") of a normalized word, as (bucket, weight)
// pairs with weights summing to 1, merged per bucket and sorted by bucket.
std::vector<std::pair<int, double>> ngramBuckets(const std::string &normalizedWord, int buckets);

// The weighted mean of the feature vectors the model has; `found` gets the weight that was present
// (0: the model knows none of these features, and the vector is 0). (d_model)
Eigen::RowVectorXd composeFeatures(const WordKnowledge &knowledge, int d_model,
                                   const std::vector<WeightedFeature> &features, double *found);

// The spelled-out vector of a normalized word: the mean of its n-grams' rows in knowledge.ngrams, or,
// for a model without that table, the mean of hashed vectors of its n-grams (similar spellings still
// get similar vectors). (d_model)
Eigen::RowVectorXd spelledOutVector(const Model &model, const std::string &normalizedWord);

struct WordMeaning
{
    Eigen::RowVectorXd vector; // (d_model)
    WordOrigin origin;
};

// The vector a token gets in `model`, and how it got it:
//  1. its own vocabulary row, or that of its base form ("dogs" → dog, "cat's" → cat);
//  2. for a model whose unknownWords is WordNet, the composition of its WordNet features (when WordNet is
//     attached and the model has some of them), with the closest trained word as `like` when findLike;
//  3. otherwise "<unk>", a hashed vector (unknownWords Hashed), or the spelled-out vector.
WordMeaning meaningOf(const Model &model, const std::string &token, bool findLike = true);

// Short and long words for the token strip: "trained", "trained, as 'dog'", "from WordNet: noun.animal,
// like 'horse'", "spelled out: not in the dictionary"; and what that means for attention.
std::string originLabel(const WordOrigin &origin);
std::string originExplanation(const WordOrigin &origin, const std::string &token, const std::string &modelName);

// The WordNet the programs share: loaded once from WordNet::defaultDirectory() on first use. Null when it
// cannot be read; wordNetStatus() then says why. Thread-safe.
std::shared_ptr<const WordNet> sharedWordNet();
std::string wordNetStatus();

} // namespace attention
