/* The C API's functions for x86-64 with AVX2 and FMA: fma() in one instruction. */
#include "kernels.h"
#ifdef SIGMOIDX_X86_DISPATCH
#pragma GCC target("avx2,fma")
#define C_API_TABLE c_api_fma
#include "c_api_impl.h"
#endif
