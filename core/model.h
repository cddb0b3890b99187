// The weights of a transformer encoder, from a one-head didactic model to a trained stack of layers.
#pragma once

#include <Eigen/Dense>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attention {

class WordNet;

struct HeadWeights
{
    Eigen::MatrixXd W_Q, W_K, W_V;    // (d_model, d_k): Q = X·W_Q
    Eigen::RowVectorXd b_Q, b_K, b_V; // (d_k), or empty when the model has no biases
};

struct LayerNormWeights
{
    Eigen::RowVectorXd gamma, beta; // (d_model), or empty when the layer has no normalization
    double epsilon = 1e-5;
};

struct LayerWeights
{
    std::vector<HeadWeights> heads;
    Eigen::MatrixXd W_O;    // (heads·d_k, d_model); empty means the identity (needs heads·d_k == d_model)
    Eigen::RowVectorXd b_O; // (d_model) or empty
    bool residual = false;  // add the layer input to the attention output (and the FFN input to its output)
    LayerNormWeights norm1; // after attention (post-norm, as in the original Transformer)
    Eigen::MatrixXd W_1;    // (d_model, d_ff), empty when the layer has no feed-forward block
    Eigen::RowVectorXd b_1; // (d_ff)
    Eigen::MatrixXd W_2;    // (d_ff, d_model)
    Eigen::RowVectorXd b_2; // (d_model)
    LayerNormWeights norm2; // after the feed-forward block

    bool hasFeedForward() const { return W_1.size() > 0; }
};

enum class UnknownWords {
    Hashed,       // an unknown word gets a deterministic pseudo-random vector made from its spelling
    UnknownToken, // an unknown word gets the embedding of the vocabulary entry "<unk>"
    WordNet       // an unknown word is built from what WordNet knows of it (meaning.h), else spelled out
};

// How positions are encoded. A table is learned row by row and stops at its last row; the sinusoidal
// encoding of "Attention Is All You Need" is computed for any position, so it reaches kMaxTokens.
struct PositionEncoding
{
    enum class Kind { None, Table, Sinusoidal };
    Kind kind = Kind::None;
    int count = 0;        // rows of positionEmbedding (sinusoidal: computed up to this many)
    double base = 10000;  // sinusoidal: wavelengths from 2π to 2π·base
    double scale = 1.0;   // sinusoidal: every value is multiplied by this
};

// What a model knows of words outside its vocabulary: a vector per WordNet feature (a category such as
// "noun.animal", or a synset such as "n02084071", the dog) and a vector per hashed character n-gram.
// meaning.h explains how a word's vector is made from them.
struct WordKnowledge
{
    std::vector<std::string> keys;      // feature names, "noun.animal" or "n02084071"
    std::map<std::string, int> index;   // key → row of vectors
    Eigen::MatrixXd vectors;            // (keys, d_model)
    Eigen::MatrixXd ngrams;             // (buckets, d_model); empty: n-grams of hashed vectors instead
    std::vector<std::string> ownWords;  // vocabulary words that are not WordNet's (function words, "."…)
    std::string builtFrom;              // the WordNet the features were read from when the model was made

    void indexKeys();
};

// How the model came by a token's vector (see meaningOf in meaning.h).
enum class WordSource {
    Vocabulary,   // a word the model was trained on (or its base form: "dogs" → dog)
    WordNet,      // built from the word's WordNet categories and relatives
    SpelledOut,   // neither: built from its spelling (character n-grams)
    UnknownToken  // the "<unk>" vector
};

struct WordOrigin
{
    WordSource source = WordSource::SpelledOut;
    int row = -1;          // the vocabulary row when source is Vocabulary
    std::string asWord;    // the vocabulary or WordNet word it was found as ("dog" for "dogs")
    std::string category;  // WordNet: the category of its most common sense, "noun.animal"
    std::string like;      // WordNet: the trained word whose vector is closest
    bool noDictionary = false; // spelled out because WordNet could not be read (not installed)
};

struct Model
{
    std::string name;
    std::string description;
    int d_model = 0;
    int d_k = 0;
    std::vector<std::string> featureNames; // one per embedding dimension; may be empty

    std::vector<std::string> vocabulary;  // index → word (normalized spelling)
    std::map<std::string, int> wordIndex; // normalized word → row of tokenEmbedding
    Eigen::MatrixXd tokenEmbedding;       // (vocabulary size, d_model)
    Eigen::MatrixXd positionEmbedding;    // (max positions, d_model), or empty: no positions
    PositionEncoding positions;           // how positionEmbedding was made (a table, or computed)
    UnknownWords unknownWords = UnknownWords::Hashed;
    WordKnowledge knowledge;              // used when unknownWords is WordNet
    // The WordNet database words outside the vocabulary are looked up in; attached by the loader, shared
    // by every model. Null when WordNet is not installed: such words are then spelled out.
    std::shared_ptr<const WordNet> wordnet;
    double hashedScale = 0.3; // unknown words' hashed vectors are uniform in [-hashedScale, hashedScale]

    std::vector<LayerWeights> layers;

    // The training head: scores every class from one token's final output (see train.h). Empty for
    // hand-set models; the traces never use it.
    std::vector<std::string> classes;
    Eigen::MatrixXd W_cls;    // (d_model, classes)
    Eigen::RowVectorXd b_cls; // (classes)

    int headCount() const { return layers.empty() ? 0 : static_cast<int>(layers.front().heads.size()); }
    int maxPositions() const { return static_cast<int>(positionEmbedding.rows()); }
    // Row of `word` in tokenEmbedding after normalization, or -1 when the model does not know it.
    int lookup(const std::string &word) const;
    // Rebuilds wordIndex from vocabulary.
    void indexVocabulary();
};

// Checks every shape in the model against d_model and d_k, and every size against its limit
// (inputlimits.h). Returns an empty string when the model is consistent, or one sentence naming the first
// field that is wrong (for example "layers[0].heads[1].W_K has 5 rows; d_model is 6").
std::string validateModel(const Model &model);

// The deterministic vector given to a word the model does not know (same spelling → same vector).
Eigen::RowVectorXd hashedEmbedding(const std::string &normalizedWord, int dimension, double scale);

// The sinusoidal encoding: row p, column 2i is sin(p / base^(2i/d)), column 2i+1 its cosine, times scale.
// (count, d)
Eigen::MatrixXd sinusoidalPositions(int count, int d, double base, double scale);

} // namespace attention
