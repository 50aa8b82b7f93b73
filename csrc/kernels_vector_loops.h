/*
 * The array loops of the vector kernels (kernels_vec_f32.h, kernels_vec_f64.h),
 * written once by the macros below over the vector layer (vec_*.h).
 *
 * Whole steps of BLOCKS vectors go straight from and to the arrays, the
 * first stage (the exp) of every vector of a step before any division: the
 * long dependency chains of independent vectors then overlap within the
 * out-of-order window.  The tail goes through partial loads and stores (zeros
 * in the lanes past n; nothing read or written past n).  Every vector is read
 * before its results are written, so `in` may be `out` or `out2`.
 */
#ifndef SIGMOIDX_KERNELS_VECTOR_LOOPS_H
#define SIGMOIDX_KERNELS_VECTOR_LOOPS_H

#include <stddef.h>

/* array_X(in, out, out2, n, first, second) for the kernel suffix X (vf32,
 * vf64) on elements T in vectors VF, LANES lanes; the kernel file defines
 * shared_X, shared_parts_X(v, moderate) and any_immoderate_X(x, BLOCKS):
 * first(p) into out and, unless second is NULL, second(p) into out2, with
 * p = shared_parts_X(v, moderate).  A step takes the moderate path (a
 * compile-time constant in the inlined code) unless any_immoderate_X says
 * otherwise of its BLOCKS vectors. */
#define DEFINE_VECTOR_ARRAY(X, T, VF, LANES, BLOCKS)                                           \
    static inline __attribute__((always_inline)) void                                          \
    blocks_##X(const VF *x, T *out, T *out2, VF (*first)(shared_##X), VF (*second)(shared_##X), \
               int moderate)                                                                   \
    {                                                                                          \
        shared_##X p[BLOCKS];                                                                  \
        for (int b = 0; b < BLOCKS; b++)                                                       \
            p[b] = shared_parts_##X(x[b], moderate);                                           \
        for (int b = 0; b < BLOCKS; b++)                                                       \
            VF##_store(out + LANES * b, first(p[b]));                                          \
        if (second)                                                                            \
            for (int b = 0; b < BLOCKS; b++)                                                   \
                VF##_store(out2 + LANES * b, second(p[b]));                                    \
    }                                                                                          \
                                                                                               \
    static inline __attribute__((always_inline)) void                                          \
    array_##X(const T *in, T *out, T *out2, ptrdiff_t n, VF (*first)(shared_##X),              \
              VF (*second)(shared_##X))                                                        \
    {                                                                                          \
        ptrdiff_t i = 0;                                                                       \
        for (; i + LANES * BLOCKS <= n; i += LANES * BLOCKS) {                                 \
            VF x[BLOCKS];                                                                      \
            for (int b = 0; b < BLOCKS; b++)                                                   \
                x[b] = VF##_load(in + i + LANES * b);                                          \
            if (!any_immoderate_##X(x, BLOCKS))                                                \
                blocks_##X(x, out + i, second ? out2 + i : NULL, first, second, 1);            \
            else                                                                               \
                blocks_##X(x, out + i, second ? out2 + i : NULL, first, second, 0);            \
        }                                                                                      \
        for (; i < n; i += LANES) {                                                            \
            ptrdiff_t count = n - i < LANES ? n - i : LANES;                                   \
            shared_##X p = shared_parts_##X(VF##_load_partial(in + i, count), 0);              \
            VF##_store_partial(out + i, first(p), count);                                      \
            if (second)                                                                        \
                VF##_store_partial(out2 + i, second(p), count);                                \
        }                                                                                      \
    }

/* name(in, out, n, f): out = f(in), BLOCKS vectors of LANES per step;
 * LOAD / STORE (and their _partial forms) move T elements to and from VF. */
#define DEFINE_VECTOR_MAP(name, T, VF, LANES, BLOCKS, LOAD, STORE)                             \
    static inline __attribute__((always_inline)) void                                          \
    name(const T *in, T *out, ptrdiff_t n, VF (*f)(VF))                                        \
    {                                                                                          \
        ptrdiff_t i = 0;                                                                       \
        for (; i + LANES * BLOCKS <= n; i += LANES * BLOCKS) {                                 \
            VF y[BLOCKS];                                                                      \
            for (int b = 0; b < BLOCKS; b++)                                                   \
                y[b] = f(LOAD(in + i + LANES * b));                                            \
            for (int b = 0; b < BLOCKS; b++)                                                   \
                STORE(out + i + LANES * b, y[b]);                                              \
        }                                                                                      \
        for (; i < n; i += LANES) {                                                            \
            ptrdiff_t count = n - i < LANES ? n - i : LANES;                                   \
            STORE##_partial(out + i, f(LOAD##_partial(in + i, count)), count);                 \
        }                                                                                      \
    }

#endif
