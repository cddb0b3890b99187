// attention-lab-cli: the headless entry point. `trace` prints every intermediate of self-attention.
#include "attention.h"
#include "modelio.h"
#include "report.h"
#include "tracejson.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>
#include <cstdio>

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
    if (!parser.parse(arguments))
        return complain(parser.errorText(), Usage);
    if (parser.isSet(QStringLiteral("help"))) {
        print(parser.helpText().toUtf8());
        return Success;
    }
    if (!parser.positionalArguments().isEmpty())
        return complain(QStringLiteral("trace takes no positional arguments, found \"%1\"")
                            .arg(parser.positionalArguments().join(' ')),
                        Usage);

    QByteArray text;
    if (parser.isSet(sentence) == parser.isSet(sentenceFile))
        return complain(QStringLiteral("trace needs exactly one of --sentence TEXT or --sentence-file PATH"),
                        Usage);
    if (parser.isSet(sentence)) {
        text = parser.value(sentence).toUtf8();
    } else {
        QFile file(parser.value(sentenceFile));
        if (!file.open(QIODevice::ReadOnly))
            return complain(
                QStringLiteral("%1: cannot be read (%2)").arg(file.fileName(), file.errorString()), Failure);
        text = file.readAll();
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
    const TraceResult result = traceText(loaded.model, text.toStdString(), options);
    if (!result.ok())
        return complain(QString::fromStdString(result.error), Failure);

    if (parser.isSet(json))
        print(QJsonDocument(traceToJson(result.trace)).toJson(QJsonDocument::Compact) + '\n');
    else
        print(QByteArray::fromStdString(formatTrace(result.trace, digits)));
    return Success;
}

const char *kUsage = "Usage: attention-lab-cli COMMAND [options]\n"
                     "\n"
                     "Commands:\n"
                     "  trace   print every intermediate of self-attention for a sentence\n"
                     "\n"
                     "Run 'attention-lab-cli COMMAND --help' for a command's options.\n";

} // namespace

int main(int argc, char **argv)
{
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
    return complain(QStringLiteral("unknown command \"%1\"\n%2").arg(command, QLatin1String(kUsage)), Usage);
}
