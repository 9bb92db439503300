// Read-heavy rwlocks: THREADS threads each do OPS operations on LOCKS shared
// rwlocks (lock i % LOCKS for op i); one op in WRITE_EVERY takes the lock for
// writing and bumps a counter, the others read it. Nothing to report.
//
// usage: rwlock [threads=4] [ops_per_thread=1000000] [write_every=100] [locks=4]
// prints: the number of writes
#include "bench_common.h"

static long ops, write_every, nlocks;
static struct { pthread_rwlock_t l; long count; } __attribute__((aligned(64))) locks[256];
static long reads_seen[64];

static void *worker(void *arg) {
    long id = (long)arg, seen = 0;
    for (long i = 0; i < ops; i++) {
        long k = i % nlocks;
        if (i % write_every == 0) {
            pthread_rwlock_wrlock(&locks[k].l);
            locks[k].count++;
        } else {
            pthread_rwlock_rdlock(&locks[k].l);
            seen += locks[k].count;
        }
        pthread_rwlock_unlock(&locks[k].l);
    }
    reads_seen[id % 64] = seen;
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = bench_arg(argc, argv, 1, 4);
    ops = bench_arg(argc, argv, 2, 1000000);
    write_every = bench_arg(argc, argv, 3, 100);
    nlocks = bench_arg(argc, argv, 4, 4);
    if (nthreads < 1 || write_every < 1 || nlocks < 1 || nlocks > 256) { fprintf(stderr, "bad sizes\n"); return 2; }
    for (long i = 0; i < nlocks; i++) BENCH_CHECK(pthread_rwlock_init(&locks[i].l, NULL));
    pthread_t *t = bench_xmalloc(nthreads * sizeof *t);
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_create(&t[i], NULL, worker, (void *)i));
    for (long i = 0; i < nthreads; i++) BENCH_CHECK(pthread_join(t[i], NULL));
    long sum = 0;
    for (long i = 0; i < nlocks; i++) { sum += locks[i].count; pthread_rwlock_destroy(&locks[i].l); }
    printf("%ld\n", sum);
    free(t);
    return 0;
}
