// attention-lab: the GUI. With --screenshot it builds the window in the given state, renders it to a PNG
// and exits, which works without a display (QT_QPA_PLATFORM=offscreen).
#include "allocator.h"
#include "lessonplayer.h"
#include "lessons.h"
#include "mainwindow.h"
#include "modelio.h"
#include "safewrite.h"
#include "steps.h"

#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QTimer>
#include <cstdio>

using namespace attention;

namespace {

int fail(const QString &message, int code)
{
    std::fprintf(stderr, "attention-lab: %s\n", qPrintable(message));
    return code;
}

bool parseSize(const QString &text, QSize *size)
{
    const QStringList parts = text.split(QLatin1Char('x'));
    bool okW = false, okH = false;
    if (parts.size() == 2)
        *size = QSize(parts[0].toInt(&okW), parts[1].toInt(&okH));
    return okW && okH && size->width() >= 400 && size->height() >= 300 && size->width() <= 8192 &&
           size->height() <= 8192;
}

} // namespace

int main(int argc, char **argv)
{
    attention::keepFreedMemoryForReuse();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttentionLab"));
    QApplication::setOrganizationName(QStringLiteral("AttentionLab"));
    QApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Watch self-attention compute, step by step."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption sentence(QStringLiteral("sentence"), QStringLiteral("Start with this text."),
                                      QStringLiteral("TEXT"));
    const QCommandLineOption step(
        QStringLiteral("step"),
        QStringLiteral("Start at this step: embeddings, qkv, scores, scale, mask, softmax, "
                       "weighted-sum or output."),
        QStringLiteral("STEP"));
    const QCommandLineOption mask(QStringLiteral("mask"), QStringLiteral("none or causal."),
                                  QStringLiteral("MASK"));
    const QCommandLineOption select(QStringLiteral("select"),
                                    QStringLiteral("Select the first token with this spelling as the query."),
                                    QStringLiteral("TOKEN"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1366x768."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption zoom(QStringLiteral("zoom"), QStringLiteral("Text size factor (0.6 to 3)."),
                                  QStringLiteral("FACTOR"));
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("didactic, trained, or a model file."),
                                   QStringLiteral("MODEL"));
    const QCommandLineOption layer(QStringLiteral("layer"), QStringLiteral("Show this layer (1, 2, …)."),
                                   QStringLiteral("N"));
    const QCommandLineOption head(QStringLiteral("head"), QStringLiteral("Show this head (1, 2, …) or avg."),
                                  QStringLiteral("N|avg"));
    const QCommandLineOption panel(
        QStringLiteral("panel"),
        QStringLiteral("Bring a side panel forward: explain, grid, flow, compare, code, pipeline, or a deep dive: scaling, masking, complexity, multihead, rnn."),
        QStringLiteral("NAME"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the window to this PNG file and exit."),
                                        QStringLiteral("FILE.png"));
    const QCommandLineOption lesson(QStringLiteral("lesson"),
                                    QStringLiteral("Open a lesson: a shipped one by name or number (01-context, 1) "
                                                   "or a lesson file."),
                                    QStringLiteral("NAME|FILE"));
    const QCommandLineOption lessonStep(QStringLiteral("lesson-step"),
                                        QStringLiteral("Open the lesson at this step (1, 2, …)."), QStringLiteral("N"));
    parser.addOptions({sentence, step, mask, select, size, zoom, model, layer, head, panel, lesson, lessonStep,
                       screenshot});
    parser.process(app);

    const ModelLoad loaded = loadModel(QStringLiteral("didactic"));
    if (!loaded.ok())
        return fail(loaded.error, 1);

    // A screenshot must not depend on (or change) the user's saved session.
    const bool headless = parser.isSet(screenshot);
    QSettings settings;
    MainWindow window(loaded.model, headless ? nullptr : &settings);

    if (parser.isSet(model)) {
        const QString error = window.useModel(parser.value(model));
        if (!error.isEmpty())
            return fail(error, 1);
    }
    if (parser.isSet(lesson)) {
        // The lesson's step sets the state; the options below may change it further.
        bool ok = true;
        const int n = parser.isSet(lessonStep) ? parser.value(lessonStep).toInt(&ok) : 1;
        if (!ok || n < 1)
            return fail(QStringLiteral("--lesson-step must be a step number: 1, 2, …"), 2);
        const QString error = window.lessons()->open(parser.value(lesson), n - 1);
        if (!error.isEmpty())
            return fail(error, 1);
        if (n > window.lessons()->player()->stepCount())
            return fail(QStringLiteral("--lesson-step: the lesson has %1 steps").arg(window.lessons()->player()->stepCount()), 2);
    }
    if (parser.isSet(sentence))
        window.setSentence(parser.value(sentence));
    AppState state = window.controller()->state();
    const Model &current = window.controller()->model();
    if (parser.isSet(layer)) {
        bool ok = false;
        const int n = parser.value(layer).toInt(&ok);
        if (!ok || n < 1 || n > static_cast<int>(current.layers.size()))
            return fail(QStringLiteral("--layer must be from 1 to %1").arg(current.layers.size()), 2);
        state.layer = n - 1;
    }
    if (parser.isSet(head)) {
        bool ok = false;
        const int n = parser.value(head).toInt(&ok);
        if (parser.value(head) == QLatin1String("avg"))
            state.head = -1;
        else if (ok && n >= 1 && n <= current.headCount())
            state.head = n - 1;
        else
            return fail(QStringLiteral("--head must be from 1 to %1, or avg").arg(current.headCount()), 2);
    }
    const std::optional<Step> chosenStep = stepFromKey(parser.value(step).toStdString());
    if (chosenStep)
        state.step = *chosenStep;
    if (parser.isSet(step) && !chosenStep)
        return fail(QStringLiteral("--step must be one of embeddings, qkv, scores, scale, mask, softmax, "
                                   "weighted-sum, output; found \"%1\"")
                        .arg(parser.value(step)),
                    2);
    if (parser.isSet(mask)) {
        if (parser.value(mask) == QLatin1String("causal"))
            state.mask = MaskMode::Causal;
        else if (parser.value(mask) == QLatin1String("none"))
            state.mask = MaskMode::None;
        else
            return fail(QStringLiteral("--mask must be none or causal, found \"%1\"").arg(parser.value(mask)),
                        2);
    }
    window.controller()->applyState(state);
    if (parser.isSet(select) && !window.selectToken(parser.value(select)))
        return fail(QStringLiteral("--select: no token is spelled \"%1\"").arg(parser.value(select)), 2);
    if (parser.isSet(panel) && !window.showPanel(parser.value(panel)))
        return fail(QStringLiteral("--panel must be explain, grid, flow, compare, code, pipeline, scaling, masking, complexity, multihead or rnn"), 2);
    if (parser.isSet(zoom)) {
        bool ok = false;
        const double factor = parser.value(zoom).toDouble(&ok);
        if (!ok || factor < 0.6 || factor > 3.0)
            return fail(QStringLiteral("--zoom must be a number from 0.6 to 3"), 2);
        window.setZoom(factor);
    }
    QSize windowSize(1366, 768);
    if (parser.isSet(size) && !parseSize(parser.value(size), &windowSize))
        return fail(QStringLiteral("--size must look like 1366x768 (from 400x300 to 8192x8192)"), 2);
    if (parser.isSet(size) || headless)
        window.resize(windowSize);

    if (headless) {
        window.show();
        // Let layouts settle (docks, splitters, text wrapping) before grabbing; a narrow window rearranges
        // its panels once shown, and only then can it take the asked size.
        for (int i = 0; i < 3; ++i)
            QApplication::processEvents();
        window.resize(windowSize);
        for (int i = 0; i < 3; ++i)
            QApplication::processEvents();
        // Encoded in memory, then written through a checked temporary file: a full disk leaves an older
        // screenshot of the same name as it was, and the message gives the system's reason.
        QBuffer png;
        png.open(QIODevice::WriteOnly);
        if (!window.grab().save(&png, "PNG"))
            return fail(QStringLiteral("%1: the PNG image could not be made").arg(parser.value(screenshot)),
                        1);
        const QString written = writeFileSafely(parser.value(screenshot), png.data());
        if (!written.isEmpty())
            return fail(written, 1);
        return 0;
    }
    // A first start (or a damaged saved size) fills the screen: the stage is made for a maximized window.
    if (!parser.isSet(size) && !window.geometryRestored())
        window.showMaximized();
    else
        window.show();
    return app.exec();
}
