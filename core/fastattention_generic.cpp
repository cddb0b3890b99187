// The kernels compiled for any x86-64 (SSE2): the fallback when the processor lacks AVX2 or FMA.
#include "fastattention_kernel.h"

#define FA_QK_NV 1
#define FA_PV_NV 1
namespace fastattention_detail {
namespace generic {
#include "fastattention_kernel.inc"
}
} // namespace fastattention_detail
