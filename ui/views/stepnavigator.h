// The bar of the eight pipeline steps with Previous/Next: where the learner is and what comes next.
#pragma once

#include "steps.h"

#include <QWidget>
#include <array>

class QButtonGroup;
class QLabel;
class QToolButton;

namespace attention {

class StepButton;

class StepNavigator : public QWidget
{
    Q_OBJECT
public:
    explicit StepNavigator(QWidget *parent = nullptr);

    // Shows `step` as current without emitting stepRequested: the caller already knows.
    void setStep(Step step);
    Step step() const { return m_step; }
    // A disabled step (e.g. Scale with scaling off) stays clickable but is drawn dim and struck through.
    void setStepEnabled(Step step, bool enabled);
    bool isStepEnabled(Step step) const;

public slots:
    // Request the neighbouring step; nothing happens at either end (no wrap-around).
    void next();
    void previous();

signals:
    void stepRequested(Step step);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class StepButton;
    // How the bar fits its width: roomy, tighter padding, or numbers above titles (two lines).
    enum class Density { Roomy, Tight, TwoLines };

    void requestStep(Step step);
    void updateFonts();
    void updateCompact();

    QButtonGroup *m_group = nullptr;
    std::array<StepButton *, kAllSteps.size()> m_buttons{};
    std::array<QLabel *, kAllSteps.size() - 1> m_separators{};
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    Step m_step = Step::Embeddings;
    Density m_density = Density::Roomy;
};

} // namespace attention
