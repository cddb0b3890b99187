// The "several heads" deep dive: one heatmap per head of the real trace, what each attends to, and
// concat · W_O + b_O = the layer's attention output, from the numbers the panel shows.
#include "headspanel.h"
#include "heatmapview.h"
#include "matrixmodel.h"
#include "matrixview.h"
#include "modelio.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

using namespace attention;

namespace {
const char *const kSentence = "The animal didn't cross the street because it was too tired.";

int tokenIndex(const AttentionTrace &t, const std::string &word)
{
    for (int i = 0; i < t.tokenCount(); ++i)
        if (t.tokens[std::size_t(i)].text == word)
            return i;
    return -1;
}

bool showPanel(QWidget &panel, int width = 640)
{
    panel.resize(width, 620);
    panel.show();
    return QTest::qWaitForWindowExposed(&panel);
}
} // namespace

class tst_HeadsPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void drawsWhenShown();
    void oneHeatmapPerHead();
    void concatIsTheHeadsSideBySide();
    void projectionGivesTheAttentionOutput();
    void clickingAHeadChoosesIt();
    void layerComboChangesTheLayer();
    void summaryReadsTheWeights();
    void oneHeadModel();
    void narrowPanelStacksTheHeads();
    void clears();

private:
    std::shared_ptr<const Model> m_model;
    AttentionTrace m_trace;
    int m_it = -1;
};

void tst_HeadsPanel::initTestCase()
{
    const ModelLoad load = loadModel(QStringLiteral("trained"));
    QVERIFY2(load.ok(), qPrintable(load.error));
    m_model = load.model;
    QVERIFY(m_model->layers.size() >= 2);
    QVERIFY(m_model->headCount() >= 2);
    TraceResult r = traceText(m_model, kSentence);
    QVERIFY2(r.ok(), r.error.c_str());
    m_trace = std::move(r.trace);
    m_it = tokenIndex(m_trace, "it");
    QVERIFY(m_it > 0);
}

void tst_HeadsPanel::drawsWhenShown()
{
    // A hidden panel draws nothing: the dock pays for the heatmaps only when it is opened.
    HeadsPanel panel;
    panel.setTrace(&m_trace, m_model.get(), 1, m_it);
    QVERIFY(panel.isPending());
    QCOMPARE(panel.headCount(), 0);
    QVERIFY(showPanel(panel));
    QVERIFY(!panel.isPending());
    QCOMPARE(panel.headCount(), int(m_trace.layers[1].heads.size()));
    QCOMPARE(panel.layer(), 1);
    // While visible, a new trace is drawn at once.
    panel.setTrace(&m_trace, m_model.get(), 0, 2);
    QVERIFY(!panel.isPending());
    QCOMPARE(panel.layer(), 0);
    QCOMPARE(panel.query(), 2);
    QCOMPARE(panel.layerCombo()->currentIndex(), 0);
}

void tst_HeadsPanel::oneHeatmapPerHead()
{
    HeadsPanel panel;
    QVERIFY(showPanel(panel));
    panel.setTrace(&m_trace, m_model.get(), 0, m_it);
    const LayerTrace &layer = m_trace.layers[0];
    QCOMPARE(panel.headCount(), int(layer.heads.size()));
    QCOMPARE(panel.layer(), 0);
    QCOMPARE(panel.query(), m_it);
    for (int h = 0; h < panel.headCount(); ++h) {
        const Eigen::MatrixXd &w = layer.heads[std::size_t(h)].weights;
        QVERIFY(panel.headView(h));
        QVERIFY(panel.headView(h)->matrix() == w); // the trace's numbers, as they are
        // The label names the key this head weights most for "it", read from the weights here.
        Eigen::Index top = 0;
        const double topWeight = w.row(m_it).maxCoeff(&top);
        const HeadSummary &s = panel.headSummary(h);
        QCOMPARE(s.queryTop, int(top));
        QCOMPARE(s.queryTopWeight, topWeight);
        const QString expected = QStringLiteral("“it” looks most at “%1” (%2)")
                                     .arg(QString::fromStdString(m_trace.tokens[std::size_t(top)].text))
                                     .arg(topWeight, 0, 'f', 2);
        QVERIFY2(panel.headLabel(h)->text().contains(expected),
                 qPrintable(panel.headLabel(h)->text() + QStringLiteral(" / ") + expected));
        QCOMPARE(panel.headView(h)->selectedRow(), m_it);
        QCOMPARE(panel.headView(h)->selectedColumn(), int(top));
        QVERIFY(!s.pattern.isEmpty());
        qInfo("layer 1 head %d: %s | self %.2f prev %.2f next %.2f most %.2f spread %.2f", h + 1,
              qPrintable(panel.headLabel(h)->text().replace(QLatin1Char('\n'), QStringLiteral(" / "))),
              s.self, s.previous, s.next, s.mostKeyShare, s.spread);
    }
}

void tst_HeadsPanel::concatIsTheHeadsSideBySide()
{
    HeadsPanel panel;
    QVERIFY(showPanel(panel));
    for (int l = 0; l < int(m_trace.layers.size()); ++l) {
        panel.setTrace(&m_trace, m_model.get(), l, m_it);
        const LayerTrace &layer = m_trace.layers[std::size_t(l)];
        const Eigen::MatrixXd &shown = panel.concatPanel()->model()->matrix();
        const int n = m_trace.tokenCount();
        const int dk = int(layer.heads[0].output.cols());
        QCOMPARE(int(shown.rows()), n);
        QCOMPARE(int(shown.cols()), int(layer.heads.size()) * dk);
        for (int h = 0; h < int(layer.heads.size()); ++h)
            QVERIFY(shown.block(0, h * dk, n, dk) == layer.heads[std::size_t(h)].output);
        QCOMPARE(panel.concatPanel()->model()->headerData(dk, Qt::Horizontal).toString(),
                 QStringLiteral("h2·0"));
    }
}

void tst_HeadsPanel::projectionGivesTheAttentionOutput()
{
    HeadsPanel panel;
    QVERIFY(showPanel(panel));
    for (int l = 0; l < int(m_trace.layers.size()); ++l) {
        panel.setTrace(&m_trace, m_model.get(), l, m_it);
        const Eigen::MatrixXd &concat = panel.concatPanel()->model()->matrix();
        const Eigen::MatrixXd &wo = panel.projectionPanel()->model()->matrix();
        const Eigen::MatrixXd &out = panel.outputPanel()->model()->matrix();
        QCOMPARE(wo.rows(), concat.cols());
        QCOMPARE(wo.cols(), Eigen::Index(m_model->d_model));
        Eigen::MatrixXd product = concat * wo;
        const bool bias = m_model->layers[std::size_t(l)].b_O.size() > 0;
        QCOMPARE(panel.biasPanel()->isVisibleTo(&panel), bias);
        if (bias) {
            const Eigen::MatrixXd &b = panel.biasPanel()->model()->matrix();
            QCOMPARE(b.rows(), Eigen::Index(1));
            product.rowwise() += b.row(0);
        }
        const double toShown = (product - out).cwiseAbs().maxCoeff();
        const double toTrace =
            (product - m_trace.layers[std::size_t(l)].attentionOutput).cwiseAbs().maxCoeff();
        QVERIFY2(toShown < 1e-9 && toTrace < 1e-9,
                 qPrintable(QStringLiteral("%1 %2").arg(toShown).arg(toTrace)));
        QVERIFY(out.cwiseAbs().maxCoeff() > 1e-3); // a real output, not zeros
    }
}

void tst_HeadsPanel::clickingAHeadChoosesIt()
{
    HeadsPanel panel;
    panel.resize(640, 620);
    panel.setTrace(&m_trace, m_model.get(), 1, m_it);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy chosen(&panel, &HeadsPanel::headChosen);
    for (int h = 0; h < panel.headCount(); ++h) {
        HeatmapView *view = panel.headView(h);
        const QRect cell = view->cellRect(2, 3);
        QVERIFY(view->viewport()->rect().contains(cell.center()));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.takeFirst(), (QList<QVariant>{1, h}));
        // The panel keeps showing its query, not the clicked cell.
        QCOMPARE(view->selectedRow(), m_it);
        QTest::mouseClick(panel.headButton(h), Qt::LeftButton);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.takeFirst(), (QList<QVariant>{1, h}));
    }
}

void tst_HeadsPanel::layerComboChangesTheLayer()
{
    HeadsPanel panel;
    panel.resize(640, 620);
    panel.setTrace(&m_trace, m_model.get(), 0, m_it);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QComboBox *combo = panel.layerCombo();
    QVERIFY(combo->isVisible());
    QCOMPARE(combo->count(), int(m_trace.layers.size()));
    QSignalSpy layerSpy(&panel, &HeadsPanel::layerChosen);
    QSignalSpy chosen(&panel, &HeadsPanel::headChosen);
    combo->setFocus();
    QTest::keyClick(combo, Qt::Key_Down);
    QCOMPARE(panel.layer(), 1);
    QCOMPARE(layerSpy.count(), 1);
    QCOMPARE(layerSpy.first().first().toInt(), 1);
    for (int h = 0; h < panel.headCount(); ++h)
        QVERIFY(panel.headView(h)->matrix() == m_trace.layers[1].heads[std::size_t(h)].weights);
    QVERIFY(panel.concatPanel()->model()->matrix() == m_trace.layers[1].concat);
    QVERIFY(panel.outputPanel()->model()->matrix() == m_trace.layers[1].attentionOutput);
    // A head clicked now belongs to layer 2.
    HeatmapView *view = panel.headView(0);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->cellRect(0, 0).center());
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.first(), (QList<QVariant>{1, 0}));
    QTest::keyClick(combo, Qt::Key_Up);
    QCOMPARE(panel.layer(), 0);
    QVERIFY(panel.headView(0)->matrix() == m_trace.layers[0].heads[0].weights);
}

void tst_HeadsPanel::summaryReadsTheWeights()
{
    const QStringList words{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                            QStringLiteral("d")};
    const HeadSummary self = HeadsPanel::summarize(Eigen::MatrixXd::Identity(4, 4), words, 2);
    QCOMPARE(self.pattern, QStringLiteral("mostly itself"));
    QCOMPARE(self.self, 1.0);
    QCOMPARE(self.queryTop, 2);
    Eigen::MatrixXd previous = Eigen::MatrixXd::Zero(4, 4);
    previous(0, 0) = 1;
    for (int i = 1; i < 4; ++i)
        previous(i, i - 1) = 1;
    const HeadSummary prev = HeadsPanel::summarize(previous, words, 3);
    QCOMPARE(prev.pattern, QStringLiteral("mostly the previous token"));
    QCOMPARE(prev.previous, 1.0);
    QCOMPARE(prev.queryTop, 2);
    QVERIFY(prev.text.contains(QStringLiteral("“d” looks most at “c” (1.00)")));
    const HeadSummary even = HeadsPanel::summarize(Eigen::MatrixXd::Constant(4, 4, 0.25), words, -1);
    QCOMPARE(even.pattern, QStringLiteral("spread out"));
    QVERIFY(std::abs(even.spread - 1.0) < 1e-12);
    QCOMPARE(even.queryTop, -1);
    Eigen::MatrixXd first = Eigen::MatrixXd::Zero(4, 4);
    first.col(1).setConstant(0.7);
    first.col(3).setConstant(0.3);
    const HeadSummary column = HeadsPanel::summarize(first, words, -1);
    QCOMPARE(column.mostKey, 1);
    QVERIFY(column.pattern.contains(QStringLiteral("“b”")));
    QCOMPARE(column.pairWeight, 0.7);
}

void tst_HeadsPanel::oneHeadModel()
{
    const ModelLoad load = loadModel(QStringLiteral("didactic"));
    QVERIFY(load.ok());
    const TraceResult r = traceText(load.model, kSentence);
    QVERIFY(r.ok());
    HeadsPanel panel;
    panel.resize(640, 620);
    panel.setTrace(&r.trace, load.model.get(), 0, 0);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.headCount(), int(r.trace.layers[0].heads.size()));
    QCOMPARE(panel.layerCombo()->isVisible(), r.trace.layers.size() > 1);
    // Concat, the projection (the identity when the model has none) and the output still add up.
    const Eigen::MatrixXd product =
        panel.concatPanel()->model()->matrix() * panel.projectionPanel()->model()->matrix();
    QVERIFY((product - r.trace.layers[0].attentionOutput).cwiseAbs().maxCoeff() < 1e-9);
}

void tst_HeadsPanel::narrowPanelStacksTheHeads()
{
    HeadsPanel panel;
    panel.setTrace(&m_trace, m_model.get(), 0, m_it);
    panel.resize(640, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTRY_COMPARE(panel.headView(1)->mapTo(&panel, QPoint()).y(),
                 panel.headView(0)->mapTo(&panel, QPoint()).y());
    panel.resize(420, 620);
    QTRY_VERIFY(panel.headView(1)->mapTo(&panel, QPoint()).y() >
                panel.headView(0)->mapTo(&panel, QPoint()).y());
    // Every head's view fits the panel's width: nothing to scroll sideways to reach a head.
    for (int h = 0; h < panel.headCount(); ++h)
        QVERIFY(panel.headView(h)->mapTo(&panel, QPoint(panel.headView(h)->width(), 0)).x() <= 420);
}

void tst_HeadsPanel::clears()
{
    HeadsPanel panel;
    QVERIFY(showPanel(panel));
    panel.setTrace(&m_trace, m_model.get(), 0, m_it);
    QVERIFY(panel.headCount() > 0);
    panel.setTrace(nullptr, nullptr, 0, -1);
    QCOMPARE(panel.headCount(), 0);
    QVERIFY(!panel.concatPanel()->isVisibleTo(&panel));
    // Out-of-range layer and query are clamped and dropped.
    panel.setTrace(&m_trace, m_model.get(), 99, 999);
    QCOMPARE(panel.layer(), int(m_trace.layers.size()) - 1);
    QCOMPARE(panel.query(), -1);
    QCOMPARE(panel.headSummary(0).queryTop, -1);
}

QTEST_MAIN(tst_HeadsPanel)
#include "tst_headspanel.moc"
