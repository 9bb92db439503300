// Scale, threads: THREADS threads alive at once (they meet at a barrier
// before working), each with its own two heap mutexes (initialised at two
// call sites, so two classes with THREADS instances each), taken nested in
// the same order ITERS times. Then one AB-BA inversion that dept must report.
//
// usage: scale_threads [threads=1000] [iters=1000]
// prints: the total number of inner increments
#include "bench_common.h"

static long iters;
static pthread_barrier_t barrier;
static long *counts;

static __attribute__((noinline)) void init_outer(pthread_mutex_t *m) { BENCH_CHECK(pthread_mutex_init(m, NULL)); }
static __attribute__((noinline)) void init_inner(pthread_mutex_t *m) { BENCH_CHECK(pthread_mutex_init(m, NULL)); }

static void *worker(void *arg) {
    long id = (long)arg, n = 0;
    pthread_mutex_t *outer = bench_xmalloc(sizeof *outer), *inner = bench_xmalloc(sizeof *inner);
    init_outer(outer);
    init_inner(inner);
    pthread_barrier_wait(&barrier);
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(outer);
        pthread_mutex_lock(inner);
        n++;
        pthread_mutex_unlock(inner);
        pthread_mutex_unlock(outer);
    }
    pthread_mutex_destroy(inner);
    pthread_mutex_destroy(outer);
    free(inner);
    free(outer);
    counts[id] = n;
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = bench_arg(argc, argv, 1, 1000);
    iters = bench_arg(argc, argv, 2, 1000);
    if (nthreads < 1) { fprintf(stderr, "bad sizes\n"); return 2; }
    counts = calloc(nthreads, sizeof *counts);
    pthread_t *t = bench_xmalloc(nthreads * sizeof *t);
    BENCH_CHECK(pthread_barrier_init(&barrier, NULL, (unsigned)nthreads));
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_create(&t[i], NULL, worker, (void *)i));
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_join(t[i], NULL));
    pthread_barrier_destroy(&barrier);
    bench_abba();
    long sum = 0;
    for (long i = 0; i < nthreads; i++) sum += counts[i];
    printf("%ld\n", sum);
    free(t);
    free(counts);
    return 0;
}
