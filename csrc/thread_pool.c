/*
 * The worker pool (see thread_pool.h).
 *
 * A job lives on the caller's stack.  The caller publishes it under the pool
 * lock and wakes the workers; the caller and every worker that joins in time
 * claim pieces from an atomic counter until none is left, so a worker that
 * wakes late (or not at all, on a busy machine) costs nothing but its wake-up:
 * the caller has done its pieces meanwhile.  The caller then withdraws the job
 * (late workers find nothing) and waits only for the workers that joined.
 * All pool state is guarded by `pool.lock`, except `busy`, `num_threads` and
 * `published` (atomics, read without the lock) and the piece counter of a job.
 * A worker done with a job polls `published` for a while before it sleeps:
 * only a hint, the job itself is taken under the lock.
 */
#if defined(__linux__)
#define _GNU_SOURCE  /* pthread_setname_np: the workers show as sigmoidx-pool */
#else
#define _POSIX_C_SOURCE 200809L  /* pthread_sigmask under -std=c11 */
#endif

#include "thread_pool.h"

#include <fenv.h>

/* Pieces per thread: enough that a thread delayed by the OS is made up for by
 * the others taking its share, few enough that claiming one stays cheap. */
#define PIECES_PER_THREAD 8

/* Polls of the generation a worker makes after its job before it sleeps on the
 * condition variable: calls in a row (a loop over arrays, a benchmark) then
 * find it awake, without the wake-up latency of a sleeping thread; the caller
 * polls as long for the workers to finish their pieces.  Each poll
 * pauses (x86 `pause`, aarch64 `yield`); the bound keeps an idle worker's spin
 * short, and shorter than OpenMP runtimes' default spin (libgomp: 300,000). */
#define SPIN_POLLS 16384

#if SIGMOIDX_HAVE_THREADS

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    thread_pool_task task;
    void *context;
    ptrdiff_t n, head, piece_length, pieces;  /* see piece_bounds */
    atomic_ptrdiff_t next_piece;              /* the next piece to claim */
    fenv_t caller_env;                        /* the workers compute under it */
    int max_workers;                          /* workers with a smaller index may join */
    /* under pool.lock (finished also read without it, by the polling caller): */
    int joined;                               /* workers that joined */
    atomic_int finished;                      /* workers done with their pieces */
    int flags;                                /* FP exceptions raised in the workers */
} pool_job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;           /* workers wait for a new generation */
    pthread_cond_t done;           /* the caller waits for its workers */
    atomic_int busy;               /* a caller is using the pool */
    atomic_int num_threads;        /* team size, caller included */
    /* under lock: */
    int started;                   /* workers running in this process */
    unsigned long generation;      /* counts published jobs */
    atomic_ulong published;        /* = generation, for workers polling without the lock */
    pool_job *current;             /* the published job, or NULL */
} pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
    .num_threads = 1,
};

/* Piece i is [start, end): boundaries are 0, head + k * piece_length, n. */
static void run_piece(const pool_job *job, ptrdiff_t i)
{
    ptrdiff_t start = i == 0 ? 0 : job->head + i * job->piece_length;
    ptrdiff_t end = job->head + (i + 1) * job->piece_length;
    if (end > job->n || i == job->pieces - 1)
        end = job->n;
    job->task(job->context, start, end);
}

static void run_pieces(pool_job *job)
{
    for (;;) {
        ptrdiff_t i = atomic_fetch_add_explicit(&job->next_piece, 1, memory_order_relaxed);
        if (i >= job->pieces)
            return;
        run_piece(job, i);
    }
}

static inline void pause_briefly(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Without the lock: polls until a job after `seen` is published, at most
 * SPIN_POLLS times (the caller then sleeps on the condition variable). */
static void poll_for_job(unsigned long seen)
{
    for (int i = 0; i < SPIN_POLLS; i++) {
        if (atomic_load_explicit(&pool.published, memory_order_relaxed) != seen)
            return;
        pause_briefly();
    }
}

static void *worker_main(void *arg)
{
    const int index = (int)(intptr_t)arg;
    unsigned long seen = 0;  /* a new worker joins the job posted when it starts */
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "sigmoidx-pool");
#endif
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        if (pool.generation == seen) {
            pthread_mutex_unlock(&pool.lock);
            poll_for_job(seen);
            pthread_mutex_lock(&pool.lock);
        }
        while (pool.generation == seen)
            pthread_cond_wait(&pool.wake, &pool.lock);
        seen = pool.generation;
        pool_job *job = pool.current;
        if (job == NULL || index >= job->max_workers)
            continue;
        job->joined++;
        pthread_mutex_unlock(&pool.lock);

        /* The caller's rounding mode and flush settings; our own flags only. */
        fesetenv(&job->caller_env);
        feclearexcept(FE_ALL_EXCEPT);
        run_pieces(job);
        int flags = fetestexcept(FE_ALL_EXCEPT);

        pthread_mutex_lock(&pool.lock);
        job->flags |= flags;
        /* release: the caller that reads the count sees our results */
        if (atomic_fetch_add_explicit(&job->finished, 1, memory_order_release) + 1 == job->joined)
            pthread_cond_signal(&pool.done);
    }
    return NULL;
}

/* The child of fork() has only the forking thread: no worker, no job, and the
 * lock (taken before the fork) released. */
static void lock_before_fork(void) { pthread_mutex_lock(&pool.lock); }
static void unlock_after_fork_in_parent(void) { pthread_mutex_unlock(&pool.lock); }
static void reset_after_fork_in_child(void)
{
    pool.started = 0;
    pool.current = NULL;
    atomic_store(&pool.busy, 0);
    pthread_cond_init(&pool.wake, NULL);  /* no thread of the child waits on them */
    pthread_cond_init(&pool.done, NULL);
    pthread_mutex_unlock(&pool.lock);
}

static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;
static void register_fork_handlers(void)
{
    pthread_atfork(lock_before_fork, unlock_after_fork_in_parent, reset_after_fork_in_child);
}

/* Under pool.lock: starts workers until `wanted` run; returns how many run.
 * Workers block every signal: the process's handlers run in other threads. */
static int start_workers(int wanted)
{
    if (pool.started >= wanted)
        return pool.started;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    int ok = pthread_attr_init(&attr) == 0;
    ok = ok && pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0;
    while (ok && pool.started < wanted) {
        pthread_t thread;
        if (pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)pool.started) != 0)
            break;
        pool.started++;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pool.started;
}

void thread_pool_run(thread_pool_task task, void *context, ptrdiff_t n, ptrdiff_t head,
                     ptrdiff_t unit)
{
    const int threads = atomic_load_explicit(&pool.num_threads, memory_order_relaxed);
    int idle = 0;
    if (threads <= 1 || n <= head + unit ||
        !atomic_compare_exchange_strong(&pool.busy, &idle, 1)) {
        task(context, 0, n);
        return;
    }
    pthread_once(&fork_handlers_once, register_fork_handlers);

    /* Pieces of at least one unit, boundaries at head + k * unit. */
    ptrdiff_t length = (n + (ptrdiff_t)threads * PIECES_PER_THREAD - 1) /
                       ((ptrdiff_t)threads * PIECES_PER_THREAD);
    length = (length + unit - 1) / unit * unit;
    pool_job job = {
        .task = task,
        .context = context,
        .n = n,
        .head = head,
        .piece_length = length,
        .pieces = (n - head + length - 1) / length,
        .max_workers = threads - 1,
    };
    atomic_init(&job.next_piece, 0);
    atomic_init(&job.finished, 0);
    fegetenv(&job.caller_env);

    pthread_mutex_lock(&pool.lock);
    int workers = start_workers(threads - 1);
    if (workers > 0) {
        pool.current = &job;
        pool.generation++;
        atomic_store_explicit(&pool.published, pool.generation, memory_order_relaxed);
    }
    pthread_mutex_unlock(&pool.lock);
    if (workers == 0) {  /* no thread could be started */
        atomic_store(&pool.busy, 0);
        task(context, 0, n);
        return;
    }
    pthread_cond_broadcast(&pool.wake);

    run_pieces(&job);

    pthread_mutex_lock(&pool.lock);
    pool.current = NULL;  /* workers that wake from now on find nothing */
    const int joined = job.joined;
    pthread_mutex_unlock(&pool.lock);
    /* The workers that joined are on their last pieces: poll for them before
     * sleeping, as a worker does for the next job (a sleeping caller's wake-up
     * cost more than the pieces: float32 at 1e5 ran slower with two threads). */
    for (int i = 0; i < SPIN_POLLS; i++) {
        if (atomic_load_explicit(&job.finished, memory_order_acquire) == joined)
            break;
        pause_briefly();
    }
    /* Under the lock, also after a successful poll: a worker touches the job
     * only while it holds the lock, so it has let go of it once we have it. */
    pthread_mutex_lock(&pool.lock);
    while (atomic_load_explicit(&job.finished, memory_order_acquire) < joined)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    atomic_store(&pool.busy, 0);
    if (job.flags != 0)
        feraiseexcept(job.flags);
}

int thread_pool_get_num_threads(void)
{
    return atomic_load(&pool.num_threads);
}

int thread_pool_set_num_threads(int n)
{
    if (n < 1 || n > THREAD_POOL_MAX_THREADS)
        return -1;
    return atomic_exchange(&pool.num_threads, n);
}

#else /* no threads: everything runs in the caller */

void thread_pool_run(thread_pool_task task, void *context, ptrdiff_t n, ptrdiff_t head,
                     ptrdiff_t unit)
{
    (void)head;
    (void)unit;
    task(context, 0, n);
}

int thread_pool_get_num_threads(void) { return 1; }

int thread_pool_set_num_threads(int n)
{
    return n < 1 || n > THREAD_POOL_MAX_THREADS ? -1 : 1;
}

#endif
