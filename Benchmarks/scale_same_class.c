// Scale, same-class nesting: LOCKS rwlocks in one static array, all
// initialised at one call site (one class, like the per-bucket locks of a
// hash table, page latches or tree-node locks), THREADS threads each making
// OPS random operations: take one more lock (read or write, blocking or
// try) at a random index above every index it holds (so each thread nests
// instances of the class in ascending order, at most DEPTH at once),
// release a random one of those it holds, or destroy and re-initialise a
// lock nobody holds. This is the shape of TSan's deadlock-detector stress
// test. Correct code: it never deadlocks, and dept must stay silent about
// it while the nesting of thousands of instances of one class stays cheap.
// Then one AB-BA inversion that dept must report.
//
// usage: scale_same_class [locks=16384] [threads=4] [ops=400000] [depth=10]
// prints: the operations done and the locks found free at the end (which
// locks a thread got depends on the interleaving, so no sum of those)
#include "bench_common.h"
#include <stdatomic.h>

static long nlocks, nops, depth;
#define MAX_LOCKS (1 << 16)
// Static storage, as in the stress test: explicitly initialised objects
// there are classed by their init site like heap ones.
static pthread_rwlock_t locks[MAX_LOCKS];
// Per lock: how many threads hold or are taking it; NOT_INITED before its
// first use and after a destroy (the next user initialises it, as the
// stress test does); BUSY while one thread initialises or destroys it.
enum { NOT_INITED = -1, BUSY = -2 };
static _Atomic long *busy;

static void lock_init(long i);

static int enter(long i) {
    long b = atomic_load(&busy[i]);
    for (;;) {
        if (b == BUSY) return 0;
        if (b == NOT_INITED) {
            if (!atomic_compare_exchange_weak(&busy[i], &b, BUSY)) continue;
            lock_init(i);
            atomic_store(&busy[i], 1);
            return 1;
        }
        if (atomic_compare_exchange_weak(&busy[i], &b, b + 1)) return 1;
    }
}

__attribute__((noinline)) static void lock_init(long i) { BENCH_CHECK(pthread_rwlock_init(&locks[i], NULL)); }

static void *worker(void *arg) {
    uint64_t x = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1);
    long held[64];
    int n = 0;
    long sum = 0;
    for (long op = 0; op < nops; op++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        unsigned r = (unsigned)(x >> 32) % 100;
        long top = -1;
        for (int k = 0; k < n; k++) if (held[k] > top) top = held[k];
        if (r < 40 && n < depth && top + 1 < nlocks) {
            long i = top + 1 + (long)((x & 0xffffffff) % (uint64_t)(nlocks - top - 1));
            if (!enter(i)) continue;
            int rc;
            if (r < 10) rc = pthread_rwlock_wrlock(&locks[i]);
            else if (r < 20) rc = pthread_rwlock_rdlock(&locks[i]);
            else if (r < 30) rc = pthread_rwlock_trywrlock(&locks[i]);
            else rc = pthread_rwlock_tryrdlock(&locks[i]);
            if (rc == 0) { held[n++] = i; sum += i; }
            else atomic_fetch_sub(&busy[i], 1);
        } else if (r < 90 && n > 0) {
            int k = (int)((x & 0xffffffff) % (uint64_t)n);
            long i = held[k];
            held[k] = held[--n];
            BENCH_CHECK(pthread_rwlock_unlock(&locks[i]));
            atomic_fetch_sub(&busy[i], 1);
        } else {
            long i = (long)((x & 0xffffffff) % (uint64_t)nlocks);
            long zero = 0;
            if (atomic_compare_exchange_strong(&busy[i], &zero, BUSY)) {
                BENCH_CHECK(pthread_rwlock_destroy(&locks[i]));
                atomic_store(&busy[i], NOT_INITED);
                sum += 1;
            }
        }
    }
    while (n > 0) {
        long i = held[--n];
        BENCH_CHECK(pthread_rwlock_unlock(&locks[i]));
        atomic_fetch_sub(&busy[i], 1);
    }
    return (void *)sum;
}

int main(int argc, char **argv) {
    nlocks = bench_arg(argc, argv, 1, 16384);
    long threads = bench_arg(argc, argv, 2, 4);
    nops = bench_arg(argc, argv, 3, 400000);
    depth = bench_arg(argc, argv, 4, 10);
    if (nlocks < 2 || nlocks > MAX_LOCKS || threads < 1 || depth < 1 || depth > 64) { fprintf(stderr, "bad sizes\n"); return 2; }
    busy = calloc(nlocks, sizeof *busy);
    for (long i = 0; i < nlocks; i++) busy[i] = NOT_INITED;
    pthread_t *t = bench_xmalloc(threads * sizeof *t);
    for (long k = 0; k < threads; k++) BENCH_CHECK(pthread_create(&t[k], NULL, worker, (void *)k));
    long taken = 0;
    for (long k = 0; k < threads; k++) { void *s; BENCH_CHECK(pthread_join(t[k], &s)); taken += (long)s; }
    long free_locks = 0;
    for (long i = 0; i < nlocks; i++) {
        long b = atomic_load(&busy[i]);
        if (b == NOT_INITED) free_locks++;
        else if (b == 0 && pthread_rwlock_trywrlock(&locks[i]) == 0) {
            BENCH_CHECK(pthread_rwlock_unlock(&locks[i]));
            free_locks++;
        }
    }
    bench_abba();
    if (taken <= 0) { fprintf(stderr, "no lock was ever taken\n"); return 1; }
    printf("%ld %ld\n", threads * nops, free_locks);
    return 0;
}
