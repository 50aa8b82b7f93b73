#include <string.h>
#include "dispatch.h"
#ifdef SIGMOIDX_X86_DISPATCH
#include <cpuid.h>

/* F16C from CPUID leaf 1 (ECX bit 29): clang's __builtin_cpu_supports does
 * not know "f16c" before clang 16.  The wide registers' OS support is part of
 * the avx2 check it goes with. */
static int cpu_has_f16c(void)
{
    unsigned int eax, ebx, ecx, edx;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
}
#endif

int supported_kernel_tables(const kernel_table **levels)
{
    int count = 0;
    levels[count++] = &kernels_baseline;
#ifdef SIGMOIDX_X86_DISPATCH
    /* libgcc's (and compiler-rt's) checks include the OS's XSAVE support for the
     * wide registers. */
    __builtin_cpu_init();
    int has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                   cpu_has_f16c();
    if (has_avx2)
        levels[count++] = &kernels_avx2;
#ifdef SIGMOIDX_AVX512_SIMDE
    /* test-only build: the avx512 kernels run on AVX2 (vec_avx512_simde.h) */
    int has_avx512 = has_avx2;
#else
    int has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f");
#endif
    if (has_avx512)
        levels[count++] = &kernels_avx512;
#endif
#ifdef SIGMOIDX_NEON
    levels[count++] = &kernels_neon;
#endif
    return count;
}

const kernel_table *select_kernel_table(const char *requested)
{
    const kernel_table *levels[3];
    int count = supported_kernel_tables(levels);
    if (requested == NULL || requested[0] == '\0')
        return levels[count - 1];
    for (int i = 0; i < count; i++)
        if (strcmp(levels[i]->name, requested) == 0)
            return levels[i];
    return NULL;
}
