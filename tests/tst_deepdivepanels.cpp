// The deep-dive panels: they receive data, follow their controls, and open from the state (lessons).
#include "appstate.h"
#include "mainwindow.h"
#include "modelio.h"
#include "scalingpanel.h"
#include "sidepanels.h"
#include "stagecontroller.h"

#include <QBarSet>
#include <QDockWidget>
#include <QLabel>
#include <QLineSeries>
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

QTEST_MAIN(tst_DeepDivePanels)
#include "tst_deepdivepanels.moc"
