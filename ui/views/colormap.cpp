// Viridis sampled at 17 points (matplotlib's published table) and interpolated linearly in between.
#include "colormap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace attention {

namespace {
constexpr std::array<std::array<double, 3>, 17> kViridis{{
    {0.267004, 0.004874, 0.329415},
    {0.282327, 0.094955, 0.417331},
    {0.278826, 0.175490, 0.483397},
    {0.258965, 0.251537, 0.524736},
    {0.229739, 0.322361, 0.545706},
    {0.199430, 0.387607, 0.554642},
    {0.172719, 0.448791, 0.557885},
    {0.149039, 0.508051, 0.557250},
    {0.127568, 0.566949, 0.550556},
    {0.120638, 0.625828, 0.533488},
    {0.157851, 0.683765, 0.501686},
    {0.246070, 0.738910, 0.451365},
    {0.369214, 0.788888, 0.382914},
    {0.515992, 0.831158, 0.294279},
    {0.678489, 0.863742, 0.189503},
    {0.845561, 0.887322, 0.099702},
    {0.993248, 0.906157, 0.143936},
}};
} // namespace

QColor viridis(double t)
{
    if (!std::isfinite(t))
        t = 0.0;
    t = std::clamp(t, 0.0, 1.0) * (kViridis.size() - 1);
    const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(t), kViridis.size() - 2);
    const double f = t - static_cast<double>(i);
    const auto &a = kViridis[i];
    const auto &b = kViridis[i + 1];
    return QColor::fromRgbF(static_cast<float>(a[0] + f * (b[0] - a[0])),
                            static_cast<float>(a[1] + f * (b[1] - a[1])),
                            static_cast<float>(a[2] + f * (b[2] - a[2])));
}

QColor textColorOn(const QColor &background)
{
    // Relative luminance (Rec. 709 weights); viridis turns light at about t = 0.55.
    const double y = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return y > 0.45 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace attention
