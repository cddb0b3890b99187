// Step buttons painted by hand so the current step's bold title never changes a button's width mid-lesson.
#include "labels.h"
#include "stepnavigator.h"

#include "theme.h"

#include <QButtonGroup>
#include <QEvent>
#include <QFontInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QToolButton>
#include <algorithm>
#include <vector>

namespace attention {

namespace {

constexpr int kBarHeight = 3; // the query-purple line under the current step
constexpr int kPadY = 4;
constexpr int kPadX = 10;     // roomy padding for wide windows
constexpr int kTightPadX = 5; // first thing to give up when the window narrows
constexpr double kMinimumStepPointSize = 12.0; // the back row of a classroom still reads it
// The measured widths miss a pixel or two of the layout's rounding; better a size smaller than a cut title.
constexpr int kSparePixels = 4;

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t, a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

} // namespace

// Shorter titles for a bar too narrow for the full ones even at the smallest readable size; the full
// title stays in the tooltip and the accessible name.
QString shortStepTitle(Step step)
{
    switch (step) {
    case Step::Embeddings:
        return StepNavigator::tr("Embed");
    case Step::WeightedSum:
        return StepNavigator::tr("Sum");
    default:
        return stepTitleText(step);
    }
}

// One step: "6 Softmax" on one line, or, when the window is narrow, "6" above "Softmax".
class StepButton : public QToolButton
{
public:
    using Density = StepNavigator::Density;

    StepButton(Step step, StepNavigator *navigator)
        : QToolButton(navigator), m_step(step), m_navigator(navigator)
    {
        setCheckable(true);
        setAttribute(Qt::WA_Hover);
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        updateText();
        setAccessibleName(StepNavigator::tr("Step %1: %2").arg(number(), stepTitleText(step)));
        setAccessibleDescription(stepFormulaText(step));
        updateToolTip();
    }

    void setStepEnabled(bool enabled)
    {
        m_stepEnabled = enabled;
        updateToolTip();
        update();
    }
    bool stepEnabled() const { return m_stepEnabled; }

    void setDensity(Density density)
    {
        if (density == m_density)
            return;
        m_density = density;
        updateGeometry();
        update();
    }
    Density density() const { return m_density; }

    void setShortTitle(bool shortTitle)
    {
        if (shortTitle == m_shortTitle)
            return;
        m_shortTitle = shortTitle;
        updateText();
    }

    // Measured in bold, the current step's font, so that checking a button never resizes it.
    static QSize sizeFor(const QFont &font, const QString &number, const QString &title, Density density)
    {
        QFont bold = font;
        bold.setBold(true);
        const QFontMetrics metrics(bold);
        if (density != Density::TwoLines) {
            const int padX = density == Density::Roomy ? kPadX : kTightPadX;
            return {metrics.horizontalAdvance(number + QLatin1Char(' ') + title) + 2 * padX + 4,
                    metrics.height() + 2 * kPadY + kBarHeight};
        }
        const int width = std::max(metrics.horizontalAdvance(number), metrics.horizontalAdvance(title));
        return {width + 2 * kTightPadX + 4, 2 * metrics.height() + 2 * kPadY + kBarHeight};
    }
    QSize sizeFor(const QFont &font, bool shortTitle, Density density) const
    {
        return sizeFor(font, number(), shortTitle ? shortStepTitle(m_step) : stepTitleText(m_step), density);
    }

    QSize sizeHint() const override { return sizeFor(font(), m_shortTitle, m_density); }

    QSize minimumSizeHint() const override
    {
        // Below this the title is elided; the number always stays readable.
        QFont bold = font();
        bold.setBold(true);
        const QFontMetrics metrics(bold);
        return {metrics.horizontalAdvance(number() + QStringLiteral(" W…")) + 2 * kTightPadX,
                sizeHint().height()};
    }

protected:
    void keyPressEvent(QKeyEvent *event) override
    {
        // The eight steps are one stop in the Tab order; arrows walk them, and show each step at once.
        switch (event->key()) {
        case Qt::Key_Left:
        case Qt::Key_Up:
            m_navigator->stepByKey(-1);
            break;
        case Qt::Key_Right:
        case Qt::Key_Down:
            m_navigator->stepByKey(1);
            break;
        case Qt::Key_Home:
            m_navigator->stepByKey(-static_cast<int>(kAllSteps.size()));
            break;
        case Qt::Key_End:
            m_navigator->stepByKey(static_cast<int>(kAllSteps.size()));
            break;
        default:
            QToolButton::keyPressEvent(event);
            return;
        }
        event->accept();
    }

    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        const QRect area = rect();
        const QColor accent = theme::query();

        QColor fill = Qt::transparent;
        if (isDown())
            fill = QColor(accent.red(), accent.green(), accent.blue(), 70);
        else if (isChecked())
            fill = QColor(accent.red(), accent.green(), accent.blue(), 36);
        else if (underMouse())
            fill = QColor(accent.red(), accent.green(), accent.blue(), 18);
        painter.setPen(Qt::NoPen);
        painter.setBrush(fill);
        painter.drawRoundedRect(QRectF(area).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
        if (isChecked())
            painter.fillRect(
                QRect(area.left() + 2, area.bottom() - kBarHeight + 1, area.width() - 4, kBarHeight), accent);

        QFont font = isChecked() ? boldFont() : this->font();
        font.setStrikeOut(!m_stepEnabled);
        painter.setFont(font);
        QColor ink = palette().color(QPalette::ButtonText);
        if (isChecked())
            ink = accent.darker(115);
        if (!m_stepEnabled)
            ink = blend(palette().color(QPalette::Button), ink, 0.55);
        painter.setPen(ink);

        const QRect textArea = area.adjusted(2, kPadY, -2, -kPadY - kBarHeight);
        const QFontMetrics metrics(font);
        // The bar picks a density and a font at which every title fits (see updateCompact); eliding is the
        // last resort of a window narrower than any of them.
        if (m_density != Density::TwoLines) {
            painter.drawText(textArea, Qt::AlignCenter,
                             metrics.elidedText(text(), Qt::ElideRight, textArea.width()));
        } else {
            const int line = metrics.height();
            const int top = textArea.top() + (textArea.height() - 2 * line) / 2;
            painter.drawText(QRect(textArea.left(), top, textArea.width(), line), Qt::AlignCenter, number());
            painter.drawText(QRect(textArea.left(), top + line, textArea.width(), line), Qt::AlignCenter,
                             metrics.elidedText(title(), Qt::ElideRight, textArea.width()));
        }

        if (hasFocus()) {
            // Solid and as thick as a stroke of the text, so it reads on a projector too.
            const double width = std::max(2.0, QFontMetricsF(this->font()).height() / 9.0);
            painter.setPen(QPen(palette().color(QPalette::Highlight), width));
            painter.setBrush(Qt::NoBrush);
            const double inset = width / 2 + 0.5;
            painter.drawRoundedRect(QRectF(area).adjusted(inset, inset, -inset, -inset), 4, 4);
        }
    }

private:
    QFont boldFont() const
    {
        QFont bold = font();
        bold.setBold(true);
        return bold;
    }
    QString number() const { return QString::number(stepIndex(m_step) + 1); }
    QString title() const { return m_shortTitle ? shortStepTitle(m_step) : stepTitleText(m_step); }

    void updateText()
    {
        setText(QStringLiteral("%1 %2").arg(number(), title()));
        updateGeometry();
        update();
    }

    void updateToolTip()
    {
        QString tip = StepNavigator::tr("Step %1: %2\n%3")
                          .arg(number(), stepTitleText(m_step), stepFormulaText(m_step));
        if (!m_stepEnabled)
            tip += StepNavigator::tr(
                "\nSwitched off in the current settings: this step passes its input through "
                "unchanged.");
        setToolTip(tip);
    }

    Step m_step;
    StepNavigator *m_navigator;
    bool m_stepEnabled = true;
    bool m_shortTitle = false;
    Density m_density = Density::Roomy;
};

StepNavigator::StepNavigator(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setAccessibleName(tr("Steps"));
    setAccessibleDescription(tr("The eight steps of self-attention; arrow keys move between them"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);

    m_previous = new QToolButton(this);
    m_previous->setText(QStringLiteral("◀"));
    m_previous->setToolTip(tr("Previous step (Page Up)"));
    m_previous->setAccessibleName(tr("Previous step"));
    m_previous->setAutoRaise(true);
    // The arrow keys on the steps do the same, so the bar stays one stop in the Tab order.
    m_previous->setFocusPolicy(Qt::NoFocus);
    connect(m_previous, &QToolButton::clicked, this, &StepNavigator::previous);
    layout->addWidget(m_previous);
    layout->addStretch(1);

    m_group = new QButtonGroup(this);
    m_group->setExclusive(true);
    for (std::size_t i = 0; i < kAllSteps.size(); ++i) {
        if (i > 0) {
            auto *separator = new QLabel(QStringLiteral("›"), this);
            separator->setAccessibleName(QString()); // decoration: screen readers should skip it
            m_separators[i - 1] = separator;
            layout->addWidget(separator);
        }
        m_buttons[i] = new StepButton(kAllSteps[i], this);
        m_group->addButton(m_buttons[i], static_cast<int>(i));
        layout->addWidget(m_buttons[i]);
    }
    connect(m_group, &QButtonGroup::idClicked, this,
            [this](int id) { requestStep(kAllSteps[static_cast<std::size_t>(id)]); });

    layout->addStretch(1);
    m_next = new QToolButton(this);
    m_next->setText(QStringLiteral("▶"));
    m_next->setToolTip(tr("Next step (Page Down)"));
    m_next->setAccessibleName(tr("Next step"));
    m_next->setAutoRaise(true);
    m_next->setFocusPolicy(Qt::NoFocus);
    connect(m_next, &QToolButton::clicked, this, &StepNavigator::next);
    layout->addWidget(m_next);

    updateFonts();
    setStep(Step::Embeddings);
}

void StepNavigator::setStep(Step step)
{
    m_step = step;
    const int index = stepIndex(step);
    m_buttons[static_cast<std::size_t>(index)]->setChecked(true);
    m_previous->setEnabled(index > 0);
    m_next->setEnabled(index + 1 < static_cast<int>(kAllSteps.size()));
    updateFocusPolicies();
}

void StepNavigator::updateFocusPolicies()
{
    // Only the current step takes Tab focus, so Tab leaves the bar in one press; a click still focuses.
    const int index = stepIndex(m_step);
    bool hadFocus = false;
    for (std::size_t i = 0; i < m_buttons.size(); ++i) {
        hadFocus = hadFocus || m_buttons[i]->hasFocus();
        m_buttons[i]->setFocusPolicy(static_cast<int>(i) == index ? Qt::StrongFocus : Qt::ClickFocus);
    }
    if (hadFocus)
        m_buttons[static_cast<std::size_t>(index)]->setFocus(Qt::OtherFocusReason);
}

void StepNavigator::stepByKey(int delta)
{
    const int last = static_cast<int>(kAllSteps.size()) - 1;
    const int index = std::clamp(stepIndex(m_step) + delta, 0, last);
    if (index != stepIndex(m_step))
        requestStep(kAllSteps[static_cast<std::size_t>(index)]);
    m_buttons[static_cast<std::size_t>(index)]->setFocus(Qt::TabFocusReason);
}

void StepNavigator::setStepEnabled(Step step, bool enabled)
{
    m_buttons[static_cast<std::size_t>(stepIndex(step))]->setStepEnabled(enabled);
}

bool StepNavigator::isStepEnabled(Step step) const
{
    return m_buttons[static_cast<std::size_t>(stepIndex(step))]->stepEnabled();
}

void StepNavigator::next()
{
    const auto index = static_cast<std::size_t>(stepIndex(m_step)) + 1;
    if (index < kAllSteps.size())
        requestStep(kAllSteps[index]);
}

void StepNavigator::previous()
{
    const int index = stepIndex(m_step) - 1;
    if (index >= 0)
        requestStep(kAllSteps[static_cast<std::size_t>(index)]);
}

void StepNavigator::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateCompact();
}

void StepNavigator::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        updateFonts();
    QWidget::changeEvent(event);
}

void StepNavigator::requestStep(Step step)
{
    // Show the choice at once, so a quick second Page Down moves on from here even before the window answers.
    setStep(step);
    emit stepRequested(step);
}

void StepNavigator::updateFonts()
{
    // At least 12 pt for the back row of a classroom; grows with the window's zoom.
    m_stepPointSize = std::max(kMinimumStepPointSize, QFontInfo(font()).pointSizeF() * 1.2);
    m_fitApplied = false;
    const QColor muted =
        blend(palette().color(QPalette::Window), palette().color(QPalette::WindowText), 0.55);
    for (QLabel *separator : m_separators) {
        QPalette palette = separator->palette();
        palette.setColor(QPalette::WindowText, muted);
        separator->setPalette(palette);
    }
    updateCompact();
}

int StepNavigator::neededWidth(const Fit &fit) const
{
    QFont f = font();
    f.setPointSizeF(fit.pointSize);
    const QFontMetrics metrics(f);
    const QMargins margins = layout()->contentsMargins();
    // A tool button is its text plus a space each side (both grow with the font) plus the style's own
    // padding, which does not: measured on the arrow buttons as they are now.
    const auto arrowWidth = [&](QToolButton *b) {
        const QFontMetrics now(b->font());
        const int text = now.horizontalAdvance(b->text()) + 2 * now.horizontalAdvance(QLatin1Char(' '));
        const int padding = std::max(0, b->sizeHint().width() - text);
        return metrics.horizontalAdvance(b->text()) + 2 * metrics.horizontalAdvance(QLatin1Char(' ')) +
               padding;
    };
    int needed = margins.left() + margins.right() + arrowWidth(m_previous) + arrowWidth(m_next);
    for (StepButton *button : m_buttons)
        needed += button->sizeFor(f, fit.shortTitles, fit.density).width();
    for (QLabel *separator : m_separators)
        needed += metrics.boundingRect(QRect(0, 0, 2000, 2000), Qt::AlignLeft, separator->text()).width() +
                  2 * separator->margin();
    needed += layout()->spacing() * static_cast<int>(m_buttons.size() + m_separators.size() + 1);
    return needed;
}

void StepNavigator::updateCompact()
{
    // The first of these that fits the width: one line with roomy, then tight padding; numbers above
    // titles; then the titles shrink, half a point at a time, down to the 12 pt minimum; then the short
    // titles. Each is measured from the width and the font alone, never from the current state, so the
    // choice cannot flip back and forth as the bar's height changes.
    std::vector<Fit> fits = {{Density::Roomy, m_stepPointSize, false},
                             {Density::Tight, m_stepPointSize, false},
                             {Density::TwoLines, m_stepPointSize, false}};
    for (double size = m_stepPointSize - 0.5; size >= kMinimumStepPointSize - 1e-9; size -= 0.5)
        fits.push_back({Density::TwoLines, size, false});
    fits.push_back({Density::TwoLines, kMinimumStepPointSize, true});
    Fit chosen = fits.back();
    for (const Fit &fit : fits)
        if (neededWidth(fit) + kSparePixels <= width()) {
            chosen = fit;
            break;
        }
    applyFit(chosen);
}

void StepNavigator::applyFit(const Fit &fit)
{
    if (m_fitApplied && fit.density == m_fit.density && fit.pointSize == m_fit.pointSize &&
        fit.shortTitles == m_fit.shortTitles)
        return;
    m_fit = fit;
    m_fitApplied = true;
    QFont stepFont = font();
    stepFont.setPointSizeF(fit.pointSize);
    for (StepButton *button : m_buttons) {
        button->setFont(stepFont);
        button->setShortTitle(fit.shortTitles);
        button->setDensity(fit.density);
    }
    for (QLabel *separator : m_separators)
        separator->setFont(stepFont);
    m_previous->setFont(stepFont);
    m_next->setFont(stepFont);
    updateGeometry();
}

} // namespace attention
