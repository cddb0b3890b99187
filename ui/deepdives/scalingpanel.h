// Deep dive: why scale by √d_k. A d_k slider over random queries and keys: the raw and scaled scores'
// spread, the softmax they give (how peaked, its entropy), and the softmax's gradient against d_k.
#pragma once

#include "deepdive.h"

#include <QWidget>
#include <vector>

class QLabel;
class QSlider;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QBarSet;
class QValueAxis;

namespace attention {

class ScalingPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ScalingPanel(QWidget *parent = nullptr);

    // The d_k values the slider steps through: 2, 4, … 1,024.
    static const std::vector<int> &dkValues();
    int dk() const;
    void setDk(int dk); // the nearest value of dkValues()
    QSlider *slider() const { return m_slider; }
    QLabel *summary() const { return m_summary; }
    // The experiment at the slider's d_k; its curve is computed when the panel is first shown.
    const ScalingPoint &point() const { return m_point; }
    // The curves of the gradient chart: one point per d_k, unscaled and scaled.
    QLineSeries *rawGradientSeries() const { return m_rawGradient; }
    QLineSeries *scaledGradientSeries() const { return m_scaledGradient; }
    QBarSet *rawWeights() const { return m_rawWeights; }
    QBarSet *scaledWeights() const { return m_scaledWeights; }

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override; // the charts follow the panel's font (the window's zoom)

private:
    void computeCurve();
    void update();

    QSlider *m_slider;
    QLabel *m_value;
    QLabel *m_summary;
    QChartView *m_gradientView = nullptr;
    QChartView *m_weightsView = nullptr;
    QLineSeries *m_rawGradient;
    QLineSeries *m_scaledGradient;
    QScatterSeries *m_marker;
    QBarSet *m_rawWeights;
    QBarSet *m_scaledWeights;
    QValueAxis *m_weightsAxis;
    QValueAxis *m_gradientAxis;
    std::vector<ScalingPoint> m_curve; // every d_k, computed once
    ScalingPoint m_point;
};

} // namespace attention
