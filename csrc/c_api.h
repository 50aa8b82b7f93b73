/*
 * The C API's function table (sigmoidx/include/sigmoidx_api.h): the scalar
 * functions of sigmoid_math.h, compiled once for the baseline target, so that
 * every machine and every kernel level exports the same functions, with the
 * bits of the baseline level's ufuncs (tests/test_c_api.py).  (A copy built
 * for FMA targets would take sigmoid_math.h's other exact-product route and
 * give other bits.)  Plain C, no Python.
 */
#ifndef SIGMOIDX_C_API_H
#define SIGMOIDX_C_API_H

#include "sigmoidx_api.h"

extern const sigmoidx_c_api c_api_table;

#endif
