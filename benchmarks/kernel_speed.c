/*
 * ns per element of every sigmoidx kernel at every level this CPU supports,
 * next to a plain loop (1/(1 + exp(-x)) through the C library: what an
 * unvectorised, ~1-2 ULP sigmoid costs).  Plain C, no Python: written for ARM
 * users (aarch64: levels "baseline" and "neon"), and runs on x86-64 as well.
 *
 * Build from the repository root, with the flags setup.py uses:
 *   cc -std=c11 -O3 -ffp-contract=off -Icsrc benchmarks/kernel_speed.c \
 *      csrc/dispatch.c csrc/kernels_*.c -lm -o kernel_speed
 *   ./kernel_speed [n] [seconds]   (default 4096 elements, in cache; 0.2 s per cell)
 *
 * Each cell is the fastest of 5 rounds, each round as many calls as fill the
 * time budget: noise from other processes only ever adds time.  Inputs are
 * uniform in [-20, 20] (probabilities in (0, 1) for logit, y = sigmoid(x) for
 * sigmoid_backward).  Compare cells within one run: absolute numbers depend
 * on the clock and the machine's load.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "kernels.h"

#define MAX_LEVELS 4
#define ROUNDS 5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Something the compiler cannot drop: a checksum of the outputs, printed once. */
static double sink;

static void plain_f32(const void *in_, void *out_, ptrdiff_t n)
{
    const float *in = in_;
    float *out = out_;
    for (ptrdiff_t i = 0; i < n; i++)
        out[i] = 1.0f / (1.0f + expf(-in[i]));
}

static void plain_f64(const void *in_, void *out_, ptrdiff_t n)
{
    const double *in = in_;
    double *out = out_;
    for (ptrdiff_t i = 0; i < n; i++)
        out[i] = 1.0 / (1.0 + exp(-in[i]));
}

enum shape { UNARY, UNARY2, BINARY };

typedef struct {
    const char *name;
    enum shape shape;
    size_t offset;  /* of the kernel array in kernel_table */
} function;

static const function functions[] = {
    {"sigmoid", UNARY, offsetof(kernel_table, sigmoid)},
    {"sigmoid_grad", UNARY, offsetof(kernel_table, sigmoid_grad)},
    {"sigmoid_and_grad", UNARY2, offsetof(kernel_table, sigmoid_and_grad)},
    {"sigmoid_backward", BINARY, offsetof(kernel_table, sigmoid_backward)},
    {"log_sigmoid", UNARY, offsetof(kernel_table, log_sigmoid)},
    {"logit", UNARY, offsetof(kernel_table, logit)},
};

/* one call of kernel k of `shape` on n elements */
static void call(enum shape shape, const void *k, const void *a, const void *b, void *o1, void *o2,
                 ptrdiff_t n)
{
    if (shape == UNARY)
        (*(const unary_kernel *)k)(a, o1, n);
    else if (shape == UNARY2)
        (*(const unary2_kernel *)k)(a, o1, o2, n);
    else
        (*(const binary_kernel *)k)(a, b, o1, n);
}

static double ns_per_element(enum shape shape, const void *k, const void *a, const void *b,
                             void *o1, void *o2, ptrdiff_t n, double budget)
{
    call(shape, k, a, b, o1, o2, n);  /* warm caches and branch predictors */
    double t0 = now();
    long calls = 0;
    do {
        call(shape, k, a, b, o1, o2, n);
        calls++;
    } while (now() - t0 < budget / ROUNDS / 4);
    double best = INFINITY;
    for (int r = 0; r < ROUNDS; r++) {
        double start = now();
        for (long c = 0; c < calls; c++)
            call(shape, k, a, b, o1, o2, n);
        double ns = (now() - start) * 1e9 / ((double)calls * (double)n);
        if (ns < best)
            best = ns;
    }
    return best;
}

int main(int argc, char **argv)
{
    ptrdiff_t n = argc > 1 ? atol(argv[1]) : 4096;
    double budget = argc > 2 ? atof(argv[2]) : 0.2;
    if (n < 1 || !(budget > 0)) {
        fprintf(stderr, "usage: %s [n >= 1] [seconds > 0]\n", argv[0]);
        return 2;
    }
    const kernel_table *levels[MAX_LEVELS];
    int count = supported_kernel_tables(levels);

    size_t bytes = (size_t)n * sizeof(double);
    float *x32 = malloc(bytes), *y32 = malloc(bytes), *p32 = malloc(bytes);
    double *x64 = malloc(bytes), *y64 = malloc(bytes), *p64 = malloc(bytes);
    double *o1 = malloc(bytes), *o2 = malloc(bytes);
    if (!x32 || !y32 || !p32 || !x64 || !y64 || !p64 || !o1 || !o2)
        return 1;
    uint64_t state = 14;
    for (ptrdiff_t i = 0; i < n; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;  /* an LCG: inputs only */
        double u = (double)(state >> 11) * 0x1p-53;
        x64[i] = 40.0 * u - 20.0;
        y64[i] = 1.0 / (1.0 + exp(-x64[i]));
        p64[i] = 0.001 + 0.998 * u;
        x32[i] = (float)x64[i], y32[i] = (float)y64[i], p32[i] = (float)p64[i];
    }

    printf("ns per element, n = %td, fastest of %d rounds (%.2f s per cell)\n", n, ROUNDS, budget);
    printf("%-18s %-8s", "function", "dtype");
    for (int l = 0; l < count; l++)
        printf(" %10s", levels[l]->name);
    printf(" %10s\n", "plain loop");
    for (size_t f = 0; f < sizeof functions / sizeof functions[0]; f++) {
        for (int dt = DT_F32; dt <= DT_F64; dt++) {
            int is32 = dt == DT_F32;
            const void *a = functions[f].offset == offsetof(kernel_table, logit)
                                ? (is32 ? (const void *)p32 : (const void *)p64)
                                : (is32 ? (const void *)x32 : (const void *)x64);
            const void *b = is32 ? (const void *)y32 : (const void *)y64;
            printf("%-18s %-8s", functions[f].name, is32 ? "float32" : "float64");
            for (int l = 0; l < count; l++) {
                const char *table = (const char *)levels[l] + functions[f].offset;
                size_t size = functions[f].shape == UNARY ? sizeof(unary_kernel)
                            : functions[f].shape == UNARY2 ? sizeof(unary2_kernel) : sizeof(binary_kernel);
                const void *k = table + (size_t)dt * size;
                printf(" %10.3f", ns_per_element(functions[f].shape, k, a, b, o1, o2, n, budget));
                sink += is32 ? (double)((float *)o1)[n / 2] : o1[n / 2];
            }
            if (functions[f].offset == offsetof(kernel_table, sigmoid)) {
                const unary_kernel plain = is32 ? plain_f32 : plain_f64;
                printf(" %10.3f", ns_per_element(UNARY, &plain, a, b, o1, o2, n, budget));
            }
            printf("\n");
        }
    }
    printf("(checksum %g)\n", sink);
    free(x32), free(y32), free(p32), free(x64), free(y64), free(p64), free(o1), free(o2);
    return 0;
}
