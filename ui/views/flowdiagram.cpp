// The geometry is recomputed from the widget's size on demand, so text stays ≥ 11 pt at any panel size.
#include "labels.h"
#include "flowdiagram.h"

#include "theme.h"

#include <QEvent>
#include <QFontInfo>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QVariantAnimation>
#include <algorithm>
#include <array>

namespace attention {

namespace {

enum Box { BoxX, BoxQ, BoxK, BoxV, BoxDot, BoxScale, BoxMask, BoxSoftmax, BoxTimesV, BoxOutput, BoxCount };

constexpr std::array<Step, BoxCount> kBoxStep{Step::Embeddings,  Step::QKV,   Step::QKV,  Step::QKV,
                                              Step::Scores,      Step::Scale, Step::Mask, Step::Softmax,
                                              Step::WeightedSum, Step::Output};

constexpr QSize kDesignSize(260, 520); // the size the proportions below were tuned at
constexpr int kTintAlpha = 56;         // the current step's fill: light enough to keep its text crisp

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t, a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

} // namespace

struct FlowDiagram::Geometry
{
    QFont font;
    QFont labelFont; // the ×W_Q and "weights" labels on the arrows
    std::array<QRectF, BoxCount> boxes;
    std::array<qreal, 3> column{}; // x centres of the Q, K and V columns
    qreal chainX = 0;              // x of the arrows between the boxes of the main chain
};

FlowDiagram::FlowDiagram(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
    setAccessibleName(tr("Flow diagram of the attention steps"));

    m_animation = new QVariantAnimation(this);
    m_animation->setDuration(200);
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(1.0);
    m_animation->setEasingCurve(QEasingCurve::OutCubic);
    connect(m_animation, &QVariantAnimation::valueChanged, this, [this](const QVariant &value) {
        m_fade = value.toDouble();
        update();
    });
}

void FlowDiagram::setStep(Step step)
{
    if (step == m_step)
        return;
    m_previousStep = m_step;
    m_step = step;
    m_animation->stop();
    if (isVisible()) {
        m_fade = 0.0;
        m_animation->start();
    } else {
        m_fade = 1.0;
    }
    update();
}

void FlowDiagram::setOptions(bool scale, MaskMode mask, bool swapQK)
{
    m_scale = scale;
    m_mask = mask;
    m_swapQK = swapQK;
    update();
}

QRect FlowDiagram::boxRect(Step step) const
{
    const Geometry g = geometry();
    QRectF united;
    for (int b = 0; b < BoxCount; ++b)
        if (kBoxStep[static_cast<std::size_t>(b)] == step)
            united = united.isNull() ? g.boxes[static_cast<std::size_t>(b)]
                                     : united.united(g.boxes[static_cast<std::size_t>(b)]);
    return united.toAlignedRect();
}

QSize FlowDiagram::sizeHint() const
{
    return kDesignSize;
}

QSize FlowDiagram::minimumSizeHint() const
{
    return {200, 380};
}

FlowDiagram::Geometry FlowDiagram::geometry() const
{
    Geometry g;
    const qreal width = this->width();
    const qreal height = this->height();

    // Text grows with the panel, but never below the app's minimum.
    const qreal scale = std::min(width / kDesignSize.width(), height / kDesignSize.height());
    const qreal base = std::max(QFontInfo(font()).pointSizeF(), 10.0);
    g.font = font();
    g.font.setPointSizeF(std::clamp(base * 1.3 * scale, theme::kMinimumPointSize, 24.0));
    g.labelFont = font();
    g.labelFont.setPointSizeF(std::clamp(base * 1.1 * scale, theme::kMinimumPointSize, 20.0));
    const qreal line = QFontMetricsF(g.font).height();
    const qreal labelLine = QFontMetricsF(g.labelFont).height();

    const qreal margin = std::max(6.0, width * 0.03);
    const qreal gap = std::max(8.0, width * 0.045);
    const qreal columnWidth = (width - 2 * margin - 2 * gap) / 3;
    for (std::size_t i = 0; i < 3; ++i)
        g.column[i] = margin + columnWidth / 2 + static_cast<qreal>(i) * (columnWidth + gap);
    // The main chain sits under Q and K, leaving the V column free for V's long arrow down to × V.
    const qreal chainLeft = margin;
    const qreal chainRight = margin + 2 * columnWidth + gap;
    g.chainX = (chainLeft + chainRight) / 2;

    // Eight rows of boxes; the two gaps that carry a label on their arrow get more room.
    constexpr int rows = 8;
    constexpr std::array<qreal, rows - 1> gapWeight{1.7, 1.0, 1.0, 1.0, 1.0, 1.7, 1.0};
    qreal weightSum = 0;
    for (qreal w : gapWeight)
        weightSum += w;
    const qreal available = height - 2 * margin;
    const qreal minUnit = (labelLine + 8) / 1.7;
    qreal boxHeight = std::min(line * 2.0, std::max(line + 4, (available - weightSum * minUnit) / rows));
    qreal unit = std::max(0.0, (available - rows * boxHeight) / weightSum);

    std::array<qreal, rows> top{};
    qreal y = margin;
    for (int r = 0; r < rows; ++r) {
        top[static_cast<std::size_t>(r)] = y;
        if (r < rows - 1)
            y += boxHeight + gapWeight[static_cast<std::size_t>(r)] * unit;
    }

    g.boxes[BoxX] = QRectF(margin, top[0], width - 2 * margin, boxHeight);
    for (std::size_t i = 0; i < 3; ++i)
        g.boxes[BoxQ + i] = QRectF(g.column[i] - columnWidth / 2, top[1], columnWidth, boxHeight);
    const std::array<Box, 6> chain{BoxDot, BoxScale, BoxMask, BoxSoftmax, BoxTimesV, BoxOutput};
    for (std::size_t i = 0; i < chain.size(); ++i)
        g.boxes[chain[i]] = QRectF(chainLeft, top[i + 2], chainRight - chainLeft, boxHeight);
    return g;
}

int FlowDiagram::stepAt(const QPoint &pos) const
{
    const Geometry g = geometry();
    for (int b = 0; b < BoxCount; ++b)
        if (g.boxes[static_cast<std::size_t>(b)].contains(pos))
            return stepIndex(kBoxStep[static_cast<std::size_t>(b)]);
    return -1;
}

bool FlowDiagram::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int index = stepAt(help->pos());
        if (index >= 0) {
            const Step step = kAllSteps[static_cast<std::size_t>(index)];
            QString tip =
                tr("Step %1: %2\n%3").arg(index + 1).arg(stepTitleText(step), stepFormulaText(step, m_swapQK));
            QToolTip::showText(help->globalPos(), tip, this, boxRect(step));
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

void FlowDiagram::paintEvent(QPaintEvent *)
{
    const Geometry g = geometry();
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);

    const QColor ink = palette().color(QPalette::Text);
    const QColor background = palette().color(QPalette::Base);
    const QColor neutral = blend(background, ink, 0.55);
    const QColor dimInk = blend(background, ink, 0.5);
    const qreal thin = std::max(1.5, g.font.pointSizeF() / 8);
    const qreal thick = thin * 2.2;

    auto isDim = [this](int b) {
        return (b == BoxScale && !m_scale) || (b == BoxMask && m_mask == MaskMode::None);
    };
    // How strongly a step is lit: the new step fades in from 40 % (so it is visible at once), the old one
    // out.
    auto emphasis = [this](Step step) {
        if (step == m_step)
            return 0.4 + 0.6 * m_fade;
        if (step == m_previousStep)
            return 1.0 - m_fade;
        return 0.0;
    };
    auto roleColour = [this](int b) {
        switch (b) {
        case BoxQ:
            return theme::query();
        case BoxK:
            return theme::key();
        case BoxV:
            return theme::value();
        case BoxDot:
            return m_swapQK ? theme::warning() : theme::query();
        case BoxOutput:
            return theme::output();
        default:
            return theme::query(); // the accent the step bar uses for "you are here"
        }
    };

    // 1. Arrows, drawn first so the boxes cover their tails.
    auto arrow = [&](QPointF from, QPointF to, const QColor &colour, Step into, bool elbow = false) {
        const bool lit = into == m_step;
        const qreal penWidth = lit ? thick : thin;
        painter.setPen(QPen(colour, penWidth, Qt::SolidLine, Qt::FlatCap, Qt::MiterJoin));
        painter.setBrush(Qt::NoBrush);
        const qreal head = 4 + 2.2 * penWidth;
        QPainterPath path(from);
        QPointF lastFrom = from;
        if (elbow) { // down, then sideways into the box
            const QPointF corner(from.x(), to.y());
            path.lineTo(corner);
            lastFrom = corner;
        }
        const QLineF last(lastFrom, to);
        // Large text in a short panel can squeeze two boxes together: no room for an arrow, and its
        // direction would be 0/0. (A head with NaN corners kept the raster engine busy for a minute.)
        if (!(last.length() > head))
            return;
        const QPointF unitVector = (to - lastFrom) / last.length();
        path.lineTo(to - unitVector * head * 0.8);
        painter.drawPath(path);
        const QPointF normal(-unitVector.y(), unitVector.x());
        const QPointF base = to - unitVector * head;
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawPolygon(QPolygonF{to, base + normal * head * 0.55, base - normal * head * 0.55});
    };
    const auto &box = g.boxes;
    const std::array<QColor, 3> qkvColour{theme::query(), theme::key(), theme::value()};
    for (std::size_t i = 0; i < 3; ++i)
        arrow({g.column[i], box[BoxX].bottom()}, {g.column[i], box[BoxQ + i].top()}, qkvColour[i], Step::QKV);
    arrow({g.column[0], box[BoxQ].bottom()}, {g.column[0], box[BoxDot].top()}, theme::query(), Step::Scores);
    arrow({g.column[1], box[BoxK].bottom()}, {g.column[1], box[BoxDot].top()}, theme::key(), Step::Scores);
    const std::array<std::pair<Box, Box>, 5> chainLinks{{{BoxDot, BoxScale},
                                                         {BoxScale, BoxMask},
                                                         {BoxMask, BoxSoftmax},
                                                         {BoxSoftmax, BoxTimesV},
                                                         {BoxTimesV, BoxOutput}}};
    for (const auto &[from, to] : chainLinks)
        arrow({g.chainX, box[from].bottom()}, {g.chainX, box[to].top()}, neutral, kBoxStep[to]);
    arrow({g.column[2], box[BoxV].bottom()}, {box[BoxTimesV].right(), box[BoxTimesV].center().y()},
          theme::value(), Step::WeightedSum, true);

    // 2. Boxes.
    for (int b = 0; b < BoxCount; ++b) {
        const QRectF rect = box[static_cast<std::size_t>(b)];
        const Step step = kBoxStep[static_cast<std::size_t>(b)];
        const QColor role = roleColour(b);
        const double lit = emphasis(step);
        const bool current = step == m_step;
        const bool dim = isDim(b);

        QColor outline = (b == BoxQ || b == BoxK || b == BoxV || b == BoxOutput || (b == BoxDot && m_swapQK))
                             ? role
                             : neutral;
        if (current)
            outline = role;
        QPen pen(outline, current ? thick : thin);
        if (dim)
            pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        painter.setBrush(lit > 0 ? blend(background, role, kTintAlpha / 255.0 * lit) : background);
        const qreal inset = pen.widthF() / 2;
        painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), 6, 6);

        QString text;
        switch (b) {
        case BoxX:
            text = tr("X (input)");
            break;
        case BoxQ:
            text = QStringLiteral("Q");
            break;
        case BoxK:
            text = QStringLiteral("K");
            break;
        case BoxV:
            text = QStringLiteral("V");
            break;
        case BoxDot:
            text = m_swapQK ? QStringLiteral("K·Qᵀ ⚠") : QStringLiteral("Q·Kᵀ");
            break;
        case BoxScale:
            text = m_scale ? QStringLiteral("÷ √d_k") : tr("(no scaling)");
            break;
        case BoxMask:
            text = m_mask == MaskMode::None     ? tr("(no mask)")
                   : m_mask == MaskMode::Causal ? tr("causal mask")
                                                : tr("custom mask");
            break;
        case BoxSoftmax:
            text = tr("softmax");
            break;
        case BoxTimesV:
            text = QStringLiteral("× V");
            break;
        case BoxOutput:
            text = tr("output");
            break;
        }
        QFont font = g.font;
        font.setBold(current || b == BoxQ || b == BoxK || b == BoxV);
        painter.setFont(font);
        QColor textColour = ink;
        if (b == BoxQ || b == BoxK || b == BoxV || (b == BoxDot && m_swapQK))
            textColour = role.darker(110);
        if (dim)
            textColour = dimInk;
        painter.setPen(textColour);
        const QRectF textRect = rect.adjusted(4, 0, -4, 0);
        painter.drawText(textRect, Qt::AlignCenter,
                         QFontMetricsF(font).elidedText(text, Qt::ElideRight, textRect.width()));
    }

    // 3. Labels on the arrows: the weight matrices, and the name of softmax's result.
    painter.setFont(g.labelFont);
    const QFontMetricsF labelMetrics(g.labelFont);
    auto label = [&](const QString &text, QPointF centre, const QColor &colour) {
        const QSizeF size(labelMetrics.horizontalAdvance(text) + 8, labelMetrics.height());
        const QRectF rect(centre - QPointF(size.width() / 2, size.height() / 2), size);
        // Cut the arrow with the panel's own colour, so the label reads as part of the arrow, not a box.
        painter.setPen(Qt::NoPen);
        painter.setBrush(palette().color(backgroundRole()));
        painter.drawRoundedRect(rect, 4, 4);
        painter.setPen(colour);
        painter.drawText(rect, Qt::AlignCenter, text);
    };
    const std::array<QString, 3> weightNames{QStringLiteral("×W_Q"), QStringLiteral("×W_K"),
                                             QStringLiteral("×W_V")};
    const qreal weightY = (box[BoxX].bottom() + box[BoxQ].top()) / 2;
    for (std::size_t i = 0; i < 3; ++i)
        label(weightNames[i], {g.column[i], weightY}, qkvColour[i].darker(110));
    label(tr("weights"), {g.chainX, (box[BoxSoftmax].bottom() + box[BoxTimesV].top()) / 2}, ink);
}

void FlowDiagram::mousePressEvent(QMouseEvent *event)
{
    m_pressedStep = event->button() == Qt::LeftButton ? stepAt(event->position().toPoint()) : -1;
    QWidget::mousePressEvent(event);
}

void FlowDiagram::mouseReleaseEvent(QMouseEvent *event)
{
    // Like a button: the step is requested only if the press and the release land on the same box.
    const int step = event->button() == Qt::LeftButton ? stepAt(event->position().toPoint()) : -1;
    if (step >= 0 && step == m_pressedStep)
        emit stepRequested(kAllSteps[static_cast<std::size_t>(step)]);
    m_pressedStep = -1;
    QWidget::mouseReleaseEvent(event);
}

void FlowDiagram::mouseMoveEvent(QMouseEvent *event)
{
    setCursor(stepAt(event->position().toPoint()) >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QWidget::mouseMoveEvent(event);
}

} // namespace attention
