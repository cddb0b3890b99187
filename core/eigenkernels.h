// Loops written with Eigen that are compiled twice, like the attention kernels: eigenkernels_avx2.cpp for
// AVX2 + FMA and eigenkernels_generic.cpp for any x86-64, the caller choosing by attentionKernelName().
// - matmulRows: the bench's yardstick, the two matrix products of attention alone in float (Q·Kᵀ, then W·V).
// - softmaxColumns: the exponentials and row sums of the teaching trace's softmax, in double.
// - attendRowsGemm: the fast path's block of query rows, softmax(Q·Kᵀ·scale)·V with Eigen's GEMMs around a
//   vectorized softmax, the block's scores in cache.
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
// Rows [r0, r1) of out = softmax(Q·Kᵀ · scale, causal mask optional) · V for row-major n × d q, k, v.
// scores: (r1 − r0) × n floats, 64-byte aligned; sums: r1 − r0 floats.
using AttendRowsGemmFn = void (*)(const float *q, const float *k, const float *v, long n, long d, long r0,
                                  long r1, float scale, bool causal, float *scores, float *sums, float *out);

#define ATTENTION_EIGENKERNELS_DECLARE                                                                          \
    void matmulRows(const float *q, const float *k, const float *v, long n, long d, long r0, long r1, float *w, \
                    float *out);                                                                                \
    void softmaxColumns(const double *masked, const double *rowMax, long rows, long cols, double *weights,     \
                        double *rowSum);                                                                        \
    void attendRowsGemm(const float *q, const float *k, const float *v, long n, long d, long r0, long r1,      \
                        float scale, bool causal, float *scores, float *sums, float *out);
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
AttendRowsGemmFn attendRowsGemmFor(bool avx2);

} // namespace attention_eigenkernels
