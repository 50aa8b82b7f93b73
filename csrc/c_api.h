/*
 * The C API's function tables (sigmoidx/include/sigmoidx_api.h): the scalar
 * functions of sigmoid_math.h, compiled for the baseline and, on x86-64, for
 * AVX2+FMA, where fma() is one instruction instead of a library call.  Both
 * compile the same code with -ffp-contract=off and fma() is exact either way:
 * the two tables give the same bits (tests/test_c_api.py).  Plain C, no Python.
 */
#ifndef SIGMOIDX_C_API_H
#define SIGMOIDX_C_API_H

#include "kernels.h"
#include "sigmoidx_api.h"

extern const sigmoidx_c_api c_api_baseline;
#ifdef SIGMOIDX_X86_DISPATCH
extern const sigmoidx_c_api c_api_fma;
#endif

/* The table to export alongside a kernel level: the baseline's on the
 * baseline (SIGMOIDX_CPU=baseline keeps every instruction baseline), the FMA
 * build on the levels that have FMA. */
const sigmoidx_c_api *c_api_for_level(const kernel_table *level);

#endif
