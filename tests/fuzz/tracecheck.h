// What every successful trace promises, checked by the fuzz harnesses that run models.
#pragma once

#include "attention.h"
#include "fuzzcheck.h"

#include <cmath>
#include <limits>

namespace fuzz {

inline bool finite(const Eigen::MatrixXd &m)
{
    return m.size() == 0 || m.allFinite();
}

// Checks shapes, finiteness, the mask and every weight row of every head of a trace that succeeded.
// `expected` is the mask the options ask for, worked out by the harness itself.
inline void checkTrace(const attention::AttentionTrace &t, const attention::BoolMatrix &expected)
{
    using attention::HeadTrace;
    const int n = t.tokenCount();
    const auto &model = *t.model;
    FUZZ_CHECK(n > 0, "a trace that succeeded has no tokens");
    FUZZ_CHECK(t.blocked.rows() == n && t.blocked.cols() == n, "the mask is %ld × %ld for %d tokens",
               static_cast<long>(t.blocked.rows()), static_cast<long>(t.blocked.cols()), n);
    FUZZ_CHECK(expected.rows() == n && expected.cols() == n, "the harness expected a mask of another shape");
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            FUZZ_CHECK(t.blocked(i, j) == expected(i, j), "mask cell (%d, %d) is %d; the options ask for %d",
                       i, j, int(t.blocked(i, j)), int(expected(i, j)));
    FUZZ_CHECK(t.fullyMasked.size() == static_cast<std::size_t>(n),
               "fullyMasked has %zu entries for %d tokens", t.fullyMasked.size(), n);
    for (int i = 0; i < n; ++i)
        FUZZ_CHECK(t.fullyMasked[std::size_t(i)] == bool(t.blocked.row(i).all()),
                   "query %d: fullyMasked is %d but the mask row says %d", i,
                   int(t.fullyMasked[std::size_t(i)]), int(t.blocked.row(i).all()));
    FUZZ_CHECK(t.layers.size() == model.layers.size(), "the trace has %zu layers; the model has %zu",
               t.layers.size(), model.layers.size());
    FUZZ_CHECK(finite(t.tokenEmbeddings) && finite(t.positionEmbeddings), "an embedding is not finite");

    for (std::size_t l = 0; l < t.layers.size(); ++l) {
        const attention::LayerTrace &layer = t.layers[l];
        for (const Eigen::MatrixXd *m :
             {&layer.input, &layer.concat, &layer.attentionOutput, &layer.residual1, &layer.norm1,
              &layer.ffHidden, &layer.ffOutput, &layer.residual2, &layer.output})
            FUZZ_CHECK(finite(*m), "layer %zu has a number that is not finite", l);
        FUZZ_CHECK(layer.output.rows() == n && layer.output.cols() == model.d_model,
                   "layer %zu output is %ld × %ld", l, static_cast<long>(layer.output.rows()),
                   static_cast<long>(layer.output.cols()));
        FUZZ_CHECK(layer.heads.size() == model.layers[l].heads.size(), "layer %zu has %zu heads", l,
                   layer.heads.size());
        for (std::size_t h = 0; h < layer.heads.size(); ++h) {
            const HeadTrace &head = layer.heads[h];
            for (const Eigen::MatrixXd *m :
                 {&head.Q, &head.K, &head.V, &head.scores, &head.scaled, &head.weights, &head.output})
                FUZZ_CHECK(finite(*m), "layer %zu head %zu has a number that is not finite", l, h);
            FUZZ_CHECK(head.weights.rows() == n && head.weights.cols() == n,
                       "layer %zu head %zu weights are %ld × %ld", l, h,
                       static_cast<long>(head.weights.rows()), static_cast<long>(head.weights.cols()));
            // The scores are Q·Kᵀ, or K·Qᵀ with swapQK, up to rounding.
            const Eigen::MatrixXd reference = t.options.swapQK ? Eigen::MatrixXd(head.K * head.Q.transpose())
                                                               : Eigen::MatrixXd(head.Q * head.K.transpose());
            const double scale =
                1.0 + head.Q.cwiseAbs().maxCoeff() * head.K.cwiseAbs().maxCoeff() * head.Q.cols();
            FUZZ_CHECK((reference - head.scores).cwiseAbs().maxCoeff() <= 1e-12 * scale,
                       "layer %zu head %zu: the scores are not %s", l, h, t.options.swapQK ? "K·Qᵀ" : "Q·Kᵀ");
            const double divisor = t.options.scale ? std::sqrt(double(head.Q.cols())) : 1.0;
            FUZZ_CHECK(head.divisor == divisor, "layer %zu head %zu divides by %g, not %g", l, h,
                       head.divisor, divisor);
            for (int i = 0; i < n; ++i) {
                double sum = 0.0;
                for (int j = 0; j < n; ++j) {
                    const double w = head.weights(i, j);
                    FUZZ_CHECK(w >= 0.0 && w <= 1.0, "layer %zu head %zu weight (%d, %d) is %g", l, h, i, j,
                               w);
                    if (t.blocked(i, j)) {
                        FUZZ_CHECK(w == 0.0, "layer %zu head %zu: blocked cell (%d, %d) has weight %g", l, h,
                                   i, j, w);
                        FUZZ_CHECK(head.masked(i, j) == -std::numeric_limits<double>::infinity(),
                                   "layer %zu head %zu: blocked cell (%d, %d) is not −∞ before softmax", l, h,
                                   i, j);
                    } else {
                        FUZZ_CHECK(head.masked(i, j) == head.scaled(i, j),
                                   "layer %zu head %zu: open cell (%d, %d) changed by the mask", l, h, i, j);
                    }
                    sum += w;
                }
                if (t.fullyMasked[std::size_t(i)])
                    FUZZ_CHECK(sum == 0.0, "layer %zu head %zu: fully masked row %d sums to %g", l, h, i,
                               sum);
                else
                    FUZZ_CHECK(std::abs(sum - 1.0) <= 1e-9, "layer %zu head %zu: row %d sums to %.17g", l, h,
                               i, sum);
            }
        }
    }
}

} // namespace fuzz
