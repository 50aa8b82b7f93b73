/* Kernels for x86-64 with AVX-512F (Skylake-X, Zen 4 and later): 512-bit vectors. */
#include "kernels.h"
#ifdef SIGMOIDX_X86_DISPATCH
#ifndef SIGMOIDX_AVX512_SIMDE
SIGMOIDX_TARGET_BEGIN("avx512f,avx2,fma,f16c")
#else /* test-only: the AVX-512 intrinsics emulated by SIMDe on AVX2 (vec_avx512.h) */
SIGMOIDX_TARGET_BEGIN("avx2,fma,f16c")
#endif
#define SIGMOIDX_TARGET_HAS_FMA 1 /* sigmoid_math.h: fma() is one instruction */
#include "vec_avx512.h"
#include "kernels_f16c.h"
#include "kernels_vec_f32.h"
#include "kernels_vec_f64.h"
#define KERNEL_TABLE kernels_avx512
#define KERNEL_NAME "avx512"
#include "kernels_impl.h"
SIGMOIDX_TARGET_END
#endif
