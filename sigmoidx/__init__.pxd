# Cython API of sigmoidx: the sigmoid family as C functions, callable without the GIL.
#
#     from sigmoidx cimport import_sigmoidx, sigmoid, sigmoid_grad, log_sigmoid, logit
#     import_sigmoidx()          # once, at module level (raises ImportError on failure)
#
#     cdef double f(double x) noexcept nogil:
#         return sigmoid(x)      # float or double: each has its own C function
#
# Build with include_dirs=[sigmoidx.get_include()].  The functions are those of
# sigmoidx.h (the C API): within 1 ULP, the same bits as the ufuncs on the baseline
# kernel level.

cdef extern from "sigmoidx.h" nogil:
    int import_sigmoidx() except -1 with gil
    double sigmoidx_sigmoid(double x) noexcept
    float sigmoidx_sigmoidf(float x) noexcept
    double sigmoidx_sigmoid_grad(double x) noexcept
    float sigmoidx_sigmoid_gradf(float x) noexcept
    void sigmoidx_sigmoid_and_grad(double x, double *sigma, double *grad) noexcept
    void sigmoidx_sigmoid_and_gradf(float x, float *sigma, float *grad) noexcept
    double sigmoidx_sigmoid_backward(double dy, double y) noexcept
    float sigmoidx_sigmoid_backwardf(float dy, float y) noexcept
    double sigmoidx_log_sigmoid(double x) noexcept
    float sigmoidx_log_sigmoidf(float x) noexcept
    double sigmoidx_logit(double p) noexcept
    float sigmoidx_logitf(float p) noexcept

ctypedef fused real:
    float
    double


cdef inline real sigmoid(real x) noexcept nogil:
    if real is float:
        return sigmoidx_sigmoidf(x)
    else:
        return sigmoidx_sigmoid(x)


cdef inline real sigmoid_grad(real x) noexcept nogil:
    if real is float:
        return sigmoidx_sigmoid_gradf(x)
    else:
        return sigmoidx_sigmoid_grad(x)


cdef inline void sigmoid_and_grad(real x, real *sigma, real *grad) noexcept nogil:
    if real is float:
        sigmoidx_sigmoid_and_gradf(x, sigma, grad)
    else:
        sigmoidx_sigmoid_and_grad(x, sigma, grad)


cdef inline real sigmoid_backward(real dy, real y) noexcept nogil:
    if real is float:
        return sigmoidx_sigmoid_backwardf(dy, y)
    else:
        return sigmoidx_sigmoid_backward(dy, y)


cdef inline real log_sigmoid(real x) noexcept nogil:
    if real is float:
        return sigmoidx_log_sigmoidf(x)
    else:
        return sigmoidx_log_sigmoid(x)


cdef inline real logit(real p) noexcept nogil:
    if real is float:
        return sigmoidx_logitf(p)
    else:
        return sigmoidx_logit(p)
