// Trylock with back-off: THREADS threads each do OPS operations. Op i locks
// mutex k = i % MUTEXES, then *tries* mutex (k + 1) % MUTEXES and gives up
// if it is busy. For the last k that is mutex 0, taken after mutex
// MUTEXES-1: the reverse of the order used elsewhere, but only through a
// trylock that backs off, which can never deadlock, so dept must stay silent
// (DESIGN §3: "trylock with back-off"). With HEAP=1 the mutexes live in a
// malloc'ed array rather than a static one: one class (their init site)
// instead of one per object, so each trylock nests in its own class.
//
// usage: trylock [threads=4] [ops_per_thread=1000000] [mutexes=4] [heap=0]
// prints: successful + failed trylocks (= threads * ops)
#include "bench_common.h"

static long ops, nmutexes;
static struct bench_slot static_slots[256], *slots = static_slots;
static long results[64][2];

static void *worker(void *arg) {
    long id = (long)arg, ok = 0, busy = 0;
    for (long i = 0; i < ops; i++) {
        long k = i % nmutexes, k2 = (k + 1) % nmutexes;
        pthread_mutex_lock(&slots[k].m);
        if (pthread_mutex_trylock(&slots[k2].m) == 0) {
            slots[k2].count++;
            pthread_mutex_unlock(&slots[k2].m);
            ok++;
        } else {
            busy++;
        }
        pthread_mutex_unlock(&slots[k].m);
    }
    results[id % 64][0] += ok;
    results[id % 64][1] += busy;
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = bench_arg(argc, argv, 1, 4);
    ops = bench_arg(argc, argv, 2, 1000000);
    nmutexes = bench_arg(argc, argv, 3, 4);
    long heap = bench_arg(argc, argv, 4, 0);
    if (nthreads < 1 || nthreads > 64 || nmutexes < 2 || nmutexes > 256) { fprintf(stderr, "bad sizes\n"); return 2; }
    if (heap) slots = memset(bench_xmalloc(nmutexes * sizeof *slots), 0, nmutexes * sizeof *slots);
    for (long i = 0; i < nmutexes; i++) BENCH_CHECK(pthread_mutex_init(&slots[i].m, NULL));
    pthread_t *t = bench_xmalloc(nthreads * sizeof *t);
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_create(&t[i], NULL, worker, (void *)i));
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_join(t[i], NULL));
    long sum = 0;
    for (long i = 0; i < 64; i++) sum += results[i][0] + results[i][1];
    for (long i = 0; i < nmutexes; i++) pthread_mutex_destroy(&slots[i].m);
    printf("%ld\n", sum);
    if (heap) free(slots);
    free(t);
    return 0;
}
