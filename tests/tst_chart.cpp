// The bar chart of one query's weights at the sizes of the Explain dock (280-360 px wide, 200-300 px tall)
// and the window's zooms (100, 150, 200 %): every text Qt Charts draws shows whole, inside the chart, over no
// other text, and the bars keep room to be read. Measured on the scene's own items.
#include "attentionchart.h"
#include "matrixmodel.h"
#include "theme.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFontMetricsF>
#include <QGraphicsTextItem>
#include <QTest>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QValueAxis>

using namespace attention;

namespace {

// The app's first example, and a short sentence whose keys stand upright under their bars.
const QStringList kSentence = {"The",     "animal", "didn't", "cross", "the",   "street",
                               "because", "it",     "was",    "too",   "tired", "."};
const QStringList kShort = {"The", "animal", "it"};

QFont pointFont(double points)
{
    QFont f = QApplication::font();
    f.setPointSizeF(points);
    return f;
}

QString plain(const QString &html)
{
    return QTextDocumentFragment::fromHtml(html).toPlainText();
}

// A text item as drawn: its words, and the box of its glyphs (without the document's margin) in the view.
struct Shown
{
    QString text;
    QRectF rect;
};

QList<Shown> shownTexts(QChartView *view)
{
    QList<Shown> shown;
    for (QGraphicsItem *item : view->scene()->items()) {
        auto *text = dynamic_cast<QGraphicsTextItem *>(item);
        if (!text || !text->isVisible() || text->toPlainText().isEmpty())
            continue;
        const qreal m = text->document()->documentMargin();
        const QRectF glyphs = text->mapRectToScene(text->boundingRect().adjusted(m, m, -m, -m));
        shown.append({text->toPlainText(), view->mapFromScene(glyphs).boundingRect()});
    }
    return shown;
}

QString describe(const QList<Shown> &texts)
{
    QStringList parts;
    for (const Shown &s : texts)
        parts << QStringLiteral("“%1” %2,%3 %4x%5")
                     .arg(s.text)
                     .arg(s.rect.x())
                     .arg(s.rect.y())
                     .arg(s.rect.width())
                     .arg(s.rect.height());
    return parts.join(QStringLiteral(" | "));
}

} // namespace

class tst_Chart : public QObject
{
    Q_OBJECT

private slots:
    void wholeAtDockSizes_data();
    void wholeAtDockSizes();
};

void tst_Chart::wholeAtDockSizes_data()
{
    QTest::addColumn<QStringList>("tokens");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("zoom");
    for (const QStringList &tokens : {kSentence, kShort})
        for (int width : {280, 360})
            for (int height : {240, 300})
                for (double zoom : {1.0, 1.5, 2.0})
                    QTest::addRow("%d tokens, %dx%d at %g", int(tokens.size()), width, height, zoom)
                        << tokens << width << height << zoom;
}

void tst_Chart::wholeAtDockSizes()
{
    QFETCH(QStringList, tokens);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(double, zoom);

    // "it" attends most to "animal" (0.39), as in the app's first example; the other rows are uniform.
    const int n = int(tokens.size());
    const int it = int(tokens.indexOf(QStringLiteral("it")));
    Eigen::MatrixXd w = Eigen::MatrixXd::Constant(n, n, 1.0 / n);
    w.row(it).setConstant(0.61 / (n - 1));
    w(it, 1) = 0.39;
    MatrixModel model;
    model.setMatrix(w, tokens, tokens);
    AttentionChart chart;
    chart.setFont(pointFont(theme::kMinimumPointSize * zoom));
    chart.setModel(&model);
    chart.setQueryRow(it, QStringLiteral("it"));
    chart.resize(width, height);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QCoreApplication::processEvents();

    QChartView *view = chart.chartView();
    QChart *c = view->chart();
    auto *keys = qobject_cast<QBarCategoryAxis *>(c->axes(Qt::Horizontal).value(0));
    auto *values = qobject_cast<QValueAxis *>(c->axes(Qt::Vertical).value(0));
    QVERIFY(keys && values);
    const QList<Shown> texts = shownTexts(view);
    const QString all = describe(texts);
    const QRectF plot = c->plotArea();

    // The fonts follow the zoom as far as the chart has room, never below the minimum, never above the
    // zoom; at 100 % they are the widget's own.
    for (QAbstractAxis *axis : c->axes()) {
        QVERIFY(axis->labelsFont().pointSizeF() >= theme::kMinimumPointSize);
        QVERIFY(axis->labelsFont().pointSizeF() <= chart.font().pointSizeF());
    }
    QCOMPARE(chart.labelPointSize(), keys->labelsFont().pointSizeF());
    QCOMPARE(chart.titlePointSize(), c->titleFont().pointSizeF());
    QVERIFY(c->titleFont().pointSizeF() >= theme::kMinimumPointSize);
    QVERIFY(c->titleFont().pointSizeF() <= chart.font().pointSizeF());
    if (zoom == 1.0) {
        QCOMPARE(keys->labelsFont().pointSizeF(), theme::kMinimumPointSize);
        QCOMPARE(c->titleFont().pointSizeF(), theme::kMinimumPointSize);
    }
    if (zoom > 1.0 && height == 300) // room to grow: the zoom shows
        QVERIFY2(c->titleFont().pointSizeF() > theme::kMinimumPointSize, qPrintable(all));

    // The title shows whole: the item Qt Charts draws holds every word, and each line fits the chart.
    const QString title = plain(c->title());
    QVERIFY2(title.contains(QStringLiteral("Attention of")) && title.contains(QStringLiteral("0.39")),
             qPrintable(title));
    bool titleShown = false;
    for (const Shown &s : texts)
        titleShown = titleShown || s.text == title;
    QVERIFY2(titleShown, qPrintable(QStringLiteral("title “%1” not shown whole: %2").arg(title, all)));
    const QFontMetricsF titleMetrics(c->titleFont());
    for (const QString &line : title.split(QRegularExpression(QStringLiteral("[\\n\\x{2028}\\x{2029}]"))))
        QVERIFY2(titleMetrics.horizontalAdvance(line) <= width,
                 qPrintable(QStringLiteral("“%1”: %2 px in %3")
                                .arg(line)
                                .arg(titleMetrics.horizontalAdvance(line))
                                .arg(width)));

    // Every key is named, whole (they fit: short words).
    QCOMPARE(keys->count(), n);
    QVERIFY(keys->labelsVisible());
    for (const QString &category : keys->categories()) {
        bool found = false;
        for (const Shown &s : texts)
            found = found || s.text == plain(category);
        QVERIFY2(found, qPrintable(QStringLiteral("key “%1” not shown: %2").arg(plain(category), all)));
    }
    // The weights' scale is readable: at least three numbers, from 0.0.
    int numbers = 0;
    bool zero = false;
    for (const Shown &s : texts) {
        bool isNumber = false;
        s.text.toDouble(&isNumber);
        numbers += isNumber ? 1 : 0;
        zero = zero || s.text == QStringLiteral("0.0");
    }
    QVERIFY2(numbers >= 3 && zero, qPrintable(all));

    // Nothing cut to "...", nothing outside the chart, no text over another (an axis title over the labels).
    const QRectF inside = QRectF(view->viewport()->rect()).adjusted(-0.5, -0.5, 0.5, 0.5);
    for (int i = 0; i < texts.size(); ++i) {
        QVERIFY2(!texts[i].text.contains(QStringLiteral("...")) && !texts[i].text.contains(QChar(0x2026)),
                 qPrintable(QStringLiteral("“%1” elided: %2").arg(texts[i].text, all)));
        QVERIFY2(inside.contains(texts[i].rect),
                 qPrintable(QStringLiteral("“%1” leaves the chart: %2").arg(texts[i].text, all)));
        for (int j = i + 1; j < texts.size(); ++j)
            QVERIFY2(
                !texts[i].rect.intersects(texts[j].rect),
                qPrintable(QStringLiteral("“%1” overlaps “%2”: %3").arg(texts[i].text, texts[j].text, all)));
    }
    // An axis title Qt Charts draws says its whole word.
    for (QAbstractAxis *axis : c->axes())
        if (axis->isTitleVisible() && !axis->titleText().isEmpty()) {
            bool found = false;
            for (const Shown &s : texts)
                found = found || s.text == axis->titleText();
            QVERIFY2(found, qPrintable(QStringLiteral("axis title “%1”: %2").arg(axis->titleText(), all)));
        }

    // The key axis title stands only under upright labels: Qt Charts draws it over turned ones. The short
    // sentence's upright keys keep it where there is room.
    QVERIFY(!keys->isTitleVisible() || keys->labelsAngle() == 0);
    if (n == 3 && zoom == 1.0)
        QVERIFY2(keys->isTitleVisible() && keys->labelsAngle() == 0, qPrintable(all));

    // The bars keep a usable area: most of the width, and a good part of the height.
    QVERIFY2(plot.width() >= 0.6 * width,
             qPrintable(QStringLiteral("plot %1 px wide of %2").arg(plot.width()).arg(width)));
    QVERIFY2(plot.height() >= 0.35 * height,
             qPrintable(QStringLiteral("plot %1 px tall of %2").arg(plot.height()).arg(height)));
}

QTEST_MAIN(tst_Chart)
#include "tst_chart.moc"
