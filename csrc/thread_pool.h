/*
 * A persistent pool of worker threads that splits one long run of elements
 * between the calling thread and the workers.  Plain C (pthreads), no Python.
 *
 * One pool per process, created lazily on the first call that needs it.  A
 * call that finds the pool busy (another thread's call is using it) runs
 * serially in its own thread, so concurrent callers never start more threads
 * than the pool has.  After fork() the child starts with an empty pool.
 * Without pthreads (SIGMOIDX_HAVE_THREADS is 0) every call runs serially and
 * the number of threads is 1.
 */
#ifndef SIGMOIDX_THREAD_POOL_H
#define SIGMOIDX_THREAD_POOL_H

#include <stddef.h>

#ifndef SIGMOIDX_HAVE_THREADS
#if defined(SIGMOIDX_NO_THREADS)
#define SIGMOIDX_HAVE_THREADS 0
#elif defined(__unix__) || defined(__APPLE__)
#define SIGMOIDX_HAVE_THREADS 1
#else
#define SIGMOIDX_HAVE_THREADS 0
#endif
#endif

/* The largest team: set_num_threads refuses more. */
#define THREAD_POOL_MAX_THREADS 256

/* Computes elements [begin, end) of a run. */
typedef void (*thread_pool_task)(void *context, ptrdiff_t begin, ptrdiff_t end);

/* Runs task over [0, n), cut into pieces, on the calling thread and the
 * pool's workers, and returns when every piece is done.  Every boundary
 * between two pieces is `head + k * unit` for some k >= 0 (the caller chooses
 * head and unit so that boundaries fall on cache lines of the output).
 * Floating-point flags raised by the task in a worker are raised in the
 * calling thread before return; the workers compute under the caller's
 * floating-point environment (rounding mode, MXCSR), so results are those
 * of one thread for any element-wise task.
 * Runs task(context, 0, n) in the caller when the pool has one thread, is
 * busy, or cannot start a worker. */
void thread_pool_run(thread_pool_task task, void *context, ptrdiff_t n, ptrdiff_t head,
                     ptrdiff_t unit);

/* The team size (caller included), 1 to THREAD_POOL_MAX_THREADS; always 1
 * without pthreads.  Setting it returns the previous value, or -1 (and
 * changes nothing) for a value out of range.  Thread-safe; a smaller team
 * leaves the extra workers asleep. */
int thread_pool_get_num_threads(void);
int thread_pool_set_num_threads(int n);

#endif
