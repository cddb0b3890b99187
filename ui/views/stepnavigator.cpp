// Step buttons painted by hand so the current step's bold title never changes a button's width mid-lesson.
#include "labels.h"
#include "stepnavigator.h"

#include "theme.h"

#include <QButtonGroup>
#include <QEvent>
#include <QFontInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QToolButton>

namespace attention {

namespace {

constexpr int kBarHeight = 3; // the query-purple line under the current step
constexpr int kPadY = 4;
constexpr int kPadX = 10;     // roomy padding for wide windows
constexpr int kTightPadX = 5; // first thing to give up when the window narrows

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t, a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

} // namespace

// One step: "6 Softmax" on one line, or, when the window is narrow, "6" above "Softmax".
class StepButton : public QToolButton
{
public:
    using Density = StepNavigator::Density;

    StepButton(Step step, QWidget *parent) : QToolButton(parent), m_step(step)
    {
        setCheckable(true);
        setAttribute(Qt::WA_Hover);
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        setText(QStringLiteral("%1 %2").arg(stepIndex(step) + 1).arg(stepTitleText(step)));
        setAccessibleName(stepTitleText(step));
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

    // Measured in bold, the current step's font, so that checking a button never resizes it.
    QSize oneLineSize(int padX = kPadX) const
    {
        const QFontMetrics metrics(boldFont());
        return {metrics.horizontalAdvance(text()) + 2 * padX, metrics.height() + 2 * kPadY + kBarHeight};
    }

    QSize sizeHint() const override
    {
        if (m_density != Density::TwoLines)
            return oneLineSize(m_density == Density::Roomy ? kPadX : kTightPadX);
        const QFontMetrics metrics(boldFont());
        const int width = std::max(metrics.horizontalAdvance(number()), metrics.horizontalAdvance(title()));
        return {width + 2 * kTightPadX, 2 * metrics.height() + 2 * kPadY + kBarHeight};
    }

    QSize minimumSizeHint() const override
    {
        // Below this the title is elided; the number always stays readable.
        const QFontMetrics metrics(boldFont());
        return {metrics.horizontalAdvance(number() + QStringLiteral(" W…")) + 2 * kTightPadX,
                sizeHint().height()};
    }

protected:
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
            QPen focus(palette().color(QPalette::Highlight), 1.5, Qt::DotLine);
            painter.setPen(focus);
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(QRectF(area).adjusted(1.5, 1.5, -1.5, -1.5), 4, 4);
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
    QString title() const { return stepTitleText(m_step); }

    void updateToolTip()
    {
        QString tip = StepNavigator::tr("Step %1: %2\n%3").arg(number(), title(), stepFormulaText(m_step));
        if (!m_stepEnabled)
            tip += StepNavigator::tr(
                "\nSwitched off in the current settings: this step passes its input through "
                "unchanged.");
        setToolTip(tip);
    }

    Step m_step;
    bool m_stepEnabled = true;
    Density m_density = Density::Roomy;
};

StepNavigator::StepNavigator(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);

    m_previous = new QToolButton(this);
    m_previous->setText(QStringLiteral("◀"));
    m_previous->setToolTip(tr("Previous step (Page Up)"));
    m_previous->setAccessibleName(tr("Previous step"));
    m_previous->setAutoRaise(true);
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
    QFont stepFont = font();
    stepFont.setPointSizeF(std::max(12.0, QFontInfo(font()).pointSizeF() * 1.2));
    for (StepButton *button : m_buttons)
        button->setFont(stepFont);
    for (QLabel *separator : m_separators) {
        separator->setFont(stepFont);
        QPalette muted = separator->palette();
        muted.setColor(QPalette::WindowText,
                       blend(palette().color(QPalette::Window), palette().color(QPalette::WindowText), 0.55));
        separator->setPalette(muted);
    }
    m_previous->setFont(stepFont);
    m_next->setFont(stepFont);
    updateCompact();
}

void StepNavigator::updateCompact()
{
    // Titles go under their numbers only when even tight padding cannot fit one line: a narrow window
    // or a big zoom. The test uses the roomy one-line widths alone, so it cannot flip back and forth.
    const QMargins margins = layout()->contentsMargins();
    int needed =
        margins.left() + margins.right() + m_previous->sizeHint().width() + m_next->sizeHint().width();
    for (StepButton *button : m_buttons)
        needed += button->oneLineSize().width();
    for (QLabel *separator : m_separators)
        needed += separator->sizeHint().width();
    needed += layout()->spacing() * static_cast<int>(m_buttons.size() + m_separators.size() + 1);
    const int tightSaving = 2 * (kPadX - kTightPadX) * static_cast<int>(m_buttons.size());
    const Density density = needed <= width()                 ? Density::Roomy
                            : needed - tightSaving <= width() ? Density::Tight
                                                              : Density::TwoLines;
    if (density == m_density)
        return;
    m_density = density;
    for (StepButton *button : m_buttons)
        button->setDensity(density);
    updateGeometry();
}

} // namespace attention
