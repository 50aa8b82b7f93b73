/* The C API's functions for any x86-64 (or other) CPU, and the choice of table. */
#define C_API_TABLE c_api_baseline
#include "c_api_impl.h"

const sigmoidx_c_api *c_api_for_level(const kernel_table *level)
{
#ifdef SIGMOIDX_X86_DISPATCH
    if (level != &kernels_baseline)     /* avx2 and avx512 both have FMA */
        return &c_api_fma;
#endif
    (void)level;
    return &c_api_baseline;
}
