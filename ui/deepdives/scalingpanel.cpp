#include "scalingpanel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSlider>
#include <QValueAxis>
#include <QVBoxLayout>
#include <cmath>

namespace attention {

namespace {
// A chart for a narrow side panel: the plot takes the room (no rounded card with wide margins inside the
// view), and the title, the labels and the legend are in the panel's own font, not Qt Charts' smaller one.
void fitToPanel(QChart *chart, const QFont &font)
{
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    QFont bold = font;
    bold.setBold(true);
    chart->setTitleFont(bold);
    chart->legend()->setFont(font);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsFont(font);
        axis->setTitleFont(font);
    }
}

constexpr int kKeys = 12;     // keys per query: a sentence's worth
constexpr int kTrials = 200;  // queries averaged per d_k
constexpr unsigned kSeed = 2017;
} // namespace

const std::vector<int> &ScalingPanel::dkValues()
{
    static const std::vector<int> values = [] {
        std::vector<int> v;
        for (int d = 2; d <= 1024; d *= 2)
            v.push_back(d);
        return v;
    }();
    return values;
}

ScalingPanel::ScalingPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("scalingPanel"));
    auto *v = new QVBoxLayout(this);
    auto *title = new QLabel(tr("<b>Why divide by √d_k?</b>"), this);
    auto *intro = new QLabel(tr("Random queries and keys with entries of variance 1. A score q·k adds d_k "
                                "products, so its spread grows like √d_k; dividing by √d_k brings it back to 1."),
                             this);
    intro->setWordWrap(true);
    v->addWidget(title);
    v->addWidget(intro);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, int(dkValues().size()) - 1);
    m_slider->setPageStep(1);
    m_slider->setAccessibleName(tr("d_k"));
    m_value = new QLabel(this);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("d_k"), this));
    row->addWidget(m_slider, 1);
    row->addWidget(m_value);
    v->addLayout(row);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    v->addWidget(m_summary);

    // The softmax of one query's 12 scores, without and with the scaling.
    auto *weights = new QChart;
    weights->setTitle(tr("One query's %1 weights").arg(kKeys));
    m_rawWeights = new QBarSet(tr("raw"));
    m_scaledWeights = new QBarSet(tr("÷ √d_k"));
    m_rawWeights->setColor(QColor(214, 96, 77));
    m_scaledWeights->setColor(QColor(67, 147, 195));
    auto *bars = new QBarSeries;
    bars->append(m_rawWeights);
    bars->append(m_scaledWeights);
    weights->addSeries(bars);
    auto *keys = new QBarCategoryAxis;
    for (int i = 1; i <= kKeys; ++i)
        keys->append(QString::number(i));
    keys->setLabelsVisible(false); // twelve random keys: their numbers say nothing
    weights->addAxis(keys, Qt::AlignBottom);
    bars->attachAxis(keys);
    m_weightsAxis = new QValueAxis;
    m_weightsAxis->setRange(0, 1);
    m_weightsAxis->setTickCount(3); // 0, 0.5, 1: room for the bars in a side panel
    m_weightsAxis->setLabelFormat(QStringLiteral("%.1f"));
    weights->addAxis(m_weightsAxis, Qt::AlignLeft);
    bars->attachAxis(m_weightsAxis);
    weights->legend()->setAlignment(Qt::AlignBottom);
    fitToPanel(weights, font());
    m_weightsView = new QChartView(weights, this);
    m_weightsView->setRenderHint(QPainter::Antialiasing);
    m_weightsView->setMinimumHeight(220);
    v->addWidget(m_weightsView, 1);

    // The size of the softmax's gradient (the Jacobian's norm) against d_k: the vanishing gradient.
    // Its points are computed when the panel is first shown (about 0.2 s), not when the window starts.
    auto *gradient = new QChart;
    gradient->setTitle(tr("Gradient size ‖J‖ against d_k"));
    m_rawGradient = new QLineSeries;
    m_rawGradient->setName(tr("raw"));
    m_scaledGradient = new QLineSeries;
    m_scaledGradient->setName(tr("÷ √d_k"));
    m_rawGradient->setColor(QColor(214, 96, 77));
    m_scaledGradient->setColor(QColor(67, 147, 195));
    m_marker = new QScatterSeries;
    m_marker->setName(tr("here"));
    m_marker->setMarkerSize(11);
    m_marker->setColor(QColor(40, 40, 40));
    gradient->addSeries(m_rawGradient);
    gradient->addSeries(m_scaledGradient);
    gradient->addSeries(m_marker);
    auto *x = new QLogValueAxis;
    x->setBase(4); // labels at 4, 16, 64, 256, 1,024: room for each in a side panel
    x->setRange(2, 1024);
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTitleText(tr("d_k"));
    auto *y = new QValueAxis;
    m_gradientAxis = y;
    // No rotated title at the side (the chart's title names it): the plot keeps that width.
    y->setLabelFormat(QStringLiteral("%.2f"));
    y->setTickCount(3);
    gradient->addAxis(x, Qt::AlignBottom);
    gradient->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(m_rawGradient), static_cast<QAbstractSeries *>(m_scaledGradient),
                               static_cast<QAbstractSeries *>(m_marker)}) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    gradient->legend()->setAlignment(Qt::AlignBottom);
    fitToPanel(gradient, font());
    m_gradientView = new QChartView(gradient, this);
    m_gradientView->setRenderHint(QPainter::Antialiasing);
    m_gradientView->setMinimumHeight(220);
    v->addWidget(m_gradientView, 1);

    m_slider->setValue(5); // d_k = 64, the trained models' size class
    connect(m_slider, &QSlider::valueChanged, this, &ScalingPanel::update);
}

void ScalingPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_curve.empty())
        update();
}

void ScalingPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_weightsView && m_gradientView) {
        fitToPanel(m_weightsView->chart(), font());
        fitToPanel(m_gradientView->chart(), font());
    }
}

void ScalingPanel::computeCurve()
{
    if (!m_curve.empty())
        return;
    double top = 0;
    for (int d : dkValues()) {
        const ScalingPoint p = scalingExperiment(d, kKeys, kTrials, kSeed);
        m_rawGradient->append(p.dk, p.rawGradient);
        m_scaledGradient->append(p.dk, p.scaledGradient);
        top = std::max({top, p.rawGradient, p.scaledGradient});
        m_curve.push_back(p);
    }
    m_gradientAxis->setRange(0, top * 1.1);
}

int ScalingPanel::dk() const
{
    return dkValues()[std::size_t(m_slider->value())];
}

void ScalingPanel::setDk(int dk)
{
    int best = 0;
    for (int i = 0; i < int(dkValues().size()); ++i)
        if (std::abs(std::log2(double(dkValues()[std::size_t(i)])) - std::log2(double(std::max(dk, 1)))) <
            std::abs(std::log2(double(dkValues()[std::size_t(best)])) - std::log2(double(std::max(dk, 1)))))
            best = i;
    m_slider->setValue(best);
}

void ScalingPanel::update()
{
    computeCurve();
    m_point = m_curve[std::size_t(m_slider->value())];
    const ScalingPoint &p = m_point;
    m_value->setText(QString::number(p.dk));
    m_summary->setText(
        tr("Spread of the scores: %1 unscaled, %2 scaled (√%3 = %4).\n"
           "Largest weight of a row: %5 unscaled, %6 scaled. Entropy: %7 against %8 nats (%9 for even weights).\n"
           "Gradient size: %10 unscaled, %11 scaled.")
            .arg(p.rawSpread, 0, 'f', 2)
            .arg(p.scaledSpread, 0, 'f', 2)
            .arg(p.dk)
            .arg(std::sqrt(double(p.dk)), 0, 'f', 1)
            .arg(p.rawMaxWeight, 0, 'f', 2)
            .arg(p.scaledMaxWeight, 0, 'f', 2)
            .arg(p.rawEntropy, 0, 'f', 2)
            .arg(p.scaledEntropy, 0, 'f', 2)
            .arg(std::log(double(kKeys)), 0, 'f', 2)
            .arg(p.rawGradient, 0, 'f', 3)
            .arg(p.scaledGradient, 0, 'f', 3));
    const Eigen::VectorXd raw = softmaxOf(Eigen::Map<const Eigen::VectorXd>(p.rawScores.data(), Eigen::Index(p.rawScores.size())));
    const Eigen::VectorXd scaled =
        softmaxOf(Eigen::Map<const Eigen::VectorXd>(p.scaledScores.data(), Eigen::Index(p.scaledScores.size())));
    m_rawWeights->remove(0, m_rawWeights->count());
    m_scaledWeights->remove(0, m_scaledWeights->count());
    for (Eigen::Index i = 0; i < raw.size(); ++i) {
        m_rawWeights->append(raw(i));
        m_scaledWeights->append(scaled(i));
    }
    m_marker->clear();
    m_marker->append(p.dk, p.rawGradient);
    m_marker->append(p.dk, p.scaledGradient);
}

} // namespace attention
