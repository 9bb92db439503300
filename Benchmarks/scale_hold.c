// Scale, held locks: one thread takes LOCKS mutexes at once (in increasing
// order; all held together), then releases them in reverse, ROUNDS times.
// The mutexes are the elements of a static array (MODE=0, default: left as
// PTHREAD_MUTEX_INITIALIZER, never initialised at run time, so each is a
// class of its own: LOCKS classes and LOCKS*(LOCKS-1)/2 ordered pairs), heap
// objects from one init site (MODE=1: one class, same-class nesting) or the
// static array initialised in a loop (MODE=2: one class whose objects stay
// distinct). Then one AB-BA inversion that dept must report.
//
// usage: scale_hold [locks=1000] [rounds=10] [mode=0]
// prints: the number of acquisitions
#include "bench_common.h"

#define MAX_LOCKS 100000
static pthread_mutex_t held[MAX_LOCKS];

int main(int argc, char **argv) {
    long nlocks = bench_arg(argc, argv, 1, 1000);
    long rounds = bench_arg(argc, argv, 2, 10);
    long mode = bench_arg(argc, argv, 3, 0);
    if (nlocks < 1 || nlocks > MAX_LOCKS) { fprintf(stderr, "bad sizes\n"); return 2; }
    pthread_mutex_t **m = bench_xmalloc(nlocks * sizeof *m);
    for (long i = 0; i < nlocks; i++) {
        m[i] = mode == 1 ? bench_xmalloc(sizeof **m) : &held[i];
        // The static array is zero, PTHREAD_MUTEX_INITIALIZER on glibc.
        if (mode != 0) BENCH_CHECK(pthread_mutex_init(m[i], NULL));
    }
    long n = 0;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < nlocks; i++) { pthread_mutex_lock(m[i]); n++; }
        for (long i = nlocks - 1; i >= 0; i--) pthread_mutex_unlock(m[i]);
    }
    for (long i = 0; i < nlocks; i++) {
        pthread_mutex_destroy(m[i]);
        if (mode == 1) free(m[i]);
    }
    free(m);
    bench_abba();
    printf("%ld\n", n);
    return 0;
}
