// The kernels compiled for AVX2 + FMA (this file only: see core/CMakeLists.txt). Run only when the
// processor reports both (fastattention.cpp checks).
#include "fastattention_kernel.h"

#define FA_QK_NV 3
#define FA_PV_NV 2
namespace fastattention_detail {
namespace avx2 {
#include "fastattention_kernel.inc"
}
} // namespace fastattention_detail
