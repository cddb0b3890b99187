// attention-lab: the GUI. With --screenshot it renders the window in a given state to a PNG and exits.
#include "mainwindow.h"
#include "modelio.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QPixmap>
#include <cstdio>

using namespace attention;

int main(int argc, char **argv)
{
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
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size."), QStringLiteral("WxH"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the window to this PNG file and exit."),
                                        QStringLiteral("FILE.png"));
    parser.addOptions({sentence, size, screenshot});
    parser.process(app);

    const ModelLoad loaded = loadModel(QStringLiteral("didactic"));
    if (!loaded.ok()) {
        std::fprintf(stderr, "attention-lab: %s\n", qPrintable(loaded.error));
        return 1;
    }
    MainWindow window(loaded.model);
    if (parser.isSet(sentence))
        window.setSentence(parser.value(sentence));
    QSize windowSize(1366, 768);
    if (parser.isSet(size)) {
        const QStringList parts = parser.value(size).split('x');
        bool okW = false, okH = false;
        if (parts.size() == 2)
            windowSize = QSize(parts[0].toInt(&okW), parts[1].toInt(&okH));
        if (!okW || !okH || windowSize.width() < 200 || windowSize.height() < 200) {
            std::fprintf(stderr, "attention-lab: --size must look like 1366x768 (each side at least 200)\n");
            return 2;
        }
    }
    window.resize(windowSize);
    if (parser.isSet(screenshot)) {
        window.show();
        QApplication::processEvents();
        const QPixmap pixmap = window.grab();
        if (!pixmap.save(parser.value(screenshot), "PNG")) {
            std::fprintf(stderr, "attention-lab: cannot write %s\n", qPrintable(parser.value(screenshot)));
            return 1;
        }
        return 0;
    }
    window.show();
    return app.exec();
}
