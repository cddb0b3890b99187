// One training or evaluation sentence: its words, what the model must predict, and where to look.
#pragma once

#include <string>
#include <vector>

namespace attention {

enum class ExampleKind {
    Referent, // a pronoun: predict the word it refers to, at the pronoun's position
    Sense,    // a word with several senses: predict its sense label at its position
    Plain     // an ordinary sentence: predict a hidden word (masked-word prediction)
};

struct Example
{
    std::vector<std::string> words; // lower-case tokens, as the tokenizer splits them ("didn't" is one)
    ExampleKind kind = ExampleKind::Plain;
    int position = -1; // the token whose final output is classified
    std::string label; // the class to predict there: a word ("animal") or a sense ("sense:code")

    // For evaluation only; never used as a training target.
    int antecedent = -1; // Referent: position of the noun the pronoun refers to
    int distractor = -1; // Referent: position of the other noun
    int pairId = -1;     // Referent: the twin sentence (same nouns, other adjective) has the same id
    int cue = -1;        // Sense: position of the word that settles the sense
    std::string frame;   // which template made it (for held-out splits and reports)
};

} // namespace attention
