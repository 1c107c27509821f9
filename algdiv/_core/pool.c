/*
 * Threads, per-thread scratch memory and the order-permutation tables of the
 * C core.
 *
 * The pool is a handful of pthreads created on first use that sleep on a
 * condition variable between calls (no spinning: the machine may be shared).
 * A call hands out tasks through an atomic counter and the calling thread
 * works too; it waits only for the helpers that started before it ran out of
 * tasks.  Concurrent calls from several Python threads are safe: the pool
 * serves one call at a time and the others run serially on their own thread.
 */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

#include "wht.h"

#define WHT_MAXW 64

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;  /* one call at a time */
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;        /* guards the fields below */
static pthread_cond_t cv_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_done = PTHREAD_COND_INITIALIZER;
static int nworkers;
static unsigned long gen;              /* call generation, bumped per call */
static unsigned long seen0[WHT_MAXW];  /* generation at a worker's creation */
static wht_task_fn job_fn;
static void *job_ctx;
static size_t job_ntasks;
static int job_helpers;
static int active;
static size_t next_task;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void run_tasks(wht_task_fn fn, void *ctx, size_t ntasks)
{
    for (;;) {
        size_t t = __atomic_fetch_add(&next_task, 1, __ATOMIC_RELAXED);
        if (t >= ntasks) break;
        fn(ctx, t);
    }
}

static void *worker_main(void *arg)
{
    const int idx = (int)(intptr_t)arg;
    pthread_mutex_lock(&mtx);
    unsigned long seen = seen0[idx];
    for (;;) {
        while (gen == seen) pthread_cond_wait(&cv_work, &mtx);
        seen = gen;
        /* job_helpers drops to 0 once the caller has run out of tasks: a helper
         * that wakes that late has nothing to do and is not waited for */
        if (idx >= job_helpers) continue;
        active++;
        wht_task_fn fn = job_fn;
        void *ctx = job_ctx;
        size_t ntasks = job_ntasks;
        pthread_mutex_unlock(&mtx);
        run_tasks(fn, ctx, ntasks);
        pthread_mutex_lock(&mtx);
        if (--active == 0) pthread_cond_signal(&cv_done);
    }
    return NULL;
}

/* A forked child has no workers: forget them (their memory stays allocated). */
static void atfork_child(void)
{
    pthread_mutex_init(&pool_lock, NULL);
    pthread_mutex_init(&mtx, NULL);
    pthread_cond_init(&cv_work, NULL);
    pthread_cond_init(&cv_done, NULL);
    nworkers = 0;
    active = 0;
}

static void register_atfork(void) { pthread_atfork(NULL, NULL, atfork_child); }

void wht_parallel(int nthreads, size_t ntasks, wht_task_fn fn, void *ctx)
{
    if (nthreads <= 1 || ntasks <= 1 || pthread_mutex_trylock(&pool_lock) != 0) {
        for (size_t t = 0; t < ntasks; t++) fn(ctx, t);
        return;
    }
    pthread_once(&atfork_once, register_atfork);
    int helpers = nthreads - 1;
    if ((size_t)helpers > ntasks - 1) helpers = (int)(ntasks - 1);
    if (helpers > WHT_MAXW) helpers = WHT_MAXW;
    while (nworkers < helpers) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 1 << 20);
        seen0[nworkers] = gen;
        int rc = pthread_create(&th, &attr, worker_main, (void *)(intptr_t)nworkers);
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        nworkers++;
    }
    if (helpers > nworkers) helpers = nworkers;
    pthread_mutex_lock(&mtx);
    job_fn = fn;
    job_ctx = ctx;
    job_ntasks = ntasks;
    job_helpers = helpers;
    active = 0;                    /* helpers count themselves in when they start */
    __atomic_store_n(&next_task, 0, __ATOMIC_RELAXED);
    gen++;
    pthread_cond_broadcast(&cv_work);
    pthread_mutex_unlock(&mtx);

    run_tasks(fn, ctx, ntasks);

    pthread_mutex_lock(&mtx);
    /* Every task is taken: helpers not yet awake (a busy machine may not run them for
     * a scheduler tick) are released from this call instead of waited for, so a call
     * with more workers than free CPUs costs about what one worker does. */
    job_helpers = 0;
    while (active > 0) pthread_cond_wait(&cv_done, &mtx);
    pthread_mutex_unlock(&mtx);
    pthread_mutex_unlock(&pool_lock);
}

int wht_cpu_count(void)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ---- per-thread scratch ------------------------------------------------------ */

typedef struct {
    void *p;
    size_t n;
} scratch_t;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *v)
{
    scratch_t *s = (scratch_t *)v;
    if (s) {
        free(s->p);
        free(s);
    }
}

static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

void *wht_scratch(size_t bytes)
{
    pthread_once(&scratch_once, scratch_init);
    scratch_t *s = (scratch_t *)pthread_getspecific(scratch_key);
    if (!s) {
        s = (scratch_t *)calloc(1, sizeof(scratch_t));
        if (!s) return NULL;
        if (pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->n < bytes) {
        void *p = NULL;
        size_t n = bytes < 65536 ? 65536 : bytes;
        if (posix_memalign(&p, 64, n) != 0) return NULL;
        free(s->p);
        s->p = p;
        s->n = n;
    }
    return s->p;
}

/* ---- order permutations -------------------------------------------------------- */

static const uint32_t *order_tables[3][33];

const uint32_t *wht_order_table(int order, int bits)
{
    if (order < 1 || order > 2 || bits < 0 || bits > 32) return NULL;
    const uint32_t *t = __atomic_load_n(&order_tables[order][bits], __ATOMIC_ACQUIRE);
    if (t) return t;
    size_t n = (size_t)1 << bits;
    uint32_t *p = (uint32_t *)malloc(n * sizeof(uint32_t));
    if (!p) return NULL;
    for (size_t k = 0; k < n; k++) {
        /* sequency: bitreverse(gray(k)); dyadic (Paley): bitreverse(k) */
        uint64_t g = order == WHT_SEQUENCY ? (uint64_t)(k ^ (k >> 1)) : (uint64_t)k;
        uint64_t r = 0;
        for (int b = 0; b < bits; b++) r |= ((g >> b) & 1u) << (bits - 1 - b);
        p[k] = (uint32_t)r;
    }
    const uint32_t *expected = NULL;
    if (!__atomic_compare_exchange_n(&order_tables[order][bits], &expected, p, 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(p);  /* another thread published the same table first */
        return expected;
    }
    return p;
}
