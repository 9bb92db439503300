// Nested locks: THREADS threads each take DEPTH nested locks (a window of
// DEPTH consecutive mutexes out of MUTEXES, always in increasing order, released
// in reverse) until they have done PAIRS lock/unlock pairs. Consistent order:
// nothing to report.
//
// usage: nested [threads=4] [pairs_per_thread=1000000] [depth=3] [mutexes=4]
// prints: the total number of innermost increments
#include "bench_common.h"

static long pairs, depth, nmutexes;
static struct bench_slot slots[256];

static void *worker(void *arg) {
    (void)arg;
    long iters = pairs / depth, windows = nmutexes - depth + 1;
    for (long i = 0; i < iters; i++) {
        long base = i % windows;
        for (long d = 0; d < depth; d++) pthread_mutex_lock(&slots[base + d].m);
        slots[base + depth - 1].count++;
        for (long d = depth - 1; d >= 0; d--) pthread_mutex_unlock(&slots[base + d].m);
    }
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = bench_arg(argc, argv, 1, 4);
    pairs = bench_arg(argc, argv, 2, 1000000);
    depth = bench_arg(argc, argv, 3, 3);
    nmutexes = bench_arg(argc, argv, 4, 4);
    if (nthreads < 1 || depth < 1 || nmutexes < depth || nmutexes > 256) { fprintf(stderr, "bad sizes\n"); return 2; }
    for (long i = 0; i < nmutexes; i++) BENCH_CHECK(pthread_mutex_init(&slots[i].m, NULL));
    pthread_t *t = bench_xmalloc(nthreads * sizeof *t);
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_create(&t[i], NULL, worker, NULL));
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_join(t[i], NULL));
    long sum = 0;
    for (long i = 0; i < nmutexes; i++) { sum += slots[i].count; pthread_mutex_destroy(&slots[i].m); }
    printf("%ld\n", sum);
    free(t);
    return 0;
}
