// The main window driven like a learner would: typing, stepping, toggling, clicking, exporting.
#include "attentionchart.h"
#include "comparepanel.h"
#include "compareview.h"
#include "equationview.h"
#include "examples.h"
#include "explainpanel.h"
#include "heatmapview.h"
#include "layerflowview.h"
#include "lineview.h"
#include "mainwindow.h"
#include "matrixmodel.h"
#include "modelgridview.h"
#include "modelio.h"
#include "stepnavigator.h"
#include "tokenstrip.h"

#include <QBarSet>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QStatusBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <cmath>

using namespace attention;

namespace {
const QString kClassic = QStringLiteral("The animal didn't cross the street because it was too tired.");

std::shared_ptr<const Model> didactic()
{
    static const ModelLoad loaded = loadModel(QStringLiteral("didactic"));
    return loaded.model;
}

int tokenIndex(const MainWindow &w, const char *text)
{
    const AttentionTrace *t = w.controller()->trace();
    for (int i = 0; t && i < t->tokenCount(); ++i)
        if (t->tokens[static_cast<std::size_t>(i)].text == text)
            return i;
    return -1;
}
} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void typingUpdatesTokensAndMatrices();
    void stepsThroughEveryStage();
    void keysMoveBetweenSteps();
    void togglesChangeWhatTheViewsShow();
    void maskEditBlocksAClickedCell();
    void clickingACellExplainsItWithTraceNumbers();
    void chartFollowsTheSelection();
    void exportsPngSvgAndCsv();
    void emptyAndOverlongText();
    void oddUnicodeNeverCrashes();
    void settingsRestoreSentenceAndLayout();
    void screenshotOptionWritesPngOfAskedSize();
    void trainedModelLayersHeadsAndAverage();
    void compareShowsContextualEmbeddings();
    void everyExampleShowsWhatItSays();
    void everyStepLayerAndHeadOfTheTrainedModel();

private:
    QTemporaryDir m_dir;
};

void tst_MainWindow::initTestCase()
{
    QVERIFY(didactic());
    QVERIFY(m_dir.isValid());
}

void tst_MainWindow::typingUpdatesTokensAndMatrices()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.sentenceField()->clear();
    QVERIFY(w.showsEmptyState());
    QTest::keyClicks(w.sentenceField(), QStringLiteral("Java programming is fun."));
    QCOMPARE(w.tokenStrip()->count(), 5);
    QCOMPARE(w.controller()->trace()->tokenCount(), 5);
    QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("5 × 5 = 25 scores")),
             qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(!w.showsEmptyState());
    // The weights the chart reads are the trace's, cell for cell.
    const Eigen::MatrixXd &weights = w.controller()->headTrace()->weights;
    QCOMPARE(w.weightsModel()->rowCount(), 5);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j)
            QCOMPARE(w.weightsModel()->data(w.weightsModel()->index(i, j), MatrixModel::ValueRole).toDouble(),
                     weights(i, j));
    // One more word: everything follows without pressing anything.
    QTest::keyClicks(w.sentenceField(), QStringLiteral(" Zorblat"));
    QCOMPARE(w.tokenStrip()->count(), 6);
    QCOMPARE(w.weightsModel()->rowCount(), 6);
    QVERIFY(!w.controller()->trace()->known[5]);
    QVERIFY(w.tokenStrip()->toolTipFor(5).contains(QStringLiteral("Zorblat")));
}

void tst_MainWindow::stepsThroughEveryStage()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    w.setSentence(kClassic);
    const QStringList expectedResult = {QStringLiteral("X"),      QStringLiteral("Q"),
                                        QStringLiteral("scores"), QStringLiteral("scaled"),
                                        QStringLiteral("masked"), QStringLiteral("weights"),
                                        QStringLiteral("output"), QStringLiteral("attention output")};
    for (int i = 0; i < 8; ++i) {
        const Step step = kAllSteps[static_cast<std::size_t>(i)];
        w.controller()->setStep(step);
        QCOMPARE(w.stepNavigator()->step(), step);
        MatrixPanel *result = w.equationView()->resultPanel();
        QVERIFY(result);
        QCOMPARE(result->name(), expectedResult.at(i));
        QCOMPARE(result->model()->rowCount(), 12);
        // The result is drawn large in the heatmap, with the very same numbers.
        QCOMPARE(w.heatmapModel()->matrix(), result->model()->matrix());
        QVERIFY(w.heatmap()->isVisible());
        QVERIFY(w.findChild<QLabel *>(QStringLiteral("formula"))->text() == stepFormula(step));
    }
    // Scores: Q · Kᵀ = scores, and the numbers are the trace's.
    w.controller()->setStep(Step::Scores);
    const QList<MatrixPanel *> panels = w.equationView()->visiblePanels();
    QCOMPARE(panels.size(), 2);
    QCOMPARE(panels[0]->name(), QStringLiteral("Q"));
    QCOMPARE(panels[1]->name(), QStringLiteral("Kᵀ"));
    const HeadTrace *h = w.controller()->headTrace();
    QCOMPARE(w.equationView()->resultPanel()->model()->matrix(), h->scores);
    QCOMPARE(w.heatmapModel()->matrix(), h->scores);
    QCOMPARE(panels[0]->model()->matrix(), h->Q);
    QCOMPARE(panels[1]->model()->matrix(), Eigen::MatrixXd(h->K.transpose()));
}

void tst_MainWindow::keysMoveBetweenSteps()
{
    MainWindow w(didactic());
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w) || true);
    w.controller()->setStep(Step::Embeddings);
    QSignalSpy spy(w.controller(), &TraceController::stepChanged);
    QTest::keyClick(&w, Qt::Key_PageDown);
    QTest::keyClick(&w, Qt::Key_PageDown);
    QCOMPARE(w.controller()->state().step, Step::Scores);
    QTest::keyClick(&w, Qt::Key_PageUp);
    QCOMPARE(w.controller()->state().step, Step::QKV);
    QCOMPARE(spy.count(), 3);
    // The navigator's own buttons work too.
    w.stepNavigator()->next();
    QCOMPARE(w.controller()->state().step, Step::Scores);
}

void tst_MainWindow::togglesChangeWhatTheViewsShow()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    w.setSentence(kClassic);
    w.controller()->setStep(Step::Mask);
    const int it = tokenIndex(w, "it");
    const int because = tokenIndex(w, "because");
    QVERIFY(it > because);

    // Causal mask: "because" may not see "it" (a later token): −∞ before softmax, 0 after.
    w.causalMaskBox()->click();
    QCOMPARE(w.controller()->state().mask, MaskMode::Causal);
    MatrixPanel *masked = w.equationView()->panel(QStringLiteral("masked"));
    QCOMPARE(masked->model()->data(masked->model()->index(because, it)).toString(), QStringLiteral("−∞"));
    QVERIFY(masked->model()->data(masked->model()->index(because, it), MatrixModel::BlockedRole).toBool());
    QCOMPARE(w.heatmapModel()->data(w.heatmapModel()->index(because, it)).toString(), QStringLiteral("−∞"));
    w.controller()->setStep(Step::Softmax);
    MatrixPanel *weights = w.equationView()->panel(QStringLiteral("weights"));
    QCOMPARE(weights->model()->matrix()(because, it), 0.0);
    QCOMPARE(weights->model()->data(weights->model()->index(because, it)).toString(), QStringLiteral("0.00"));
    w.causalMaskBox()->click();
    QVERIFY(w.controller()->headTrace()->weights(because, it) > 0.0);

    // Scaling off: the scaled scores equal the raw scores.
    w.controller()->setStep(Step::Scale);
    const double withScale = w.equationView()->panel(QStringLiteral("scaled"))->model()->matrix()(it, 1);
    w.scaleBox()->click();
    QVERIFY(!w.controller()->state().scale);
    const double withoutScale = w.equationView()->panel(QStringLiteral("scaled"))->model()->matrix()(it, 1);
    QCOMPARE(withoutScale, w.controller()->headTrace()->scores(it, 1));
    QVERIFY(std::abs(withoutScale - withScale * std::sqrt(8.0)) < 1e-12);
    w.scaleBox()->click();

    // Swap: the scores become the transpose, and the equation says K · Qᵀ.
    w.controller()->setStep(Step::Scores);
    const Eigen::MatrixXd before = w.controller()->headTrace()->scores;
    w.swapBox()->click();
    QVERIFY(w.controller()->state().swapQK);
    QCOMPARE(w.controller()->headTrace()->scores, Eigen::MatrixXd(before.transpose()));
    QCOMPARE(w.equationView()->visiblePanels().at(0)->name(), QStringLiteral("K"));
    QCOMPARE(w.equationView()->visiblePanels().at(1)->name(), QStringLiteral("Qᵀ"));
    QVERIFY(w.findChild<QLabel *>(QStringLiteral("formula"))->text().contains(QStringLiteral("K·Qᵀ")));
}

void tst_MainWindow::maskEditBlocksAClickedCell()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    w.setSentence(kClassic);
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.editMaskButton()->click();
    QVERIFY(w.heatmap()->maskEditMode());
    QCOMPARE(w.controller()->state().step, Step::Mask);
    const int it = tokenIndex(w, "it");
    const int animal = tokenIndex(w, "animal");
    w.heatmap()->setCellSize(30);
    const QRect cell = w.heatmap()->cellRect(it, animal);
    QVERIFY(w.heatmap()->viewport()->rect().contains(cell.center()));
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(w.controller()->state().mask, MaskMode::Custom);
    QVERIFY(w.controller()->trace()->blocked(it, animal));
    QCOMPARE(w.controller()->headTrace()->weights(it, animal), 0.0);
    QCOMPARE(w.heatmapModel()->data(w.heatmapModel()->index(it, animal)).toString(), QStringLiteral("−∞"));
    // With "animal" blocked, "it" turns to the next-best creature word of the sentence, "tired" or "street".
    const int best = strongestKey(*w.controller()->trace(), 0, 0, it);
    QVERIFY(best != animal);
    // Clicking again unblocks.
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {}, cell.center());
    QVERIFY(!w.controller()->trace()->blocked(it, animal));
    QVERIFY(w.controller()->headTrace()->weights(it, animal) > 0.3);
}

void tst_MainWindow::clickingACellExplainsItWithTraceNumbers()
{
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    w.setSentence(kClassic);
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const int it = tokenIndex(w, "it");
    const int animal = tokenIndex(w, "animal");
    w.controller()->setStep(Step::Scores);
    w.heatmap()->setCellSize(30);
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {},
                      w.heatmap()->cellRect(it, animal).center());
    QCOMPARE(w.controller()->state().query, it);
    QCOMPARE(w.controller()->state().key, animal);
    // q(it) = [2, 4, 0, …] and k(animal) = [1, 1, 0, 0, 0, 0, 0, 0.2]: 2×1 + 4×1 = 6.
    QString text = w.explainPanel()->plainText();
    QVERIFY2(text.contains(QStringLiteral("6.00")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("it")) && text.contains(QStringLiteral("animal")),
             qPrintable(text));

    w.controller()->setStep(Step::Scale);
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {},
                      w.heatmap()->cellRect(it, animal).center());
    text = w.explainPanel()->plainText();
    // 6 ÷ √8 = 6 ÷ 2.83 = 2.12
    QVERIFY2(text.contains(QStringLiteral("2.83")) && text.contains(QStringLiteral("2.12")),
             qPrintable(text));

    w.controller()->setStep(Step::Softmax);
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {},
                      w.heatmap()->cellRect(it, animal).center());
    text = w.explainPanel()->plainText();
    const double weight = w.controller()->headTrace()->weights(it, animal);
    QVERIFY2(text.contains(QString::number(weight, 'f', 2)), qPrintable(text));

    // Resting the mouse on a cell explains it too, after a short pause.
    w.controller()->setStep(Step::Scores);
    const int street = tokenIndex(w, "street");
    QCoreApplication::processEvents(); // let the new step's layout settle before aiming at a cell
    QTest::mouseMove(w.heatmap()->viewport(), w.heatmap()->cellRect(it, street).center());
    // q(it) · k(street) = 2 × 1 (noun) = 2.
    QTRY_VERIFY(w.explainPanel()->plainText().contains(QStringLiteral("street")));
    QVERIFY2(w.explainPanel()->plainText().contains(QStringLiteral("2.00")),
             qPrintable(w.explainPanel()->plainText()));

    // An output cell: the weighted sum down V's column.
    w.controller()->setStep(Step::WeightedSum);
    MatrixPanel *output = w.equationView()->panel(QStringLiteral("output"));
    const QRect r = output->view()->visualRect(output->model()->index(it, 1));
    QTest::mouseClick(output->view()->viewport(), Qt::LeftButton, {}, r.center());
    text = w.explainPanel()->plainText();
    QVERIFY2(text.contains(MatrixModel::formatValue(w.controller()->headTrace()->output(it, 1), 2)),
             qPrintable(text));
}

void tst_MainWindow::chartFollowsTheSelection()
{
    MainWindow w(didactic());
    w.show();
    w.setSentence(kClassic);
    const int it = tokenIndex(w, "it");
    QTest::mouseClick(w.tokenStrip(), Qt::LeftButton, {}, w.tokenStrip()->chipRect(it).center());
    QCOMPARE(w.controller()->state().query, it);
    QBarSet *bars = w.chart()->barSet();
    QVERIFY(bars);
    QCOMPARE(bars->count(), 12);
    for (int j = 0; j < 12; ++j)
        QVERIFY(std::abs(bars->at(j) - w.controller()->headTrace()->weights(it, j)) < 1e-12);
    QCOMPARE(w.chart()->queryRow(), it);
}

void tst_MainWindow::exportsPngSvgAndCsv()
{
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    w.setSentence(kClassic);
    w.controller()->setStep(Step::Softmax);
    const QString png = m_dir.filePath(QStringLiteral("heatmap.png"));
    const QString svg = m_dir.filePath(QStringLiteral("heatmap.svg"));
    const QString csv = m_dir.filePath(QStringLiteral("weights.csv"));
    const QString eq = m_dir.filePath(QStringLiteral("equation.svg"));
    QCOMPARE(w.exportCurrentView(png), QString());
    QCOMPARE(w.exportCurrentView(svg), QString());
    QCOMPARE(w.exportMatrixCsv(csv), QString());
    QCOMPARE(w.exportEquation(eq), QString());
    QVERIFY(!w.exportCurrentView(m_dir.filePath(QStringLiteral("x.txt"))).isEmpty());

    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 200 && image.height() > 200);
    QFile s(svg);
    QVERIFY(s.open(QIODevice::ReadOnly));
    const QByteArray svgText = s.readAll();
    QVERIFY(svgText.contains("<svg"));
    QVERIFY(svgText.contains("animal")); // labels are text in the drawing

    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 13); // header + 12 rows
    QVERIFY(lines[0].contains(QStringLiteral("\"animal\"")));
    const int it = tokenIndex(w, "it");
    const QStringList cells = lines[it + 1].split(',');
    QCOMPARE(cells.at(0), QStringLiteral("\"it\""));
    QCOMPARE(cells.size(), 13);
    for (int j = 0; j < 12; ++j)
        QCOMPARE(cells.at(j + 1).toDouble(), w.controller()->headTrace()->weights(it, j)); // exact, 17 digits
    QFile e(eq);
    QVERIFY(e.open(QIODevice::ReadOnly));
    QVERIFY(e.readAll().contains("<svg"));
}

void tst_MainWindow::emptyAndOverlongText()
{
    MainWindow w(didactic());
    w.show();
    w.setSentence(kClassic);
    w.setSentence(QStringLiteral("   "));
    QVERIFY(w.showsEmptyState());
    QVERIFY(w.problemBanner()->isHidden());
    w.setSentence(kClassic);
    QVERIFY(!w.showsEmptyState());
    QString huge;
    for (int i = 0; i < 3000; ++i)
        huge += QStringLiteral("word ");
    w.setSentence(huge);
    QVERIFY(!w.problemBanner()->isHidden());
    QVERIFY(w.problemBanner()->text().contains(QStringLiteral("2048")));
    // The last good trace stays on screen.
    QCOMPARE(w.controller()->trace()->tokenCount(), 12);
    QCOMPARE(w.tokenStrip()->count(), 12);
    w.setSentence(QStringLiteral("Java programming is fun."));
    QVERIFY(w.problemBanner()->isHidden());
}

void tst_MainWindow::oddUnicodeNeverCrashes()
{
    MainWindow w(didactic());
    w.resize(1024, 700);
    w.show();
    const QStringList odd = {QStringLiteral("👨‍👩‍👧 loves 🐈‍⬛ and 🇫🇷"),
                             QStringLiteral("שלום it עולם"),
                             QStringLiteral("我爱你 it"),
                             QStringLiteral("a\u0000b\u0007c\u202Ed"),
                             QStringLiteral("Ｚａｌｇｏ t̸̢̛e̷x̶t̵"),
                             QString(QChar(0xD800)) + QStringLiteral("x")};
    for (const QString &s : odd) {
        w.setSentence(s);
        for (Step step : kAllSteps)
            w.controller()->setStep(step);
        QVERIFY(!w.grab().isNull());
    }
}

void tst_MainWindow::settingsRestoreSentenceAndLayout()
{
    const QString path = m_dir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        MainWindow w(didactic(), &settings);
        w.show();
        w.setSentence(QStringLiteral("Java programming is fun."));
        w.controller()->setStep(Step::Softmax);
        w.causalMaskBox()->click();
        w.findChild<QDockWidget *>(QStringLiteral("explainDock"))->hide();
        w.close();
    }
    QSettings settings(path, QSettings::IniFormat);
    MainWindow again(didactic(), &settings);
    again.show();
    QCOMPARE(again.sentenceField()->text(), QStringLiteral("Java programming is fun."));
    QCOMPARE(again.controller()->state().step, Step::Softmax);
    QCOMPARE(again.controller()->state().mask, MaskMode::Causal);
    QVERIFY(again.findChild<QDockWidget *>(QStringLiteral("explainDock"))->isHidden());
}

void tst_MainWindow::screenshotOptionWritesPngOfAskedSize()
{
    const QString out = m_dir.filePath(QStringLiteral("shot.png"));
    QProcess p;
    p.start(QStringLiteral(APP_PATH),
            {QStringLiteral("--sentence"), kClassic, QStringLiteral("--step"), QStringLiteral("softmax"),
             QStringLiteral("--select"), QStringLiteral("it"), QStringLiteral("--mask"),
             QStringLiteral("causal"), QStringLiteral("--size"), QStringLiteral("1024x700"),
             QStringLiteral("--screenshot"), out});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const QImage image(out);
    QCOMPARE(image.size(), QSize(1024, 700));
    // A bad step is refused with a clear message.
    QProcess bad;
    bad.start(QStringLiteral(APP_PATH),
              {QStringLiteral("--step"), QStringLiteral("dance"), QStringLiteral("--screenshot"), out});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("--step must be one of"));
}

void tst_MainWindow::trainedModelLayersHeadsAndAverage()
{
    MainWindow w(didactic());
    w.resize(1920, 1080);
    w.show();
    QVERIFY(w.modelSelector()->findText(QStringLiteral("trained")) >= 0);
    w.modelSelector()->setCurrentText(QStringLiteral("trained"));
    QCOMPARE(QString::fromStdString(w.controller()->model().name), QStringLiteral("trained"));
    w.setSentence(QStringLiteral("The animal didn't cross the street because it was too wide."));
    const AttentionTrace *trace = w.controller()->trace();
    QVERIFY(trace->layers.size() >= 2);
    const int heads = w.controller()->model().headCount();
    QVERIFY(heads >= 2);
    QCOMPARE(w.headSelector()->count(), heads + 1); // every head, and the average
    QCOMPARE(w.headSelector()->itemText(heads), QStringLiteral("Average"));

    // The grid: clicking layer 2, head 2 opens it.
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.findChild<QDockWidget *>(QStringLiteral("gridDock"))->raise();
    QTRY_VERIFY(w.modelGrid()->isVisible());
    QTest::mouseClick(w.modelGrid(), Qt::LeftButton, {}, w.modelGrid()->cellRect(1, 1).center());
    QCOMPARE(w.controller()->state().layer, 1);
    QCOMPARE(w.controller()->state().head, 1);
    QCOMPARE(w.controller()->headTrace()->weights, trace->layers[1].heads[1].weights);
    QCOMPARE(w.weightsModel()->matrix(), trace->layers[1].heads[1].weights);

    // The average of heads: what the weights view shows is the mean of the layer's heads.
    w.headSelector()->setCurrentIndex(heads);
    QCOMPARE(w.controller()->state().head, -1);
    Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(trace->tokenCount(), trace->tokenCount());
    for (const HeadTrace &h : trace->layers[1].heads)
        mean += h.weights;
    mean /= heads;
    QVERIFY((w.weightsModel()->matrix() - mean).cwiseAbs().maxCoeff() < 1e-12);
    w.controller()->setStep(Step::Softmax);
    const int it = tokenIndex(w, "it");
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {}, w.heatmap()->cellRect(it, 1).center());
    QVERIFY2(w.explainPanel()->plainText().contains(QStringLiteral("averaged over the %1 heads").arg(heads)),
             qPrintable(w.explainPanel()->plainText()));

    // Following "it" up the layers.
    w.controller()->select(it, -1);
    QCOMPARE(w.layerFlow()->token(), it);
}

void tst_MainWindow::compareShowsContextualEmbeddings()
{
    MainWindow w(didactic());
    w.show();
    QVERIFY(w.useModel(QStringLiteral("trained")).isEmpty());
    ComparePanel *compare = w.comparePanel();
    compare->setInputs(QStringLiteral("we sat on the bank of the river ."),
                       QStringLiteral("she put her money in the bank ."), QStringLiteral("bank"));
    QVERIFY(compare->problem().isEmpty());
    // Same word, so the same input vector (up to its position); different neighbours, different outputs.
    const double similarity = compare->view()->similarity();
    QVERIFY(std::isfinite(similarity));
    QVERIFY(similarity < compare->view()->inputSimilarity());
    compare->setInputs(QStringLiteral("the bank"), QStringLiteral("a river"), QStringLiteral("bank"));
    QVERIFY(compare->problem().contains(QStringLiteral("both sentences")));
    QVERIFY(!w.useModel(QStringLiteral("/no/such/model.json")).isEmpty());
}

void tst_MainWindow::everyExampleShowsWhatItSays()
{
    // Each example's hint names the word its focus token attends to most: check it against the trace,
    // in the layer where it is clearest (the mean of the heads, the token itself left out).
    MainWindow w(didactic());
    w.show();
    int checked = 0;
    for (const SampleSentence &e : builtinExamples()) {
        QVERIFY2(w.useModel(e.model).isEmpty(), qPrintable(e.title));
        w.setSentence(e.sentence);
        QVERIFY2(w.selectToken(e.focus), qPrintable(e.title));
        if (e.expect.isEmpty())
            continue;
        const AttentionTrace *t = w.controller()->trace();
        for (bool known : t->known)
            QVERIFY2(known || e.model == QLatin1String("didactic"),
                     qPrintable(e.title)); // the trained model knows every word
        const int focus = w.controller()->state().query;
        QStringList seen;
        bool found = false;
        for (const LayerTrace &layer : t->layers) {
            Eigen::RowVectorXd row = meanOfHeads(layer).weights.row(focus);
            row(focus) = -1.0;
            Eigen::Index best = 0;
            row.maxCoeff(&best);
            const QString word = QString::fromStdString(t->tokens[static_cast<std::size_t>(best)].text);
            seen << word;
            found = found || word == e.expect;
        }
        QVERIFY2(
            found,
            qPrintable(QStringLiteral("%1: expected %2, saw %3").arg(e.title, e.expect, seen.join(' '))));
        ++checked;
    }
    QVERIFY(checked >= 18);
}

void tst_MainWindow::everyStepLayerAndHeadOfTheTrainedModel()
{
    // Walk every view state of a multi-layer model, the average of heads included: the result panel always
    // holds that head's (or the mean's) matrix, and nothing shows a matrix of another shape.
    MainWindow w(didactic());
    w.resize(1366, 768);
    w.show();
    QVERIFY(w.useModel(QStringLiteral("trained")).isEmpty());
    w.setSentence(QStringLiteral("The dog couldn't lift the box because it was too heavy."));
    const AttentionTrace *t = w.controller()->trace();
    const int n = t->tokenCount();
    for (int layer = 0; layer < static_cast<int>(t->layers.size()); ++layer)
        for (int head = -1; head < w.controller()->model().headCount(); ++head) {
            w.controller()->setLayer(layer);
            w.controller()->setHead(head);
            const HeadTrace expected =
                head < 0 ? meanOfHeads(t->layers[static_cast<std::size_t>(layer)])
                         : t->layers[static_cast<std::size_t>(layer)].heads[static_cast<std::size_t>(head)];
            for (Step step : kAllSteps) {
                w.controller()->setStep(step);
                MatrixPanel *result = w.equationView()->resultPanel();
                QVERIFY(result);
                QCOMPARE(result->model()->rowCount(), n);
                if (step == Step::Softmax)
                    QVERIFY((result->model()->matrix() - expected.weights).cwiseAbs().maxCoeff() < 1e-12);
                if (step == Step::QKV)
                    QVERIFY((result->model()->matrix() - expected.Q).cwiseAbs().maxCoeff() < 1e-12);
                for (MatrixPanel *p : w.equationView()->visiblePanels())
                    QVERIFY2(p->model()->rowCount() > 0, qPrintable(p->name()));
                QVERIFY(!w.grab().isNull());
            }
        }
    // Back to the one-head didactic model: layer and head come back into range.
    QVERIFY(w.useModel(QStringLiteral("didactic")).isEmpty());
    QCOMPARE(w.controller()->state().layer, 0);
    QCOMPARE(w.controller()->state().head, 0);
    QVERIFY(w.controller()->headTrace());
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
