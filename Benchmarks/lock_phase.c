// Lock phase: THREADS threads each do PAIRS lock/unlock pairs on MUTEXES
// shared mutexes, always in the same order (mutex i % MUTEXES for pair i), so
// there is contention but no nesting and nothing to report.
//
// usage: lock_phase [threads=4] [pairs_per_thread=1000000] [mutexes=4]
// prints: the total number of increments (threads * pairs)
#include "bench_common.h"

static long pairs, nmutexes;
static struct bench_slot slots[256];

static void *worker(void *arg) {
    (void)arg;
    for (long i = 0; i < pairs; i++) {
        struct bench_slot *s = &slots[i % nmutexes];
        pthread_mutex_lock(&s->m);
        s->count++;
        pthread_mutex_unlock(&s->m);
    }
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = bench_arg(argc, argv, 1, 4);
    pairs = bench_arg(argc, argv, 2, 1000000);
    nmutexes = bench_arg(argc, argv, 3, 4);
    if (nthreads < 1 || nmutexes < 1 || nmutexes > 256) { fprintf(stderr, "bad sizes\n"); return 2; }
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
