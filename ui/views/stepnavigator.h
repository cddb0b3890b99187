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
    // The point size the step titles are drawn at now (shrunk from the zoomed size when the bar is narrow),
    // and whether the short titles ("Embed", "Sum") stand in for the full ones, which stay in the tooltip.
    double stepPointSize() const { return m_fit.pointSize; }
    bool usesShortTitles() const { return m_fit.shortTitles; }
    // True when the numbers stand above the titles (two lines).
    bool titlesUnderNumbers() const { return m_fit.density == Density::TwoLines; }

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
    // One way to draw the bar: a density at a font, with the full titles or the short ones.
    struct Fit
    {
        Density density = Density::Roomy;
        double pointSize = 12.0;
        bool shortTitles = false;
    };

    void requestStep(Step step);
    // Moves to the step `delta` places away (clamped) and keeps the keyboard focus on the step bar.
    void stepByKey(int delta);
    void updateFonts();
    void updateCompact();
    void updateFocusPolicies();
    int neededWidth(const Fit &fit) const;
    void applyFit(const Fit &fit);

    QButtonGroup *m_group = nullptr;
    std::array<StepButton *, kAllSteps.size()> m_buttons{};
    std::array<QLabel *, kAllSteps.size() - 1> m_separators{};
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    Step m_step = Step::Embeddings;
    double m_stepPointSize = 12.0; // the step font before any shrinking to fit
    Fit m_fit;
    bool m_fitApplied = false;
};

} // namespace attention
