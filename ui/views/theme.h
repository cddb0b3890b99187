// Colour roles and sizes shared by every view: queries purple, keys orange, values blue.
#pragma once

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPen>
#include <QWidget>
#include <algorithm>

namespace attention::theme {

inline QColor query()
{
    return QColor(0x7B, 0x3F, 0xBF);
} // purple
inline QColor key()
{
    return QColor(0xD9, 0x6C, 0x00);
} // orange
inline QColor value()
{
    return QColor(0x1F, 0x6F, 0xB4);
} // blue
inline QColor output()
{
    return QColor(0x2E, 0x7D, 0x32);
} // green: results of a step
inline QColor blocked()
{
    return QColor(0xC8, 0xC8, 0xC8);
} // masked cells (−∞)
inline QColor blockedText()
{
    return QColor(0x50, 0x50, 0x50);
}
inline QColor warning()
{
    return QColor(0xC6, 0x28, 0x28);
} // the swapped-Q/K mistake
inline QColor unknownWord()
{
    return QColor(0xB2, 0x6A, 0x00);
}
inline QColor selection()
{
    return QColor(0xFF, 0x40, 0x81);
} // the selected cell's outline

// The smallest point size any text on screen may use (readable at 1366×768 and on a projector).
constexpr double kMinimumPointSize = 11.0;

// The keyboard focus: a solid frame as thick as a stroke of the text, so it reads on a projector too.
inline void drawFocusFrame(QPainter &p, const QRectF &area, const QWidget *widget)
{
    const double width = std::max(2.0, QFontMetricsF(widget->font()).height() / 9.0);
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(widget->palette().color(QPalette::Highlight), width));
    p.setBrush(Qt::NoBrush);
    p.drawRect(area.adjusted(width / 2, width / 2, -width / 2, -width / 2));
    p.restore();
}

} // namespace attention::theme
