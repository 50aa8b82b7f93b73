/* Kernels for aarch64 with NEON (ARMv8-A: every aarch64 CPU; no run-time check).
 * The kernel text of the avx2 and avx512 levels over vec_neon.h, 4 / 2 lanes:
 * the same bits as avx2 (scripts/test_aarch64.sh compares them). */
#include "kernels.h"
#ifdef SIGMOIDX_NEON
#include "vec_neon.h"
#include "kernels_f16c.h"
#include "kernels_vec_f32.h"
#include "kernels_vec_f64.h"
#define KERNEL_TABLE kernels_neon
#define KERNEL_NAME "neon"
#include "kernels_impl.h"
#endif
