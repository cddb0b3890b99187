// Viridis, the perceptually uniform and colour-blind-safe map every heatmap uses.
#pragma once

#include <QColor>

namespace attention {

// t in [0, 1] (clamped) → viridis colour; dark purple at 0, yellow at 1.
QColor viridis(double t);
// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor &background);

} // namespace attention
