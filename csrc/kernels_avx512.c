/* Kernels for x86-64 with AVX-512F (Skylake-X, Zen 4 and later). */
#include "kernels.h"
#ifdef SIGMOIDX_X86_DISPATCH
SIGMOIDX_TARGET_BEGIN("avx512f,avx2,fma,f16c")
#define SIGMOIDX_TARGET_HAS_FMA 1 /* sigmoid_math.h: fma() is one instruction */
#include "kernels_f16c.h"
#include "kernels_f32x8.h"
#include "kernels_f64x4.h"
#define KERNEL_TABLE kernels_avx512
#define KERNEL_NAME "avx512"
#include "kernels_impl.h"
SIGMOIDX_TARGET_END
#endif
