/*
 * Bit-for-bit comparison of kernel levels across machines (no Python): the
 * outputs of every float16/32/64 kernel of one level on a seeded input set go
 * to a file; two such files are compared elsewhere.  scripts/test_aarch64.sh
 * runs it natively on x86-64 and under emulation on aarch64: the aarch64
 * baseline must give the x86-64 baseline's bits, and a NEON level those of
 * avx2 (the same kernel text over another vector layer).
 *
 *   kernel_outputs levels              the levels this CPU supports, one a line
 *   kernel_outputs write LEVEL FILE    the outputs of LEVEL's kernels
 *   kernel_outputs compare FILE FILE   per kernel, how many results differ
 *                                      (NaN equals NaN); exit status 1 if any
 *
 * Inputs: float16 and float32 raw bit patterns and moderate values (where the
 * vector paths run), float64 raw patterns, values in [-800, 800] and
 * probabilities; N is odd so that every layer ends in a partial vector.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "kernels.h"

#define N 300007
#define OUTPUTS 21

static const char *const labels[OUTPUTS] = {
    "sigmoid f16", "sigmoid f32", "sigmoid f64", "sigmoid_grad f16", "sigmoid_grad f32",
    "sigmoid_grad f64", "log_sigmoid f16", "log_sigmoid f32", "log_sigmoid f64", "logit f16",
    "logit f32", "logit f64", "sigmoid_and_grad.0 f16", "sigmoid_and_grad.1 f16",
    "sigmoid_and_grad.0 f32", "sigmoid_and_grad.1 f32", "sigmoid_and_grad.0 f64",
    "sigmoid_and_grad.1 f64", "sigmoid_backward f16", "sigmoid_backward f32",
    "sigmoid_backward f64"};

static size_t itemsize(int output)
{
    const char *dtype = strrchr(labels[output], ' ') + 1;
    return strcmp(dtype, "f16") == 0 ? 2 : strcmp(dtype, "f32") == 0 ? 4 : 8;
}

static uint64_t state = 2026;
static uint64_t next(void)  /* an LCG with its high bits folded down: inputs only */
{
    state = state * 6364136223846793005u + 1442695040888963407u;
    return state ^ (state >> 29);
}
static double uniform(void) { return (double)(next() >> 11) * 0x1p-53; }

static uint16_t h[N], h1[N], h2[N];
static float s[N], s1[N], s2[N], sy[N];
static double d[N], d1[N], d2[N], dy[N];

static int write_outputs(const char *level, const char *path)
{
    const kernel_table *t = select_kernel_table(level);
    if (t == NULL) {
        fprintf(stderr, "this CPU has no level %s\n", level);
        return 2;
    }
    for (int i = 0; i < N; i++) {
        uint64_t r = next();
        h[i] = (uint16_t)r;
        uint32_t bits32 = (uint32_t)(r >> 16);
        s[i] = (float)(uniform() * 240.0 - 120.0);
        if (i % 2)
            memcpy(&s[i], &bits32, sizeof bits32);
        uint64_t bits64 = next();
        d[i] = i % 3 == 0 ? uniform() * 1600.0 - 800.0 : i % 3 == 1 ? uniform() : 0.0;
        if (i % 3 == 2)
            memcpy(&d[i], &bits64, sizeof bits64);
        sy[i] = (float)uniform();
        dy[i] = uniform();
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    unary_kernel const *unary[] = {t->sigmoid, t->sigmoid_grad, t->log_sigmoid, t->logit};
    for (int k = 0; k < 4; k++) {
        unary[k][DT_F16](h, h1, N), fwrite(h1, 2, N, f);
        unary[k][DT_F32](s, s1, N), fwrite(s1, 4, N, f);
        unary[k][DT_F64](d, d1, N), fwrite(d1, 8, N, f);
    }
    t->sigmoid_and_grad[DT_F16](h, h1, h2, N), fwrite(h1, 2, N, f), fwrite(h2, 2, N, f);
    t->sigmoid_and_grad[DT_F32](s, s1, s2, N), fwrite(s1, 4, N, f), fwrite(s2, 4, N, f);
    t->sigmoid_and_grad[DT_F64](d, d1, d2, N), fwrite(d1, 8, N, f), fwrite(d2, 8, N, f);
    t->sigmoid_backward[DT_F16](h, h, h1, N), fwrite(h1, 2, N, f);
    t->sigmoid_backward[DT_F32](s, sy, s1, N), fwrite(s1, 4, N, f);
    t->sigmoid_backward[DT_F64](d, dy, d1, N), fwrite(d1, 8, N, f);
    return fclose(f) == 0 ? 0 : 2;
}

/* NaN by the bits (any payload), for an element of `size` bytes */
static int is_nan(const unsigned char *p, size_t size)
{
    if (size == 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        return (v & 0x7c00u) == 0x7c00u && (v & 0x03ffu) != 0;
    }
    if (size == 4) {
        float v;
        memcpy(&v, p, 4);
        return isnan(v);
    }
    double v;
    memcpy(&v, p, 8);
    return isnan(v);
}

static unsigned char *read_all(const char *path, size_t expected)
{
    unsigned char *data = malloc(expected + 1);
    FILE *f = fopen(path, "rb");
    size_t got = f && data ? fread(data, 1, expected + 1, f) : 0;
    if (f)
        fclose(f);
    if (got != expected) {
        fprintf(stderr, "%s: %zu bytes, expected %zu\n", path, got, expected);
        free(data);
        return NULL;
    }
    return data;
}

static int compare(const char *path_a, const char *path_b)
{
    size_t total = 0;
    for (int o = 0; o < OUTPUTS; o++)
        total += itemsize(o) * N;
    unsigned char *a = read_all(path_a, total), *b = read_all(path_b, total);
    if (a == NULL || b == NULL)
        return 2;
    size_t offset = 0, differing = 0;
    for (int o = 0; o < OUTPUTS; o++) {
        size_t size = itemsize(o), count = 0, first = 0;
        for (size_t i = 0; i < N; i++, offset += size) {
            if (memcmp(a + offset, b + offset, size) != 0 &&
                !(is_nan(a + offset, size) && is_nan(b + offset, size)) && count++ == 0)
                first = i;
        }
        if (count)
            printf("  %-24s %zu of %d differ (first at %zu)\n", labels[o], count, N, first);
        differing += count;
    }
    printf("%zu of %d results differ over %d kernels\n", differing, OUTPUTS * N, OUTPUTS);
    free(a), free(b);
    return differing ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "levels") == 0) {
        const kernel_table *levels[8];
        int count = supported_kernel_tables(levels);
        for (int l = 0; l < count; l++)
            printf("%s\n", levels[l]->name);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "write") == 0)
        return write_outputs(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "compare") == 0)
        return compare(argv[2], argv[3]);
    fprintf(stderr, "usage: %s levels | write LEVEL FILE | compare FILE FILE\n", argv[0]);
    return 2;
}
