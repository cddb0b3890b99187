// The deep-dive panels: they receive data, follow their controls, and open from the state (lessons).
#include "appstate.h"
#include "mainwindow.h"
#include "modelio.h"
#include "complexitypanel.h"
#include "headspanel.h"
#include "heatmapview.h"
#include "lessonplayer.h"
#include "lessons.h"
#include "maskingpanel.h"
#include "rnnpanel.h"
#include "scalingpanel.h"
#include "sidepanels.h"
#include "stagecontroller.h"

#include <QBarSet>
#include <QDockWidget>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSlider>
#include <QTest>
#include <cmath>

using namespace attention;

class tst_DeepDivePanels : public QObject
{
    Q_OBJECT
private slots:
    void scalingFollowsTheSlider();
    void scalingOpensFromTheState();
    void everyDiveOpensFromTheMenuAndTheState();
    void divesFollowTheStage();
    void aLessonStaysInViewBesideItsDive();
};

void tst_DeepDivePanels::scalingFollowsTheSlider()
{
    ScalingPanel panel;
    // Nothing is computed until the panel is shown: opening the window does not pay for the experiment.
    QCOMPARE(panel.rawGradientSeries()->count(), 0);
    panel.resize(480, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.dk(), 64);
    // One point per d_k from 2 to 1,024 on both curves, the unscaled one falling below the scaled one.
    QCOMPARE(panel.rawGradientSeries()->count(), 10);
    QCOMPARE(panel.scaledGradientSeries()->count(), 10);
    QVERIFY(panel.rawGradientSeries()->at(9).y() < 0.5 * panel.scaledGradientSeries()->at(9).y());
    QVERIFY(std::abs(panel.rawGradientSeries()->at(9).x() - 1024) < 1e-9);
    // The slider moves d_k: the bars are the new softmax, the summary the new spread.
    QTest::keyClick(panel.slider(), Qt::Key_End);
    QCOMPARE(panel.dk(), 1024);
    QVERIFY2(std::abs(panel.point().rawSpread - 32.0) < 3.0, qPrintable(QString::number(panel.point().rawSpread)));
    QVERIFY(panel.summary()->text().contains(QStringLiteral("(√1024 = 32.0)")));
    double rawMax = 0, rawSum = 0, scaledSum = 0;
    QCOMPARE(panel.rawWeights()->count(), 12);
    for (int i = 0; i < panel.rawWeights()->count(); ++i) {
        rawMax = std::max(rawMax, panel.rawWeights()->at(i));
        rawSum += panel.rawWeights()->at(i);
        scaledSum += panel.scaledWeights()->at(i);
    }
    QVERIFY(std::abs(rawSum - 1) < 1e-9 && std::abs(scaledSum - 1) < 1e-9);
    QVERIFY2(rawMax > 0.95, qPrintable(QString::number(rawMax))); // unscaled at 1,024: one key takes it all
    QTest::keyClick(panel.slider(), Qt::Key_Home);
    QCOMPARE(panel.dk(), 2);
    panel.setDk(100);
    QCOMPARE(panel.dk(), 128);
}

void tst_DeepDivePanels::scalingOpensFromTheState()
{
    const ModelLoad load = loadModel(QStringLiteral("didactic"));
    QVERIFY(load.model);
    MainWindow w(load.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    AppState s = w.controller()->state();
    s.panel = SidePanel::Scaling;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(w.sidePanels()->dock(SidePanel::Scaling)->isVisible());
    QVERIFY(w.sidePanels()->scaling()->isVisible());
    SidePanel parsed;
    QVERIFY(panelFromKey(QStringLiteral("scaling"), &parsed) && parsed == SidePanel::Scaling);
}

// Each deep dive is an entry of the Deep dives menu and a `panel:` key; in front, it takes about half the
// window, and the stage gets its room back when another panel comes forward.
void tst_DeepDivePanels::everyDiveOpensFromTheMenuAndTheState()
{
    const ModelLoad load = loadModel(QStringLiteral("trained"));
    QVERIFY(load.model);
    MainWindow w(load.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMenu *dives = nullptr;
    for (QAction *a : w.menuBar()->actions())
        if (a->text() == QLatin1String("&Deep dives"))
            dives = a->menu();
    QVERIFY(dives);
    const QList<QAction *> entries = dives->actions();
    QCOMPARE(entries.size(), 5);
    const QList<QPair<SidePanel, QString>> panels = {{SidePanel::Scaling, QStringLiteral("scaling")},
                                                     {SidePanel::Masking, QStringLiteral("masking")},
                                                     {SidePanel::Complexity, QStringLiteral("complexity")},
                                                     {SidePanel::Heads, QStringLiteral("multihead")},
                                                     {SidePanel::Rnn, QStringLiteral("rnn")}};
    const int explainWidth = w.sidePanels()->dock(SidePanel::Explain)->width();
    for (int i = 0; i < panels.size(); ++i) {
        entries.at(i)->trigger();
        QCOMPARE(w.controller()->state().panel, panels.at(i).first);
        QDockWidget *d = w.sidePanels()->dock(panels.at(i).first);
        QTRY_VERIFY(d->isVisible());
        // As wide as the stage's own minimum lets it be (360 px or more of 1,366; 47 % of a wider window).
        QTRY_VERIFY2(d->width() > explainWidth + 40,
                     qPrintable(QStringLiteral("%1 px; pipeline %2, stage %3 (min %4)")
                                    .arg(d->width())
                                    .arg(w.sidePanels()->pipelineDock()->width())
                                    .arg(w.centralWidget()->width())
                                    .arg(w.centralWidget()->minimumSizeHint().width())));
        SidePanel parsed;
        QVERIFY(panelFromKey(panels.at(i).second, &parsed) && parsed == panels.at(i).first);
        QCOMPARE(panelKey(panels.at(i).first), panels.at(i).second);
    }
    // Back to Explain through the state, as a lesson would: the right side narrows again.
    AppState s = w.controller()->state();
    s.panel = SidePanel::Explain;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(w.sidePanels()->dock(SidePanel::Explain)->isVisible());
    QTRY_VERIFY2(w.sidePanels()->dock(SidePanel::Explain)->width() < w.width() / 3,
                 qPrintable(QString::number(w.sidePanels()->dock(SidePanel::Explain)->width())));
    QTRY_VERIFY2(std::abs(w.sidePanels()->dock(SidePanel::Explain)->width() - explainWidth) < 40,
                 qPrintable(QStringLiteral("%1 against %2")
                                .arg(w.sidePanels()->dock(SidePanel::Explain)->width())
                                .arg(explainWidth)));
}

// The dives that read the stage get its sentence, model, layer and selection, and compute when shown.
void tst_DeepDivePanels::divesFollowTheStage()
{
    const ModelLoad load = loadModel(QStringLiteral("trained"));
    QVERIFY(load.model);
    MainWindow w(load.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    AppState s = w.controller()->state();
    s.sentence = QStringLiteral("The animal didn't cross the street because it was too tired.");
    s.panel = SidePanel::Masking;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(w.sidePanels()->masking()->isVisible());
    QTRY_VERIFY(w.sidePanels()->masking()->isComputed());
    QCOMPARE(w.sidePanels()->masking()->tokenCount(), w.controller()->trace()->tokenCount());

    s.panel = SidePanel::Rnn;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(w.sidePanels()->rnn()->isComputed());
    QCOMPARE(w.sidePanels()->rnn()->rnnHops(), 6); // "animal" … "it"
    QCOMPARE(w.sidePanels()->rnn()->attentionHops(), 1);

    // Several heads: one heatmap per head of the state's layer; a click on a head puts it on the stage.
    s.panel = SidePanel::Heads;
    s.layer = 1;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    HeadsPanel *heads = w.sidePanels()->heads();
    QTRY_VERIFY(heads->isVisible() && !heads->isPending());
    const int headCount = int(w.controller()->trace()->layers[1].heads.size());
    QVERIFY(headCount >= 2);
    QVERIFY2(heads->headView(headCount - 1), qPrintable(QString::number(headCount)));
    QTRY_VERIFY(heads->headView(headCount - 1)->isVisible());
    QTest::mouseClick(heads->headButton(1), Qt::LeftButton);
    QCOMPARE(w.controller()->state().layer, 1);
    QCOMPARE(w.controller()->state().head, 1);
    // A new sentence reaches the open dive at once.
    s = w.controller()->state();
    s.sentence = QStringLiteral("The cat sat on the mat.");
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_COMPARE(int(heads->headView(0)->matrix().rows()), w.controller()->trace()->tokenCount());

    s.panel = SidePanel::Complexity;
    QVERIFY(w.controller()->applyState(s).isEmpty());
    QTRY_VERIFY(w.sidePanels()->complexity()->runButton()->isVisible());
}

// A lesson step that opens a deep dive keeps the lesson's narration in view under the dive; the next step,
// back on Explain, puts the lesson among the tabs again, in front.
void tst_DeepDivePanels::aLessonStaysInViewBesideItsDive()
{
    const ModelLoad load = loadModel(QStringLiteral("trained"));
    QVERIFY(load.model);
    MainWindow w(load.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.lessons()->open(QStringLiteral("09"), 0).isEmpty());
    LessonPlayer *player = w.lessons()->player();
    int dive = -1;
    for (int i = 0; i < int(player->lesson().steps.size()) && dive < 0; ++i)
        if (player->lesson().steps[std::size_t(i)].state.panel == "multihead")
            dive = i;
    QVERIFY(dive > 0);
    QVERIFY(player->goTo(dive));
    QDockWidget *diveDock = w.sidePanels()->dock(SidePanel::Heads);
    QDockWidget *lessonDock = w.lessons()->dock();
    QTRY_VERIFY(diveDock->isVisible() && lessonDock->isVisible());
    QTRY_VERIFY(!w.tabifiedDockWidgets(diveDock).contains(lessonDock));
    QVERIFY(lessonDock->geometry().top() >= diveDock->geometry().bottom()); // under it, both in view
    int back = dive + 1;
    while (back < int(player->lesson().steps.size()) && player->lesson().steps[std::size_t(back)].state.panel != "explain")
        ++back;
    QVERIFY(player->goTo(back));
    QCOMPARE(w.controller()->state().panel, SidePanel::Explain);
    QTRY_VERIFY(w.tabifiedDockWidgets(diveDock).contains(lessonDock));
    QTRY_VERIFY(lessonDock->isVisible());
}

QTEST_MAIN(tst_DeepDivePanels)
#include "tst_deepdivepanels.moc"
