// attention-lab-cli: the headless entry point. `trace` prints every intermediate of self-attention.
#include "allocator.h"
#include "attention.h"
#include "bench.h"
#include "complexity.h"
#include "evaluate.h"
#include "learning.h"
#include "lessonio.h"
#include "meaning.h"
#include "modelio.h"
#include "report.h"
#include "safewrite.h"
#include "tracejson.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <mutex>
#include <unistd.h>

using namespace attention;

namespace {

enum Exit { Success = 0, Failure = 1, Usage = 2 };

int complain(const QString &message, int code)
{
    std::fprintf(stderr, "attention-lab-cli: %s\n", qPrintable(message));
    return code;
}

void print(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

// Parses a command's options. Returns the exit code when the command is done already (--help printed, or a
// usage error said), else -1. A command named here takes no positional arguments.
int parseCommand(QCommandLineParser &parser, const QStringList &arguments, const char *noPositional = nullptr)
{
    if (!parser.parse(arguments))
        return complain(parser.errorText(), Usage);
    if (parser.isSet(QStringLiteral("help"))) {
        print(parser.helpText().toUtf8());
        return Success;
    }
    if (noPositional && !parser.positionalArguments().isEmpty())
        return complain(QStringLiteral("%1 takes no positional arguments, found \"%2\"")
                            .arg(QLatin1String(noPositional), parser.positionalArguments().join(QLatin1Char(' '))),
                        Usage);
    return -1;
}

int runTrace(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Print every intermediate of self-attention for one sentence."));
    parser.addHelpOption();
    const QCommandLineOption sentence(QStringLiteral("sentence"), QStringLiteral("The text to trace."),
                                      QStringLiteral("TEXT"));
    const QCommandLineOption sentenceFile(QStringLiteral("sentence-file"),
                                          QStringLiteral("Read the text from a UTF-8 file instead."),
                                          QStringLiteral("PATH"));
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("A built-in model (%1) or a model file.")
                                       .arg(builtinModelNames().join(QStringLiteral(", "))),
                                   QStringLiteral("didactic|PATH"), QStringLiteral("didactic"));
    const QCommandLineOption mask(QStringLiteral("mask"), QStringLiteral("Which keys each query may see."),
                                  QStringLiteral("none|causal"), QStringLiteral("none"));
    const QCommandLineOption noScale(QStringLiteral("no-scale"),
                                     QStringLiteral("Do not divide the scores by √d_k."));
    const QCommandLineOption swapQK(
        QStringLiteral("swap-qk"), QStringLiteral("Make the common mistake: scores = K·Qᵀ instead of Q·Kᵀ."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print one JSON object instead of tables."));
    const QCommandLineOption precision(QStringLiteral("precision"), QStringLiteral("Decimals in the tables."),
                                       QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({sentence, sentenceFile, model, mask, noScale, swapQK, json, precision});
    if (const int done = parseCommand(parser, arguments, "trace"); done >= 0)
        return done;

    QByteArray text;
    if (parser.isSet(sentence) == parser.isSet(sentenceFile))
        return complain(QStringLiteral("trace needs exactly one of --sentence TEXT or --sentence-file PATH"),
                        Usage);
    if (parser.isSet(sentence)) {
        text = parser.value(sentence).toUtf8();
    } else {
        // Any readable file, a pipe too (/dev/stdin), but never more than the longest text a trace takes.
        const QString path = parser.value(sentenceFile);
        const FileRead file = readFileWithLimit(path, static_cast<qint64>(kMaxTextBytes), path,
                                                QStringLiteral("a sentence file"), false);
        if (!file.ok())
            return complain(file.error, Failure);
        text = file.bytes;
    }

    TraceOptions options;
    const QString maskName = parser.value(mask);
    if (maskName == QLatin1String("none"))
        options.mask = MaskMode::None;
    else if (maskName == QLatin1String("causal"))
        options.mask = MaskMode::Causal;
    else
        return complain(QStringLiteral("--mask must be none or causal, found \"%1\"").arg(maskName), Usage);
    options.scale = !parser.isSet(noScale);
    options.swapQK = parser.isSet(swapQK);
    bool precisionOk = false;
    const int digits = parser.value(precision).toInt(&precisionOk);
    if (!precisionOk || digits < 0 || digits > 12)
        return complain(QStringLiteral("--precision must be a whole number from 0 to 12"), Usage);

    const ModelLoad loaded = loadModel(parser.value(model));
    if (!loaded.ok())
        return complain(loaded.error, Failure);
    const std::string utf8 = text.toStdString();
    if (parser.isSet(json) && utf8.size() <= kMaxTextBytes) {
        // The JSON document is built whole, at several times the trace's size: a tighter bound.
        const double bytes = estimateTraceBytes(*loaded.model, static_cast<int>(tokenize(utf8).size()));
        if (bytes > static_cast<double>(kMaxJsonTraceBytes) && bytes <= static_cast<double>(kMaxTraceBytes))
            return complain(QStringLiteral("--json: this trace would need about %1 MiB, and its JSON several "
                                           "times that; the limit for --json is a trace of %2 MiB: use a "
                                           "shorter text, or the tables (without --json)")
                                .arg(static_cast<qint64>(bytes / (1 << 20)))
                                .arg(kMaxJsonTraceBytes >> 20),
                            Failure);
    }
    const TraceResult result = traceText(loaded.model, utf8, options);
    if (!result.ok())
        return complain(QString::fromStdString(result.error), Failure);

    if (parser.isSet(json)) {
        print(QJsonDocument(traceToJson(result.trace)).toJson(QJsonDocument::Compact));
        print("\n");
    } else {
        writeTrace(std::cout, result.trace, digits); // one matrix at a time: the text is never held whole
        std::cout.flush();
    }
    return Success;
}

// A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise (logs, CI).
class ProgressBar
{
public:
    explicit ProgressBar(bool terminal) : m_terminal(terminal) { m_clock.start(); }

    void update(int step, int steps, double loss)
    {
        const int percent = steps > 0 ? step * 100 / steps : 100;
        const bool last = step == steps;
        if (m_terminal ? (!last && m_clock.elapsed() - m_lastDraw < 200)
                       : (percent / 10 == m_lastDecile && !last))
            return;
        m_lastDraw = m_clock.elapsed();
        m_lastDecile = percent / 10;
        const int filled = percent * 30 / 100;
        const double seconds = m_clock.elapsed() / 1000.0;
        const double eta = step > 0 ? seconds * (steps - step) / step : 0.0;
        std::fprintf(stderr, "%s[%s%s] %3d%%  step %d/%d  loss %.4f  %.0f s, about %.0f s left%s",
                     m_terminal ? "\r" : "", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(30 - filled), '.').c_str(), percent, step, steps,
                     loss, seconds, eta, m_terminal && !last ? "" : "\n");
        std::fflush(stderr);
    }

private:
    bool m_terminal;
    QElapsedTimer m_clock;
    qint64 m_lastDraw = -1000;
    int m_lastDecile = -1;
};

bool parseCount(const QString &text, qint64 low, qint64 high, qint64 *value)
{
    bool ok = false;
    *value = text.toLongLong(&ok);
    return ok && *value >= low && *value <= high;
}

int runTrain(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train the model from the built-in corpus."));
    parser.addHelpOption();
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Where to write the model (JSON)."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Random seed (initial weights, batches)."),
                                  QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("Optimizer steps."),
                                   QStringLiteral("N"), QString::number(TrainConfig().steps));
    // The architecture, for experiments; the defaults are what the shipped model uses.
    const TrainConfig defaults;
    const QCommandLineOption layers(QStringLiteral("layers"), QStringLiteral("Layers."), QStringLiteral("N"),
                                    QString::number(defaults.layers));
    const QCommandLineOption heads(QStringLiteral("heads"), QStringLiteral("Heads per layer."),
                                   QStringLiteral("N"), QString::number(defaults.heads));
    const QCommandLineOption dModel(QStringLiteral("d-model"), QStringLiteral("Width of the token vectors."),
                                    QStringLiteral("N"), QString::number(defaults.d_model));
    const QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("Sentences per step."),
                                   QStringLiteral("N"), QString::number(defaults.batch));
    const QCommandLineOption threads(
        QStringLiteral("threads"),
        QStringLiteral("Threads (each step's batch is cut in this many fixed slices; the same seed and "
                       "threads give the same bytes)."),
        QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption generalRate(
        QStringLiteral("general-rate"),
        QStringLiteral("Share of content words read without their own synsets, as unseen words are."),
        QStringLiteral("R"), QString::number(defaults.generalRate));
    const QCommandLineOption sentences(
        QStringLiteral("sentences"),
        QStringLiteral("Training sentences to generate (fewer for a quick experiment: the same lexicon and "
                       "corpus seed, a smaller corpus)."),
        QStringLiteral("N"), QString::number(kTrainSentences));
    parser.addOptions({out, seed, steps, layers, heads, dModel, batch, threads, generalRate, sentences});
    if (const int done = parseCommand(parser, arguments); done >= 0)
        return done;
    if (!parser.isSet(out))
        return complain(QStringLiteral("train needs --out FILE"), Usage);
    qint64 seedValue = 0, stepCount = 0, sentenceCount = 0;
    if (!parseCount(parser.value(seed), 0, std::numeric_limits<qint64>::max(), &seedValue))
        return complain(QStringLiteral("--seed must be a whole number of 0 or more"), Usage);
    if (!parseCount(parser.value(steps), 1, 10000000, &stepCount))
        return complain(QStringLiteral("--steps must be a whole number from 1 to 10000000"), Usage);
    if (!parseCount(parser.value(sentences), 100, kTrainSentences, &sentenceCount))
        return complain(QStringLiteral("--sentences must be a whole number from 100 to %1").arg(kTrainSentences),
                        Usage);

    const CorpusLoad corpus = standardCorpus(static_cast<int>(sentenceCount));
    if (!corpus.error.isEmpty())
        return complain(corpus.error, Failure);
    TrainConfig config =
        standardTrainConfig(static_cast<std::uint64_t>(seedValue), static_cast<int>(stepCount), corpus);
    qint64 layerCount = 0, headCount = 0, width = 0, batchSize = 0, threadCount = 0;
    if (!parseCount(parser.value(threads), 1, 64, &threadCount))
        return complain(QStringLiteral("--threads must be a whole number from 1 to 64"), Usage);
    config.threads = static_cast<int>(threadCount);
    bool rateOk = false;
    config.generalRate = parser.value(generalRate).toDouble(&rateOk);
    if (!rateOk || !(config.generalRate >= 0.0 && config.generalRate + config.unknownRate <= 1.0))
        return complain(QStringLiteral("--general-rate must be a number from 0 to 0.98"), Usage);
    if (!parseCount(parser.value(layers), 1, 12, &layerCount) ||
        !parseCount(parser.value(heads), 1, 16, &headCount) ||
        !parseCount(parser.value(dModel), 2, 512, &width) ||
        !parseCount(parser.value(batch), 1, 4096, &batchSize) || width % headCount != 0)
        return complain(
            QStringLiteral("--layers 1–12, --heads 1–16, --d-model 2–512 (a multiple of --heads) and "
                           "--batch 1–4096 are whole numbers"),
            Usage);
    config.layers = static_cast<int>(layerCount);
    config.heads = static_cast<int>(headCount);
    config.d_model = static_cast<int>(width);
    config.d_k = config.d_model / config.heads;
    config.d_ff = 2 * config.d_model;
    config.batch = static_cast<int>(batchSize);
    std::fprintf(stderr,
                 "Training on %zu sentences (%zu held out, %zu words), %d steps of %d on %d thread(s), seed %lld, "
                 "words from %s\n",
                 corpus.corpus.train.size(), corpus.corpus.heldOut.size(), corpus.corpus.trainingWords.size(),
                 config.steps, config.batch, config.threads, static_cast<long long>(seedValue),
                 corpus.wordnet->description().c_str());
    QElapsedTimer clock;
    clock.start();
    ProgressBar bar(isatty(fileno(stderr)) != 0);
    const TrainResult result = train(corpus.corpus.train, config, [&bar](int step, int total, double loss) {
        bar.update(step, total, loss);
    });
    if (!result.error.empty())
        return complain(QString::fromStdString(result.error), Failure);

    // Through a checked temporary file: a failed write (a full disk, say) never damages an older model.
    const QString written = writeFileSafely(parser.value(out), serializeModel(*result.model));
    if (!written.isEmpty())
        return complain(written, Failure);
    std::fprintf(stderr, "Wrote %s (trained in %.0f s)\n", qPrintable(parser.value(out)), clock.elapsed() / 1000.0);
    return Success;
}

int runEval(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measure a model on held-out sentences it never saw."));
    parser.addHelpOption();
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("A built-in model or a model file."),
                                   QStringLiteral("trained|PATH"), QStringLiteral("trained"));
    const QCommandLineOption failures(QStringLiteral("failures"),
                                      QStringLiteral("List the sentences that failed."));
    const QCommandLineOption byTemplate(QStringLiteral("by-template"),
                                        QStringLiteral("Break the counts down by template."));
    const QCommandLineOption students(
        QStringLiteral("students"),
        QStringLiteral("Sentences written as students write them, one a line, for the share of spelled-out "
                       "tokens."),
        QStringLiteral("FILE"), QStringLiteral("tests/data/student-sentences.txt"));
    parser.addOptions({model, failures, byTemplate, students});
    if (const int done = parseCommand(parser, arguments); done >= 0)
        return done;
    const ModelLoad loaded = loadModel(parser.value(model));
    if (!loaded.ok())
        return complain(loaded.error, Failure);
    const CorpusLoad corpus = standardCorpus();
    if (!corpus.error.isEmpty())
        return complain(corpus.error, Failure);
    const EvalReport report = evaluate(loaded.model, corpus.corpus.heldOut);
    const EvalReport newTemplates = evaluate(loaded.model, corpus.corpus.heldOutNewTemplates);
    QByteArray text;
    text += QStringLiteral("Model %1, on held-out sentences (nouns, adjectives and cue words no training "
                           "sentence contains, known only through WordNet; some templates left out too):\n")
                .arg(QString::fromStdString(loaded.model->name))
                .toUtf8();
    text += QStringLiteral("  Winograd pairs with \"it\", final layer's attention from the pronoun (mean of its "
                           "heads): %1 / %2 = %3%  (target 90%)\n")
                .arg(report.pairsCorrect)
                .arg(report.pairs)
                .arg(100.0 * report.pairAccuracy(), 0, 'f', 1)
                .toUtf8();
    text += QStringLiteral("  Winograd pairs with \"he\"/\"she\" and people, the same measure: %1 / %2 = %3%  "
                           "(target 90%)\n")
                .arg(report.personPairsCorrect)
                .arg(report.personPairs)
                .arg(100.0 * report.personPairAccuracy(), 0, 'f', 1)
                .toUtf8();
    text += QStringLiteral(
                "  Ambiguous words attending most to an unseen word that settles their sense: %1 / %2 = %3%  "
                "(target 80%)\n")
                .arg(report.senseCorrect)
                .arg(report.senseTotal)
                .arg(100.0 * report.senseAccuracy(), 0, 'f', 1)
                .toUtf8();
    text += QStringLiteral("  The same in templates training never saw: \"it\" %1 / %2 = %3%, \"he\"/\"she\" %4 / %5 "
                           "= %6%, ambiguous words %7 / %8 = %9%\n")
                .arg(newTemplates.pairsCorrect)
                .arg(newTemplates.pairs)
                .arg(100.0 * newTemplates.pairAccuracy(), 0, 'f', 1)
                .arg(newTemplates.personPairsCorrect)
                .arg(newTemplates.personPairs)
                .arg(100.0 * newTemplates.personPairAccuracy(), 0, 'f', 1)
                .arg(newTemplates.senseCorrect)
                .arg(newTemplates.senseTotal)
                .arg(100.0 * newTemplates.senseAccuracy(), 0, 'f', 1)
                .toUtf8();
    {
        const FileRead file = readFileWithLimit(parser.value(students), static_cast<qint64>(kMaxTextBytes),
                                                parser.value(students), QStringLiteral("a sentence file"), true);
        if (file.ok()) {
            const CoverageReport c = coverage(*loaded.model, file.bytes.toStdString());
            text += QStringLiteral("  Student-style sentences (%1, %2 tokens): %3 trained, %4 from WordNet, %5 "
                                   "spelled out = %6%  (target at most 2%)\n")
                        .arg(c.sentences)
                        .arg(c.tokens)
                        .arg(c.trained)
                        .arg(c.fromWordNet)
                        .arg(c.spelledOut)
                        .arg(100.0 * c.spelledOutShare(), 0, 'f', 2)
                        .toUtf8();
            if (parser.isSet(failures) && !c.spelledOutWords.empty()) {
                QStringList words;
                for (const std::string &w : c.spelledOutWords)
                    words << QString::fromStdString(w);
                text += QStringLiteral("  spelled out: %1\n").arg(words.join(QStringLiteral(", "))).toUtf8();
            }
        } else {
            text += QStringLiteral("  Student-style sentences: skipped (%1)\n").arg(file.error).toUtf8();
        }
        text += QStringLiteral("  WordNet: %1\n").arg(QString::fromStdString(wordNetStatus())).toUtf8();
    }
    if (parser.isSet(QStringLiteral("by-template"))) {
        text += "  By template (pairs for pronoun templates, sentences for ambiguous words):\n";
        for (const auto &[frame, counts] : report.byFrame)
            text += QStringLiteral("    %1  %2 / %3\n")
                        .arg(QString::fromStdString(frame), -32)
                        .arg(counts.first)
                        .arg(counts.second)
                        .toUtf8();
    }
    if (parser.isSet(failures))
        for (const std::string &f : report.failures)
            text += QByteArray("  failed: ") + QByteArray::fromStdString(f) + '\n';
    print(text);
    return Success;
}

int runLessons(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Check lessons: syntax, unknown keys, values out of range, tokens not in the sentence, and every\n"
        "claim against the real trace. With no FILE, every shipped lesson. One line per problem:\n"
        "file:line: step N: field: what is wrong. Exit code 1 when there is any."));
    parser.addHelpOption();
    const QCommandLineOption check(QStringLiteral("check"), QStringLiteral("Check the lessons (the default)."));
    const QCommandLineOption list(QStringLiteral("list"), QStringLiteral("List the shipped lessons."));
    parser.addOption(check);
    parser.addOption(list);
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Lesson files to check."), QStringLiteral("[FILE...]"));
    if (const int done = parseCommand(parser, arguments); done >= 0)
        return done;
    if (parser.isSet(list)) {
        QByteArray text;
        for (const QString &path : shippedLessons()) {
            const LessonFile file = readLesson(path);
            text += QStringLiteral("%1  %2 (%3 steps)\n")
                        .arg(QFileInfo(path).fileName().chopped(10), QString::fromStdString(file.parse.lesson.title))
                        .arg(file.parse.lesson.steps.size())
                        .toUtf8();
        }
        print(text);
        return Success;
    }
    QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        files = shippedLessons();
    if (files.isEmpty())
        return complain(QStringLiteral("no lessons to check"), Failure);
    int problems = 0;
    QByteArray text;
    for (const QString &f : files) {
        const QStringList lines = checkLessonFile(f);
        problems += int(lines.size());
        for (const QString &line : lines)
            text += line.toUtf8() + '\n';
    }
    print(text);
    std::fprintf(stderr, "%lld lesson(s) checked, %d problem(s)\n", static_cast<long long>(files.size()), problems);
    return problems == 0 ? Success : Failure;
}

// Reads a whole number in [lo, hi] from an option, or says what is wrong with it.
bool boundedInt(const QString &text, const QString &name, int lo, int hi, int *out, QString *error)
{
    bool ok = false;
    const long long v = text.trimmed().toLongLong(&ok);
    if (!ok || v < lo || v > hi) {
        *error = QStringLiteral("%1 must be a whole number from %2 to %3, not \"%4\"").arg(name).arg(lo).arg(hi).arg(text);
        return false;
    }
    *out = int(v);
    return true;
}

// bench --complexity: the complexity deep dive's measurements (core measureComplexity), one JSON object per
// line as soon as each n is measured, so that a program reading the lines (the app's panel, which runs this
// in its own process to keep its window idle) can draw each point as it comes:
//   {"n": 256, "d": 64, "threads": 2, "kernel": "avx2",
//    "plain": {"ms": 1.2, "bytes": 262144, "runs": 3} or {"skipped": true, "estimate_bytes": …},
//    "streaming": {"ms": 0.8, "bytes": 69632, "runs": 3}}
// in between, at most ten times a second, {"n": 32768, "progress": 0.42} (the fraction of that n done),
// and last {"done": true, "points": N}.
int runComplexityBench(const std::vector<int> &sizes, int d, int threads, bool causal, std::size_t plainLimit)
{
    std::mutex lock; // the progress comes from the measuring threads
    auto line = [&lock](const QJsonObject &o) {
        const std::lock_guard<std::mutex> guard(lock);
        print(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    };
    int measured = 0;
    for (int n : sizes) {
        ComplexityOptions o;
        o.causal = causal;
        o.plainLimitBytes = plainLimit;
        auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
        o.progress = [&, n](double fraction) {
            const auto now = std::chrono::steady_clock::now();
            {
                const std::lock_guard<std::mutex> guard(lock);
                if (now - last < std::chrono::milliseconds(100))
                    return;
                last = now;
            }
            line(QJsonObject{{QStringLiteral("n"), n}, {QStringLiteral("progress"), fraction}});
        };
        ComplexityPoint p;
        try {
            p = measureComplexity(n, d, threads, nullptr, o);
        } catch (const std::bad_alloc &) {
            return complain(QStringLiteral("not enough memory for n = %1: try smaller --n or --plain-limit-bytes")
                                .arg(n),
                            Failure);
        }
        QJsonObject plain;
        if (p.plainRan)
            plain = {{QStringLiteral("ms"), p.plainMs},
                     {QStringLiteral("bytes"), double(p.plainBytes)},
                     {QStringLiteral("runs"), p.plainRuns}};
        else
            plain = {{QStringLiteral("skipped"), true},
                     {QStringLiteral("estimate_bytes"), double(p.plainEstimateBytes)}};
        QJsonObject point{{QStringLiteral("n"), p.n},
                          {QStringLiteral("d"), p.d},
                          {QStringLiteral("threads"), p.threads},
                          {QStringLiteral("kernel"), QString::fromLatin1(p.kernel)},
                          {QStringLiteral("plain"), plain}};
        if (p.streamingRan)
            point.insert(QStringLiteral("streaming"), QJsonObject{{QStringLiteral("ms"), p.streamingMs},
                                                                  {QStringLiteral("bytes"), double(p.streamingBytes)},
                                                                  {QStringLiteral("runs"), p.streamingRuns}});
        line(point);
        ++measured;
    }
    line(QJsonObject{{QStringLiteral("done"), true}, {QStringLiteral("points"), measured}});
    return Success;
}

int runBench(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Time the attention forward pass for each n: the teaching trace (double, every intermediate kept),\n"
        "beside its own matrix products, the fast path and the streaming path (float, blocked), and the two\n"
        "matrix products of attention alone in float with the fast path's kernel and threads (the\n"
        "yardstick). Times are medians. The teaching trace is "
        "timed up to n = 8,192 (it keeps several n × n matrices) and the yardstick to 16,384 (its n × n\n"
        "floats); max_abs_diff compares both paths with the teaching trace."));
    parser.addHelpOption();
    const QCommandLineOption sizes(QStringLiteral("n"), QStringLiteral("Sequence lengths, comma-separated."),
                                   QStringLiteral("LIST"), QStringLiteral("1024,2048,4096"));
    const QCommandLineOption dim(QStringLiteral("d"), QStringLiteral("Width of each query, key and value."),
                                 QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption heads(QStringLiteral("heads"), QStringLiteral("Heads per timing, one after another."),
                                   QStringLiteral("H"), QStringLiteral("1"));
    const QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("Threads of the fast paths and the yardstick."),
                                     QStringLiteral("T"), QStringLiteral("2"));
    const QCommandLineOption repeats(QStringLiteral("repeats"), QStringLiteral("Runs per median."),
                                     QStringLiteral("R"), QStringLiteral("5"));
    const QCommandLineOption kernel(QStringLiteral("kernel"), QStringLiteral("auto, avx2 or generic."),
                                    QStringLiteral("K"), QStringLiteral("auto"));
    const QCommandLineOption causal(QStringLiteral("causal"), QStringLiteral("With the causal mask."));
    const QCommandLineOption noReference(QStringLiteral("no-reference"), QStringLiteral("Skip the teaching trace."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON instead of a table."));
    const QCommandLineOption complexity(
        QStringLiteral("complexity"),
        QStringLiteral("The complexity deep dive's measurements instead: the plain path (all n × n scores)\n"
                       "and the streaming path for each n in order, their times and working memory, one\n"
                       "JSON object per line as soon as each n is measured, then {\"done\": true, …}.\n"
                       "Takes --n, --d, --threads, --causal and --plain-limit-bytes."));
    const QCommandLineOption plainLimit(
        QStringLiteral("plain-limit-bytes"),
        QStringLiteral("With --complexity: skip the plain path where its n × n floats pass B bytes\n"
                       "(0: a quarter of the free memory, at most 2 GiB)."),
        QStringLiteral("B"), QStringLiteral("0"));
    parser.addOptions({sizes, dim, heads, threads, repeats, kernel, causal, noReference, json, complexity, plainLimit});
    if (const int done = parseCommand(parser, arguments, "bench"); done >= 0)
        return done;
    BenchOptions o;
    QString error;
    o.n.clear();
    for (const QString &item : parser.value(sizes).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        int n = 0;
        if (!boundedInt(item, QStringLiteral("each n"), 1, 131072, &n, &error))
            return complain(error, Usage);
        o.n.push_back(n);
    }
    if (o.n.empty())
        return complain(QStringLiteral("--n needs at least one length"), Usage);
    if (o.n.size() > 64)
        return complain(QStringLiteral("--n takes at most 64 lengths"), Usage);
    if (!boundedInt(parser.value(dim), QStringLiteral("--d"), 1, 1024, &o.d, &error) ||
        !boundedInt(parser.value(heads), QStringLiteral("--heads"), 1, 64, &o.heads, &error) ||
        !boundedInt(parser.value(threads), QStringLiteral("--threads"), 1, 256, &o.threads, &error) ||
        !boundedInt(parser.value(repeats), QStringLiteral("--repeats"), 1, 100, &o.repeats, &error))
        return complain(error, Usage);
    if (parser.isSet(complexity)) {
        for (const QCommandLineOption *other : {&heads, &repeats, &kernel, &noReference, &json})
            if (parser.isSet(*other))
                return complain(QStringLiteral("--%1 does not go with --complexity").arg(other->names().front()),
                                Usage);
        bool ok = false;
        const qlonglong limit = parser.value(plainLimit).trimmed().toLongLong(&ok);
        if (!ok || limit < 0)
            return complain(QStringLiteral("--plain-limit-bytes must be a whole number of bytes, 0 or more, not \"%1\"")
                                .arg(parser.value(plainLimit)),
                            Usage);
        return runComplexityBench(o.n, o.d, o.threads, parser.isSet(causal), std::size_t(limit));
    }
    if (parser.isSet(plainLimit))
        return complain(QStringLiteral("--plain-limit-bytes goes only with --complexity"), Usage);
    const QString k = parser.value(kernel);
    if (k == QLatin1String("auto"))
        o.kernel = AttentionKernel::Auto;
    else if (k == QLatin1String("avx2"))
        o.kernel = AttentionKernel::Avx2;
    else if (k == QLatin1String("generic"))
        o.kernel = AttentionKernel::Generic;
    else
        return complain(QStringLiteral("--kernel must be auto, avx2 or generic, not \"%1\"").arg(k), Usage);
    o.causal = parser.isSet(causal);
    o.reference = !parser.isSet(noReference);
    std::string out;
    try {
        out = runAttentionBench(o);
    } catch (const std::bad_alloc &) {
        return complain(QStringLiteral("not enough memory for these lengths: try smaller --n"), Failure);
    }
    if (parser.isSet(json)) {
        print(QByteArray::fromStdString(out) + '\n');
        return Success;
    }
    // The table is read back from the JSON, so both always say the same.
    const QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(out)).object();
    const QJsonObject machine = root.value(QStringLiteral("machine")).toObject();
    QByteArray text = QStringLiteral("kernel %1, %2 thread(s), d = %3, %4 head(s)%5; medians of %6 runs, in ms\n")
                          .arg(machine.value(QStringLiteral("kernel")).toString())
                          .arg(machine.value(QStringLiteral("threads")).toInt())
                          .arg(o.d)
                          .arg(o.heads)
                          .arg(o.causal ? QStringLiteral(", causal mask") : QString())
                          .arg(o.repeats)
                          .toUtf8();
    text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                .arg(QStringLiteral("n"), 7)
                .arg(QStringLiteral("teaching"), 10)
                .arg(QStringLiteral("its GEMMs"), 10)
                .arg(QStringLiteral("fast"), 9)
                .arg(QStringLiteral("streaming"), 10)
                .arg(QStringLiteral("GEMMs"), 9)
                .arg(QStringLiteral("fast/GEMMs"), 11)
                .arg(QStringLiteral("max diff"), 10)
                .toUtf8();
    auto ms = [](const QJsonValue &v) { return v.isNull() ? QStringLiteral("-") : QString::number(v.toDouble(), 'f', 1); };
    for (const QJsonValue &r : root.value(QStringLiteral("results")).toArray()) {
        const QJsonObject o2 = r.toObject();
        const QJsonObject t = o2.value(QStringLiteral("ms")).toObject();
        const QJsonValue yardstick = t.value(QStringLiteral("matmul_only"));
        const QString ratio = yardstick.isNull() ? QStringLiteral("-")
                                                 : QString::number(t.value(QStringLiteral("fast")).toDouble() /
                                                                       yardstick.toDouble(),
                                                                   'f', 2) +
                                                       QLatin1Char('x');
        text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                    .arg(o2.value(QStringLiteral("n")).toInt(), 7)
                    .arg(ms(t.value(QStringLiteral("reference"))), 10)
                    .arg(ms(t.value(QStringLiteral("reference_matmul_only"))), 10)
                    .arg(ms(t.value(QStringLiteral("fast"))), 9)
                    .arg(ms(t.value(QStringLiteral("streaming"))), 10)
                    .arg(ms(t.value(QStringLiteral("matmul_only"))), 9)
                    .arg(ratio, 11)
                    .arg(o2.value(QStringLiteral("max_abs_diff")).isNull()
                             ? QStringLiteral("-")
                             : QString::number(o2.value(QStringLiteral("max_abs_diff")).toDouble(), 'g', 2),
                         10)
                    .toUtf8();
    }
    print(text);
    return Success;
}

const char *kUsage = "Usage: attention-lab-cli COMMAND [options]\n"
                     "\n"
                     "Commands:\n"
                     "  trace   print every intermediate of self-attention for a sentence\n"
                     "  train   train the model from the built-in corpus\n"
                     "  eval    measure a model on held-out sentences\n"
                     "  lessons check lesson files (--check [FILE...]) or list the shipped ones (--list)\n"
                     "  bench   time the attention forward pass: teaching trace, fast and streaming paths\n"
                     "          (--complexity: the complexity deep dive's time and memory, a JSON line per n)\n"
                     "\n"
                     "Run 'attention-lab-cli COMMAND --help' for a command's options.\n";

} // namespace

int main(int argc, char **argv)
{
    keepFreedMemoryForReuse();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("attention-lab-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION));
    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2)
        return complain(QStringLiteral("a command is missing\n%1").arg(QLatin1String(kUsage)), Usage);
    const QString command = args.at(1);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        print(kUsage);
        return Success;
    }
    if (command == QLatin1String("--version")) {
        print(QByteArray("attention-lab-cli " PROJECT_VERSION "\n"));
        return Success;
    }
    args.removeAt(1); // the parser sees "attention-lab-cli --options…"
    if (command == QLatin1String("trace"))
        return runTrace(args);
    if (command == QLatin1String("train"))
        return runTrain(args);
    if (command == QLatin1String("eval"))
        return runEval(args);
    if (command == QLatin1String("lessons"))
        return runLessons(args);
    if (command == QLatin1String("bench"))
        return runBench(args);
    return complain(QStringLiteral("unknown command \"%1\"\n%2").arg(command, QLatin1String(kUsage)), Usage);
}
