// Published lock: lock_phase's threads and mutexes, but each mutex also has
// a condition variable that the thread holding it signals now and then (a
// monitor: a counter whose waiters are woken at every SIGNAL_EVERY-th
// increment; nobody waits here). A condvar signalled under a mutex publishes
// the signaller's clock into the mutex (happens-before, PRECISION F4), and
// every later acquisition of that mutex must learn it: perl's
// threads::shared, GLib's and most work queues lock such a mutex far more
// often than they signal under it. Nothing to report.
//
// usage: published_lock [threads=4] [pairs_per_thread=1000000] [mutexes=4] [signal_every=1000]
// prints: the total number of increments (threads * pairs)
#include "bench_common.h"

static long pairs, nmutexes, signal_every;
static struct bench_slot slots[256];
static pthread_cond_t conds[256];

static void *worker(void *arg) {
    (void)arg;
    for (long i = 0; i < pairs; i++) {
        long k = i % nmutexes;
        struct bench_slot *s = &slots[k];
        pthread_mutex_lock(&s->m);
        if (++s->count % signal_every == 0) pthread_cond_signal(&conds[k]);
        pthread_mutex_unlock(&s->m);
    }
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = bench_arg(argc, argv, 1, 4);
    pairs = bench_arg(argc, argv, 2, 1000000);
    nmutexes = bench_arg(argc, argv, 3, 4);
    signal_every = bench_arg(argc, argv, 4, 1000);
    if (nthreads < 1 || nmutexes < 1 || nmutexes > 256 || signal_every < 1) { fprintf(stderr, "bad sizes\n"); return 2; }
    for (long i = 0; i < nmutexes; i++) {
        BENCH_CHECK(pthread_mutex_init(&slots[i].m, NULL));
        BENCH_CHECK(pthread_cond_init(&conds[i], NULL));
    }
    pthread_t *t = bench_xmalloc(nthreads * sizeof *t);
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_create(&t[i], NULL, worker, NULL));
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_join(t[i], NULL));
    long sum = 0;
    for (long i = 0; i < nmutexes; i++) {
        sum += slots[i].count;
        pthread_mutex_destroy(&slots[i].m);
        pthread_cond_destroy(&conds[i]);
    }
    printf("%ld\n", sum);
    free(t);
    return 0;
}
