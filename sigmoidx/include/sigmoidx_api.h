/*
 * sigmoidx_api.h: the table of scalar functions sigmoidx exports to other
 * compiled extensions (plain C, no Python).  Include sigmoidx.h, which gets
 * the table from the running sigmoidx through import_sigmoidx(); this file
 * only fixes its layout.
 *
 * Every function is the one the ufuncs run on the baseline kernel level (the
 * scalar math of sigmoidx), within 1 ULP of the true value; see sigmoidx.h.
 * Compatibility: later versions only append members and raise
 * SIGMOIDX_C_API_VERSION, so a module built against version N runs with any
 * sigmoidx whose table has version >= N.
 */
#ifndef SIGMOIDX_API_H
#define SIGMOIDX_API_H

#define SIGMOIDX_C_API_VERSION 1

typedef struct sigmoidx_c_api {
    unsigned int version;   /* SIGMOIDX_C_API_VERSION of the sigmoidx that filled it */
    unsigned int size;      /* sizeof(sigmoidx_c_api) there */
    /* sigma(x) = 1 / (1 + exp(-x)) */
    double (*sigmoid)(double x);
    float (*sigmoidf)(float x);
    /* sigma'(x) = sigma(x) (1 - sigma(x)), computed from x */
    double (*sigmoid_grad)(double x);
    float (*sigmoid_gradf)(float x);
    /* both at once: the same bits as the two functions */
    void (*sigmoid_and_grad)(double x, double *sigma, double *grad);
    void (*sigmoid_and_gradf)(float x, float *sigma, float *grad);
    /* dy * y * (1 - y) */
    double (*sigmoid_backward)(double dy, double y);
    float (*sigmoid_backwardf)(float dy, float y);
    /* log sigma(x) */
    double (*log_sigmoid)(double x);
    float (*log_sigmoidf)(float x);
    /* log(p / (1 - p)) */
    double (*logit)(double p);
    float (*logitf)(float p);
} sigmoidx_c_api;

#endif
