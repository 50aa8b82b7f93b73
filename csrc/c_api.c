/*
 * The C API's table: out-of-line calls of the inline scalar functions of
 * sigmoid_math.h, the ones the baseline kernels run.  No code of its own.
 */
#include "c_api.h"
#include "sigmoid_math.h"

static double api_sigmoid(double x) { return sigmoid_f64(x); }
static float api_sigmoidf(float x) { return sigmoid_f32(x); }
static double api_sigmoid_grad(double x) { return sigmoid_grad_f64(x); }
static float api_sigmoid_gradf(float x) { return sigmoid_grad_f32(x); }
static void api_sigmoid_and_grad(double x, double *s, double *g) { sigmoid_and_grad_f64(x, s, g); }
static void api_sigmoid_and_gradf(float x, float *s, float *g) { sigmoid_and_grad_f32(x, s, g); }
static double api_sigmoid_backward(double dy, double y) { return sigmoid_backward_f64(dy, y); }
static float api_sigmoid_backwardf(float dy, float y) { return sigmoid_backward_f32(dy, y); }
static double api_log_sigmoid(double x) { return log_sigmoid_f64(x); }
static float api_log_sigmoidf(float x) { return log_sigmoid_f32(x); }
static double api_logit(double p) { return logit_f64(p); }
static float api_logitf(float p) { return logit_f32(p); }

const sigmoidx_c_api c_api_table = {
    .version = SIGMOIDX_C_API_VERSION,
    .size = sizeof(sigmoidx_c_api),
    .sigmoid = api_sigmoid,
    .sigmoidf = api_sigmoidf,
    .sigmoid_grad = api_sigmoid_grad,
    .sigmoid_gradf = api_sigmoid_gradf,
    .sigmoid_and_grad = api_sigmoid_and_grad,
    .sigmoid_and_gradf = api_sigmoid_and_gradf,
    .sigmoid_backward = api_sigmoid_backward,
    .sigmoid_backwardf = api_sigmoid_backwardf,
    .log_sigmoid = api_log_sigmoid,
    .log_sigmoidf = api_log_sigmoidf,
    .logit = api_logit,
    .logitf = api_logitf,
};
