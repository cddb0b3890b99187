// Lessons a teacher writes in a text editor: a small header, then steps separated by a line of "---". A
// step states only what it changes (the rest carries over from the step before), then narration in
// Markdown, optional presenter notes and an optional question. Claims ("expect: it -> animal") are checked
// against the real trace, so a lesson never tells a class what the screen contradicts.
// The format is documented in resources/lessons/README.md. Values in, values out: no Qt here.
#pragma once

#include "attention.h"
#include "steps.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attention {

// The largest lesson file read, and the most steps in one: a course of 50 steps is long.
constexpr std::size_t kMaxLessonBytes = 1 << 20;
constexpr int kMaxLessonSteps = 500;

// One thing wrong with a lesson. `step` counts from 1; 0 is the header (or the file as a whole).
struct LessonProblem
{
    int line = 0;
    int step = 0;
    std::string field; // the key ("select", "expect", "question"…), or "file"
    std::string message;
};
// "file:line: step N: field: what is wrong" ("header" instead of "step N" for step 0).
std::string formatProblem(const std::string &file, const LessonProblem &problem);

// What a step may set. Everything is carried over from the step before unless the step names it.
struct LessonState
{
    std::string sentence;
    std::string model = "didactic";
    Step step = Step::Embeddings;
    std::string query; // the selected query token as written ("it", "the#4"), or "" for none
    std::string key;   // the selected key token, or ""
    MaskMode mask = MaskMode::None;
    bool scale = true;
    bool swapQK = false;
    int layer = 1; // from 1, as a person counts
    int head = 1;  // from 1; 0 = the average of the layer's heads
    std::string panel = "explain"; // a panel key: explain, grid, flow, compare, code, or a deep dive
    std::string view = "heatmap";  // heatmap, lines
    std::string projection = "q";  // q, k, v, all
    int decimals = 2;
    double zoom = 1.0;
    // The Compare panel's two sentences and the word looked at in both.
    std::string compareA, compareB, compareWord;

    bool operator==(const LessonState &other) const;
};

enum class QuestionKind {
    None,
    Choice,  // multiple choice: one or more options are right
    Click,   // predict, then reveal: click the token the query attends to most; the heatmap stays hidden
    Number,  // type a number, checked within a tolerance; the worked solution follows
};

struct LessonQuestion
{
    QuestionKind kind = QuestionKind::None;
    int line = 0;
    std::string text; // Markdown
    std::vector<std::string> options;
    std::vector<bool> correct;  // per option
    std::string answer;         // Click: the token (empty = the query's strongest key); Number: the value
    double tolerance = 0.0;     // Number
    std::string explanation;    // shown after the answer (Markdown)
};

struct LessonClaim
{
    int line = 0;
    std::string text; // as written after "expect:"
};

struct LessonStep
{
    int line = 0;              // where the step starts
    std::string title;         // optional; else the step's name
    std::vector<std::pair<std::string, std::string>> settings; // key, value as written (for the record)
    std::vector<int> settingLines;
    LessonState state;         // the whole state once this step's settings apply
    std::string narration;     // Markdown
    std::string notes;         // presenter notes (Markdown)
    LessonQuestion question;
    std::vector<LessonClaim> claims;
};

struct Lesson
{
    std::string title;
    std::string summary;
    std::vector<LessonStep> steps;
};

struct LessonParse
{
    Lesson lesson;
    std::vector<LessonProblem> problems; // syntax, unknown keys, values that cannot be read
    bool ok() const { return problems.empty(); }
};

// Reads a lesson from its text (UTF-8; a byte-order mark and CRLF line ends are accepted). Never throws;
// a text that cannot be used at all gives a lesson with no steps and at least one problem.
LessonParse parseLesson(const std::string &text);

// Finds a model by the name a lesson gives it (a built-in name or a file beside the lesson). Returns null
// and sets `error` when there is none.
using ModelLoader = std::function<std::shared_ptr<const Model>(const std::string &name, std::string *error)>;

// The token `spelled` names in `tokens`: its first exact spelling, or "word#N" for the token at position N
// (from 0, as the token strip numbers them) that must be spelled `word`. -1 with `error` set when none.
int findToken(const std::vector<Token> &tokens, const std::string &spelled, std::string *error);

// The trace a step shows: its sentence through its model with its options.
TraceResult traceLessonState(const LessonState &state, const ModelLoader &loader);

// The weights a step shows: its layer's head, or the mean of the heads' weights for head 0.
Eigen::MatrixXd lessonWeights(const AttentionTrace &trace, const LessonState &state);

// Checks what the parser cannot: models that load, layers and heads they have, tokens that are in the
// sentence, questions that can be answered, and every claim against the real trace. Returns the problems
// of `parse` followed by these.
std::vector<LessonProblem> checkLesson(const LessonParse &parse, const ModelLoader &loader);

// One claim, evaluated against `trace` in `state`. Returns "" when it holds, else what the screen shows
// instead ("“it” attends most to “tired” (0.91), not to “animal”").
std::string evaluateClaim(const std::string &claim, const AttentionTrace &trace, const LessonState &state);

// The right answer of a Click question: the token `answer` names, or the query's strongest key other than
// itself. -1 with `error` set when the step has no query or the token is not there.
int clickAnswer(const LessonStep &step, const AttentionTrace &trace, std::string *error);
// The value a Number question expects (its `answer` is an expression such as "weight(it, animal)" or a
// plain number). nullopt with `error` set when it cannot be computed.
std::optional<double> numberAnswer(const LessonStep &step, const AttentionTrace &trace, std::string *error);
// Reads what a learner typed ("0.39", "0,39", " .39 ") and compares it within the tolerance.
bool numberMatches(const std::string &typed, double expected, double tolerance, bool *readable = nullptr);

} // namespace attention
