// Held-out evaluation: reads attention weights from the same traces the app shows.
#include "evaluate.h"

#include "compare.h"
#include "meaning.h"

#include <cassert>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace attention {

namespace {

// Enough failed sentences of each kind to see a pattern in the report, not a wall of text.
constexpr std::size_t kFailuresPerKind = 5;

std::string sentence(const std::vector<std::string> &words)
{
    std::string out;
    for (const std::string &w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

bool inRange(int i, const Example &e)
{
    return i >= 0 && i < static_cast<int>(e.words.size());
}

// The column with the largest weight in `row`, leaving out `self`; ties go to the first. -1 if none.
int strongestOther(const Eigen::RowVectorXd &row, int self)
{
    int best = -1;
    for (int j = 0; j < static_cast<int>(row.size()); ++j)
        if (j != self && (best < 0 || row(j) > row(best)))
            best = j;
    return best;
}

// True when `target` alone holds the row's largest weight (a tie is not a choice).
bool strictlyLargest(const Eigen::RowVectorXd &row, int self, int target)
{
    for (int j = 0; j < static_cast<int>(row.size()); ++j)
        if (j != self && j != target && row(j) >= row(target))
            return false;
    return true;
}

std::string quote(const Example &e, int i)
{
    return "\"" + e.words[static_cast<std::size_t>(i)] + "\"";
}

} // namespace

EvalReport evaluate(std::shared_ptr<const Model> model, const std::vector<Example> &heldOut)
{
    EvalReport report;
    std::map<int, bool> pairRight;        // pairId → both sentences so far right
    std::map<int, std::string> pairFrame; // pairId → its template
    std::set<int> personPair;             // pairIds whose pronoun is he or she
    std::size_t referentFailures = 0, senseFailures = 0;
    for (std::size_t index = 0; index < heldOut.size(); ++index) {
        const Example &e = heldOut[index];
        if (e.kind == ExampleKind::Plain)
            continue;
        const bool referent = e.kind == ExampleKind::Referent;
        bool right = false;
        std::ostringstream why;
        why << std::fixed << std::setprecision(2);

        // 1. The same trace the app would show for this sentence.
        const TraceResult traced = traceTokens(model, tokensFromWords(e.words));
        const bool positionsOk =
            inRange(e.position, e) && (referent ? inRange(e.antecedent, e) && inRange(e.distractor, e)
                                                : inRange(e.cue, e) && e.cue != e.position);
        if (!traced.ok()) {
            why << traced.error;
        } else if (traced.trace.layers.empty()) {
            why << "the model has no layers";
        } else if (!positionsOk) {
            why << "the example's positions are outside the sentence";
        } else if (referent) {
            // 2a. The pronoun's row in the last layer: which noun does "it" read from?
            const Eigen::MatrixXd w = averageHeadWeights(traced.trace.layers.back());
            const double toAntecedent = w(e.position, e.antecedent),
                         toDistractor = w(e.position, e.distractor);
            right = toAntecedent > toDistractor;
            why << quote(e, e.position) << " gives " << toAntecedent << " to " << quote(e, e.antecedent)
                << " and " << toDistractor << " to " << quote(e, e.distractor) << " in the last layer";
        } else {
            // 2b. Any layer may be where the word reads its cue; remember the closest miss for the report.
            double bestCue = -1.0;
            int bestLayer = 0;
            for (std::size_t l = 0; l < traced.trace.layers.size() && !right; ++l) {
                const Eigen::MatrixXd w = averageHeadWeights(traced.trace.layers[l]);
                const Eigen::RowVectorXd row = w.row(e.position);
                right = strictlyLargest(row, e.position, e.cue);
                if (row(e.cue) > bestCue) {
                    bestCue = row(e.cue);
                    bestLayer = static_cast<int>(l);
                }
            }
            const Eigen::RowVectorXd row =
                averageHeadWeights(traced.trace.layers[static_cast<std::size_t>(bestLayer)]).row(e.position);
            const int strongest = strongestOther(row, e.position);
            why << "in layer " << bestLayer + 1 << " " << quote(e, e.position) << " gives " << row(e.cue)
                << " to the cue " << quote(e, e.cue) << " and " << row(strongest) << " to "
                << quote(e, strongest);
        }

        // 3. Count; keep the first few failures of each kind with the numbers that failed them.
        if (referent) {
            const int key = e.pairId >= 0 ? e.pairId : -1 - static_cast<int>(index); // unpaired: its own pair
            const auto [it, inserted] = pairRight.emplace(key, right);
            if (!inserted)
                it->second = it->second && right;
            pairFrame[key] = e.frame;
            if (e.words[static_cast<std::size_t>(e.position)] != "it")
                personPair.insert(key);
        } else {
            ++report.senseTotal;
            report.senseCorrect += right ? 1 : 0;
            auto &[correct, total] = report.byFrame[e.frame];
            correct += right ? 1 : 0;
            ++total;
        }
        std::size_t &failures = referent ? referentFailures : senseFailures;
        if (!right && failures < kFailuresPerKind) {
            ++failures;
            report.failures.push_back(sentence(e.words) + " (" + e.label + "): " + why.str());
        }
    }
    for (const auto &[id, right] : pairRight) {
        const bool person = personPair.count(id) > 0;
        (person ? report.personPairs : report.pairs) += 1;
        (person ? report.personPairsCorrect : report.pairsCorrect) += right ? 1 : 0;
        auto &[correct, total] = report.byFrame[pairFrame[id]];
        correct += right ? 1 : 0;
        ++total;
    }
    return report;
}

CoverageReport coverage(const Model &model, const std::string &text)
{
    CoverageReport report;
    std::istringstream lines(text);
    std::string line;
    std::set<std::string> listed;
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#')
            continue;
        ++report.sentences;
        std::map<std::string, WordSource> seen;
        for (const Token &t : tokenize(line)) {
            ++report.tokens;
            auto it = seen.find(t.text);
            if (it == seen.end())
                it = seen.emplace(t.text, meaningOf(model, t.text, false).origin.source).first;
            switch (it->second) {
            case WordSource::Vocabulary: ++report.trained; break;
            case WordSource::WordNet: ++report.fromWordNet; break;
            case WordSource::SpelledOut:
            case WordSource::UnknownToken:
                ++report.spelledOut;
                if (listed.insert(t.text).second)
                    report.spelledOutWords.push_back(t.text);
                break;
            }
        }
    }
    return report;
}

} // namespace attention
