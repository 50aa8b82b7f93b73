/*
 * The array loops of the vector kernels (kernels_f32x8.h, kernels_f64x4.h),
 * written once by the macros below for each vector type.
 *
 * Whole steps of VECTOR_BLOCKS vectors go straight from and to the arrays,
 * the first stage (the exp) of every vector of a step before any division:
 * the long dependency chains of independent vectors then overlap within the
 * out-of-order window (measured 1.3x to 1.4x faster than one vector at a
 * time).  The tail goes through zero-padded vectors: nothing is read or
 * written past n.  Every vector is read before its results are written, so
 * `in` may be `out` or `out2`.
 */
#ifndef SIGMOIDX_KERNELS_VECTOR_LOOPS_H
#define SIGMOIDX_KERNELS_VECTOR_LOOPS_H

#include <immintrin.h>
#include <stddef.h>
#include <string.h>

enum { VECTOR_BLOCKS = 4 };

/* X##_array(in, out, out2, n, first, second) for the vector prefix X (x8,
 * x4), whose file defines shared_X, shared_parts_X(v, moderate) and
 * immoderate_X(v): first(p) into out and, unless second is NULL, second(p)
 * into out2, with p = shared_parts_X(v, moderate).  A step takes the moderate
 * path (a compile-time constant in the inlined code) when immoderate_X is zero
 * for every vector of it. */
#define DEFINE_VECTOR_ARRAY(X, T, V, LANES, LOAD, STORE)                                      \
    static inline __attribute__((always_inline)) void                                          \
    X##_blocks(const V *x, T *out, T *out2, V (*first)(shared_##X), V (*second)(shared_##X),   \
               int moderate)                                                                   \
    {                                                                                          \
        shared_##X p[VECTOR_BLOCKS];                                                           \
        for (int b = 0; b < VECTOR_BLOCKS; b++)                                                \
            p[b] = shared_parts_##X(x[b], moderate);                                           \
        for (int b = 0; b < VECTOR_BLOCKS; b++)                                                \
            STORE(out + LANES * b, first(p[b]));                                               \
        if (second)                                                                            \
            for (int b = 0; b < VECTOR_BLOCKS; b++)                                            \
                STORE(out2 + LANES * b, second(p[b]));                                         \
    }                                                                                          \
                                                                                               \
    static inline __attribute__((always_inline)) void                                          \
    X##_array(const T *in, T *out, T *out2, ptrdiff_t n, V (*first)(shared_##X),               \
              V (*second)(shared_##X))                                                         \
    {                                                                                          \
        ptrdiff_t i = 0;                                                                       \
        for (; i + LANES * VECTOR_BLOCKS <= n; i += LANES * VECTOR_BLOCKS) {                   \
            V x[VECTOR_BLOCKS];                                                                \
            __m256i immoderate = _mm256_setzero_si256();                                       \
            for (int b = 0; b < VECTOR_BLOCKS; b++) {                                          \
                x[b] = LOAD(in + i + LANES * b);                                               \
                immoderate = _mm256_or_si256(immoderate, immoderate_##X(x[b]));                \
            }                                                                                  \
            if (_mm256_testz_si256(immoderate, immoderate))                                    \
                X##_blocks(x, out + i, second ? out2 + i : NULL, first, second, 1);            \
            else                                                                               \
                X##_blocks(x, out + i, second ? out2 + i : NULL, first, second, 0);            \
        }                                                                                      \
        for (; i < n; i += LANES) {                                                            \
            size_t bytes = (size_t)(n - i < LANES ? n - i : LANES) * sizeof(T);                \
            T block[LANES] = {0}, block2[LANES];                                               \
            shared_##X p = shared_parts_##X(LOAD((T *)memcpy(block, in + i, bytes)), 0);       \
            STORE(block, first(p));                                                            \
            memcpy(out + i, block, bytes);                                                     \
            if (second) {                                                                      \
                STORE(block2, second(p));                                                      \
                memcpy(out2 + i, block2, bytes);                                               \
            }                                                                                  \
        }                                                                                      \
    }

/* name(in, out, n, f): out = f(in), VECTOR_BLOCKS vectors per step. */
#define DEFINE_VECTOR_MAP(name, T, V, LANES, LOAD, STORE)                                     \
    static inline __attribute__((always_inline)) void                                          \
    name(const T *in, T *out, ptrdiff_t n, V (*f)(V))                                          \
    {                                                                                          \
        ptrdiff_t i = 0;                                                                       \
        for (; i + LANES * VECTOR_BLOCKS <= n; i += LANES * VECTOR_BLOCKS) {                   \
            V y[VECTOR_BLOCKS];                                                                \
            for (int b = 0; b < VECTOR_BLOCKS; b++)                                            \
                y[b] = f(LOAD(in + i + LANES * b));                                            \
            for (int b = 0; b < VECTOR_BLOCKS; b++)                                            \
                STORE(out + i + LANES * b, y[b]);                                              \
        }                                                                                      \
        for (; i < n; i += LANES) {                                                            \
            size_t bytes = (size_t)(n - i < LANES ? n - i : LANES) * sizeof(T);                \
            T block[LANES] = {0};                                                              \
            STORE(block, f(LOAD((T *)memcpy(block, in + i, bytes))));                          \
            memcpy(out + i, block, bytes);                                                     \
        }                                                                                      \
    }

#endif
