// The kernels of eigenkernels.h built for AVX2 + FMA (see core/CMakeLists.txt). Eigen is compiled here under
// another name, EigenAvx2, so that none of its functions built for AVX2 can be merged by the linker with the
// Eigen the rest of the program uses (built for any x86-64). tests/check_avx2_symbols.cmake checks that this
// file defines no other mergeable (weak) symbol.
#include <limits>

#define Eigen EigenAvx2
#include <Eigen/Core>

#include "eigenkernels.h"

namespace attention_eigenkernels {
namespace avx2 {
#include "eigenkernels_kernel.inc"
}
} // namespace attention_eigenkernels
