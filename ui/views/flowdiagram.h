// A small map of the whole pipeline, X → Q, K, V → … → output, with the current step lit up.
#pragma once

#include "attention.h"
#include "steps.h"

#include <QWidget>

class QVariantAnimation;

namespace attention {

class FlowDiagram : public QWidget
{
    Q_OBJECT
public:
    explicit FlowDiagram(QWidget *parent = nullptr);

    // Takes effect at once; the fade that follows only eases the colours, so nothing waits for it.
    void setStep(Step step);
    Step step() const { return m_step; }
    // Scaling off and no mask dim their boxes; swapQK shows the mistake, K·Qᵀ, in warning red.
    void setOptions(bool scale, MaskMode mask, bool swapQK);

    // The box that lights up for `step`; for Step::QKV the row of the Q, K and V boxes.
    QRect boxRect(Step step) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void stepRequested(Step step);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    struct Geometry;
    Geometry geometry() const;
    int stepAt(const QPoint &pos) const;

    Step m_step = Step::Embeddings;
    Step m_previousStep = Step::Embeddings;
    bool m_scale = true;
    MaskMode m_mask = MaskMode::None;
    bool m_swapQK = false;
    int m_pressedStep = -1;
    double m_fade = 1.0; // 0 → 1 while the highlight moves from m_previousStep to m_step
    QVariantAnimation *m_animation = nullptr;
};

} // namespace attention
