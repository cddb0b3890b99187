// The navigation widgets driven like a learner would: token chips, the step bar and the flow diagram.
#include "labels.h"
#include "flowdiagram.h"
#include "stepnavigator.h"
#include "tokenstrip.h"

#include <QImage>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace attention;

Q_DECLARE_METATYPE(attention::Step)

namespace {

const QString kUnknownTip =
    QStringLiteral("“%1” is not in this model's vocabulary, so it gets a made-up vector "
                   "from its spelling.");

// "zorblat" (index 5) is the one word the model does not know.
QStringList twelveTokens()
{
    return {"The",     "animal", "didn't", "cross", "the",   "zorblat",
            "because", "it",     "was",    "too",   "tired", "."};
}

QVector<bool> twelveKnown()
{
    QVector<bool> known(12, true);
    known[5] = false;
    return known;
}

QToolButton *buttonWithText(QWidget *parent, const QString &title)
{
    const auto buttons = parent->findChildren<QToolButton *>();
    for (QToolButton *button : buttons)
        if (button->text().endsWith(title))
            return button;
    return nullptr;
}

// A point inside the box, clear of its outline and of its centred text.
QPoint interiorPoint(const QRect &box)
{
    return {box.left() + std::max(6, box.width() / 10), box.center().y()};
}

} // namespace

class tst_Navigation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();

    void tokenStripClickSelects();
    void tokenStripUnknownTooltip();
    void tokenStripKeyboard();
    void tokenStripEmpty();
    void tokenStripManyTokens();

    void navigatorClickRequestsStep();
    void navigatorNextAndPrevious();
    void navigatorSetStepIsSilent();
    void navigatorFitsNarrowWindow_data();
    void navigatorFitsNarrowWindow();

    void flowClickRequestsStep();
    void flowBoxesDoNotOverlap_data();
    void flowBoxesDoNotOverlap();
    void flowCurrentStepIsLit();
};

void tst_Navigation::initTestCase()
{
    qRegisterMetaType<Step>();
}

void tst_Navigation::tokenStripClickSelects()
{
    TokenStrip strip;
    strip.resize(900, strip.sizeHint().height());
    strip.setTokens(twelveTokens(), twelveKnown(), kUnknownTip);
    QCOMPARE(strip.count(), 12);
    QCOMPARE(strip.selected(), -1);

    QSignalSpy clicked(&strip, &TokenStrip::tokenClicked);
    QTest::mouseClick(&strip, Qt::LeftButton, {}, strip.chipRect(7).center());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 7);
    QCOMPARE(strip.selected(), 7);

    // Chips are laid out left to right without overlapping.
    for (int i = 1; i < strip.count(); ++i)
        QVERIFY(strip.chipRect(i - 1).right() < strip.chipRect(i).left());
}

void tst_Navigation::tokenStripUnknownTooltip()
{
    TokenStrip strip;
    strip.setTokens(twelveTokens(), twelveKnown(), kUnknownTip);
    const QString tip = strip.toolTipFor(5);
    QVERIFY2(tip.contains(kUnknownTip.arg("zorblat")), qPrintable(tip));
    QCOMPARE(strip.toolTipFor(7), QStringLiteral("Token 7: “it”"));
    QVERIFY(strip.toolTipFor(12).isEmpty());
}

void tst_Navigation::tokenStripKeyboard()
{
    TokenStrip strip;
    strip.resize(900, strip.sizeHint().height());
    strip.setTokens(twelveTokens(), twelveKnown(), kUnknownTip);
    QVERIFY(strip.focusPolicy() & Qt::TabFocus);
    QTest::mouseClick(&strip, Qt::LeftButton, {}, strip.chipRect(7).center());

    QSignalSpy clicked(&strip, &TokenStrip::tokenClicked);
    QTest::keyClick(&strip, Qt::Key_Right);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 8);
    QTest::keyClick(&strip, Qt::Key_Left);
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 7);
    QTest::keyClick(&strip, Qt::Key_End);
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 11);
    QTest::keyClick(&strip, Qt::Key_Right); // already at the end: no wrap, no signal
    QCOMPARE(clicked.count(), 0);
    QTest::keyClick(&strip, Qt::Key_Home);
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 0);
    QCOMPARE(strip.selected(), 0);
}

void tst_Navigation::tokenStripEmpty()
{
    TokenStrip strip;
    strip.resize(400, strip.sizeHint().height());
    QCOMPARE(strip.count(), 0);
    QVERIFY(strip.chipRect(0).isNull());
    QSignalSpy clicked(&strip, &TokenStrip::tokenClicked);
    QTest::keyClick(&strip, Qt::Key_Right);
    QTest::mouseClick(&strip, Qt::LeftButton, {}, strip.rect().center());
    QCOMPARE(clicked.count(), 0);
    QVERIFY(!strip.grab().isNull());
}

void tst_Navigation::tokenStripManyTokens()
{
    QStringList texts;
    QVector<bool> known;
    for (int i = 0; i < 2048; ++i) {
        texts << QStringLiteral("word%1").arg(i);
        known << (i % 7 != 0);
    }
    TokenStrip strip;
    strip.resize(1000, 80);
    strip.setTokens(texts, known, kUnknownTip);
    strip.setSelected(2000);
    QCOMPARE(strip.selected(), 2000);
    // Selecting scrolls the chip into view.
    QVERIFY(strip.rect().contains(strip.chipRect(2000)));
    QVERIFY(!strip.rect().intersects(strip.chipRect(0)));
    const QPixmap shot = strip.grab();
    QCOMPARE(shot.size(), strip.size() * shot.devicePixelRatio());

    // A click lands on the chip that is drawn there, after scrolling.
    QSignalSpy clicked(&strip, &TokenStrip::tokenClicked);
    QTest::mouseClick(&strip, Qt::LeftButton, {}, strip.chipRect(1999).center());
    QCOMPARE(clicked.takeFirst().at(0).toInt(), 1999);
}

void tst_Navigation::navigatorClickRequestsStep()
{
    StepNavigator navigator;
    navigator.resize(1280, navigator.sizeHint().height());
    QToolButton *softmax = buttonWithText(&navigator, QStringLiteral("Softmax"));
    QVERIFY(softmax);
    QSignalSpy requested(&navigator, &StepNavigator::stepRequested);
    QTest::mouseClick(softmax, Qt::LeftButton);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).value<Step>(), Step::Softmax);
    QCOMPARE(navigator.step(), Step::Softmax);
    QVERIFY(softmax->isChecked());
}

void tst_Navigation::navigatorNextAndPrevious()
{
    StepNavigator navigator;
    QSignalSpy requested(&navigator, &StepNavigator::stepRequested);

    navigator.setStep(Step::Output);
    navigator.next();
    QCOMPARE(requested.count(), 0);

    navigator.previous();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.takeFirst().at(0).value<Step>(), Step::WeightedSum);

    navigator.setStep(Step::Embeddings);
    navigator.previous();
    QCOMPARE(requested.count(), 0);
    navigator.next();
    QCOMPARE(requested.takeFirst().at(0).value<Step>(), Step::QKV);

    // The ▶ button does the same as next().
    QToolButton *nextButton = nullptr;
    for (QToolButton *button : navigator.findChildren<QToolButton *>())
        if (button->toolTip() == QStringLiteral("Next step (Page Down)"))
            nextButton = button;
    QVERIFY(nextButton);
    QTest::mouseClick(nextButton, Qt::LeftButton);
    QCOMPARE(requested.takeFirst().at(0).value<Step>(), Step::Scores);
}

void tst_Navigation::navigatorSetStepIsSilent()
{
    StepNavigator navigator;
    QSignalSpy requested(&navigator, &StepNavigator::stepRequested);
    for (Step step : kAllSteps) {
        navigator.setStep(step);
        QCOMPARE(navigator.step(), step);
    }
    navigator.setStepEnabled(Step::Scale, false);
    QVERIFY(!navigator.isStepEnabled(Step::Scale));
    QCOMPARE(requested.count(), 0);

    // A switched-off step can still be visited.
    QTest::mouseClick(buttonWithText(&navigator, QStringLiteral("Scale")), Qt::LeftButton);
    QCOMPARE(requested.takeFirst().at(0).value<Step>(), Step::Scale);
}

void tst_Navigation::navigatorFitsNarrowWindow_data()
{
    QTest::addColumn<int>("width");
    QTest::newRow("1024 px") << 1024;
    QTest::newRow("1920 px") << 1920;
}

void tst_Navigation::navigatorFitsNarrowWindow()
{
    QFETCH(int, width);
    StepNavigator navigator;
    navigator.resize(width, 60);
    navigator.show();
    QVERIFY(QTest::qWaitForWindowExposed(&navigator));
    // The step bar may change its height when it wraps the titles; let the layout settle.
    navigator.resize(width, navigator.sizeHint().height());
    QTRY_VERIFY(navigator.height() >= navigator.sizeHint().height());
    const auto buttons = navigator.findChildren<QToolButton *>();
    QCOMPARE(buttons.size(), 10);
    for (QToolButton *button : buttons) {
        QVERIFY2(button->geometry().right() < navigator.width(), qPrintable(button->text()));
        // Never squeezed below what its text needs: nothing is clipped.
        QVERIFY2(button->width() >= button->sizeHint().width(), qPrintable(button->text()));
        QVERIFY2(button->height() >= button->sizeHint().height(), qPrintable(button->text()));
        QVERIFY(button->font().pointSizeF() >= 12.0);
    }
}

void tst_Navigation::flowClickRequestsStep()
{
    FlowDiagram flow;
    flow.resize(260, 520);
    QSignalSpy requested(&flow, &FlowDiagram::stepRequested);
    QTest::mouseClick(&flow, Qt::LeftButton, {}, flow.boxRect(Step::Scale).center());
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.takeFirst().at(0).value<Step>(), Step::Scale);

    // Each of the Q, K and V boxes stands for the one Q, K, V step.
    const QRect row = flow.boxRect(Step::QKV);
    QTest::mouseClick(&flow, Qt::LeftButton, {}, QPoint(row.left() + 10, row.center().y()));
    QCOMPARE(requested.takeFirst().at(0).value<Step>(), Step::QKV);
}

void tst_Navigation::flowBoxesDoNotOverlap_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("smallest") << QSize(200, 380);
    QTest::newRow("design size") << QSize(260, 520);
    QTest::newRow("large") << QSize(400, 800);
}

void tst_Navigation::flowBoxesDoNotOverlap()
{
    QFETCH(QSize, size);
    FlowDiagram flow;
    flow.resize(size);
    for (std::size_t a = 0; a < kAllSteps.size(); ++a) {
        const QRect boxA = flow.boxRect(kAllSteps[a]);
        QVERIFY(flow.rect().contains(boxA));
        QVERIFY(boxA.height() >= 20);
        for (std::size_t b = a + 1; b < kAllSteps.size(); ++b)
            QVERIFY2(!boxA.intersects(flow.boxRect(kAllSteps[b])),
                     qPrintable(stepTitleText(kAllSteps[a]) + " / " + stepTitleText(kAllSteps[b])));
    }
}

void tst_Navigation::flowCurrentStepIsLit()
{
    FlowDiagram flow;
    flow.resize(260, 520);
    flow.setOptions(true, MaskMode::Causal, false);
    flow.setStep(Step::Scores);
    QCOMPARE(flow.step(), Step::Scores);

    const QImage image = flow.grab().toImage();
    const qreal ratio = image.devicePixelRatio();
    QVERIFY(!image.isNull());
    // Not blank: more than a handful of colours were painted.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 10, qPrintable(QString::number(colours.size())));

    const QPoint lit = interiorPoint(flow.boxRect(Step::Scores)) * ratio;
    const QPoint unlit = interiorPoint(flow.boxRect(Step::Softmax)) * ratio;
    QVERIFY(image.pixel(lit) != image.pixel(unlit));

    // Moving the step moves the light at once, without waiting for the fade.
    flow.setStep(Step::Softmax);
    const QImage after = flow.grab().toImage();
    QVERIFY(after.pixel(unlit) != image.pixel(unlit));
    QCOMPARE(after.pixel(lit), image.pixel(unlit));
}

QTEST_MAIN(tst_Navigation)
#include "tst_navigation.moc"
