/* Kernels for x86-64 with AVX2, FMA and F16C (Haswell, Zen and later). */
#include "kernels.h"
#ifdef SIGMOIDX_X86_DISPATCH
SIGMOIDX_TARGET_BEGIN("avx2,fma,f16c")
#define SIGMOIDX_TARGET_HAS_FMA 1 /* sigmoid_math.h: fma() is one instruction */
#include "vec_avx2.h"
#include "kernels_f16c.h"
#include "kernels_vec_f32.h"
#include "kernels_vec_f64.h"
#define KERNEL_TABLE kernels_avx2
#define KERNEL_NAME "avx2"
#include "kernels_impl.h"
SIGMOIDX_TARGET_END
#endif
