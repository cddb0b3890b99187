// The main window driven like a learner would: typing, stepping, toggling, clicking, exporting.
#include "labels.h"
#include "attentionchart.h"
#include "comparepanel.h"
#include "compareview.h"
#include "equationview.h"
#include "examples.h"
#include "explainpanel.h"
#include "filesizelimit.h"
#include "flowdiagram.h"
#include "heatmapview.h"
#include "layerflowview.h"
#include "lineview.h"
#include "mainwindow.h"
#include "matrixmodel.h"
#include "menus.h"
#include "modelgridview.h"
#include "modelio.h"
#include "pipelinepanel.h"
#include "showntext.h"
#include "stepnavigator.h"
#include "testmodels.h"
#include "tokenstrip.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QHelpEvent>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QUndoStack>
#include <QPaintEngine>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <cmath>
#include <cstring>

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

// What a QLabel, a tooltip or a chart label shows for `text` in `format` (images counted).
QString shown(const QString &text, Qt::TextFormat format, int *images)
{
    return attention::testing::shownText(text, format, images);
}

// The text of the tooltip `widget` shows at `pos`, as the learner reads it.
QString toolTipAt(QWidget *widget, const QPoint &pos, int *images)
{
    QToolTip::hideText();
    QHelpEvent help(QEvent::ToolTip, pos, widget->mapToGlobal(pos));
    QCoreApplication::sendEvent(widget, &help);
    return shown(QToolTip::text(), Qt::AutoText, images);
}

// Writes a small PNG: if any view took a model's "<img src=…>" for markup, it would load this picture.
QString writeBait(const QString &dir)
{
    const QString path = dir + QStringLiteral("/bait.png");
    QImage image(40, 40, QImage::Format_RGB32);
    image.fill(Qt::red);
    image.save(path);
    return path;
}

// A paint device that only counts the polygons drawn on it, and those with a corner that is not finite.
class PolygonRecorder : public QPaintDevice
{
public:
    explicit PolygonRecorder(QSize size) : m_size(size) {}
    QPaintEngine *paintEngine() const override { return &m_engine; }
    int polygons = 0;
    int nonFinite = 0;

protected:
    int metric(PaintDeviceMetric metric) const override
    {
        switch (metric) {
        case PdmWidth:
            return m_size.width();
        case PdmHeight:
            return m_size.height();
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY:
            return 96;
        case PdmDevicePixelRatio:
            return 1;
        case PdmDevicePixelRatioScaled:
            return int(devicePixelRatioFScale());
        case PdmDepth:
            return 32;
        default:
            return 0;
        }
    }

private:
    class Engine : public QPaintEngine
    {
    public:
        explicit Engine(PolygonRecorder *owner) : QPaintEngine(AllFeatures), m_owner(owner) {}
        bool begin(QPaintDevice *) override { return true; }
        bool end() override { return true; }
        void updateState(const QPaintEngineState &) override {}
        void drawPixmap(const QRectF &, const QPixmap &, const QRectF &) override {}
        void drawPolygon(const QPointF *points, int count, PolygonDrawMode) override
        {
            ++m_owner->polygons;
            for (int i = 0; i < count; ++i)
                if (!std::isfinite(points[i].x()) || !std::isfinite(points[i].y())) {
                    ++m_owner->nonFinite;
                    break;
                }
        }
        Type type() const override { return User; }

    private:
        PolygonRecorder *m_owner;
    };
    QSize m_size;
    mutable Engine m_engine{this};
};

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
    void maskClickOnAStaleHeatmapIsRefused();
    void stringsFromAModelFileAreShownLiterally();
    void messageBoxesShowFileNamesLiterally();
    void hostileSettingsFallBackToDefaults_data();
    void hostileSettingsFallBackToDefaults();
    void aSessionThatIsNotJsonGivesTheDefaults();
    void aRememberedModelThatNoLongerLoadsGivesTheDefault();
    void changesAreSavedWithoutClosingTheWindow();
    void aCrampedFlowDiagramDrawsOnlyFiniteShapes();

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
        QVERIFY(w.findChild<QLabel *>(QStringLiteral("formula"))->text() == stepFormulaText(step));
        // Ghosting: an opacity effect left the previous step painted faintly over this one. No widget of
        // the window may keep (or start) an effect when the step changes.
        QApplication::processEvents();
        for (QWidget *child : w.findChildren<QWidget *>())
            QVERIFY2(!child->graphicsEffect(), qPrintable(child->objectName()));
        if (step == Step::Scale) {
            // The operator shows the divisor the trace used.
            const AttentionTrace *trace = w.controller()->trace();
            const double divisor = trace->layers[0].heads[0].divisor;
            QCOMPARE(divisor, std::sqrt(double(trace->model->d_k)));
            bool shown = false;
            for (QLabel *label : w.equationView()->findChildren<QLabel *>(QStringLiteral("operator")))
                shown = shown || label->text().contains(QString::number(divisor, 'f', 2));
            QVERIFY(shown);
        }
        if (step == Step::Mask) // the mask matrix is the core's: 0 where seen, −∞ where blocked
            QCOMPARE(w.equationView()->panel(MatrixId::Mask)->model()->matrix(),
                     additiveMask(w.controller()->trace()->blocked));
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
    QVERIFY(QTest::qWaitForWindowActive(&w)); // the step keys are window shortcuts: they need it active
    w.controller()->setStep(Step::Embeddings);
    QSignalSpy spy(w.controller(), &StageController::stepChanged);
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
    MatrixPanel *masked = w.equationView()->panel(MatrixId::Masked);
    QCOMPARE(masked->model()->data(masked->model()->index(because, it)).toString(), QStringLiteral("−∞"));
    QVERIFY(masked->model()->data(masked->model()->index(because, it), MatrixModel::BlockedRole).toBool());
    QCOMPARE(w.heatmapModel()->data(w.heatmapModel()->index(because, it)).toString(), QStringLiteral("−∞"));
    w.controller()->setStep(Step::Softmax);
    MatrixPanel *weights = w.equationView()->panel(MatrixId::Weights);
    QCOMPARE(weights->model()->matrix()(because, it), 0.0);
    QCOMPARE(weights->model()->data(weights->model()->index(because, it)).toString(), QStringLiteral("0.00"));
    w.causalMaskBox()->click();
    QVERIFY(w.controller()->headTrace()->weights(because, it) > 0.0);

    // Scaling off: the scaled scores equal the raw scores.
    w.controller()->setStep(Step::Scale);
    const double withScale = w.equationView()->panel(MatrixId::Scaled)->model()->matrix()(it, 1);
    w.scaleBox()->click();
    QVERIFY(!w.controller()->state().scale);
    const double withoutScale = w.equationView()->panel(MatrixId::Scaled)->model()->matrix()(it, 1);
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
    w.controller()->setStep(Step::Embeddings); // a step whose clicks mean something else
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
    MatrixPanel *output = w.equationView()->panel(MatrixId::Output);
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
    for (int j = 0; j < 12; ++j) // 17 significant digits read back to the very same double (== on purpose)
        QVERIFY2(cells.at(j + 1).toDouble() == w.controller()->headTrace()->weights(it, j),
                 qPrintable(cells.at(j + 1)));
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
    AppState shown;
    {
        QSettings settings(path, QSettings::IniFormat);
        MainWindow w(didactic(), &settings);
        w.resize(1366, 768);
        w.show();
        QVERIFY(w.useModel(QStringLiteral("trained")).isEmpty());
        w.setSentence(kClassic);
        w.controller()->setStep(Step::Softmax);
        w.causalMaskBox()->click();
        QVERIFY(w.selectToken(QStringLiteral("it")));
        w.controller()->setLayerAndHead(1, -1);
        w.controller()->setDecimals(3);
        w.controller()->setProjection(Projection::Value);
        w.controller()->setView(StageView::Lines);
        w.controller()->setPanel(SidePanel::Grid);
        w.findChild<QDockWidget *>(QStringLiteral("pipelineDock"))->hide();
        shown = w.controller()->state();
        w.close();
    }
    QSettings settings(path, QSettings::IniFormat);
    MainWindow again(didactic(), &settings);
    again.show();
    // The whole state comes back: the selection ("it", not "The"), the layer (2, not 1), the panel.
    QVERIFY(again.controller()->state() == shown);
    QCOMPARE(again.sentenceField()->text(), kClassic);
    QCOMPARE(again.controller()->state().query, tokenIndex(again, "it"));
    QCOMPARE(again.controller()->state().layer, 1);
    QCOMPARE(again.controller()->state().head, -1);
    QCOMPARE(again.controller()->state().mask, MaskMode::Causal);
    QCOMPARE(QString::fromStdString(again.controller()->model().name), QStringLiteral("trained"));
    QCOMPARE(again.heatmapModel()->precision(), 3);
    QVERIFY(again.findChild<QDockWidget *>(QStringLiteral("pipelineDock"))->isHidden());
    QVERIFY(!again.findChild<QDockWidget *>(QStringLiteral("gridDock"))->visibleRegion().isEmpty() ||
            !again.isVisible());
    QVERIFY(again.controller()->undoStack()->count() == 0); // opening is no change to undo
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
    // A write that fails (a 16 KiB file-size limit stands in for a full disk) says
    // why and leaves the older screenshot exactly as it was.
    QFile before(out);
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray oldBytes = before.readAll();
    before.close();
    QVERIFY(oldBytes.size() > 16 * 1024);
    QProcess full;
    attention::testing::startWithFileSizeLimit(full, QStringLiteral(APP_PATH),
                                               {QStringLiteral("--sentence"), QStringLiteral("Java"),
                                                QStringLiteral("--size"), QStringLiteral("1024x700"),
                                                QStringLiteral("--screenshot"), out},
                                               16);
    QVERIFY(full.waitForFinished(60000));
    QCOMPARE(full.exitCode(), 1);
    const QByteArray why = full.readAllStandardError();
    QVERIFY2(why.contains("shot.png: cannot be written (File too large)"), why.constData());
    QVERIFY(before.open(QIODevice::ReadOnly));
    QCOMPARE(before.readAll(), oldBytes);
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
    // Each example opens in the state its hint describes, and there its focus token attends most to the
    // word the hint names: checked against the trace, in the layer and with the average of heads shown
    // (the token itself left out).
    MainWindow w(didactic());
    w.show();
    int checked = 0;
    for (const SampleSentence &e : builtinExamples()) {
        w.menus()->showExample(e);
        const AppState &s = w.controller()->state();
        QCOMPARE(s.sentence, e.sentence);
        QCOMPARE(s.model, e.model);
        QCOMPARE(s.step, Step::Softmax);
        QVERIFY2(s.query >= 0, qPrintable(e.title));
        QCOMPARE(QString::fromStdString(w.controller()->trace()->tokens[std::size_t(s.query)].text), e.focus);
        QCOMPARE(w.tokenStrip()->selected(), s.query);
        if (e.expect.isEmpty())
            continue;
        const AttentionTrace *t = w.controller()->trace();
        for (bool known : t->known)
            QVERIFY2(known || e.model == QLatin1String("didactic"),
                     qPrintable(e.title)); // the trained model knows every word
        QCOMPARE(s.layer, e.layer < 0 ? int(t->layers.size()) - 1 : e.layer);
        // What the window shows: the weights of the layer and head in the state.
        Eigen::RowVectorXd row = w.weightsModel()->matrix().row(s.query);
        QVERIFY(row.isApprox(meanOfHeads(t->layers[std::size_t(s.layer)]).weights.row(s.query)));
        row(s.query) = -1.0;
        Eigen::Index best = 0;
        row.maxCoeff(&best);
        const QString word = QString::fromStdString(t->tokens[static_cast<std::size_t>(best)].text);
        QVERIFY2(word == e.expect, qPrintable(QStringLiteral("%1 (layer %2): expected %3, saw %4")
                                                  .arg(e.title)
                                                  .arg(s.layer + 1)
                                                  .arg(e.expect, word)));
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

void tst_MainWindow::maskClickOnAStaleHeatmapIsRefused()
{
    // w0's embedding, 1e200, is finite, but its query · key (1e400) is not: a text with w0 fails to trace.
    auto model = attention::testing::randomModel(4, 2, 1, 1, 11, false);
    model->tokenEmbedding.row(0).setConstant(1e200);
    MainWindow w(model);
    w.resize(1920, 1080);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(QStringLiteral("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"));
    w.editMaskButton()->click();
    QVERIFY(w.heatmap()->maskEditMode());
    w.heatmap()->setCellSize(24);
    QCoreApplication::processEvents();
    w.heatmap()->verticalScrollBar()->setValue(0);
    w.heatmap()->horizontalScrollBar()->setValue(0);
    const QPoint cell = w.heatmap()->cellRect(3, 3).center();
    QVERIFY(w.heatmap()->viewport()->rect().contains(cell));
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {}, cell);
    QVERIFY(w.controller()->trace()->blocked(3, 3));

    // The overflowing word alone: the banner says why, the heatmap still shows the 10 tokens.
    w.setSentence(QStringLiteral("w0"));
    QVERIFY(!w.problemBanner()->isHidden());
    QVERIFY2(w.problemBanner()->text().contains(QStringLiteral("overflows")),
             qPrintable(w.problemBanner()->text()));
    QCOMPARE(w.controller()->trace()->tokenCount(), 10);
    // The same cell again: the click is refused, and the status bar says why.
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {}, cell);
    QCOMPARE(w.controller()->state().customBlocked.rows(), Eigen::Index(1));
    QVERIFY(!w.controller()->state().customBlocked(0, 0));
    QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("last text that worked")),
             qPrintable(w.statusBar()->currentMessage()));
    // A good text again: the mask can be edited.
    w.setSentence(QStringLiteral("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"));
    QVERIFY(w.problemBanner()->isHidden());
    QTest::mouseClick(w.heatmap()->viewport(), Qt::LeftButton, {}, cell);
    QVERIFY(w.controller()->trace()->blocked(3, 3));
}

void tst_MainWindow::stringsFromAModelFileAreShownLiterally()
{
    // Every string a model file brings (name, description, feature names, words) is markup-looking here.
    const QString bait = writeBait(m_dir.path());
    const QString img = QStringLiteral("<img src=\"%1\">").arg(bait);
    const QString name = img + QStringLiteral("<b>evil</b>");
    QJsonObject root{
        {"format", "attention-lab-model"},
        {"version", 1},
        {"name", name},
        {"description", QStringLiteral("<b>bold</b> ") + img},
        {"d_model", 2},
        {"d_k", 2},
        {"features", QJsonArray{img, QStringLiteral("<b>f</b>")}},
        {"embeddings", QJsonObject{{"cat", QJsonArray{1, 0}},
                                   {"sat", QJsonArray{0, 1}},
                                   {QStringLiteral("<b>w</b>"), QJsonArray{1, 1}}}},
        {"positions", QJsonArray{QJsonArray{0, 0}, QJsonArray{0, 0}, QJsonArray{0, 0}}},
        {"layers",
         QJsonArray{QJsonObject{
             {"heads", QJsonArray{QJsonObject{{"W_Q", QJsonArray{QJsonArray{1, 0}, QJsonArray{0, 1}}},
                                              {"W_K", QJsonArray{QJsonArray{1, 0}, QJsonArray{0, 1}}},
                                              {"W_V", QJsonArray{QJsonArray{1, 0}, QJsonArray{0, 1}}}}}}}}}};
    const ModelLoad loaded = parseModel(QJsonDocument(root).toJson(), QStringLiteral("evil.json"));
    QVERIFY2(loaded.ok(), qPrintable(loaded.error));
    QCOMPARE(QString::fromStdString(loaded.model->name), name);

    MainWindow w(loaded.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(QStringLiteral("cat zorblat"));
    QVERIFY(w.controller()->trace());
    int images = 0;

    // The status bar names the model as it is spelled.
    QVERIFY2(w.statusBar()->currentMessage().startsWith(name + QStringLiteral(" model")),
             qPrintable(w.statusBar()->currentMessage()));

    // The unknown word's tooltip names the model.
    const QString tokenTip = toolTipAt(w.tokenStrip(), w.tokenStrip()->chipRect(1).center(), &images);
    QVERIFY2(tokenTip.contains(QStringLiteral("of the %1 model").arg(name)), qPrintable(tokenTip));

    // The embeddings E: feature names as column headers, in the header's and the cells' tooltips.
    w.controller()->setStep(Step::Embeddings);
    MatrixPanel *e = w.equationView()->panel(MatrixId::E);
    QCOMPARE(e->model()->headerData(0, Qt::Horizontal).toString(), img);
    QHeaderView *header = e->view()->horizontalHeader();
    QCoreApplication::processEvents();
    const QString headerTip = toolTipAt(
        header->viewport(), QPoint(header->sectionViewportPosition(0) + 3, header->height() / 2), &images);
    QCOMPARE(headerTip, img);
    const QRect e00 = e->view()->visualRect(e->model()->index(0, 0));
    const QString cellTip = toolTipAt(e->view()->viewport(), e00.center(), &images);
    QCOMPARE(cellTip, QStringLiteral("cat → %1: %2").arg(img, MatrixModel::formatValue(1.0, 10)));
    // The heatmap shows X for this step: features across, in its cell tooltips.
    w.heatmap()->setCellSize(40);
    QCoreApplication::processEvents();
    const QString heatTip = toolTipAt(w.heatmap()->viewport(), w.heatmap()->cellRect(0, 1).center(), &images);
    QVERIFY2(heatTip.startsWith(QStringLiteral("cat → <b>f</b>: ")), qPrintable(heatTip));

    // The chart's key labels (Qt Charts lays them out as rich text): a word that looks like markup.
    MatrixModel weights;
    weights.setMatrix(Eigen::MatrixXd::Constant(2, 2, 0.5), {img, QStringLiteral("<b>w</b>")},
                      {img, QStringLiteral("<b>w</b>")});
    AttentionChart chart;
    chart.resize(500, 300);
    chart.setModel(&weights);
    chart.setQueryRow(0, img);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QStringList chartTexts;
    for (QGraphicsItem *item : chart.chartView()->scene()->items())
        if (auto *text = dynamic_cast<QGraphicsTextItem *>(item)) {
            for (QTextBlock b = text->document()->begin(); b.isValid(); b = b.next())
                for (auto it = b.begin(); !it.atEnd(); ++it)
                    images += it.fragment().charFormat().isImageFormat() ? 1 : 0;
            chartTexts << text->toPlainText();
        }
    QVERIFY2(chartTexts.contains(img) && chartTexts.contains(QStringLiteral("<b>w</b>")),
             qPrintable(chartTexts.join(QStringLiteral(" | "))));
    QVERIFY2(chart.chartView()->chart()->title().contains(img.toHtmlEscaped()),
             qPrintable(chart.chartView()->chart()->title()));

    // Four tokens, three positions: the first three are traced, and the banner and the comparison quote the
    // model's name.
    w.setSentence(QStringLiteral("cat sat cat sat"));
    QVERIFY(!w.problemBanner()->isHidden());
    QCOMPARE(w.controller()->trace()->tokenCount(), 3);
    QCOMPARE(w.tokenStrip()->count(), 3);
    QCOMPARE(w.problemBanner()->textFormat(), Qt::PlainText);
    QVERIFY2(shown(w.problemBanner()->text(), w.problemBanner()->textFormat(), &images)
                 .contains(QStringLiteral("The %1 model reads at most 3 tokens: the views show the first 3 of the 4").arg(name)),
             qPrintable(w.problemBanner()->text()));
    const QString compareProblem = w.comparePanel()->problem();
    QVERIFY2(compareProblem.contains(name), qPrintable(compareProblem));
    for (QLabel *label : w.comparePanel()->findChildren<QLabel *>())
        if (label->text() == compareProblem)
            QCOMPARE(label->textFormat(), Qt::PlainText);

    // No label anywhere in the window renders the markup of a file string.
    for (QLabel *label : w.findChildren<QLabel *>()) {
        const QString text = shown(label->text(), label->textFormat(), &images);
        QVERIFY2(!text.contains(QStringLiteral("evil")) || text.contains(QStringLiteral("<b>evil</b>")),
                 qPrintable(label->objectName() + QStringLiteral(": ") + label->text()));
    }
    QCOMPARE(images, 0);
}

void tst_MainWindow::messageBoxesShowFileNamesLiterally()
{
    // A model file in a folder whose name looks like markup; it loads once, then breaks on disk.
    const QString dir = m_dir.filePath(QStringLiteral("<b>models</b>"));
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + QStringLiteral("/small.json");
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(serializeModel(*attention::testing::handWorkedModel()));
    }
    MainWindow w(didactic());
    w.show();
    QVERIFY2(w.useModel(path).isEmpty(), qPrintable(w.useModel(path)));
    QVERIFY(w.useModel(QStringLiteral("didactic")).isEmpty());
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{ not json");
    }
    QString text;
    Qt::TextFormat format = Qt::AutoText;
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            text = box->text();
            format = box->textFormat();
            box->close();
        }
    });
    poll.start(20);
    // Picking the file again from the model list: the load fails and a message box says why.
    w.modelSelector()->setCurrentIndex(w.modelSelector()->findData(path));
    poll.stop();
    QVERIFY2(text.contains(QStringLiteral("<b>models</b>/small.json")), qPrintable(text));
    QCOMPARE(format, Qt::PlainText);
    QCOMPARE(QString::fromStdString(w.controller()->model().name), QStringLiteral("didactic"));
}

void tst_MainWindow::hostileSettingsFallBackToDefaults_data()
{
    QTest::addColumn<QString>("zoom");
    QTest::newRow("nan") << QStringLiteral("nan");
    QTest::newRow("inf") << QStringLiteral("inf");
    QTest::newRow("too large") << QStringLiteral("100");
    QTest::newRow("too small") << QStringLiteral("0.1");
    QTest::newRow("not a number") << QStringLiteral("big");
}

void tst_MainWindow::hostileSettingsFallBackToDefaults()
{
    QFETCH(QString, zoom);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        // As a damaged or hand-edited file would have them.
        QJsonObject state{{"zoom", zoom == QLatin1String("big") ? QJsonValue(zoom) : QJsonValue(zoom.toDouble())},
                          {"decimals", 99},
                          {"step", "dance"},
                          {"mask", "banana"},
                          {"scale", "maybe"},
                          {"swapQK", 2},
                          {"sentence", QJsonArray{1, 2, 3}},
                          {"layer", -4}};
        QSettings settings(path, QSettings::IniFormat);
        settings.setValue(QStringLiteral("session/state"),
                          QString::fromUtf8(QJsonDocument(state).toJson(QJsonDocument::Compact)));
        settings.setValue(QStringLiteral("window/geometry"), QByteArray("junk"));
        settings.setValue(QStringLiteral("window/state"), QByteArray("more junk"));
    }
    QSettings settings(path, QSettings::IniFormat);
    MainWindow w(didactic(), &settings);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.zoom(), 1.0);
    QVERIFY(std::isfinite(w.font().pointSizeF()) && w.font().pointSizeF() > 0);
    QCOMPARE(w.heatmapModel()->precision(), 2);
    const AppState &s = w.controller()->state();
    const AppState first = exampleState(builtinExamples().constFirst(), AppState());
    QCOMPARE(s.step, first.step);
    QCOMPARE(s.mask, MaskMode::None);
    QVERIFY(s.scale);
    QVERIFY(!s.swapQK);
    QCOMPARE(w.sentenceField()->text(), builtinExamples().constFirst().sentence);
    // Every rejected value is named in the status bar.
    const QString notice = w.restoreNotice();
    for (const char *what : {"zoom", "decimals", "step", "mask", "scale", "swapQK", "sentence", "layer",
                             "window geometry", "panel layout"})
        QVERIFY2(notice.contains(QLatin1String(what)), qPrintable(notice));
    QVERIFY2(w.statusBar()->currentMessage().startsWith(notice), qPrintable(w.statusBar()->currentMessage()));
    // The labels have their text (a NaN zoom left every one of them blank).
    QVERIFY(w.findChild<QLabel *>(QStringLiteral("formula"))->sizeHint().height() > 5);
    // What is written back is what is used: no unusable value survives the session.
    w.close();
    QSettings back(path, QSettings::IniFormat);
    const QJsonObject saved =
        QJsonDocument::fromJson(back.value(QStringLiteral("session/state")).toString().toUtf8()).object();
    QCOMPARE(saved.value(QStringLiteral("zoom")).toDouble(), 1.0);
    QCOMPARE(saved.value(QStringLiteral("decimals")).toInt(), 2);
    QCOMPARE(saved.value(QStringLiteral("mask")).toString(), QStringLiteral("none"));
    QCOMPARE(saved.value(QStringLiteral("sentence")).toString(), builtinExamples().constFirst().sentence);
}

void tst_MainWindow::aSessionThatIsNotJsonGivesTheDefaults()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        settings.setValue(QStringLiteral("session/state"), QStringLiteral("{\"zoom\": 2, oops"));
    }
    QSettings settings(path, QSettings::IniFormat);
    MainWindow w(didactic(), &settings);
    QCOMPARE(w.zoom(), 1.0);
    QCOMPARE(w.sentenceField()->text(), builtinExamples().constFirst().sentence);
    QVERIFY2(w.restoreNotice().contains(QStringLiteral("saved state")), qPrintable(w.restoreNotice()));
}

void tst_MainWindow::aRememberedModelThatNoLongerLoadsGivesTheDefault()
{
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("gone.json"));
    {
        QFile f(model);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(serializeModel(*attention::testing::handWorkedModel()));
    }
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        MainWindow w(didactic(), &settings);
        QVERIFY(w.useModel(model).isEmpty());
        QCOMPARE(QString::fromStdString(w.controller()->model().name), QStringLiteral("hand-worked"));
        w.close();
    }
    {
        QFile f(model); // the file breaks between two sessions
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("[1, 2");
    }
    QSettings settings(path, QSettings::IniFormat);
    MainWindow w(didactic(), &settings);
    w.show();
    QCOMPARE(QString::fromStdString(w.controller()->model().name), QStringLiteral("didactic"));
    QCOMPARE(w.modelSelector()->currentText(), QStringLiteral("didactic"));
    QVERIFY(w.controller()->trace());
    QVERIFY2(w.restoreNotice().contains(QStringLiteral("could not be loaded")) &&
                 w.restoreNotice().contains(QStringLiteral("gone.json")),
             qPrintable(w.restoreNotice()));
    QVERIFY(w.statusBar()->currentMessage().startsWith(w.restoreNotice()));
}

void tst_MainWindow::changesAreSavedWithoutClosingTheWindow()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    QSettings settings(path, QSettings::IniFormat);
    MainWindow w(didactic(), &settings);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // The state as another reader of the file sees it now.
    auto saved = [&path] {
        QSettings reader(path, QSettings::IniFormat);
        return QJsonDocument::fromJson(reader.value(QStringLiteral("session/state")).toString().toUtf8()).object();
    };
    // A crash or a kill after this point must not lose the change: it reaches the file by itself.
    w.setZoom(1.5);
    QTRY_COMPARE(saved().value(QStringLiteral("zoom")).toDouble(), 1.5);
    w.setSentence(QStringLiteral("Java programming is fun."));
    w.causalMaskBox()->click();
    w.controller()->setStep(Step::Softmax);
    QTRY_COMPARE(saved().value(QStringLiteral("sentence")).toString(), QStringLiteral("Java programming is fun."));
    QTRY_COMPARE(saved().value(QStringLiteral("mask")).toString(), QStringLiteral("causal"));
    QTRY_COMPARE(saved().value(QStringLiteral("step")).toString(), QStringLiteral("softmax"));
    // Hiding a panel changes the saved layout; a window started from a copy of the file has it hidden.
    auto layout = [&path] {
        QSettings reader(path, QSettings::IniFormat);
        return reader.value(QStringLiteral("window/state")).toByteArray();
    };
    const QByteArray before = layout();
    w.findChild<QDockWidget *>(QStringLiteral("explainDock"))->hide();
    w.setZoom(1.25); // the next save writes the layout too
    QTRY_VERIFY(layout() != before);
    const QString copy = dir.filePath(QStringLiteral("copy.ini"));
    QVERIFY(QFile::copy(path, copy));
    QSettings other(copy, QSettings::IniFormat);
    MainWindow again(didactic(), &other);
    QVERIFY(again.findChild<QDockWidget *>(QStringLiteral("explainDock"))->isHidden());
    QVERIFY(w.isVisible());
}

void tst_MainWindow::aCrampedFlowDiagramDrawsOnlyFiniteShapes()
{
    // Large text in a short panel (zoom 1.5 in a 1067 × 533 window makes it 224 × 180) squeezes the boxes
    // together: an arrow between two touching boxes has no direction. Drawn anyway, its head had NaN
    // corners, and the raster engine spent over a minute per frame on them.
    FlowDiagram flow;
    QFont big = flow.font();
    big.setPointSizeF(16.5);
    flow.setFont(big);
    flow.resize(224, 180);
    PolygonRecorder recorder(flow.size());
    flow.render(&recorder);
    QVERIFY(recorder.polygons > 0); // the arrows that have room still get their heads
    QCOMPARE(recorder.nonFinite, 0);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
