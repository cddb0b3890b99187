// Paints only the chips in view, so a 2,048-token input scrolls as smoothly as a short sentence.
#include "tokenstrip.h"

#include "labels.h"
#include "theme.h"

#include <QFontInfo>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <algorithm>

namespace attention {

namespace {

constexpr int kMargin = 6; // around the row; also leaves room for the focus frame
constexpr int kGap = 6;    // between chips
constexpr int kPadX = 9;   // text to chip border
constexpr int kPadY = 4;
constexpr int kIndexGap = 1;           // chip to its index number
constexpr int kMaxChipTextWidth = 240; // a pasted URL must not become one screen-wide chip
constexpr double kRadius = 6.0;

// Control characters would draw as nothing; show their Unicode "control picture" instead.
QString visibleText(const QString &text)
{
    if (text.isEmpty())
        return QStringLiteral("∅");
    QString out = text;
    for (QChar &c : out)
        if (c.unicode() < 0x20)
            c = QChar(0x2400 + c.unicode());
    return out;
}

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t, a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

} // namespace

TokenStrip::TokenStrip(QWidget *parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Tokens"));
    setAccessibleDescription(tr("Left and Right move between the tokens, Enter or Space chooses one"));

    m_scrollBar = new QScrollBar(Qt::Horizontal, this);
    m_scrollBar->setFocusPolicy(Qt::NoFocus);
    m_scrollBar->setSingleStep(24);
    m_scrollBar->hide();
    connect(m_scrollBar, &QScrollBar::valueChanged, this, [this] { update(); });

    updateFonts();
}

void TokenStrip::setTokens(const QStringList &texts, const QVector<bool> &known,
                           const QString &unknownTooltip)
{
    m_texts = texts;
    m_known = known;
    // A short `known` list must not make tokens look unknown: missing entries count as known.
    m_known.resize(m_texts.size(), true);
    m_unknownTooltip = unknownTooltip;
    m_originLabels.clear();
    m_originExplanations.clear();
    m_fromWordNet.clear();
    setAccessibleName(tr("Tokens: %n", nullptr, static_cast<int>(m_texts.size())));
    m_selected = -1;
    m_hovered = -1;
    layoutChips();
    m_scrollBar->setValue(0);
    updateGeometry();
    update();
}

void TokenStrip::setSelected(int index)
{
    if (index < 0 || index >= count())
        index = -1;
    m_selected = index;
    if (index >= 0) {
        const QRect chip = m_chips[index];
        const int offset = m_scrollBar->value();
        if (chip.left() - kMargin < offset)
            m_scrollBar->setValue(chip.left() - kMargin);
        else if (chip.right() + kMargin >= offset + width())
            m_scrollBar->setValue(chip.right() + kMargin - width() + 1);
        setAccessibleDescription(toolTipFor(index));
    }
    update();
}

QRect TokenStrip::chipRect(int index) const
{
    if (index < 0 || index >= count())
        return {};
    return m_chips[index].translated(-scrollOffset(), chipTop());
}

QString TokenStrip::toolTipFor(int index) const
{
    if (index < 0 || index >= count())
        return {};
    const QString &text = m_texts[index];
    if (index < m_originLabels.size())
        return tr("Token %1: “%2”, %3.\n%4")
            .arg(index)
            .arg(text, m_originLabels[index], m_originExplanations[index]);
    if (m_known[index])
        return tr("Token %1: “%2”").arg(index).arg(text);
    const QString why =
        m_unknownTooltip.isEmpty() ? tr("“%1” is not in this model's vocabulary.") : m_unknownTooltip;
    return why.contains(QLatin1String("%1")) ? why.arg(text) : why;
}

void TokenStrip::setOrigins(const QStringList &labels, const QStringList &explanations,
                            const QVector<bool> &fromWordNet)
{
    const bool fits = labels.size() == m_texts.size() && explanations.size() == m_texts.size() &&
                      fromWordNet.size() == m_texts.size();
    m_originLabels = fits ? labels : QStringList();
    m_originExplanations = fits ? explanations : QStringList();
    m_fromWordNet = fits ? fromWordNet : QVector<bool>();
    layoutChips();
    update();
}

QString TokenStrip::originLabel(int index) const
{
    return index >= 0 && index < m_originLabels.size() ? m_originLabels[index] : QString();
}

QSize TokenStrip::sizeHint() const
{
    int height = 2 * kMargin + m_chipHeight + kIndexGap + m_indexHeight;
    // Reserve the scroll bar's height so it never pushes the index numbers out.
    if (m_contentWidth > width())
        height += m_scrollBar->sizeHint().height();
    return {std::clamp(m_contentWidth, 200, 800), height};
}

QSize TokenStrip::minimumSizeHint() const
{
    return {100, 2 * kMargin + m_chipHeight};
}

bool TokenStrip::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int index = chipAt(help->pos());
        if (index >= 0)
            QToolTip::showText(help->globalPos(), literalToolTip(toolTipFor(index)), this, chipRect(index));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void TokenStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const int viewHeight = m_scrollBar->isVisibleTo(this) ? height() - m_scrollBar->height() : height();
    painter.setClipRect(0, 0, width(), viewHeight);

    const QColor text = palette().color(QPalette::Text);
    const QColor muted = blend(palette().color(QPalette::Window), palette().color(QPalette::WindowText), 0.7);

    if (m_texts.isEmpty()) {
        QFont hint = m_smallFont;
        hint.setItalic(true);
        painter.setFont(hint);
        painter.setPen(muted);
        painter.drawText(QRect(kMargin, 0, width() - 2 * kMargin, viewHeight),
                         Qt::AlignLeft | Qt::AlignVCenter, tr("No tokens yet: type a sentence above."));
        return;
    }

    const int offset = scrollOffset();
    const bool showIndices = indicesFit();
    const QFontMetrics chipMetrics(m_chipFont);
    QFont questionFont = m_smallFont;
    questionFont.setBold(true);
    const int questionWidth = QFontMetrics(questionFont).horizontalAdvance(QLatin1Char('?'));

    // The chips are sorted by x, so a binary search finds the first one in view.
    auto first = std::lower_bound(m_chips.cbegin(), m_chips.cend(), offset,
                                  [](const QRect &chip, int x) { return chip.right() < x; });
    for (auto it = first; it != m_chips.cend() && it->left() <= offset + width(); ++it) {
        const int i = static_cast<int>(it - m_chips.cbegin());
        const QRect chip = chipRect(i);
        const QRectF box = QRectF(chip).adjusted(0.75, 0.75, -0.75, -0.75);
        const bool selected = i == m_selected;
        const bool unknown = !m_known[i];

        QPen border(selected ? theme::query().darker(120) : palette().color(QPalette::Mid), 1.5);
        if (unknown) {
            border.setColor(theme::unknownWord());
            border.setStyle(Qt::DashLine);
        } else if (i == m_hovered && !selected) {
            border.setColor(theme::query());
        }
        painter.setPen(border);
        painter.setBrush(selected ? theme::query() : palette().color(QPalette::Base));
        painter.drawRoundedRect(box, kRadius, kRadius);

        const QString label =
            chipMetrics.elidedText(visibleText(m_texts[i]), Qt::ElideMiddle, kMaxChipTextWidth);
        const int labelWidth = chipMetrics.horizontalAdvance(label);
        const bool fromWordNet = !unknown && i < m_fromWordNet.size() && m_fromWordNet[i];
        const int extra = unknown || fromWordNet ? questionWidth + 2 : 0;
        const int textLeft = chip.left() + (chip.width() - labelWidth - extra) / 2;
        painter.setFont(m_chipFont);
        painter.setPen(selected ? QColor(Qt::white) : text);
        painter.drawText(QRect(textLeft, chip.top(), labelWidth + 1, chip.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, label);
        if (unknown) {
            // A superscript: the eye reads it as a footnote on the word, which the tooltip explains.
            painter.setFont(questionFont);
            painter.setPen(selected ? QColor(Qt::white) : theme::unknownWord());
            painter.drawText(
                QRect(textLeft + labelWidth + 2, chip.top() + 1, questionWidth + 1, chip.height()),
                Qt::AlignLeft | Qt::AlignTop, QStringLiteral("?"));
        } else if (fromWordNet) {
            // "≈": the word's vector is an approximation built from the dictionary (the tooltip says so).
            painter.setFont(questionFont);
            painter.setPen(selected ? QColor(Qt::white) : muted);
            painter.drawText(
                QRect(textLeft + labelWidth + 2, chip.top() + 1, questionWidth + 1, chip.height()),
                Qt::AlignLeft | Qt::AlignTop, QStringLiteral("≈"));
        }

        if (showIndices) {
            QFont indexFont = m_smallFont;
            indexFont.setBold(selected);
            painter.setFont(indexFont);
            painter.setPen(selected ? theme::query() : muted);
            painter.drawText(QRect(chip.left() - kGap / 2, chip.bottom() + 1 + kIndexGap, chip.width() + kGap,
                                   m_indexHeight),
                             Qt::AlignHCenter | Qt::AlignTop, QString::number(i));
        }

        if (hasFocus() && i == std::max(m_selected, 0)) {
            // Solid and as thick as a stroke of the text, so it reads on a projector too.
            const double width = std::max(2.0, QFontMetricsF(m_chipFont).height() / 9.0);
            QPen focus(palette().color(QPalette::Highlight), width);
            painter.setPen(focus);
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(box.adjusted(-3, -3, 3, 3), kRadius + 2, kRadius + 2);
        }
    }
}

void TokenStrip::resizeEvent(QResizeEvent *)
{
    updateScrollBar();
    if (m_selected >= 0)
        setSelected(m_selected);
}

void TokenStrip::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange) {
        updateFonts();
        layoutChips();
        updateGeometry();
    }
    QWidget::changeEvent(event);
}

void TokenStrip::mousePressEvent(QMouseEvent *event)
{
    const int index = event->button() == Qt::LeftButton ? chipAt(event->position().toPoint()) : -1;
    if (index >= 0)
        selectByUser(index);
    else
        QWidget::mousePressEvent(event);
}

void TokenStrip::mouseMoveEvent(QMouseEvent *event)
{
    const int index = chipAt(event->position().toPoint());
    if (index != m_hovered) {
        m_hovered = index;
        setCursor(index >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void TokenStrip::leaveEvent(QEvent *event)
{
    if (m_hovered >= 0) {
        m_hovered = -1;
        update();
    }
    QWidget::leaveEvent(event);
}

void TokenStrip::keyPressEvent(QKeyEvent *event)
{
    if (count() == 0) {
        QWidget::keyPressEvent(event);
        return;
    }
    int target = m_selected;
    switch (event->key()) {
    case Qt::Key_Left:
        target = m_selected < 0 ? 0 : std::max(m_selected - 1, 0);
        break;
    case Qt::Key_Right:
        target = m_selected < 0 ? 0 : std::min(m_selected + 1, count() - 1);
        break;
    case Qt::Key_Home:
        target = 0;
        break;
    case Qt::Key_End:
        target = count() - 1;
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        // Chooses the token the focus frame is on (the first before any choice), even when it already is.
        target = std::max(m_selected, 0);
        selectByUser(target);
        event->accept();
        return;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    if (target != m_selected)
        selectByUser(target);
}

void TokenStrip::wheelEvent(QWheelEvent *event)
{
    if (!m_scrollBar->isVisibleTo(this)) {
        event->ignore();
        return;
    }
    // Most mice only have a vertical wheel; in a one-line strip it can only mean "sideways".
    const QPoint pixels = event->pixelDelta();
    const QPoint angle = event->angleDelta();
    int step = 0;
    if (!pixels.isNull())
        step = std::abs(pixels.x()) > std::abs(pixels.y()) ? pixels.x() : pixels.y();
    else
        step = (std::abs(angle.x()) > std::abs(angle.y()) ? angle.x() : angle.y()) * 3 *
               m_scrollBar->singleStep() / 120;
    m_scrollBar->setValue(m_scrollBar->value() - step);
    event->accept();
}

void TokenStrip::updateFonts()
{
    // Relative to the widget's font so the window's zoom (Ctrl +/−) grows the chips too.
    const double base = QFontInfo(font()).pointSizeF();
    m_chipFont = font();
    m_chipFont.setPointSizeF(std::max(13.0, base * 1.3));
    m_smallFont = font();
    m_smallFont.setPointSizeF(std::max(theme::kMinimumPointSize, base));
    m_chipHeight = QFontMetrics(m_chipFont).height() + 2 * kPadY;
    m_indexHeight = QFontMetrics(m_smallFont).height();
}

void TokenStrip::layoutChips()
{
    const QFontMetrics chipMetrics(m_chipFont);
    const QFontMetrics smallMetrics(m_smallFont);
    QFont questionFont = m_smallFont;
    questionFont.setBold(true);
    const int questionWidth = QFontMetrics(questionFont).horizontalAdvance(QLatin1Char('?')) + 2;

    m_chips.resize(m_texts.size());
    int x = kMargin;
    for (int i = 0; i < m_texts.size(); ++i) {
        const QString label =
            chipMetrics.elidedText(visibleText(m_texts[i]), Qt::ElideMiddle, kMaxChipTextWidth);
        const bool marked = !m_known[i] || (i < m_fromWordNet.size() && m_fromWordNet[i]);
        int width = chipMetrics.horizontalAdvance(label) + 2 * kPadX + (marked ? questionWidth : 0);
        // Wide enough for its index number, so the numbers under neighbouring chips never touch.
        width = std::max({width, smallMetrics.horizontalAdvance(QString::number(i)) + 4, m_chipHeight});
        m_chips[i] = QRect(x, 0, width, m_chipHeight);
        x += width + kGap;
    }
    m_contentWidth = m_texts.isEmpty() ? 0 : x - kGap + kMargin;
    updateScrollBar();
}

void TokenStrip::updateScrollBar()
{
    const bool needed = m_contentWidth > width();
    const int barHeight = m_scrollBar->sizeHint().height();
    m_scrollBar->setGeometry(0, height() - barHeight, width(), barHeight);
    m_scrollBar->setRange(0, std::max(0, m_contentWidth - width()));
    m_scrollBar->setPageStep(std::max(1, width()));
    if (needed != m_scrollBar->isVisibleTo(this)) {
        m_scrollBar->setVisible(needed);
        updateGeometry(); // the bar adds to the height we ask for
    }
}

void TokenStrip::selectByUser(int index)
{
    setSelected(index);
    emit tokenClicked(index);
}

int TokenStrip::chipAt(const QPoint &pos) const
{
    const int x = pos.x() + scrollOffset();
    const int top = chipTop();
    // The index number under a chip is part of its target: small numbers are hard to miss otherwise.
    const int bottom = top + m_chipHeight + (indicesFit() ? kIndexGap + m_indexHeight : 0);
    if (pos.y() < top || pos.y() >= bottom)
        return -1;
    auto it = std::lower_bound(m_chips.cbegin(), m_chips.cend(), x,
                               [](const QRect &chip, int value) { return chip.right() < value; });
    if (it == m_chips.cend() || it->left() > x)
        return -1;
    return static_cast<int>(it - m_chips.cbegin());
}

int TokenStrip::scrollOffset() const
{
    return m_scrollBar->isVisibleTo(this) ? m_scrollBar->value() : 0;
}

bool TokenStrip::indicesFit() const
{
    const int available = height() - (m_scrollBar->isVisibleTo(this) ? m_scrollBar->height() : 0);
    return available >= m_chipHeight + kIndexGap + m_indexHeight + 4;
}

int TokenStrip::chipTop() const
{
    const int available = height() - (m_scrollBar->isVisibleTo(this) ? m_scrollBar->height() : 0);
    const int block = m_chipHeight + (indicesFit() ? kIndexGap + m_indexHeight : 0);
    return std::max(2, (available - block) / 2);
}

} // namespace attention
