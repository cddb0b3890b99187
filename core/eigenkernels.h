// Loops written with Eigen that are compiled twice, like the attention kernels: eigenkernels_avx2.cpp for
// AVX2 + FMA and eigenkernels_generic.cpp for any x86-64, the caller choosing by attentionKernelName().
// - matmulRows: the bench's yardstick, the two matrix products of attention alone in float (Q·Kᵀ, then W·V).
// - softmaxColumns: the exponentials and row sums of the teaching trace's softmax, in double.
// Plain pointers only: this header must not bring Eigen's templates into the AVX2 file.
#pragma once

namespace attention_eigenkernels {

// Rows [r0, r1) of out = (Q · Kᵀ) · V for row-major n × d matrices q, k, v; w is scratch of (r1 − r0) × n.
using MatmulRowsFn = void (*)(const float *q, const float *k, const float *v, long n, long d, long r0, long r1,
                              float *w, float *out);
// Column-major rows × cols: weights = exp(masked − rowMax) per row, exactly 0 where masked is −∞, and
// rowSum = each row's sum of them.
using SoftmaxColumnsFn = void (*)(const double *masked, const double *rowMax, long rows, long cols,
                                  double *weights, double *rowSum);

#define ATTENTION_EIGENKERNELS_DECLARE                                                                          \
    void matmulRows(const float *q, const float *k, const float *v, long n, long d, long r0, long r1, float *w, \
                    float *out);                                                                                \
    void softmaxColumns(const double *masked, const double *rowMax, long rows, long cols, double *weights,     \
                        double *rowSum);
namespace avx2 {
ATTENTION_EIGENKERNELS_DECLARE
}
namespace generic {
ATTENTION_EIGENKERNELS_DECLARE
}
#undef ATTENTION_EIGENKERNELS_DECLARE

// The pair for this processor: AVX2 when it has AVX2 and FMA (and the program was built for x86-64).
MatmulRowsFn matmulRowsFor(bool avx2);
SoftmaxColumnsFn softmaxColumnsFor(bool avx2);

} // namespace attention_eigenkernels
