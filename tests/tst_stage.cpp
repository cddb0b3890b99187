// The whole window as a class meets it: undo from the keyboard, a 16-token matrix readable with its
// numbers on a laptop screen, no text cut at the classroom's sizes and zooms, every step settling at each
// of them, and applyState showing exactly the state through the real widgets.
#include "clipping.h"
#include "equationview.h"
#include "examples.h"
#include "explainpanel.h"
#include "heatmapview.h"
#include "mainwindow.h"
#include "matrixmodel.h"
#include "modelio.h"
#include "stage.h"
#include "stepnavigator.h"
#include "sidepanels.h"
#include "theme.h"
#include "tokenstrip.h"

#include <QLabel>

#include <QAbstractScrollArea>
#include <QCheckBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QMenuBar>
#include <QStatusBar>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTest>
#include <QTextBrowser>
#include <cmath>
#include <QUndoStack>

using namespace attention;

namespace {

std::shared_ptr<const Model> builtin(const QString &name)
{
    const ModelLoad load = loadModel(name);
    return load.ok() ? load.model : nullptr;
}

// Counts the layout work the window still does: scroll bars shown or hidden, layouts asked for.
class LayoutSpy : public QObject
{
public:
    LayoutSpy() { qApp->installEventFilter(this); }
    ~LayoutSpy() override { qApp->removeEventFilter(this); }
    int events = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        const QEvent::Type t = event->type();
        if (watched->isWidgetType() && (t == QEvent::LayoutRequest || t == QEvent::Show || t == QEvent::Hide))
            ++events;
        return false;
    }
};

// Lets the window finish what a change started, in a bounded number of passes of the event loop; false
// when it is still laying itself out after them (a loop).
bool settles(int maxPasses = 20)
{
    for (int pass = 0; pass < maxPasses; ++pass) {
        LayoutSpy spy;
        QCoreApplication::processEvents();
        if (spy.events == 0)
            return true;
    }
    return false;
}

QString sixteenTokens()
{
    return QStringLiteral("The tired old animal did not cross the wide busy street because it was too slow");
}

} // namespace

class tst_Stage : public QObject
{
    Q_OBJECT
private slots:
    void undoAndRedoFromTheKeyboard();
    void applyStateShowsTheStateInEveryWidget();
    void sixteenTokensShowEveryNumberAt1366x768();
    void everyStepSettlesAtEverySizeAndZoom_data();
    void everyStepSettlesAtEverySizeAndZoom();
    void explanationFollowsTheStep();
    void laterLayersSayWhatTheyRead();
    void escapeEndsMaskEditing();
    void bannerIsAsLargeAsTheText();
};

void tst_Stage::undoAndRedoFromTheKeyboard()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QString first = w.controller()->state().sentence;
    QLineEdit *field = w.sentenceField();
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, QStringLiteral("Java programming is fun."));
    QCOMPARE(w.controller()->state().sentence, QStringLiteral("Java programming is fun."));
    QCOMPARE(w.controller()->undoStack()->count(), 1); // a burst of keys is one undo step
    QTest::qWait(StageController::kMergePauseMs + 100);
    w.causalMaskBox()->click();
    QCOMPARE(w.controller()->state().mask, MaskMode::Causal);
    // Ctrl+Z in the sentence field undoes the state, not the field's own typing.
    QTest::keyClick(field, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(w.controller()->state().mask, MaskMode::None);
    QVERIFY(!w.causalMaskBox()->isChecked());
    QTest::keyClick(field, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(w.controller()->state().sentence, first);
    QCOMPARE(field->text(), first);
    QCOMPARE(w.tokenStrip()->count(), 12);
    QTest::keyClick(field, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(field->text(), QStringLiteral("Java programming is fun."));
    QCOMPARE(w.tokenStrip()->count(), 5);
    QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(w.causalMaskBox()->isChecked());
    // A step change is undone too.
    QTest::keyClick(&w, Qt::Key_PageDown);
    const Step after = w.controller()->state().step;
    QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(w.controller()->state().step != after);
    QCOMPARE(w.stepNavigator()->step(), w.controller()->state().step);
}

void tst_Stage::applyStateShowsTheStateInEveryWidget()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    for (const SampleSentence &e : builtinExamples()) {
        AppState s = exampleState(e, w.controller()->state());
        s.step = kAllSteps[std::size_t(qHash(e.title) % kAllSteps.size())];
        s.view = qHash(e.sentence) % 2 ? StageView::Lines : StageView::Heatmap;
        s.panel = static_cast<SidePanel>(qHash(e.focus) % 4);
        s.decimals = int(qHash(e.hint) % 5);
        s.zoom = 1.0 + 0.25 * (qHash(e.title) % 3);
        QVERIFY(w.controller()->applyState(s).isEmpty());
        QVERIFY(settles());
        const AppState &shown = w.controller()->state();
        QVERIFY2(shown == w.controller()->normalized(s), qPrintable(e.title));
        QCOMPARE(w.sentenceField()->text(), s.sentence);
        QCOMPARE(w.tokenStrip()->selected(), shown.query);
        QCOMPARE(w.stepNavigator()->step(), shown.step);
        QCOMPARE(w.stage()->findChild<QTabWidget *>(QStringLiteral("viewTabs"))->currentIndex(),
                 shown.view == StageView::Heatmap ? 0 : 1);
        QCOMPARE(w.heatmapModel()->precision(), shown.decimals);
        QCOMPARE(w.zoom(), shown.zoom);
        // The zoom reaches the explanation's text too (it sets its own font, derived from the panel's).
        QVERIFY(std::abs(w.explainPanel()->browser()->font().pointSizeF() - w.contentFont().pointSizeF()) < 0.01);
        QCOMPARE(w.causalMaskBox()->isChecked(), shown.mask == MaskMode::Causal);
        QCOMPARE(QString::fromStdString(w.controller()->model().name), e.model);
        QDockWidget *front = w.findChild<QDockWidget *>(
            QStringList{"explainDock", "gridDock", "layerFlowDock", "compareDock"}.at(int(shown.panel)));
        // A new zoom may move the panels to one side (or back); the tabs settle a moment later.
        QTRY_VERIFY2_WITH_TIMEOUT(!front->visibleRegion().isEmpty(), qPrintable(e.title), 2000);
    }
}

void tst_Stage::sixteenTokensShowEveryNumberAt1366x768()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(sixteenTokens());
    QCOMPARE(w.controller()->trace()->tokenCount(), 16);
    for (Step step : {Step::Scores, Step::Softmax, Step::WeightedSum}) {
        w.controller()->setStep(step);
        QVERIFY(settles());
        HeatmapView *h = w.heatmap();
        const int columns = int(h->matrix().cols());
        QVERIFY2(h->numbersVisible(), qPrintable(QString::fromStdString(stepKey(step))));
        QVERIFY(!h->labelsElided());
        QCOMPARE(h->rowLabelStride(), 1);
        // The whole matrix is in sight: no scrolling, the last cell inside the viewport.
        QCOMPARE(h->verticalScrollBar()->maximum(), 0);
        QCOMPARE(h->horizontalScrollBar()->maximum(), 0);
        QVERIFY(h->viewport()->rect().contains(h->cellRect(15, columns - 1)));
    }
}

void tst_Stage::everyStepSettlesAtEverySizeAndZoom_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QString>("model");
    for (const QSize size : {QSize(1366, 768), QSize(1920, 1080)})
        for (double zoom : {1.0, 1.5, 2.0})
            for (const char *model : {"didactic", "trained"})
                QTest::addRow("%dx%d, %d%%, %s", size.width(), size.height(), int(zoom * 100), model)
                    << size << zoom << QString::fromLatin1(model);
}

void tst_Stage::everyStepSettlesAtEverySizeAndZoom()
{
    QFETCH(QSize, size);
    QFETCH(double, zoom);
    QFETCH(QString, model);
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(size);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    AppState s = exampleState(builtinExamples().constFirst(), w.controller()->state());
    s.model = model;
    s.zoom = zoom;
    s.step = Step::Embeddings;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QVERIFY(settles());
    // Forward through the steps and back, as a clicker does.
    QList<Step> walk(kAllSteps.begin(), kAllSteps.end());
    for (auto it = kAllSteps.rbegin() + 1; it != kAllSteps.rend(); ++it)
        walk << *it;
    for (Step step : walk) {
        w.controller()->setStep(step);
        const QString where = QString::fromStdString(stepKey(step));
        QVERIFY2(settles(), qPrintable(where + QStringLiteral(": still laying out after 20 passes")));
        // No text of the stage, the top bar or the step bar is cut.
        QStringList clipped = testing::clippedTexts(w.centralWidget()) + testing::clippedTabsAndStatus(&w);
        // Nor any of the panel in front.
        for (QDockWidget *d : w.sidePanels()->docks())
            if (d->isVisible() && !d->visibleRegion().isEmpty())
                clipped += testing::clippedTexts(d);
        QVERIFY2(clipped.isEmpty(), qPrintable(where + QStringLiteral(": ") + clipped.join(QStringLiteral("; "))));
        // The twelve tokens' result keeps every row's label and every number, at every zoom: the n × n
        // steps, and the vectors of the didactic model's 8 dimensions (the trained model's 32 are too many
        // to print in a cell; its operands above show them).
        HeatmapView *h = w.heatmap();
        QVERIFY(h->rowLabelStride() == 1 && !h->labelsElided());
        if (h->matrix().cols() <= 12)
            QVERIFY2(h->numbersVisible(),
                 qPrintable(where + QStringLiteral(": %1 × %2 cells of %3 × %4 px, numbers %5, every %6th label")
                                        .arg(h->matrix().rows())
                                        .arg(h->matrix().cols())
                                        .arg(h->cellRect(0, 0).width())
                                        .arg(h->cellRect(0, 0).height())
                                        .arg(h->numbersVisible())
                                        .arg(h->rowLabelStride())));
    }
    // The zoom is the content's: the menus, the docks' tabs and the status line keep the desktop's size.
    QCOMPARE(w.menuBar()->font().pointSizeF(), QApplication::font().pointSizeF());
    QCOMPARE(w.statusBar()->font().pointSizeF(), QApplication::font().pointSizeF());
    QVERIFY(std::abs(w.contentFont().pointSizeF() - std::max(theme::kMinimumPointSize, QApplication::font().pointSizeF()) * zoom) < 0.01);
}

void tst_Stage::explanationFollowsTheStep()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(QStringLiteral("The animal didn't cross the street because it was too tired."));
    w.controller()->setStep(Step::Softmax);
    w.controller()->select(7, 3); // it → cross
    QVERIFY(w.explainPanel()->plainText().contains(QStringLiteral("cross")));
    w.controller()->setStep(Step::Scores);
    // The scores' own arithmetic for the same cell, not the softmax of the step before.
    const QString text = w.explainPanel()->plainText();
    QVERIFY2(text.contains(QStringLiteral("cross")) && !text.contains(QStringLiteral("softmax")), qPrintable(text));
    // All weights equal (one token): the attention is named as even, not as a winner.
    w.setSentence(QStringLiteral("cat cat cat"));
    w.controller()->setStep(Step::Softmax);
    w.controller()->select(0, -1);
    QVERIFY2(w.explainPanel()->plainText().contains(QStringLiteral("spread evenly")),
             qPrintable(w.explainPanel()->plainText()));
}

void tst_Stage::laterLayersSayWhatTheyRead()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.show();
    AppState s = exampleState(builtinExamples().constFirst(), w.controller()->state());
    s.model = QStringLiteral("trained");
    s.step = Step::Embeddings;
    s.layer = 0;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QVERIFY(w.stage()->formula()->text().contains(QStringLiteral("embeddings")));
    w.controller()->setLayer(1);
    QCOMPARE(w.stage()->formula()->text(), QStringLiteral("X = the output of layer 1"));
    w.controller()->setStep(Step::Scores);
    QVERIFY(w.stage()->formula()->text().contains(QStringLiteral("Q")));
}

void tst_Stage::escapeEndsMaskEditing()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.controller()->setStep(Step::Embeddings);
    QTest::keyClick(&w, Qt::Key_E, Qt::ControlModifier);
    QVERIFY(w.controller()->state().maskEdit);
    QCOMPARE(w.controller()->state().step, Step::Mask);
    QVERIFY(w.heatmap()->maskEditMode());
    QTest::keyClick(w.heatmap(), Qt::Key_Escape);
    QVERIFY(!w.controller()->state().maskEdit);
    QVERIFY(!w.heatmap()->maskEditMode());
    // A step where clicks mean something else ends it too.
    QTest::keyClick(&w, Qt::Key_E, Qt::ControlModifier);
    QVERIFY(w.controller()->state().maskEdit);
    w.controller()->setStep(Step::WeightedSum);
    QVERIFY(!w.controller()->state().maskEdit);
    QVERIFY(!w.heatmap()->maskEditMode());
}

void tst_Stage::bannerIsAsLargeAsTheText()
{
    MainWindow w(builtin(QStringLiteral("didactic")));
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    AppState s = w.controller()->state();
    s.model = QStringLiteral("trained");
    s.sentence = QStringList(2100, QStringLiteral("cat")).join(QLatin1Char(' ')); // past the 2,048 tokens a trace takes (the trained model's positions reach that far)
    for (double zoom : {1.0, 1.5}) {
        s.zoom = zoom;
        QVERIFY(w.controller()->applyState(s).isEmpty());
        QVERIFY(settles());
        QVERIFY(w.problemBanner()->isVisible());
        QVERIFY2(w.problemBanner()->text().contains(QStringLiteral("the limit is 2048 tokens")),
                 qPrintable(w.problemBanner()->text()));
        // Its style sheet must not bring back the desktop's size under a zoomed stage.
        QCOMPARE(QFontInfo(w.problemBanner()->font()).pointSizeF(), QFontInfo(w.contentFont()).pointSizeF());
    }
}

QTEST_MAIN(tst_Stage)
#include "tst_stage.moc"
