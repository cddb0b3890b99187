// Measures whether a trained model's attention means something on sentences it never saw.
#pragma once

#include "attention.h"
#include "example.h"
#include "model.h"

#include <Eigen/Dense>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attention {

struct EvalReport
{
    // Winograd: a pair counts when BOTH sentences put more weight on the antecedent than on the distractor,
    // so a model that always looks at the same noun scores 0, not 50 %.
    // Pairs whose pronoun is "it" (creatures, objects, places), and pairs whose pronoun is "he" or "she"
    // (people), counted apart.
    int pairs = 0, pairsCorrect = 0;
    int personPairs = 0, personPairsCorrect = 0;
    // A sense example counts when, in some layer, the word's head-averaged attention row, leaving out the
    // word itself, is largest on the cue.
    int senseTotal = 0, senseCorrect = 0;
    std::vector<std::string> failures; // a few failed sentences with the weights that failed them
    // The same counts per template (Example::frame): {correct, total}, pairs for Winograd frames.
    std::map<std::string, std::pair<int, int>> byFrame;

    double pairAccuracy() const { return pairs > 0 ? static_cast<double>(pairsCorrect) / pairs : 0.0; }
    double personPairAccuracy() const
    {
        return personPairs > 0 ? static_cast<double>(personPairsCorrect) / personPairs : 0.0;
    }
    double senseAccuracy() const
    {
        return senseTotal > 0 ? static_cast<double>(senseCorrect) / senseTotal : 0.0;
    }
};

// Traces every Referent and Sense example (Plain ones are skipped) with the default options. Referent
// examples read the final layer's attention from the pronoun, averaged over that layer's heads. The
// attention weights are only measured here; they are never a training target.
EvalReport evaluate(std::shared_ptr<const Model> model, const std::vector<Example> &heldOut);

struct CoverageReport
{
    int sentences = 0, tokens = 0;
    int trained = 0, fromWordNet = 0, spelledOut = 0; // tokens by how the model knows them
    std::vector<std::string> spelledOutWords;          // each once, in order of appearance

    double spelledOutShare() const { return tokens > 0 ? static_cast<double>(spelledOut) / tokens : 0.0; }
};

// How the model knows the tokens of `text`: one sentence per non-empty line; lines starting with '#' are
// comments. Punctuation tokens count like words.
CoverageReport coverage(const Model &model, const std::string &text);

} // namespace attention
