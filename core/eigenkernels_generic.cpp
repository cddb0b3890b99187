// The kernels of eigenkernels.h built for any x86-64 (SSE2), and the choice between the two builds.
#include "eigenkernels.h"

#include <Eigen/Core>
#include <limits>

namespace attention_eigenkernels {
namespace generic {
#include "eigenkernels_kernel.inc"
}

MatmulRowsFn matmulRowsFor(bool avx2) { return avx2 ? &avx2::matmulRows : &generic::matmulRows; }
SoftmaxColumnsFn softmaxColumnsFor(bool avx2) { return avx2 ? &avx2::softmaxColumns : &generic::softmaxColumns; }
AttendRowsGemmFn attendRowsGemmFor(bool avx2) { return avx2 ? &avx2::attendRowsGemm : &generic::attendRowsGemm; }

} // namespace attention_eigenkernels
