// The main window's layout must settle after each user action: no scroll bar shown and hidden forever.
// The test drives a reproduction that once kept the event loop busy at 100% CPU, counts the scroll-bar
// containers shown and hidden while it settles, and checks that the loop then goes idle.
#include "heatmapview.h"
#include "mainwindow.h"
#include "modelio.h"
#include "stagecontroller.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QTest>

using namespace attention;

namespace {

// Counts the shows and hides of every scroll area's bar containers in the window. A layout loop never
// returns from processEvents(), so past kRunaway the spy hides the window (hidden widgets lay out no
// more) and the count it leaves behind fails the test.
class BarSpy : public QObject
{
public:
    static constexpr int kRunaway = 5000;
    explicit BarSpy(QWidget *window) : m_window(window) { qApp->installEventFilter(this); }
    ~BarSpy() override { qApp->removeEventFilter(this); }
    int toggles = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if ((event->type() == QEvent::Show || event->type() == QEvent::Hide) && watched->isWidgetType() &&
            qobject_cast<QAbstractScrollArea *>(watched->parent()) &&
            watched->objectName().startsWith(QLatin1String("qt_scrollarea_")) && ++toggles == kRunaway)
            m_window->hide();
        return false;
    }

private:
    QWidget *m_window;
};

// Settles one action: a bounded number of bar shows and hides (a few per scroll area), then none at all.
void settle(MainWindow &w, const QString &what)
{
    BarSpy spy(&w);
    QCoreApplication::processEvents();
    QVERIFY2(w.isVisible() && spy.toggles < 40,
             qPrintable(QStringLiteral("%1: %2 scroll-bar shows and hides").arg(what).arg(spy.toggles)));
    const int settled = spy.toggles;
    QCoreApplication::processEvents();
    QVERIFY2(spy.toggles == settled,
             qPrintable(QStringLiteral("%1: still toggling after processEvents(), %2 then %3")
                            .arg(what)
                            .arg(settled)
                            .arg(spy.toggles)));
}

std::shared_ptr<const Model> builtin(const QString &name)
{
    const ModelLoad load = loadModel(name);
    return load.ok() ? load.model : nullptr;
}

} // namespace

class tst_LayoutLoops : public QObject
{
    Q_OBJECT
private slots:
    void longSentencesAt1920x1080_data();
    void longSentencesAt1920x1080();
};

void tst_LayoutLoops::longSentencesAt1920x1080_data()
{
    QTest::addColumn<int>("tokens");
    for (int n : {65, 80, 120, 200, 300})
        QTest::addRow("%d tokens", n) << n;
}

// Sentences of 65 to 300 tokens at a full-HD window, then Page Down: the heatmap fits such matrices to its
// size, and the fit used to refit to the viewport its own bars had resized.
void tst_LayoutLoops::longSentencesAt1920x1080()
{
    QFETCH(int, tokens);
    const auto didactic = builtin(QStringLiteral("didactic"));
    QVERIFY(didactic);
    MainWindow w(didactic);
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QStringList words;
    for (int i = 0; i < tokens; ++i)
        words << (i % 3 == 0   ? QStringLiteral("cat")
                  : i % 3 == 1 ? QStringLiteral("sat")
                               : QStringLiteral("the"));
    w.setSentence(words.join(QLatin1Char(' ')));
    w.controller()->waitForTrace(); // long texts are traced off the GUI thread
    settle(w, QStringLiteral("%1 tokens").arg(tokens));
    QCOMPARE(w.heatmap()->matrix().rows(), Eigen::Index(tokens));
    for (int i = 0; i < 3; ++i) {
        QTest::keyClick(&w, Qt::Key_PageDown);
        settle(w, QStringLiteral("Page Down %1").arg(i + 1));
    }
}

QTEST_MAIN(tst_LayoutLoops)
#include "tst_layoutloops.moc"
