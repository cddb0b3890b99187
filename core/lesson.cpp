// Reading lessons and checking them against the trace.
#include "lesson.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

namespace attention {

namespace {

const std::vector<std::string> kHeaderKeys{"title", "summary", "model"};
const std::vector<std::string> kStepKeys{"title", "sentence", "model",  "step",       "select",   "key",
                                         "mask",  "scale",    "swap",   "layer",      "head",     "panel",
                                         "view",  "projection", "decimals", "zoom",   "expect",   "compare"};
const std::vector<std::string> kPanels{"explain", "grid",    "flow",       "compare",   "code",
                                      "scaling", "masking", "complexity", "multihead", "rnn"};
const std::vector<std::string> kViews{"heatmap", "lines"};
const std::vector<std::string> kProjections{"q", "k", "v", "all"};

bool contains(const std::vector<std::string> &list, const std::string &s)
{
    return std::find(list.begin(), list.end(), s) != list.end();
}

std::string join(const std::vector<std::string> &list, const std::string &sep)
{
    std::string out;
    for (std::size_t i = 0; i < list.size(); ++i)
        out += (i ? sep : std::string()) + list[i];
    return out;
}

std::string trim(const std::string &s)
{
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Where the first byte of a UTF-8 text goes wrong, or npos.
std::size_t invalidUtf8At(const std::string &s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + extra >= s.size() + (extra == 0 ? 1 : 0))
            return i;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
                return i;
        if (c == 0)
            return i;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return std::string::npos;
}

// "key: value" with a lowercase key; false for any other line.
bool keyValue(const std::string &line, std::string *key, std::string *value)
{
    std::size_t i = 0;
    if (line.empty() || !std::islower(static_cast<unsigned char>(line[0])))
        return false;
    while (i < line.size() && (std::islower(static_cast<unsigned char>(line[i])) || line[i] == '-'))
        ++i;
    if (i >= line.size() || line[i] != ':')
        return false;
    *key = line.substr(0, i);
    *value = trim(line.substr(i + 1));
    return true;
}

std::optional<bool> readSwitch(const std::string &v)
{
    const std::string s = lower(v);
    if (s == "on" || s == "yes" || s == "true")
        return true;
    if (s == "off" || s == "no" || s == "false")
        return false;
    return std::nullopt;
}

std::optional<long> readInt(const std::string &v)
{
    if (v.empty() || v.size() > 9)
        return std::nullopt;
    for (char c : v)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
    return std::strtol(v.c_str(), nullptr, 10);
}

// A number as people write it: "0.39", "-2", "1e-9", "0,39". nullopt for anything else.
std::optional<double> readNumber(std::string v, int *decimals = nullptr)
{
    v = trim(v);
    std::replace(v.begin(), v.end(), ',', '.');
    if (v.empty() || v.size() > 40)
        return std::nullopt;
    char *end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || !std::isfinite(x))
        return std::nullopt;
    if (decimals) {
        const std::size_t dot = v.find('.');
        const std::size_t exp = v.find_first_of("eE");
        *decimals = dot == std::string::npos ? 0
                                             : static_cast<int>((exp == std::string::npos ? v.size() : exp) - dot - 1);
    }
    return x;
}

std::string number(double x, int decimals = 2)
{
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(decimals);
    out << x;
    return out.str();
}

std::string quoted(const std::string &s)
{
    return "\u201C" + s + "\u201D";
}

// Removes one pair of surrounding quotes ("…", '…' or “…”).
std::string unquote(std::string s)
{
    s = trim(s);
    if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
        return s.substr(1, s.size() - 2);
    const std::string open = "\u201C", close = "\u201D";
    if (s.size() >= open.size() + close.size() && startsWith(s, open) &&
        s.compare(s.size() - close.size(), close.size(), close) == 0)
        return s.substr(open.size(), s.size() - open.size() - close.size());
    return s;
}

struct StepBuilder
{
    LessonParse &parse;
    int stepNumber;
    void problem(int line, const std::string &field, const std::string &message)
    {
        parse.problems.push_back({line, stepNumber, field, message});
    }
};

// Applies one "key: value" to the state; reports a value that cannot be read.
void applySetting(StepBuilder &b, LessonStep &step, const std::string &key, const std::string &value, int line)
{
    LessonState &s = step.state;
    const auto oneOf = [&](const std::vector<std::string> &allowed, std::string *target) {
        const std::string v = lower(value);
        if (contains(allowed, v))
            *target = v;
        else
            b.problem(line, key, quoted(value) + " is not one of " + join(allowed, ", "));
    };
    if (key == "title") {
        step.title = value;
    } else if (key == "sentence") {
        if (value.empty()) {
            b.problem(line, key, "the sentence is empty");
            return;
        }
        if (value != s.sentence) {
            // A new sentence has new tokens: the selection of the one before does not carry over.
            s.query.clear();
            s.key.clear();
        }
        s.sentence = value;
    } else if (key == "model") {
        if (value.empty())
            b.problem(line, key, "no model named");
        else
            s.model = value;
    } else if (key == "step") {
        if (const auto st = stepFromKey(lower(value)))
            s.step = *st;
        else if (const auto n = readInt(value); n && *n >= 1 && *n <= static_cast<long>(kAllSteps.size()))
            s.step = kAllSteps[static_cast<std::size_t>(*n - 1)];
        else {
            std::vector<std::string> keys;
            for (Step st : kAllSteps)
                keys.push_back(stepKey(st));
            b.problem(line, key, quoted(value) + " is not a step: use 1 to 8 or one of " + join(keys, ", "));
        }
    } else if (key == "select" || key == "key") {
        std::string &target = key == "select" ? s.query : s.key;
        target = lower(value) == "none" ? std::string() : unquote(value);
        if (key == "select" && target.empty())
            s.key.clear();
    } else if (key == "mask") {
        const std::string v = lower(value);
        if (v == "none" || v == "off")
            s.mask = MaskMode::None;
        else if (v == "causal" || v == "on")
            s.mask = MaskMode::Causal;
        else
            b.problem(line, key, quoted(value) + " is not a mask: use none or causal");
    } else if (key == "scale" || key == "swap") {
        if (const auto on = readSwitch(value))
            (key == "scale" ? s.scale : s.swapQK) = *on;
        else
            b.problem(line, key, quoted(value) + " is neither on nor off");
    } else if (key == "layer") {
        const auto n = readInt(value);
        if (n && *n >= 1 && *n <= kMaxLayers)
            s.layer = static_cast<int>(*n);
        else
            b.problem(line, key, quoted(value) + " is not a layer: use 1, 2, …");
    } else if (key == "head") {
        const std::string v = lower(value);
        const auto n = readInt(v);
        if (v == "avg" || v == "average" || v == "mean")
            s.head = 0;
        else if (n && *n >= 1 && *n <= kMaxHeads)
            s.head = static_cast<int>(*n);
        else
            b.problem(line, key, quoted(value) + " is not a head: use 1, 2, … or avg");
    } else if (key == "panel") {
        oneOf(kPanels, &s.panel);
    } else if (key == "view") {
        oneOf(kViews, &s.view);
    } else if (key == "projection") {
        oneOf(kProjections, &s.projection);
    } else if (key == "decimals") {
        const auto n = readInt(value);
        if (n && *n <= 6)
            s.decimals = static_cast<int>(*n);
        else
            b.problem(line, key, quoted(value) + " is not a number of decimals from 0 to 6");
    } else if (key == "zoom") {
        std::string v = value;
        const bool percent = !v.empty() && v.back() == '%';
        if (percent)
            v.pop_back();
        const auto z = readNumber(v);
        const double factor = z ? (percent ? *z / 100 : *z) : 0;
        if (z && factor >= 0.6 && factor <= 3.0)
            s.zoom = factor;
        else
            b.problem(line, key, quoted(value) + " is not a zoom from 60% to 300% (or 0.6 to 3)");
    } else if (key == "compare") {
        // compare: first sentence | second sentence | word
        std::vector<std::string> parts;
        std::string rest = value;
        for (std::size_t bar; (bar = rest.find('|')) != std::string::npos; rest = rest.substr(bar + 1))
            parts.push_back(trim(rest.substr(0, bar)));
        parts.push_back(trim(rest));
        if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
            b.problem(line, key, "write it as: first sentence | second sentence | word");
        else {
            s.compareA = parts[0];
            s.compareB = parts[1];
            s.compareWord = unquote(parts[2]);
        }
    } else if (key == "expect") {
        if (value.empty())
            b.problem(line, key, "no claim after expect:");
        else
            step.claims.push_back({line, value});
    }
}

void finishQuestion(StepBuilder &b, LessonQuestion &q)
{
    if (q.line == 0)
        return;
    q.text = trim(q.text);
    q.explanation = trim(q.explanation);
    if (q.text.empty())
        b.problem(q.line, "question", "the question has no text");
    if (!q.options.empty()) {
        q.kind = QuestionKind::Choice;
        if (q.options.size() < 2)
            b.problem(q.line, "question", "a multiple-choice question needs at least two options");
        if (std::none_of(q.correct.begin(), q.correct.end(), [](bool c) { return c; }))
            b.problem(q.line, "question", "no option is marked right: write it as - [x] …");
        if (!q.answer.empty())
            b.problem(q.line, "answer", "a multiple-choice question is answered by its [x] options, not answer:");
        return;
    }
    const std::string a = trim(q.answer);
    if (a.empty()) {
        b.problem(q.line, "answer", "the question has neither options (- [x] …) nor an answer: line");
        return;
    }
    if (startsWith(lower(a), "click")) {
        q.kind = QuestionKind::Click;
        q.answer = unquote(trim(a.substr(5)));
        return;
    }
    // A number, or an expression, with an optional tolerance: "weight(it, animal) ± 0.01".
    q.kind = QuestionKind::Number;
    std::string expr = a;
    for (const std::string &pm : {std::string("\u00B1"), std::string("+-"), std::string("+/-")})
        if (const std::size_t at = a.find(pm); at != std::string::npos) {
            expr = trim(a.substr(0, at));
            const auto tol = readNumber(a.substr(at + pm.size()));
            if (!tol || *tol < 0)
                b.problem(q.line, "answer", "the tolerance after ± is not a number");
            else
                q.tolerance = *tol;
            break;
        }
    q.answer = expr;
    if (q.tolerance == 0.0)
        q.tolerance = 0.005; // what two decimals on screen can tell apart
}

} // namespace

bool LessonState::operator==(const LessonState &o) const
{
    return sentence == o.sentence && model == o.model && step == o.step && query == o.query && key == o.key &&
           mask == o.mask && scale == o.scale && swapQK == o.swapQK && layer == o.layer && head == o.head &&
           panel == o.panel && view == o.view && projection == o.projection && decimals == o.decimals &&
           zoom == o.zoom && compareA == o.compareA && compareB == o.compareB && compareWord == o.compareWord;
}

std::string formatProblem(const std::string &file, const LessonProblem &p)
{
    return file + ":" + std::to_string(p.line) + ": " + (p.step > 0 ? "step " + std::to_string(p.step) : "header") +
           ": " + p.field + ": " + p.message;
}

LessonParse parseLesson(const std::string &input)
{
    LessonParse parse;
    const auto fail = [&parse](int line, const std::string &message) {
        parse.problems.push_back({line, 0, "file", message});
    };
    if (input.size() > kMaxLessonBytes) {
        fail(1, "the file is " + std::to_string(input.size() / 1024) + " KiB; a lesson may have at most " +
                    std::to_string(kMaxLessonBytes / 1024) + " KiB");
        return parse;
    }
    std::string text = input;
    if (startsWith(text, "\xEF\xBB\xBF"))
        text.erase(0, 3);
    if (const std::size_t bad = invalidUtf8At(text); bad != std::string::npos) {
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
        fail(line, "the file is not UTF-8 text (a byte that is not UTF-8 at offset " + std::to_string(bad) + ")");
        return parse;
    }
    std::vector<std::string> lines;
    {
        std::string current;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '\r' || c == '\n') {
                lines.push_back(current);
                current.clear();
                if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                    ++i;
            } else {
                current += c == '\t' ? ' ' : c;
            }
        }
        lines.push_back(current);
    }
    const auto isRule = [&lines](std::size_t i) { return trim(lines[i]) == "---"; };

    // The header, between the first two lines of "---".
    std::size_t i = 0;
    while (i < lines.size() && trim(lines[i]).empty())
        ++i;
    if (i >= lines.size() || !isRule(i)) {
        fail(static_cast<int>(std::min(i, lines.size() - 1)) + 1,
             "a lesson starts with a header between two lines of ---, holding at least title:");
        return parse;
    }
    const int headerLine = static_cast<int>(i) + 1;
    LessonState state;
    bool closed = false;
    for (++i; i < lines.size(); ++i) {
        if (isRule(i)) {
            closed = true;
            ++i;
            break;
        }
        const std::string line = trim(lines[i]);
        std::string key, value;
        if (line.empty() || startsWith(line, "#"))
            continue;
        const int n = static_cast<int>(i) + 1;
        if (!keyValue(line, &key, &value)) {
            parse.problems.push_back({n, 0, "header", "not a key: value line: " + quoted(line)});
            continue;
        }
        if (!contains(kHeaderKeys, key)) {
            parse.problems.push_back({n, 0, key, "unknown header key; the header holds " + join(kHeaderKeys, ", ") +
                                                     " (the rest goes in the steps)"});
            continue;
        }
        if (key == "title")
            parse.lesson.title = value;
        else if (key == "summary")
            parse.lesson.summary = value;
        else if (value.empty())
            parse.problems.push_back({n, 0, key, "no model named"});
        else
            state.model = value;
    }
    if (!closed) {
        parse.problems.push_back({headerLine, 0, "header", "the header has no closing line of ---"});
        return parse;
    }
    if (parse.lesson.title.empty())
        parse.problems.push_back({headerLine, 0, "title", "the lesson has no title"});

    // The steps, each up to the next line of "---".
    while (i < lines.size()) {
        std::size_t end = i;
        while (end < lines.size() && !isRule(end))
            ++end;
        std::size_t first = i;
        while (first < end && trim(lines[first]).empty())
            ++first;
        if (first == end) { // nothing between two rules, or after the last one
            if (end < lines.size())
                parse.problems.push_back({static_cast<int>(end) + 1, static_cast<int>(parse.lesson.steps.size()) + 1,
                                          "file", "an empty step (two lines of --- with nothing between)"});
            i = end + 1;
            continue;
        }
        if (static_cast<int>(parse.lesson.steps.size()) >= kMaxLessonSteps) {
            parse.problems.push_back({static_cast<int>(first) + 1, kMaxLessonSteps + 1, "file",
                                      "a lesson may have at most " + std::to_string(kMaxLessonSteps) + " steps"});
            break;
        }
        LessonStep step;
        step.line = static_cast<int>(first) + 1;
        step.state = state;
        StepBuilder b{parse, static_cast<int>(parse.lesson.steps.size()) + 1};
        std::size_t k = first;
        // The state block: "key: value" lines up to the first blank or other line.
        for (; k < end; ++k) {
            std::string key, value;
            const std::string line = trim(lines[k]);
            if (line.empty() || !keyValue(line, &key, &value))
                break;
            const int n = static_cast<int>(k) + 1;
            if (!contains(kStepKeys, key)) {
                b.problem(n, key, "unknown key; a step may set " + join(kStepKeys, ", "));
                continue;
            }
            step.settings.emplace_back(key, value);
            step.settingLines.push_back(n);
            applySetting(b, step, key, value, n);
        }
        // Narration, then "Notes:" and "Question:" in either order.
        enum class Part { Narration, Notes, Question, Explanation } part = Part::Narration;
        std::string narration, notes;
        for (; k < end; ++k) {
            const std::string &raw = lines[k];
            const std::string line = trim(raw);
            const int n = static_cast<int>(k) + 1;
            if (startsWith(line, "Notes:") || startsWith(line, "Note:")) {
                part = Part::Notes;
                notes += trim(line.substr(line.find(':') + 1)) + "\n";
                continue;
            }
            if (startsWith(line, "Question:")) {
                if (step.question.line != 0)
                    b.problem(n, "question", "a step has at most one question");
                part = Part::Question;
                step.question.line = n;
                step.question.text += trim(line.substr(9)) + "\n";
                continue;
            }
            std::string key, value;
            if (part == Part::Question || part == Part::Explanation) {
                if (startsWith(line, "- [x]") || startsWith(line, "- [X]") || startsWith(line, "- [ ]")) {
                    step.question.options.push_back(trim(line.substr(5)));
                    step.question.correct.push_back(line[3] != ' ');
                    continue;
                }
                if (keyValue(line, &key, &value) && (key == "answer" || key == "explain")) {
                    if (key == "answer")
                        step.question.answer = value;
                    else {
                        part = Part::Explanation;
                        step.question.explanation += value + "\n";
                    }
                    continue;
                }
                (part == Part::Question ? step.question.text : step.question.explanation) += raw + "\n";
                continue;
            }
            if (keyValue(line, &key, &value) && contains(kStepKeys, key) && part == Part::Narration)
                b.problem(n, key, "a setting after the narration: settings go in the block at the top of the step");
            (part == Part::Notes ? notes : narration) += raw + "\n";
        }
        step.narration = trim(narration);
        step.notes = trim(notes);
        finishQuestion(b, step.question);
        if (step.state.sentence.empty())
            b.problem(step.line, "sentence", "no sentence yet: the first step must set sentence:");
        state = step.state;
        parse.lesson.steps.push_back(std::move(step));
        i = end + 1;
    }
    if (parse.lesson.steps.empty() && parse.problems.empty())
        parse.problems.push_back({headerLine, 0, "file", "the lesson has no steps"});
    return parse;
}

int findToken(const std::vector<Token> &tokens, const std::string &spelledIn, std::string *error)
{
    const std::string spelled = unquote(spelledIn);
    const auto list = [&tokens] {
        std::vector<std::string> texts;
        for (std::size_t i = 0; i < tokens.size() && i < 40; ++i)
            texts.push_back(tokens[i].text);
        return join(texts, " ") + (tokens.size() > 40 ? " …" : "");
    };
    // "word#N": the token at position N, which must be spelled word.
    if (const std::size_t hash = spelled.rfind('#'); hash != std::string::npos && hash + 1 < spelled.size()) {
        if (const auto n = readInt(spelled.substr(hash + 1))) {
            const std::string word = spelled.substr(0, hash);
            if (*n >= static_cast<long>(tokens.size())) {
                *error = quoted(spelled) + ": the sentence has " + std::to_string(tokens.size()) + " tokens, numbered 0 to " +
                         std::to_string(tokens.size() - 1);
                return -1;
            }
            if (!word.empty() && tokens[static_cast<std::size_t>(*n)].text != word) {
                *error = quoted(spelled) + ": token " + std::to_string(*n) + " is " +
                         quoted(tokens[static_cast<std::size_t>(*n)].text);
                return -1;
            }
            return static_cast<int>(*n);
        }
    }
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i].text == spelled)
            return static_cast<int>(i);
    *error = quoted(spelled) + " is not a token of the sentence (its tokens: " + list() + ")";
    return -1;
}

TraceResult traceLessonState(const LessonState &s, const ModelLoader &loader)
{
    std::string error;
    std::shared_ptr<const Model> model = loader(s.model, &error);
    if (!model) {
        TraceResult r;
        r.error = error.empty() ? "the model " + quoted(s.model) + " cannot be loaded" : error;
        return r;
    }
    TraceOptions options;
    options.scale = s.scale;
    options.mask = s.mask;
    options.swapQK = s.swapQK;
    return traceText(std::move(model), s.sentence, options);
}

Eigen::MatrixXd lessonWeights(const AttentionTrace &trace, const LessonState &s)
{
    const LayerTrace &layer = trace.layers[static_cast<std::size_t>(s.layer - 1)];
    if (s.head == 0)
        return averageHeadWeights(layer);
    return layer.heads[static_cast<std::size_t>(s.head - 1)].weights;
}

namespace {

// The matrix a value function reads, in the step's layer and head (or the mean of the heads).
std::optional<Eigen::MatrixXd> valueMatrix(const std::string &fn, const AttentionTrace &trace, const LessonState &s)
{
    const LayerTrace &layer = trace.layers[static_cast<std::size_t>(s.layer - 1)];
    const auto pick = [&](auto member) {
        if (s.head > 0)
            return Eigen::MatrixXd(layer.heads[static_cast<std::size_t>(s.head - 1)].*member);
        Eigen::MatrixXd sum = Eigen::MatrixXd::Zero((layer.heads[0].*member).rows(), (layer.heads[0].*member).cols());
        for (const HeadTrace &h : layer.heads)
            sum += h.*member;
        return Eigen::MatrixXd(sum / static_cast<double>(layer.heads.size()));
    };
    if (fn == "weight" || fn == "rowsum")
        return lessonWeights(trace, s);
    if (fn == "score")
        return pick(&HeadTrace::scores);
    if (fn == "scaled")
        return pick(&HeadTrace::scaled);
    return std::nullopt;
}

// Splits "a, b" at top-level commas, keeping quoted commas: weight(it, ",").
std::vector<std::string> arguments(const std::string &inside)
{
    std::vector<std::string> args;
    std::string current;
    char quote = 0;
    for (char c : inside) {
        if (quote) {
            if (c == quote)
                quote = 0;
            current += c;
        } else if (c == '"' || c == '\'') {
            // An apostrophe inside a word ("didn't") is no quote.
            if (c == '\'' && !trim(current).empty())
                current += c;
            else {
                quote = c;
                current += c;
            }
        } else if (c == ',') {
            args.push_back(trim(current));
            current.clear();
        } else {
            current += c;
        }
    }
    args.push_back(trim(current));
    return args;
}

struct Value
{
    double value = 0;
    std::string name; // as written, for the messages
    int decimals = 2; // of a number as written
    bool literal = false;
};

std::optional<Value> evaluateExpression(const std::string &text, const AttentionTrace &trace, const LessonState &s,
                                        std::string *error)
{
    const std::string e = trim(text);
    int decimals = 0;
    if (const auto x = readNumber(e, &decimals))
        return Value{*x, e, decimals, true};
    const std::size_t open = e.find('(');
    if (open == std::string::npos || e.back() != ')') {
        *error = quoted(e) + " is neither a number nor weight(…), score(…), scaled(…) or rowsum(…)";
        return std::nullopt;
    }
    const std::string fn = lower(trim(e.substr(0, open)));
    const std::vector<std::string> args = arguments(e.substr(open + 1, e.size() - open - 2));
    const std::optional<Eigen::MatrixXd> m = valueMatrix(fn, trace, s);
    if (!m) {
        *error = quoted(fn) + " is not a value: use weight, score, scaled or rowsum";
        return std::nullopt;
    }
    const std::size_t wanted = fn == "rowsum" ? 1 : 2;
    if (args.size() != wanted) {
        *error = fn + "(…) takes " + (wanted == 1 ? "one token" : "two tokens, query and key");
        return std::nullopt;
    }
    const int row = findToken(trace.tokens, args[0], error);
    if (row < 0)
        return std::nullopt;
    if (fn == "rowsum")
        return Value{m->row(row).sum(), e, 2, false};
    const int column = findToken(trace.tokens, args[1], error);
    if (column < 0)
        return std::nullopt;
    return Value{(*m)(row, column), e, 2, false};
}

// The strongest key of `query` other than itself (the lesson's "it -> animal"); -1 when it sees no other.
int strongestOther(const Eigen::MatrixXd &w, int query)
{
    int best = -1;
    for (int c = 0; c < w.cols(); ++c)
        if (c != query && (best < 0 || w(query, c) > w(query, best)))
            best = c;
    return best;
}

} // namespace

std::string evaluateClaim(const std::string &claimIn, const AttentionTrace &trace, const LessonState &s)
{
    const std::string claim = trim(claimIn);
    std::string error;
    // "it -> animal": the strongest key of "it", other than itself, is "animal".
    if (const std::size_t arrow = claim.find("->"); arrow != std::string::npos) {
        const int q = findToken(trace.tokens, trim(claim.substr(0, arrow)), &error);
        if (q < 0)
            return error;
        const int k = findToken(trace.tokens, trim(claim.substr(arrow + 2)), &error);
        if (k < 0)
            return error;
        const Eigen::MatrixXd w = lessonWeights(trace, s);
        const int best = strongestOther(w, q);
        if (best < 0)
            return quoted(trace.tokens[std::size_t(q)].text) + " attends to no other token";
        // A tie with the named key holds: the screen shows both as largest.
        if (best == k || std::abs(w(q, k) - w(q, best)) < 1e-12)
            return "";
        return quoted(trace.tokens[std::size_t(q)].text) + " attends most to " +
               quoted(trace.tokens[std::size_t(best)].text) + " (" + number(w(q, best)) + "), not to " +
               quoted(trace.tokens[std::size_t(k)].text) + " (" + number(w(q, k)) + ")";
    }
    // "a OP b", with OP one of <=, >=, <, >, =; "=" may carry a tolerance: "= 0.39 ± 0.01".
    static const std::vector<std::string> ops{"<=", ">=", "\u2264", "\u2265", "<", ">", "="};
    std::size_t at = std::string::npos;
    std::string op;
    for (const std::string &o : ops) {
        const std::size_t p = claim.find(o);
        if (p != std::string::npos && (at == std::string::npos || p < at || (p == at && o.size() > op.size()))) {
            at = p;
            op = o;
        }
    }
    if (at == std::string::npos)
        return "not a claim: write token -> token, or a comparison such as weight(it, animal) > 0.3";
    const std::string left = claim.substr(0, at);
    std::string right = claim.substr(at + op.size());
    double tolerance = -1;
    for (const std::string &pm : {std::string("\u00B1"), std::string("+-"), std::string("+/-")})
        if (const std::size_t p = right.find(pm); p != std::string::npos) {
            const auto tol = readNumber(right.substr(p + pm.size()));
            if (!tol || *tol < 0)
                return "the tolerance after ± is not a number";
            tolerance = *tol;
            right = right.substr(0, p);
            break;
        }
    const auto a = evaluateExpression(left, trace, s, &error);
    if (!a)
        return error;
    const auto b = evaluateExpression(right, trace, s, &error);
    if (!b)
        return error;
    bool holds = false;
    if (op == "=") {
        // Without a tolerance, as far as the number is written: "= 0.39" is anything that shows as 0.39.
        if (tolerance < 0)
            tolerance = b->literal ? 0.5 * std::pow(10.0, -b->decimals) + 1e-12 : 1e-9;
        holds = std::abs(a->value - b->value) <= tolerance;
    } else if (op == "<") {
        holds = a->value < b->value;
    } else if (op == ">") {
        holds = a->value > b->value;
    } else if (op == "<=" || op == "\u2264") {
        holds = a->value <= b->value;
    } else {
        holds = a->value >= b->value;
    }
    if (holds)
        return "";
    const int shown = std::max({2, a->decimals, b->decimals});
    std::string message = a->name + " is " + number(a->value, a->literal ? a->decimals : shown);
    if (!b->literal)
        message += " and " + b->name + " is " + number(b->value, shown);
    message += ", so " + trim(left) + " " + op + " " + trim(right) + " does not hold";
    if (op == "=")
        message += " (within " + number(tolerance, std::max(shown, 3)) + ")";
    return message;
}

int clickAnswer(const LessonStep &step, const AttentionTrace &trace, std::string *error)
{
    if (step.state.query.empty()) {
        *error = "a click question needs a selected query (select:)";
        return -1;
    }
    const int q = findToken(trace.tokens, step.state.query, error);
    if (q < 0)
        return -1;
    const Eigen::MatrixXd w = lessonWeights(trace, step.state);
    const int best = strongestOther(w, q);
    if (step.question.answer.empty()) {
        if (best < 0)
            *error = quoted(step.state.query) + " attends to no other token";
        return best;
    }
    const int named = findToken(trace.tokens, step.question.answer, error);
    if (named < 0)
        return -1;
    if (best >= 0 && named != best && std::abs(w(q, named) - w(q, best)) > 1e-12) {
        *error = "the answer " + quoted(step.question.answer) + " is wrong on screen: " + quoted(step.state.query) +
                 " attends most to " + quoted(trace.tokens[std::size_t(best)].text) + " (" + number(w(q, best)) + ")";
        return -1;
    }
    return named;
}

std::optional<double> numberAnswer(const LessonStep &step, const AttentionTrace &trace, std::string *error)
{
    const auto v = evaluateExpression(step.question.answer, trace, step.state, error);
    if (!v)
        return std::nullopt;
    return v->value;
}

bool numberMatches(const std::string &typed, double expected, double tolerance, bool *readable)
{
    const auto x = readNumber(typed);
    if (readable)
        *readable = x.has_value();
    return x && std::abs(*x - expected) <= tolerance + 1e-12;
}

std::vector<LessonProblem> checkLesson(const LessonParse &parse, const ModelLoader &loader)
{
    std::vector<LessonProblem> problems = parse.problems;
    std::map<std::string, std::shared_ptr<const Model>> models;
    std::map<std::string, std::string> failures;
    const ModelLoader cached = [&](const std::string &name, std::string *error) -> std::shared_ptr<const Model> {
        if (const auto it = models.find(name); it != models.end())
            return it->second;
        if (const auto it = failures.find(name); it != failures.end()) {
            *error = it->second;
            return nullptr;
        }
        std::shared_ptr<const Model> m = loader(name, error);
        if (m)
            models[name] = m;
        else
            failures[name] = *error;
        return m;
    };
    for (std::size_t i = 0; i < parse.lesson.steps.size(); ++i) {
        const LessonStep &step = parse.lesson.steps[i];
        const int n = static_cast<int>(i) + 1;
        const auto lineOf = [&step](const std::string &key) {
            for (std::size_t k = step.settings.size(); k-- > 0;)
                if (step.settings[k].first == key)
                    return step.settingLines[k];
            return step.line;
        };
        const auto report = [&](const std::string &field, const std::string &message, int line = 0) {
            problems.push_back({line ? line : lineOf(field), n, field, message});
        };
        const LessonState &s = step.state;
        if (s.sentence.empty())
            continue; // already reported by the parser
        std::string error;
        std::shared_ptr<const Model> model = cached(s.model, &error);
        if (!model) {
            report("model", error.empty() ? "cannot be loaded" : error);
            continue;
        }
        // A layer or head the model lacks: the tokens can still be checked, the claims cannot.
        bool valuesReadable = true;
        if (s.layer > static_cast<int>(model->layers.size())) {
            report("layer", "the " + model->name + " model has " + std::to_string(model->layers.size()) + " layer(s)");
            valuesReadable = false;
        }
        if (s.head > model->headCount()) {
            report("head", "the " + model->name + " model has " + std::to_string(model->headCount()) + " head(s)");
            valuesReadable = false;
        }
        TraceResult r = traceLessonState(s, cached);
        if (!r.ok()) {
            report("sentence", r.error);
            continue;
        }
        const AttentionTrace &trace = r.trace;
        if (!s.query.empty() && findToken(trace.tokens, s.query, &error) < 0)
            report("select", error);
        if (!s.key.empty() && findToken(trace.tokens, s.key, &error) < 0)
            report("key", error);
        if (!s.key.empty() && s.query.empty())
            report("key", "a key is selected without a query (select:)");
        if (!valuesReadable)
            continue;
        for (const LessonClaim &claim : step.claims)
            if (const std::string wrong = evaluateClaim(claim.text, trace, s); !wrong.empty())
                report("expect", wrong, claim.line);
        if (!s.compareWord.empty()) {
            for (const std::string &sentence : {s.compareA, s.compareB})
                if (findToken(tokenize(sentence), s.compareWord, &error) < 0)
                    report("compare", error);
        }
        const LessonQuestion &q = step.question;
        if (q.kind == QuestionKind::Click && clickAnswer(step, trace, &error) < 0)
            report("answer", error, q.line);
        if (q.kind == QuestionKind::Number && !numberAnswer(step, trace, &error))
            report("answer", error, q.line);
    }
    // In the order of the file, as an editor shows it.
    std::stable_sort(problems.begin(), problems.end(),
                     [](const LessonProblem &a, const LessonProblem &b) { return a.line < b.line; });
    return problems;
}

} // namespace attention
